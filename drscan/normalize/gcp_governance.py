"""GCP governance assets in Cloud Asset Inventory -> normalized attributes: the organization,
organization policies (orgpolicy v2), Essential Contacts, log sinks and log buckets, Cloud DNS
policies, VPC networks, and the DNSSEC key algorithms of managed zones.

Same contract as drscan.normalize.gcp: a false flag Google's JSON leaves out is read as false
only where that is the failing value; otherwise an absent field stays absent.
"""

from __future__ import annotations

import re

from drscan.normalize.gcp import compute_name, kms_key_name
from drscan.normalize.lookup import as_bool, as_int, as_list, dig, field, last_segment
from drscan.normalize.shape import Shape

_PARENT = re.compile(r"^(organizations|folders|projects)/([^/]+)")
DESTINATION_TYPES = {"storage.googleapis.com": "storage", "bigquery.googleapis.com": "bigquery",
                     "pubsub.googleapis.com": "pubsub", "logging.googleapis.com": "logging"}
SECURITY_CATEGORIES = {"ALL", "SECURITY"}  # Essential Contacts categories that receive security notices
LOG_BUCKET_DEFAULT_RETENTION_DAYS = 30  # retentionDays unset (https://cloud.google.com/logging/quotas#logs_retention_periods)


def parent_of(name) -> tuple[str | None, str | None]:
    """'organizations/77/policies/x' -> ('organization', 'organizations/77')."""
    match = _PARENT.match(str(name or ""))
    if not match:
        return None, None
    return match.group(1).rstrip("s"), f"{match.group(1)}/{match.group(2)}"


def resourcemanager_name(parent: str | None) -> str | None:
    """'organizations/77' -> the Cloud Asset name of the organization (projects only by number, as CAI names them)."""
    if not parent:
        return None
    kind, _, value = parent.partition("/")
    if kind == "projects" and not value.isdigit():
        return None
    return f"//cloudresourcemanager.googleapis.com/{parent}"


def organization(data: dict, iam: dict, location: str) -> Shape:
    shape = Shape()
    if data:
        shape.attrs.update(organization_id=last_segment(field(data, "name")) or None,
                           display_name=field(data, "displayName"),
                           lifecycle_state=field(data, "lifecycleState") or field(data, "state"))
        shape.name = field(data, "displayName")
    return shape


def org_policy(data: dict, iam: dict, location: str) -> Shape:
    """orgpolicy.googleapis.com/Policy (v2): spec.rules hold `enforce` for boolean constraints and
    `values` / `allowAll` / `denyAll` for list constraints; a rule with a condition applies only to
    some resources, so it is not counted as enforcing everywhere."""
    name = field(data, "name")
    parent_type, parent = parent_of(name)
    spec = field(data, "spec")
    spec = spec if isinstance(spec, dict) else None
    rules = as_list(field(spec, "rules")) if spec else []
    # Each rule sets exactly one of these; a rule with none (or not an object) was not read, and
    # it could be the one that weakens the constraint.
    unread = any(not isinstance(r, dict) or all(field(r, key) is None for key in ("enforce", "values", "allowAll", "denyAll"))
                 for r in rules)
    unconditional = [r for r in rules if isinstance(r, dict) and not field(r, "condition")]
    enforce = [as_bool(field(r, "enforce")) for r in unconditional if field(r, "enforce") is not None]
    allowed = sorted({str(v) for r in unconditional for v in as_list(dig(r, "values.allowedValues"))})
    denied = sorted({str(v) for r in unconditional for v in as_list(dig(r, "values.deniedValues"))})
    allow_all = any(as_bool(field(r, "allowAll")) is True for r in unconditional)
    deny_all = any(as_bool(field(r, "denyAll")) is True for r in unconditional)
    reset = as_bool(field(spec, "reset")) is True if spec else None
    # A boolean constraint enforced only under a condition is not enforced everywhere (False);
    # no `enforce` in any rule (a list constraint, or no spec) leaves it unknown.
    conditional = [r for r in rules if isinstance(r, dict) and field(r, "condition") and field(r, "enforce") is not None]
    enforced = (True in enforce) if enforce else (False if conditional else None)
    weakens = None
    if spec is not None and (rules or reset):
        weakens = bool(reset) or allow_all or (enforce and True not in enforce)
    shape = Shape(attrs=dict(
        constraint=name.split("/policies/", 1)[1] if name and "/policies/" in str(name) else None,
        parent=parent,
        parent_type=parent_type,
        enforced=enforced,
        allowed_values=allowed,
        denied_values=denied,
        restricts_values=bool(allowed or denied or deny_all) if spec is not None and rules else None,
        allow_all=allow_all,
        reset=reset,
        inherit_from_parent=as_bool(field(spec, "inheritFromParent")) is True if spec else None,
        weakens=bool(weakens) if weakens is not None else None,
        dry_run=bool(field(data, "dryRunSpec")) and spec is None,
    ))
    if unread:
        shape.attrs.update(dict.fromkeys(("enforced", "allowed_values", "denied_values", "restricts_values",
                                          "allow_all", "weakens", "dry_run")))
    shape.ref("applies_to", resourcemanager_name(parent))
    return shape


