from __future__ import annotations

from fastapi.testclient import TestClient

from lathe import __version__


def test_health(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def test_system_reports_versions_hardware_and_home(client: TestClient) -> None:
    body = client.get("/api/system").json()
    assert body["lathe_version"] == __version__
    assert body["torch_version"].startswith("2.")
    assert body["transformers_version"] and body["peft_version"] and body["gguf_version"]
    assert body["cpu_count"] >= 1
    assert body["memory_total_bytes"] > body["memory_available_bytes"] > 0
    assert body["cuda_available"] is (len(body["cuda_devices"]) > 0)
    assert body["triton_mode"] in ("cuda", "interpreter", "reference", "unavailable")
    assert body["training_kernels"] is (body["triton_mode"] == "cuda")
    assert body["default_model_present"] is False
    assert body["lathe_home"].endswith("lathe-home")


def test_system_hides_database_password(client: TestClient) -> None:
    from lathe.system_info import redact_url

    assert "secret" not in redact_url("postgresql://lathe:secret@db:5432/lathe")
