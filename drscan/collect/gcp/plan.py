"""What a live GCP scan asks Cloud Asset Inventory for: the one list of asset groups that both
the task plan and the permissions document (`drscan permissions gcp`) are built from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

from drscan.errors import InputError
from drscan.normalize.gcp import ASSET_TYPES, generic_kind

RESOURCE = "RESOURCE"
IAM_POLICY = "IAM_POLICY"

# ListAssets needs one permission per content type on the scope (organization, folder or project).
# https://cloud.google.com/asset-inventory/docs/listing-assets
CONTENT_TYPE_PERMISSIONS: dict[str, str] = {
    RESOURCE: "cloudasset.assets.listResource",
    IAM_POLICY: "cloudasset.assets.listIamPolicy",
}

# The REST method the collector calls (and nothing else): name, HTTP verb and path template.
LIST_ASSETS = ("google.cloud.asset.v1.AssetService.ListAssets", "GET", "/v1/{parent=*/*}/assets")


@dataclass(frozen=True)
class AssetGroup:
    """One ListAssets call series: a content type and the asset types that share a failure fate.
    Groups follow services, so a service's 'API not enabled' or an unsupported type costs only
    that service's kinds."""

    name: str
    content_type: str
    asset_types: tuple[str, ...]

    @property
    def permission(self) -> str:
        return CONTENT_TYPE_PERMISSIONS[self.content_type]

    @property
    def kinds(self) -> tuple[str, ...]:
        """The drscan kinds this group's data feeds (what a Gap on it leaves NOT_ASSESSED)."""
        return tuple(dict.fromkeys(ASSET_TYPES[t][0] if t in ASSET_TYPES else generic_kind(t) for t in self.asset_types))


BUCKET = "storage.googleapis.com/Bucket"
PROJECT = "cloudresourcemanager.googleapis.com/Project"

ASSET_GROUPS: tuple[AssetGroup, ...] = (
    AssetGroup("storage", RESOURCE, (BUCKET,)),
    AssetGroup("compute", RESOURCE, (
        "compute.googleapis.com/Disk", "compute.googleapis.com/RegionDisk", "compute.googleapis.com/Snapshot",
        "compute.googleapis.com/ResourcePolicy", "compute.googleapis.com/Instance",
        "compute.googleapis.com/InstanceGroupManager", "compute.googleapis.com/RegionInstanceGroupManager",
        "compute.googleapis.com/Firewall")),
    AssetGroup("sql", RESOURCE, ("sqladmin.googleapis.com/Instance",)),
    AssetGroup("spanner", RESOURCE, ("spanner.googleapis.com/Instance",)),
    AssetGroup("firestore", RESOURCE, ("firestore.googleapis.com/Database",)),
    AssetGroup("kms", RESOURCE, ("cloudkms.googleapis.com/CryptoKey",)),
    AssetGroup("container", RESOURCE, ("container.googleapis.com/Cluster",)),
    AssetGroup("resourcemanager", RESOURCE, (PROJECT,)),
    AssetGroup("iam", RESOURCE, ("iam.googleapis.com/ServiceAccount", "iam.googleapis.com/ServiceAccountKey")),
    AssetGroup("dns", RESOURCE, ("dns.googleapis.com/ManagedZone", "dns.googleapis.com/ResourceRecordSet")),
    # IAM policies: public members on buckets; public members, basic roles and audit configs on projects.
    AssetGroup("storage-iam", IAM_POLICY, (BUCKET,)),
    AssetGroup("resourcemanager-iam", IAM_POLICY, (PROJECT,)),
)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_SCOPE = re.compile(r"^(organizations/\d+|folders/\d+|projects/(\d+|([a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]))$")


def parse_scopes(values: Iterable[str] | str) -> tuple[str, ...]:
    """'projects/a, folders/5' and repeated values -> validated, de-duplicated scopes, in order."""
    if isinstance(values, str):
        values = (values,)
    scopes: list[str] = []
    for value in values:
        for part in str(value).split(","):
            scope = part.strip().rstrip("/")
            if not scope:
                continue
            if not _SCOPE.match(scope):
                raise InputError(f"--scope {scope!r}: expected organizations/NUMBER, folders/NUMBER or "
                                 f"projects/PROJECT_ID (or projects/NUMBER)")
            if scope not in scopes:
                scopes.append(scope)
    if not scopes:
        raise InputError("--gcp needs at least one --scope: organizations/NUMBER, folders/NUMBER or projects/PROJECT_ID")
    return tuple(scopes)


def validate_endpoint(endpoint: str | None) -> str | None:
    if endpoint is None or not endpoint.strip():
        return None
    endpoint = endpoint.strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", endpoint):
        raise InputError(f"--gcp-endpoint {endpoint!r}: expected a URL such as https://cloudasset-psc.p.googleapis.com "
                         f"or http://127.0.0.1:8123 (the scheme is required)")
    host = urlsplit(endpoint).hostname or ""
    if endpoint.startswith("http://") and host not in LOOPBACK:
        # The bearer token travels in the Authorization header: in clear text over http.
        raise InputError(f"--gcp-endpoint {endpoint!r}: plain http is accepted only for localhost (the access token "
                         f"would be sent unencrypted); use https")
    return endpoint
