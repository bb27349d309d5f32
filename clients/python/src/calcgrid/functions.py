"""Functions a worker serves, registered with ``@calcgrid.fn``."""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*")
_VERSION = re.compile(r"[A-Za-z0-9._-]{1,32}")


@dataclasses.dataclass(frozen=True)
class Task:
    """One attempt of one task, as a function receives it.

    ``deps`` holds the results of the task's dependencies by task id, in dependency order.
    """

    id: str
    params: dict[str, Any]
    deps: dict[str, Any]
    attempt: int
    job: str = ""


@dataclasses.dataclass(frozen=True)
class Function:
    name: str
    version: str | None
    call: Callable[[Task], Any]


class Registry:
    """Functions by name. The module-level ``REGISTRY`` is what ``@calcgrid.fn`` fills."""

    def __init__(self) -> None:
        self._by_name: dict[str, Function] = {}

    def add(self, name: str, call: Callable[[Task], Any], version: str | None = None) -> None:
        if not isinstance(name, str) or len(name) > 128 or not _NAME.fullmatch(name):
            raise ValueError(f"function name {name!r} must look like py.price")
        if version is not None and not _VERSION.fullmatch(str(version)):
            raise ValueError(f"version {version!r} must be 1 to 32 of A-Z a-z 0-9 . _ -")
        previous = self._by_name.get(name)
        if previous is not None and previous.call is not call:
            raise ValueError(f"function {name!r} is registered twice")
        self._by_name[name] = Function(name, None if version is None else str(version), call)

    def fn(self, name: str, version: str | None = None) -> Callable:
        """Decorator: ``@registry.fn("py.price", version="1")``."""

        def register(call: Callable[[Task], Any]) -> Callable[[Task], Any]:
            self.add(name, call, version)
            return call

        return register

    # the brief's spelling, for workers that keep their own registry
    function = fn

    def find(self, name: str) -> Function | None:
        base = name.split("@", 1)[0]
        return self._by_name.get(name) or self._by_name.get(base)

    def all(self) -> list[Function]:
        return list(self._by_name.values())


REGISTRY = Registry()


def fn(name: str, version: str | None = None) -> Callable:
    """Registers a function for every worker of this process::

        @calcgrid.fn("py.price", version="1")
        def price(task):
            return task.params["spot"] * 2

    The function takes a :class:`Task` and returns any JSON value (numpy values are converted);
    raising fails the attempt with the exception's message.
    """
    return REGISTRY.fn(name, version)
