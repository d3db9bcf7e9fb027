"""`opencro token create USER --json` prints a key that works; `opencro token revoke` kills it."""

import json

import pytest
from django.test import Client
from typer.testing import CliRunner

from opencro.cli.main import app
from tests.conftest import make_user

runner = CliRunner()


@pytest.mark.django_db(transaction=True)
def test_cli_token_works_until_revoked(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_user("dora")
    result = runner.invoke(app, ["token", "create", "dora", "--json", "--name", "laptop"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["user"] == "dora" and printed["key"].startswith(f"opc_{printed['prefix']}_")
    auth = {"Authorization": f"Bearer {printed['key']}"}
    assert Client().get("/api/v1/studies/", headers=auth).status_code == 200
    listed = runner.invoke(app, ["token", "list", "dora"])
    assert printed["prefix"] in listed.output and printed["key"] not in listed.output
    assert runner.invoke(app, ["token", "revoke", printed["prefix"]]).exit_code == 0
    assert Client().get("/api/v1/studies/", headers=auth).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_cli_token_for_an_unknown_user_fails():
    result = runner.invoke(app, ["token", "create", "nobody", "--json"])
    assert result.exit_code == 1 and "no user named" in result.output
