"""The domain order in pyproject.toml is checked, and an upward import breaks it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lint_imports() -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=300)


@pytest.mark.slow
def test_an_upward_import_breaks_the_contract() -> None:
    probe = ROOT / "krijt" / "core" / "_upward_import_probe.py"
    probe.write_text('"""Written by tests/test_domain_order.py and removed again."""\nimport krijt.planner.models\n')
    try:
        broken = lint_imports()
    finally:
        probe.unlink()
    assert broken.returncode != 0
    assert "krijt.core._upward_import_probe -> krijt.planner.models" in broken.stdout
