"""Offline monitoring exports, recognized by content (collect stage): Prometheus rule files and
PrometheusRule objects, prometheus.yml, alertmanager.yml (YAML), and saved Prometheus and
Alertmanager API answers (/api/v1/rules, /api/v1/alerts, /api/v1/targets, /api/v1/status/config,
/api/v2/status; JSON). Other YAML (drscan.yaml, manifests) is not an export and is left alone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.yamlfile import parse_yaml_text
from drscan.model import Resource
from drscan.monitoring.alertmanager import AlertmanagerConfigError, normalize_config
from drscan.monitoring.prometheus import (PROVIDER, alert_resources, rule_resources, server_resource,
                                          target_resources)

YAML_SUFFIXES = (".yml", ".yaml")
ALERTMANAGER = "monitoring.alertmanager.config"
IMPORTED = "import"  # the server name of everything read from files
SNIFF_BYTES = 65536
# A top-level key (column 0) that only these formats have.
_RULE_FILE = re.compile(r"^groups:\s*(#.*)?$", re.M)
_ALERTMANAGER = re.compile(r"^route:\s*(#.*)?$", re.M)
_RECEIVERS = re.compile(r"^receivers:", re.M)
_PROMETHEUS = re.compile(r"^scrape_configs:", re.M)
_PROMETHEUS_RULE = re.compile(r"^kind:\s*[\"']?PrometheusRule[\"']?\s*$", re.M)


def yaml_kind(text: str) -> str | None:
    """Which monitoring file this YAML text is, by its top-level keys: rules, alertmanager,
    prometheus, prometheus_rule (the Kubernetes CR), or None."""
    head = text[:SNIFF_BYTES]
    if _PROMETHEUS_RULE.search(head):
        return "prometheus_rule"
    if _ALERTMANAGER.search(head) and _RECEIVERS.search(head):
        return "alertmanager"
    if _PROMETHEUS.search(head):
        return "prometheus"
    if _RULE_FILE.search(head):
        return "rules"
    return None


def looks_like_monitoring_yaml(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return True  # let the import report the error, naming the file
    return yaml_kind(head.decode("utf-8", "replace")) is not None


def alertmanager_resource(document: Any, server: str, rid: str, source: str) -> Resource:
    try:
        attrs = normalize_config(document)
    except AlertmanagerConfigError as exc:
        raise InputError(f"{source}: not a valid Alertmanager configuration: {exc}") from None
    attrs["server"] = server
    return Resource(kind=ALERTMANAGER, id=rid, name=f"alertmanager {server}", provider=PROVIDER, account=server,
                    region="", attrs=attrs, source=source)


MAX_YAML_BYTES = 32 * 1024 * 1024
# Values after alias expansion (yamlfile's bound, raised for large rule files): a "billion laughs"
# file stops here instead of expanding exponentially once walked.
MAX_YAML_VALUES = 1_000_000


def _parse_yaml(text: str, path: Path) -> Any:
    if len(text) > MAX_YAML_BYTES:
        raise InputError(f"{path}: YAML larger than {MAX_YAML_BYTES // 2**20} MiB")
    return parse_yaml_text(text, str(path), MAX_YAML_VALUES)


def _rule_groups(document: Any, path: Path, where: str) -> list:
    groups = document.get("groups") if isinstance(document, dict) else None
    if not isinstance(groups, list) or not all(isinstance(g, dict) and isinstance(g.get("rules", []), list) for g in groups):
        raise InputError(f"{path}: {where}: `groups` must be a list of {{name, rules: [...]}}")
    return groups


def import_monitoring_yaml(text: str, path: Path) -> ImportBatch | None:
    """A YAML monitoring file -> resources; None when the text is not one (by content)."""
    kind = yaml_kind(text)
    if kind is None:
        return None
    document = _parse_yaml(text, path)
    batch = ImportBatch()
    if kind == "rules":
        batch.resources.extend(rule_resources(_rule_groups(document, path, "Prometheus rule file"), path.name, IMPORTED,
                                              str(path)))
    elif kind == "prometheus_rule":
        spec = document.get("spec") if isinstance(document, dict) else None
        batch.resources.extend(rule_resources(_rule_groups(spec, path, "PrometheusRule spec"), path.name, IMPORTED, str(path)))
    elif kind == "alertmanager":
        batch.resources.append(alertmanager_resource(document, IMPORTED, f"alertmanager:{IMPORTED}:{path.name}", str(path)))
    elif kind == "prometheus":
        if not isinstance(document, dict):
            raise InputError(f"{path}: Prometheus configuration is not a mapping")
        batch.resources.append(server_resource(document, IMPORTED, str(path)))
    return batch


def import_monitoring_json(document: Any, path: Path) -> ImportBatch | None:
    """A saved Prometheus or Alertmanager API answer -> resources; None when it is not one."""
    if not isinstance(document, dict):
        return None
    batch = ImportBatch()
    data = document.get("data")
    if document.get("status") in ("success", "error") and isinstance(data, dict):
        if isinstance(data.get("groups"), list):
            batch.resources.extend(rule_resources(data["groups"], path.name, IMPORTED, str(path)))
        elif isinstance(data.get("alerts"), list):
            batch.resources.extend(alert_resources(data, IMPORTED, str(path)))
        elif isinstance(data.get("activeTargets"), list):
            batch.resources.extend(target_resources(data, IMPORTED, str(path)))
        elif isinstance(data.get("yaml"), str):
            config = _parse_yaml(data["yaml"], path)
            if not isinstance(config, dict):
                raise InputError(f"{path}: data.yaml is not a Prometheus configuration")
            batch.resources.append(server_resource(config, IMPORTED, str(path)))
        else:
            return None
        return batch
    config = document.get("config")
    if isinstance(config, dict) and isinstance(config.get("original"), str) and "versionInfo" in document:
        parsed = _parse_yaml(config["original"], path)
        batch.resources.append(alertmanager_resource(parsed, IMPORTED, f"alertmanager:{IMPORTED}:{path.name}", str(path)))
        return batch
    return None
