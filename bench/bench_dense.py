"""Benchmark `drscan scan --import` on a dense synthetic estate, stage by stage.

    python bench/bench_dense.py --size 10k 100k [--csv] [--keep]

The estate is bench/synth_estate.py's (AWS Config snapshots, GCP Cloud Asset export, Azure
Resource Graph pages, IAM credential reports) made as dense as real organizations are:
every resource carries app, team, tier and backup tags; every AWS account/region gets one
AWS Backup selection per ~200 resources of the estate (per ~100 AWS items), mixing ListOfTags (OR), Conditions (StringEquals,
StringLike, StringNotEquals, StringNotLike), wildcard Resources and NotResources, so most
protectable resources are protected by several plans; one application per app tag (100+)
in drscan.yaml. Estates are cached in bench/out/dense-<size>/.

Each size runs `drscan scan --import DIR --config ... --db ... --out ... --format json` (json,csv
with --csv) in a child process, which prints seconds per stage (import, graph, evaluate,
store, report; wall and CPU), peak RSS, the DB size and the size of findings.json. Sizes:
10k, 100k, 1m (or a plain number). Load average is printed with every run (the machine
is shared: CPU seconds are the steadier figure)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
PER_SELECTION = 200
TEAMS = [f"team-{i:02d}" for i in range(20)]
BACKUP_TAGS = ["daily", "weekly", "monthly", "none"]


def size_of(text: str) -> int:
    return SIZES.get(text.lower()) or int(text)


# ---------------------------------------------------------------- the estate

def dense_tags(rng, base: dict) -> dict:
    """Tags every resource carries on top of the app tags: team, tier, backup class, cost centre."""
    tags = dict(base)
    tags["team"] = TEAMS[rng.randrange(len(TEAMS))]
    tags["tier"] = f"tier-{rng.randrange(1, 4)}"
    tags["backup"] = BACKUP_TAGS[min(3, int(rng.random() * 4.4))]
    tags["cost-center"] = f"cc-{rng.randrange(30):03d}"
    return tags


def selection_document(rng, account: str, region: str, sample: list[str]) -> dict:
    """One AWS Backup selection's BackupSelection, of one of the shapes real plans use."""
    shape = rng.randrange(5)
    team = TEAMS[rng.randrange(len(TEAMS))]
    resources: list[str] = []
    not_resources: list[str] = []
    list_of_tags: list[tuple[str, str]] = []
    conditions = {"StringEquals": [], "StringNotEquals": [], "StringLike": [], "StringNotLike": []}

    def cond(operator: str, key: str, value: str) -> None:
        conditions[operator].append({"ConditionKey": f"aws:ResourceTag/{key}", "ConditionValue": value})

    if shape == 0:    # tag list (OR): two backup classes, or one team's resources
        list_of_tags = [("backup", "daily"), ("backup", rng.choice(BACKUP_TAGS[1:3])), ("team", team)]
    elif shape == 1:  # every EBS volume and RDS database of the region, but not the scratch ones, in prod
        resources = [f"arn:aws:ec2:{region}:{account}:volume/*", f"arn:aws:rds:{region}:{account}:db:*"]
        not_resources = [f"arn:aws:ec2:{region}:{account}:volume/vol-0{rng.choice('0123456789abcdef')}*"]
        cond("StringEquals", "env", "prod")
    elif shape == 2:  # everything (*), narrowed by conditions only
        resources = ["*"]
        cond("StringLike", "team", "team-*")
        cond("StringNotEquals", "backup", "none")
    elif shape == 3:  # explicit ARNs plus a service wildcard, minus a wildcard
        resources = sorted(set(rng.sample(sample, min(len(sample), 8)))) + [f"arn:aws:dynamodb:{region}:{account}:table/*"]
        not_resources = [f"arn:aws:dynamodb:{region}:{account}:table/tbl-f*"]
    else:             # conditions only: a tier, not the staging copies
        cond("StringLike", "tier", f"tier-{rng.randrange(1, 4)}*" if rng.random() < 0.2 else "tier-*")
        cond("StringNotLike", "env", "stag*")
    return {"SelectionName": f"dense-{shape}-{rng.getrandbits(24):06x}",
            "IamRoleArn": f"arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole",
            "Resources": resources, "NotResources": not_resources,
            "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": k, "ConditionValue": v} for k, v in list_of_tags],
            "Conditions": conditions}


