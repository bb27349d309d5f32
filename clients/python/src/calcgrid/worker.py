"""An external worker: serves registered functions to a CalcGrid node over its worker gateway.

The protocol (docs/workers.md): the worker says hello with its functions and slots, the gateway
hands out batches of tasks (never more than ``slots`` out at once), the worker reports outcomes
in batches, and answers the gateway's pings. A worker that goes silent is dropped and its tasks
run elsewhere; this worker reconnects with backoff.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import collections
import os
import queue
import random
import signal
import socket
import threading
import time
import traceback
from typing import Any

import websockets
import websockets.exceptions

from .functions import REGISTRY, Registry, Task

log = logging.getLogger("calcgrid.worker")

#: errors longer than this are cut; the server keeps 4096 characters
_MAX_ERROR = 4000


class Refused(Exception):
    """The node refused this worker (401/403, or a hello it does not accept): do not retry."""


def _to_json(value: Any) -> str:
    def default(o: Any) -> Any:
        # numpy arrays and scalars without importing numpy
        if hasattr(o, "tolist"):
            return o.tolist()
        if hasattr(o, "item"):
            return o.item()
        raise TypeError(f"a {type(o).__name__} is not a JSON value")

    return json.dumps(value, default=default, allow_nan=False, separators=(",", ":"))


def _invoke(name: str, task: Task, registry: Registry | None = None) -> tuple[bool, str]:
    """Runs one task in a pool thread or process: (ok, result JSON or error message)."""
    fn = (registry or REGISTRY).find(name)
    if fn is None:
        return False, f"function {name!r} is not registered in this worker"
    try:
        return True, _to_json(fn.call(task))
    except Exception as e:  # the task's failure, reported as such
        message = str(e) or type(e).__name__
        log.debug("task %s failed: %s", task.id, traceback.format_exc())
        return False, message[:_MAX_ERROR]


def _invoke_in_process(name: str, task: Task) -> tuple[bool, str]:
    return _invoke(name, task)


def _task(t: dict) -> Task:
    return Task(id=t["taskId"], params=t.get("params") or {}, deps=t.get("deps") or {},
                attempt=t.get("attempt", 1), job=t["job"])


class _Slots:
    """``slots`` threads that take tasks from one queue: the thread mode.

    A task costs a queue put and one wake-up of the event loop per batch of results, where an
    executor future per task cost more than the tasks themselves (about 0.4 ms each, a ceiling of
    a few thousand no-op tasks/s per process).
    """

    def __init__(self, slots: int) -> None:
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.threads = [threading.Thread(target=self._work, name=f"calcgrid-{i}", daemon=True)
                        for i in range(slots)]
        for th in self.threads:
            th.start()

    def put(self, session: "_Session", t: dict) -> None:
        self.queue.put((session, t))

    def _work(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            session, t = item
            d = t["dispatchId"]
            if session.closed or d not in session.running:
                continue  # cancelled, or its connection is gone
            began = (time.monotonic(), int(time.time() * 1000))
            session.started[d] = began
            ok, value = _invoke(t["fn"], _task(t), session.worker.registry)
            session.completed(t, ok, value, began[1])

    def shutdown(self, wait: bool = False, cancel_futures: bool = True) -> None:
        for _ in self.threads:
            self.queue.put(None)


class Worker:
    """Serves functions to a node: ``Worker(url, token, slots).run()``.

    :param url: the node, ``http://host:port`` (``ws://`` is accepted too)
    :param token: a bearer token with the ``worker`` role, when the node checks tokens
    :param slots: tasks run at once; also the most the gateway hands this worker at once
    :param processes: run functions in a process pool (CPU-bound Python) instead of threads
    :param registry: the functions to serve; by default every ``@calcgrid.fn`` of the process
    :param name: how the node lists this worker; by default ``host-pid``
    """

    def __init__(self, url: str, token: str | None = None, slots: int = 4, *,
                 processes: bool = False, registry: Registry | None = None,
                 name: str | None = None, batch_delay: float = 0.002,
                 max_backoff: float = 30.0) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.url = url.rstrip("/")
        self.token = token
        self.slots = slots
        self.processes = processes
        self.registry = registry or REGISTRY
        self.name = name or f"{socket.gethostname()[:40]}-{os.getpid()}".replace("_", "-")
        self.batch_delay = batch_delay
        self.max_backoff = max_backoff
        self._draining = False
        self.connected = 0  # how many sessions were welcomed, for tests and logs

    def function(self, name: str, version: str | None = None):
        """Decorator registering a function with this worker's registry."""
        return self.registry.fn(name, version)

    # ---- running ----

    def run(self) -> None:
        """Serves until SIGTERM or SIGINT, then drains: running tasks finish, no new ones."""
        asyncio.run(self.serve(install_signals=True))

    def drain(self) -> None:
        """Finish the tasks in hand, take no new ones, then stop (thread-safe)."""
        loop = getattr(self, "_loop", None)
        if loop is not None:
            loop.call_soon_threadsafe(self._begin_drain)

    async def serve(self, install_signals: bool = False) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                try:
                    self._loop.add_signal_handler(sig, self._begin_drain)
                except (NotImplementedError, RuntimeError):
                    pass
        functions = self.registry.all()
        if not functions:
            raise ValueError("no functions registered: decorate some with @calcgrid.fn")
        pool: concurrent.futures.Executor | _Slots = (
            concurrent.futures.ProcessPoolExecutor(self.slots) if self.processes
            else _Slots(self.slots))
        backoff = 0.25
        try:
            while not self._draining:
                try:
                    await self._session(pool)
                    backoff = 0.25
                except Refused:
                    raise
                except (OSError, asyncio.TimeoutError, EOFError,
                        websockets.exceptions.WebSocketException) as e:
                    if isinstance(e, websockets.exceptions.InvalidStatusCode) and \
                            e.status_code in (401, 403):
                        raise Refused(f"the node refused this worker: HTTP {e.status_code}"
                                      " (a token with the 'worker' role is needed)") from e
                    log.warning("connection to %s lost: %s", self.url, e)
                if self._draining:
                    break
                # full jitter: a fleet that lost its node does not come back all at once
                await asyncio.sleep(random.uniform(0, backoff))
                backoff = min(self.max_backoff, backoff * 2)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _begin_drain(self) -> None:
        if self._draining:
            return
        log.info("draining: finishing the tasks in hand, taking no new ones")
        self._draining = True
        session = getattr(self, "_session_state", None)
        if session is not None:
            session.drain()

    async def _session(self, pool: concurrent.futures.Executor) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        ws_url = self.url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        async with websockets.connect(ws_url + "/api/v1/workers", extra_headers=headers,
                                      max_size=None, ping_interval=None,
                                      open_timeout=10, close_timeout=2) as ws:
            session = _Session(self, ws, pool)
            self._session_state = session
            try:
                await session.run()
            finally:
                self._session_state = None


