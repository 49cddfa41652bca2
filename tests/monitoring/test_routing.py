"""Alertmanager routing as Alertmanager evaluates it: matchers, deprecated match/match_re,
continue, nested routes, inherited receivers, absent labels, inhibitions ignored."""

from __future__ import annotations

import pytest
import yaml

from drscan.monitoring.alertmanager import AlertmanagerConfigError, normalize_config, route_alert

CONFIG = yaml.safe_load("""
route:
  receiver: team-chat
  group_by: [alertname]
  routes:
    - matchers: ['severity="critical"', 'app=~"pay.*"']
      receiver: payments-pager
      continue: true
    - match: {team: checkout}
      receiver: checkout-email
      routes:
        - match_re: {severity: "critical|page"}
          receiver: checkout-opsgenie
    - matchers: ['{app="identity", env!="staging"}']
      routes:
        - matchers: [severity=critical]
          receiver: identity-pager
    - matchers: ['severity="critical"']
      receiver: catch-all-pager
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname]
receivers:
  - name: team-chat
    slack_configs: [{api_url: "https://hooks.slack.com/services/T000/B000/XXXX", channel: "#ops"}]
  - name: payments-pager
    pagerduty_configs: [{routing_key: "0123456789abcdef0123456789abcdef"}]
  - name: checkout-email
    email_configs: [{to: checkout@acme.example}]
  - name: checkout-opsgenie
    opsgenie_configs: [{api_key: "secret"}]
  - name: identity-pager
    webhook_configs: [{url: "https://events.pagerduty.com/v2/enqueue"}]
  - name: catch-all-pager
    pagerduty_configs: [{service_key: "abc"}]
""")


@pytest.fixture(scope="module")
def config():
    return normalize_config(CONFIG)


def test_continue_sends_to_the_matching_route_and_the_next_matching_sibling(config):
    delivery = route_alert(config, {"severity": "critical", "app": "payments"})
    assert delivery.receivers == ("payments-pager", "catch-all-pager")
    assert delivery.routes == ("route.routes[0]", "route.routes[3]") and delivery.paging is True


def test_first_match_without_continue_stops_the_search(config):
    delivery = route_alert(config, {"severity": "critical", "team": "checkout"})
    assert delivery.receivers == ("checkout-opsgenie",)  # nested match_re; the catch-all is never reached
    assert delivery.paging is True


def test_nested_route_without_a_matching_child_handles_the_alert_itself(config):
    delivery = route_alert(config, {"severity": "warning", "team": "checkout"})
    assert delivery.receivers == ("checkout-email",) and delivery.paging is False
    assert "chat or email only" in delivery.reason


def test_child_route_inherits_its_parents_receiver(config):
    # route.routes[2] has no receiver: it inherits team-chat; its child pages through a PagerDuty webhook.
    assert route_alert(config, {"app": "identity", "severity": "critical"}).receivers == ("identity-pager",)
    assert route_alert(config, {"app": "identity", "severity": "warning"}).receivers == ("team-chat",)
    assert route_alert(config, {"app": "identity", "env": "staging", "severity": "critical"}).receivers == ("catch-all-pager",)


def test_regex_matchers_are_anchored_and_absent_labels_are_empty(config):
    assert route_alert(config, {"severity": "critical", "app": "repay"}).receivers == ("catch-all-pager",)  # ^pay.*$
    assert route_alert(config, {"severity": "criticalish"}).receivers == ("team-chat",)
    assert route_alert(config, {}).receivers == ("team-chat",)


def test_inhibition_rules_do_not_change_routing(config):
    assert config["inhibit_rule_count"] == 1
    assert route_alert(config, {"severity": "warning", "alertname": "X"}).receivers == ("team-chat",)


def test_receivers_keep_integration_types_not_secrets(config):
    text = repr(config)
    for secret in ("0123456789abcdef0123456789abcdef", "hooks.slack.com", "XXXX", "checkout@acme.example"):
        assert secret not in text
    receivers = {r["name"]: r for r in config["receivers"]}
    assert receivers["identity-pager"]["paging_via"] == ["webhook:events.pagerduty.com"]
    assert receivers["team-chat"] == {"name": "team-chat", "integrations": ["slack"], "paging": False, "paging_via": []}


def test_an_undefined_receiver_is_not_paging(config):
    broken = normalize_config({"route": {"receiver": "ghost"}, "receivers": []})
    delivery = route_alert(broken, {"severity": "critical"})
    assert delivery.paging is False and "not defined" in delivery.reason


@pytest.mark.parametrize("document,message", [
    ({"receivers": []}, "no top-level `route`"),
    ({"route": {"routes": []}, "receivers": []}, "no receiver"),
    ({"route": {"receiver": "a", "routes": [{"matchers": ["sev ~ 1"]}]}, "receivers": []}, "route.routes[0].matchers"),
])
def test_unreadable_configurations_are_errors_naming_the_route(document, message):
    with pytest.raises(AlertmanagerConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        normalize_config(document)


def test_invalid_regex_makes_routing_undecided():
    config = normalize_config({"route": {"receiver": "chat", "routes": [{"matchers": ['app=~"("'], "receiver": "pd"}]},
                               "receivers": [{"name": "chat", "slack_configs": [{}]},
                                             {"name": "pd", "pagerduty_configs": [{"routing_key": "x"}]}]})
    assert route_alert(config, {"app": "x"}).paging is None
