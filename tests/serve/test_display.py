"""The dashboard's pages print text from the scans as the HTML report does: cut to 512
characters, control and bidi characters shown as escapes, HTML escaped; the URLs drscan builds
(percent-encoded) are printed whole. The end-to-end check in Chromium is
tests/serve/test_pages.py::test_script_payload_in_tags_and_names_stays_text."""

from __future__ import annotations

from drscan.serve.app import link, make_environment


def test_untrusted_text_is_cut_escaped_and_urls_stay_whole():
    env = make_environment()
    name = "invoice\u202efdp.exe\x1b[2J<b>" + "x" * 2000
    html = env.from_string('<td>{{ name }}</td><a href="{{ url }}">go</a>').render(
        name=name, url=link("/finding", fingerprint="rule|" + "y" * 1000))
    assert "\u202e" not in html and "\x1b" not in html and "<b>" not in html
    assert "invoice\\u202efdp.exe\\x1b[2J&lt;b&gt;" in html and "… (+1518 characters)</td>" in html
    assert 'href="/finding?fingerprint=rule%7C' + "y" * 1000 + '"' in html
