"""The Starlette application of `drscan serve`: routes (every page at PATH and PATH.json),
content negotiation, the token check, security headers (strict CSP, no framing, no sniffing,
no referrer, no caching), a Host check against DNS rebinding, and error pages that never show
a stack trace. GET/HEAD only, except posting the token to /login and signing out."""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import Any, AsyncIterator, Callable
from urllib.parse import parse_qs, urlencode, urlsplit

import orjson
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from drscan import __version__
from drscan.dr.copies import human
from drscan.errors import DrscanError, InputError, StoreError
from drscan.paths import templates_dir
from drscan.safe_text import display
from drscan.report.render import _env as report_environment
from drscan.serve.database import MissingDatabase
from drscan.serve.auth import COOKIE, SESSION_SECONDS, Guard, safe_next
from drscan.serve.packs import pack_path
from drscan.serve.pages import NotFound, Page, Settings, View, controls, diff, dr, findings, gaps, overview

LOG = logging.getLogger("drscan.serve")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # same-origin, not no-referrer: with no-referrer browsers post forms with "Origin: null",
    # which the sign-in check must refuse. Nothing is sent to other sites either way.
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cache-control": "no-store",
}
STATIC = {  # name -> (path under templates/, media type)
    "report.css": ("report.css", "text/css"),
    "serve.css": ("serve/serve.css", "text/css"),
    "serve.js": ("serve/serve.js", "text/javascript"),
}
PAGES: dict[str, Callable[[View], Page]] = {
    "/": overview.page, "/findings": findings.page, "/finding": findings.detail, "/controls": controls.page,
    "/diff": diff.page, "/dr": dr.page, "/dr/app": dr.app_page, "/dr/simulate": dr.simulate_page, "/gaps": gaps.page,
}
NAV = (("/", "Overview"), ("/findings", "Findings"), ("/controls", "Controls"), ("/diff", "Diff"), ("/dr", "DR"),
       ("/gaps", "Gaps & coverage"))
MAX_LOGIN_BODY = 8192


def json_path(path: str) -> str:
    return "/index.json" if path == "/" else path + ".json"


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_INDENT_2, default=str)


def wants_json(request: Request) -> bool:
    if request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


class Url(str):
    """A URL drscan built (query values percent-encoded): printed whole, never cut for display."""


def link(path: str, params: dict[str, Any] | None = None, **changes: Any) -> Url:
    """A URL on this server with `params` updated by `changes` (empty values dropped)."""
    merged = {**(params or {}), **changes}
    query = [(k, v) for k, value in merged.items() for v in (value if isinstance(value, (list, tuple)) else [value])
             if v not in (None, "")]
    return Url(path + ("?" + urlencode(query) if query else ""))


def _for_display(value: Any) -> Any:
    """Every `{{ expression }}` of the dashboard's pages, before escaping: text from the database
    (names, ids, tags, reasons: export data) is cut to DISPLAY_LIMIT characters and its control
    and bidi characters shown as escapes, as in the HTML report (the JSON twins keep full values).
    Markup and the URLs drscan built pass unchanged."""
    if type(value) is str:
        return display(value, multiline=True)
    return value


def make_environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=select_autoescape(default=True,
                      default_for_string=True, enabled_extensions=("html", "j2")), trim_blocks=True, lstrip_blocks=True,
                      finalize=_for_display)
    env.globals.update(link=link, nav=NAV, version=__version__, json_path=json_path)
    # The report's filters too (json_value, timestamp, ...): _macros.j2 is shared with the reports.
    report_filters = report_environment(templates_dir().resolve()).filters
    env.filters.update({name: f for name, f in report_filters.items() if name not in env.filters})
    env.filters["human"] = human
    env.filters["label"] = lambda v: str(v).replace("_", " ")
    return env


