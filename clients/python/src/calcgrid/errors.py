"""Errors raised by the client: every problem+json answer becomes a typed exception."""

from __future__ import annotations

import json
from typing import Any


class CalcGridError(Exception):
    """Base of every error this package raises."""


class ProblemError(CalcGridError):
    """The server answered with an RFC 9457 problem (application/problem+json).

    The problem's fields are attributes: ``status``, ``type``, ``title``, ``detail``, and every
    other field in ``fields`` (for example ``problems`` of a 422, ``limit`` of a 413).
    ``retry_after`` holds the Retry-After header in seconds, when the server sent one.
    """

    def __init__(self, status: int, problem: dict[str, Any], retry_after: float | None = None):
        self.status = status
        self.type = problem.get("type")
        self.title = problem.get("title")
        self.detail = problem.get("detail")
        self.fields = problem
        self.retry_after = retry_after
        super().__init__(f"{status} {self.title or ''}: {self.detail or json.dumps(problem)}")


class BadRequest(ProblemError):
    """400: the request itself is malformed."""


class Unauthorized(ProblemError):
    """401: no token, or a token the server does not accept."""


class Forbidden(ProblemError):
    """403: the token's roles do not allow this."""


class NotFound(ProblemError):
    """404: no such job or task (or not in your tenant)."""


class Conflict(ProblemError):
    """409: for example an Idempotency-Key reused with another body."""


class PayloadTooLarge(ProblemError):
    """413: the body is over the server's limit."""


class InvalidGraph(BadRequest):
    """400 of type invalid-graph: the graph is not valid; ``fields['problems']`` says where."""


class Unprocessable(ProblemError):
    """422: a valid graph over a limit (too many tasks, inputs too large)."""


class TooManyRequests(ProblemError):
    """429: a quota is used up; retry after ``retry_after`` seconds."""


class Unavailable(ProblemError):
    """503: overloaded or not ready; retry after ``retry_after`` seconds."""


_BY_STATUS = {400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict,
              413: PayloadTooLarge, 422: Unprocessable, 429: TooManyRequests, 503: Unavailable}


def problem_error(status: int, body: bytes, retry_after: str | None) -> ProblemError:
    """The typed exception of an error answer (any body; a problem's fields when it is one)."""
    try:
        problem = json.loads(body.decode("utf-8")) if body else {}
        if not isinstance(problem, dict):
            problem = {"detail": str(problem)}
    except (ValueError, UnicodeDecodeError):
        problem = {"detail": body[:500].decode("utf-8", "replace")}
    seconds = None
    if retry_after is not None:
        try:
            seconds = float(retry_after)
        except ValueError:
            seconds = None
    kind = _BY_STATUS.get(status, ProblemError)
    if status == 400 and str(problem.get("type", "")).endswith("/invalid-graph"):
        kind = InvalidGraph
    return kind(status, problem, seconds)
