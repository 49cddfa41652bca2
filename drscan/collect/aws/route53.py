"""Route 53 (account-wide): hosted zones, their record sets (routing policy, failover role, TTL,
health check, alias target) and health checks; and which load balancer an alias points at."""

from __future__ import annotations

from typing import Any

from drscan.collect.aws.base import GLOBAL, DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws import route53_health_check, route53_hosted_zone
from drscan.normalize.lookup import as_bool, as_int
from drscan.normalize.shape import Shape

ZONE = "aws.route53.hosted_zone"
RECORD = "aws.route53.record"
HEALTH_CHECK = "aws.route53.health_check"
KINDS = (ZONE, RECORD, HEALTH_CHECK)

OPERATIONS = {
    "route53:ListHostedZones": "route53:ListHostedZones",
    "route53:ListResourceRecordSets": "route53:ListResourceRecordSets",
    "route53:ListHealthChecks": "route53:ListHealthChecks",
    "route53:ListTagsForResources": "route53:ListTagsForResources",
}

MAX_RECORDS_PER_ZONE = 30_000  # 100 pages of 300; a Gap says when a zone holds more
TAG_BATCH = 10  # ListTagsForResources takes at most 10 ids

# Which field of a record set says how Route 53 chooses among records of the same name and type.
ROUTING_FIELDS = (("Failover", "failover"), ("Weight", "weighted"), ("Region", "latency"),
                  ("GeoLocation", "geolocation"), ("GeoProximityLocation", "geoproximity"),
                  ("MultiValueAnswer", "multivalue"), ("CidrRoutingConfig", "cidr"))


def bare_id(value: Any) -> str:
    """'/hostedzone/Z123' -> 'Z123'."""
    return str(value or "").rsplit("/", 1)[-1]


def zone_arn(zone_id: str) -> str:
    return f"arn:aws:route53:::hostedzone/{bare_id(zone_id)}"


def health_check_arn(check_id: str) -> str:
    return f"arn:aws:route53:::healthcheck/{check_id}"


def record_arn(zone_id: str, name: str, record_type: str, set_identifier: str | None) -> str:
    return f"arn:aws:route53:::hostedzone/{bare_id(zone_id)}/recordset/{name}/{record_type}/{set_identifier or ''}"


def zone_record(item: dict, account: str, region: str, tags: dict[str, str] | None = None) -> Record:
    """ListHostedZones entry."""
    shape = route53_hosted_zone(item, {}, account, region)
    zone_id = bare_id(item["Id"])
    return Record(kind=ZONE, id=zone_arn(zone_id), name=str(item.get("Name") or zone_id), shape=shape,
                  region=GLOBAL, account=account, tags=tags or {})


def routing_policy(item: dict) -> str:
    for field_name, policy in ROUTING_FIELDS:
        if item.get(field_name) is not None:
            return policy
    return "simple"


def record_set_record(item: dict, account: str, zone_id: str) -> Record:
    """ListResourceRecordSets entry of the zone `zone_id`."""
    alias = item.get("AliasTarget") or {}
    shape = Shape(attrs=dict(
        zone_id=bare_id(zone_id), name=item["Name"], type=item["Type"], ttl=as_int(item.get("TTL")),
        routing_policy=routing_policy(item), failover=item.get("Failover"),
        set_identifier=item.get("SetIdentifier"), health_check_id=item.get("HealthCheckId"),
        alias_dns_name=alias.get("DNSName"), alias_hosted_zone_id=alias.get("HostedZoneId"),
        # A record that is not an alias does not evaluate a target's health: a real False.
        evaluate_target_health=bool(as_bool(alias.get("EvaluateTargetHealth"))),
        values=[str(r.get("Value")) for r in item.get("ResourceRecords") or []],
        weight=as_int(item.get("Weight")), latency_region=item.get("Region"),
    ), name=f"{item['Name']} {item['Type']}" + (f" ({item['SetIdentifier']})" if item.get("SetIdentifier") else ""))
    shape.ref("in_zone", zone_arn(zone_id))
    if item.get("HealthCheckId"):
        shape.ref("checked_by", health_check_arn(item["HealthCheckId"]))
    return Record(kind=RECORD, id=record_arn(zone_id, item["Name"], item["Type"], item.get("SetIdentifier")),
                  name=shape.name or item["Name"], shape=shape, region=GLOBAL, account=account)


