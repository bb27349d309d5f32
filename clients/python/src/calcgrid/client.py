"""Submit, inspect, cancel and follow jobs: ``Client`` (blocking) and ``AsyncClient``."""

from __future__ import annotations

import asyncio
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, AsyncIterator, Iterator

import websockets
import websockets.exceptions

from .errors import CalcGridError, problem_error


class Client:
    """A CalcGrid node's HTTP API.

    Every error answer is raised as a :class:`calcgrid.errors.ProblemError` subclass carrying
    the problem's fields (``status``, ``title``, ``detail``, ``fields``, ``retry_after``).
    """

    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    # ---- jobs ----

    def submit(self, graph: dict | str | bytes, idempotency_key: str | None = None) -> dict:
        """Submits a graph; returns the job view (``id``, ``state``, ``counts``...).

        With an ``idempotency_key`` a retried submission returns the same job.
        """
        body = graph if isinstance(graph, bytes) else (
            graph.encode("utf-8") if isinstance(graph, str) else json.dumps(graph).encode())
        headers = {"Content-Type": "application/json"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return self._call("POST", "/api/v1/jobs", body, headers)

    def job(self, job_id: str) -> dict:
        return self._call("GET", f"/api/v1/jobs/{_seg(job_id)}")

    def task(self, job_id: str, task_id: str) -> dict:
        return self._call("GET", f"/api/v1/jobs/{_seg(job_id)}/tasks/{_seg(task_id)}")

    def jobs(self, state: str | None = None, limit: int | None = None) -> dict:
        query = {k: v for k, v in (("state", state), ("limit", limit)) if v is not None}
        return self._call("GET", "/api/v1/jobs" + ("?" + urllib.parse.urlencode(query)
                                                   if query else ""))

    def results(self, job_id: str, all: bool = False) -> dict[str, Any]:
        """Results by task id: the graph's outputs, or every task's with ``all=True``.

        Pages through the results so a large job comes back whole.
        """
        out: dict[str, Any] = {}
        offset = 0
        while True:
            page = self._call("GET", f"/api/v1/jobs/{_seg(job_id)}/results?scope="
                              f"{'all' if all else 'outputs'}&offset={offset}")
            out.update(page.get("results") or {})
            offset += page.get("limit", 0)
            if offset >= page.get("total", 0) or not page.get("results"):
                return out

    def cancel(self, job_id: str) -> dict:
        return self._call("POST", f"/api/v1/jobs/{_seg(job_id)}/cancel", b"")

    def delete(self, job_id: str) -> None:
        """Deletes a finished job for good.

        :raises Conflict: while the job runs (cancel it first)
        :raises NotFound: when there is no such job for this tenant
        """
        self._call("DELETE", f"/api/v1/jobs/{_seg(job_id)}")

    def wait(self, job_id: str, timeout: float | None = None, poll: float = 0.2) -> dict:
        """Polls until the job is no longer RUNNING; returns its view.

        :raises TimeoutError: when ``timeout`` seconds pass first
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job.get("state") != "RUNNING":
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still RUNNING after {timeout} s: {job}")
            time.sleep(poll)

    def events(self, job_id: str, progress_only: bool = False) -> Iterator[dict]:
        """The job's live events as dicts, ``type`` snapshot, tasks, progress or finished.

        If the socket drops before ``finished``, it reconnects and starts again from a fresh
        snapshot. The iterator ends after ``finished``.
        """
        loop = asyncio.new_event_loop()
        stream = _events(self.url, self.token, job_id, progress_only)
        try:
            while True:
                try:
                    yield loop.run_until_complete(stream.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            loop.run_until_complete(stream.aclose())
            loop.close()

    # ---- plumbing ----

    def _call(self, method: str, path: str, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> Any:
        request = urllib.request.Request(self.url + path, data=body, method=method,
                                         headers=dict(headers or {}))
        request.add_header("Accept", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = response.read()
        except urllib.error.HTTPError as e:
            raise problem_error(e.code, e.read(), e.headers.get("Retry-After")) from None
        except urllib.error.URLError as e:
            raise CalcGridError(f"cannot reach {self.url}: {e.reason}") from e
        return json.loads(data) if data else None


class AsyncClient:
    """The same API for asyncio code. HTTP calls run in a thread; events are native."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0) -> None:
        self._sync = Client(url, token, timeout)

    async def submit(self, graph: dict | str | bytes, idempotency_key: str | None = None) -> dict:
        return await asyncio.to_thread(self._sync.submit, graph, idempotency_key)

    async def job(self, job_id: str) -> dict:
        return await asyncio.to_thread(self._sync.job, job_id)

    async def task(self, job_id: str, task_id: str) -> dict:
        return await asyncio.to_thread(self._sync.task, job_id, task_id)

    async def jobs(self, state: str | None = None, limit: int | None = None) -> dict:
        return await asyncio.to_thread(self._sync.jobs, state, limit)

    async def results(self, job_id: str, all: bool = False) -> dict:
        return await asyncio.to_thread(self._sync.results, job_id, all)

    async def cancel(self, job_id: str) -> dict:
        return await asyncio.to_thread(self._sync.cancel, job_id)

    async def delete(self, job_id: str) -> None:
        await asyncio.to_thread(self._sync.delete, job_id)

    async def wait(self, job_id: str, timeout: float | None = None, poll: float = 0.2) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = await self.job(job_id)
            if job.get("state") != "RUNNING":
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still RUNNING after {timeout} s")
            await asyncio.sleep(poll)

    def events(self, job_id: str, progress_only: bool = False) -> AsyncIterator[dict]:
        return _events(self._sync.url, self._sync.token, job_id, progress_only)


async def _events(url: str, token: str | None, job_id: str,
                  progress_only: bool) -> AsyncIterator[dict]:
    ws_url = url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    ws_url += f"/api/v1/jobs/{_seg(job_id)}/events"
    if progress_only:
        ws_url += "?events=progress"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    backoff = 0.2
    while True:
        try:
            async with websockets.connect(ws_url, extra_headers=headers, max_size=None,
                                          open_timeout=10) as ws:
                backoff = 0.2
                async for raw in ws:
                    message = json.loads(raw)
                    yield message
                    if message.get("type") == "finished":
                        return
        except websockets.exceptions.InvalidStatusCode as e:
            if e.status_code in (401, 403, 404):
                raise problem_error(e.status_code, b"", None) from None
        except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException):
            pass
        # dropped before 'finished': reconnect for a fresh snapshot
        await asyncio.sleep(random.uniform(0, backoff))
        backoff = min(5.0, backoff * 2)


def _seg(value: str) -> str:
    return urllib.parse.quote(value, safe="")
