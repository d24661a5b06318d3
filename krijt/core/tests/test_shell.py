"""The shell every page draws is remembered (krijt/core/templatetags/shell.py): each person still sees
their own name and navigation, the page's own path marked, and forms that carry the request's own token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from krijt.core import fragments
from krijt.core.roles import Role
from tests.scenario import Scenario, english_client

pytestmark = pytest.mark.django_db

TOKEN_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def signed_in(user: Any, **kwargs: Any) -> Client:
    client = english_client() if not kwargs else Client(**kwargs)
    client.force_login(user, backend="krijt.accounts.backends.KrijtBackend")
    return client


def test_each_person_sees_their_own_name_and_navigation(scenario: Scenario) -> None:
    fragments.forget_local()
    student = signed_in(scenario.student).get(scenario.url("/")).content.decode()
    teacher = signed_in(scenario.teacher).get(scenario.url("/")).content.decode()
    assert f'<span class="menu-name">{scenario.student.first_name}</span></summary>' in student
    assert f'<span class="menu-name">{scenario.teacher.first_name}</span></summary>' in teacher
    assert scenario.teacher.username not in student
    assert scenario.student.username not in teacher


def test_the_current_page_is_marked_in_the_navigation(scenario: Scenario) -> None:
    client = signed_in(scenario.student)
    marked = re.compile(r'href="[^"]*/messages/" aria-current="page"')
    assert marked.search(client.get(scenario.url("/messages/")).content.decode())
    assert not marked.search(client.get(scenario.url("/")).content.decode())


def test_the_forms_carry_the_requests_own_token_and_it_works(scenario: Scenario) -> None:
    client = signed_in(scenario.student, enforce_csrf_checks=True)
    first = client.get(scenario.url("/")).content.decode()
    second = client.get(scenario.url("/")).content.decode()
    tokens = TOKEN_FIELD.findall(first)
    assert len(tokens) == 3  # sign out, sign out everywhere, language
    assert "krijt-shell-" not in first  # no marker left behind
    assert len(set(tokens)) == 1  # the request's one masked token in every form
    assert TOKEN_FIELD.findall(second)[0] != tokens[0]  # masked afresh per request, never a remembered one
    response = client.post(scenario.url("/accounts/sign-out/"), {"csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302
    assert client.get(scenario.url("/")).status_code == 302  # signed out


def test_the_shell_is_rendered_once_and_then_remembered(scenario: Scenario, fragment_renders: list[str]) -> None:
    client = signed_in(scenario.user_for(Role.STUDENT))
    client.get(scenario.url("/"))
    client.get(scenario.url("/"))
    assert fragment_renders.count("shell/_menu.html") <= 1
    assert fragment_renders.count("shell/_footer.html") <= 1


def test_what_a_client_sends_never_adds_a_fragment(scenario: Scenario, fragment_renders: list[str]) -> None:
    """The address the language form returns to goes in after the fragment is fetched, escaped: a new
    query string (or a made-up address) reuses the remembered shell and cannot fill the cache."""
    client = signed_in(scenario.student)
    client.get(scenario.url("/"))
    before = len(fragment_renders)
    page = client.get(scenario.url("/"), {"q": '"><script>x</script>', "n": "1"}).content.decode()
    client.get(scenario.url("/"), {"n": "2"})
    assert len(fragment_renders) == before
    returns_to = re.search(r'name="next" type="hidden" value="([^"]*)"', page)
    assert returns_to is not None
    assert returns_to[1].startswith(scenario.url("/?q="))  # this request's own address, escaped
    assert "n=1" in returns_to[1]
    assert "<script>x</script>" not in page


def test_a_page_inside_a_section_marks_that_section(scenario: Scenario) -> None:
    client = signed_in(scenario.teacher)
    html = client.get(scenario.url("/messages/sent/")).content.decode()
    assert re.search(r'href="[^"]*/messages/" aria-current="true"', html)
    assert not re.search(r'href="[^"]*/s/alpha/" aria-current', html)  # Today only marks itself
    today = client.get(scenario.url("/")).content.decode()
    assert re.search(r'href="/s/alpha/" aria-current="page"', today)


def test_a_phone_shows_four_sections_and_more_when_there_are_many(scenario: Scenario) -> None:
    from krijt.core.templatetags.shell import current_section, split_for_phones

    admin = signed_in(scenario.admin).get(scenario.url("/")).content.decode()
    nav = admin.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert nav.count('class="wide-only"') >= 1
    assert '<li class="phone-only more">' in nav
    panel = nav.split('class="more-panel"', 1)[1]
    assert "School administration" in panel  # every destination is reachable on a phone
    assert nav.count('<use href="') == nav.count("<svg")  # every entry has its icon
    items = [{"url": f"/s/a/{n}/", "label": n} for n in ("", "planner", "messages", "results", "cards", "more")]
    items[0]["url"] = "/s/a/"
    primary, more = split_for_phones(items)
    assert len(primary) == 4
    assert [i["label"] for i in more] == ["cards", "more"]
    assert split_for_phones(items[:5]) == (items[:5], [])
    assert current_section("/s/a/messages/12/", items) == "/s/a/messages/"
    assert current_section("/s/a/unknown/", items) == ""


def test_a_form_sent_without_a_valid_token_gets_the_schools_page_saying_nothing_was_saved(
    scenario: Scenario,
) -> None:
    client = signed_in(scenario.admin, enforce_csrf_checks=True)
    response = client.post(scenario.url("/manage/classes/new/"), {"name": "9Z", "grade": "1"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "er is niets bewaard" in page  # in the person's language (Dutch here)
    assert "<style" not in page  # Django's own page has inline styles the policy refuses
