"""What the CLI and Python users call: scan() runs collect -> graph -> evaluate -> store ->
report; the other functions read what earlier scans stored."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

import orjson

from drscan import __version__
from drscan.collect.sources import Sources, collect
from drscan.config import EARLIEST_DATE, LATEST_DATE, Config, load_config
from drscan.engine.evaluate import evaluate
from drscan.engine.loader import RuleSet, load_rules
from drscan.errors import InputError, StoreError
from drscan.drill.records import stored_drill_resources
from drscan.graph.backups import judge_backups, link_backups
from drscan.graph.build import EMPTY_APP, build_graph
from drscan.baseline import load_baseline
from drscan.history import ScanDiff, diff_scans, history_summary, resolve_pair, scan_ids
from drscan.notify.config import load_notify_config
from drscan.notify.deliver import deliver
from drscan.notify.events import events_for_scan
from drscan.notify.payloads import build_requests
from drscan.model import DATA_TIME_BASIS, SEVERITIES, SEVERITY_RANK, Finding, Gap, Resource, Scan, Status, parse_moment
from drscan.outputs import prepare_directory, prepare_file, write_atomic
from drscan.paths import rules_dir, templates_dir
from drscan.redact import Redactor, redact_inventory, redact_text, redact_value
from drscan.report.context import build_context, with_dr
from drscan.report.formats.tabular import write_csv, write_json
from drscan.report.pdf_view import DEFAULT_PDF_DETAIL, check_pdf_detail
from drscan.report.formats.metrics import metrics_text, write_metrics
from drscan.store.scores import recent_trend
from drscan.store.db import (describe, fingerprint, latest_scan_id, load_inventory, load_resources, load_scan, open_db,
                             reading, record_delivery, record_pending, save_scan, undelivered)

REPORT_FORMATS = ("json", "csv", "html", "pdf")
# Formats that show no DR chapter: written from ScanResult.summary, without assessing every app again.
SUMMARY_FORMATS = frozenset({"json", "csv", "sarif", "junit", "ocsf"})
EXTRA_FORMATS = ("sarif", "junit", "ocsf")  # CI and SIEM outputs, written only when asked for
OUTPUT_NAMES = {"json": "findings.json", "csv": "findings.csv", "html": "report.html", "pdf": "report.pdf",
                "sarif": "findings.sarif", "junit": "junit.xml", "ocsf": "findings.ocsf.json"}


class Progress(Protocol):
    def stage(self, name: str, total: int | None = None) -> None: ...
    def advance(self, amount: int = 1) -> None: ...
    def note(self, text: str) -> None: ...  # a live remark on the current stage, e.g. accounts with errors


class _Silent:
    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

    def note(self, text: str) -> None:
        pass


@dataclass
class ScanResult:
    scan: Scan
    rules: RuleSet
    config: Config
    fail_on: str
    exit_code: int
    reports: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    baseline: set[str] | None = None
    deliveries: list = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)  # "service:Operation" -> count (live AWS)
    api_timings: Any = None  # live AWS: where the collect stage's time went (drscan.collect.aws.timings)
    warnings: list[str] = field(default_factory=list)  # configuration problems the scan worked around
    score_history: list | None = None  # DR readiness scores of earlier stored scans (trend chart)
    _context: dict | None = field(default=None, repr=False)
    _summary: dict | None = field(default=None, repr=False)

    @property
    def context(self) -> dict:
        """The report context (built on first use: a scan that writes no report skips it)."""
        if self._context is None:
            self._context = with_dr(self.summary, self.scan, self.config, self.score_history)
        return self._context

    @property
    def summary(self) -> dict:
        """The report context without the DR chapter, all that findings.json, findings.csv and the
        terminal summary read: a scan writing only those skips the DR assessment of every app."""
        if self._context is not None:
            return self._context
        if self._summary is None:
            self._summary = build_context(self.scan, self.rules, self.config, self.fail_on, self.exit_code,
                                          score_history=self.score_history, dr=False, lazy=True)
        return self._summary


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with milliseconds: 2026-11-20T06:00:00.123Z."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_as_of(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--as-of: not an ISO 8601 date/time: {text!r}") from None
    if not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
        raise InputError(f"--as-of: {text!r} is outside {EARLIEST_DATE.year}-{LATEST_DATE.year}")
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _moment(text: str) -> datetime:
    """An ISO timestamp as an aware datetime ('...08Z' and '...08.851Z' compare as times, not text)."""
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def data_moment(resources, as_of: datetime | None, started: datetime) -> tuple[datetime, dict]:
    """The moment a scan's ages are measured against, and the range its data was captured in.
    --as-of fixes one moment for everything; else each resource is judged as of its own capture
    time (observed_at: an export's capture time, or the API call's), and the scan's own moment is
    the newest capture (resources without one, and drills, are measured against it)."""
    times = sorted({r.observed_at for r in resources if r.observed_at})
    span = {"oldest": times[0], "newest": times[-1]} if times else {"oldest": None, "newest": None}
    if as_of is not None:
        return as_of, {**span, "basis": "--as-of"}
    newest = parse_moment(times[-1]) if times else None
    if newest is None:
        return started, {**span, "basis": "scan time"}
    return newest, {**span, "basis": DATA_TIME_BASIS}


def exit_code_for(findings: list[Finding] | tuple[Finding, ...], fail_on: str, baseline: set[str] | None = None) -> int:
    """1 when a FAIL at or above `fail_on` severity exists (outside the baseline), else 0
    ('none' never fails)."""
    if fail_on == "none":
        return 0
    if fail_on not in SEVERITY_RANK:
        raise InputError(f"--fail-on must be one of {', '.join(SEVERITIES)}, none; got {fail_on!r}")
    threshold = SEVERITY_RANK[fail_on]
    accepted = baseline or set()
    return int(any(f.status is Status.FAIL and SEVERITY_RANK[f.severity] <= threshold
                   and fingerprint(f.rule_id, f.resource_id) not in accepted for f in findings))


def load_ruleset(config: Config, rules_path: Path | None = None) -> RuleSet:
    return load_rules(rules_path or rules_dir(), config.excluded_rules)


def _previous_resources(db_path: Path | None, rules: RuleSet) -> dict[str, Resource]:
    """The latest stored scan's resources of the kinds drift rules compare, if there is one."""
    kinds = {kind for rule in rules.rules if rule.category == "drift" for kind in rule.kinds}
    if db_path is None or not db_path.exists() or not kinds:
        return {}
    with reading(db_path, allow_empty=True) as db:  # an empty file becomes a new database
        latest = latest_scan_id(db) if db["scans"].exists() else None
        return load_resources(db, latest, kinds) if latest is not None else {}


