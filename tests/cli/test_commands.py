"""The `opencro` command line: every command has help; createuser, migrate and demo work."""

import pytest
from django.db import connection
from typer.testing import CliRunner

from opencro.accounts.models import User
from opencro.cli.main import app

runner = CliRunner()


def _command_paths() -> list[list[str]]:
    """Every command and sub-command registered on the typer app, walked recursively."""
    import typer.main

    paths: list[list[str]] = []

    def walk(command, prefix: list[str]) -> None:
        paths.append(prefix)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(typer.main.get_command(app), [])
    return paths


@pytest.mark.parametrize("command", _command_paths(), ids=lambda c: " ".join(c) or "opencro")
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_the_issue_commands_exist():
    paths = {" ".join(p) for p in _command_paths()}
    assert {"serve", "migrate", "demo", "createuser", "token create", "audit verify"} <= paths


@pytest.mark.django_db(transaction=True)
def test_createuser_validates_password_and_creates():
    result = runner.invoke(app, ["createuser", "carla", "--password", "short"])
    assert result.exit_code == 1 and "too short" in result.output
    result = runner.invoke(
        app, ["createuser", "carla", "--password", "A-long-passphrase-42", "--time-zone", "Asia/Tokyo"]
    )
    assert result.exit_code == 0, result.output
    assert User.objects.get(username="carla").time_zone == "Asia/Tokyo"
    result = runner.invoke(app, ["createuser", "carla", "--password", "A-long-passphrase-42"])
    assert result.exit_code == 1 and "already exists" in result.output


@pytest.mark.django_db(transaction=True)
def test_demo_without_serving_is_idempotent():
    """The command, run twice. On SQLite the demo's load itself is tests/demo's (in a rolled-back transaction, and
    the browser tests' snapshot); loading it again here, committed, would add a minute and check nothing more. The
    PostgreSQL run loads it through this command."""
    if connection.vendor == "sqlite":
        pytest.skip("on SQLite the demo is loaded by tests/demo and tests/browser; this runs on PostgreSQL")
    first = runner.invoke(app, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "OPC-301 loaded" in first.output and "auditor" in first.output
    second = runner.invoke(app, ["demo", "--no-serve"])
    assert second.exit_code == 0 and "already loaded" in second.output
