"""The one error shape on every failure, and the API token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from lathe.settings import Settings


def _assert_error(response_json: dict[str, object], code: str) -> dict[str, object]:
    assert set(response_json) == {"error"}
    error = response_json["error"]
    assert isinstance(error, dict)
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error


def test_unknown_api_route_is_json_404(client: TestClient) -> None:
    response = client.get("/api/nope")
    assert response.status_code == 404
    _assert_error(response.json(), "not_found")


def test_malformed_json_body(client: TestClient) -> None:
    response = client.post(
        "/api/models/import", content=b'{"source": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    error = _assert_error(response.json(), "invalid_input")
    assert "malformed JSON" in str(error["message"])


def test_validation_error_names_the_field(client: TestClient) -> None:
    response = client.post("/api/models/import", json={"source": "/x", "name": "../evil"})
    assert response.status_code == 422
    error = _assert_error(response.json(), "invalid_input")
    assert str(error["message"]).startswith("name:")
    assert error["details"][0]["field"] == "name"  # type: ignore[index]


def test_query_validation_names_the_parameter(client: TestClient) -> None:
    response = client.get("/api/models", params={"limit": 0})
    assert response.status_code == 422
    assert str(_assert_error(response.json(), "invalid_input")["message"]).startswith("limit:")


def test_wrong_method(client: TestClient) -> None:
    response = client.put("/api/health")
    assert response.status_code == 405
    _assert_error(response.json(), "method_not_allowed")


@pytest.fixture
def token_client(settings: Settings) -> Iterator[TestClient]:
    from lathe.app import create_app

    secured = settings.model_copy(update={"api_token": SecretStr("s3cret")})
    with TestClient(create_app(secured)) as test_client:
        yield test_client


def test_token_required_when_configured(token_client: TestClient) -> None:
    assert token_client.get("/api/health").status_code == 200  # probes stay open
    missing = token_client.get("/api/models")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    _assert_error(missing.json(), "unauthorized")
    wrong = token_client.get("/api/models", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = token_client.get("/api/models", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200


def test_operation_ids_are_stable_tag_dash_name(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert "models-list_models" in ids
    tags = (
        "health",
        "system",
        "models",
        "datasets",
        "recipes",
        "jobs",
        "training",
        "exports",
        "inference",
        "chat",
        "openai",
    )
    assert all(op_id.split("-", 1)[0] in tags for op_id in ids)
    assert len(ids) == len(set(ids))


def test_committed_openapi_is_current() -> None:
    from lathe.api.openapi import render

    committed = Path(__file__).resolve().parents[3] / "frontend" / "openapi.json"
    assert committed.read_text(encoding="utf-8") == render(), (
        "frontend/openapi.json is stale: run `make openapi` and commit the result"
    )
