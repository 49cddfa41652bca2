"""Graph building: resolved references become edges, dangling ones become gaps; derived edges."""

from __future__ import annotations

from drscan.config import App
from drscan.graph.build import build_graph
from drscan.model import Inventory, Reference, Resource


def res(kind, rid, account="1", region="us-east-1", tags=None, attrs=None):
    return Resource(kind=kind, id=rid, name=rid, provider=kind.split(".")[0], account=account, region=region,
                    tags=tags or {}, attrs=attrs or {})


def test_references_resolve_to_edges_and_dangling_ones_to_gaps():
    volume, instance = res("aws.ec2.volume", "vol"), res("aws.ec2.instance", "i-1")
    inventory = Inventory(resources=(volume, instance), references=(
        Reference("vol", "i-1", "attached_to"), Reference("vol", "arn:aws:kms:us-east-1:1:key/missing", "encrypted_by")))
    graph = build_graph(inventory)
    assert [r.id for r in graph.related("vol", "attached_to")] == ["i-1"]
    assert [r.id for r in graph.related("i-1", "attached_to", "in")] == ["vol"]
    assert len(graph.gaps) == 1
    gap = graph.gaps[0]
    assert gap.code == "UnresolvedReference" and gap.resource_id == "vol" and "key/missing" in gap.message


def test_backup_selection_by_tag_and_wildcard_protects_matching_resources():
    selection = res("aws.backup.selection", "sel", attrs={
        "tag_conditions": [{"key": "backup", "value": "daily"}], "resources": ["arn:aws:dynamodb:*:*:table/*"]})
    tagged = res("aws.ec2.volume", "arn:aws:ec2:us-east-1:1:volume/v1", tags={"backup": "daily"})
    other_region = res("aws.ec2.volume", "arn:aws:ec2:us-west-2:1:volume/v2", region="us-west-2", tags={"backup": "daily"})
    table = res("aws.dynamodb.table", "arn:aws:dynamodb:us-east-1:1:table/orders")
    untagged = res("aws.ec2.volume", "arn:aws:ec2:us-east-1:1:volume/v3")
    graph = build_graph(Inventory(resources=(selection, tagged, other_region, table, untagged)))
    protected = {r.id for r in graph.related("sel", "protects")}
    assert protected == {tagged.id, table.id}


def test_apps_collect_members_by_tag_and_id():
    a = res("aws.s3.bucket", "a", tags={"app": "payments"})
    b = res("aws.s3.bucket", "b")
    c = res("aws.s3.bucket", "c", tags={"app": "other"})
    graph = build_graph(Inventory(resources=(a, b, c)),
                        (App(name="payments", member_tags={"app": "payments"}, member_ids=("b",)),))
    assert graph.apps_of == {"a": ("payments",), "b": ("payments",)}
    assert "app:payments" in graph.graph
