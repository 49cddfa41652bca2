"""drscan against Prowler on the same live AWS endpoint, in the same run: moto_server on 127.0.0.1
seeded with bench_aws.py's estate (three regions), then `drscan scan --aws` and `prowler aws`, each
as a command-line process with the same retry budget (default: 1 retry per call), each timed wall
clock from start to exit. Prints both wall times and the ratio, per estate size.

Prowler is not a drscan dependency: install it into a separate virtualenv and pass its executable.

    python3 -m venv /tmp/prowler-venv && /tmp/prowler-venv/bin/pip install 'prowler>=5,<6'
    python bench/bench_prowler.py --prowler /tmp/prowler-venv/bin/prowler --resources 100 2000

Fairness: the emulator is warmed first by one untimed drscan scan in another process (moto_server
builds each service's backend on its first request, a cost a real endpoint does not have; services
only Prowler asks for are not warmed, so Prowler's figure includes their first-request cost: see
--prowler-runs 2 to measure it). Each tool gets the credentials it is meant to run with: drscan the
read-only policy it ships (`drscan permissions aws`), Prowler an allow-all user (it expects
SecurityAudit + ViewOnlyAccess; with drscan's narrower policy it would spend its time on
AccessDenied answers instead). Neither can reach the internet: AWS_ENDPOINT_URL points every boto3
client at the emulator, and HTTP(S)_PROXY at a closed local port makes any other request fail at once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_aws import REGIONS, seed  # noqa: E402
from tests.collect.aws.estate import Keys, create_users  # noqa: E402
from tests.collect.aws.server import free_port, moto_server  # noqa: E402

DRSCAN = str(Path(sys.executable).with_name("drscan"))


def _environment(keys: Keys, endpoint: str) -> dict[str, str]:
    """Only this endpoint: no profile, no real credentials, and a dead proxy for anything else."""
    dead = f"http://127.0.0.1:{free_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and "PROXY" not in k.upper()}
    env.update(keys.env(), AWS_ENDPOINT_URL=endpoint, AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
               HTTP_PROXY=dead, HTTPS_PROXY=dead, NO_PROXY="127.0.0.1,localhost")
    return env


def run_drscan(keys: Keys, endpoint: str, workdir: Path, retries: int, timings: bool = True) -> dict:
    out = workdir / f"drscan-{time.monotonic_ns()}"
    command = [DRSCAN, "scan", "--aws", "--regions", ",".join(REGIONS), "--aws-retries", str(retries), "--out", str(out),
               "--format", "json", "--fail-on", "none", "--quiet"] + (["--timings"] if timings else [])
    start = time.perf_counter()
    run = subprocess.run(command, env=_environment(keys, endpoint), capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"drscan failed ({run.returncode}): {run.stderr[-500:]}")
    document = json.loads((out / "findings.json").read_text())
    figures = {"wall_s": round(wall, 2), "resources": document["scan"].get("resource_count"),
               "findings": len(document["findings"])}
    if timings:
        aws = document["timings"]["aws"]["totals"]
        figures.update(api_calls=aws["calls"], retries=aws["retries"], backoff_s=aws["backoff_s"],
                       stages=document["timings"]["stages"],
                       slowest={r["service"]: [r["calls"], r["api_wait_s"], r["task_wall_s"]]
                                for r in document["timings"]["aws"]["services"][:4]})  # calls, API wait, task wall
    return figures


def run_prowler(executable: str, keys: Keys, endpoint: str, workdir: Path, retries: int) -> dict:
    out = workdir / f"prowler-{time.monotonic_ns()}"
    command = [executable, "aws", "--region", *REGIONS, "--output-directory", str(out), "--output-formats", "json-ocsf",
               "--no-banner", "--ignore-exit-code-3", "--aws-retries-max-attempts", str(retries)]
    start = time.perf_counter()
    run = subprocess.run(command, env=_environment(keys, endpoint), capture_output=True, text=True, timeout=7200)
    wall = time.perf_counter() - start
    findings = sum(len(json.loads(p.read_text() or "[]")) for p in out.glob("*.ocsf.json")) if out.exists() else 0
    return {"wall_s": round(wall, 2), "exit": run.returncode, "findings": findings,
            **({"stderr_tail": run.stderr[-300:]} if run.returncode not in (0, 3) else {})}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def compare(size: int, prowler: str, retries: int, drscan_runs: int, prowler_runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="drscan-bench-prowler-") as tmp, \
            moto_server(unauthenticated_calls=6) as endpoint:
        admin, auditor = create_users(endpoint)
        print(f"[{size}] seeded in {seed(endpoint, admin, size):.1f} s; load {load()}", flush=True)
        warm = run_drscan(auditor, endpoint, Path(tmp), retries, timings=False)
        print(f"[{size}] emulator warmed by an untimed drscan scan ({warm['wall_s']} s)", flush=True)
        drscan = []
        for _ in range(drscan_runs):
            drscan.append(run_drscan(auditor, endpoint, Path(tmp), retries))
            print(f"[{size}] drscan: {drscan[-1]}; load {load()}", flush=True)
        prowlers = []
        for _ in range(prowler_runs):
            prowlers.append(run_prowler(prowler, admin, endpoint, Path(tmp), retries))
            print(f"[{size}] prowler: {prowlers[-1]}; load {load()}", flush=True)
        drscan_s = sorted(r["wall_s"] for r in drscan)[len(drscan) // 2]
        prowler_s = prowlers[0]["wall_s"]
        result = {"size": size, "resources": drscan[0]["resources"], "retries": retries, "drscan_s": drscan_s,
                  "prowler_s": prowler_s, "ratio": round(prowler_s / drscan_s, 1),
                  "prowler_warm_s": prowlers[1]["wall_s"] if len(prowlers) > 1 else None, "load": load()}
        print(f"[{size}] RESULT {json.dumps(result)}", flush=True)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prowler", required=True, help="path to a prowler (5.x) executable")
    parser.add_argument("--resources", type=int, nargs="+", default=[100, 2000], help="estate sizes to compare")
    parser.add_argument("--retries", type=int, default=1, help="retries per API call, for both tools")
    parser.add_argument("--drscan-runs", type=int, default=3, help="timed drscan runs per size (the median counts)")
    parser.add_argument("--prowler-runs", type=int, default=1,
                        help="timed Prowler runs per size (the first counts; a second shows Prowler on a warm emulator)")
    args = parser.parse_args()
    results = [compare(size, args.prowler, args.retries, args.drscan_runs, args.prowler_runs) for size in args.resources]
    print(f"{'size':>6} {'resources':>9} {'drscan s':>9} {'prowler s':>10} {'ratio':>6}")
    for r in results:
        print(f"{r['size']:>6} {r['resources']:>9} {r['drscan_s']:>9} {r['prowler_s']:>10} {r['ratio']:>5}x")


if __name__ == "__main__":
    main()
