"""Passwords are checked against Django's validators wherever a user is created."""

import pytest
from django.core.exceptions import ValidationError
from typer.testing import CliRunner

from opencro.accounts.models import User
from opencro.accounts.services import user_create
from opencro.cli.main import app

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        ("Sh0rt-pw", "too short"),
        ("password123", "too common"),
        ("8305612749", "entirely numeric"),
        ("margaret.hamilton", "too similar"),
    ],
)
def test_user_create_rejects_weak_passwords(password, complaint):
    with pytest.raises(ValidationError) as raised:
        user_create(actor=None, username="margaret.hamilton", password=password, first_name="Margaret")
    assert any(complaint in m for m in raised.value.messages), raised.value.messages
    assert not User.objects.filter(username="margaret.hamilton").exists()


def test_user_create_accepts_a_good_password():
    user = user_create(actor=None, username="margaret", password="Apollo-guidance-1969")
    assert user.check_password("Apollo-guidance-1969")
    assert not user.password.startswith("Apollo")


def test_createuser_command_rejects_a_common_password():
    result = CliRunner().invoke(app, ["createuser", "grace", "--password", "password123"])
    assert result.exit_code == 1 and "too common" in result.output
    assert not User.objects.filter(username="grace").exists()
