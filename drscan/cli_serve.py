"""`drscan serve`: check the options and the database, then run the read-only dashboard
(drscan/serve/) under uvicorn. Registered on the main typer app by cli.py."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Optional

import typer

from drscan.errors import InputError

DB_HELP = "The scan database (opened read-only)."


def serve(
    db: Path = typer.Option(Path("drscan.db"), "--db", help=DB_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Anything but loopback needs a token."),
    port: int = typer.Option(8080, "--port", help="TCP port."),
    auth_token_file: Optional[Path] = typer.Option(None, "--auth-token-file", help="File whose first line is the access token "
                                                   "(else DRSCAN_SERVE_TOKEN). With a token every page needs it."),
    config: Optional[Path] = typer.Option(None, "--config", help="drscan.yaml: enables DR diagrams, runbooks and simulate "
                                          "(default: ./drscan.yaml if present)."),
    packs: Optional[Path] = typer.Option(None, "--packs", help="Directory of evidence packs (drscan pack) to list and offer "
                                         "for download on the Controls page."),
    stale_after_hours: float = typer.Option(36.0, "--stale-after-hours", help="Warn when a scope's latest scan is older."),
    trend_scans: int = typer.Option(30, "--trend-scans", help="How many recent scans the trend charts show."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No access log."),
) -> None:
    """Read-only web dashboard over the scan history: overview and trends, findings explorer,
    controls over time, diff of any two scans, DR per app, gaps. Every page has a JSON twin
    (PATH.json or Accept: application/json)."""
    import uvicorn

    from drscan.engine.loader import load_rules
    from drscan.paths import rules_dir
    from drscan.serve.app import allowed_hosts_for, build_app, templates_present
    from drscan.serve.auth import Guard, check_bind, load_token
    from drscan.serve.database import Database
    from drscan.serve.pages import Settings

    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, got {port}")
    if trend_scans < 1:
        raise InputError("--trend-scans must be at least 1")
    token = load_token(auth_token_file)
    check_bind(host, token)
    database = Database(db)
    with database.connect():  # fail now, with a clear message, on a missing or newer database
        pass
    if config is None and Path("drscan.yaml").is_file():
        config = Path("drscan.yaml")
    if config is not None and not config.is_file():
        raise InputError(f"{config}: no such file")
    if packs is not None and not packs.is_dir():
        raise InputError(f"--packs {packs}: not a directory")
    if not templates_present():
        raise InputError("drscan's dashboard templates are missing from this installation (templates/serve/)")
    settings = Settings(db=database, rules=load_rules(rules_dir()), config_path=config, packs_dir=packs,
                        stale_hours=stale_after_hours, trend_scans=trend_scans)
    guard = Guard(token)
    app = build_app(settings, guard, allowed_hosts_for(host, guard))
    listener = _listen(host, port)
    shown = f"[{host}]" if ":" in host else host
    print(f"drscan serve: http://{shown}:{port}/ over {db} (read-only){'; token required' if token else ''}",
          file=sys.stderr, flush=True)
    os.environ.pop("DRSCAN_SERVE_TOKEN", None)  # nothing started from here needs to inherit it
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning" if quiet else "info", access_log=not quiet,
                                           server_header=False, proxy_headers=False, timeout_graceful_shutdown=5))
    server.run(sockets=[listener])


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a busy port or bad address is a one-line error."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    listener.set_inheritable(True)
    return listener
