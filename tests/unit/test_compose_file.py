"""docker/compose.yaml and docker/Dockerfile only set variables `Settings` reads, compose
insists on every production setting, and the volumes hold what they should."""

from __future__ import annotations

import re

import pytest
import yaml

from app.core.config import PRODUCTION_REQUIRED_SETTINGS, PROJECT_ROOT, Settings

COMPOSE = PROJECT_ROOT / "docker" / "compose.yaml"
DOCKERFILE = PROJECT_ROOT / "docker" / "Dockerfile"
REQUIRED = re.compile(r"^\$\{(?P<name>[A-Z0-9_]+):\?[^}]+\}$")


def env_name(field: str) -> str:
    return "DATABASE_URL" if field == "database_url" else f"IVR_{field.upper()}"


SETTING_FOR_ENV = {env_name(field): field for field in Settings.model_fields}


def hotline_environment() -> dict[str, str]:
    compose = yaml.safe_load(COMPOSE.read_text("utf-8"))
    environment = compose["services"]["hotline"]["environment"]
    assert isinstance(environment, dict), "use the mapping form for the environment"
    return {str(k): str(v) for k, v in environment.items()}


def dockerfile_environment() -> dict[str, str]:
    text = DOCKERFILE.read_text("utf-8").replace("\\\n", " ")
    pairs: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            pairs.update(re.findall(r"([A-Z0-9_]+)=(\S+)", line))
    return pairs


def test_every_compose_variable_is_a_setting() -> None:
    unknown = [name for name in hotline_environment() if name not in SETTING_FOR_ENV]
    assert unknown == []


def test_every_ivr_variable_of_the_dockerfile_is_a_setting() -> None:
    variables = [name for name in dockerfile_environment() if name.startswith("IVR_")]
    assert "IVR_MODELS_DIR" in variables
    assert [name for name in variables if name not in SETTING_FOR_ENV] == []


def test_compose_sets_every_required_production_setting_and_refuses_to_start_without() -> None:
    environment = hotline_environment()
    assert environment["IVR_ENVIRONMENT"] == "production"
    for field in PRODUCTION_REQUIRED_SETTINGS:
        if field == "environment":
            continue
        name = env_name(field)
        assert name in environment, f"{name} is required in production but not set"
        match = REQUIRED.match(environment[name])
        assert match and match["name"] == name, f"{name} must be ${{{name}:?...}} in compose"


def test_compose_values_satisfy_the_production_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    # what the tests' environment sets for speed is not in a deployment
    monkeypatch.delenv("IVR_PASSWORD_HASH_TIME_COST", raising=False)
    monkeypatch.delenv("IVR_PASSWORD_HASH_MEMORY_KIB", raising=False)
    values = {}
    for name, value in hotline_environment().items():
        match = REQUIRED.match(value)
        values[SETTING_FOR_ENV[name]] = (
            {"secret_key": "k" * 40, "public_base_url": "https://hotline.example.org"}.get(
                SETTING_FOR_ENV[name], "set-by-operator"
            )
            if match
            else re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)
        )
    assert Settings(**values).production_problems() == []


def test_models_volume_holds_downloads_only_and_recordings_have_a_volume() -> None:
    compose = yaml.safe_load(COMPOSE.read_text("utf-8"))
    mounts = dict(v.split(":", 1) for v in compose["services"]["hotline"]["volumes"])
    image_env = dockerfile_environment()
    assert mounts["models"] == image_env["IVR_MODELS_DIR"]
    assert mounts["recordings"] == image_env["IVR_RECORDINGS_DIR"]
    manifest = image_env["IVR_MODELS_MANIFEST"]
    assert not any(manifest.startswith(target.rstrip("/") + "/") for target in mounts.values())
    assert "COPY models/manifest.json" in DOCKERFILE.read_text("utf-8")
    assert {"models", "recordings", "pgdata"} <= set(compose["volumes"])


def test_the_image_runs_the_same_start_up_command_as_outside_docker() -> None:
    assert 'CMD ["ivr", "start"]' in DOCKERFILE.read_text("utf-8")


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    ignored = (PROJECT_ROOT / ".dockerignore").read_text("utf-8").split()
    for entry in (".git", ".venv", "var/", "models/*/", ".pytest_cache", ".mypy_cache"):
        assert entry in ignored
