from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from krijt.webpush import vapid


def test_the_command_prints_a_pair_that_signs_and_matches(settings: Any) -> None:
    out = io.StringIO()
    call_command("vapid_keys", stdout=out, stderr=io.StringIO())
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.KRIJT_VAPID_PRIVATE_KEY = lines["KRIJT_VAPID_PRIVATE_KEY"]
    settings.KRIJT_VAPID_PUBLIC_KEY = lines["KRIJT_VAPID_PUBLIC_KEY"]
    pair = vapid.keys()
    assert pair.source == "settings"
    assert pair.public_key == lines["KRIJT_VAPID_PUBLIC_KEY"]
    assert len(vapid.b64url_decode(pair.public_key)) == 65
    assert re.fullmatch(r"[A-Za-z0-9_-]+", pair.private_key)
    assert "Authorization" in pair.signer().sign({"sub": "mailto:a@b.example", "aud": "https://p.example"})


def test_a_public_key_of_another_pair_is_refused(settings: Any) -> None:
    settings.KRIJT_VAPID_PRIVATE_KEY = vapid.generate_pair()[0]
    settings.KRIJT_VAPID_PUBLIC_KEY = vapid.generate_pair()[1]
    with pytest.raises(ImproperlyConfigured):
        vapid.keys()


def test_the_public_key_may_be_left_out(settings: Any) -> None:
    private, public = vapid.generate_pair()
    settings.KRIJT_VAPID_PRIVATE_KEY = private
    settings.KRIJT_VAPID_PUBLIC_KEY = ""
    assert vapid.keys().public_key == public


def test_the_key_file_is_made_once_and_kept(settings: Any, tmp_path: Path) -> None:
    settings.KRIJT_VAPID_PRIVATE_KEY = ""
    settings.KRIJT_VAPID_KEY_FILE = tmp_path / "var" / "vapid.json"
    first = vapid.keys()
    second = vapid.keys()
    assert first == second
    assert first.source == "file"
    stored = json.loads((tmp_path / "var" / "vapid.json").read_text())
    assert stored["private_key"] == first.private_key
    assert (tmp_path / "var" / "vapid.json").stat().st_mode & 0o077 == 0


def test_without_configuration_one_pair_per_process(settings: Any) -> None:
    settings.KRIJT_VAPID_PRIVATE_KEY = ""
    settings.KRIJT_VAPID_KEY_FILE = None
    assert vapid.keys() == vapid.keys()
    assert vapid.keys().source == "process"


def test_the_deployment_check_warns_without_keys(settings: Any) -> None:
    settings.KRIJT_VAPID_PRIVATE_KEY = ""
    settings.KRIJT_VAPID_KEY_FILE = None
    assert "webpush.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
    settings.KRIJT_VAPID_PRIVATE_KEY = vapid.generate_pair()[0]
    assert "webpush.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}


def test_the_subject_defaults_to_the_sender_address(settings: Any) -> None:
    settings.KRIJT_VAPID_SUBJECT = ""
    settings.DEFAULT_FROM_EMAIL = "Krijt <push@school.example>"
    assert vapid.subject() == "mailto:push@school.example"
    settings.KRIJT_VAPID_SUBJECT = "https://krijt.example/contact"
    assert vapid.subject() == "https://krijt.example/contact"
