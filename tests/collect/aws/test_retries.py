"""Retry budget: throttling is retried up to --aws-retries; a server error (5xx) at most
SERVER_ERROR_RETRIES times, so a service that is down or lacks the API becomes a gap quickly.
A local HTTP server on 127.0.0.1 answers as AWS (throttling) or a failing front end (HTML 500)
would, and counts the requests that reached it."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

from drscan.collect.aws.base import SERVER_ERROR_RETRIES, SessionFactory, TaskContext

from tests.collect.aws.conftest import task

HTML_500 = b"<!doctype html>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n"
THROTTLED = b'{"__type":"ThrottlingException","message":"Rate exceeded"}'


@contextmanager
def kms_endpoint(answers: list[tuple[int, bytes]]) -> Iterator[tuple[str, list[int]]]:
    """KMS (JSON protocol) answering from `answers` in turn, then `{"Keys": []}`."""
    seen: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append(1)
            status, body = answers[len(seen) - 1] if len(seen) <= len(answers) else (200, b'{"Keys": [], "Truncated": false}')
            kind = "text/html" if body.startswith(b"<") else "application/x-amz-json-1.1"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _context(endpoint: str, retries: int) -> TaskContext:
    one = replace(task("kms"), endpoint_url=endpoint, max_attempts=retries)  # botocore's max_attempts: retries
    return TaskContext(one, SessionFactory().session(one.account))


def test_a_server_error_is_retried_twice_then_becomes_a_gap(aws):
    with kms_endpoint([(500, HTML_500)] * 10) as (endpoint, seen):
        ctx = _context(endpoint, retries=8)
        assert ctx.call(ctx.client("kms"), "ListKeys", kinds=("aws.kms.key",)) is None
    assert len(seen) == 1 + SERVER_ERROR_RETRIES == 3
    (gap,) = ctx.out.gaps
    assert (gap.service, gap.operation, gap.code) == ("kms", "ListKeys", "500")


def test_throttling_gets_the_whole_retry_budget(aws):
    with kms_endpoint([(400, THROTTLED)] * 3) as (endpoint, seen):
        ctx = _context(endpoint, retries=4)
        answer = ctx.call(ctx.client("kms"), "ListKeys", kinds=("aws.kms.key",))
    assert answer["Keys"] == [] and answer["ResponseMetadata"]["RetryAttempts"] == 3
    assert len(seen) == 4 and not ctx.out.gaps  # three throttled answers retried past the server-error limit


def test_a_smaller_budget_than_the_server_error_limit_is_kept(aws):
    with kms_endpoint([(500, HTML_500)] * 10) as (endpoint, seen):
        ctx = _context(endpoint, retries=1)
        assert ctx.call(ctx.client("kms"), "ListKeys", kinds=("aws.kms.key",)) is None
    assert len(seen) == 2
