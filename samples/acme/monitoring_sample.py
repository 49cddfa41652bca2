"""Monitoring exports and DR tests of the Acme sample estate (used by generate.py): Prometheus
rule files, prometheus.yml, a saved /api/v1/targets answer, alertmanager.yml, `aws fis
get-experiment` outputs, and the drills file. Planted: identity's alerts route only to chat (no
paging route); catalog has no backup-age alert; a stale payments drill and a failed catalog
restore drill with an overdue follow-up; catalog's runbook review is stale."""

from __future__ import annotations

import json

ENTRY_PAYMENTS = "https://api.payments.acme.example/health"
ENTRY_IDENTITY = "https://api.identity.acme.example/health"

RULES = """\
# Prometheus alerting rules of the platform team (loaded by prometheus.yml rule_files).
groups:
  - name: availability
    interval: 30s
    rules:
      - alert: PaymentsApiDown
        expr: probe_success{job="blackbox-http", instance="https://api.payments.acme.example/health"} == 0
        for: 2m
        labels: {severity: critical, app: payments}
        annotations: {summary: "The payments API health check fails"}
      - alert: IdentityApiDown
        expr: probe_success{job="blackbox-http", instance="https://api.identity.acme.example/health"} == 0
        for: 2m
        labels: {severity: warning, app: identity}
        annotations: {summary: "The identity API health check fails"}
      - alert: CatalogDown
        expr: probe_success{job="blackbox-http", instance=~"https://catalog-alb-.*"} == 0
        for: 5m
        labels: {severity: critical, app: catalog}
        annotations: {summary: "The catalog site health check fails"}
  - name: recovery
    rules:
      - alert: PaymentsBackupsNotCompleting
        expr: sum(aws_backup_number_of_backup_jobs_completed_sum{app="payments"}) == 0
        for: 26h
        labels: {severity: critical, app: payments}
        annotations: {summary: "No AWS Backup job of payments completed in the last day"}
      - alert: PaymentsReplicaLagHigh
        expr: aws_rds_replica_lag_maximum{dbinstance_identifier="payments-db-replica-usw2"} > 300
        for: 5m
        labels: {severity: critical, app: payments}
        annotations: {summary: "payments-db-replica-usw2 lags more than 5 minutes (RPO 15m)"}
      - alert: CatalogReplicaLagHigh
        expr: aws_rds_replica_lag_maximum{dbinstance_identifier="catalog-db-replica-usw2"} > 300
        for: 5m
        labels: {severity: critical, app: catalog}
        annotations: {summary: "catalog-db-replica-usw2 lags more than 5 minutes (RPO 15m)"}
"""

PROMETHEUS = """\
global:
  scrape_interval: 30s
  evaluation_interval: 1m
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - static_configs: [{targets: ["alertmanager.monitoring.acme.example:9093"]}]
scrape_configs:
  - job_name: blackbox-http
    scrape_interval: 15s
    metrics_path: /probe
    params: {module: [http_2xx]}
    static_configs:
      - targets: ["https://api.payments.acme.example/health", "https://api.identity.acme.example/health",
                  "https://{catalog_alb}/"]
    relabel_configs:
      - {source_labels: [__address__], target_label: __param_target}
      - {source_labels: [__param_target], target_label: instance}
      - {target_label: __address__, replacement: "blackbox.monitoring.acme.example:9115"}
  - job_name: cloudwatch
    static_configs: [{targets: ["cloudwatch-exporter.monitoring.acme.example:9106"]}]
"""

