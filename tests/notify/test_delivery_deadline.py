"""Alert deliveries always end and are never lost: every request has a total deadline that a
server trickling its answer byte by byte cannot stretch, and deliveries are recorded `pending`
before they are sent, so a process killed mid-delivery leaves rows the next scan retries."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from drscan import api
from drscan.notify.config import load_notify_config
from drscan.notify.deliver import deliver
from drscan.notify.payloads import build_requests
from tests.conftest import REPO
from tests.notify.test_notify import make_event
from tests.notify.test_scan_alerts import public_bucket
from tests.test_history import bucket, write_estate


class SlowServer:
    """A local HTTP server whose handler is told what to do: trickle the answer one byte per
    `interval` seconds, or hold the request until released. Stopped (and released) at teardown."""

    def __init__(self, mode: str, interval: float = 0.5) -> None:
        self.mode, self.interval = mode, interval
        self.release = threading.Event()
        self.arrived = threading.Event()
        self.bodies: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server API)
                server.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                server.arrived.set()
                if server.mode == "hold":
                    server.release.wait(60)
                answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                try:
                    for byte in answer:
                        if server.mode == "trickle" and server.release.wait(server.interval):
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                except OSError:  # the client gave up
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def slow_server(request):
    servers = []

    def start(mode: str, interval: float = 0.5) -> SlowServer:
        servers.append(SlowServer(mode, interval))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def _notify_yaml(path, url: str, timeout_s: float, retries: int, min_severity: str = "high"):
    path.write_text(f"min_severity: {min_severity}\ntimeout_s: {timeout_s}\nretries: {retries}\n"
                    f"targets:\n  - name: hook\n    kind: webhook\n    url: {url}\n")
    return path


def test_a_trickling_server_cannot_stretch_a_request_past_its_deadline(tmp_path, slow_server):
    server = slow_server("trickle", interval=0.4)  # a byte every 0.4 s: no single read ever times out
    config = load_notify_config(_notify_yaml(tmp_path / "notify.yaml", server.url, timeout_s=1.5, retries=1))
    results: list = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: results.extend(
        deliver(build_requests([make_event()], config), config, sleep=lambda s: None)), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "delivery to a trickling server never ended"
    elapsed = time.monotonic() - started
    assert elapsed < 2 * 1.5 + 2, elapsed  # two attempts of at most 1.5 s each, plus slack
    [result] = results
    assert not result.ok and result.attempts == 2 and "total deadline" in result.error


def _drscan_process(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "drscan.cli", *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={"PATH": "/usr/bin:/bin", "HOME": str(REPO)})


def test_deliveries_of_a_killed_scan_stay_pending_and_the_next_scan_sends_them(tmp_path, slow_server):
    db = tmp_path / "drscan.db"
    estate = write_estate(tmp_path / "estate", [public_bucket("data"), bucket("logs", "Enabled")])
    holding = slow_server("hold")
    process = _drscan_process("scan", "--import", str(estate), "--db", str(db), "--quiet",
                              "--notify", str(_notify_yaml(tmp_path / "hold.yaml", holding.url, timeout_s=60, retries=0)))
    try:
        assert holding.arrived.wait(120), "the scan never sent its first alert"
        rows = sqlite3.connect(db).execute("select state, fingerprint, action from notifications").fetchall()
    finally:
        process.kill()  # mid-delivery: the first alert is in flight, the others not sent yet
        process.communicate(timeout=30)
    assert rows and {state for state, _, _ in rows} == {"pending"}
    pending = {(fingerprint, action) for _, fingerprint, action in rows}
    assert ("aws-s3-bucket-public-access-blocked|arn:aws:s3:::data", "trigger") in pending

    working = slow_server("answer")
    result = api.scan(estate, db_path=db, notify_path=_notify_yaml(tmp_path / "ok.yaml", working.url, 5, 0))
    assert {(b["fingerprint"], b["action"]) for b in working.bodies} == pending  # nothing changed, yet all were sent
    assert all(d.ok for d in result.deliveries)
    states = sqlite3.connect(db).execute("select scan_id, state from notifications").fetchall()
    assert {state for scan_id, state in states if scan_id == result.scan.id} == {"sent"}
    assert {state for scan_id, state in states if scan_id != result.scan.id} == {"pending"}  # history kept as it was


def test_a_delivery_that_failed_is_recorded_as_failed_and_a_resolve_is_retried(tmp_path, slow_server):
    db = tmp_path / "drscan.db"
    working = slow_server("answer")
    notify = _notify_yaml(tmp_path / "ok.yaml", working.url, 5, 0)
    api.scan(write_estate(tmp_path / "1", [public_bucket("data")]), db_path=db, notify_path=notify)
    down = _notify_yaml(tmp_path / "down.yaml", "http://127.0.0.1:9/hook", 2, 0)  # nothing listens on port 9
    fixed = write_estate(tmp_path / "2", [bucket("data", "Enabled")])
    second = api.scan(fixed, db_path=db, notify_path=down)
    assert second.deliveries and not any(d.ok for d in second.deliveries)
    states = {row[0] for row in sqlite3.connect(db).execute("select state from notifications where scan_id = 2")}
    assert states == {"failed"}
    working.bodies.clear()
    api.scan(fixed, db_path=db, notify_path=notify)  # nothing changed: the failed resolve goes out now
    assert ("aws-s3-bucket-public-access-blocked|arn:aws:s3:::data", "resolve") in {
        (b["fingerprint"], b["action"]) for b in working.bodies}


def test_an_older_database_gains_delivery_states_from_its_outcomes(tmp_path):
    from drscan.store.db import SCHEMA_VERSION, open_db

    db = open_db(tmp_path / "drscan.db")
    db.conn.executescript("""
        drop table notifications;
        create table notifications (scan_id integer, target text, fingerprint text, action text, ok integer,
                                    status integer, attempts integer, error text);
        insert into notifications values (1, 'hook', 'r|a', 'trigger', 1, 200, 1, '');
        insert into notifications values (1, 'hook', 'r|b', 'trigger', 0, 500, 4, 'HTTP 500');
        update meta set value = '2' where key = 'schema_version';
    """)
    db.conn.commit()
    db.conn.close()
    reopened = open_db(tmp_path / "drscan.db")
    try:
        rows = reopened.conn.execute("select fingerprint, state from notifications order by fingerprint").fetchall()
        version = reopened.conn.execute("select value from meta where key = 'schema_version'").fetchone()[0]
    finally:
        reopened.conn.close()
    assert rows == [("r|a", "sent"), ("r|b", "failed")] and version == str(SCHEMA_VERSION)
