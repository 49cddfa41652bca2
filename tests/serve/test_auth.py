"""Access control of `drscan serve`: a non-loopback bind is refused without a token; with a
token every page answers 401 until the request carries it (Bearer header, or the session cookie
a browser gets by posting the token to /login); the cookie is HttpOnly and SameSite=Strict and
never holds the token; the token never shows up in a URL or the server log."""

from __future__ import annotations

from pathlib import Path

import pytest

from drscan.errors import InputError
from drscan.serve.auth import MIN_TOKEN_LENGTH, Guard, check_bind, is_loopback, load_token, safe_next
from tests.serve.conftest import TOKEN, base_env, drscan, fetch


def test_loopback_addresses_need_no_token_anything_else_does():
    for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"):
        assert is_loopback(host)
        check_bind(host, None)
    for host in ("0.0.0.0", "::", "192.0.2.10", "dashboard.example"):
        assert not is_loopback(host)
        with pytest.raises(InputError, match="--auth-token-file"):
            check_bind(host, None)
        check_bind(host, "x" * MIN_TOKEN_LENGTH)


def test_token_comes_from_the_file_first_then_the_environment(tmp_path):
    token_file = tmp_path / "token.txt"
    token_file.write_text("from-the-file-0123456789\nsecond line ignored\n")
    assert load_token(token_file, {"DRSCAN_SERVE_TOKEN": "from-the-environment-0123"}) == "from-the-file-0123456789"
    assert load_token(None, {"DRSCAN_SERVE_TOKEN": "from-the-environment-0123"}) == "from-the-environment-0123"
    assert load_token(None, {}) is None
    token_file.write_text("short\n")
    with pytest.raises(InputError, match="at least 16 characters"):
        load_token(token_file, {})
    with pytest.raises(InputError, match="cannot read the token file"):
        load_token(tmp_path / "missing.txt", {})


def test_guard_checks_bearer_and_session_cookies():
    guard = Guard("correct-horse-battery-staple")
    assert guard.bearer_ok("Bearer correct-horse-battery-staple") and guard.bearer_ok("bearer  correct-horse-battery-staple")
    assert not guard.bearer_ok("Bearer correct-horse-battery-stapl") and not guard.bearer_ok("Basic Y29ycmVjdA==")
    assert not guard.bearer_ok(None) and not guard.bearer_ok("Bearer ")
    cookie = guard.new_session(now=1000.0)
    assert "correct-horse" not in cookie
    assert guard.session_ok(cookie, now=2000.0)
    assert not guard.session_ok(cookie, now=1000.0 + 13 * 3600)  # expired
    expires, _, signature = cookie.partition(".")
    assert not guard.session_ok(f"{int(expires) + 3600}.{signature}", now=2000.0)  # extended by hand
    assert not Guard("correct-horse-battery-staple").session_ok(cookie, now=2000.0)  # another server process
    assert Guard(None).allowed(None, None) and not guard.allowed(None, None)


def test_sign_in_redirects_only_to_local_paths():
    assert safe_next("/findings?status=FAIL") == "/findings?status=FAIL"
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "", None, "findings", "/a\nb"):
        assert safe_next(target) == "/"


def test_non_loopback_bind_without_token_is_refused(history):
    result = drscan("serve", "--db", str(history.db), "--host", "0.0.0.0", "--port", "1", timeout=60)
    assert result.returncode == 2
    assert "--host 0.0.0.0 is reachable from other machines" in result.stderr and "Traceback" not in result.stderr


def test_every_page_needs_the_token(token_server):
    for path in ("/", "/index.json", "/findings", "/findings.json", "/controls", "/diff.json", "/dr", "/gaps.json",
                 "/finding?scan=1&fingerprint=x", "/nowhere", "/packs/x.zip"):
        reply = fetch(token_server.base + path)
        assert reply.status == 401, path
        assert reply.headers["www-authenticate"].startswith("Bearer")
        assert "content-security-policy" in reply.headers
    wrong = fetch(token_server.base + "/index.json", headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
    assert wrong.status == 401 and wrong.json()["status"] == 401
    right = fetch(token_server.base + "/index.json", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status == 200 and [s["id"] for s in right.json()["scans"]] == [1, 2, 3]
    # open without the token: the sign-in page, the assets it needs and the health check
    assert fetch(token_server.base + "/login").status == 200
    assert fetch(token_server.base + "/static/report.css").status == 200
    assert fetch(token_server.base + "/healthz").status == 200
    # a token-protected server accepts any Host header (the token is the check)
    assert fetch(token_server.base + "/index.json", headers={"Authorization": f"Bearer {TOKEN}", "Host": "dash.example"}).status == 200


def test_browser_signs_in_with_the_token_and_gets_a_strict_cookie(browser, token_server):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" and "401" not in message.text else None)
    try:
        response = page.goto(token_server.base + "/findings?status=FAIL")
        assert response.status == 401 and page.locator("#token").count() == 1
        page.fill("#token", "not-the-token-at-all-000")
        with page.expect_navigation():
            page.click("#sign-in")
        assert page.locator("#login-failed").count() == 1
        page.fill("#token", TOKEN)
        with page.expect_navigation():
            page.click("#sign-in")
        assert page.url == token_server.base + "/findings?status=FAIL"  # back where the user was going
        assert page.locator("#findings-table tbody tr[data-status='FAIL']").count() > 0
        cookies = context.cookies()
        assert len(cookies) == 1
        cookie = cookies[0]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert TOKEN not in cookie["value"] and TOKEN not in page.url
        assert page.evaluate("document.cookie") == ""  # HttpOnly: no script can read it
        # every scan is older than --stale-after-hours 0 on this server
        page.goto(token_server.base + "/")
        assert page.locator("#stale-warning").count() == 1
        with page.expect_navigation():
            page.click("text=Sign out")
        assert context.cookies() == []
        assert page.goto(token_server.base + "/").status == 401
        assert errors == []
    finally:
        context.close()
    log = Path(token_server.log).read_text()
    assert TOKEN not in log and "POST /login" in log


def test_sign_in_refuses_oversized_or_foreign_requests(token_server):
    huge = fetch(token_server.base + "/login", method="POST", data=b"token=" + b"a" * 10_000,
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert huge.status == 400
    ok = fetch(token_server.base + "/login", method="POST", data=f"token={TOKEN}&next=https://evil.example/".encode(),
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert ok.status == 303 and ok.headers["location"] == "/"
    assert "httponly" in ok.headers["set-cookie"].lower() and "samesite=strict" in ok.headers["set-cookie"].lower()
    foreign = fetch(token_server.base + "/login", method="POST", data=f"token={TOKEN}".encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"})
    assert foreign.status == 403 and "set-cookie" not in foreign.headers


def test_token_from_the_environment_is_required_too(history):
    from tests.serve.conftest import start_server

    env = {**base_env(), "DRSCAN_SERVE_TOKEN": "environment-token-0123456789"}
    server = start_server("--db", str(history.db), "-q", log=history.work / "serve-env.log", env=env)
    try:
        assert fetch(server.base + "/index.json").status == 401
        reply = fetch(server.base + "/index.json", headers={"Authorization": "Bearer environment-token-0123456789"})
        assert reply.status == 200
    finally:
        server.stop()
