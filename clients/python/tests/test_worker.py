"""Python workers against a real node."""

import signal

import calcgrid
from conftest import await_


def graph(fn, n, **params):
    params.setdefault("x", 1)
    return {"name": f"sdk-{fn}", "tasks": [
        {"id": "a", "fn": fn, "params": params, "forEach": {"param": "i", "range": [0, n]}},
        {"id": "total", "fn": "util.sum", "deps": ["a"]}]}


def test_a_python_worker_serves_200_tasks_with_correct_results(client, workers):
    workers.start("sdk-add", slots=4)
    job = client.submit(graph("py.add", 200))
    done = client.wait(job["id"], timeout=120)
    assert done["state"] == "SUCCEEDED", done
    results = client.results(job["id"], all=True)
    assert results["total"] == sum(i + 1 for i in range(200))
    assert [results[f"a[{i}]"] for i in range(200)] == [i + 1 for i in range(200)]
    assert client.task(job["id"], "a[7]")["node"].endswith("/sdk-add")


def test_a_killed_worker_s_tasks_finish_on_another(client, workers):
    doomed = workers.start("sdk-doomed", slots=2)
    job = client.submit(graph("py.slowadd", 20, ms=300))
    # the doomed worker has finished some and holds others
    await_(lambda: client.job(job["id"])["counts"],
           lambda c: c.get("SUCCEEDED", 0) >= 2 and c.get("RUNNING", 0) >= 1)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    workers.start("sdk-rescuer", slots=4)
    done = client.wait(job["id"], timeout=120)
    assert done["state"] == "SUCCEEDED", done
    assert client.results(job["id"])["total"] == sum(i + 1 for i in range(20))
    lost = [client.task(job["id"], f"a[{i}]")["lostWorkers"] for i in range(20)]
    assert sum(lost) >= 1, lost


def test_a_raising_function_fails_its_task_with_the_message(client, workers):
    workers.start("sdk-fail", slots=1)
    job = client.submit({"tasks": [{"id": "f", "fn": "py.fail", "params": {"i": 3},
                                    "retry": {"maxAttempts": 1}}]})
    done = client.wait(job["id"], timeout=60)
    assert done["state"] == "FAILED"
    assert "no price for 3" in client.task(job["id"], "f")["error"]


def test_tasks_of_a_function_nobody_serves_wait_ready(client):
    job = client.submit(graph("py.nobody", 3))
    view = await_(lambda: client.job(job["id"]),
                  lambda j: j["counts"].get("READY") == 3 and j.get("waiting"), timeout=30)
    assert view["state"] == "RUNNING"
    assert view["waiting"] == "no worker serves py.nobody"
    assert client.task(job["id"], "a[0]")["waiting"] == "no worker serves py.nobody"
    client.cancel(job["id"])


def test_a_task_past_its_timeout_fails_in_the_worker(client, workers):
    workers.start("sdk-slow", slots=1)
    job = client.submit({"tasks": [
        {"id": "slow", "fn": "py.slowadd", "params": {"i": 1, "x": 1, "ms": 5000},
         "timeoutMs": 500, "retry": {"maxAttempts": 1}},
        {"id": "quick", "fn": "py.slowadd", "params": {"i": 2, "x": 1, "ms": 0}}]})
    done = client.wait(job["id"], timeout=60)
    assert done["state"] == "FAILED", done
    assert "timed out after 500 ms in the Python worker" in client.task(job["id"], "slow")["error"]
    # a thread cannot be stopped: the next task waits for it, then runs
    assert client.task(job["id"], "quick")["state"] == "SUCCEEDED"
