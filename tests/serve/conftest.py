"""Shared fixtures for `drscan serve`: a scan history built once per session by real scans of
copies of samples/acme (three scans a week apart, the first with a few planted differences, the
last with a script payload in a tag and a name), real `drscan serve` processes on 127.0.0.1, and
headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES

CONFIG = SAMPLES / "drscan.yaml"
AS_OF = ("2026-11-06T06:00:00Z", "2026-11-13T06:00:00Z", "2026-11-20T06:00:00Z")
TOKEN = "s3rve-test-token-0123456789abcdef"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
# Planted in the latest scan: a tag value, a tag key and a resource name an attacker controls.
PAYLOAD_TAG = "<script>window.__xss = 1</script>"
PAYLOAD_KEY = "<img src=x onerror=\"window.__xss = 2\">"
PAYLOAD_NAME = "vm-checkout-web-1<script>window.__xss = 3</script>"
# And text that would reorder or widen the page: a bidi override and a 3,000-character word.
PAYLOAD_BIDI = "invoice\u202efdp.exe"
PAYLOAD_LONG = "L" * 3000
XSS_VM_ID = "/subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111/resourceGroups/rg-checkout-prod/providers/Microsoft.Compute/virtualMachines/vm-checkout-web-1"
# Planted differences between scan 1 and scan 2 (scan 2 is the sample as generated).
ADDED_BUCKET = "//storage.googleapis.com/acme-analytics-staging-google-managed-key"  # absent from scan 1
REGRESSED_BUCKET = "//storage.googleapis.com/acme-analytics-raw-regional-unversioned"  # versioned in scan 1
RESOLVED_BUCKET = "//storage.googleapis.com/acme-analytics-curated"  # no uniform access in scan 1


def drscan(*args: str, timeout: int = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "drscan.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env or base_env())


def base_env() -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(REPO), "COLUMNS": "160"}


def _estate_first(work: Path) -> Path:
    """samples/acme a week earlier: one bucket not created yet, one still versioned, one not yet uniform."""
    estate = work / "estate-1"
    shutil.copytree(SAMPLES, estate)
    assets = estate / "gcp" / "cloud-asset-export.ndjson"
    lines = []
    for line in assets.read_text().splitlines():
        asset = json.loads(line)
        if asset["name"] == ADDED_BUCKET:
            continue
        data = asset["resource"]["data"]
        if asset["name"] == REGRESSED_BUCKET:
            data["versioning"] = {"enabled": True}
        if asset["name"] == RESOLVED_BUCKET:
            data["iamConfiguration"]["uniformBucketLevelAccess"] = {"enabled": False}
            data["iamConfiguration"]["bucketPolicyOnly"] = {"enabled": False}
        lines.append(json.dumps(asset))
    assets.write_text("\n".join(lines) + "\n")
    policies = estate / "gcp" / "iam-policies.json"
    kept = [p for p in json.loads(policies.read_text()) if p.get("name") != ADDED_BUCKET]
    policies.write_text(json.dumps(kept))
    return estate


def _estate_payload(work: Path) -> Path:
    """samples/acme with attacker-controlled text in an Azure VM's name and tags."""
    estate = work / "estate-3"
    shutil.copytree(SAMPLES, estate)
    (path,) = (estate / "azure").glob("resources-*.json")  # named with its capture time
    document = json.loads(path.read_text())
    for row in document["data"]:
        if row["id"] == XSS_VM_ID:
            row["name"] = PAYLOAD_NAME
            row["tags"] = {**(row.get("tags") or {}), "owner": PAYLOAD_TAG, PAYLOAD_KEY: "x", "note": PAYLOAD_BIDI,
                           "blob": PAYLOAD_LONG}
            break
    else:
        raise AssertionError(f"{XSS_VM_ID} is not in the sample")
    path.write_text(json.dumps(document))
    return estate


@dataclass(frozen=True)
class History:
    db: Path
    packs: Path
    work: Path


@pytest.fixture(scope="session")
def history(tmp_path_factory) -> History:
    """drscan.db with three scans (ids 1, 2, 3) and an evidence pack of scan 3 in packs/."""
    work = tmp_path_factory.mktemp("serve-history")
    db = work / "drscan.db"
    for estate, as_of in ((_estate_first(work), AS_OF[0]), (SAMPLES, AS_OF[1]), (_estate_payload(work), AS_OF[2])):
        result = drscan("scan", "--import", str(estate), "--config", str(CONFIG), "--db", str(db), "--as-of", as_of, "-q")
        assert result.returncode == 1, result.stderr  # the sample has failing high-severity findings
    packs = work / "packs"
    packs.mkdir()
    key = work / "signing.key"
    assert drscan("keygen", "--out", str(key)).returncode == 0
    result = drscan("pack", "--db", str(db), "--framework", "iso27001-2022", "--config", str(CONFIG), "--sign", str(key),
                    "-o", str(packs / "evidence-scan-3.zip"), timeout=600)
    assert result.returncode == 0, result.stderr
    return History(db, packs, work)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start_server(*args: str, log: Path, env: dict | None = None) -> Server:
    """`drscan serve ARGS --port <free>` as a subprocess, once /healthz answers (60 s at most)."""
    port = free_port()
    handle = log.open("w")
    process = subprocess.Popen([sys.executable, "-m", "drscan.cli", "serve", *args, "--port", str(port)], cwd=REPO,
                               stdout=handle, stderr=subprocess.STDOUT, env=env or base_env())
    handle.close()
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"drscan serve exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(server.base + "/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise AssertionError(f"drscan serve did not answer within 60 s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def server(history):
    """The dashboard over the history, without a token (loopback), with DR config and packs."""
    started = start_server("--db", str(history.db), "--config", str(CONFIG), "--packs", str(history.packs),
                           log=history.work / "serve.log")
    yield started
    started.stop()


@pytest.fixture(scope="session")
def token_server(history):
    """The same dashboard requiring a token (read from a file), and treating every scan as stale."""
    token_file = history.work / "token.txt"
    token_file.write_text(TOKEN + "\n")
    started = start_server("--db", str(history.db), "--auth-token-file", str(token_file), "--stale-after-hours", "0",
                           log=history.work / "serve-token.log")
    yield started
    started.stop()


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def fetch(url: str, *, headers: dict | None = None, method: str = "GET", data: bytes | None = None) -> Reply:
    """One HTTP request to a local test server; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=data)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())


@pytest.fixture(scope="module")
def browser():
    """Per module: a Playwright sync session runs an event loop until it is closed, and other
    modules start their own."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is not installed (.ci/run installs chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Tab:
    """A browser page that records console errors (CSP violations show up there), uncaught
    exceptions and every URL it requested."""

    page: object
    errors: list[str]
    requests: list[str]


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))
    yield Tab(page, errors, requests)
    context.close()