def nothing_to_assess(sources: Sources, gaps: tuple[Gap, ...]) -> str:
    """Why a scan that found no resource at all stops (exit 2) instead of reporting 'compliant':
    every input was empty, unreadable or refused (README, "Exit codes")."""
    inputs = [str(p) for p in ((sources.import_dir,) if sources.import_dir is not None else ()) + sources.more_imports]
    inputs += [name for name in ("aws", "gcp", "azure") if getattr(sources, name) is not None]
    inputs += [name for name in ("postgres", "mysql") if getattr(sources, name)]
    where = " and ".join(inputs)
    if not gaps:
        return f"no resources found in {where}: nothing to assess (no export file or resource was found)"
    codes = Counter(g.code for g in gaps)
    summary = ", ".join(f"{code} x{count}" for code, count in codes.most_common())
    first = " ".join(gaps[0].message.split())[:300]
    return f"no resources found in {where}: nothing to assess ({len(gaps)} gaps: {summary}; first: {first})"


def scan(import_dir: Path | None = None, *, sources: Sources | None = None, config_path: Path | None = None, db_path: Path | None = None,
         out_dir: Path | None = None, fail_on: str | None = None, formats: tuple[str, ...] = REPORT_FORMATS,
         as_of: datetime | None = None, rules_path: Path | None = None, progress: Progress | None = None,
         baseline_path: Path | None = None, metrics_path: Path | None = None,
         notify_path: Path | None = None, outputs: dict[str, Path] | None = None, executor=None,
         pdf_detail: str = DEFAULT_PDF_DETAIL, with_timings: bool = False) -> ScanResult:
    """`executor`: a Dask executor (drscan.collect.executor.DaskExecutor, owned by the caller) that runs
    the collection tasks and evaluates the graph in partitions; None: this process's threads.
    `pdf_detail`: "summary" (default: each rule's first resources) or "full" (every resource).
    `with_timings`: findings.json carries a `timings` object (stages, live API time by service)."""
    progress = progress or _Silent()
    sources = sources or Sources(import_dir=import_dir)
    if import_dir is not None and sources.import_dir is None:
        sources = replace(sources, import_dir=import_dir)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    config = load_config(config_path)
    fail_on = fail_on or config.fail_on
    exit_code_for((), fail_on)  # validate before doing any work
    check_pdf_detail(pdf_detail)
    baseline = load_baseline(baseline_path) if baseline_path else None
    if notify_path is not None and db_path is None:
        raise InputError("--notify needs --db: alerts are for changes since the previous stored scan")
    notify_config = load_notify_config(notify_path) if notify_path else None
    rules = load_ruleset(config, rules_path)
    check_destinations(out_dir, outputs, metrics_path, db_path)  # a bad path fails now, not after the scan
    started = utc_now()
    previous = _previous_resources(db_path, rules)

    mark = time.perf_counter()
    progress.stage("Collecting" if sources.import_dir is None else "Importing exports")
    collection = collect(sources, on_item=progress.advance, on_plan=lambda total: progress.stage("Collecting", total),
                         executor=executor, on_note=getattr(progress, "note", None))
    if not collection.inventory.resources:
        raise InputError(redact_text(nothing_to_assess(sources, collection.inventory.gaps)))
    inventory = collection.inventory
    collection = replace(collection, inventory=replace(inventory, resources=(), references=()))  # held once, below
    drills = stored_drill_resources(db_path)  # drscan drill restore records: measured restore times for the DR engine
    if drills:
        inventory = replace(inventory, resources=inventory.resources + tuple(drills))
    inventory = redact_inventory(inventory)
    timings["collect"] = time.perf_counter() - mark
    now, data_as_of = data_moment(inventory.resources, as_of, started)
    per_resource_time = data_as_of["basis"] == DATA_TIME_BASIS

    mark = time.perf_counter()
    progress.stage("Building dependency graph")
    inventory = link_backups(inventory, config)  # backup sources -protects-> what they protect
    graph = build_graph(inventory, config.apps)
    inventory = replace(inventory, references=())  # resolved into graph.relations (or gaps): not kept twice
    for resource in judge_backups(graph.resources, graph.related, graph.apps_of, config, now, per_resource_time):
        graph.resources[resource.id] = resource  # backup sources judged against their max age (drscan.graph.backups)
    from drscan.dr.kubernetes_facts import kubernetes_facts  # Velero schedules vs the apps' RPO, measured ages

    for resource in kubernetes_facts(graph, config, now, inventory.gaps, per_resource_time):
        graph.resources[resource.id] = resource
    if config.apps:  # each app becomes a drscan.dr.app resource carrying its DR assessment, for the dr rules
        from drscan.dr.assess import app_resources

        for resource in app_resources(graph, config, now, per_resource_time):
            graph.resources[resource.id] = resource
    timings["graph"] = time.perf_counter() - mark

    mark = time.perf_counter()
    progress.stage("Evaluating rules", total=len(graph.resources))
    gaps = list(inventory.gaps) + graph.gaps
    if executor is not None:  # partitions by account on the cluster, the same findings
        from drscan.engine.partition import evaluate_partitioned

        findings = evaluate_partitioned(graph, rules, now, gaps, executor, previous, on_progress=progress.advance,
                                        per_resource_time=per_resource_time)
    else:
        findings = evaluate(graph, rules, now, gaps, on_progress=progress.advance, previous=previous,
                            per_resource_time=per_resource_time)
    timings["evaluate"] = time.perf_counter() - mark

    fail_code = exit_code_for(findings, fail_on, baseline)
    scope = redact_value({"name": config.scope_name, **sources.describe(), "as_of": iso(now),
                          "as_of_basis": data_as_of["basis"], "data_as_of": data_as_of})
    if collection.api_calls:
        scope["api_calls"] = sum(collection.api_calls.values())
    if baseline is not None:
        scope["baseline"] = redact_value(str(baseline_path))
    result_scan = Scan(id=None, started_at=iso(started), finished_at=iso(utc_now()), scope=scope,
                       sources=inventory.sources, resources=tuple(graph.resources.values()),
                       relations=tuple(graph.relations), findings=tuple(findings), gaps=tuple(gaps),
                       drscan_version=__version__, rules_digest=rules.digest)
    history = None
    if db_path is not None:
        mark = time.perf_counter()
        progress.stage("Storing scan")
        db = open_db(db_path)
        try:
            scan_id = save_scan(db, result_scan)
            history = recent_trend(db) if config.apps else None
        finally:
            db.conn.close()
        result_scan = replace(result_scan, id=scan_id)
        timings["store"] = time.perf_counter() - mark

    result = ScanResult(scan=result_scan, rules=rules, config=config, fail_on=fail_on, exit_code=fail_code,
                        timings=timings, baseline=baseline, api_calls=collection.api_calls, score_history=history,
                        warnings=[g.message for g in graph.gaps if g.code == EMPTY_APP], api_timings=collection.api_timings)
    if with_timings and out_dir is not None and "json" in formats:
        from drscan.report.timings_table import timings_document

        result.summary["timings"] = timings_document(timings, collection.api_timings)  # context copies it
    if out_dir is not None:
        mark = time.perf_counter()
        full = any(name not in SUMMARY_FORMATS for name in formats)  # only HTML and PDF show the DR chapter
        result.reports = write_reports(result.context if full else result.summary, out_dir, formats, progress,
                                       pdf_detail=pdf_detail)
        timings["report"] = time.perf_counter() - mark
    if outputs:
        full = any(name not in SUMMARY_FORMATS for name in outputs)
        result.reports.update(write_outputs(result.context if full else result.summary, outputs, progress=progress))
    if notify_config is not None:
        progress.stage("Sending alerts")
        result.deliveries = notify(db_path, result_scan, rules, notify_config)
    if metrics_path is not None:
        write_metrics(metrics_text(result.context, time.time(), time.perf_counter() - clock), metrics_path)
        result.reports["metrics"] = metrics_path
    return result


