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


def test_python_revaluation_feeds_risk_var_with_the_javas_var(client, workers):
    """The book revalued in numpy and by risk.revalue gives risk.var the same VaR and ES."""
    pytest.importorskip("numpy", reason="the example needs numpy (Debian: python3-numpy)")
    workers.start_module("sdk-var", "bs_worker", str(EXAMPLES), slots=2)
    graph = json.loads((EXAMPLES / "bs-var.json").read_text())
    job = client.submit(graph)
    done = client.wait(job["id"], timeout=120)
    assert done["state"] == "SUCCEEDED", done
    results = client.results(job["id"], all=True)
    py, java = results["varPy"], results["varJava"]
    assert py["scenarios"] == java["scenarios"] == 21
    for field in ("var", "expectedShortfall", "worst"):
        assert py[field] == pytest.approx(java[field], rel=1e-9), (field, py, java)
    assert py["worstScenario"] == java["worstScenario"] == 0
    assert java["var"] > 0, java
