"""`lathe serve` serves the built single-page app, with client routes falling back to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lathe.settings import Settings


@pytest.fixture
def spa_client(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    from lathe.app import create_app

    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<div id=root></div>", encoding="utf-8")
    (dist / "assets" / "app.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("no", encoding="utf-8")
    with TestClient(create_app(settings.model_copy(update={"frontend_dist": dist}))) as client:
        yield client


def test_index_assets_and_client_routes(spa_client: TestClient) -> None:
    assert "root" in spa_client.get("/").text
    assert spa_client.get("/assets/app.js").text == "console.log(1)"
    deep = spa_client.get("/models/3")
    assert deep.status_code == 200 and "root" in deep.text


def test_no_escape_from_dist(spa_client: TestClient) -> None:
    response = spa_client.get("/..%2Fsecret.txt")
    assert response.text != "no"
    assert "root" in response.text


def test_api_paths_never_fall_back_to_html(spa_client: TestClient) -> None:
    response = spa_client.get("/api/unknown/thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_missing_build_says_how_to_build(settings: Settings, tmp_path: Path) -> None:
    from lathe.app import create_app

    app = create_app(settings.model_copy(update={"frontend_dist": tmp_path / "missing"}))
    with TestClient(app) as client:
        response = client.get("/")
    assert response.status_code == 503
    assert "make build" in response.text