ALERTMANAGER = """\
# Alertmanager of the platform team. Critical alerts page the owning team; everything else goes to chat.
route:
  receiver: platform-slack
  group_by: [alertname, app]
  routes:
    - matchers: ['severity="critical"', 'app=~"payments|checkout"']
      receiver: payments-pagerduty
    - matchers: ['severity="critical"', 'app="catalog"']
      receiver: catalog-opsgenie
    - matchers: ['app="identity"']
      receiver: identity-slack
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [app]
receivers:
  - name: platform-slack
    slack_configs: [{api_url_file: /etc/alertmanager/secrets/platform-slack-url, channel: "#platform-alerts"}]
  - name: payments-pagerduty
    pagerduty_configs: [{routing_key_file: /etc/alertmanager/secrets/payments-pagerduty-key}]
  - name: catalog-opsgenie
    opsgenie_configs: [{api_key_file: /etc/alertmanager/secrets/opsgenie-key, responders: [{name: catalog-team, type: team}]}]
  - name: identity-slack
    slack_configs: [{api_url_file: /etc/alertmanager/secrets/identity-slack-url, channel: "#identity-alerts"}]
"""


def _target(job: str, instance: str, address: str, interval: str, extra: dict | None = None) -> dict:
    labels = {"instance": instance, "job": job, **(extra or {})}
    discovered = {"__address__": address, "__metrics_path__": "/probe" if job == "blackbox-http" else "/metrics",
                  "__scheme__": "http", "__scrape_interval__": interval, "__scrape_timeout__": "10s", "job": job}
    if job == "blackbox-http":
        discovered.update({"__param_module": "http_2xx", "__param_target": instance})
    url = f"http://{address}/probe?module=http_2xx&target={instance.replace(':', '%3A').replace('/', '%2F')}" \
        if job == "blackbox-http" else f"http://{address}/metrics"
    return {"discoveredLabels": discovered, "labels": labels, "scrapePool": job, "scrapeUrl": url,
            "globalUrl": url, "lastError": "", "lastScrape": "2026-11-20T05:59:51.214Z", "lastScrapeDuration": 0.18,
            "health": "up", "scrapeInterval": interval, "scrapeTimeout": "10s"}


def targets(catalog_alb: str) -> dict:
    """`curl prometheus:9090/api/v1/targets` as saved next to the rule files."""
    active = [_target("blackbox-http", entry, "blackbox.monitoring.acme.example:9115", "15s")
              for entry in (ENTRY_PAYMENTS, ENTRY_IDENTITY, f"https://{catalog_alb}/")]
    active.append(_target("cloudwatch", "cloudwatch-exporter.monitoring.acme.example:9106",
                          "cloudwatch-exporter.monitoring.acme.example:9106", "30s"))
    return {"status": "success", "data": {"activeTargets": active, "droppedTargets": []}}