def write_estate(size: int, out: Path, seed: int = 17) -> dict:
    """bench/synth_estate.py's estate, with the dense tags and selections above."""
    sys.path.insert(0, str(HERE))
    import estate_builders as b
    import synth_estate as se

    class DenseSynth(se.Synth):
        def app_tags(self, base: dict | None = None) -> dict:
            return dense_tags(self.rng, super().app_tags(base))

    class DenseStream(se.SnapshotStream):
        """Adds one backup selection per PER_SELECTION items of its account/region when it closes."""
        def __init__(self, s, account, region):
            super().__init__(s, account, region)
            self.items, self.sample, self.plan_id = 0, [], None

        def write(self, item: dict) -> dict:
            self.items += 1
            if item.get("ARN") and len(self.sample) < 400 and self.s.rng.random() < 0.1:
                self.sample.append(item["ARN"])
            return super().write(item)

        def close(self) -> None:
            if self.f is not None and self.plan_id:
                rng = self.s.rng
                # AWS is half the estate: one selection per PER_SELECTION resources of the estate.
                for _ in range(max(1, 2 * self.items // PER_SELECTION)):
                    item = b.backup_selection(self.account, self.region, self.plan_id, self.s.uuid(), "dense",
                                              created=self.s.created())
                    item["configuration"]["BackupSelection"] = selection_document(rng, self.account, self.region, self.sample)
                    super().write(item)
                self.plan_id = None
            super().close()

    class DenseAccount(se.AwsAccount):
        def stream(self, region: str):
            st = super().stream(region)
            st.plan_id = self.infra[region]["plan_id"]
            return st

    se.SnapshotStream, se.AwsAccount = DenseStream, DenseAccount
    se.AWS_WEIGHTS.update(ec2=15, s3=14, rds=8, dynamodb=8, efs=4)   # more of the kinds many rules read
    se.GCP_WEIGHTS.update(instance=12, bucket=12, sql=6)
    se.AZURE_WEIGHTS.update(vm=20, storage=12, sql=6)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    s = DenseSynth(out, seed, 20000, 5)
    aws_t = round(size * 0.5)
    gcp_t = round(size * 0.25)
    se.gen_aws(s, round(aws_t * PER_SELECTION / (PER_SELECTION + 2)))
    se.gen_gcp(s, gcp_t)
    se.gen_azure(s, size - sum(s.per_cloud.values()))
    config = ["organization: Dense Corp", "scope: {name: dense}", "apps:"]
    apps = [(app, "app", app) for app in sorted(se.APPS)] + [(f"svc-{team}", "team", team) for team in TEAMS]
    for i, (app, key, value) in enumerate(apps):  # an application per app tag, and one per owning team
        rpo, rto = (("15m", "1h"), ("1h", "4h"), ("24h", "24h"))[i % 3]
        config.append(f"  - {{name: {app}, tier: {i % 3 + 1}, rpo: {rpo}, rto: {rto}, members: {{tags: {{{key}: {value}}}}}}}")
    (out / "drscan.yaml").write_text("\n".join(config) + "\n")
    return {"resources": sum(s.per_cloud.values()), "per_cloud": dict(s.per_cloud), "files": len(s.files)}


def ensure_estate(size: int) -> Path:
    out = HERE / "out" / f"dense-{size}"
    if not (out / ".complete").exists():
        started = time.perf_counter()
        summary = write_estate(size, out)
        summary["seconds"] = round(time.perf_counter() - started, 1)
        (out / ".complete").write_text(json.dumps(summary) + "\n")
    return out


def tree_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---------------------------------------------------------------- the run

def run_child(estate: Path, formats: str, keep: Path | None, no_apps: bool = False) -> dict:
    """In the child: the CLI's `drscan scan` with api.scan's stage timings recorded (wall and CPU)."""
    sys.path.insert(0, str(REPO))
    from drscan import api, cli, cli_progress

    stages: dict[str, dict[str, float]] = {}
    marks: list[tuple[str, float]] = []  # (stage, CPU seconds when it started), from the progress calls
    peaks: dict[str, int] = {}  # stage -> peak RSS (MB) of the process when the stage ended
    scan = api.scan
    names = {"Importing exports": "import", "Building dependency graph": "graph", "Evaluating rules": "evaluate",
             "Storing scan": "store"}

    def peak_mb() -> int:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    class Recording(cli_progress.RichProgress):
        def stage(self, name: str, total: int | None = None) -> None:
            if marks and marks[-1][0] not in peaks:
                peaks[marks[-1][0]] = peak_mb()
            label = names.get(name) or ("report" if name.startswith("Writing ") else None)
            if label and not (marks and marks[-1][0] == label):
                marks.append((label, time.process_time()))
            super().stage(name, total)

    def timed_scan(*args, **kwargs):
        result = scan(*args, **kwargs)
        if marks and marks[-1][0] not in peaks:
            peaks[marks[-1][0]] = peak_mb()
        marks.append(("end", time.process_time()))
        cpu = {stage: round(marks[i + 1][1] - started, 2) for i, (stage, started) in enumerate(marks[:-1])}
        for name, seconds in result.timings.items():
            label = "import" if name == "collect" else name
            stages[label] = {"wall": round(seconds, 2), "cpu": cpu.get(label), "peak_mb": peaks.get(label)}
        return result

    api.scan = timed_scan
    cli_progress.RichProgress = Recording
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="dense-"))
    work.mkdir(parents=True, exist_ok=True)
    db, out = work / "dense.db", work / "reports"
    db.unlink(missing_ok=True)
    config = estate / "drscan.yaml"
    if no_apps:  # the scan without the DR assessment of every app (the graph stage's DR part)
        config = work / "drscan-no-apps.yaml"
        config.write_text("organization: Dense Corp\nscope: {name: dense}\n")
    command = ["scan", "--import", str(estate), "--config", str(config), "--db", str(db),
               "--out", str(out), "--format", formats, "--fail-on", "none", "--quiet"]
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        cli.app(command, standalone_mode=False)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    usage = resource.getrusage(resource.RUSAGE_SELF)
    row = {
        "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2), "stages": stages,
        "peak_rss_mb": round(usage.ru_maxrss / 1024), "db_mb": round(db.stat().st_size / 1e6, 1),
        "findings_json_mb": round((out / "findings.json").stat().st_size / 1e6, 1) if (out / "findings.json").exists() else None,
        "findings_csv_mb": round((out / "findings.csv").stat().st_size / 1e6, 1) if (out / "findings.csv").exists() else None,
    }
    import sqlite3  # the counts from the stored scan: reading findings.json back would cost more than the scan

    with sqlite3.connect(db) as conn:
        counts = conn.execute("select resource_count, relation_count, pass_count + fail_count + not_assessed_count"
                              " from scans order by id desc limit 1").fetchone()
    if counts:
        row["resources"], row["relations"], row["findings"] = counts
        row["relations_per_resource"] = round(row["relations"] / max(1, row["resources"]), 1)
        row["findings_per_resource"] = round(row["findings"] / max(1, row["resources"]), 1)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", nargs="+", default=["10k", "100k"], help="10k, 100k, 1m or a number")
    parser.add_argument("--csv", action="store_true", help="write findings.csv too (--format json,csv)")
    parser.add_argument("--keep", type=Path, help="keep the DB and reports in this directory")
    parser.add_argument("--no-apps", action="store_true", help="scan without drscan.yaml's apps (no DR assessment)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--formats", default="json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(Path(args.child), args.formats, args.keep, args.no_apps)))
        return
    results = []
    for text in args.size:
        size = size_of(text)
        estate = ensure_estate(size)
        formats = "json,csv" if args.csv else "json"
        command = [sys.executable, __file__, "--child", str(estate), "--formats", formats]
        if args.keep:
            command += ["--keep", str(args.keep)]
        if args.no_apps:
            command += ["--no-apps"]
        load = os.getloadavg()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        row.update(size=text, formats=formats, export_mb=round(tree_bytes(estate) / 1e6),
                   load_before=[round(x, 2) for x in load], load_after=[round(x, 2) for x in os.getloadavg()])
        results.append(row)
        stages = "  ".join(f"{k} {v['wall']:.1f}s/{v['cpu']}s/{v['peak_mb']}MB" for k, v in row["stages"].items())
        print(f"{text:>5} {formats:<8} {row.get('resources', '?'):>8} resources  {row.get('relations', '?'):>9} relations  "
              f"{row.get('findings', '?'):>8} findings  wall {row['seconds']:.1f}s cpu {row['cpu_seconds']:.1f}s  "
              f"peak {row['peak_rss_mb']} MB  db {row['db_mb']} MB  json {row['findings_json_mb']} MB  "
              f"[wall/cpu/peak so far: {stages}]  load {row['load_before'][0]}", flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
