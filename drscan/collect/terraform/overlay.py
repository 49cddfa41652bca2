"""A Terraform plan in the context of the live estate (`drscan plan --db`): the latest stored
scan with the plan applied on top, so relation rules see the backup selections, replicas, keys
and schedules that live outside the plan. Pure: a function of the plan and the stored inventory.

Live objects the plan updates, replaces or deletes (matched by cloud id: ARN, asset name, ARM id)
give way to their planned state; what the graph stage derived for the old scan (protects,
application membership, DR app resources) is derived again."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from drscan.collect.terraform.plan import TerraformPlan
from drscan.model import Inventory, Resource

DERIVED_RELATIONS = {"member_of_app"}
DERIVED_KINDS = {"drscan.dr.app"}


@dataclass(frozen=True)
class Overlay:
    inventory: Inventory
    replaced: int                 # live resources the plan updates, replaces or deletes
    aws_account: str | None       # the account planned AWS resources were placed in
    notices: tuple[str, ...] = ()


def _key(resource_id: str) -> str:
    return resource_id.lower() if resource_id.startswith("/subscriptions/") else resource_id


def plan_aws_account(plan: TerraformPlan, live: Inventory) -> tuple[str | None, str]:
    """The AWS account the plan deploys to, and how that was told: the provider block
    (allowed_account_ids / assume_role, already on the resources), the ARNs of the objects it
    updates, or the only AWS account of the live scan. None when none of these says."""
    pinned = Counter(r.account for r in plan.inventory.resources if r.provider == "aws" and r.account.isdigit())
    if pinned:
        return pinned.most_common(1)[0][0], "the provider block"
    named = Counter(cloud_id.split(":")[4] for cloud_id in plan.cloud_ids.values()
                    if cloud_id.startswith("arn:") and len(cloud_id.split(":")) > 5 and cloud_id.split(":")[4].isdigit())
    if len(named) == 1:
        return next(iter(named)), "the ARNs of the objects it changes"
    live_accounts = {r.account for r in live.resources if r.provider == "aws" and r.account}
    if not named and len(live_accounts) == 1:
        return next(iter(live_accounts)), "the only AWS account of the scan"
    return None, ""


def overlay_plan(plan: TerraformPlan, live: Inventory, scan_id: int) -> Overlay:
    """The live inventory with the plan applied: planned resources (ids = addresses) in, the live
    objects they stand for out, relations and gaps of both kept where both ends remain."""
    superseded = {_key(cloud_id) for cloud_id in plan.cloud_ids.values()}
    kept = [r for r in live.resources if _key(r.id) not in superseded and r.kind not in DERIVED_KINDS]
    kept_ids = {r.id for r in kept}
    account, how = plan_aws_account(plan, live)
    notices = []
    planned: list[Resource] = []
    for resource in plan.inventory.resources:
        if resource.provider == "aws" and not resource.account.isdigit() and account:
            resource = replace(resource, account=account)
        planned.append(resource)
    if account:
        notices.append(f"planned AWS resources are read as account {account} (from {how})")
    elif any(r.provider == "aws" for r in planned):
        notices.append("the plan's AWS account is not known (set allowed_account_ids in the provider block): "
                       "tag-based backup selections of the scan are not matched against planned resources")
    relations = tuple(r for r in live.relations if r.type not in DERIVED_RELATIONS
                      and r.source in kept_ids and r.target in kept_ids)
    inventory = Inventory(resources=tuple(kept + planned), relations=relations + plan.inventory.relations,
                          references=plan.inventory.references, gaps=live.gaps + plan.inventory.gaps,
                          sources=(f"scan {scan_id}",) + plan.inventory.sources)
    return Overlay(inventory=inventory, replaced=len(live.resources) - len(kept) - sum(
        1 for r in live.resources if r.kind in DERIVED_KINDS), aws_account=account, notices=tuple(notices))
