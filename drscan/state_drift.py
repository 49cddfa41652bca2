"""`drscan drift --terraform-state`: Terraform state (one file per workspace) against the latest
stored scan. Pure: a function of the states' resources and the scan's.

A state covers the accounts its resources live in and the resource kinds it manages; only live
resources inside that scope can be "unmanaged". Some live resources are never anyone's to manage
(AWS-managed KMS keys, service-linked roles, AWS-managed policies, default security groups and
VPCs) and DynamoDB global-table replicas are managed through their table's `replica` blocks. A
state resource in an account or of a kind the scan did not see is "not scanned", not missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from drscan.model import Resource

PLACEHOLDER_ACCOUNTS = {"", "terraform", "unknown"}


@dataclass(frozen=True)
class TerraformState:
    path: str
    resources: tuple[Resource, ...]


def _account_key(resource: Resource) -> tuple[str, str]:
    return resource.provider, resource.account.lower()


def state_scope(state: TerraformState) -> tuple[set[tuple[str, str]], set[str]]:
    """(provider, account) pairs and kinds a state manages resources in."""
    accounts = {_account_key(r) for r in state.resources if r.account.lower() not in PLACEHOLDER_ACCOUNTS}
    return accounts, {r.kind for r in state.resources}


def never_managed(resource: Resource) -> str | None:
    """Why a live resource is nobody's to declare in Terraform, or None."""
    attrs = resource.attrs
    if resource.kind == "aws.kms.key" and str(attrs.get("key_manager") or "").upper() == "AWS":
        return "AWS-managed KMS key"
    if resource.kind == "aws.iam.role" and (attrs.get("service_linked") or "/aws-service-role/" in resource.id):
        return "service-linked role"
    if resource.kind == "aws.iam.policy" and resource.id.startswith("arn:aws:iam::aws:"):
        return "AWS-managed policy"
    if resource.kind == "aws.ec2.security_group" and attrs.get("group_name") == "default":
        return "default security group"
    if attrs.get("is_default") is True:
        return "default resource"
    return None


def _replica_ids(table: Resource) -> list[str]:
    """ARNs of the replicas a state's DynamoDB table manages through its `replica` blocks."""
    if table.kind != "aws.dynamodb.table" or not table.id.startswith("arn:aws:dynamodb:"):
        return []
    parts = table.id.split(":")
    return [":".join(parts[:3] + [str(region)] + parts[4:]) for region in table.attrs.get("replica_regions") or []]


def _differences(declared: Resource, live: Resource) -> list[dict[str, Any]]:
    return [{"attribute": key, "terraform": declared.attrs[key], "live": live.attrs[key]}
            for key in sorted(set(declared.attrs) & set(live.attrs))
            if key not in ("terraform_address", "terraform_type") and declared.attrs[key] is not None
            and declared.attrs[key] != live.attrs[key]]


def compare_states(states: Iterable[TerraformState], scanned: dict[str, Resource],
                   accounts: Iterable[str] = ()) -> dict[str, Any]:
    """unmanaged / missing / changed (the fields scripts read), plus which state manages what,
    what each state covers, what was set aside and why, and state resources the scan did not see."""
    states = list(states)
    narrow = {a.lower() for a in accounts}

    def chosen(resource: Resource) -> bool:
        return not narrow or resource.account.lower() in narrow

    owner: dict[str, tuple[TerraformState, Resource]] = {}  # live id -> (state, state resource)
    covered: set[tuple[str, str, str]] = set()  # (provider, account, kind): each state's accounts x its kinds
    summaries = []
    for state in states:
        mine = [r for r in state.resources if chosen(r)]
        state_accounts, kinds = state_scope(TerraformState(state.path, tuple(mine)))
        covered |= {(provider, account, kind) for provider, account in state_accounts for kind in kinds}
        for resource in mine:
            owner.setdefault(resource.id, (state, resource))
            for replica in _replica_ids(resource):
                owner.setdefault(replica, (state, resource))
        summaries.append({"path": state.path, "managed": len(mine),
                          "accounts": sorted(f"{p}:{a}" for p, a in state_accounts), "kinds": sorted(kinds)})

    live = {rid: r for rid, r in scanned.items() if chosen(r)}
    scanned_accounts = {_account_key(r) for r in live.values()}
    scanned_kinds = {r.kind for r in live.values()}
    unmanaged, ignored = [], []
    for rid, resource in sorted(live.items()):
        if rid in owner or (*_account_key(resource), resource.kind) not in covered:
            continue
        why = never_managed(resource)
        if why:
            ignored.append({"id": rid, "kind": resource.kind, "reason": why})
        else:
            unmanaged.append({"id": rid, "kind": resource.kind, "name": resource.name, "account": resource.account})

    missing, not_scanned, changed, managed_by = [], [], [], []
    for state in states:
        for declared in sorted((r for r in state.resources if chosen(r)), key=lambda r: r.id):
            address = declared.attrs.get("terraform_address")
            if owner.get(declared.id, (None,))[0] is not state:
                continue  # declared in an earlier state too: judged there
            current = live.get(declared.id)
            row = {"id": declared.id, "kind": declared.kind, "address": address, "state": state.path}
            if current is None:
                seen = _account_key(declared) in scanned_accounts and declared.kind in scanned_kinds
                (missing if seen else not_scanned).append(row)
                continue
            managed_by.append(row)
            differences = _differences(declared, current)
            if differences:
                changed.append({**row, "differences": differences})
        for declared in state.resources:
            for replica in _replica_ids(declared) if chosen(declared) else []:
                if replica in live:
                    managed_by.append({"id": replica, "kind": declared.kind, "state": state.path,
                                       "address": f"{declared.attrs.get('terraform_address')} (replica block)"})
    return {
        "state": states[0].path if states else "",
        "states": summaries,
        "managed": sum(s["managed"] for s in summaries),
        "accounts": sorted(narrow),
        "unmanaged": unmanaged, "missing": missing, "changed": changed,
        "not_scanned": not_scanned, "ignored": ignored, "managed_by": sorted(managed_by, key=lambda r: r["id"]),
    }