def check_destinations(out_dir: Path | None = None, outputs: dict[str, Path] | None = None,
                       metrics_path: Path | None = None, db_path: Path | None = None) -> None:
    """Before any work: output directories can be created and written, output files are not
    directories (OutputError, exit 2), and an existing database is one drscan can write
    (StoreError, exit 3; checked read-only, so a damaged file is left as it is)."""
    if out_dir is not None:
        prepare_directory(out_dir)
    for path in [*(outputs or {}).values(), *([metrics_path] if metrics_path is not None else [])]:
        prepare_file(path)
    if db_path is not None and db_path.exists():
        with reading(db_path, allow_empty=True):
            pass


def _writers(pdf_detail: str = DEFAULT_PDF_DETAIL, progress: Progress | None = None) -> dict:
    from drscan.report.formats.ci import write_junit, write_ocsf, write_sarif
    from drscan.report.render import write_html, write_pdf  # weasyprint loads Pango; only when reporting

    return {
        "json": write_json, "csv": write_csv, "sarif": write_sarif, "junit": write_junit, "ocsf": write_ocsf,
        "html": lambda context, path: write_html(context, templates_dir(), path),
        "pdf": lambda context, path: write_pdf(context, templates_dir(), path, pdf_detail, progress),
    }


def write_outputs(context: dict, outputs: dict[str, Path], *, pdf_detail: str = DEFAULT_PDF_DETAIL,
                  progress: Progress | None = None) -> dict[str, Path]:
    """Write each named format to its path: {"sarif": Path("out.sarif"), ...}. With `progress`,
    each file is a stage ("Writing findings.csv"); the PDF's pages advance its own stages."""
    from drscan.report.pdf_job import PdfJob
    from drscan.report.render import render_pdf

    writers = _writers(pdf_detail, progress)
    unknown = [name for name in outputs if name not in writers]
    if unknown:
        raise InputError(f"unknown output format {unknown[0]!r}; choose from {', '.join(OUTPUT_NAMES)}")
    # The PDF takes most of the time: with other formats to write, it is laid out in a second
    # process meanwhile (report/pdf_job.py) and written last.
    pdf = (PdfJob.start(lambda shown: render_pdf(context, templates_dir(), pdf_detail, shown))
           if "pdf" in outputs and len(outputs) > 1 else None)
    written = {}
    try:
        for name, path in outputs.items():
            if name == "pdf" and pdf is not None:
                continue
            if progress is not None:
                progress.stage(f"Writing {path.name}")
            written[name] = writers[name](context, path)
        if pdf is not None:
            path = outputs["pdf"]
            if progress is not None:
                progress.stage(f"Writing {path.name}")
            written["pdf"] = write_atomic(path, pdf.result(progress))
    finally:
        if pdf is not None:
            pdf.cancel()  # only does something when another format failed while the PDF was rendering
    return {name: written[name] for name in outputs}


