"""Azure security and audit configuration (ARM bodies; `az` CLI output flattens `properties`
into the row, which is accepted too) -> normalized attributes: Defender for Cloud plans
(microsoft.security/pricings), security contacts, diagnostic settings (a subscription's Activity
Log export or a resource's logs), Key Vault keys (expiry, rotation policy), and the Recovery
Services and Site Recovery facts added to drscan.normalize.azure's vault and replicated item."""

from __future__ import annotations

import re

from drscan.normalize.azure import arm_id
from drscan.normalize.lookup import as_bool, as_int, as_list, dig, field, iso_time
from drscan.normalize.shape import Shape

DIAGNOSTICS = "/providers/microsoft.insights/diagnosticsettings/"
# Resource-log categories or category groups that carry audit events (Key Vault AuditEvent, AKS kube-audit).
AUDIT_CATEGORIES = {"audit", "alllogs", "auditevent", "kube-audit", "kube-audit-admin"}
_ISO_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$", re.IGNORECASE)
SEVERITY_ORDER = {"low": 0, "medium": 1, "high": 2}


def body(row: dict, props: dict) -> dict:
    """`properties` when the row has it (ARM, Resource Graph), else the row itself (az CLI)."""
    return props if props else row


def iso_duration_days(value) -> int | None:
    """'P90D' -> 90, 'P3M' -> 90, 'P1Y' -> 365 (months as 30 days)."""
    match = _ISO_DURATION.match(str(value or "").strip())
    if not match or not any(match.groups()):
        return None
    years, months, weeks, days = (int(g or 0) for g in match.groups())
    return years * 365 + months * 30 + weeks * 7 + days


def defender_pricing(row: dict, props: dict) -> Shape:
    data = body(row, props)
    tier = field(data, "pricingTier")
    extensions = [e for e in as_list(field(data, "extensions")) if isinstance(e, dict)]
    return Shape(attrs=dict(
        plan=str(field(row, "name") or "") or None,
        pricing_tier=tier,
        enabled=str(tier).lower() == "standard" if tier else None,
        sub_plan=field(data, "subPlan"),
        deprecated=as_bool(field(data, "deprecated")),
        enabled_extensions=sorted(str(field(e, "name")) for e in extensions if as_bool(field(e, "isEnabled")) is True)
        if "extensions" in data else None,
    ))


def security_contact(row: dict, props: dict) -> Shape:
    """A Defender for Cloud security contact (API 2023-12-01-preview `notificationsSources`, or the
    older `alertNotifications`). The addresses are not kept: only whether there are any."""
    data = body(row, props)
    emails = field(data, "emails") if "emails" in data else field(data, "email")
    severity = None
    enabled = as_bool(field(data, "isEnabled"))
    for source in as_list(field(data, "notificationsSources")):
        if str(field(source, "sourceType")).lower() == "alert":
            severity = field(source, "minimalSeverity")
    if severity is not None and enabled is None:
        # The 2023-12-01-preview body states isEnabled with its notificationsSources: a contact
        # without it may be switched off, so its alert settings do not count.
        severity = None
    if severity is None and isinstance(field(data, "alertNotifications"), dict):
        if str(dig(data, "alertNotifications.state")).lower() == "on":
            severity = dig(data, "alertNotifications.minimalSeverity")
            enabled = True if enabled is None else enabled
    roles = [str(r).lower() for r in as_list(dig(data, "notificationsByRole.roles"))]
    by_role = dig(data, "notificationsByRole.state")
    subscription = "/".join(str(field(row, "id") or "").lower().split("/")[:3])
    shape = Shape(attrs=dict(
        has_emails=bool(str(emails or "").strip()) if ("emails" in data or "email" in data) else None,
        alert_min_severity=str(severity) if severity and enabled is not False else None,
        alerts_notified=bool(severity) and enabled is not False if (severity is not None or enabled is not None) else None,
        owner_notified=(str(by_role).lower() == "on" and "owner" in roles) if by_role is not None else None,
    ))
    shape.ref("contact_for", subscription if subscription.startswith("/subscriptions/") else None)
    return shape