def health_check_record(item: dict, account: str, region: str, tags: dict[str, str] | None = None) -> Record:
    """ListHealthChecks entry."""
    shape = route53_health_check(item, {}, account, region)
    tags = tags or {}
    return Record(kind=HEALTH_CHECK, id=health_check_arn(item["Id"]), name=tags.get("Name") or item["Id"],
                  shape=shape, region=GLOBAL, account=account, tags=tags)


# -- collection ------------------------------------------------------------------------------------

def _tags(ctx: TaskContext, client: Any, resource_type: str, ids: list[str], kind: str) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(ids), TAG_BATCH):
        answer = ctx.call(client, "ListTagsForResources", kinds=(kind,), ResourceType=resource_type,
                          ResourceIds=ids[start:start + TAG_BATCH])
        for entry in (answer or {}).get("ResourceTagSets") or []:
            found[str(entry.get("ResourceId"))] = tags_of(entry.get("Tags"))
    return found


def collect(ctx: TaskContext) -> None:
    client = ctx.client("route53")
    zones = ctx.pages(client, "ListHostedZones", "HostedZones", kinds=(ZONE, RECORD)) or []
    zone_tags = _tags(ctx, client, "hostedzone", [bare_id(z["Id"]) for z in zones], ZONE)
    for zone in zones:
        zone_id = bare_id(zone["Id"])
        ctx.add(zone_record(zone, ctx.account, GLOBAL, zone_tags.get(zone_id)), "route53:ListHostedZones")
        records = ctx.pages(client, "ListResourceRecordSets", "ResourceRecordSets", kinds=(RECORD,),
                            resource_id=zone_arn(zone_id), HostedZoneId=zone_id,
                            PaginationConfig={"MaxItems": MAX_RECORDS_PER_ZONE})
        if records is not None and len(records) >= MAX_RECORDS_PER_ZONE:
            ctx.gap("route53", "ListResourceRecordSets", "Truncated",
                    f"zone {zone.get('Name')} holds more than {MAX_RECORDS_PER_ZONE} record sets; only the first were read",
                    kinds=(RECORD,), resource_id=zone_arn(zone_id))
        for item in records or []:
            ctx.add(record_set_record(item, ctx.account, zone_id), "route53:ListResourceRecordSets")

    checks = ctx.pages(client, "ListHealthChecks", "HealthChecks", kinds=(HEALTH_CHECK,)) or []
    check_tags = _tags(ctx, client, "healthcheck", [c["Id"] for c in checks], HEALTH_CHECK)
    for check in checks:
        ctx.add(health_check_record(check, ctx.account, GLOBAL, check_tags.get(check["Id"])), "route53:ListHealthChecks")


# `aws route53 list-resource-record-sets` prints no zone id, so a record's id cannot be built from
# a dump of it: record sets are read live only.
def record_set_dump(item: dict, account: str, region: str) -> Record:
    """A record from `aws route53 list-resource-record-sets` output, whose zone id the importer
    took from the file name (HostedZoneId); "unknown-zone" when the name does not carry it."""
    return record_set_record(item, account, str(item.get("HostedZoneId") or "unknown-zone"))


DUMPS = (
    DumpShape(key="ResourceRecordSets", item_field="Type", to_record=record_set_dump,
              path_field=("HostedZoneId", r"Z[0-9A-Z]{5,32}")),
    DumpShape(key="HostedZones", item_field="CallerReference", to_record=zone_record),
    DumpShape(key="HealthChecks", item_field="HealthCheckConfig", to_record=health_check_record),
)

SPEC = ServiceSpec(name="route53", collect=collect, operations=OPERATIONS, kinds=KINDS, scope=GLOBAL, dumps=DUMPS)
