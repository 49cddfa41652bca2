"""Alertmanager configuration: the route tree and receivers, normalized without secrets, and the
routing of an alert's labels through the tree exactly as Alertmanager's dispatcher does it
(dispatch/route.go `Route.Match`). Pure.

Routing facts drscan relies on (prometheus/alertmanager config/config.go, dispatch/route.go):
- the root route matches every alert; a child route inherits the receiver of its parent;
- `matchers` (since 0.22; each entry may hold several matchers, `a="1", b=~"x"` or `{...}`) and the
  deprecated `match` (equality) and `match_re` (anchored regex) all have to match;
- children are tried in order; the first match stops the search unless that child has
  `continue: true`; a route none of whose children matches handles the alert itself;
- an absent label compares as the empty string; `group_by`, timers and inhibition rules do not
  change which receivers an alert reaches (inhibition only silences it later)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from drscan.monitoring.promql import Matcher, PromqlError, parse_matchers

# Receivers whose integrations page a person (on-call rotation), not a channel.
PAGING_INTEGRATIONS = ("pagerduty_configs", "opsgenie_configs")
# Webhooks that deliver to a paging service's event API count as paging too.
PAGING_HOSTS = ("events.pagerduty.com", "events.eu.pagerduty.com", "api.opsgenie.com", "api.eu.opsgenie.com")
INTEGRATION_KEYS = ("email_configs", "pagerduty_configs", "slack_configs", "webhook_configs", "opsgenie_configs",
                    "wechat_configs", "pushover_configs", "victorops_configs", "sns_configs", "telegram_configs",
                    "webex_configs", "msteams_configs", "msteamsv2_configs", "jira_configs", "rocketchat_configs",
                    "discord_configs", "incidentio_configs", "mattermost_configs")


class AlertmanagerConfigError(ValueError):
    """The configuration cannot be read as Alertmanager would (bad matcher, no root receiver)."""


@dataclass(frozen=True)
class Route:
    receiver: str
    matchers: tuple[Matcher, ...] = ()
    continue_: bool = False
    routes: tuple["Route", ...] = ()
    group_wait_seconds: float | None = None
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()
    path: str = "route"  # where it is in the tree, for evidence: route.routes[1].routes[0]

    def matches(self, labels: dict[str, str]) -> bool | None:
        verdicts = [m.matches(labels) for m in self.matchers]
        if False in verdicts:
            return False
        return None if None in verdicts else True

    def match(self, labels: dict[str, str]) -> list["Route"]:
        """The routes that handle an alert with these labels (Alertmanager's Route.Match)."""
        if self.matches(labels) is not True:
            return []
        handled: list[Route] = []
        for child in self.routes:
            found = child.match(labels)
            handled.extend(found)
            if found and not child.continue_:
                break
        return handled or [self]

    def as_dict(self) -> dict[str, Any]:
        # Sorted, as Alertmanager prints them (/api/v2/status), so a file and the API agree.
        return {"receiver": self.receiver, "matchers": sorted(m.as_list() for m in self.matchers), "continue": self.continue_,
                "group_wait_seconds": self.group_wait_seconds, "mute_time_intervals": list(self.mute_time_intervals),
                "active_time_intervals": list(self.active_time_intervals), "routes": [r.as_dict() for r in self.routes]}

    @staticmethod
    def from_dict(data: dict, path: str = "route") -> "Route":
        return Route(receiver=data.get("receiver") or "", matchers=tuple(Matcher(*m) for m in data.get("matchers") or ()),
                     continue_=bool(data.get("continue")), group_wait_seconds=data.get("group_wait_seconds"),
                     mute_time_intervals=tuple(data.get("mute_time_intervals") or ()),
                     active_time_intervals=tuple(data.get("active_time_intervals") or ()),
                     routes=tuple(Route.from_dict(r, f"{path}.routes[{i}]") for i, r in enumerate(data.get("routes") or ())),
                     path=path)


@dataclass(frozen=True)
class Receiver:
    """A receiver with its integration types only (never URLs with tokens, keys or passwords)."""

    name: str
    integrations: tuple[str, ...]
    paging: bool
    paging_via: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "integrations": list(self.integrations), "paging": self.paging,
                "paging_via": list(self.paging_via)}


def _matchers_of(entry: dict, path: str) -> tuple[Matcher, ...]:
    found: list[Matcher] = []
    for name, value in (entry.get("match") or {}).items():
        found.append(Matcher(str(name), "=", str(value)))
    for name, value in (entry.get("match_re") or {}).items():
        found.append(Matcher(str(name), "=~", str(value)))
    for item in entry.get("matchers") or ():
        text = str(item).strip()
        try:
            if text.startswith("{"):
                parsed, _ = parse_matchers(text, 1)
            else:
                parsed, _ = parse_matchers(text, 0, closing="")
        except PromqlError as exc:
            raise AlertmanagerConfigError(f"{path}.matchers: cannot read {text!r}: {exc}") from None
        found.extend(parsed)
    return tuple(found)


def parse_duration_seconds(value: Any) -> float | None:
    """Prometheus/Alertmanager duration ('1h30m', '30s', '1d', '500ms') -> seconds; None when absent or bad."""
    from drscan.monitoring.durations import duration_seconds

    return duration_seconds(value)


