"""The client's address comes from the proxy's X-Forwarded-For entry only; a client cannot choose it."""

from __future__ import annotations

from django.test import RequestFactory, override_settings

from krijt.core.middleware import client_address


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert client_address(request) == "203.0.113.9"


@override_settings(KRIJT_TRUSTED_PROXIES=1)
def test_behind_one_proxy_only_its_entry_counts() -> None:
    # The client wrote "10.0.0.1" itself; nginx appended the address it saw.
    request = RequestFactory().get("/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.7")
    assert client_address(request) == "198.51.100.7"
