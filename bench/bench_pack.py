"""Benchmark building a signed evidence pack for a stored scan of N resources.

    python bench/bench_pack.py --resources 10000 100000

For each size: scan the synthetic estate into a fresh database (not timed), then time
`api.pack` (ISO 27001 + SOC 2, with the sample attestations and waivers) and `verify_pack`,
each size in its own process so peak memory is its own."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def run_one(size: int) -> dict:
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(HERE))
    from bench_scan import ensure_estate

    from drscan import api
    from drscan.pack.keys import generate_keypair, load_public_key
    from drscan.pack.verify import verify_pack

    estate = ensure_estate(size)
    assurance = REPO / "samples" / "acme" / "assurance"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        scan = api.scan(estate, config_path=HERE / "bench.drscan.yaml", db_path=work / "bench.db").scan
        private, public = generate_keypair(work / "k.key")
        started = time.perf_counter()
        manifest = api.pack(work / "bench.db", work / "pack.zip", private, frameworks=("iso27001-2022", "soc2"),
                            config_path=HERE / "bench.drscan.yaml", attestations_path=assurance / "attestations.yaml",
                            waivers_path=assurance / "waivers.yaml")
        pack_s = time.perf_counter() - started
        started = time.perf_counter()
        verified = verify_pack(work / "pack.zip", load_public_key(public))
        verify_s = time.perf_counter() - started
        size_mb = (work / "pack.zip").stat().st_size / 1e6
    return {"resources": len(scan.resources), "findings": len(scan.findings), "pack_s": round(pack_s, 1),
            "verify_s": round(verify_s, 1), "ok": verified.ok, "files": len(manifest["files"]), "zip_mb": round(size_mb, 1),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, nargs="+", default=[10_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child)))
        return
    for size in args.resources:
        out = subprocess.run([sys.executable, __file__, "--child", str(size)], check=True, capture_output=True, text=True).stdout
        print(out.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
