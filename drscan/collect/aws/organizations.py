"""AWS Organizations, once per account: whether the account belongs to an organization, its
feature set, and, read from the management account (or a delegated administrator), whether
service control policies are enabled, how many custom SCPs exist and which accounts are
delegated administrators of which services. A member account's view leaves those None."""

from __future__ import annotations

from drscan.collect.aws.base import GLOBAL, Record, ServiceSpec, TaskContext
from drscan.normalize.aws_governance import organization

KIND = "aws.organizations.organization"

OPERATIONS = {
    "organizations:DescribeOrganization": "organizations:DescribeOrganization",
    "organizations:ListRoots": "organizations:ListRoots",
    "organizations:ListPolicies": "organizations:ListPolicies",
    "organizations:ListDelegatedAdministrators": "organizations:ListDelegatedAdministrators",
    "organizations:ListDelegatedServicesForAccount": "organizations:ListDelegatedServicesForAccount",
}

NOT_IN_ORGANIZATION = {"AWSOrganizationsNotInUseException"}


def organization_record(item: dict, account: str, region: str, supp: dict | None = None) -> Record:
    arn = item.get("Arn") or f"arn:aws:organizations::{item.get('MasterAccountId', account)}:organization/{item['Id']}"
    return Record(kind=KIND, id=arn, name=item["Id"], shape=organization(item, supp or {}, account, region),
                  region=GLOBAL, account=str(item.get("MasterAccountId") or account))


def _delegated(ctx: TaskContext, client) -> list | None:
    admins = ctx.pages(client, "ListDelegatedAdministrators", "DelegatedAdministrators", kinds=(KIND,))
    if admins is None:
        return None
    out = []
    for admin in admins:
        services = ctx.pages(client, "ListDelegatedServicesForAccount", "DelegatedServices", kinds=(KIND,),
                             AccountId=admin["Id"])
        if services is None:
            return None
        out.append({"Id": admin["Id"], "Services": [s["ServicePrincipal"] for s in services]})
    return out


def collect(ctx: TaskContext) -> None:
    client = ctx.client("organizations")
    answer = ctx.call(client, "DescribeOrganization", kinds=(KIND,), absent=NOT_IN_ORGANIZATION)
    if not answer:  # not in an organization ({}), or a gap was recorded (None)
        return
    item = answer["Organization"]
    supp: dict = {}
    if item.get("MasterAccountId") == ctx.account:
        roots = ctx.pages(client, "ListRoots", "Roots", kinds=(KIND,))
        if roots is not None:
            supp["Roots"] = roots
        policies = ctx.pages(client, "ListPolicies", "Policies", kinds=(KIND,), Filter="SERVICE_CONTROL_POLICY")
        if policies is not None:
            supp["Policies"] = policies
        delegated = _delegated(ctx, client)
        if delegated is not None:
            supp["DelegatedAdministrators"] = delegated
    ctx.add(organization_record(item, ctx.account, ctx.region, supp), "organizations:DescribeOrganization")


SPEC = ServiceSpec(name="organizations", collect=collect, operations=OPERATIONS, kinds=(KIND,), scope=GLOBAL)