DEFAULT_GROUP_WAIT_SECONDS = 30.0  # Alertmanager's default for the root route; children inherit their parent's


def _route(entry: dict, parent_receiver: str, path: str, parent_wait: float | None = DEFAULT_GROUP_WAIT_SECONDS) -> Route:
    if not isinstance(entry, dict):
        raise AlertmanagerConfigError(f"{path}: not a mapping")
    receiver = entry.get("receiver") or parent_receiver
    children = entry.get("routes") or []
    if not isinstance(children, list):
        raise AlertmanagerConfigError(f"{path}.routes: not a list")
    wait = parse_duration_seconds(entry.get("group_wait"))
    wait = parent_wait if wait is None else wait
    return Route(receiver=str(receiver or ""), matchers=_matchers_of(entry, path), continue_=bool(entry.get("continue")),
                 routes=tuple(_route(child, receiver, f"{path}.routes[{i}]", wait) for i, child in enumerate(children)),
                 group_wait_seconds=wait,
                 mute_time_intervals=tuple(str(x) for x in entry.get("mute_time_intervals") or ()),
                 active_time_intervals=tuple(str(x) for x in entry.get("active_time_intervals") or ()), path=path)


def _receiver(entry: dict) -> Receiver:
    integrations = tuple(key.removesuffix("_configs") for key in INTEGRATION_KEYS if entry.get(key))
    via = [key.removesuffix("_configs") for key in PAGING_INTEGRATIONS if entry.get(key)]
    for hook in entry.get("webhook_configs") or []:
        host = urlparse(str((hook or {}).get("url") or "")).hostname or ""
        if host in PAGING_HOSTS:
            via.append(f"webhook:{host}")
    return Receiver(name=str(entry.get("name") or ""), integrations=integrations, paging=bool(via), paging_via=tuple(via))


def normalize_config(document: Any) -> dict[str, Any]:
    """An alertmanager.yml document (parsed) -> {route, receivers, inhibit_rule_count} with the route
    tree resolved (inherited receivers, matchers parsed) and receivers reduced to integration types."""
    if not isinstance(document, dict) or not isinstance(document.get("route"), dict):
        raise AlertmanagerConfigError("no top-level `route` mapping")
    root = _route(document["route"], "", "route")
    if not root.receiver:
        raise AlertmanagerConfigError("route: the root route has no receiver")
    receivers = [_receiver(r) for r in document.get("receivers") or [] if isinstance(r, dict)]
    return {"route": root.as_dict(), "receivers": [r.as_dict() for r in receivers],
            "inhibit_rule_count": len(document.get("inhibit_rules") or []),
            "time_intervals": sorted({str(t.get("name")) for key in ("time_intervals", "mute_time_intervals")
                                      for t in document.get(key) or [] if isinstance(t, dict)})}


@dataclass(frozen=True)
class Delivery:
    """Where an alert with a given label set goes."""

    receivers: tuple[str, ...]
    routes: tuple[str, ...]  # the route paths that handle it
    paging: bool | None  # reaches a paging receiver (None: the routing could not be decided)
    reason: str


@dataclass(frozen=True)
class RoutingTree:
    """A normalized configuration parsed once, to route many label sets."""

    root: Route
    receivers: dict[str, dict]
    has_regex: bool = False  # only regex matchers can be undecidable (an invalid expression)

    @staticmethod
    def of(config: dict[str, Any]) -> "RoutingTree":
        root = Route.from_dict(config["route"])
        return RoutingTree(root, {r["name"]: r for r in config.get("receivers") or []},
                           any(m.op in ("=~", "!~") for m in _all_matchers(root)))


def route_alert(config: "dict[str, Any] | RoutingTree", labels: dict[str, str]) -> Delivery:
    """Route a label set through a normalized configuration (normalize_config's output, or a
    RoutingTree parsed from it)."""
    tree = config if isinstance(config, RoutingTree) else RoutingTree.of(config)
    root = tree.root
    handled = root.match(labels)
    undecided = tree.has_regex and any(m.matches(labels) is None for m in _all_matchers(root))
    receivers = tree.receivers
    names = tuple(dict.fromkeys(r.receiver for r in handled))
    paging_names = [n for n in names if (receivers.get(n) or {}).get("paging")]
    missing = [n for n in names if n not in receivers]
    described = ", ".join(f"{n} ({'/'.join(receivers[n]['integrations']) or 'no integration'})" if n in receivers
                          else f"{n} (undefined)" for n in names)
    if paging_names:
        reason = f"routes to {described}; {', '.join(paging_names)} pages"
    elif missing:
        reason = f"routes to {described}: receiver not defined"
    else:
        reason = f"routes to {described}: no PagerDuty or Opsgenie integration (chat or email only)"
    if undecided and not paging_names:
        return Delivery(names, tuple(r.path for r in handled), None, reason + "; a route matcher has an invalid regular "
                                                                              "expression, so the routing is not certain")
    return Delivery(names, tuple(r.path for r in handled), bool(paging_names), reason)


def _all_matchers(route: Route):
    yield from route.matchers
    for child in route.routes:
        yield from _all_matchers(child)
