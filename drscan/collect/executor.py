"""Where collection tasks run: local threads (the default) or a Dask cluster. Part of the collect
stage: the provider collectors plan plain task descriptions, hand them to an executor with the task
function, and get (task, result) pairs back as tasks finish.

The contract every task function keeps: `function(task, state) -> result`, a plain function of a
picklable task description plus per-process state (boto3 session factory, cloud credentials) that
the executor creates where the task runs, with `state_factory()`. Nothing secret travels in a task:
on Dask, each worker process builds its own state from its own credential chain."""

from __future__ import annotations

import heapq
import os
import threading
import uuid
import zlib
from collections import Counter, defaultdict, deque
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterator, Sequence, TypeVar

from drscan.errors import DrscanError, InputError

Task = TypeVar("Task")
Result = TypeVar("Result")

EXECUTORS = ("local", "dask")
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ExecutorOptions:
    kind: str = "local"  # local | dask
    scheduler: str | None = None  # tcp://host:8786; None: $DASK_SCHEDULER_ADDRESS, else a local cluster
    workers: int = 16  # tasks in flight: local threads, or the threads of a local Dask cluster
    processes: int | None = None  # local Dask cluster only: worker processes (default: one per CPU)
    connect_timeout: float = CONNECT_TIMEOUT_S  # seconds to reach the scheduler

    def __post_init__(self) -> None:
        if self.kind not in EXECUTORS:
            raise InputError(f"--executor must be one of {', '.join(EXECUTORS)}, got {self.kind!r}")
        if self.workers < 1 or (self.processes is not None and self.processes < 1):
            raise InputError("--workers must be at least 1")

    @property
    def scheduler_address(self) -> str | None:
        return self.scheduler or os.environ.get(SCHEDULER_ENV) or None


@dataclass(frozen=True)
class TaskFailure:
    """A task that did not return: it raised, or (on Dask) the workers running it kept dying.
    The caller turns it into a Gap naming what was not collected; it is never silently dropped."""

    error: str  # exception type, e.g. "KilledWorker"
    message: str

    def describe(self) -> str:
        return f"{self.error}: {self.message}" if self.message else self.error


@dataclass(frozen=True)
class Outcome(Generic[Task, Result]):
    index: int  # position in the submitted task list, for deterministic merging
    task: Task
    result: Result | None
    failure: TaskFailure | None = None


def _failure(exc: BaseException) -> TaskFailure:
    return TaskFailure(type(exc).__name__, " ".join(str(exc).split())[:300])


class LocalExecutor:
    """A bounded thread pool in this process; `budget` tasks at most in flight per budget key.

    Tasks start in the order given (the planner puts the longest first), as far as budgets allow:
    the dispatcher, not the pool's threads, holds the budgets, so no thread sits blocked on one
    and a task queued early is never overtaken by later tasks of the same key."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)

    def run(self, function: Callable[[Any, Any], Any], tasks: Sequence[Any], *, state_factory: Callable[[], Any],
            state_key: str | None = None, budget_key: Callable[[Any], str] | None = None,
            budget: int = 0) -> Iterator[Outcome]:
        if not tasks:
            return
        state = state_factory()
        limited = bool(budget_key and budget)
        key_of = (lambda index: budget_key(tasks[index])) if limited else (lambda index: "")
        queues: dict[str, deque[int]] = defaultdict(deque)  # per key, task indices in the given order
        for index in range(len(tasks)):
            queues[key_of(index)].append(index)
        in_flight: Counter = Counter()
        # Keys that may start a task now, by the index of their next task: the earliest goes first.
        ready = [(queue[0], key) for key, queue in queues.items()]
        heapq.heapify(ready)
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="drscan-collect") as pool:
            pending: dict[Future, int] = {}
            while True:
                while ready and len(pending) < self.workers:
                    _, key = heapq.heappop(ready)
                    index = queues[key].popleft()
                    pending[pool.submit(function, tasks[index], state)] = index
                    in_flight[key] += 1
                    if queues[key] and (not limited or in_flight[key] < budget):
                        heapq.heappush(ready, (queues[key][0], key))
                if not pending:
                    return
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=pending.__getitem__):
                    index = pending.pop(future)
                    key = key_of(index)
                    in_flight[key] -= 1
                    # The key had no entry in `ready` while at its budget (or with nothing queued).
                    if queues[key] and limited and in_flight[key] == budget - 1:
                        heapq.heappush(ready, (queues[key][0], key))
                    exc = future.exception()
                    if exc is not None and (isinstance(exc, DrscanError) or not isinstance(exc, Exception)):
                        raise exc  # rejected credentials, KeyboardInterrupt: the whole scan stops
                    yield (Outcome(index, tasks[index], None, _failure(exc)) if exc is not None
                           else Outcome(index, tasks[index], future.result()))

    def close(self) -> None:
        pass


STATE_PLUGIN = "drscan-state"


def _state_plugin():
    """A worker plugin holding each worker process's task state (session factories, credentials),
    built lazily on the first task that needs it and reused by every later task there."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class WorkerState(WorkerPlugin):
        name = STATE_PLUGIN

        def setup(self, worker: Any) -> None:
            self.lock = threading.Lock()
            self.states: dict[str, Any] = {}

        def get(self, name: str, factory: Callable[[], Any]) -> Any:
            with self.lock:
                if name not in self.states:
                    self.states[name] = factory()
                return self.states[name]

    return WorkerState()


