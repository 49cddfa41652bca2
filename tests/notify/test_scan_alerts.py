"""`drscan scan --notify`: alerts for failures that are new since the previous stored scan,
resolves for fixed ones, and failed deliveries retried on the next scan — never losing the scan."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from drscan import api
from tests.test_history import bucket, write_estate


@pytest.fixture
def receiver():
    received: list[dict] = []
    answers: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server API)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            code = answers.pop(0) if answers else 200
            if code == 200:
                received.append(body)
            self.send_response(code)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received, answers
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def public_bucket(name: str) -> dict:
    item = dict(bucket(name, "Enabled"))
    item["supplementaryConfiguration"] = dict(item["supplementaryConfiguration"],
                                              PublicAccessBlockConfiguration={"blockPublicAcls": False})
    return item


def test_alerts_follow_changes_between_scans(tmp_path, receiver):
    url, received, answers = receiver
    notify = tmp_path / "notify.yaml"
    notify.write_text(f"min_severity: high\nretries: 0\ntargets:\n  - name: hook\n    kind: webhook\n    url: {url}\n")
    db = tmp_path / "drscan.db"
    first = write_estate(tmp_path / "1", [public_bucket("data"), bucket("logs", "Enabled")])
    result = api.scan(first, db_path=db, notify_path=notify)
    assert ("trigger", "aws-s3-bucket-public-access-blocked", "arn:aws:s3:::data") in {
        (b["action"], b["rule_id"], b["resource_id"]) for b in received}  # critical, new on the first scan
    assert all(b["severity"] in ("critical", "high") for b in received)
    assert all(d.ok for d in result.deliveries)

    received.clear()
    second = write_estate(tmp_path / "2", [bucket("data", "Enabled"), bucket("logs", "Enabled")])
    api.scan(second, db_path=db, notify_path=notify)  # fixed: resolve
    assert [(b["action"], b["rule_id"], b["resource_id"]) for b in received] == [
        ("resolve", "aws-s3-bucket-public-access-blocked", "arn:aws:s3:::data")]

    received.clear()
    answers.append(500)  # the receiver is down for the next alert
    third = write_estate(tmp_path / "3", [bucket("data", "Enabled"), public_bucket("logs")])
    result = api.scan(third, db_path=db, notify_path=notify)
    assert result.scan.id == 3 and [d.ok for d in result.deliveries] == [False]  # the scan is stored anyway
    assert received == []

    api.scan(third, db_path=db, notify_path=notify)  # nothing changed, but the failed trigger is retried
    assert [(b["action"], b["resource_id"]) for b in received] == [("trigger", "arn:aws:s3:::logs")]


def test_notify_needs_a_database(tmp_path):
    from drscan.errors import InputError
    (tmp_path / "n.yaml").write_text("targets: []\n")
    with pytest.raises(InputError, match="--notify needs --db"):
        api.scan(write_estate(tmp_path / "e", [bucket("b", "Enabled")]), notify_path=tmp_path / "n.yaml")
