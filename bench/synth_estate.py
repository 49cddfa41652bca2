#!/usr/bin/env python3
"""Write a synthetic multi-cloud estate in the real export formats, for benchmarks.

    python bench/synth_estate.py --resources 100000 --out /tmp/estate [--seed 7]

Output (exactly N resources for N >= ~100; tiny N overshoots by the fixed per-cloud basics):

    DIR/aws/AWSLogs/<account>/Config/<region>/2026/11/20/ConfigSnapshot/
        <account>_Config_<region>_ConfigSnapshot_20261120T060000Z_<uuid>.json[.gz]
                                  S3-delivered Config snapshots, split per account/region,
                                  at most --max-items items per file, every other file gzipped
    DIR/aws/credential-report-<account>.csv            IAM credential report per account
    DIR/gcp/cloud-asset-export.ndjson                  gcloud asset export --content-type=resource
    DIR/gcp/cloud-asset-export-iam-policy.ndjson       gcloud asset export --content-type=iam-policy
    DIR/azure/{resources,recoveryservices,authorization}-NNNN.json
                                  az graph query pages of at most 1000 rows (skip_token chained)

Mix: ~50% AWS, ~25% GCP, ~25% Azure records; ~60% carry an `app` tag/label (payments,
checkout, analytics, app-000..app-099); ~10% of resources carry a planted violation.
Relations resolve: volumes are attached to instances in the same snapshot, GCP disks to
instances in the export, snapshots point at existing disks, replicas at existing primaries,
backup selections and recovery points at resources already written, Azure protected items
at existing VMs, vaults and policies.

Everything is streamed: records are written as they are built, so memory stays flat.
A JSON summary (counts per cloud and kind, violations, files) is printed on stdout.
Stdlib only; the record shapes come from bench/estate_builders.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import sys
import time
from collections import Counter, deque
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import estate_builders as b  # noqa: E402
from estate_builders import NOW  # noqa: E402

NAMED_APPS = ["payments", "checkout", "analytics"]
APPS = NAMED_APPS + [f"app-{i:03d}" for i in range(100)]
VIOLATION_P = 0.13
# How often each kind of unit is written (relative weights per cloud; bench/bench_dense.py shifts them).
AWS_WEIGHTS = {"ec2": 30, "s3": 10, "rds": 5, "dynamodb": 4, "efs": 2, "kms": 3, "lam": 8, "sg": 8, "iam_user": 3,
               "iam_policy": 1, "alb": 2, "asg": 2, "selection": 2, "recovery": 8, "trail": 0.3, "plan": 0.5,
               "vault": 0.5, "r53": 0.7}
GCP_WEIGHTS = {"instance": 30, "bucket": 10, "sql": 4, "kms": 3, "sa": 5, "mig": 2, "gke": 1}
AZURE_WEIGHTS = {"vm": 30, "storage": 8, "sql": 3, "keyvault": 3, "role": 5, "nsg_flow": 2, "vault": 0.5, "lb": 1}
TAG_P = 0.70

_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_pretty = json.JSONEncoder(indent=2, sort_keys=True, ensure_ascii=False).encode


# =========================================================================== shared state

class Synth:
    def __init__(self, out: Path, seed: int, max_items: int, gz_level: int):
        self.out = out
        self.rng = random.Random(seed)
        self.seed = seed
        self.max_items = max_items
        self.gz_level = gz_level
        self.kinds: Counter = Counter()        # (cloud, kind) -> records
        self.per_cloud: Counter = Counter()
        self.violations = 0
        self.app_tagged = 0
        self.files: list[str] = []
        self.file_counter = 0

    # ---- randomness helpers
    def hex(self, n: int) -> str:
        return f"{self.rng.getrandbits(n * 4):0{n}x}"

    def uuid(self) -> str:
        x = self.hex(32)
        return f"{x[0:8]}-{x[8:12]}-4{x[13:16]}-{'89ab'[int(x[16], 16) % 4]}{x[17:20]}-{x[20:32]}"

    def created(self, max_days: int = 1500, min_days: int = 1):
        return NOW - timedelta(days=self.rng.randint(min_days, max_days), seconds=self.rng.randint(0, 86399))

    def bad(self) -> bool:
        """Decide whether the next resource gets a planted violation (and count it)."""
        if self.rng.random() < VIOLATION_P:
            self.violations += 1
            return True
        return False

    def app_tags(self, base: dict | None = None) -> dict:
        t = dict(base or {})
        if self.rng.random() < TAG_P:
            r = self.rng.random()
            t["app"] = NAMED_APPS[int(r * 10)] if r < 0.3 else APPS[3 + self.rng.randrange(100)]
            t["env"] = "prod" if self.rng.random() < 0.7 else "staging"
        return t

    def count(self, cloud: str, kind: str, tagged: bool = False) -> None:
        self.kinds[(cloud, kind)] += 1
        self.per_cloud[cloud] += 1
        self.app_tagged += tagged

    def new_file(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(str(path.relative_to(self.out)))
        return path


class SnapshotStream:
    """One account/region of S3-delivered Config snapshots, rotated every max_items items."""

    def __init__(self, s: Synth, account: str, region: str):
        self.s, self.account, self.region = s, account, region
        self.f = None
        self.n = 0
        self.recent: deque = deque(maxlen=64)      # (arn, backup resource type) of protectable resources

    def _open(self) -> None:
        self.close()
        s = self.s
        s.file_counter += 1
        gz = s.file_counter % 2 == 1
        sid = s.uuid()
        name = f"{self.account}_Config_{self.region}_ConfigSnapshot_20261120T060000Z_{sid}.json" + (".gz" if gz else "")
        path = s.new_file(s.out / "aws" / "AWSLogs" / self.account / "Config" / self.region / "2026" / "11" / "20"
                          / "ConfigSnapshot" / name)
        raw = open(path, "wb")
        self.f = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=s.gz_level, mtime=0) if gz else raw
        self._raw = raw
        self.f.write(('{"fileVersion":"1.0","configSnapshotId":"' + sid + '","configurationItems":[').encode())
        self.n = 0

    def write(self, item: dict) -> dict:
        if self.f is None or self.n >= self.s.max_items:
            self._open()
        self.f.write(((b"," if self.n else b"") + _compact(item).encode()))
        self.n += 1
        self.s.count("aws", item["resourceType"], "app" in item["tags"])
        return item

    def close(self) -> None:
        if self.f is not None:
            self.f.write(b"]}")
            self.f.close()
            if self.f is not self._raw:
                self._raw.close()
            self.f = None


class PagedTable:
    """Azure Resource Graph output for one table, as `az graph query --first 1000` pages.

    Rows are serialized once (pretty, like az -o json) into a spool file; pages are cut at
    the end, when total_records is known."""

    def __init__(self, s: Synth, table: str, page_size: int = 1000):
        self.s, self.table, self.page_size = s, table, page_size
        self.spool_path = s.out / "azure" / f".{table}.spool"
        self.spool_path.parent.mkdir(parents=True, exist_ok=True)
        self.spool = open(self.spool_path, "w", encoding="utf-8")
        self.n = 0

    def write(self, row: dict) -> dict:
        self.spool.write(_pretty(row).replace("\n", "\n    ") + "\x1e")
        self.n += 1
        self.s.count("azure", row["type"], "app" in (row["tags"] or {}))
        return row

    def finish(self) -> None:
        self.spool.close()
        total = self.n
        pages = max(1, -(-total // self.page_size))
        with open(self.spool_path, encoding="utf-8") as spool:
            buf = ""
            for p in range(1, pages + 1):
                rows = []
                while len(rows) < self.page_size:
                    i = buf.find("\x1e")
                    if i < 0:
                        chunk = spool.read(1 << 20)
                        if not chunk:
                            break
                        buf += chunk
                        continue
                    rows.append(buf[:i])
                    buf = buf[i + 1:]
                token = None if p == pages else self.s.hex(8) + "==" + self.s.hex(24)
                path = self.s.new_file(self.s.out / "azure" / f"{self.table}-{p:04d}.json")
                with open(path, "w", encoding="utf-8") as f:
                    f.write('{\n  "count": %d,\n  "data": [' % len(rows))
                    if rows:
                        f.write("\n    " + ",\n    ".join(rows) + "\n  ")
                    f.write('],\n  "skip_token": %s,\n  "total_records": %d\n}\n'
                            % ("null" if token is None else json.dumps(token), total))
        os.remove(self.spool_path)


# =========================================================================== AWS

AWS_REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]
AWS_REGION_W = [0.6, 0.25, 0.15]
DR_OF = {"us-east-1": "us-west-2", "us-west-2": "us-east-1", "eu-west-1": "eu-central-1"}
AZS = {r: [f"{r}{z}" for z in "abc"] for r in AWS_REGIONS + ["eu-central-1"]}


class AwsAccount:
    def __init__(self, s: Synth, account: str):
        self.s, self.account = s, account
        self.streams: dict[str, SnapshotStream] = {}
        self.infra: dict[str, dict] = {}
        self.only_existing = False
        path = s.new_file(s.out / "aws" / f"credential-report-{account}.csv")
        self.cred = open(path, "w", encoding="utf-8", newline="")
        self.cred.write(",".join(b.CREDENTIAL_REPORT_COLUMNS))
        root_bad = s.bad()
        self._cred_row(b.credential_row("<root_account>", f"arn:aws:iam::{account}:root", s.created(3000, 1000),
                                        password=True, password_last_used=s.created(60), mfa=not root_bad, root=True,
                                        key1=(True, s.created(2000, 400), s.created(30), "us-east-1", "s3") if root_bad else None))
        s.count("aws", "AWS::IAM::RootAccount")

    def _cred_row(self, row: list) -> None:
        self.cred.write("\n" + ",".join(row))

    def stream(self, region: str) -> SnapshotStream:
        st = self.streams.get(region)
        if st is None:
            st = self.streams[region] = SnapshotStream(self.s, self.account, region)
            self._infra(region, st)
        return st

    def _infra(self, region: str, st: SnapshotStream) -> None:
        """Per account/region basics every unit can reference: VPC, subnets, SG, CMK, log bucket, vault, plan."""
        s, a = self.s, self.account
        vpc = "vpc-0" + s.hex(16)
        subs = {z: "subnet-0" + s.hex(16) for z in AZS[region]}
        st.write(b.vpc(a, region, vpc, "10.0.0.0/16", tags={"Name": f"main-{region}"}, created=s.created(3000, 1000)))
        for i, (z, sub) in enumerate(subs.items()):
            st.write(b.subnet(a, region, sub, vpc, z, f"10.0.{i * 16}.0/20", created=s.created(3000, 1000)))
        sg = "sg-0" + s.hex(16)
        st.write(b.security_group(a, region, sg, name="app-default", description="application default", vpc=vpc,
                                  ingress=[b.sg_rule("tcp", 443, 443, ["10.0.0.0/8"])], created=s.created(3000, 1000)))
        key = s.uuid()
        st.write(b.kms_key(a, region, key, created=s.created(2000, 500), description="default CMK", rotation=True))
        logs = f"synth-access-logs-{a}-{region}"
        st.write(b.s3_bucket(a, region, logs, created=s.created(3000, 1000), sse=("AES256", None), versioning="Enabled"))
        kms = f"arn:aws:kms:{region}:{a}:key/{key}"
        vault = f"vault-{region}"
        st.write(b.backup_vault(a, region, vault, created=s.created(2000, 300), kms_key=kms, lock=(7, 365, 3)))
        plan_id = s.uuid()
        plan = st.write(b.backup_plan(a, region, plan_id, f"daily-{region}", created=s.created(2000, 300), rules=[
            {"RuleName": "daily", "TargetBackupVault": vault, "ScheduleExpression": "cron(0 5 ? * * *)",
             "DeleteAfterDays": 35}]))
        self.infra[region] = {"vpc": vpc, "subnets": subs, "sg": sg, "kms": kms, "logs": logs, "vault": vault,
                              "plan_id": plan_id, "plan_arn": plan["ARN"], "rule_id": s.uuid()}

    def close(self) -> None:
        for st in self.streams.values():
            st.close()
        self.cred.close()


def aws_units(s: Synth, acct: AwsAccount):
    """Each unit writes 1..n related items and returns how many it wrote."""
    rng = s.rng
    a = acct.account

    def region():
        if acct.only_existing:                 # near the target: never open a new region (its basics are 9 items)
            return rng.choice(list(acct.streams))
        r = rng.random()
        return "us-east-1" if r < 0.6 else ("us-west-2" if r < 0.85 else "eu-west-1")

    def dr_region(reg: str) -> str | None:
        dreg = DR_OF[reg] if DR_OF[reg] in AWS_REGIONS else ("us-west-2" if reg != "us-west-2" else "us-east-1")
        return dreg if (dreg in acct.streams or not acct.only_existing) else None

    def ec2(n_max=9):
        reg = region()
        st, inf = acct.stream(reg), acct.infra[reg]
        z = rng.choice(AZS[reg])
        inst = "i-0" + s.hex(16)
        tags = s.app_tags({"Name": f"web-{s.hex(6)}"})
        nvol = 1 if n_max < 3 else rng.choice((1, 1, 2))
        vols = [("/dev/xvda" if i == 0 else f"/dev/sd{'fgh'[i - 1]}", "vol-0" + s.hex(16)) for i in range(nvol)]
        launch = s.created(900)
        st.write(b.ec2_instance(a, reg, inst, az=z, instance_type=rng.choice(("t3.large", "m6i.large", "c6i.xlarge")),
                                ami="ami-0" + s.hex(16), vpc=inf["vpc"], subnet=inf["subnets"][z],
                                private_ip=f"10.0.{rng.randrange(48)}.{rng.randrange(2, 250)}", volumes=vols,
                                sgs=[(inf["sg"], "app-default")], launch=launch,
                                http_tokens="optional" if s.bad() else "required", tags=tags))
        for dev, vol in vols:
            enc = not s.bad()
            st.write(b.ec2_volume(a, reg, vol, az=z, size=rng.choice((20, 50, 100, 500)), created=launch, encrypted=enc,
                                  kms_key=inf["kms"] if enc else None, attachments=[(inst, dev, launch)], tags=tags))
            st.recent.append((f"arn:aws:ec2:{reg}:{a}:volume/{vol}", "EBS"))
        return 1 + nvol

    def s3(n_max=9):
        reg = region()
        st, inf = acct.stream(reg), acct.infra[reg]
        name = f"synth-{s.hex(12)}-{reg}"
        tags = s.app_tags()
        v = s.bad()
        kind = rng.randrange(6) if v else -1
        dreg = dr_region(reg)
        repl = dreg is not None and n_max >= 2 and kind != 4 and rng.random() < 0.2
        dest = f"{name}-replica"
        st.write(b.s3_bucket(a, reg, name, created=s.created(), tags=tags,
                             sse=None if kind == 0 else (("AES256", None) if kind == 1 else ("aws:kms", inf["kms"])),
                             pab=(False,) * 4 if kind == 2 else (True,) * 4,
                             versioning="Off" if kind == 3 else "Enabled",
                             replication=[("crr", f"arn:aws:s3:::{dest}", "STANDARD_IA")] if repl else None,
                             replication_role=f"arn:aws:iam::{a}:role/s3-crr" if repl else None,
                             log_target=None if kind == 5 else inf["logs"], log_prefix=f"{name}/"))
        if repl:
            dst = acct.stream(dreg)
            dst.write(b.s3_bucket(a, dreg, dest, created=s.created(), tags=tags, sse=("aws:kms", acct.infra[dreg]["kms"]),
                                  versioning="Enabled", log_target=acct.infra[dreg]["logs"], log_prefix=f"{dest}/"))
            return 2
        return 1

    def rds(n_max=9):
        reg = region()
        st, inf = acct.stream(reg), acct.infra[reg]
        ident = f"db-{s.hex(8)}"
        arn = f"arn:aws:rds:{reg}:{a}:db:{ident}"
        tags = s.app_tags()
        v = s.bad()
        kind = rng.randrange(5) if v else -1
        n_snap = min(rng.randrange(3), max(0, n_max - 1))
        dreg = dr_region(reg)
        want_replica = dreg is not None and n_max - 1 - n_snap >= 1 and rng.random() < 0.3
        rep_arn = f"arn:aws:rds:{dreg}:{a}:db:{ident}-replica"
        z = rng.choice(AZS[reg])
        enc = kind != 0
        prim = st.write(b.rds_instance(
            a, reg, ident, engine="postgres", engine_version="16.4", klass="db.r6g.large", az=z,
            secondary_az=None if kind == 1 else AZS[reg][(AZS[reg].index(z) + 1) % 3], created=s.created(),
            storage=rng.choice((50, 100, 500)), multi_az=kind != 1, encrypted=enc, kms_key=inf["kms"] if enc else None,
            backup_retention=1 if kind == 2 else rng.choice((7, 14, 35)), deletion_protection=kind != 3,
            public=kind == 4, vpc_id=inf["vpc"], sg_ids=[inf["sg"]], replicas=[rep_arn] if want_replica else [],
            tags=tags))
        st.recent.append((arn, "RDS"))
        for k in range(n_snap):
            when = NOW - timedelta(days=k, hours=3)
            st.write(b.rds_snapshot(a, reg, f"rds:{ident}-{when:%Y-%m-%d-%H-%M}", db_ident=ident, db_dbi=prim["resourceId"],
                                    engine="postgres", engine_version="16.4", created=when, storage=100, encrypted=enc,
                                    kms_key=inf["kms"] if enc else None, az=z, vpc_id=inf["vpc"],
                                    snapshot_type="automated", tags=tags))
        if want_replica:
            dst = acct.stream(dreg)
            dst.write(b.rds_instance(
                a, dreg, f"{ident}-replica", engine="postgres", engine_version="16.4", klass="db.r6g.large",
                az=AZS[dreg][0], created=s.created(), storage=100, multi_az=False, encrypted=enc,
                kms_key=acct.infra[dreg]["kms"] if enc else None, backup_retention=7, deletion_protection=True,
                public=False, vpc_id=acct.infra[dreg]["vpc"], sg_ids=[acct.infra[dreg]["sg"]], source=arn, tags=tags))
        return 1 + n_snap + (1 if want_replica else 0)

    def dynamodb(n_max=9):
        reg = region()
        st, inf = acct.stream(reg), acct.infra[reg]
        v = s.bad()
        kind = rng.randrange(2) if v else -1
        t = st.write(b.dynamodb_table(a, reg, f"tbl-{s.hex(10)}", created=s.created(), kms_key=None if kind == 0 else inf["kms"],
                                      pitr=kind != 1, items=rng.randrange(10 ** 7), size=rng.randrange(10 ** 10),
                                      tags=s.app_tags()))
        st.recent.append((t["ARN"], "DynamoDB"))
        return 1

    def efs(n_max=9):
        reg = region()
        st, inf = acct.stream(reg), acct.infra[reg]
        v = s.bad()
        fs = st.write(b.efs(a, reg, "fs-0" + s.hex(16), created=s.created(), encrypted=not v, kms_key=None if v else inf["kms"],
                            backup=not (v and rng.random() < 0.5), tags=s.app_tags({"Name": f"fs-{s.hex(6)}"})))
        st.recent.append((fs["ARN"], "EFS"))
        return 1

    def kms(n_max=9):
        reg = region()
        acct.stream(reg).write(b.kms_key(a, reg, s.uuid(), created=s.created(), description=f"key {s.hex(6)}",
                                         rotation=not s.bad(), tags=s.app_tags()))
        return 1

    def lam(n_max=9):
        reg = region()
        acct.stream(reg)
        inf = acct.infra[reg]
        name = f"fn-{s.hex(10)}"
        acct.stream(reg).write(b.lambda_function(a, reg, name, created=s.created(400), runtime=rng.choice(("python3.12", "nodejs20.x")),
                                                 role=f"arn:aws:iam::{a}:role/service-role/{name}-role",
                                                 kms_key=inf["kms"] if rng.random() < 0.4 else None, tags=s.app_tags()))
        return 1

    def sg(n_max=9):
        reg = region()
        st, inf = acct.stream(reg), acct.infra[reg]
        v = s.bad()
        rules = [b.sg_rule("tcp", 443, 443, ["10.0.0.0/8"])]
        if v:
            rules.append(b.sg_rule("tcp", 22, 22, ["0.0.0.0/0"]))
        name = f"sg-{s.hex(6)}"
        st.write(b.security_group(a, reg, "sg-0" + s.hex(16), name=name, description=name, vpc=inf["vpc"], ingress=rules,
                                  tags=s.app_tags(), created=s.created()))
        return 1

    def iam_user(n_max=9):
        st = acct.stream("us-east-1")
        name = f"user-{s.hex(8)}"
        v = s.bad()
        kind = rng.randrange(3) if v else -1
        attached = [("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess")] if kind == 0 else \
            [("ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess")]
        created = s.created(2000, 30)
        u = st.write(b.iam_user(a, name, created=created, attached=attached))
        console = rng.random() < 0.5 or kind == 1
        key = None if console and kind != 2 else (True, s.created(1000, 400) if kind == 2 else s.created(80), s.created(5), "us-east-1", "s3")
        acct._cred_row(b.credential_row(name, u["ARN"], created, password=console,
                                        password_last_used=s.created(30) if console else None,
                                        password_changed=created if console else None,
                                        mfa=console and kind != 1, key1=key))
        return 1

    def iam_policy(n_max=9):
        v = s.bad()
        doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*" if v else ["s3:GetObject"],
                                                       "Resource": "*" if v else f"arn:aws:s3:::synth-{s.hex(8)}/*"}]}
        acct.stream("us-east-1").write(b.iam_policy(a, f"policy-{s.hex(8)}", created=s.created(), document=doc,
                                                    attachments=rng.randrange(4)))
        return 1

    def alb(n_max=9):
        if n_max < 3:
            return sg(n_max)
        reg = region()
        st, inf = acct.stream(reg), acct.infra[reg]
        v = s.bad()
        zones = [AZS[reg][0]] if v else AZS[reg]
        lb = st.write(b.elbv2_lb(a, reg, f"alb-{s.hex(8)}", created=s.created(), scheme="internet-facing", vpc_id=inf["vpc"],
                                 zones=[(z, inf["subnets"][z]) for z in zones], sgs=[inf["sg"]], tags=s.app_tags()))
        tg = f"arn:aws:elasticloadbalancing:{reg}:{a}:targetgroup/tg-{s.hex(6)}/{s.hex(16)}"
        st.write(b.elbv2_listener(a, reg, lb["ARN"], port=443, protocol="HTTPS", created=s.created(), target_group_arn=tg,
                                  certificate_arn=f"arn:aws:acm:{reg}:{a}:certificate/{s.uuid()}",
                                  ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06"))
        plain = s.bad()
        st.write(b.elbv2_listener(a, reg, lb["ARN"], port=80, protocol="HTTP", created=s.created(), target_group_arn=tg,
                                  redirect_https=not plain))
        return 3

    def asg(n_max=9):
        if n_max < 5:
            return kms(n_max)
        reg = region()
        st, inf = acct.stream(reg), acct.infra[reg]
        v = s.bad()
        zones = [AZS[reg][0]] if v else AZS[reg]
        tags = s.app_tags()
        insts = []
        for i in range(2):
            z = zones[i % len(zones)]
            inst, vol = "i-0" + s.hex(16), "vol-0" + s.hex(16)
            launch = s.created(30)
            st.write(b.ec2_instance(a, reg, inst, az=z, instance_type="m6i.large", ami="ami-0" + s.hex(16), vpc=inf["vpc"],
                                    subnet=inf["subnets"][z], private_ip=f"10.0.{rng.randrange(48)}.{rng.randrange(2, 250)}",
                                    volumes=[("/dev/xvda", vol)], sgs=[(inf["sg"], "app-default")], launch=launch, tags=tags))
            st.write(b.ec2_volume(a, reg, vol, az=z, size=30, created=launch, encrypted=True, kms_key=inf["kms"],
                                  attachments=[(inst, "/dev/xvda", launch)], tags=tags))
            insts.append((inst, z, "m6i.large"))
        st.write(b.asg(a, reg, f"asg-{s.hex(8)}", created=s.created(), zones=zones, subnets=[inf["subnets"][z] for z in zones],
                       instances=insts, min_size=2, max_size=6, desired=2, launch_template=("lt-0" + s.hex(16), "web"),
                       tags=tags))
        return 5

    def selection(n_max=9):
        reg = region()
        st, inf = acct.stream(reg), acct.infra[reg]
        if not st.recent:
            return kms(n_max)
        arns = sorted({arn for arn, _ in list(st.recent)[-rng.randint(1, 20):]})
        st.write(b.backup_selection(a, reg, inf["plan_id"], s.uuid(), f"sel-{s.hex(6)}", created=s.created(),
                                    resources=arns, tag_conditions=[("backup", "daily")] if rng.random() < 0.3 else []))
        return 1

    def recovery(n_max=9):
        reg = region()
        st, inf = acct.stream(reg), acct.infra[reg]
        if not st.recent:
            return kms(n_max)
        res, rtype = st.recent[rng.randrange(len(st.recent))]
        old = s.bad()
        start = NOW - timedelta(days=rng.randint(20, 60) if old else 0, hours=rng.randint(1, 20))
        if rtype == "EBS":
            rp = f"arn:aws:ec2:{reg}::snapshot/snap-0{s.hex(16)}"
        elif rtype == "RDS":
            rp = f"arn:aws:rds:{reg}:{a}:snapshot:awsbackup:job-{s.uuid()}"
        else:
            rp = f"arn:aws:backup:{reg}:{a}:recovery-point:{s.uuid()}"
        st.write(b.recovery_point(a, reg, rp, vault=inf["vault"], resource_arn=res, resource_type=rtype, created=start,
                                  completed=start + timedelta(minutes=rng.randint(3, 90)), size=rng.randrange(10 ** 11),
                                  plan_arn=inf["plan_arn"], plan_id=inf["plan_id"], rule_id=inf["rule_id"],
                                  kms_key=inf["kms"], delete_after=35))
        return 1

    def trail(n_max=9):
        reg = region()
        v = s.bad()
        acct.stream(reg).write(b.cloudtrail(a, reg, f"trail-{s.hex(6)}", created=s.created(), bucket=acct.infra[reg]["logs"],
                                            multi_region=not v, validation=not v, kms_key=acct.infra[reg]["kms"]))
        return 1

    def plan(n_max=9):
        reg = region()
        st, inf = acct.stream(reg), acct.infra[reg]
        v = s.bad()
        other = "us-west-2" if reg != "us-west-2" else "us-east-1"
        st.write(b.backup_plan(a, reg, s.uuid(), f"plan-{s.hex(6)}", created=s.created(), tags=s.app_tags(), rules=[
            {"RuleName": "daily", "TargetBackupVault": inf["vault"], "ScheduleExpression": "cron(0 3 ? * * *)",
             "DeleteAfterDays": 3 if v else 35,
             "copy_to": [] if v else [f"arn:aws:backup:{other}:{a}:backup-vault:vault-{other}"]}]))
        return 1

    def vault(n_max=9):
        reg = region()
        v = s.bad()
        acct.stream(reg).write(b.backup_vault(a, reg, f"vault-{s.hex(8)}", created=s.created(), kms_key=acct.infra[reg]["kms"],
                                              lock=None if v else (7, 365, 3), tags=s.app_tags()))
        return 1

    def r53(n_max=9):
        st = acct.stream("us-east-1")
        st.write(b.r53_health_check(a, s.uuid(), created=s.created(), fqdn=f"api-{s.hex(6)}.synth.example", tags=s.app_tags()))
        return 1

    units = [ec2, s3, rds, dynamodb, efs, kms, lam, sg, iam_user, iam_policy, alb, asg, selection, recovery, trail, plan,
             vault, r53]
    return units, [AWS_WEIGHTS[u.__name__] for u in units], [sg, kms, lam, dynamodb, efs, iam_policy]


def gen_aws(s: Synth, target: int) -> None:
    if target <= 0:
        return
    n_accounts = max(1, round(target / 12000))
    accounts = [AwsAccount(s, f"{300000000000 + i * 1111:012d}") for i in range(n_accounts)]
    plans = [(acct, *aws_units(s, acct)) for acct in accounts]
    rng = s.rng
    for acct in accounts:                    # make sure the home region exists first
        acct.stream("us-east-1")
    while s.per_cloud["aws"] < target:
        acct, units, weights, singles = plans[rng.randrange(len(plans))]
        left = target - s.per_cloud["aws"]
        acct.only_existing = left < 40
        if left < 10:
            rng.choice(singles)(1)
        else:
            rng.choices(units, weights)[0](left)
    for acct in accounts:
        acct.close()


# =========================================================================== GCP

class GcpWriter:
    def __init__(self, s: Synth):
        self.s = s
        self.f = open(s.new_file(s.out / "gcp" / "cloud-asset-export.ndjson"), "w", encoding="utf-8")
        self.pol = open(s.new_file(s.out / "gcp" / "cloud-asset-export-iam-policy.ndjson"), "w", encoding="utf-8")

    def write(self, asset: dict) -> dict:
        self.f.write(_compact(asset) + "\n")
        d = asset["resource"]["data"]
        labels = d.get("labels") or d.get("resourceLabels") or d.get("settings", {}).get("userLabels") or {}
        self.s.count("gcp", asset["asset_type"], "app" in labels)
        return asset

    def policy(self, name: str, asset_type: str, bindings: list, number: str, audit: list | None = None) -> None:
        pol = {"version": 1, "bindings": bindings, "etag": "BwY" + self.s.hex(9)}
        if audit:
            pol["auditConfigs"] = audit
        self.pol.write(_compact({"name": name, "asset_type": asset_type, "iam_policy": pol,
                                 "ancestors": b.gcp_ancestors(number), "update_time": b.iso_us(self.s.created(90))}) + "\n")

    def close(self) -> None:
        self.f.close()
        self.pol.close()


GCP_REGIONS = ["us-central1", "us-east1", "europe-west1"]


def gen_gcp(s: Synth, target: int) -> None:
    if target <= 0:
        return
    rng = s.rng
    w = GcpWriter(s)
    n_projects = max(1, round(target / 6000))
    projects = []
    for i in range(n_projects):
        pid, num = f"synth-proj-{i:03d}", str(420000000000 + i)
        w.write(b.gcp_project(pid, num, created=s.created(2000, 300), labels={"env": "prod"}))
        bad = s.bad()
        w.policy(f"//cloudresourcemanager.googleapis.com/projects/{num}", "cloudresourcemanager.googleapis.com/Project",
                 [{"role": "roles/owner", "members": ["group:gcp-admins@synth.example"]}]
                 + ([{"role": "roles/editor", "members": [f"serviceAccount:deployer@{pid}.iam.gserviceaccount.com"]}] if bad else []),
                 num, audit=None if bad else [{"service": "allServices", "auditLogConfigs": [
                     {"logType": "ADMIN_READ"}, {"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}]}])
        infra = {}
        for reg in GCP_REGIONS:
            w.write(b.gcp_keyring(pid, num, reg, "kr", created=s.created(2000, 300)))
            w.write(b.gcp_crypto_key(pid, num, reg, "kr", "cmek", created=s.created(2000, 300), rotation_days=90))
            w.write(b.gcp_resource_policy(pid, num, reg, "daily-snap", created=s.created(2000, 300),
                                          schedule={"dailySchedule": {"daysInCycle": 1.0, "startTime": "04:00", "duration": "PT14400S"}},
                                          retention_days=14, storage_locations=[reg.split("-")[0]]))
            infra[reg] = {"kms": f"projects/{pid}/locations/{reg}/keyRings/kr/cryptoKeys/cmek",
                          "rp": f"{b.CE}/projects/{pid}/regions/{reg}/resourcePolicies/daily-snap"}
        projects.append((pid, num, infra))

    def labels():
        t = s.app_tags()
        return {k: v for k, v in t.items()} or None

    def instance(n_max=9):
        pid, num, infra = rng.choice(projects)
        reg = rng.choice(GCP_REGIONS)
        zone = f"{reg}-{rng.choice('abc')}"
        name = f"vm-{s.hex(10)}"
        lab = labels()
        created = s.created(900)
        link = f"{b.CE}/projects/{pid}/zones/{zone}/instances/{name}"
        disks = []
        n_data = 1 if n_max >= 3 and rng.random() < 0.5 else 0
        n_snap = min(rng.randrange(3), n_max - 2 - n_data) if n_max >= 3 else 0
        written = 0
        for i in range(1 + n_data):
            dn = name if i == 0 else f"{name}-data"
            nosched, nocmek = s.bad(), s.bad()
            d = w.write(b.gcp_disk(pid, num, zone, dn, size_gb=50 if i == 0 else rng.choice((100, 500)), created=created,
                                   users=[link], policies=[] if nosched else [infra[reg]["rp"]],
                                   kms_key=None if nocmek else infra[reg]["kms"],
                                   image="https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/debian-12-bookworm-v20261014" if i == 0 else None,
                                   labels=lab))
            disks.append((d["resource"]["data"]["selfLink"], "persistent-disk-0" if i == 0 else dn, i == 0, 50))
            written += 1
        w.write(b.gcp_instance(pid, num, zone, name, machine_type=rng.choice(("e2-standard-4", "n2-standard-8")),
                               created=created, disks=disks, internal_ip=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(2, 250)}",
                               labels=lab))
        written += 1
        for k in range(n_snap):
            when = NOW - timedelta(days=k, hours=2)
            src = disks[-1][0]
            w.write(b.gcp_snapshot(pid, num, f"{src.rsplit('/', 1)[1][:40]}-{when:%Y%m%d%H%M%S}-{s.hex(8)}", source_disk=src,
                                   source_disk_id=str(rng.getrandbits(62)), size_gb=50, created=when,
                                   storage_locations=[reg.split("-")[0]], kms_key=infra[reg]["kms"], auto=True, labels=lab))
            written += 1
        return written

    def bucket(n_max=9):
        pid, num, infra = rng.choice(projects)
        name = f"synth-{s.hex(12)}"
        v = s.bad()
        kind = rng.randrange(5) if v else -1
        a = w.write(b.gcp_bucket(pid, num, name, location="US-CENTRAL1" if kind == 3 else "US",
                                 location_type="region" if kind == 3 else "multi-region", created=s.created(),
                                 versioning=kind != 2, kms_key=None if kind == 1 else infra["us-central1"]["kms"],
                                 uniform=kind != 4, labels=labels()))
        members = ["allUsers"] if kind == 0 else ["group:readers@synth.example"]
        w.policy(a["name"], "storage.googleapis.com/Bucket",
                 [{"role": "roles/storage.legacyBucketOwner", "members": [f"projectOwner:{pid}"]},
                  {"role": "roles/storage.objectViewer", "members": members}], num)
        return 1

    def sql(n_max=9):
        pid, num, infra = rng.choice(projects)
        reg = rng.choice(GCP_REGIONS)
        name = f"sql-{s.hex(8)}"
        v = s.bad()
        kind = rng.randrange(4) if v else -1
        rep = n_max >= 2 and kind != 3 and rng.random() < 0.3
        rreg = GCP_REGIONS[(GCP_REGIONS.index(reg) + 1) % 3]
        lab = labels()
        w.write(b.gcp_sql(pid, num, name, region=reg, zone=f"{reg}-a", secondary_zone=None if kind == 2 else f"{reg}-b",
                          created=s.created(), version="POSTGRES_16", tier="db-custom-4-16384",
                          availability="ZONAL" if kind == 2 else "REGIONAL", backups=kind != 0, pitr=kind not in (0, 1),
                          require_ssl=kind != 3, ssl_mode="ALLOW_UNENCRYPTED_AND_ENCRYPTED" if kind == 3 else "ENCRYPTED_ONLY",
                          disk_gb=100, kms_key=infra[reg]["kms"], replicas=[f"{name}-replica"] if rep else [], labels=lab))
        if rep:
            w.write(b.gcp_sql(pid, num, f"{name}-replica", region=rreg, zone=f"{rreg}-c", created=s.created(),
                              version="POSTGRES_16", tier="db-custom-4-16384", availability="ZONAL", backups=False, pitr=False,
                              require_ssl=True, ssl_mode="ENCRYPTED_ONLY", disk_gb=100, kms_key=infra[rreg]["kms"],
                              master=f"{pid}:{name}", labels=lab))
            return 2
        return 1

    def kms(n_max=9):
        pid, num, _ = rng.choice(projects)
        reg = rng.choice(GCP_REGIONS)
        w.write(b.gcp_crypto_key(pid, num, reg, "kr", f"key-{s.hex(8)}", created=s.created(),
                                 rotation_days=None if s.bad() else 90, labels=labels()))
        return 1

    def sa(n_max=9):
        pid, num, _ = rng.choice(projects)
        acc = f"sa-{s.hex(8)}"
        w.write(b.gcp_service_account(pid, num, acc, created=s.created()))
        n = min(rng.randrange(3), n_max - 1)
        for _ in range(n):
            w.write(b.gcp_sa_key(pid, num, acc, s.hex(40), valid_after=s.created(900, 400) if s.bad() else s.created(80)))
        return 1 + n

    def mig(n_max=9):
        pid, num, _ = rng.choice(projects)
        reg = rng.choice(GCP_REGIONS)
        name = f"mig-{s.hex(8)}"
        if s.bad():
            w.write(b.gcp_igm(pid, num, name, created=s.created(), template=f"tpl-{s.hex(4)}", target_size=2, zone=f"{reg}-a"))
        else:
            w.write(b.gcp_igm(pid, num, name, created=s.created(), template=f"tpl-{s.hex(4)}", target_size=3, region=reg,
                              zones=[f"{reg}-{z}" for z in "abc"]))
        return 1

    def gke(n_max=9):
        pid, num, infra = rng.choice(projects)
        reg = rng.choice(GCP_REGIONS)
        if s.bad():
            w.write(b.gcp_gke(pid, num, f"gke-{s.hex(6)}", location=f"{reg}-a", node_zones=[f"{reg}-a"], created=s.created(),
                              labels=labels()))
        else:
            w.write(b.gcp_gke(pid, num, f"gke-{s.hex(6)}", location=reg, node_zones=[f"{reg}-{z}" for z in "abc"],
                              created=s.created(), db_encryption_key=infra[reg]["kms"], labels=labels(), node_count=1))
        return 1

    units = [instance, bucket, sql, kms, sa, mig, gke]
    weights = [GCP_WEIGHTS[u.__name__] for u in units]
    singles = [bucket, kms, mig, gke]
    while s.per_cloud["gcp"] < target:
        left = target - s.per_cloud["gcp"]
        if left < 10:
            rng.choice(singles)(1)
        else:
            rng.choices(units, weights)[0](left)
    w.close()


# =========================================================================== Azure

AZ_REGIONS = [("westeurope", "northeurope"), ("eastus", "westus2"), ("northeurope", "westeurope")]


def gen_azure(s: Synth, target: int) -> None:
    if target <= 0:
        return
    rng = s.rng
    res = PagedTable(s, "resources")
    rsv = PagedTable(s, "recoveryservices")
    auth = PagedTable(s, "authorization")
    tenant = s.uuid()

    def total():
        return res.n + rsv.n + auth.n

    n_subs = max(1, round(target / 6000))
    subs = []
    for i in range(n_subs):
        sub = s.uuid()
        regions = {}
        for loc, pair in AZ_REGIONS:
            rg = f"rg-infra-{loc}"
            kv = res.write(b.az_keyvault(sub, tenant, rg, f"kv-{s.hex(10)}", location=loc))
            des = res.write(b.az_disk_encryption_set(sub, tenant, rg, f"des-{loc}", location=loc,
                                                     key_url=f"{kv['properties']['vaultUri']}keys/disk-cmk", vault_id=kv["id"]))
            vnet = res.write(b.az_vnet(sub, tenant, rg, f"vnet-{loc}", location=loc, cidr="10.1.0.0/16",
                                       subnets=[("snet-app", "10.1.1.0/24", None)]))
            vault = res.write(b.az_rsv(sub, tenant, rg, f"rsv-{loc}", location=loc, redundancy="GeoRedundant",
                                       immutability="Locked", cross_region_restore=True))
            pol = rsv.write(b.az_backup_policy(sub, tenant, rg, f"rsv-{loc}", "pol-daily-30d", location=loc, retention_days=30))
            regions[loc] = {"rg": rg, "des": des["id"], "snet": vnet["id"] + "/subnets/snet-app", "vault": vault["name"],
                            "pol_id": pol["id"], "pair": pair, "kv": kv}
        res.write(b.az_network_watcher(sub, tenant, "westeurope"))
        subs.append((sub, regions))

    def pick():
        sub, regions = rng.choice(subs)
        loc = rng.choice(AZ_REGIONS)[0]
        return sub, loc, regions[loc]

    def vm(n_max=9):
        sub, loc, inf = pick()
        rg = f"rg-app-{rng.randrange(40):02d}"
        name = f"vm-{s.hex(10)}"
        vm_id = b.arm_id(sub, rg, "Microsoft.Compute/virtualMachines", name)
        tags = s.app_tags()
        nozone = s.bad()
        zones = None if nozone else [rng.choice("123")]
        platform = s.bad()
        created = s.created(900)
        n_data = min(rng.randrange(3), max(0, n_max - 3))
        os_name = f"{name}_OsDisk_1_{s.hex(32)}"
        osd = res.write(b.az_disk(sub, tenant, rg, os_name, location=loc, created=created, size_gb=64, zones=zones,
                                  managed_by=vm_id, os_type="Linux", des_id=inf["des"], platform_key=platform, tags=tags))
        datas = []
        for lun in range(n_data):
            dd = res.write(b.az_disk(sub, tenant, rg, f"{name}-data-{lun}", location=loc, created=created, size_gb=128,
                                     zones=zones, managed_by=vm_id, des_id=inf["des"], platform_key=platform, tags=tags))
            datas.append((lun, dd["id"], dd["name"], 128))
        nic = res.write(b.az_nic(sub, tenant, rg, f"{name}-nic", location=loc, vm_id=vm_id, subnet_id=inf["snet"],
                                 ip=f"10.1.1.{rng.randrange(4, 250)}", tags=tags))
        res.write(b.az_vm(sub, tenant, rg, name, location=loc, created=created, size="Standard_D4s_v5",
                          os_disk=(osd["id"], os_name, 64), data_disks=datas, nic_id=nic["id"], zones=zones,
                          des_id=None if platform else inf["des"], tags=tags))
        written = 3 + n_data
        if written < n_max and not s.bad():
            rsv.write(b.az_protected_item(sub, tenant, inf["rg"], inf["vault"], rg, name, vm_id, location=loc,
                                          policy_id=inf["pol_id"], policy_name="pol-daily-30d",
                                          last_backup=NOW - timedelta(hours=rng.randint(2, 26))))
            written += 1
        if written < n_max and datas and rng.random() < 0.2:
            res.write(b.az_snapshot(sub, tenant, rg, f"snap-{s.hex(10)}", location=loc, created=s.created(7),
                                    source_disk_id=datas[0][1], size_gb=128, des_id=None if platform else inf["des"],
                                    tags=tags))
            written += 1
        return written

    def storage(n_max=9):
        sub, loc, inf = pick()
        v = s.bad()
        kind = rng.randrange(5) if v else -1
        res.write(b.az_storage(sub, tenant, f"rg-app-{rng.randrange(40):02d}", "st" + s.hex(20), location=loc,
                               created=s.created(), sku="Standard_LRS" if kind == 4 else "Standard_GRS",
                               tls="TLS1_0" if kind == 1 else "TLS1_2", https_only=kind != 2, blob_public=kind == 3,
                               cmk=None if kind == 0 else (inf["kv"]["properties"]["vaultUri"], "storage-cmk",
                                                           b.arm_id(sub, inf["rg"], "Microsoft.ManagedIdentity/userAssignedIdentities", "id-storage")),
                               secondary=inf["pair"], tags=s.app_tags()))
        return 1

    def sql(n_max=9):
        sub, loc, inf = pick()
        rg = f"rg-app-{rng.randrange(40):02d}"
        srv = f"sql-{s.hex(10)}"
        tags = s.app_tags()
        res.write(b.az_sql_server(sub, tenant, rg, srv, location=loc, min_tls="1.0" if s.bad() else "1.2", tags=tags))
        n_db = min(rng.randint(1, 3), max(1, n_max - 3))
        written = 1
        for _ in range(n_db):
            v = s.bad()
            db = res.write(b.az_sql_db(sub, tenant, rg, srv, f"sqldb-{s.hex(6)}", location=loc, created=s.created(),
                                       zone_redundant=not v, backup_redundancy="Local" if v else "Geo", tags=tags))
            written += 1
            if written + 2 <= n_max and rng.random() < 0.3:
                pair = inf["pair"]
                srv2 = f"{srv}-dr"
                res.write(b.az_sql_server(sub, tenant, rg + "-dr", srv2, location=pair, min_tls="1.2", tags=tags))
                res.write(b.az_sql_db(sub, tenant, rg + "-dr", srv2, db["name"], location=pair, created=s.created(),
                                      zone_redundant=False, backup_redundancy="Geo", secondary_type="Geo",
                                      source_db_id=db["id"], tags=tags))
                written += 2
                break
        return written

    def keyvault(n_max=9):
        sub, loc, _ = pick()
        res.write(b.az_keyvault(sub, tenant, f"rg-app-{rng.randrange(40):02d}", f"kv-{s.hex(10)}", location=loc,
                                purge_protection=None if s.bad() else True, tags=s.app_tags()))
        return 1

    def role(n_max=9):
        sub = rng.choice(subs)[0]
        v = s.bad()
        ptype = "User" if v else rng.choice(("Group", "ServicePrincipal"))
        role_guid = b.OWNER_ROLE if v or rng.random() < 0.1 else rng.choice((b.READER_ROLE, b.CONTRIBUTOR_ROLE))
        scope = f"/subscriptions/{sub}" if v or rng.random() < 0.3 else f"/subscriptions/{sub}/resourceGroups/rg-app-{rng.randrange(40):02d}"
        auth.write(b.az_role_assignment(sub, tenant, s.uuid(), role_guid=role_guid, principal_id=s.uuid(), principal_type=ptype,
                                        scope=scope, created=s.created(), created_by=s.uuid()))
        return 1

    def nsg_flow(n_max=9):
        if n_max < 2:
            return keyvault(n_max)
        sub, loc, inf = pick()
        rg = f"rg-app-{rng.randrange(40):02d}"
        nsg = res.write(b.az_nsg(sub, tenant, rg, f"nsg-{s.hex(8)}", location=loc,
                                 rules=[("allow-https", 100, "Allow", 443, "VirtualNetwork")], tags=s.app_tags()))
        res.write(b.az_flow_log(sub, tenant, loc, f"fl-{nsg['name']}", target_id=nsg["id"],
                                storage_id=b.arm_id(sub, inf["rg"], "Microsoft.Storage/storageAccounts", "stflowlogs"),
                                retention_days=7 if s.bad() else 90))
        return 2

    def vault(n_max=9):
        sub, loc, _ = pick()
        v = s.bad()
        res.write(b.az_rsv(sub, tenant, f"rg-app-{rng.randrange(40):02d}", f"rsv-{s.hex(8)}", location=loc,
                           redundancy="LocallyRedundant" if v else "GeoRedundant", immutability="Disabled" if v else "Locked",
                           cross_region_restore=not v, tags=s.app_tags()))
        return 1

    def lb(n_max=9):
        sub, loc, inf = pick()
        zonal = s.bad()
        res.write(b.az_lb(sub, tenant, f"rg-app-{rng.randrange(40):02d}", f"lb-{s.hex(8)}", location=loc,
                          frontend_zones=None if zonal else ["1", "2", "3"], subnet_id=inf["snet"], tags=s.app_tags()))
        return 1

    units = [vm, storage, sql, keyvault, role, nsg_flow, vault, lb]
    weights = [AZURE_WEIGHTS[u.__name__] for u in units]
    singles = [storage, keyvault, role, lb]
    while total() < target:
        left = target - total()
        if left < 10:
            rng.choice(singles)(1)
        else:
            rng.choices(units, weights)[0](left)
    for t in (res, rsv, auth):
        t.finish()


# =========================================================================== main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--resources", type=int, required=True, help="total number of resources to write")
    ap.add_argument("--out", type=Path, required=True, help="output directory (created if absent)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-items", type=int, default=20000, help="max configuration items per Config snapshot file")
    ap.add_argument("--gzip-level", type=int, default=5)
    ap.add_argument("--overwrite", action="store_true",
                    help="delete the aws/, gcp/ and azure/ folders a previous run left in --out first")
    args = ap.parse_args(argv)
    if args.resources < 0:
        ap.error("--resources must be >= 0")
    if args.overwrite:
        for sub in ("aws", "gcp", "azure"):
            shutil.rmtree(args.out / sub, ignore_errors=True)
    if args.out.exists() and any(p.name in ("aws", "gcp", "azure") for p in args.out.iterdir()):
        ap.error(f"{args.out} already holds an estate (aws/, gcp/ or azure/); use --overwrite or another --out")
    args.out.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    s = Synth(args.out, args.seed, args.max_items, args.gzip_level)
    n = args.resources
    aws_t = round(n * 0.5)
    gcp_t = round(n * 0.25)
    az_t = n - aws_t - gcp_t
    gen_aws(s, aws_t)
    gen_gcp(s, gcp_t)
    gen_azure(s, az_t)
    total = sum(s.per_cloud.values())
    summary = {
        "resources": total,
        "requested": n,
        "per_cloud": dict(s.per_cloud),
        "violations": s.violations,
        "violation_share": round(s.violations / total, 3) if total else 0,
        "app_tagged_share": round(s.app_tagged / total, 3) if total else 0,
        "seed": args.seed,
        "files": len(s.files),
        "seconds": round(time.perf_counter() - t0, 2),
        "kinds": {f"{c}:{k}": v for (c, k), v in sorted(s.kinds.items())},
    }
    json.dump(summary, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
