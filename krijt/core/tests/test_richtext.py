from __future__ import annotations

import pytest

from krijt.core.richtext import plain_text, sanitise


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>hello",
        "<style>body{display:none}</style>hello",
        '<p onclick="alert(1)">hello</p>',
        '<img src=x onerror="alert(1)">hello',
        '<a href="javascript:alert(1)">hello</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">hello</a>',
        '<iframe src="https://evil.example"></iframe>hello',
        '<svg onload="alert(1)"><script>alert(1)</script></svg>hello',
        '<p style="background:url(javascript:alert(1))" class="x" id="y">hello</p>',
        "<!-- <script>alert(1)</script> -->hello",
        '<form action="https://evil.example"><input name="p"></form>hello',
    ],
)
def test_nothing_executable_survives(raw: str) -> None:
    clean = sanitise(raw)
    lowered = clean.lower()
    for bad in ("<script", "<style", "onclick", "onerror", "onload", "javascript:", "data:", "<iframe", "<svg",
                "style=", "<img", "<form", "<input", "class=", "id=", "alert"):
        assert bad not in lowered, (raw, clean)
    assert "hello" in clean


def test_the_safe_set_survives() -> None:
    raw = ('<p>Hallo <strong>allemaal</strong>, <em>tot</em> <u>morgen</u><br>groet</p>'
           '<ul><li>een</li></ul><ol><li>twee</li></ol><blockquote>citaat</blockquote>')
    assert sanitise(raw) == raw


def test_links_keep_only_http_https_and_mailto_with_noopener() -> None:
    clean = sanitise('<a href="https://krijt.example/x" target="_blank" rel="opener">web</a> '
                     '<a href="mailto:juf@school.example">mail</a> <a href="ftp://x.example">ftp</a>')
    assert '<a href="https://krijt.example/x" rel="noopener">web</a>' in clean
    assert '<a href="mailto:juf@school.example" rel="noopener">mail</a>' in clean
    assert "ftp:" not in clean
    assert "target" not in clean


def test_plain_text_becomes_paragraphs_and_is_escaped() -> None:
    clean = sanitise("Beste ouders,\nmorgen <geen> les.\n\nGroeten & tot ziens")
    assert clean == "<p>Beste ouders,<br>morgen &lt;geen&gt; les.</p><p>Groeten &amp; tot ziens</p>"
    assert plain_text(clean) == "Beste ouders,\nmorgen <geen> les.\nGroeten & tot ziens"


def test_empty_stays_empty() -> None:
    assert sanitise("   ") == ""
    assert sanitise("<script>only</script>") == ""


def test_markdown_from_the_toolbar_becomes_the_safe_set() -> None:
    clean = sanitise("Beste ouders,\n\n**Vrijdag** is er _geen_ les:\n\n- uitstap\n- lunchpakket\n\n"
                     "1. vertrek\n2. terug\n\nZie [de brief](https://school.example/brief) of "
                     "[dit](javascript:alert(1)).")
    assert clean == (
        "<p>Beste ouders,</p><p><strong>Vrijdag</strong> is er <em>geen</em> les:</p>"
        "<ul><li>uitstap</li><li>lunchpakket</li></ul><ol><li>vertrek</li><li>terug</li></ol>"
        '<p>Zie <a href="https://school.example/brief" rel="noopener">de brief</a> of [dit](javascript:alert(1)).</p>'
    )


def test_markdown_never_lets_html_through_where_none_was_meant() -> None:
    clean = sanitise("# 1 is de eerste\n\n    <script>alert(1)</script>\n\n<b onclick=x>vet</b> en `code`")
    assert clean == "<p># 1 is de eerste</p><p>vet en `code`</p>"
