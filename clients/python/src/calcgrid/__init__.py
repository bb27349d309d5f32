"""CalcGrid from Python.

- ``@calcgrid.fn("py.price")`` registers a function; ``calcgrid.Worker(url, token, slots).run()``
  (or ``python3 -m calcgrid worker --url URL MODULE...``) serves every registered function to a
  node as an external worker.
- ``calcgrid.Client(url, token)`` submits graphs and follows jobs; ``calcgrid.AsyncClient`` is
  the same for asyncio.
"""

from .client import AsyncClient, Client
from .errors import (BadRequest, CalcGridError, Conflict, Forbidden, InvalidGraph, NotFound,
                     PayloadTooLarge, ProblemError, TooManyRequests, Unauthorized, Unavailable,
                     Unprocessable)
from .functions import REGISTRY, Registry, Task, fn
from .worker import Refused, Worker

__all__ = ["AsyncClient", "BadRequest", "CalcGridError", "Client", "Conflict", "Forbidden",
           "InvalidGraph", "NotFound", "PayloadTooLarge", "ProblemError", "REGISTRY", "Refused",
           "Registry", "Task", "TooManyRequests", "Unauthorized", "Unavailable", "Unprocessable", "Worker", "fn"]
__version__ = "0.1.0"
