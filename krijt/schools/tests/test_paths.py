"""A stored link names its school, whether it was made in a request under the school's prefix or in a worker."""

from __future__ import annotations

import pytest
from django.urls import set_script_prefix

from krijt.schools.paths import school_path
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db


def test_the_same_path_in_a_worker_and_under_a_prefix(scenario: Scenario) -> None:
    in_worker = school_path(scenario.school, "results:mine")
    set_script_prefix("/s/alpha/")
    try:
        in_request = school_path(scenario.school, "results:mine")
    finally:
        set_script_prefix("/")
    assert in_worker == in_request == "/s/alpha/results/mine/"
    assert school_path(scenario.school, "messaging:message", message_id=7) == "/s/alpha/messages/7/"
