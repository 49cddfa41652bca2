"""`drscan permissions gcp`: the read-only role and exact permissions a live GCP scan needs,
generated from the same asset-group list the collector plans its tasks from."""

from __future__ import annotations

from drscan.collect.gcp.plan import ASSET_GROUPS, CONTENT_TYPE_PERMISSIONS, LIST_ASSETS


def required_permissions() -> list[str]:
    return sorted({group.permission for group in ASSET_GROUPS})


def permission_for(http_method: str, path: str, content_type: str) -> str | None:
    """The permission a request needs, if it is a call the collector is allowed to make:
    GET /v1/{organizations|folders|projects}/ID/assets with a content type we list."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    if (http_method.upper() != LIST_ASSETS[1] or len(parts) != 4 or parts[0] != "v1" or parts[3] != "assets"
            or parts[1] not in ("organizations", "folders", "projects")):
        return None
    return CONTENT_TYPE_PERMISSIONS.get(content_type)


def permissions_document() -> dict:
    method, verb, path = LIST_ASSETS
    return {
        "provider": "gcp",
        "grant_on": "each --scope: the organization, folder or project drscan lists assets under",
        "recommended_roles": ["roles/cloudasset.viewer"],
        "custom_role": {
            "title": "drscan read-only auditor",
            "description": "Lists Cloud Asset Inventory resources and IAM policies (read-only).",
            "stage": "GA",
            "includedPermissions": required_permissions(),
        },
        "apis": {
            "enable": ["cloudasset.googleapis.com"],
            "where": "the project that bills the calls (the service account's project, or the ADC quota project)",
        },
        "api_calls": [
            {"method": method, "http": f"{verb} {path}", "content_type": group.content_type,
             "asset_types": list(group.asset_types), "permission": group.permission, "group": group.name,
             "kinds": list(group.kinds)}
            for group in ASSET_GROUPS
        ],
        "notes": [
            "Every call is a read (ListAssets); drscan never changes anything.",
            "Credentials: Application Default Credentials, or a bearer token in DRSCAN_GCP_TOKEN.",
            "A call the identity may not make is reported as a gap (NOT_ASSESSED), never as a pass.",
            ("User credentials with a quota project also need serviceusage.services.use on that project "
             "(roles/serviceusage.serviceUsageConsumer)."),
        ],
    }
