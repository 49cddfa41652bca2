"""Alerting: notify.yaml loading, the exact payloads per target kind, and delivery with retries
against a local HTTP server on 127.0.0.1 that records every request."""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from dataclasses import replace
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from drscan.errors import InputError
from drscan.notify.config import KINDS, OPSGENIE_API_URL, PAGERDUTY_EVENTS_URL, load_notify_config
from drscan.notify.deliver import backoff_delay, deliver, parse_retry_after
from drscan.notify.payloads import BUILDERS, Event, build_requests

FINGERPRINT = "aws.ebs.snapshot_recent|arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc"
TOKEN = "tok-3f1c9a"
ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF"
GENIE_KEY = "eb243592-faa2-4ba2-a551-1afdf565c889"


def make_event(action: str = "trigger", severity: str = "critical", **changes) -> Event:
    fields = dict(
        action=action, fingerprint=FINGERPRINT, rule_id="aws.ebs.snapshot_recent",
        title="EBS volume has no recent snapshot", severity=severity,
        resource_id="arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc", resource_name="orders-db-data",
        provider="aws", account="123456789012", region="eu-west-1",
        reason="Newest snapshot is 9 days old; the app's RPO is 24h.",
        remediation="Add the volume to an AWS Backup plan with a daily rule.",
        scan_id=42, controls=("SOC2 A1.2", "ISO27001 A.8.13"),
    )
    fields.update(changes)
    return Event(**fields)


# --- the local server ---------------------------------------------------------------------------

class Recorder:
    """What the server saw, and what it answers next (default 200 "ok")."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self._answers: deque[tuple[int, dict[str, str], bytes, float]] = deque()
        self._lock = threading.Lock()
        self.release = threading.Event()  # cuts a slow answer short at teardown
        self.base = ""

    def answer(self, *statuses: int, headers: dict[str, str] | None = None, body: bytes = b"", delay: float = 0.0):
        with self._lock:
            for status in statuses:
                self._answers.append((status, headers or {}, body, delay))

    def next_answer(self) -> tuple[int, dict[str, str], bytes, float]:
        with self._lock:
            return self._answers.popleft() if self._answers else (200, {}, b"ok", 0.0)

    def record(self, entry: dict) -> None:
        with self._lock:
            self.requests.append(entry)

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]


@pytest.fixture
def server(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            recorder.record({"method": self.command, "path": self.path,
                             "headers": {k.lower(): v for k, v in self.headers.items()},
                             "json": json.loads(raw) if raw else None})
            status, headers, body, delay = recorder.next_answer()
            if delay:
                recorder.release.wait(delay)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (timeout test)
                pass

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    recorder.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield recorder
    finally:
        recorder.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


NOTIFY_YAML = """\
min_severity: {min_severity}
timeout_s: {timeout_s}
retries: {retries}
targets:
  - name: soc-webhook
    kind: webhook
    url: {base}/hook
    headers: {{X-Token: "${{DRSCAN_WEBHOOK_TOKEN}}"}}
  - name: pagerduty
    kind: pagerduty
    url: {base}/pd/v2/enqueue
    routing_key: ${{PD_ROUTING_KEY}}
  - name: opsgenie
    kind: opsgenie
    api_key: ${{OPSGENIE_KEY}}
    base_url: {base}/og/
  - name: slack
    kind: slack
    url: ${{SLACK_WEBHOOK_URL}}
