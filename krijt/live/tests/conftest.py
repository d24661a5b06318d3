from __future__ import annotations

from collections.abc import Iterator

import pytest

from krijt.live.tests.fake_bbb import FakeBBB


@pytest.fixture
def fake_bbb() -> Iterator[FakeBBB]:
    server = FakeBBB().start()
    yield server
    server.stop()
