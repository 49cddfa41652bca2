"""GCP relations that need the whole inventory: a Filestore backup names its source instance as
projects/{number}/locations/{zone}/instances/{id} while the instance's asset may spell the project
by id, so backups are matched to instances here (on project, location and instance id)."""

from __future__ import annotations

import re

from drscan.model import Relation, Resource

_INSTANCE = re.compile(r"/locations/([^/]+)/instances/([^/]+)$")


def gcp_links(resources: dict[str, Resource]) -> list[Relation]:
    backups = [r for r in resources.values() if r.kind == "gcp.file.backup" and r.attrs.get("source_instance_key")]
    if not backups:
        return []
    project_ids = {str(r.attrs.get("project_number")): str(r.attrs.get("project_id")) for r in resources.values()
                   if r.kind == "gcp.resourcemanager.project" and r.attrs.get("project_id")}
    instances: dict[tuple[str, str], list[str]] = {}
    for resource in resources.values():
        match = _INSTANCE.search(resource.id) if resource.kind == "gcp.file.instance" else None
        if match:
            instances.setdefault((resource.account, f"{match.group(1)}/{match.group(2)}"), []).append(resource.id)
    relations = []
    for backup in backups:
        project = str(backup.attrs.get("source_project") or backup.account)
        key = str(backup.attrs["source_instance_key"])
        found = instances.get((project_ids.get(project, project), key)) or []
        if len(found) == 1:
            relations.append(Relation(backup.id, found[0], "backup_of"))
    return relations
