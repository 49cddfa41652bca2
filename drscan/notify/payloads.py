"""Events -> the exact HTTP requests each alert target expects (pure: no I/O).

Formats followed:
- PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
  summary <= 1024 chars, dedup_key <= 255, severity critical|error|warning|info; a resolve
  carries only routing_key, event_action and dedup_key.
- Opsgenie Alert API (https://docs.opsgenie.com/docs/alert-api): message <= 130, alias <= 512,
  description <= 15000, tags <= 20 of <= 50 chars, details a flat string map <= 8000 chars in
  all, priority P1..P5; close by alias at /v2/alerts/{alias}/close?identifierType=alias with the
  alias URL-encoded (it holds '|', ':' and '/').
- Slack incoming webhooks and Block Kit (https://api.slack.com/messaging/webhooks): "text" is
  the notification fallback; header text <= 150 (plain_text), section text <= 3000, <= 10
  fields of <= 2000; &, < and > escaped in mrkdwn.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Mapping
from urllib.parse import quote

from drscan import __version__
from drscan.model import SEVERITIES, SEVERITY_RANK
from drscan.notify.config import NotifyConfig, Target

ACTIONS = ("trigger", "resolve")
SOURCE = "drscan"
USER_AGENT = f"drscan/{__version__}"
ELLIPSIS = "\u2026"

PAGERDUTY_SEVERITY = {"critical": "critical", "high": "error", "medium": "warning", "low": "info", "info": "info"}
OPSGENIE_PRIORITY = {"critical": "P1", "high": "P2", "medium": "P3", "low": "P4", "info": "P5"}

PAGERDUTY_SUMMARY_MAX = 1024
PAGERDUTY_DEDUP_KEY_MAX = 255
OPSGENIE_MESSAGE_MAX = 130
OPSGENIE_ALIAS_MAX = 512
OPSGENIE_DESCRIPTION_MAX = 15000
OPSGENIE_TAG_MAX = 50
OPSGENIE_TAGS_MAX = 20
OPSGENIE_DETAIL_VALUE_MAX = 500  # 10 keys x (<= 13 + 500) stays well under the 8000-char total
OPSGENIE_NOTE_MAX = 25000
SLACK_HEADER_MAX = 150
SLACK_TEXT_MAX = 3000
SLACK_FIELD_MAX = 2000


@dataclass(frozen=True)
class Event:
    """A change in one finding between two scans: "trigger" (FAIL now, not FAIL before) or
    "resolve" (FAIL before, not FAIL now). `fingerprint` is "rule_id|resource_id"."""

    action: str
    fingerprint: str
    rule_id: str
    title: str
    severity: str
    resource_id: str
    resource_name: str
    provider: str
    account: str
    region: str
    reason: str
    remediation: str
    scan_id: int
    controls: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"Event.action must be one of {ACTIONS}, not {self.action!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"Event.severity must be one of {SEVERITIES}, not {self.severity!r}")


@dataclass(frozen=True)
class OutgoingRequest:
    """One HTTP call to make. url, headers and body may hold secrets, so they stay out of repr."""

    target: str
    kind: str
    action: str
    fingerprint: str
    method: str
    url: str = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)
    body: Mapping[str, Any] = field(repr=False)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def bounded_key(key: str, limit: int) -> str:
    """`key` unchanged when it fits; otherwise a prefix plus its SHA-256, so the same key always
    maps to the same value (a resolve must find what its trigger opened)."""
    if len(key) <= limit:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: limit - len(digest) - 1]}#{digest}"


def _label(event: Event) -> str:
    return event.resource_name or event.resource_id


def _location(event: Event) -> str:
    return "/".join(part for part in (event.provider, event.account, event.region) if part)


def _json_headers(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """JSON content type and our User-Agent; a configured header of the same name (any case) wins."""
    extra = dict(extra or {})
    overridden = {name.lower() for name in extra}
    defaults = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    return {**{k: v for k, v in defaults.items() if k.lower() not in overridden}, **extra}


def build_webhook(event: Event, target: Target) -> OutgoingRequest:
    body = {"source": SOURCE, **asdict(event)}
    body["controls"] = list(event.controls)
    return OutgoingRequest(target.name, target.kind, event.action, event.fingerprint, "POST", target.url,
                           _json_headers(target.headers), body)


def build_pagerduty(event: Event, target: Target) -> OutgoingRequest:
    body: dict[str, Any] = {
        "routing_key": target.routing_key,
        "event_action": event.action,
        "dedup_key": bounded_key(event.fingerprint, PAGERDUTY_DEDUP_KEY_MAX),
    }
    if event.action == "trigger":
        payload: dict[str, Any] = {
            "summary": clip(f"[drscan] {event.title}: {_label(event)} ({_location(event)})", PAGERDUTY_SUMMARY_MAX),
            "source": event.resource_id or SOURCE,
            "severity": PAGERDUTY_SEVERITY[event.severity],
        }
        if event.resource_name:
            payload["component"] = event.resource_name
        payload["group"] = f"{event.provider}/{event.account}"
        payload["class"] = event.rule_id
        payload["custom_details"] = {
            "fingerprint": event.fingerprint,
            "rule_id": event.rule_id,
            "title": event.title,
            "severity": event.severity,
            "resource_id": event.resource_id,
            "resource_name": event.resource_name,
            "provider": event.provider,
            "account": event.account,
            "region": event.region,
            "reason": event.reason,
            "remediation": event.remediation,
            "controls": list(event.controls),
            "scan_id": event.scan_id,
        }
        body["payload"] = payload
    return OutgoingRequest(target.name, target.kind, event.action, event.fingerprint, "POST", target.url,
                           _json_headers(), body)


def _opsgenie_description(event: Event) -> str:
    lines = [event.reason or event.title, ""]
    if event.remediation:
        lines += [f"Remediation: {event.remediation}", ""]
    lines += [
        f"Rule: {event.rule_id} ({event.severity})",
        f"Resource: {event.resource_name} ({event.resource_id})" if event.resource_name else
        f"Resource: {event.resource_id}",
        f"Location: {_location(event)}",
        f"Controls: {', '.join(event.controls) or 'none mapped'}",
        f"drscan scan: {event.scan_id}",
    ]
    return clip("\n".join(lines), OPSGENIE_DESCRIPTION_MAX)


def build_opsgenie(event: Event, target: Target) -> OutgoingRequest:
    alias = bounded_key(event.fingerprint, OPSGENIE_ALIAS_MAX)
    headers = _json_headers({"Authorization": f"GenieKey {target.api_key}"})
    if event.action == "resolve":
        url = f"{target.base_url}/v2/alerts/{quote(alias, safe='')}/close?identifierType=alias"
        body: dict[str, Any] = {
            "source": SOURCE,
            "note": clip(f"Resolved: {event.title} no longer fails on {_label(event)} (drscan scan {event.scan_id}).",
                         OPSGENIE_NOTE_MAX),
        }
        return OutgoingRequest(target.name, target.kind, event.action, event.fingerprint, "POST", url, headers, body)
    tags = ["drscan", f"severity:{event.severity}", f"provider:{event.provider}" if event.provider else "",
            f"rule:{event.rule_id}"]
    details = {
        "fingerprint": event.fingerprint,
        "rule_id": event.rule_id,
        "severity": event.severity,
        "resource_id": event.resource_id,
        "resource_name": event.resource_name,
        "provider": event.provider,
        "account": event.account,
        "region": event.region,
        "controls": ", ".join(event.controls),
        "scan_id": str(event.scan_id),
    }
    body = {
        "message": clip(f"[drscan] {event.title}: {_label(event)}", OPSGENIE_MESSAGE_MAX),
        "alias": alias,
        "description": _opsgenie_description(event),
        "priority": OPSGENIE_PRIORITY[event.severity],
        "source": SOURCE,
        "tags": [clip(tag, OPSGENIE_TAG_MAX) for tag in tags if tag][:OPSGENIE_TAGS_MAX],
        "details": {key: clip(value, OPSGENIE_DETAIL_VALUE_MAX) for key, value in details.items()},
    }
    return OutgoingRequest(target.name, target.kind, event.action, event.fingerprint, "POST",
                           f"{target.base_url}/v2/alerts", headers, body)


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters; everything else is sent as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str, limit: int) -> str:
    """`text` escaped for mrkdwn and cut so the escaped form fits `limit` (never mid-entity)."""
    escaped = escape_mrkdwn(text)
    if len(escaped) <= limit:
        return escaped
    keep = limit - 1
    while keep > 0:  # each pass drops at least one character, so this ends
        escaped = escape_mrkdwn(text[:keep])
        if len(escaped) <= limit - 1:
            return escaped + ELLIPSIS
        keep -= len(escaped) - (limit - 1)
    return ELLIPSIS


def _slack_field(label: str, value: str) -> dict[str, str]:
    prefix = f"*{label}*\n"
    return {"type": "mrkdwn", "text": prefix + mrkdwn(value or "n/a", SLACK_FIELD_MAX - len(prefix))}


def build_slack(event: Event, target: Target) -> OutgoingRequest:
    resolved = event.action == "resolve"
    verb = "Resolved" if resolved else f"New {event.severity}"
    text = mrkdwn(f"{verb} drscan finding: {event.title} on {_label(event)} ({_location(event)})", SLACK_TEXT_MAX)
    if resolved:
        summary = mrkdwn(f"{_label(event)} no longer fails this check.", SLACK_TEXT_MAX)
    else:
        summary = mrkdwn(event.reason or event.title, SLACK_TEXT_MAX)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text",
                                    "text": clip(f"{'Resolved' if resolved else f'New {event.severity} gap'}: "
                                                 f"{event.title}", SLACK_HEADER_MAX)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": summary}},
        {"type": "section", "fields": [
            _slack_field("Resource", _label(event)),
            _slack_field("Rule", event.rule_id),
            _slack_field("Severity", event.severity),
            _slack_field("Account", f"{event.provider}/{event.account}"),
            _slack_field("Region", event.region),
            _slack_field("Controls", ", ".join(event.controls)),
        ]},
    ]
    if event.remediation and not resolved:
        prefix = "*Remediation*\n"
        blocks.append({"type": "section", "text": {
            "type": "mrkdwn", "text": prefix + mrkdwn(event.remediation, SLACK_TEXT_MAX - len(prefix))}})
    blocks.append({"type": "context", "elements": [{
        "type": "mrkdwn", "text": mrkdwn(f"drscan scan {event.scan_id} \u00b7 {event.fingerprint}", SLACK_TEXT_MAX)}]})
    return OutgoingRequest(target.name, target.kind, event.action, event.fingerprint, "POST", target.url,
                           _json_headers(), {"text": text, "blocks": blocks})


BUILDERS: dict[str, Callable[[Event, Target], OutgoingRequest]] = {
    "webhook": build_webhook,
    "pagerduty": build_pagerduty,
    "opsgenie": build_opsgenie,
    "slack": build_slack,
}


def should_send(event: Event, min_severity: str) -> bool:
    """At or above `min_severity`. A resolve uses the same test: the finding's severity does not
    change between its trigger and its resolve, so exactly the resolves whose triggers were sent go out."""
    return SEVERITY_RANK[event.severity] <= SEVERITY_RANK[min_severity]


def build_requests(events: list[Event], config: NotifyConfig) -> list[OutgoingRequest]:
    """Every (event, target) request to make, events in the order given, targets in file order."""
    return [BUILDERS[target.kind](event, target)
            for event in events if should_send(event, config.min_severity)
            for target in config.targets]
