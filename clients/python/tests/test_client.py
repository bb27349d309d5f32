"""The client against a real node: submissions, typed errors, and the live event stream."""

import asyncio
import uuid

import pytest

import calcgrid


def test_an_idempotency_key_returns_the_same_job(client):
    key = str(uuid.uuid4())
    g = {"tasks": [{"id": "a", "fn": "util.sum", "params": {"value": 4}}]}
    first = client.submit(g, idempotency_key=key)
    again = client.submit(g, idempotency_key=key)
    assert first["id"] == again["id"]
    assert client.wait(first["id"], timeout=60)["state"] == "SUCCEEDED"
    assert client.results(first["id"]) == {"a": 4}


def test_problems_are_typed_exceptions_with_their_fields(client):
    with pytest.raises(calcgrid.InvalidGraph) as bad:
        client.submit({"tasks": [{"id": "a", "fn": "no.such.function"}]})
    assert bad.value.status == 400
    assert isinstance(bad.value, calcgrid.BadRequest)
    assert "no.such.function" in str(bad.value.fields)
    with pytest.raises(calcgrid.NotFound):
        client.job("no-such-job")


def test_events_follow_a_job_to_finished(client, workers):
    workers.start("sdk-events", slots=2)
    job = client.submit({"tasks": [{"id": "e", "fn": "py.events",
                                    "forEach": {"param": "i", "range": [0, 10]}}]})
    types = [m["type"] for m in client.events(job["id"])]
    assert types[0] == "snapshot", types
    assert types[-1] == "finished", types
    assert client.job(job["id"])["state"] == "SUCCEEDED"


def test_the_async_client_follows_events_too(url, workers):
    workers.start("sdk-async", slots=2)

    async def follow():
        c = calcgrid.AsyncClient(url)
        job = await c.submit({"tasks": [{"id": "e", "fn": "py.events",
                                         "forEach": {"param": "i", "range": [0, 4]}}]})
        last = None
        async for m in c.events(job["id"]):
            last = m
        return job["id"], last

    job_id, last = asyncio.run(follow())
    assert last["type"] == "finished"
    assert last["job"]["state"] == "SUCCEEDED"


def test_a_finished_job_can_be_deleted_and_a_running_one_cannot(client):
    running = client.submit({"tasks": [{"id": "s", "fn": "util.sleep",
                                         "params": {"ms": 600000}}]})
    with pytest.raises(calcgrid.Conflict):
        client.delete(running["id"])
    client.cancel(running["id"])
    client.delete(running["id"])
    with pytest.raises(calcgrid.NotFound):
        client.job(running["id"])
    with pytest.raises(calcgrid.NotFound):
        client.delete(running["id"])

