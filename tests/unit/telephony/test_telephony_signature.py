"""Signature checks use the public URL; unsigned requests pass only in development."""

from __future__ import annotations

from twilio.request_validator import RequestValidator

from app.core.config import Settings
from app.telephony import forms, signature
from app.telephony.signature import WebhookRejected

TOKEN = "secret-token"


def settings(**fields: object) -> Settings:
    base: dict[str, object] = {"public_base_url": "https://hotline.example.org/"}
    base.update(fields)
    return Settings(_env_file=None, **base)  # type: ignore[call-arg]


def test_public_url_uses_the_public_base_not_the_internal_host() -> None:
    s = settings()
    assert signature.public_url(s, "/twilio/voice/step", "step=3") == (
        "https://hotline.example.org/twilio/voice/step?step=3"
    )
    assert signature.public_url(s, "/twilio/media", websocket=True) == (
        "wss://hotline.example.org/twilio/media"
    )


def test_valid_signature_over_public_url_and_params() -> None:
    s = settings(twilio_auth_token=TOKEN)
    url = "https://hotline.example.org/twilio/voice"
    params = {"CallSid": "CA1", "From": "+8613800000001"}
    good = RequestValidator(TOKEN).compute_signature(url, params)
    assert signature.is_valid(s, url=url, params=params, signature=good)
    assert not signature.is_valid(s, url=url, params={**params, "From": "+1"}, signature=good)
    assert not signature.is_valid(s, url=url, params=params, signature=None)
    assert not signature.is_valid(settings(), url=url, params=params, signature=good)


def test_unsigned_requests_pass_only_in_development_without_a_token() -> None:
    assert not signature.signature_required(settings())
    assert signature.signature_required(settings(twilio_auth_token=TOKEN))
    assert signature.signature_required(settings(environment="production"))


def test_form_fields_are_checked() -> None:
    assert forms.call_sid({"CallSid": "CA0123"}) == "CA0123"
    for bad in ({}, {"CallSid": ""}, {"CallSid": "CA 1; drop"}, {"CallSid": "x" * 65}):
        try:
            forms.call_sid(bad)
        except WebhookRejected as exc:
            assert exc.status == 400 and "CallSid" in exc.message
        else:
            raise AssertionError(f"accepted {bad}")
    assert forms.digits({"Digits": "11010119450101123*"}) == "11010119450101123*"
    assert forms.step_number("12") == 12
    for raw in (None, "", "-1", "1e3", "999999999"):
        try:
            forms.step_number(raw)
        except WebhookRejected:
            pass
        else:
            raise AssertionError(f"accepted step {raw!r}")
