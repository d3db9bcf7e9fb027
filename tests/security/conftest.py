"""The world of the security sweeps: the shared fixture plus a protocol version and a locked user."""

import datetime as dt

import pytest

from opencro.accounts import services as accounts
from opencro.studies import services as studies
from opencro.studies.models import ProtocolVersion
from tests.conftest import make_user


@pytest.fixture
def matrix_world(world, settings):
    """`world` with what the URL templates of the matrix name: {version} and {user}."""
    world.version = studies.protocol_item_save(
        actor=None,
        instance=ProtocolVersion(study=world.study, version="1.0", effective_date=dt.date(2026, 1, 1)),
    )
    world.locked = make_user("locked-out")
    for _attempt in range(settings.OPENCRO_LOCKOUT_ATTEMPTS):
        accounts.login_failure_record(username=world.locked.username)
    world.locked.refresh_from_db()
    assert world.locked.is_locked
    return world
