"""The SDK's tests run against a real node: CALCGRID_URL names it (PythonSdkIT starts one)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import calcgrid

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


@pytest.fixture(scope="session")
def url() -> str:
    value = os.environ.get("CALCGRID_URL")
    if not value:
        pytest.skip("CALCGRID_URL is not set: these tests need a running node"
                    " (mvn test -Dtest=PythonSdkIT starts one and runs them)")
    return value


@pytest.fixture
def client(url: str) -> calcgrid.Client:
    return calcgrid.Client(url)


class Workers:
    """Worker processes started by a test, each `python3 -m calcgrid worker`, stopped after it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.procs: list[subprocess.Popen] = []

    def start(self, name: str, slots: int = 4, *extra: str) -> subprocess.Popen:
        return self.start_module(name, "pyfuncs", str(HERE), slots, *extra)

    def start_module(self, name: str, module: str, path: str, slots: int = 4,
                     *extra: str) -> subprocess.Popen:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(SRC), path])
        proc = subprocess.Popen(
            [sys.executable, "-m", "calcgrid", "worker", "--url", self.url, "--slots",
             str(slots), "--name", name, *extra, module],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=30)


@pytest.fixture
def workers(url: str):
    w = Workers(url)
    yield w
    w.stop()


def await_(probe, until, timeout: float = 60.0, every: float = 0.05):
    """Bounded polling: calls probe until until(value) holds, else fails with the last value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if until(last):
            return last
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout} s; last seen: {last}")
