"""Recipes over REST: node types, validate, preview, CRUD with versions, YAML round trip, and a
run as a job that writes dataset versions; bad graphs are refused with every node's problem."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from lathe.jobs.worker import Worker
from lathe.settings import Settings
from tests.backend.jobs.conftest import wait_status

ALPACA_ROWS = [
    {"instruction": f"Say {word}", "input": "", "output": f"{word}!"}
    for word in ("hello", "bonjour", "hola", "hallo", "ciao", "hello")
]


def pipeline() -> dict[str, Any]:
    """inline → to_messages → filter → dedupe → split → two outputs."""
    return {
        "schema_version": 1,
        "nodes": [
            {"id": "src", "type": "inline", "params": {"rows": ALPACA_ROWS}},
            {"id": "chat", "type": "to_messages", "params": {"source_format": "alpaca"}},
            {"id": "short", "type": "filter", "params": {"expression": "chars(messages) < 40"}},
            {"id": "uniq", "type": "dedupe", "params": {}},
            {"id": "split", "type": "split", "params": {"eval_rows": 1, "seed": 3}},
            {"id": "train", "type": "output", "params": {"dataset": "greet-train"}},
            {"id": "eval", "type": "output", "params": {"dataset": "greet-eval"}},
        ],
        "edges": [
            {"source": "src", "target": "chat"},
            {"source": "chat", "target": "short"},
            {"source": "short", "target": "uniq"},
            {"source": "uniq", "target": "split"},
            {"source": "split", "source_port": "train", "target": "train"},
            {"source": "split", "source_port": "eval", "target": "eval"},
        ],
    }


def node(graph: dict[str, Any], node_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(n for n in graph["nodes"] if n["id"] == node_id)
    return found


def test_node_types_describe_ports_and_params(client: TestClient) -> None:
    types = {t["type"]: t for t in client.get("/api/recipes/node-types").json()}
    expected = {"dataset", "samples", "inline", "to_messages", "template", "filter", "select"}
    expected |= {"rename", "drop", "system_prompt", "dedupe", "token_length", "sample"}
    assert expected | {"split", "mix", "generate", "judge", "output"} <= set(types)
    assert [p["name"] for p in types["split"]["outputs"]] == ["train", "eval"]
    assert types["filter"]["group"] == "transform" and types["output"]["group"] == "output"
    assert "expression" in types["filter"]["params_schema"]["properties"]


def test_validate_lists_every_problem_with_its_node(client: TestClient) -> None:
    graph = pipeline()
    node(graph, "chat")["params"]["source_format"] = "columns"  # needs user/assistant columns
    node(graph, "short")["params"]["expression"] = "text.__class__"
    node(graph, "split")["params"] = {"eval_fraction": 1.5}
    graph["nodes"].append({"id": "odd", "type": "sparkle", "params": {}})
    graph["edges"].append({"source": "uniq", "target": "train", "target_port": "nope"})
    body = client.post("/api/recipes/validate", json={"graph": graph}).json()
    assert body["valid"] is False
    by_node = {p["node_id"] for p in body["problems"]}
    assert {"chat", "split", "odd"} <= by_node
    assert any(p["type"] == "unknown_node_type" for p in body["problems"])
    assert any("nope" in p["message"] for p in body["problems"])

    cyclic = pipeline()
    cyclic["edges"].append({"source": "uniq", "target": "chat"})
    problems = client.post("/api/recipes/validate", json={"graph": cyclic}).json()["problems"]
    assert any(p["type"] == "cycle" for p in problems)
    ok = client.post("/api/recipes/validate", json={"graph": pipeline()}).json()
    assert ok["valid"] is True and ok["problems"] == []


def test_validate_reports_the_columns_leaving_each_node(client: TestClient) -> None:
    columns = client.post("/api/recipes/validate", json={"graph": pipeline()}).json()["columns"]
    assert set(columns) == {"src", "chat", "short", "uniq", "split", "train", "eval"}
    assert set(columns["split"]) == {"train", "eval"}
    assert columns["chat"]["out"] == [{"name": "messages", "type": "messages"}]
    assert columns["train"]["dataset"] == [{"name": "messages", "type": "messages"}]

    broken = pipeline()
    node(broken, "short")["params"]["expression"] = "chars(nothing) < 40"
    body = client.post("/api/recipes/validate", json={"graph": broken}).json()
    # Known up to the faulty filter; nothing below it is guessed.
    assert set(body["columns"]) == {"src", "chat"}


def test_preview_shows_rows_at_every_node(client: TestClient) -> None:
    body = client.post("/api/recipes/preview", json={"graph": pipeline(), "limit": 20}).json()
    nodes = {n["node_id"]: n for n in body["nodes"]}
    assert all(n["status"] == "ok" for n in nodes.values())
    assert nodes["src"]["stats"]["rows_out"] == 6 and nodes["uniq"]["stats"]["rows_out"] == 5
    assert nodes["chat"]["outputs"]["out"]["rows"][0]["messages"][1]["content"] == "hello!"
    assert nodes["split"]["outputs"]["eval"]["rows"] and nodes["split"]["outputs"]["train"]["rows"]


def test_crud_versions_yaml_and_a_run(
    client: TestClient, settings: Settings, worker: Worker
) -> None:
    created = client.post("/api/recipes", json={"name": "greetings", "graph": pipeline()})
    assert created.status_code == 201, created.text
    recipe = created.json()
    assert (recipe["latest_version"], recipe["node_count"]) == (1, 7)
    assert recipe["latest"]["problems"] == []

    changed = pipeline()
    node(changed, "split")["params"] = {"eval_rows": 2, "seed": 3}
    saved = client.put(f"/api/recipes/{recipe['id']}", json={"graph": changed}).json()
    assert [v["version"] for v in saved["versions"]] == [1, 2]
    first = client.get(f"/api/recipes/{recipe['id']}/versions/1").json()
    assert node(first["graph"], "split")["params"]["eval_rows"] == 1

    exported = client.get(f"/api/recipes/{recipe['id']}/versions/0/yaml").json()
    assert exported["version"] == 2 and "name: greetings" in exported["yaml"]
    imported = client.post(
        "/api/recipes/import", json={"yaml": exported["yaml"], "name": "greetings-copy"}
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["latest"]["graph"] == saved["latest"]["graph"]

    response = client.post(f"/api/recipes/{recipe['id']}/runs", json={})
    assert response.status_code == 202, response.text
    job = wait_status(settings, response.json()["id"], "succeeded", "failed", timeout=60)
    assert job.status == "succeeded", job.error_message
    assert job.result is not None
    outputs = {o["node_id"]: o for o in job.result["outputs"]}
    assert (outputs["train"]["rows"], outputs["eval"]["rows"]) == (3, 2)
    assert job.progress is not None and job.progress["details"]["nodes"]["uniq"]["rows_out"] == 5
    datasets = {d["name"]: d for d in client.get("/api/datasets").json()["items"]}
    assert datasets["greet-eval"]["latest"]["row_count"] == 2
    version = client.get(f"/api/datasets/{datasets['greet-eval']['id']}/versions/0").json()
    assert version["stats"]["rows"] == 2 and version["source"].startswith("recipe ")
    rows = client.get(f"/api/datasets/{datasets['greet-train']['id']}/versions/0/rows").json()
    assert all(r["messages"][0]["role"] == "user" for r in rows["rows"])

    listed = client.get("/api/recipes").json()
    assert [r["name"] for r in listed["items"]] == ["greetings", "greetings-copy"]
    assert client.delete(f"/api/recipes/{recipe['id']}").status_code == 204
    assert client.get(f"/api/recipes/{recipe['id']}").status_code == 404


def test_bad_recipes_are_refused_with_their_location(client: TestClient) -> None:
    unknown = pipeline()
    unknown["nodes"][1]["type"] = "sparkle"
    response = client.post("/api/recipes", json={"name": "x", "graph": unknown})
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["node_id"] == "chat" and detail["type"] == "unknown_node_type"

    bad_split = pipeline()
    node(bad_split, "split")["params"] = {"eval_fraction": 1.5}
    response = client.post("/api/recipes", json={"name": "x", "graph": bad_split})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "nodes.split.params.eval_fraction"

    no_weights = copy.deepcopy(pipeline())
    no_weights["nodes"].append({"id": "m", "type": "mix", "params": {"weights": {"src": 0}}})
    response = client.post("/api/recipes/validate", json={"graph": no_weights})
    assert any(p["node_id"] == "m" for p in response.json()["problems"])

    # A graph that parses but cannot run is saved; its run is refused with every problem.
    missing = pipeline()
    node(missing, "short")["params"]["expression"] = "len(nope) > 1"
    saved = client.post("/api/recipes", json={"name": "draft", "graph": missing}).json()
    assert saved["latest"]["problems"][0]["node_id"] == "short"
    response = client.post(f"/api/recipes/{saved['id']}/runs", json={})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["node_id"] == "short"

    assert (
        client.post("/api/recipes", json={"name": "draft", "graph": pipeline()}).status_code == 409
    )
    response = client.post("/api/recipes/import", json={"yaml": "nodes: [\n  - id: a\n bad"})
    assert response.status_code == 422 and "line" in response.json()["error"]["message"]
    assert client.post("/api/recipes/7/runs", json={}).status_code == 404


def test_templates_are_served(client: TestClient) -> None:
    templates = client.get("/api/recipes/templates").json()
    assert {t["key"] for t in templates} == {
        "clean-split-chat",
        "alpaca-to-chat",
        "persona",
        "generate-qa",
    }
    persona = next(t for t in templates if t["key"] == "persona")
    created = client.post("/api/recipes", json={"name": "p", "graph": persona["graph"]})
    assert created.status_code == 201 and created.json()["latest"]["problems"] == []
