"""Every response carries the Content-Security-Policy; production sends HSTS for a year."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from krijt.core.middleware import CONTENT_SECURITY_POLICY
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/s/alpha/", "/s/alpha/accounts/sign-in/", "/s/alpha/api/v1/me",
                                  "/s/alpha/no-such-page/", "/health/", "/status/"])
def test_every_answer_carries_the_policy(client: Client, scenario: Scenario, path: str) -> None:
    response = client.get(path)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_production_sends_hsts_for_a_year_with_sub_domains_when_schools_live_there() -> None:
    script = ("import json, config.settings.production as p; "
              "print(json.dumps([p.SECURE_HSTS_SECONDS, p.SECURE_HSTS_INCLUDE_SUBDOMAINS]))")
    env = {**os.environ, "KRIJT_SECRET_KEY": "x" * 50, "KRIJT_METRICS_TOKEN": "m" * 32,
           "KRIJT_BASE_DOMAIN": "krijt.school"}
    out = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True,
                         text=True, check=True).stdout
    assert json.loads(out) == [365 * 24 * 60 * 60, True]