def diagnostic_target(setting_id) -> str | None:
    """'<resource id>/providers/microsoft.insights/diagnosticSettings/<name>' -> the resource id."""
    text = str(setting_id or "").lower()
    return text.split(DIAGNOSTICS, 1)[0] if DIAGNOSTICS in text else None


def diagnostic_setting(row: dict, props: dict) -> Shape:
    data = body(row, props)
    logs = [entry for entry in as_list(field(data, "logs")) if isinstance(entry, dict)]
    enabled = sorted({str(field(entry, "category") or field(entry, "categoryGroup")) for entry in logs
                      if as_bool(field(entry, "enabled")) is True and (field(entry, "category") or field(entry, "categoryGroup"))})
    destinations = [field(data, k) for k in ("workspaceId", "storageAccountId", "eventHubAuthorizationRuleId",
                                             "marketplacePartnerId")]
    target = diagnostic_target(field(row, "id"))
    shape = Shape(attrs=dict(
        target_id=target,
        enabled_log_categories=enabled if "logs" in data else None,
        has_destination=any(bool(d) for d in destinations),
        workspace_id=arm_id(field(data, "workspaceId")),
        storage_account_id=arm_id(field(data, "storageAccountId")),
    ))
    shape.ref("logs", target)
    return shape


def key_vault_key(row: dict, props: dict) -> Shape:
    """microsoft.keyvault/vaults/keys (ARM management plane): `attributes.exp` is the expiry (epoch
    seconds); `rotationPolicy.lifetimeActions` holds a Rotate action when auto-rotation is on."""
    data = body(row, props)
    attributes = field(data, "attributes") or {}
    policy = field(data, "rotationPolicy")
    actions = as_list(field(policy, "lifetimeActions")) if isinstance(policy, dict) else []
    rotate = [a for a in actions if str(dig(a, "action.type")).lower() == "rotate"]
    interval = [d for d in (iso_duration_days(dig(a, "trigger.timeAfterCreate")) for a in rotate) if d is not None]
    expiry = field(attributes, "exp")
    key_id = str(field(row, "id") or "").lower()
    shape = Shape(attrs=dict(
        enabled=as_bool(field(attributes, "enabled")),
        key_type=field(data, "kty"),
        key_size=as_int(field(data, "keySize")),
        expires_at=iso_time(expiry) if expiry is not None else None,
        has_expiry=expiry is not None if isinstance(attributes, dict) and attributes else None,
        rotation_enabled=bool(rotate) if isinstance(policy, dict) else None,
        rotation_interval_days=min(interval) if interval else None,
        recovery_level=field(attributes, "recoveryLevel"),
    ))
    shape.ref("child_of", key_id.split("/keys/", 1)[0] if "/keys/" in key_id else None)
    return shape


def recovery_vault_extras(row: dict, props: dict) -> Shape:
    """Public network access and customer-managed-key encryption of a Recovery Services vault."""
    public = field(props, "publicNetworkAccess")
    key = dig(props, "encryption.keyVaultProperties.keyUri")
    return Shape(attrs=dict(
        public_network_access=public,
        cmk=bool(key) if props else None,
    ))


def replicated_item_extras(row: dict, props: dict) -> Shape:
    """When Site Recovery last proved it can fail over (a test failover), and how it went."""
    last_test = iso_time(field(props, "lastSuccessfulTestFailoverTime"))
    return Shape(attrs=dict(
        last_test_failover=last_test,
        test_failover_state=field(props, "testFailoverState"),
        failover_health=field(props, "failoverHealth"),
    ))


def severity_covers_high(value) -> bool | None:
    """Notifications at minimal severity Low, Medium or High all include High alerts."""
    if value is None:
        return None
    return str(value).lower() in SEVERITY_ORDER