def write_reports(context: dict, out_dir: Path, formats: tuple[str, ...], progress: Progress | None = None,
                  *, pdf_detail: str = DEFAULT_PDF_DETAIL) -> dict[str, Path]:
    """Write the chosen formats into out_dir under their standard names (OUTPUT_NAMES)."""
    unknown = [name for name in formats if name not in OUTPUT_NAMES]
    if unknown:
        raise InputError(f"unknown report format {unknown[0]!r}; choose from {', '.join(OUTPUT_NAMES)}")
    return write_outputs(context, {name: out_dir / OUTPUT_NAMES[name] for name in formats}, pdf_detail=pdf_detail,
                         progress=progress)


def history(db_path: Path, last: int = 20) -> dict:
    with reading(db_path) as db:
        return history_summary(db, last)


def diff(db_path: Path, old: int | None = None, new: int | None = None) -> ScanDiff:
    with reading(db_path) as db:
        old_id, new_id = resolve_pair(db, old, new)
        return diff_scans(db, old_id, new_id)


def notify(db_path: Path, stored: Scan, rules: RuleSet, config) -> list:
    """Alert on what changed since the previous stored scan. Never raises on delivery problems:
    results (including failures) are returned and recorded. Every request is recorded `pending`
    (committed) before anything is sent and updated as its result comes in, so alerts that failed,
    or were in flight when the process died, are sent again by the next scan."""
    db = open_db(db_path)
    try:
        ids = [i for i in scan_ids(db) if i < stored.id]
        previous = ids[-1] if ids else None
        changes = diff_scans(db, previous, stored.id, include_resources=False) if previous is not None else None
        retry = undelivered(db, previous) if previous is not None else {}
        events = events_for_scan(stored, rules, changes, retry.get("trigger", set()), retry.get("resolve", set()))
        requests = build_requests(events, config)
        rows = record_pending(db, stored.id, requests)
        return deliver(requests, config, on_result=lambda index, result: record_delivery(db, rows[index], result))
    except sqlite3.Error as exc:
        raise StoreError(f"{db_path}: cannot record alert deliveries: {describe(exc)}") from None
    finally:
        db.conn.close()