class Dashboard:
    """Request handlers bound to one server's settings, guard and templates."""

    def __init__(self, settings: Settings, guard: Guard) -> None:
        self.settings, self.guard, self.env = settings, guard, make_environment()

    def html(self, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
        context.setdefault("signed_in", self.guard.enabled)
        body = self.env.get_template(template).render(**context)
        return HTMLResponse(body, status_code=status_code)

    def error(self, request: Request, status_code: int, message: str) -> Response:
        if wants_json(request):
            return Response(_dumps({"error": message, "status": status_code}), status_code, media_type="application/json")
        return self.html("serve/error.html.j2", {"title": f"Error {status_code}", "status_code": status_code,
                                                 "message": message, "path": request.url.path}, status_code)

    def page_endpoint(self, build: Callable[[View], Page], path: str) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            params = request.query_params
            try:
                with self.settings.db.connect() as connection:
                    view = View(connection, dict(params), self.settings, {k: params.getlist(k) for k in params.keys()})
                    page = build(view)
            except NotFound as exc:
                return self.error(request, 404, str(exc))
            except MissingDatabase as exc:
                return self.error(request, 503, str(exc))
            except InputError as exc:
                return self.error(request, 400, str(exc))
            except StoreError as exc:
                return self.error(request, 503, str(exc))
            except DrscanError as exc:
                return self.error(request, 500, str(exc))
            if wants_json(request):
                return Response(_dumps({"page": page.title, "drscan_version": __version__, **page.data}), page.status_code,
                                media_type="application/json")
            return self.html(page.template, {"title": page.title, "data": page.data, "path": path,
                                             "params": dict(params), "json_url": link(json_path(path), dict(params)),
                                             **page.html}, page.status_code)
        return endpoint

    def static(self, request: Request) -> Response:
        entry = STATIC.get(request.path_params["name"])
        if entry is None:
            return self.error(request, 404, "no such file")
        return FileResponse(templates_dir() / entry[0], media_type=entry[1])

    def health(self, request: Request) -> Response:
        return Response(b'{"status": "ok"}', media_type="application/json")

    def login_form(self, request: Request, status_code: int = 200, failed: bool = False) -> Response:
        target = safe_next(request.query_params.get("next") or (request.url.path if request.url.path != "/login" else "/"))
        if request.url.path != "/login" and request.url.query:
            target = safe_next(f"{request.url.path}?{request.url.query}")
        response = self.html("serve/login.html.j2", {"title": "Sign in", "next": target, "failed": failed, "signed_in": False}, status_code)
        if status_code == 401:
            response.headers["www-authenticate"] = 'Bearer realm="drscan"'
        return response

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            if not self.guard.enabled:
                return RedirectResponse("/", 303)
            return self.login_form(request)
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
            return self.error(request, 403, "sign-in from another site refused")
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            return self.error(request, 400, "bad sign-in request")
        if length > MAX_LOGIN_BODY or not self.guard.enabled:
            return self.error(request, 400, "bad sign-in request")
        body = await request.body()
        if len(body) > MAX_LOGIN_BODY:
            return self.error(request, 400, "bad sign-in request")
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=4)
        token = (fields.get("token") or [""])[0]
        target = safe_next((fields.get("next") or ["/"])[0])
        if not self.guard.token_matches(token):
            LOG.warning("drscan serve: failed sign-in from %s", request.client.host if request.client else "?")
            response = self.html("serve/login.html.j2", {"title": "Sign in", "next": target, "failed": True, "signed_in": False}, 401)
            response.headers["www-authenticate"] = 'Bearer realm="drscan"'
            return response
        response = RedirectResponse(target, 303)
        response.set_cookie(COOKIE, self.guard.new_session(), max_age=SESSION_SECONDS, path="/", httponly=True,
                            samesite="strict", secure=request.url.scheme == "https")
        return response

    async def logout(self, request: Request) -> Response:
        response = RedirectResponse("/login" if self.guard.enabled else "/", 303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    def download_pack(self, request: Request) -> Response:
        path = pack_path(self.settings.packs_dir, request.path_params["name"])
        if path is None:
            return self.error(request, 404, "no such evidence pack")
        return FileResponse(path, media_type="application/zip", filename=path.name)


class AccessControl:
    """ASGI middleware: requests without a valid bearer token or session cookie get 401 (a sign-in
    form for browsers, JSON for scripts); /login, /static and /healthz are open."""

    OPEN = ("/login", "/healthz", "/favicon.ico")

    def __init__(self, app: ASGIApp, dashboard: Dashboard) -> None:
        self.app, self.dashboard = app, dashboard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        guard = self.dashboard.guard
        if scope["type"] != "http" or not guard.enabled or scope["path"] in self.OPEN or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if guard.allowed(request.headers.get("authorization"), request.cookies.get(COOKIE)):
            await self.app(scope, receive, send)
            return
        if wants_json(request) or request.headers.get("authorization"):
            response: Response = Response(_dumps({"error": "authentication required: send Authorization: Bearer <token>",
                                                  "status": 401}), 401, media_type="application/json",
                                          headers={"www-authenticate": 'Bearer realm="drscan"'})
        else:
            response = self.dashboard.login_form(request, 401)
        await response(scope, receive, send)


class SecureHeaders:
    """Outermost ASGI wrapper: security headers on every response (errors included), and a Host
    check when the dashboard is open without a token, so a DNS-rebinding page cannot read it."""

    def __init__(self, app: ASGIApp, allowed_hosts: frozenset[str] | None) -> None:
        self.app, self.allowed_hosts = app, allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        if self.allowed_hosts is not None:
            host = Headers(scope=scope).get("host", "")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name.strip("[]").lower() not in self.allowed_hosts:
                response = Response(b"unknown Host header\n", 421, media_type="text/plain")
                await response(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)


def build_app(settings: Settings, guard: Guard, allowed_hosts: frozenset[str] | None = None) -> ASGIApp:
    """The ASGI app. `allowed_hosts` (lower-case names, no port) restricts the Host header; None = any."""
    dashboard = Dashboard(settings, guard)
    routes = []
    for path, build in PAGES.items():
        endpoint = dashboard.page_endpoint(build, path)
        routes.append(Route(json_path(path), endpoint, methods=["GET"]))
        routes.append(Route(path, endpoint, methods=["GET"]))
    routes.append(Route("/overview", dashboard.page_endpoint(overview.page, "/"), methods=["GET"]))
    routes.append(Route("/overview.json", dashboard.page_endpoint(overview.page, "/"), methods=["GET"]))
    routes += [
        Route("/static/{name}", dashboard.static, methods=["GET"]),
        Route("/healthz", dashboard.health, methods=["GET"]),
        Route("/favicon.ico", lambda request: Response(status_code=204), methods=["GET"]),
        Route("/login", dashboard.login, methods=["GET", "POST"]),
        Route("/logout", dashboard.logout, methods=["POST"]),
        Route("/packs/{name}", dashboard.download_pack, methods=["GET"]),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        return dashboard.error(request, status, "method not allowed" if status == 405 else "page not found")

    async def server_error(request: Request, exc: Exception) -> Response:
        LOG.exception("drscan serve: error on %s %s", request.method, request.url.path)
        return dashboard.error(request, 500, "internal error; the server log has the details")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = threading.Event()
        threading.Thread(target=overview.keep_warm, args=(settings, stop), name="drscan-serve-warm", daemon=True).start()
        yield
        stop.set()

    starlette = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found, Exception: server_error},
                          lifespan=lifespan)
    starlette.add_middleware(AccessControl, dashboard=dashboard)  # type: ignore[arg-type]
    return SecureHeaders(starlette, allowed_hosts)


def allowed_hosts_for(host: str, guard: Guard) -> frozenset[str] | None:
    """Without a token only loopback names (and the bound one) may appear in the Host header."""
    if guard.enabled:
        return None
    return frozenset({"localhost", "127.0.0.1", "::1", host.strip("[]").lower()})


def templates_present() -> bool:
    return (templates_dir() / "serve" / "base.html.j2").is_file() and (Path(templates_dir()) / "report.css").is_file()
