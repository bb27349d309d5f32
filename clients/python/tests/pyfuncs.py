"""Functions the SDK tests serve from worker processes."""

import time

import calcgrid


@calcgrid.fn("py.add", version="1")
def add(task):
    return task.params["i"] + task.params["x"]


@calcgrid.fn("py.slowadd")
def slow_add(task):
    time.sleep(task.params.get("ms", 200) / 1000)
    return task.params["i"] + task.params["x"]


@calcgrid.fn("py.events")
def events(task):
    time.sleep(0.05)
    return task.params["i"]


@calcgrid.fn("py.fail")
def fail(task):
    raise ValueError(f"no price for {task.params.get('i')}")