def plan(plan_path: Path, *, config_path: Path | None = None, fail_on: str | None = None, soft_fail: bool = False,
         out_dir: Path | None = None, formats: tuple[str, ...] = ("json",), outputs: dict[str, Path] | None = None,
         as_of: datetime | None = None, db_path: Path | None = None) -> ScanResult:
    """Gate a Terraform plan (`terraform show -json tfplan`): rules on planned values of created
    and updated resources, plus DR regressions. With db_path, the plan is read on top of the
    latest stored scan. Exit code by --fail-on, 0 with soft_fail."""
    from drscan.gate import evaluate_plan, plan_context

    config = load_config(config_path)
    fail_on = fail_on or config.fail_on
    exit_code_for((), fail_on)
    rules = load_ruleset(config)
    check_destinations(out_dir, outputs)
    live = None
    if db_path is not None:
        with reading(db_path) as db:
            latest = latest_scan_id(db)
            if latest is None:
                raise InputError(f"{db_path}: no scans yet (run drscan scan --db {db_path} first)")
            live = (latest, load_inventory(db, latest))
    started = utc_now()
    verdict = evaluate_plan(plan_path, config, rules, as_of or started, iso(started), iso(utc_now()), live=live)
    code = 0 if soft_fail else exit_code_for(verdict.scan.findings, fail_on)
    result = ScanResult(scan=verdict.scan, rules=rules, config=config, fail_on=fail_on, exit_code=code)
    result._context = plan_context(build_context(verdict.scan, rules, config, fail_on, code), verdict)
    if out_dir is not None:
        result.reports = write_reports(result.context, out_dir, formats)
    if outputs:
        result.reports.update(write_outputs(result.context, outputs))
    return result


def terraform_drift(db_path: Path, state_paths: Path | list[Path], accounts: tuple[str, ...] = ()) -> dict:
    """The latest stored scan against one Terraform state per workspace (see drscan/state_drift.py)."""
    from drscan.collect.terraform import load_state
    from drscan.state_drift import TerraformState, compare_states

    paths = [state_paths] if isinstance(state_paths, Path) else list(state_paths)
    if not paths:
        raise InputError("give at least one --terraform-state")
    with reading(db_path) as db:
        latest = latest_scan_id(db)
        if latest is None:
            raise InputError(f"{db_path}: no scans yet")
        scanned = load_resources(db, latest)
    states = [TerraformState(redact_text(str(path)), redact_inventory(load_state(path)).resources) for path in paths]
    report = compare_states(states, scanned, accounts)
    report["scan_id"] = latest
    return report


