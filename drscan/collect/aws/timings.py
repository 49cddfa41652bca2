"""Where a live AWS scan's time went (`drscan scan --timings`): per collector service and per API
operation, the calls, the HTTP requests they took (retries), the wall time spent inside the SDK
(API wait, retries and backoff included), the backoff sleeps between attempts, and CPU time (the
SDK's own: serializing, signing, parsing; and ours: everything else a task does).

Part of the collect stage. Each task measures its own calls through botocore's event hooks
(`CallMeter`) into an `ApiTimings` that travels back with its result; the orchestrator adds them
up. ApiTimings is plain data, so results from Dask workers merge the same way as local ones."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Callable

_FRAME = "drscan_timing"  # key of a call's measurements in botocore's per-call request context


@dataclass
class OperationTiming:
    """One API operation within one collector service, summed over its calls."""

    calls: int = 0
    requests: int = 0  # HTTP requests sent: calls + retries
    errors: int = 0  # calls that ended in an error (after any retries)
    wait_s: float = 0.0  # wall time inside the SDK call: requests, retries and backoff
    backoff_s: float = 0.0  # of which sleeping between attempts (retry delay, client-side rate limit)
    sdk_cpu_s: float = 0.0  # CPU time of the calling thread inside the call

    @property
    def retries(self) -> int:
        return self.requests - self.calls

    def add(self, other: "OperationTiming") -> None:
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ServiceTiming:
    """One collector service (drscan.collect.aws.registry.SERVICES key), summed over its tasks."""

    tasks: int = 0
    wall_s: float = 0.0  # wall time of its tasks, summed
    cpu_s: float = 0.0  # CPU time of its tasks' threads, SDK included

    def add(self, other: "ServiceTiming") -> None:
        self.tasks += other.tasks
        self.wall_s += other.wall_s
        self.cpu_s += other.cpu_s


@dataclass
class ApiTimings:
    """operations: collector service -> "boto3 service:Operation" -> timing."""

    operations: dict[str, dict[str, OperationTiming]] = field(default_factory=dict)
    services: dict[str, ServiceTiming] = field(default_factory=dict)

    def operation(self, service: str, operation: str) -> OperationTiming:
        return self.operations.setdefault(service, {}).setdefault(operation, OperationTiming())

    def service(self, service: str) -> ServiceTiming:
        return self.services.setdefault(service, ServiceTiming())

    def merge(self, other: "ApiTimings") -> None:
        for service, operations in other.operations.items():
            for name, timing in operations.items():
                self.operation(service, name).add(timing)
        for service, timing in other.services.items():
            self.service(service).add(timing)

    def summary(self) -> list[dict[str, Any]]:
        """One row per collector service, slowest (API wait) first."""
        rows = []
        for service in sorted(set(self.operations) | set(self.services)):
            total = OperationTiming()
            for timing in self.operations.get(service, {}).values():
                total.add(timing)
            task = self.services.get(service, ServiceTiming())
            rows.append({"service": service, "tasks": task.tasks, "calls": total.calls, "requests": total.requests,
                         "retries": total.retries, "errors": total.errors, "api_wait_s": round(total.wait_s, 3),
                         "backoff_s": round(total.backoff_s, 3), "sdk_cpu_s": round(total.sdk_cpu_s, 3),
                         # a task's own processing: its CPU outside the SDK's calls
                         "own_cpu_s": round(max(0.0, task.cpu_s - total.sdk_cpu_s), 3),
                         "task_wall_s": round(task.wall_s, 3)})
        return sorted(rows, key=lambda row: (-row["api_wait_s"], row["service"]))

    def operation_rows(self) -> list[dict[str, Any]]:
        """One row per (collector service, operation), slowest (API wait) first."""
        rows = [{"service": service, "operation": name, **_rounded(timing)}
                for service, operations in self.operations.items() for name, timing in operations.items()]
        return sorted(rows, key=lambda row: (-row["api_wait_s"], row["service"], row["operation"]))

    def totals(self) -> dict[str, Any]:
        rows = self.summary()
        keys = ("tasks", "calls", "requests", "retries", "errors", "api_wait_s", "backoff_s", "sdk_cpu_s", "own_cpu_s",
                "task_wall_s")
        return {key: round(sum(row[key] for row in rows), 3) if key.endswith("_s") else sum(row[key] for row in rows)
                for key in keys}

    def to_json(self) -> dict[str, Any]:
        return {"totals": self.totals(), "services": self.summary(), "operations": self.operation_rows()}


def _rounded(timing: OperationTiming) -> dict[str, Any]:
    values = asdict(timing)
    return {"calls": values["calls"], "requests": values["requests"], "retries": timing.retries,
            "errors": values["errors"], "api_wait_s": round(values["wait_s"], 4),
            "backoff_s": round(values["backoff_s"], 4), "sdk_cpu_s": round(values["sdk_cpu_s"], 4)}


class CallMeter:
    """Measures every API call made through the clients it is attached to, into `timings` under
    `service`. A call runs start to finish in its caller's thread, so the attempt hooks that carry
    no request context (before-send) find their call through a thread-local."""

    def __init__(self, timings: ApiTimings, service: str) -> None:
        self.timings = timings
        self.service = service
        self._lock = threading.Lock()  # a task may make calls from several threads (TaskContext.each)
        self._current = threading.local()

    def attach(self, events: Any) -> None:
        """Register on a client's events (`client.meta.events`), or on a session's before it
        creates the clients to measure."""
        events.register("before-call", self._before_call)
        # Last, so the time starts after adaptive mode's client-side rate limiter has let it go.
        events.register_last("before-send", self._before_send)
        events.register("needs-retry", self._needs_retry)
        events.register("after-call", self._after_call)
        events.register("after-call-error", self._after_call_error)

    def _before_call(self, model: Any = None, context: dict | None = None, **_: Any) -> None:
        if model is None or context is None:
            return
        frame = {"operation": f"{model.service_model.service_name}:{model.name}", "start": time.perf_counter(),
                 "cpu": time.thread_time(), "requests": 0, "backoff": 0.0, "attempt_end": None}
        context[_FRAME] = frame
        self._current.frame = frame

    def _before_send(self, **_: Any) -> None:
        frame = getattr(self._current, "frame", None)
        if frame is None:
            return
        frame["requests"] += 1
        if frame["attempt_end"] is not None:  # a retry: the time since the last answer was backoff
            frame["backoff"] += time.perf_counter() - frame["attempt_end"]
            frame["attempt_end"] = None

    def _needs_retry(self, request_dict: dict | None = None, **_: Any) -> None:
        frame = (request_dict or {}).get("context", {}).get(_FRAME)
        if frame is not None:
            frame["attempt_end"] = time.perf_counter()
        return None  # never decides: botocore's own handler does

    def _after_call(self, http_response: Any = None, context: dict | None = None, **_: Any) -> None:
        failed = http_response is not None and getattr(http_response, "status_code", 200) >= 300
        self._finish(context, failed)

    def _after_call_error(self, context: dict | None = None, **_: Any) -> None:
        self._finish(context, True)

    def _finish(self, context: dict | None, failed: bool) -> None:
        frame = (context or {}).pop(_FRAME, None)
        if frame is None:
            return
        wait = time.perf_counter() - frame["start"]
        cpu = time.thread_time() - frame["cpu"]
        if getattr(self._current, "frame", None) is frame:
            self._current.frame = None
        with self._lock:
            timing = self.timings.operation(self.service, frame["operation"])
            timing.calls += 1
            timing.requests += max(1, frame["requests"])
            timing.errors += failed
            timing.wait_s += wait
            timing.backoff_s += frame["backoff"]
            timing.sdk_cpu_s += cpu

    def add_cpu(self, seconds: float) -> None:
        with self._lock:
            self.timings.service(self.service).cpu_s += seconds

    def metered(self, function: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """`function`, counting the CPU time of the thread that runs it as this service's."""

        def run(item: Any) -> Any:
            start = time.thread_time()
            try:
                return function(item)
            finally:
                self.add_cpu(time.thread_time() - start)

        return run

    def task(self, work: Callable[[], None]) -> None:
        """Run one task's work, counting it as a task of this service with its wall and CPU time."""
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            work()
        finally:
            with self._lock:
                service = self.timings.service(self.service)
                service.tasks += 1
                service.wall_s += time.perf_counter() - start
                service.cpu_s += time.thread_time() - cpu
