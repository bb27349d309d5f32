"""``python3 -m calcgrid worker --url URL [--token T] [--slots N] [--processes] MODULE...``"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from .functions import REGISTRY
from .worker import Refused, Worker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m calcgrid")
    commands = parser.add_subparsers(dest="command", required=True)
    w = commands.add_parser("worker", help="serve the functions of MODULEs to a node")
    w.add_argument("--url", default=os.environ.get("CALCGRID_URL", "http://127.0.0.1:8080"),
                   help="the node (default $CALCGRID_URL or http://127.0.0.1:8080)")
    w.add_argument("--token", default=os.environ.get("CALCGRID_TOKEN"),
                   help="a token with the worker role (default $CALCGRID_TOKEN)")
    w.add_argument("--slots", type=int, default=os.cpu_count() or 1,
                   help="tasks run at once (default: one per core)")
    w.add_argument("--processes", action="store_true",
                   help="run functions in a process pool instead of threads")
    w.add_argument("--name", help="how the node lists this worker (default host-pid)")
    w.add_argument("-v", "--verbose", action="store_true")
    w.add_argument("modules", nargs="+", metavar="MODULE",
                   help="modules to import; their @calcgrid.fn functions are served")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.path.insert(0, os.getcwd())
    for module in args.modules:
        importlib.import_module(module)
    if not REGISTRY.all():
        print("no functions registered: decorate some with @calcgrid.fn", file=sys.stderr)
        return 2
    try:
        Worker(args.url, args.token, args.slots, processes=args.processes,
               name=args.name).run()
    except Refused as e:
        print(f"refused: {e}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