def fis_experiments(captured: str, account: str, region: str, instance_arns: dict[str, list[str]], database_arn: str) -> dict[str, dict]:
    """`aws fis get-experiment --id X` outputs: identity's AZ drill completed; catalog's database
    failover was stopped by its stop condition (the 5xx alarm fired)."""
    role = f"arn:aws:iam::{account}:role/fis-experiments"
    completed = {"experiment": {
        "id": "EXPiDn7wQz2Lm4Np", "arn": f"arn:aws:fis:{region}:{account}:experiment/EXPiDn7wQz2Lm4Np",
        "experimentTemplateId": "EXTidnAzPower01", "roleArn": role,
        "state": {"status": "completed", "reason": "Experiment completed."},
        "targets": {"identity-web": {"resourceType": "aws:ec2:instance", "resourceArns": instance_arns["identity"],
                                     "selectionMode": "ALL"}},
        "actions": {"stop-az-a": {"actionId": "aws:ec2:stop-instances", "parameters": {"startInstancesAfterDuration": "PT10M"},
                                  "targets": {"Instances": "identity-web"},
                                  "state": {"status": "completed", "reason": "Action was completed."},
                                  "startTime": "2026-11-04T10:00:04Z", "endTime": "2026-11-04T10:10:09Z"}},
        "stopConditions": [{"source": "aws:cloudwatch:alarm",
                            "value": f"arn:aws:cloudwatch:{region}:{account}:alarm:identity-api-5xx"}],
        "creationTime": "2026-11-04T10:00:00Z", "startTime": "2026-11-04T10:00:02Z", "endTime": "2026-11-04T10:10:12Z",
        "tags": {"app": "identity", "drscan:disruption": "zone", "Name": "identity AZ power interruption"},
        "experimentOptions": {"accountTargeting": "single-account", "emptyTargetResolutionMode": "fail",
                              "actionsMode": "run-all"}}}
    stopped = {"experiment": {
        "id": "EXPcAt3Rf8Kp1Vx0", "arn": f"arn:aws:fis:{region}:{account}:experiment/EXPcAt3Rf8Kp1Vx0",
        "experimentTemplateId": "EXTcatDbFailover", "roleArn": role,
        "state": {"status": "stopped", "reason": "Experiment stopped by stop condition."},
        "targets": {"catalog-db": {"resourceType": "aws:rds:db", "resourceArns": [database_arn], "selectionMode": "ALL"}},
        "actions": {"failover": {"actionId": "aws:rds:reboot-db-instances", "parameters": {"forceFailover": "true"},
                                 "targets": {"DBInstances": "catalog-db"},
                                 "state": {"status": "stopped", "reason": "Action was stopped."},
                                 "startTime": "2026-10-28T14:00:03Z", "endTime": "2026-10-28T14:03:40Z"}},
        "stopConditions": [{"source": "aws:cloudwatch:alarm",
                            "value": f"arn:aws:cloudwatch:{region}:{account}:alarm:catalog-api-5xx"}],
        "creationTime": "2026-10-28T14:00:00Z", "startTime": "2026-10-28T14:00:02Z", "endTime": "2026-10-28T14:03:41Z",
        "tags": {"app": "catalog"},
        "experimentOptions": {"accountTargeting": "single-account", "emptyTargetResolutionMode": "fail",
                              "actionsMode": "run-all"}}}
    return {f"{account}/{region}/fis-get-experiment-EXPiDn7wQz2Lm4Np-{captured}.json": completed,
            f"{account}/{region}/fis-get-experiment-EXPcAt3Rf8Kp1Vx0-{captured}.json": stopped}


DRILLS_YAML = """\
# DR drills and tabletop exercises, attested by the app owners (drscan.yaml dr.drills).
drills:
  - {app: payments, date: 2026-10-14, kind: tabletop, disruption: region, outcome: pass,
     participants: [payments-team, checkout-team, ciso], notes: evidence/dr-tabletop-2026-10-14.md,
     follow_ups: [{item: automate the Route 53 failover record switch, owner: payments-team, due: 2027-01-31}]}
  - {app: payments, date: 2025-06-12, kind: failover, disruption: region, outcome: pass, measured_rto: 48m,
     measured_rpo: 3m, participants: [payments-team, sre], notes: stale - the last full region failover of payments}
  - {app: checkout, date: 2026-10-14, type: tabletop, scenario: region_loss,
     participants: [checkout-team, payments-team, ciso], notes: evidence/dr-tabletop-2026-10-14.md}
  - {app: identity, date: 2026-09-08, type: drill, scenario: region_loss, measured_rto: 4m, measured_rpo: 2s,
     participants: [identity-team, sre], notes: us-east-1 health checks forced unhealthy; traffic drained to us-west-2}
  - app: catalog
    date: 2026-08-19
    kind: restore
    disruption: data_corruption
    outcome: fail
    measured_rto: 3h
    participants: [catalog-team]
    notes: point-in-time restore of catalog-db took 3 hours, the RTO is 1 hour
    follow_ups:
      - {item: keep a warm replica for restores, owner: catalog-team, due: 2026-10-31}
      - {item: rehearse the restore again, owner: catalog-team, due: 2026-12-15}
runbooks:
  - {app: payments, reviewed_by: payments-team@acme.example, reviewed_at: 2026-10-14,
     location: https://wiki.acme.example/dr/payments}
  - {app: identity, reviewed_by: identity-team@acme.example, reviewed_at: 2026-09-08}
  - {app: catalog, reviewed_by: catalog-team@acme.example, reviewed_at: 2025-11-02}
"""


def dumps(document: dict) -> str:
    return json.dumps(document, indent=2) + "\n"
