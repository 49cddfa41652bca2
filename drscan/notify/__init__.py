"""Alerting after a scan: notify.yaml -> outgoing requests for new and resolved critical gaps
(webhook, PagerDuty, Opsgenie, Slack) -> delivery with bounded retries. See docs/notify.md."""