def pack(db_path: Path, out_path: Path, signing_key: Path, *, scan_ref: str = "latest", frameworks: tuple[str, ...] = (),
         config_path: Path | None = None, attestations_path: Path | None = None, waivers_path: Path | None = None,
         period_start: str | None = None, period_end: str | None = None, as_of: datetime | None = None,
         pdf_detail: str = DEFAULT_PDF_DETAIL, progress: Progress | None = None) -> dict:
    """Build the signed evidence pack for one stored scan. Returns the manifest."""
    from drscan.assurance import Assurance, load_attestations, load_waivers
    from drscan.pack.assemble import build_evidence_pack, default_period, parse_period
    from drscan.report.render import render_html, render_pdf

    check_pdf_detail(pdf_detail)
    progress = progress or _Silent()
    progress.stage("Loading the stored scan")
    config = load_config(config_path)
    rules = load_ruleset(config)
    chosen = frameworks or tuple(rules.catalogues)
    prepare_file(out_path)
    with reading(db_path) as db:
        if scan_ref == "latest":
            scan_id = latest_scan_id(db)
            if scan_id is None:
                raise InputError(f"{db_path}: no scans yet")
        elif scan_ref.isdigit():
            scan_id = int(scan_ref)
        else:
            raise InputError(f"--scan must be 'latest' or a scan id, got {scan_ref!r}")
        stored = load_scan(db, scan_id)
        times = [row["started_at"] for row in db.query("select started_at from scans where id <= ?", [scan_id])]
        from drscan.drill.records import list_drills

        scan_end = _moment(stored.finished_at)
        drills = (redact_value([d for d in list_drills(db) if _moment(d["finished_at"]) <= scan_end])
                  if db["drills"].exists() else [])
        history = ([row for row in recent_trend(db, last=1000) if row["scan_id"] <= scan_id][-20:]
                   if db["dr_scores"].exists() else [])
    now = as_of or utc_now()
    known_controls = {f"{c.framework}:{control.id}" for c in rules.catalogues.values() for control in c.controls}
    assurance = Assurance(as_of=now.date())
    redactor = Redactor()  # attestation and waiver text is signed into the pack: no credentials in it either
    if attestations_path:
        assurance.attestations = [redactor.dataclass(a) for a in load_attestations(attestations_path, known_controls)]
    if waivers_path:
        assurance.waivers = [redactor.dataclass(w) for w in load_waivers(waivers_path, {r.id for r in rules.rules})]
    try:
        period = parse_period(period_start, period_end, default_period(times, stored))
    except ValueError as exc:
        raise InputError(f"--period-start/--period-end: {exc}") from None
    code = exit_code_for(stored.findings, config.fail_on)
    progress.stage("Building the report context")
    context = build_context(stored, rules, config, config.fail_on, code, assurance=assurance, frameworks=chosen, now=now,
                            score_history=history)
    evidence = {}
    for attestation in assurance.attestations:
        for item in attestation.evidence:
            evidence[item.name] = item.path
    given = (("attestations.yaml", attestations_path), ("waivers.yaml", waivers_path), ("drscan.yaml", config_path))
    inputs = {name: _redacted_file(path) for name, path in given if path}
    def html(ctx: dict) -> str:
        progress.stage("Rendering report.html")
        return render_html(ctx, templates_dir())

    renderers = {"html": html, "pdf": lambda ctx, shown: render_pdf(ctx, templates_dir(), pdf_detail, shown)}
    return build_evidence_pack(out_path, scan=stored, context=context, signing_key=signing_key,
                               attestation_files=evidence, inputs=inputs, period=period,
                               rule_versions={r.id: r.version for r in rules.rules}, render=renderers,
                               extra_files={"drills.json": orjson.dumps(drills, option=orjson.OPT_INDENT_2, default=str) + b"\n"},
                               progress=progress)


def _redacted_file(path: Path) -> bytes:
    """An input file as packed: its text with credentials removed (it was read and validated already)."""
    try:
        return redact_text(path.read_text(encoding="utf-8", errors="replace")).encode("utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
