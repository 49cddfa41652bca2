"""Real Prometheus and Alertmanager (Debian packages) for the tests: started on 127.0.0.1 free
ports as an unprivileged user when the tests run as root, their data in a temporary directory,
waited for with a bounded poll, stopped by the caller's finalizer."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from tests.conftest import require_binary

START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_user(command: list[str], workdir: Path) -> list[str]:
    if os.geteuid() != 0:
        return command
    os.chmod(workdir, 0o755)
    shutil.chown(workdir, "nobody")
    for path in workdir.rglob("*"):
        shutil.chown(path, "nobody")
    return [require_binary("setpriv"), "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]


def get_json(url: str, timeout: float = 5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def wait_for(check: Callable[[], bool], what: str, process: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{what} not ready within {timeout} s: {log.read_text()[-2000:]}")


@contextmanager
def running(command: list[str], workdir: Path, name: str) -> Iterator[tuple[subprocess.Popen, Path]]:
    log = workdir / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(_as_user(command, workdir), stdout=out, stderr=subprocess.STDOUT, cwd=workdir)
    try:
        yield process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def prometheus(workdir: Path, config: str) -> Iterator[str]:
    binary = require_binary("prometheus")
    port = free_port()
    (workdir / "prometheus.yml").write_text(config)
    command = [binary, f"--config.file={workdir / 'prometheus.yml'}", f"--storage.tsdb.path={workdir / 'data'}",
               f"--web.listen-address=127.0.0.1:{port}"]
    with running(command, workdir, "prometheus") as (process, log):
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: get_json(url + "/api/v1/status/config")["status"] == "success", "prometheus", process, log)
        yield url


@contextmanager
def alertmanager(workdir: Path, config: str) -> Iterator[str]:
    binary = require_binary("prometheus-alertmanager")
    port = free_port()
    (workdir / "alertmanager.yml").write_text(config)
    command = [binary, f"--config.file={workdir / 'alertmanager.yml'}", f"--storage.path={workdir / 'am-data'}",
               f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="]
    with running(command, workdir, "alertmanager") as (process, log):
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: "config" in get_json(url + "/api/v2/status"), "alertmanager", process, log)
        yield url
