"""Production refuses to start with placeholders or half a configuration; development
starts with anything (Settings.check_production_ready)."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.config import ProductionConfigError, Settings

COMPLETE: dict[str, Any] = {
    "environment": "production",
    "secret_key": "s" * 40,
    "public_base_url": "https://hotline.example.org",
    "twilio_account_sid": "AC" + "0" * 32,
    "twilio_auth_token": "token",
    "twilio_from_number": "+868710000001",
}


@pytest.fixture(autouse=True)
def deployed_hash_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployment does not set the argon2 cost the tests' environment lowers."""
    monkeypatch.delenv("IVR_PASSWORD_HASH_TIME_COST", raising=False)
    monkeypatch.delenv("IVR_PASSWORD_HASH_MEMORY_KIB", raising=False)


def production(**changes: Any) -> Settings:
    values = {**COMPLETE, **changes}
    return Settings(**{k: v for k, v in values.items() if v is not None})


def test_a_complete_production_configuration_starts() -> None:
    settings = production()
    settings.check_production_ready()
    assert settings.notifications_configured


def test_production_refuses_a_forgotten_public_base_url() -> None:
    with pytest.raises(ProductionConfigError, match="IVR_PUBLIC_BASE_URL must be set"):
        production(public_base_url=None).check_production_ready()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost", "ftp://hotline.example.org", "hotline"]
)
def test_production_refuses_a_public_base_url_twilio_cannot_reach(url: str) -> None:
    with pytest.raises(ProductionConfigError, match="public http\\(s\\) URL"):
        production(public_base_url=url).check_production_ready()


@pytest.mark.parametrize(
    ("missing", "variable"),
    [
        ("twilio_account_sid", "IVR_TWILIO_ACCOUNT_SID"),
        ("twilio_auth_token", "IVR_TWILIO_AUTH_TOKEN"),
        ("twilio_from_number", "IVR_TWILIO_FROM_NUMBER"),
    ],
)
def test_production_requires_token_account_and_sender_together(
    missing: str, variable: str
) -> None:
    settings = production(**{missing: None})
    assert not settings.notifications_configured
    with pytest.raises(ProductionConfigError, match=variable):
        settings.check_production_ready()


def test_production_names_every_problem_at_once() -> None:
    problems = Settings(environment="production").production_problems()
    text = "; ".join(problems)
    for variable in (
        "IVR_SECRET_KEY",
        "IVR_PUBLIC_BASE_URL",
        "IVR_TWILIO_AUTH_TOKEN",
        "IVR_TWILIO_ACCOUNT_SID",
        "IVR_TWILIO_FROM_NUMBER",
    ):
        assert variable in text


def test_development_starts_without_any_of_it() -> None:
    settings = Settings(environment="development")
    settings.check_production_ready()
    assert not settings.notifications_configured


def test_a_bootstrap_admin_without_a_password_is_refused_everywhere() -> None:
    with pytest.raises(ProductionConfigError, match="IVR_BOOTSTRAP_ADMIN_PASSWORD"):
        Settings(bootstrap_admin_username="root.admin").check_production_ready()


def test_the_bootstrap_password_is_not_shown_in_the_settings_repr() -> None:
    settings = Settings(bootstrap_admin_username="root.admin", bootstrap_admin_password="pw-123")
    assert "pw-123" not in repr(settings) and "pw-123" not in str(settings.model_dump())


@pytest.mark.parametrize(
    "cost", [{"password_hash_memory_kib": 1024}, {"password_hash_time_cost": 1}]
)
def test_production_refuses_a_password_hash_cost_below_the_minimum(cost: dict[str, int]) -> None:
    with pytest.raises(ProductionConfigError, match="IVR_PASSWORD_HASH_MEMORY_KIB"):
        production(**cost).check_production_ready()
