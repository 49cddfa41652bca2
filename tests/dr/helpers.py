"""Small hand-built estates for the DR tests: resources, relations and a config, no importers."""

from __future__ import annotations

from datetime import datetime, timezone

from drscan.config import App, Config, DrSettings, SharedService
from drscan.dr.assess import assess_apps, new_context
from drscan.dr.scope import DrContext
from drscan.graph.build import ResourceGraph, build_graph
from drscan.model import Inventory, Relation, Resource

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)
ACCOUNT = "111111111111"


def res(kind: str, rid: str, *, region: str = "us-east-1", zones: tuple[str, ...] = (), attrs: dict | None = None,
        tags: dict | None = None, account: str = ACCOUNT, name: str | None = None) -> Resource:
    return Resource(kind=kind, id=rid, name=name or rid.rsplit("/", 1)[-1].rsplit(":", 1)[-1], provider=kind.split(".")[0],
                    account=account, region=region, zones=tuple(zones), attrs=attrs or {}, tags=tags or {})


def app(name: str = "shop", **kw) -> App:
    defaults = dict(tier=1, rpo_seconds=900, rto_seconds=3600, rpo="15m", rto="1h", member_tags={"app": name},
                    primary_region="us-east-1")
    defaults.update(kw)
    return App(name=name, **defaults)


def graph(resources: list[Resource], relations: list[tuple[str, str, str]] = (), apps: tuple[App, ...] = ()) -> ResourceGraph:
    return build_graph(Inventory(resources=tuple(resources), relations=tuple(Relation(*r) for r in relations)), apps)


def context(resources, relations=(), apps=(), services=(), dr: DrSettings | None = None, now: datetime = NOW) -> DrContext:
    config = Config(apps=tuple(apps), shared_services=tuple(services), dr=dr or DrSettings())
    return new_context(graph(resources, relations, tuple(apps)), config, now)


def assess(resources, relations=(), apps=None, **kw):
    apps = apps if apps is not None else (app(),)
    ctx = context(resources, relations, apps, **kw)
    return ctx, assess_apps(ctx)


T = {"app": "shop"}


def rds(rid="arn:aws:rds:us-east-1:111111111111:db:orders", *, multi_az=True, retention=7, size=200, region="us-east-1",
        zones=("us-east-1a", "us-east-1b"), tags=T, **more) -> Resource:
    attrs = dict(multi_az=multi_az, backup_retention_days=retention, allocated_storage_gb=size, is_read_replica=False,
                 read_replica_ids=[], storage_encrypted=True)
    attrs.update(more)
    return res("aws.rds.db_instance", rid, region=region, zones=zones, attrs=attrs, tags=tags)


def replica_of(primary: Resource, rid: str, region: str = "us-west-2", account: str = ACCOUNT) -> Resource:
    return res("aws.rds.db_instance", rid, region=region, zones=(region + "a",), account=account, tags=T,
               attrs=dict(multi_az=False, backup_retention_days=0, allocated_storage_gb=200, is_read_replica=True,
                          replica_source=primary.id))


def service(name: str, **kw) -> SharedService:
    return SharedService(name=name, **kw)
