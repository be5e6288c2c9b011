"""`ivr fhir`: tokens created, listed, rotated and revoked from the command line; the
webhook set; refusals exit 1 with a message."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.cli import app as ivr
from app.core.config import Settings
from app.core.db import Database
from app.hospital.fhir import cli as fhir_cli
from app.hospital.fhir import tokens
from app.hospital.fhir.models import FhirClient, FhirLink
from app.hospital.models import HospitalAudit


def test_tokens_and_webhook_from_the_command_line(
    clinic: int, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(database_url=demo.url, secret_key="x" * 40)
    monkeypatch.setattr(fhir_cli, "get_settings", lambda: settings)
    cli = CliRunner()

    created = cli.invoke(ivr, ["fhir", "token", "create", str(clinic), "HIS 东软", "--days", "30"])
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert token.startswith(tokens.TOKEN_PREFIX)
    with demo.session() as session:
        client = session.scalars(select(FhirClient)).one()
        assert client.token_hash == tokens.token_hash(token) and token not in client.token_hash
        assert (client.expires_at - client.created_at).days == 30
    listed = cli.invoke(ivr, ["fhir", "token", "list", str(clinic)])
    assert "HIS 东软" in listed.output and "valid until" in listed.output
    assert token not in listed.output

    rotated = cli.invoke(ivr, ["fhir", "token", "rotate", str(clinic), str(client.id)])
    assert rotated.exit_code == 0 and rotated.output.strip().splitlines()[-1] != token
    revoked = cli.invoke(ivr, ["fhir", "token", "revoke", str(clinic), str(client.id)])
    assert revoked.exit_code == 0
    assert "revoked" in cli.invoke(ivr, ["fhir", "token", "list", str(clinic)]).output

    # Another hospital's client id, an unknown hospital, a bad URL: refused, exit 1.
    foreign = cli.invoke(ivr, ["fhir", "token", "revoke", str(clinic + 1), str(client.id)])
    assert foreign.exit_code == 1 and "找不到" in foreign.output
    assert cli.invoke(ivr, ["fhir", "token", "create", "999999", "x"]).exit_code == 1
    bad = cli.invoke(ivr, ["fhir", "webhook", str(clinic), "ftp://his.example"])
    assert bad.exit_code == 1 and "http" in bad.output

    hook = cli.invoke(ivr, ["fhir", "webhook", str(clinic), "https://his.example/inbox"])
    assert hook.exit_code == 0, hook.output
    with demo.session() as session:
        link = session.get(FhirLink, clinic)
        assert link is not None and link.webhook_url == "https://his.example/inbox"
        assert link.webhook_secret in hook.output
        actions = session.scalars(
            select(HospitalAudit.action).where(HospitalAudit.hospital_id == clinic)
        ).all()
    assert {
        "fhir_token_created",
        "fhir_token_rotated",
        "fhir_token_revoked",
        "fhir_webhook_set",
    } <= set(actions)
