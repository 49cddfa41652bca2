"""Azure attributes that need the whole inventory: a subscription's Activity Log export and
security contacts, and a resource's audit logging, come from other resources (diagnostic settings,
security contacts) that point at it. They are derived here, in the graph stage, the same way for
an `az`/ARM export and for a live scan.

A subscription or resource with none of those pointing at it is only judged "none configured"
when the listing is known to have been read: the live collector marks that with
`security_contacts_listed`, `activity_log_settings_listed` or `diagnostic_settings_listed`; an
export that simply has no such rows leaves the attributes absent (NOT_ASSESSED)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from drscan.model import Resource
from drscan.normalize.azure_security import AUDIT_CATEGORIES, severity_covers_high

SUBSCRIPTION = "azure.resources.subscription"
CONTACT = "azure.security.securitycontacts"
DIAGNOSTIC = "azure.insights.diagnosticsettings"
AUDITED_KINDS = ("azure.keyvault.vault", "azure.containerservice.managedclusters")
ACTIVITY_LOG_CATEGORIES = ("Administrative", "Alert", "Policy", "Security")


def _contacts(subscription: Resource, contacts: list[Resource]) -> dict:
    if not contacts and subscription.attrs.get("security_contacts_listed") is not True:
        return {}
    severities = [c.attrs.get("alert_min_severity") for c in contacts if c.attrs.get("alerts_notified")]
    return dict(
        security_contact_emails=any(c.attrs.get("has_emails") is True for c in contacts),
        security_alerts_high=any(severity_covers_high(s) for s in severities),
        security_owner_notified=any(c.attrs.get("owner_notified") is True for c in contacts),
    )


def _exported(settings: list[Resource]) -> list[Resource]:
    return [s for s in settings if s.attrs.get("has_destination") and s.attrs.get("enabled_log_categories")]


def _activity_log(subscription: Resource, settings: list[Resource]) -> dict:
    if not settings and subscription.attrs.get("activity_log_settings_listed") is not True:
        return {}
    if any(s.attrs.get("enabled_log_categories") is None for s in settings):
        return {}  # a setting whose categories were not readable: cannot tell which are exported
    categories = sorted({c for s in _exported(settings) for c in s.attrs["enabled_log_categories"]})
    return dict(activity_log_exported=bool(categories), activity_log_categories=categories)


def _resource_logs(resource: Resource, settings: list[Resource]) -> dict:
    if not settings and resource.attrs.get("diagnostic_settings_listed") is not True:
        return {}
    if any(s.attrs.get("enabled_log_categories") is None for s in settings):
        return {}
    categories = sorted({c for s in _exported(settings) for c in s.attrs["enabled_log_categories"]})
    return dict(diagnostic_log_categories=categories,
                audit_logging=any(c.lower() in AUDIT_CATEGORIES for c in categories))


def derive_azure(resources: dict[str, Resource]) -> dict[str, Resource]:
    """Updated copies of the subscriptions and audited resources whose derived attributes changed."""
    contacts: dict[str, list[Resource]] = defaultdict(list)
    settings: dict[str, list[Resource]] = defaultdict(list)
    listed = False
    for resource in resources.values():
        if resource.kind == CONTACT:
            contacts[resource.account].append(resource)
        elif resource.kind == DIAGNOSTIC and resource.attrs.get("target_id"):
            settings[str(resource.attrs["target_id"])].append(resource)
        elif resource.provider == "azure" and any(resource.attrs.get(k) is True for k in (
                "security_contacts_listed", "activity_log_settings_listed", "diagnostic_settings_listed")):
            listed = True
    if not contacts and not settings and not listed:
        return {}
    updated: dict[str, Resource] = {}
    for resource in resources.values():
        if resource.kind == SUBSCRIPTION:
            attrs = {**_contacts(resource, contacts.get(resource.account, [])),
                     **_activity_log(resource, settings.get(resource.id, []))}
        elif resource.kind in AUDITED_KINDS:
            attrs = _resource_logs(resource, settings.get(resource.id, []))
        else:
            continue
        if attrs:
            updated[resource.id] = replace(resource, attrs={**resource.attrs, **attrs})
    return updated
