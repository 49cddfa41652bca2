"""The read-only Azure custom role the live collector needs, generated from queries.py."""

from __future__ import annotations

from drscan.collect.azure.queries import all_permissions

ROLE_NAME = "drscan reader"
BUILT_IN_ROLE = "Reader"  # acdd72a7-3385-48ef-bd42-f606fba81ae7: every */read action, nothing else


def permissions_document(assignable_scopes: tuple[str, ...] = ("/subscriptions/00000000-0000-0000-0000-000000000000",)) -> dict:
    """An Azure custom role definition (az role definition create --role-definition @file.json)
    granting exactly the read actions drscan calls, plus the built-in role that also suffices."""
    return {
        "Name": ROLE_NAME,
        "IsCustom": True,
        "Description": "Read-only access for drscan's compliance and DR-readiness scan "
                       "(Azure Resource Graph and the resource types it queries).",
        "Actions": list(all_permissions()),
        "NotActions": [],
        "DataActions": [],
        "NotDataActions": [],
        "AssignableScopes": list(assignable_scopes),
        "drscan": {
            "recommendedBuiltInRole": BUILT_IN_ROLE,
            "note": "Assign at subscription (or management group) scope. Resource Graph returns only the rows the "
                    "principal may read, so a narrower role hides resources without an error; Reader avoids that. "
                    "Per-user MFA state is in Microsoft Entra ID (Microsoft Graph), which this role does not cover.",
        },
    }
