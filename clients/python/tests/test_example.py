"""docs/examples/python: the numpy Black-Scholes worker prices as the Java bs.price does."""

import json
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "python"


def test_python_and_java_black_scholes_agree(client, workers):
    pytest.importorskip("numpy", reason="the example needs numpy (Debian: python3-numpy)")
    workers.start_module("sdk-bs", "bs_worker", str(EXAMPLES), slots=2)
    graph = json.loads((EXAMPLES / "bs-python.json").read_text())
    job = client.submit(graph)
    done = client.wait(job["id"], timeout=120)
    assert done["state"] == "SUCCEEDED", done
    results = client.results(job["id"], all=True)
    for k in range(6):
        py, java = results[f"py[{k}]"]["price"], results[f"java[{k}]"]["price"]
        assert py == pytest.approx(java, rel=1e-9, abs=1e-12), (k, py, java)
    assert results["bookPy"] == pytest.approx(results["bookJava"], rel=1e-9)