"""


@pytest.fixture
def write_config(tmp_path, monkeypatch, server):
    monkeypatch.setenv("DRSCAN_WEBHOOK_TOKEN", TOKEN)
    monkeypatch.setenv("PD_ROUTING_KEY", ROUTING_KEY)
    monkeypatch.setenv("OPSGENIE_KEY", GENIE_KEY)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{server.base}/slack/services/T000/B000/XXXX")

    def write(min_severity: str = "high", timeout_s: float = 5, retries: int = 3, only: str | None = None):
        text = NOTIFY_YAML.format(base=server.base, min_severity=min_severity, timeout_s=timeout_s, retries=retries)
        path = tmp_path / "notify.yaml"
        path.write_text(text, encoding="utf-8")
        config = load_notify_config(path)
        if only:
            config = replace(config, targets=tuple(t for t in config.targets if t.name == only))
        return config

    return write


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def send(events, config):
    sleeps = Sleeps()
    results = deliver(build_requests(events, config), config, sleep=sleeps)
    return results, sleeps


# --- exact payloads, sent for real --------------------------------------------------------------

def test_webhook_posts_every_event_field_with_the_expanded_token_header(server, write_config):
    config = write_config(only="soc-webhook")
    results, _ = send([make_event("trigger"), make_event("resolve")], config)
    assert [r.ok for r in results] == [True, True]
    trigger, resolve = server.requests
    assert (trigger["method"], trigger["path"]) == ("POST", "/hook")
    assert trigger["headers"]["x-token"] == TOKEN
    assert trigger["headers"]["content-type"] == "application/json"
    assert trigger["headers"]["user-agent"].startswith("drscan/")
    expected = {
        "source": "drscan", "action": "trigger", "fingerprint": FINGERPRINT, "rule_id": "aws.ebs.snapshot_recent",
        "title": "EBS volume has no recent snapshot", "severity": "critical",
        "resource_id": "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc", "resource_name": "orders-db-data",
        "provider": "aws", "account": "123456789012", "region": "eu-west-1",
        "reason": "Newest snapshot is 9 days old; the app's RPO is 24h.",
        "remediation": "Add the volume to an AWS Backup plan with a daily rule.",
        "scan_id": 42, "controls": ["SOC2 A1.2", "ISO27001 A.8.13"],
    }
    assert trigger["json"] == expected
    assert list(trigger["json"])[:3] == ["source", "action", "fingerprint"]
    assert resolve["json"] == {**expected, "action": "resolve"}


def test_pagerduty_trigger_follows_events_v2_and_resolve_sends_only_the_three_keys(server, write_config):
    config = write_config(only="pagerduty")
    results, _ = send([make_event("trigger"), make_event("resolve")], config)
    assert [(r.ok, r.status, r.attempts, r.error) for r in results] == [(True, 200, 1, None)] * 2
    trigger, resolve = server.requests
    assert trigger["path"] == "/pd/v2/enqueue" and resolve["path"] == "/pd/v2/enqueue"
    assert "authorization" not in trigger["headers"]  # the routing key in the body is the credential
    assert trigger["json"] == {
        "routing_key": ROUTING_KEY,
        "event_action": "trigger",
        "dedup_key": FINGERPRINT,
        "payload": {
            "summary": "[drscan] EBS volume has no recent snapshot: orders-db-data (aws/123456789012/eu-west-1)",
            "source": "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc",
            "severity": "critical",
            "component": "orders-db-data",
            "group": "aws/123456789012",
            "class": "aws.ebs.snapshot_recent",
            "custom_details": {
                "fingerprint": FINGERPRINT, "rule_id": "aws.ebs.snapshot_recent",
                "title": "EBS volume has no recent snapshot", "severity": "critical",
                "resource_id": "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc",
                "resource_name": "orders-db-data", "provider": "aws", "account": "123456789012",
                "region": "eu-west-1", "reason": "Newest snapshot is 9 days old; the app's RPO is 24h.",
                "remediation": "Add the volume to an AWS Backup plan with a daily rule.",
                "controls": ["SOC2 A1.2", "ISO27001 A.8.13"], "scan_id": 42,
            },
        },
    }
    assert resolve["json"] == {"routing_key": ROUTING_KEY, "event_action": "resolve", "dedup_key": FINGERPRINT}


@pytest.mark.parametrize("severity, expected", [
    ("critical", "critical"), ("high", "error"), ("medium", "warning"), ("low", "info"), ("info", "info")])
def test_pagerduty_severity_uses_its_four_values(server, write_config, severity, expected):
    config = write_config(min_severity="info", only="pagerduty")
    (request,) = build_requests([make_event(severity=severity)], config)
    assert request.body["payload"]["severity"] == expected


def test_opsgenie_trigger_creates_an_alert_and_resolve_closes_it_by_url_encoded_alias(server, write_config):
    config = write_config(only="opsgenie")
    results, _ = send([make_event("trigger"), make_event("resolve")], config)
    assert [r.ok for r in results] == [True, True]
    trigger, resolve = server.requests
    assert trigger["path"] == "/og/v2/alerts"
    assert trigger["headers"]["authorization"] == f"GenieKey {GENIE_KEY}"
    assert trigger["json"] == {
        "message": "[drscan] EBS volume has no recent snapshot: orders-db-data",
        "alias": FINGERPRINT,
        "description": (
            "Newest snapshot is 9 days old; the app's RPO is 24h.\n\n"
            "Remediation: Add the volume to an AWS Backup plan with a daily rule.\n\n"
            "Rule: aws.ebs.snapshot_recent (critical)\n"
            "Resource: orders-db-data (arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc)\n"
            "Location: aws/123456789012/eu-west-1\n"
            "Controls: SOC2 A1.2, ISO27001 A.8.13\n"
            "drscan scan: 42"
        ),
        "priority": "P1",
        "source": "drscan",
        "tags": ["drscan", "severity:critical", "provider:aws", "rule:aws.ebs.snapshot_recent"],
        "details": {
            "fingerprint": FINGERPRINT, "rule_id": "aws.ebs.snapshot_recent", "severity": "critical",
            "resource_id": "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc", "resource_name": "orders-db-data",
            "provider": "aws", "account": "123456789012", "region": "eu-west-1",
            "controls": "SOC2 A1.2, ISO27001 A.8.13", "scan_id": "42",
        },
    }
    assert resolve["path"] == ("/og/v2/alerts/aws.ebs.snapshot_recent%7Carn%3Aaws%3Aec2%3Aeu-west-1%3A123456789012"
                               "%3Avolume%2Fvol-0abc/close?identifierType=alias")
    assert resolve["headers"]["authorization"] == f"GenieKey {GENIE_KEY}"
    assert resolve["json"] == {
        "source": "drscan",
        "note": "Resolved: EBS volume has no recent snapshot no longer fails on orders-db-data (drscan scan 42).",
    }


@pytest.mark.parametrize("severity, priority", [
    ("critical", "P1"), ("high", "P2"), ("medium", "P3"), ("low", "P4"), ("info", "P5")])
def test_opsgenie_priority_follows_severity(server, write_config, severity, priority):
    config = write_config(min_severity="info", only="opsgenie")
    (request,) = build_requests([make_event(severity=severity)], config)
    assert request.body["priority"] == priority


def test_slack_trigger_and_resolve_each_post_a_message_with_fallback_text_and_blocks(server, write_config):
    config = write_config(only="slack")
    results, _ = send([make_event("trigger"), make_event("resolve")], config)
    assert [r.ok for r in results] == [True, True]
    trigger, resolve = server.requests
    assert trigger["path"] == "/slack/services/T000/B000/XXXX"
    fields = {"type": "section", "fields": [
        {"type": "mrkdwn", "text": "*Resource*\norders-db-data"},
        {"type": "mrkdwn", "text": "*Rule*\naws.ebs.snapshot_recent"},
        {"type": "mrkdwn", "text": "*Severity*\ncritical"},
        {"type": "mrkdwn", "text": "*Account*\naws/123456789012"},
        {"type": "mrkdwn", "text": "*Region*\neu-west-1"},
        {"type": "mrkdwn", "text": "*Controls*\nSOC2 A1.2, ISO27001 A.8.13"},
    ]}
    context = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"drscan scan 42 \u00b7 {FINGERPRINT}"}]}
    assert trigger["json"] == {
        "text": "New critical drscan finding: EBS volume has no recent snapshot on orders-db-data "
                "(aws/123456789012/eu-west-1)",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "New critical gap: EBS volume has no recent snapshot"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "Newest snapshot is 9 days old; the app's RPO is 24h."}},
            fields,
            {"type": "section", "text": {"type": "mrkdwn",
                                         "text": "*Remediation*\nAdd the volume to an AWS Backup plan with a daily rule."}},
            context,
        ],
    }
    assert resolve["json"] == {
        "text": "Resolved drscan finding: EBS volume has no recent snapshot on orders-db-data (aws/123456789012/eu-west-1)",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Resolved: EBS volume has no recent snapshot"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "orders-db-data no longer fails this check."}},
            fields,
            context,
        ],
    }


def test_slack_escapes_ampersand_and_angle_brackets(server, write_config):
    config = write_config(only="slack")
    (request,) = build_requests([make_event(reason="size <1 GiB & no <!channel> ping", resource_name="a>b")], config)
    assert request.body["blocks"][1]["text"]["text"] == "size &lt;1 GiB &amp; no &lt;!channel&gt; ping"
    assert request.body["blocks"][2]["fields"][0]["text"] == "*Resource*\na&gt;b"
    assert "<" not in request.body["text"]


def test_all_four_targets_get_each_event_in_file_order(server, write_config):
    config = write_config()
    results, sleeps = send([make_event()], config)
    assert [(r.target, r.ok, r.action) for r in results] == [
        ("soc-webhook", True, "trigger"), ("pagerduty", True, "trigger"),
        ("opsgenie", True, "trigger"), ("slack", True, "trigger")]
    assert server.paths() == ["/hook", "/pd/v2/enqueue", "/og/v2/alerts", "/slack/services/T000/B000/XXXX"]
    assert sleeps == []


# --- limits -------------------------------------------------------------------------------------

def test_long_values_are_cut_to_each_services_limits(server, write_config):
    config = write_config(only=None)
    long_event = make_event(title="T" * 2000, reason="R" * 20000, remediation="M" * 20000, resource_name="N" * 3000,
                            provider="p" * 80, controls=tuple(f"C{i}" for i in range(900)))
    by_kind = {r.kind: r for r in build_requests([long_event], config)}
    pd_payload = by_kind["pagerduty"].body["payload"]
    assert len(pd_payload["summary"]) == 1024 and pd_payload["summary"].endswith("\u2026")
    og = by_kind["opsgenie"].body
    assert len(og["message"]) == 130 and len(og["description"]) == 15000
    assert len(og["tags"]) <= 20 and all(len(tag) <= 50 for tag in og["tags"])
    assert sum(len(k) + len(v) for k, v in og["details"].items()) <= 8000
    slack = by_kind["slack"].body
    assert len(slack["blocks"][0]["text"]["text"]) == 150
    assert all(len(block["text"]["text"]) <= 3000 for block in slack["blocks"] if "text" in block)
    assert all(len(f["text"]) <= 2000 for f in slack["blocks"][2]["fields"])
    assert len(slack["text"]) <= 3000


def test_long_fingerprint_gives_a_bounded_key_the_resolve_repeats(server, write_config):
    config = write_config()
    fingerprint = "azure.disk.backup|/subscriptions/" + "x" * 600
    trigger = {r.kind: r for r in build_requests([make_event(fingerprint=fingerprint)], config)}
    resolve = {r.kind: r for r in build_requests([make_event("resolve", fingerprint=fingerprint)], config)}
    dedup_key = trigger["pagerduty"].body["dedup_key"]
    assert len(dedup_key) == 255 and dedup_key.startswith("azure.disk.backup|/subscriptions/xxx")
    assert resolve["pagerduty"].body["dedup_key"] == dedup_key
    alias = trigger["opsgenie"].body["alias"]
    assert len(alias) == 512 and alias != dedup_key
    assert resolve["opsgenie"].url.endswith("/close?identifierType=alias")
    assert resolve["opsgenie"].url.endswith("/v2/alerts/" + quote(alias, safe="") + "/close?identifierType=alias")
    assert trigger["webhook"].body["fingerprint"] == fingerprint  # the generic webhook gets it whole


# --- filtering ----------------------------------------------------------------------------------

def test_min_severity_filters_triggers_and_resolves_alike(server, write_config):
    config = write_config(min_severity="high", only="soc-webhook")
    events = [make_event(action, severity, fingerprint=f"{action}|{severity}")
              for action in ("trigger", "resolve") for severity in ("critical", "high", "medium", "low", "info")]
    sent = [r.fingerprint for r in build_requests(events, config)]
    assert sent == ["trigger|critical", "trigger|high", "resolve|critical", "resolve|high"]
    only_critical = replace(config, min_severity="critical")
    assert [r.fingerprint for r in build_requests(events, only_critical)] == ["trigger|critical", "resolve|critical"]
    assert build_requests([], config) == []


# --- retries ------------------------------------------------------------------------------------

def test_500_then_success_is_retried_once_after_half_a_second(server, write_config):
    config = write_config(only="pagerduty")
    server.answer(500)
    results, sleeps = send([make_event()], config)
    (result,) = results
    assert (result.ok, result.status, result.attempts, result.error) == (True, 200, 2, None)
    assert sleeps == [0.5]
    assert len(server.requests) == 2 and server.requests[0]["json"] == server.requests[1]["json"]


def test_backoff_doubles_from_half_a_second_and_caps_at_eight():
    assert [backoff_delay(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]


def test_429_retry_after_is_honoured_and_capped_at_thirty_seconds(server, write_config):
    config = write_config(only="slack")
    server.answer(429, headers={"Retry-After": "3"})
    server.answer(429, headers={"Retry-After": "3600"})
    server.answer(503)  # no Retry-After: the backoff applies
    results, sleeps = send([make_event()], config)
    assert (results[0].ok, results[0].attempts) == (True, 4)
    assert sleeps == [3.0, 30.0, 2.0]


def test_retry_after_as_an_http_date():
    now = datetime(2026, 11, 20, 6, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Fri, 20 Nov 2026 06:00:05 GMT", now) == 5.0
    assert parse_retry_after("Fri, 20 Nov 2026 05:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


def test_gives_up_after_the_configured_retries_and_returns_the_failure(server, write_config):
    config = write_config(retries=3, only="opsgenie")
    server.answer(500, 502, 503, 500, body=b'{"message": "Internal error"}')
    results, sleeps = send([make_event()], config)
    (result,) = results
    assert (result.ok, result.status, result.attempts) == (False, 500, 4)
    assert result.error == 'HTTP 500 Internal Server Error: {"message": "Internal error"}'
    assert sleeps == [0.5, 1.0, 2.0]
    assert len(server.requests) == 4


def test_client_error_is_not_retried(server, write_config):
    config = write_config(only="pagerduty")
    server.answer(400, body=b'{"status":"invalid event","message":"Event object is invalid"}')
    results, sleeps = send([make_event()], config)
    assert (results[0].ok, results[0].status, results[0].attempts) == (False, 400, 1)
    assert "Event object is invalid" in results[0].error
    assert sleeps == []


def test_redirect_is_not_followed(server, write_config):
    config = write_config(only="opsgenie")
    server.answer(302, headers={"Location": f"{server.base}/elsewhere"})
    results, sleeps = send([make_event()], config)
    assert (results[0].ok, results[0].status, results[0].attempts) == (False, 302, 1)
    assert results[0].error == "HTTP 302: redirect not followed"
    assert server.paths() == ["/og/v2/alerts"] and sleeps == []


def test_connection_refused_is_retried_then_returned_as_a_failure(write_config, monkeypatch):
    with socket.socket() as probe:  # a port that was free a moment ago and has nothing listening
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"http://127.0.0.1:{closed_port}/slack")
    config = write_config(retries=2, only="slack")
    results, sleeps = send([make_event()], config)
    (result,) = results
    assert (result.ok, result.status, result.attempts) == (False, None, 3)
    assert result.error.startswith("connection failed:") and "refused" in result.error.lower()
    assert sleeps == [0.5, 1.0]


def test_timeout_is_a_transient_failure(server, write_config):
    config = write_config(timeout_s=0.2, retries=1, only="soc-webhook")
    server.answer(200, 200, delay=2.0)
    results, sleeps = send([make_event()], config)
    assert (results[0].ok, results[0].status, results[0].attempts) == (False, None, 2)
    assert "timed out" in results[0].error
    assert sleeps == [0.5]


def test_a_target_that_is_down_is_skipped_for_its_other_events_while_others_still_get_theirs(
        server, write_config, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"http://127.0.0.1:{closed_port}/slack")
    config = write_config(retries=1)
    events = [make_event(fingerprint="a|1"), make_event(fingerprint="b|2")]
    results, sleeps = send(events, config)
    outcome = [(r.target, r.fingerprint, r.ok, r.attempts) for r in results]
    assert outcome == [
        ("soc-webhook", "a|1", True, 1), ("pagerduty", "a|1", True, 1), ("opsgenie", "a|1", True, 1),
        ("slack", "a|1", False, 2),
        ("soc-webhook", "b|2", True, 1), ("pagerduty", "b|2", True, 1), ("opsgenie", "b|2", True, 1),
        ("slack", "b|2", False, 0),
    ]
    assert results[-1].error.startswith("not sent: target 'slack' failed earlier in this run (connection failed")
    assert sleeps == [0.5]


def test_deliver_of_nothing_returns_nothing(server, write_config):
    assert deliver([], write_config()) == []


# --- configuration ------------------------------------------------------------------------------

def test_defaults_and_environment_expansion(tmp_path, monkeypatch):
    monkeypatch.setenv("PD_KEY", "k" * 32)
    monkeypatch.setenv("OG_KEY", "s3cr3t")
    path = tmp_path / "notify.yaml"
    path.write_text("targets:\n"
                    "  - {name: pd, kind: pagerduty, routing_key: '${PD_KEY}'}\n"
                    "  - {name: og, kind: opsgenie, api_key: 'prefix-${OG_KEY}'}\n", encoding="utf-8")
    config = load_notify_config(path)
    assert (config.min_severity, config.timeout_s, config.retries) == ("high", 5.0, 3)
    pd, og = config.targets
    assert (pd.url, pd.routing_key) == (PAGERDUTY_EVENTS_URL, "k" * 32)
    assert (og.base_url, og.api_key) == (OPSGENIE_API_URL, "prefix-s3cr3t")
    assert "s3cr3t" not in repr(config) and "k" * 32 not in repr(config)


def test_requests_keep_secrets_out_of_their_repr(server, write_config):
    for request in build_requests([make_event()], write_config()):
        assert TOKEN not in repr(request) and GENIE_KEY not in repr(request) and ROUTING_KEY not in repr(request)
        assert "XXXX" not in repr(request)


BAD_CONFIGS = [
    ("unknown kind",
     "targets:\n  - name: x\n    kind: teams\n    url: https://example.com\n",
     3, "must be one of webhook, pagerduty, opsgenie, slack; got 'teams'"),
    ("missing url",
     "targets:\n  - name: x\n    kind: webhook\n    headers: {A: b}\n",
     2, "missing required key url"),
    ("unknown key",
     "retries: 2\ntargets:\n  - name: x\n    kind: slack\n    url: https://hooks.example.com/x\n    channel: '#ops'\n",
     6, "unknown key 'channel'"),
    ("unknown top-level key",
     "targets:\n  - {name: x, kind: slack, url: 'https://hooks.example.com/x'}\nretry: 2\n",
     3, "unknown key 'retry'"),
    ("missing env var",
     "targets:\n  - name: x\n    kind: webhook\n    url: https://hooks.example.com/x\n"
     "    headers:\n      X-Token: ${DRSCAN_TEST_UNSET_VAR}\n",
     6, "environment variable 'DRSCAN_TEST_UNSET_VAR' is not set (used in targets/0/headers/X-Token)"),
    ("missing env var in a url",
     "targets:\n  - name: x\n    kind: slack\n    url: ${DRSCAN_TEST_UNSET_VAR}\n",
     4, "environment variable 'DRSCAN_TEST_UNSET_VAR' is not set"),
    ("not an http url",
     "targets:\n  - name: x\n    kind: slack\n    url: ftp://hooks.example.com/x\n",
     4, "url must be an http or https URL with a host: 'ftp://hooks.example.com/x'"),
    ("duplicate name",
     "targets:\n  - {name: x, kind: slack, url: 'https://a.example.com'}\n"
     "  - {name: x, kind: slack, url: 'https://b.example.com'}\n",
     3, "duplicate target name 'x'"),
    ("bad severity",
     "min_severity: urgent\ntargets:\n  - {name: x, kind: slack, url: 'https://a.example.com'}\n",
     1, "must be one of critical, high, medium, low, info; got 'urgent'"),
    ("no targets", "min_severity: high\n", 1, "missing required key targets"),
    ("unquoted variable in a flow mapping",
     "targets:\n  - name: x\n    kind: webhook\n    url: https://a.example.com\n    headers: {X-Token: ${T}}\n",
     5, "invalid YAML"),
    ("pagerduty key for opsgenie",
     "targets:\n  - name: x\n    kind: opsgenie\n    routing_key: abc\n",
     2, "missing required key api_key"),
]


@pytest.mark.parametrize("text, line, message", [case[1:] for case in BAD_CONFIGS], ids=[c[0] for c in BAD_CONFIGS])
def test_bad_config_raises_input_error_naming_file_and_line(tmp_path, monkeypatch, text, line, message):
    monkeypatch.delenv("DRSCAN_TEST_UNSET_VAR", raising=False)
    path = tmp_path / "notify.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_notify_config(path)
    assert str(caught.value).startswith(f"{path}:{line}: "), str(caught.value)
    assert message in str(caught.value)


def test_an_expanded_url_that_is_not_http_is_reported_without_its_value(tmp_path, monkeypatch):
    monkeypatch.setenv("SLACK_URL", "hooks.slack.com/services/SECRET")
    path = tmp_path / "notify.yaml"
    path.write_text("targets:\n  - name: x\n    kind: slack\n    url: ${SLACK_URL}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r":4: url must be an http or https URL") as caught:
        load_notify_config(path)
    assert "SECRET" not in str(caught.value)


# --- the pieces agree ---------------------------------------------------------------------------

def test_every_configurable_kind_has_a_payload_builder():
    assert set(BUILDERS) == set(KINDS)


@pytest.mark.parametrize("changes", [{"action": "acknowledge"}, {"severity": "urgent"}])
def test_event_rejects_an_unknown_action_or_severity(changes):
    with pytest.raises(ValueError):
        make_event(**changes)