class _Session:
    """One connection: hand-outs in, outcomes out, until it closes or the worker drains."""

    def __init__(self, worker: Worker, ws: Any, pool: Any) -> None:
        self.worker = worker
        self.ws = ws
        self.pool = pool
        self.threads = isinstance(pool, _Slots)
        self.loop = asyncio.get_running_loop()
        # dispatch id -> the task (thread mode) or the coroutine running it (process mode)
        self.running: dict[str, Any] = {}
        self.cancelled: set[str] = set()
        self.closed = False
        # thread mode: when each task got a thread (monotonic, epoch ms), and results to collect
        self.started: dict[str, tuple[float, int]] = {}
        self.done: collections.deque = collections.deque()
        self.wake = False
        self.outbox: list[dict] = []
        self.flush_scheduled = False
        self.send_lock = asyncio.Lock()
        self.max_result_bytes: int | None = None
        # the node may send a few tasks beyond the slots (its prefetch queue): they wait here,
        # and a task's timeout starts when it gets a slot
        self.slots = asyncio.Semaphore(worker.slots)

    def drain(self) -> None:
        asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        try:
            await self._send({"type": "drain"})
            while self.running:
                futures = [f for f in self.running.values() if isinstance(f, asyncio.Future)]
                if futures:
                    await asyncio.gather(*futures, return_exceptions=True)
                else:
                    await asyncio.sleep(0.02)
            await self._flush()
            await self.ws.close()
        except websockets.exceptions.ConnectionClosed:
            pass

    async def run(self) -> None:
        w = self.worker
        await self._send({"type": "hello", "name": w.name, "slots": w.slots,
                          "functions": [{"name": f.name, "version": f.version}
                                        if f.version else {"name": f.name}
                                        for f in w.registry.all()]})
        if self.threads:
            watchdog = asyncio.ensure_future(self._watch_timeouts())
        try:
            await self._receive()
        finally:
            # the connection ended: tasks in hand are lost to the node, which hands them out
            # again; threads skip what is still queued for this session
            self.closed = True
            if self.threads:
                watchdog.cancel()
            for t in self.running.values():
                if isinstance(t, asyncio.Future):
                    t.cancel()

    async def _receive(self) -> None:
        w = self.worker
        async for raw in self.ws:
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "ping":
                await self._send({"type": "pong"})
            elif kind == "tasks":
                for t in message["tasks"]:
                    if self.threads:
                        self.running[t["dispatchId"]] = t
                        self.pool.put(self, t)
                    else:
                        self.running[t["dispatchId"]] = asyncio.ensure_future(self._run(t))
            elif kind == "cancel":
                for d in message.get("dispatchIds", []):
                    if self.threads:
                        # not yet started: skipped; running: its result is dropped
                        self.running.pop(d, None)
                        continue
                    self.cancelled.add(d)
                    running = self.running.get(d)
                    if running is not None:
                        running.cancel()
            elif kind == "welcome":
                w.connected += 1
                self.max_result_bytes = message.get("maxResultBytes")
                log.info("connected to %s as %s with %d slots", message.get("node"), w.name,
                         w.slots)
                if w._draining:
                    self.drain()
            elif kind == "refused":
                log.warning("the node refused a report: %s", message.get("reason"))
            elif kind == "error":
                reason = message.get("reason", "")
                log.error("the node closes this connection: %s", reason)
                if "is not served outside the JVM" in reason or "slots must be" in reason \
                        or "functions must list" in reason:
                    raise Refused(reason)

    # ---- thread mode ----

    def completed(self, t: dict, ok: bool, value: str, started: int) -> None:
        """Called by a slot thread: one wake-up of the loop per batch of results."""
        self.done.append((t, ok, value, started, int(time.time() * 1000)))
        if not self.wake:
            self.wake = True
            try:
                self.loop.call_soon_threadsafe(self._collect)
            except RuntimeError:
                pass  # the loop is closed: the worker is stopping

    def _collect(self) -> None:
        self.wake = False
        while self.done:
            t, ok, value, started, finished = self.done.popleft()
            d = t["dispatchId"]
            self.started.pop(d, None)
            if self.running.pop(d, None) is None:
                continue  # cancelled or timed out meanwhile: its result is dropped
            self._outcome(t, ok, value, started, finished)
        self._flush_when_due()

    async def _watch_timeouts(self) -> None:
        """A thread cannot be stopped: a task past its timeout is reported failed, and its
        result, if it ever comes, dropped."""
        while True:
            await asyncio.sleep(0.1)
            now = time.monotonic()
            for d, (began, started) in list(self.started.items()):
                t = self.running.get(d)
                timeout = t.get("timeoutMs") if t is not None else None
                if t is None:
                    self.started.pop(d, None)
                elif timeout and now - began > timeout / 1000:
                    del self.running[d]
                    self.started.pop(d, None)
                    self._outcome(t, False, f"timed out after {timeout} ms in the Python worker",
                                  started, int(time.time() * 1000))
                    self._flush_when_due()

    # ---- process mode ----

    async def _run(self, t: dict) -> None:
        dispatch_id = t["dispatchId"]
        task = _task(t)
        loop = asyncio.get_running_loop()
        timeout = t.get("timeoutMs")
        try:
            async with self.slots:
                started = int(time.time() * 1000)
                call = (loop.run_in_executor(self.pool, _invoke_in_process, t["fn"], task)
                        if self.worker.processes
                        else loop.run_in_executor(self.pool, _invoke, t["fn"], task,
                                                  self.worker.registry))
                try:
                    ok, value = await asyncio.wait_for(call, timeout / 1000 if timeout else None)
                except asyncio.TimeoutError:
                    # a thread cannot be stopped: its result, if any, is dropped
                    ok, value = False, f"timed out after {timeout} ms in the Python worker"
                except Exception as e:  # a process pool that broke, say
                    ok, value = False, f"{type(e).__name__}: {e}"[:_MAX_ERROR]
        except asyncio.CancelledError:
            self.running.pop(dispatch_id, None)
            return
        self.running.pop(dispatch_id, None)
        if dispatch_id in self.cancelled:
            self.cancelled.discard(dispatch_id)
            return
        self._outcome(t, ok, value, started, int(time.time() * 1000))
        self._flush_when_due()

    # ---- outcomes ----

    def _outcome(self, t: dict, ok: bool, value: str, started: int, finished: int) -> None:
        outcome = {"job": t["job"], "dispatchId": t["dispatchId"], "task": t["task"],
                   "attempt": t.get("attempt", 1), "ok": ok, "startedAt": started,
                   "finishedAt": finished}
        if ok:
            outcome["result"] = _Raw(value)
        else:
            outcome["error"] = value
        self.outbox.append(outcome)

    def _flush_when_due(self) -> None:
        """Sends a batch once it fills the slots or nothing else runs; otherwise a moment later,
        so that outcomes finishing together travel together."""
        if len(self.outbox) >= self.worker.slots or not self.running:
            asyncio.ensure_future(self._flush())
        elif not self.flush_scheduled:
            self.flush_scheduled = True
            self.loop.call_later(self.worker.batch_delay,
                                 lambda: asyncio.ensure_future(self._flush()))

    async def _flush(self) -> None:
        self.flush_scheduled = False
        if not self.outbox:
            return
        batch, self.outbox = self.outbox, []
        try:
            await self._send_text(_encode_outcomes(batch))
        except websockets.exceptions.ConnectionClosed:
            pass  # the node counts these tasks as lost and hands them out again

    async def _send(self, message: dict) -> None:
        await self._send_text(json.dumps(message, separators=(",", ":")))

    async def _send_text(self, text: str) -> None:
        async with self.send_lock:
            await self.ws.send(text)


class _Raw:
    """A result already written as JSON text, spliced into the batch without parsing it again."""

    def __init__(self, text: str) -> None:
        self.text = text


def _encode_outcomes(batch: list[dict]) -> str:
    parts = []
    for o in batch:
        raw = o.pop("result", None)
        head = json.dumps(o, separators=(",", ":"))
        if raw is not None:
            head = head[:-1] + ',"result":' + raw.text + "}"
        parts.append(head)
    return '{"type":"outcomes","outcomes":[' + ",".join(parts) + "]}"
