"""Benchmark the bounded YAML loader (drscan/yamlfile.py): a drscan.yaml with N apps, the
bundled rules and catalogues, and how fast hostile files are refused.

    python bench/bench_yaml.py --apps 5000

Prints seconds and peak RSS for each; the libyaml event source is compared with the
pure-Python parser PyYAML falls back to."""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import drscan.yamlfile as yamlfile  # noqa: E402
from drscan.config import load_config  # noqa: E402
from drscan.engine.loader import load_rules  # noqa: E402
from drscan.errors import InputError  # noqa: E402
from drscan.paths import rules_dir  # noqa: E402


def _config(apps: int) -> str:
    lines = ["organization: Bench Corp", "apps:", "  - &defaults {name: app0, tier: 2, rpo: 15m, rto: 1h, members: {ids: [x]}}"]
    for i in range(1, apps):
        lines.append(f"  - {{<<: *defaults, name: app{i}, owner: team{i % 40}@example.com, "
                     f"members: {{tags: {{app: app{i}}}, ids: [arn:aws:rds:us-east-1:111111111111:db:db{i}]}}}}")
    return "\n".join(lines) + "\n"


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _timed(label: str, work) -> None:
    start = time.perf_counter()
    try:
        outcome = work()
    except InputError as exc:
        outcome = f"refused: {str(exc).split(': ', 1)[1][:70]}"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<44} {time.perf_counter() - start:7.3f} s   peak RSS {rss:6.0f} MB   {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "drscan.yaml"
        config.write_text(_config(args.apps))
        bomb = Path(tmp) / "bomb.yaml"
        bomb.write_text(_bomb())
        deep = Path(tmp) / "deep.yaml"
        deep.write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
        print(f"drscan.yaml: {args.apps} apps, {config.stat().st_size / 1024:.0f} KB; bomb: {bomb.stat().st_size} bytes")
        for parser_name, parser_class in (("libyaml", yamlfile._LibyamlParser), ("pure Python", None)):
            yamlfile._LibyamlParser = parser_class
            if parser_name == "libyaml" and parser_class is None:
                print("libyaml not available")
                continue
            _timed(f"[{parser_name}] load_yaml drscan.yaml ({args.apps} apps)",
                   lambda: f"{len(yamlfile.load_yaml(config).data['apps'])} apps")
            _timed(f"[{parser_name}] load_config (+ schema, checks)", lambda: f"{len(load_config(config).apps)} apps")
            _timed(f"[{parser_name}] bundled rules + catalogues", lambda: f"{len(load_rules(rules_dir()).rules)} rules")
            _timed(f"[{parser_name}] billion laughs (9^9 values)", lambda: yamlfile.load_yaml(bomb))
            _timed(f"[{parser_name}] 100,000 nested brackets", lambda: yamlfile.load_yaml(deep))


if __name__ == "__main__":
    main()