def _run_on_worker(function: Callable[[Any, Any], Any], task: Any, state_name: str,
                   state_factory: Callable[[], Any], budget_name: str | None, budget: int) -> Any:
    """What a Dask worker runs for one task: its process's state, under the cluster-wide budget of
    the task's key (a distributed semaphore, so 50 workers never hit one account at once), then
    the task function itself."""
    from distributed import Semaphore, get_worker

    state = get_worker().plugins[STATE_PLUGIN].get(state_name, state_factory)
    if budget_name and budget:
        with Semaphore(max_leases=budget, name=budget_name):
            return function(task, state)
    return function(task, state)


class DaskExecutor:
    """Tasks on a dask.distributed cluster: the scheduler at `address`, or a local cluster of
    worker processes. Results stream back as tasks finish; at most `window` tasks are submitted
    and not yet collected, so the client's memory does not grow with the organization. A worker
    lost mid-task has its tasks re-run elsewhere by the scheduler (each result is taken once, by
    its future); a task that still cannot finish comes back as a TaskFailure."""

    def __init__(self, options: ExecutorOptions) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError("--executor dask needs the 'distributed' package: pip install 'drscan[dask]'") from None
        self.cluster = None
        address = options.scheduler_address
        try:
            if address:
                _probe(address, options.connect_timeout)
                self.client = Client(address, timeout=options.connect_timeout, set_as_default=False)
            else:
                processes = options.processes or min(options.workers, os.cpu_count() or 1)
                self.cluster = LocalCluster(n_workers=processes, threads_per_worker=-(-options.workers // processes),
                                            processes=True, host="127.0.0.1", dashboard_address=None)
                self.client = Client(self.cluster, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            if self.cluster is not None:
                self.cluster.close()
            where = address or "a local cluster"
            raise InputError(f"--dask-scheduler {where}: cannot connect: {' '.join(str(exc).split())[:200]}") from None
        self.client.register_plugin(_state_plugin(), name=STATE_PLUGIN)
        self.scan_id = uuid.uuid4().hex[:12]

    def worker_count(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    def run(self, function: Callable[[Any, Any], Any], tasks: Sequence[Any], *, state_factory: Callable[[], Any],
            state_key: str | None = None, budget_key: Callable[[Any], str] | None = None,
            budget: int = 0) -> Iterator[Outcome]:
        """`state_key` names the per-process state (default: the function's name); the factory is
        sent to the workers once (scattered), not with every task."""
        from distributed import as_completed

        if not tasks:
            return
        state_name = state_key or f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', '')}"
        factory = self.client.scatter(state_factory, broadcast=True, hash=False)
        threads = sum(w.get("nthreads", 1) for w in self.client.scheduler_info(n_workers=-1).get("workers", {}).values())
        window = max(64, 4 * threads)
        queue = iter(enumerate(tasks))
        pending: dict[str, int] = {}
        workers = sorted(self.client.scheduler_info(n_workers=-1).get("workers", {}))

        def submit(index: int, task: Any):
            key = budget_key(task) if budget_key else None
            # Tasks of one budget key (an account) prefer one worker, so its process assumes the
            # account's role once instead of every worker doing so; any worker may still run them.
            preferred = [workers[zlib.crc32(key.encode()) % len(workers)]] if key and workers else None
            future = self.client.submit(
                _run_on_worker, function, task, state_name, factory,
                f"drscan-budget-{self.scan_id}-{key}" if key and budget else None, budget,
                key=f"drscan-task-{self.scan_id}-{index}", pure=False, workers=preferred,
                allow_other_workers=preferred is not None)
            pending[future.key] = index
            return future

        stream = as_completed([submit(i, t) for i, t in _take(queue, window)], with_results=False,
                              loop=self.client.loop)
        for future in stream:
            index = pending.pop(future.key)
            try:
                outcome = Outcome(index, tasks[index], future.result())
            except DrscanError:
                raise  # e.g. rejected credentials: every other task would fail alike
            except Exception as exc:  # the task raised, or its workers kept dying (KilledWorker)
                outcome = Outcome(index, tasks[index], None, _failure(exc))
            future.release()
            for next_index, next_task in _take(queue, 1):
                stream.add(submit(next_index, next_task))
            yield outcome

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _probe(address: str, timeout: float) -> None:
    """Fail fast and clearly on an address Dask cannot use or a scheduler that does not answer,
    before a Client exists (a half-built Client spends its finalizer retrying the connection)."""
    import socket

    from distributed.comm import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    scheme, location = parse_address(address)
    get_backend(scheme)  # ValueError for an unknown scheme
    if scheme in ("tcp", "tls"):
        host, port = parse_host_port(location)
        socket.create_connection((host, port), timeout=timeout).close()


def _take(iterator: Iterator, count: int) -> list:
    taken = []
    for item in iterator:
        taken.append(item)
        if len(taken) >= count:
            break
    return taken


Executor = LocalExecutor | DaskExecutor


def make_executor(options: ExecutorOptions) -> Executor:
    return DaskExecutor(options) if options.kind == "dask" else LocalExecutor(options.workers)


@contextmanager
def scan_executor(options: ExecutorOptions) -> Iterator[DaskExecutor | None]:
    """The Dask executor a scan shares between collection and evaluation, closed afterwards;
    None for local scans (each stage uses this process's own threads)."""
    if options.kind != "dask":
        yield None
        return
    executor = DaskExecutor(options)
    try:
        yield executor
    finally:
        executor.close()
