"""Benchmark the PDF report at 1k, 10k and 100k findings, in the summary and the full detail.

    python bench/bench_pdf.py [--findings 1000 10000 100000] [--full-up-to 10000]

For each size: scan a synthetic estate (bench/synth_estate.py, about 1.6 findings per resource,
cached in bench/out/) without timing it, build the report context, then time the template
(jinja), the layout (WeasyPrint) and the drawing/writing of the PDF, each size in its own
process. Prints one JSON line per size and detail: findings, pages, seconds per step (wall and
this process's CPU: the machine may be shared) and the load average."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FINDINGS_PER_RESOURCE = 1.61  # synth_estate.py with bench.drscan.yaml


def _timed(step: str, timings: dict, fn):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    timings[f"{step}_s"] = round(time.perf_counter() - wall, 2)
    timings[f"{step}_cpu_s"] = round(time.process_time() - cpu, 2)
    return value


def run_one(findings: int, detail: str) -> dict:
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(HERE))
    from bench_scan import ensure_estate
    from weasyprint import HTML

    from drscan import api
    from drscan.paths import templates_dir
    from drscan.report.render import pdf_html

    estate = ensure_estate(max(100, round(findings / FINDINGS_PER_RESOURCE)))
    result = api.scan(estate, config_path=HERE / "bench.drscan.yaml")
    timings: dict = {}
    context = _timed("context", timings, lambda: result.context)
    html = _timed("template", timings, lambda: pdf_html(context, templates_dir(), detail))
    document = _timed("layout", timings, lambda: HTML(string=html, base_url=str(templates_dir())).render())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.pdf"
        _timed("draw", timings, lambda: document.write_pdf(out))
        size_mb = out.stat().st_size / 1e6
    pdf_s = round(timings["template_s"] + timings["layout_s"] + timings["draw_s"], 1)
    pdf_cpu_s = round(timings["template_cpu_s"] + timings["layout_cpu_s"] + timings["draw_cpu_s"], 1)
    return {"findings": len(result.scan.findings), "resources": len(result.scan.resources), "detail": detail,
            "pages": len(document.pages), "pdf_s": pdf_s, "pdf_cpu_s": pdf_cpu_s, **timings,
            "pdf_mb": round(size_mb, 2), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "load_average": [round(x, 1) for x in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--full-up-to", type=int, default=10_000, help="also time --pdf-detail full up to this size")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(int(args.child[0]), args.child[1])))
        return
    for size in args.findings:
        for detail in ("summary", "full") if size <= args.full_up_to else ("summary",):
            out = subprocess.run([sys.executable, __file__, "--child", str(size), detail], check=True,
                                 capture_output=True, text=True).stdout
            print(out.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