def essential_contact(data: dict, iam: dict, location: str) -> Shape:
    """essentialcontacts.googleapis.com/Contact: who Google notifies, per category. The address is
    not kept (it is personal data and no rule needs it)."""
    subscribed = field(data, "notificationCategorySubscriptions")
    categories = sorted({str(c) for c in subscribed}) if isinstance(subscribed, list) else None
    _, parent = parent_of(field(data, "name"))
    shape = Shape(attrs=dict(
        categories=categories,
        covers_security=bool(SECURITY_CATEGORIES & set(categories)) if categories is not None else None,
        validation_state=field(data, "validationState"),
        parent=parent,
    ))
    shape.ref("contact_for", resourcemanager_name(parent))
    return shape


def log_sink(data: dict, iam: dict, location: str) -> Shape:
    """A sink's filter is deliberately not judged: Google's JSON leaves an empty filter out, so a
    sink that exports everything cannot be told from an export that lost its filter."""
    destination = str(field(data, "destination") or "")
    service = destination.split("/", 1)[0]
    shape = Shape(attrs=dict(
        destination=destination or None,
        destination_type=DESTINATION_TYPES.get(service, "other") if destination else None,
        disabled=as_bool(field(data, "disabled")) is True if data else None,
        include_children=as_bool(field(data, "includeChildren")) is True if data else None,
        exclusion_count=len(as_list(field(data, "exclusions"))) if data else None,
    ))
    shape.ref("exports_to", f"//{destination}" if service in DESTINATION_TYPES else None)
    return shape


def log_bucket(data: dict, iam: dict, location: str) -> Shape:
    name = str(field(data, "name") or "")
    bucket_id = last_segment(name)
    retention = as_int(field(data, "retentionDays"))
    key = dig(data, "cmekSettings.kmsKeyName")
    shape = Shape(attrs=dict(
        bucket_id=bucket_id or None,
        user_defined=not bucket_id.startswith("_") if bucket_id else None,
        # Unset (or 0) means Cloud Logging's default of 30 days: a failing value for any longer requirement.
        retention_days=retention if retention else (LOG_BUCKET_DEFAULT_RETENTION_DAYS if data else None),
        locked=as_bool(field(data, "locked")) is True if data else None,
        cmek_key=key,
        analytics_enabled=as_bool(field(data, "analyticsEnabled")) is True if data else None,
        lifecycle_state=field(data, "lifecycleState"),
    ))
    shape.ref("encrypted_by", kms_key_name(key))
    return shape


def dns_policy(data: dict, iam: dict, location: str) -> Shape:
    networks = [compute_name(field(n, "networkUrl")) for n in as_list(field(data, "networks"))]
    shape = Shape(attrs=dict(
        enable_logging=as_bool(field(data, "enableLogging")) is True if data else None,
        inbound_forwarding=as_bool(field(data, "enableInboundForwarding")) is True if data else None,
        alternative_name_servers=len(as_list(dig(data, "alternativeNameServerConfig.targetNameServers"))) if data else None,
        network_count=len([n for n in networks if n]) if data else None,
    ))
    for network in networks:
        shape.ref("applies_to", network)
    return shape


def compute_network(data: dict, iam: dict, location: str) -> Shape:
    """A legacy network carries IPv4Range and no autoCreateSubnetworks; a VPC network the reverse."""
    name = field(data, "name")
    if field(data, "IPv4Range"):
        legacy = True
    elif "autoCreateSubnetworks" in data or field(data, "subnetworks") is not None:
        legacy = False
    else:
        legacy = None
    return Shape(attrs=dict(
        is_default=(str(name) == "default") if name else None,
        legacy=legacy,
        auto_create_subnetworks=as_bool(field(data, "autoCreateSubnetworks")),
        routing_mode=dig(data, "routingConfig.routingMode"),
        subnetwork_count=len(as_list(field(data, "subnetworks"))) if "subnetworks" in data else None,
    ))


def dns_zone_dnssec(data: dict, iam: dict, location: str) -> Shape:
    """The DNSSEC signing algorithms of a managed zone (added to drscan.normalize.gcp.dns_managed_zone)."""
    specs = as_list(dig(data, "dnssecConfig.defaultKeySpecs"))

    def algorithm(key_type: str) -> str | None:
        found = [str(field(s, "algorithm")).lower() for s in specs
                 if str(field(s, "keyType")).lower() == key_type.lower() and field(s, "algorithm")]
        return found[0] if found else None

    return Shape(attrs=dict(dnssec_ksk_algorithm=algorithm("keySigning"), dnssec_zsk_algorithm=algorithm("zoneSigning")))
