"""A moto_server process on 127.0.0.1 for end-to-end scans: started on a free port, waited for
with a bounded loop, and always stopped."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def moto_server(unauthenticated_calls: int | None = None, log: Path | None = None) -> Iterator[str]:
    """Yields the endpoint URL. With unauthenticated_calls=N, moto checks IAM policies on every
    call after the first N (spent creating the users whose keys the test then uses), like a real
    account."""
    port = free_port()
    env = dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false")
    if unauthenticated_calls is not None:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(unauthenticated_calls)
    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    out = open(log, "wb") if log else subprocess.DEVNULL
    process = subprocess.Popen([executable, "-H", "127.0.0.1", "-p", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # up to ~20 s
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {process.returncode}")
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not start within 20 s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if log:
            out.close()
