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
import os
import random
import signal
import socket
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
        pool: concurrent.futures.Executor = (
            concurrent.futures.ProcessPoolExecutor(self.slots) if self.processes
            else concurrent.futures.ThreadPoolExecutor(self.slots, thread_name_prefix="calcgrid"))
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

    def __init__(self, worker: Worker, ws: Any, pool: concurrent.futures.Executor) -> None:
        self.worker = worker
        self.ws = ws
        self.pool = pool
        self.running: dict[str, asyncio.Task] = {}
        self.cancelled: set[str] = set()
        self.outbox: list[dict] = []
        self.flush_scheduled = False
        self.send_lock = asyncio.Lock()
        self.max_result_bytes: int | None = None

    def drain(self) -> None:
        asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        try:
            await self._send({"type": "drain"})
            while self.running:
                await asyncio.gather(*list(self.running.values()), return_exceptions=True)
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
        async for raw in self.ws:
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "ping":
                await self._send({"type": "pong"})
            elif kind == "tasks":
                for t in message["tasks"]:
                    self.running[t["dispatchId"]] = asyncio.ensure_future(self._run(t))
            elif kind == "cancel":
                for d in message.get("dispatchIds", []):
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
        # the connection ended: tasks in hand are lost to the node, which hands them out again
        for t in self.running.values():
            t.cancel()

    async def _run(self, t: dict) -> None:
        dispatch_id = t["dispatchId"]
        task = Task(id=t["taskId"], params=t.get("params") or {}, deps=t.get("deps") or {},
                    attempt=t.get("attempt", 1), job=t["job"])
        started = int(time.time() * 1000)
        loop = asyncio.get_running_loop()
        call = (loop.run_in_executor(self.pool, _invoke_in_process, t["fn"], task)
                if self.worker.processes
                else loop.run_in_executor(self.pool, _invoke, t["fn"], task, self.worker.registry))
        timeout = t.get("timeoutMs")
        try:
            ok, value = await asyncio.wait_for(call, timeout / 1000 if timeout else None)
        except asyncio.TimeoutError:
            # a thread cannot be stopped: its result, if any, is dropped
            ok, value = False, f"timed out after {timeout} ms in the Python worker"
        except asyncio.CancelledError:
            self.running.pop(dispatch_id, None)
            return
        except Exception as e:  # a process pool that broke, say
            ok, value = False, f"{type(e).__name__}: {e}"[:_MAX_ERROR]
        finally:
            pass
        self.running.pop(dispatch_id, None)
        if dispatch_id in self.cancelled:
            self.cancelled.discard(dispatch_id)
            return
        outcome = {"job": t["job"], "dispatchId": dispatch_id, "task": t["task"],
                   "attempt": t.get("attempt", 1), "ok": ok, "startedAt": started,
                   "finishedAt": int(time.time() * 1000)}
        if ok:
            outcome["result"] = _Raw(value)
        else:
            outcome["error"] = value
        self.outbox.append(outcome)
        if len(self.outbox) >= self.worker.slots or not self.running:
            await self._flush()
        elif not self.flush_scheduled:
            self.flush_scheduled = True
            loop.call_later(self.worker.batch_delay,
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
