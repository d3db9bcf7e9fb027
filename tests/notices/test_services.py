"""Sending notices (in the app, e-mail after commit, in each reader's language) and marking them read."""

import logging

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import translation

from opencro.accounts.models import User
from opencro.accounts.permissions import RoleCode
from opencro.notices.models import Notice
from opencro.notices.selectors import notice_list, notice_unread_count
from opencro.notices.services import notice_mark_all_read, notice_mark_read, notice_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(world) -> tuple[User, User]:
    """The safety physician (e-mail, Spanish) and the monitor (no e-mail address)."""
    physician, monitor = world.users[RoleCode.SAFETY_PHYSICIAN], world.users[RoleCode.MONITOR]
    User.objects.filter(pk=physician.pk).update(email="sp@sponsor.example", language="es")
    physician.refresh_from_db()
    return physician, monitor


def _send(world, users, **kw) -> list[Notice]:
    return notice_send(
        users=users, study=world.study, kind="test.kind", title="Something happened", body="Details", url="/x/", **kw
    )


def test_one_notice_per_reader_and_one_email_per_address_after_commit(
    world, readers, mailoutbox, django_capture_on_commit_callbacks
):
    physician, monitor = readers
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send(world, [physician, monitor, physician])
    assert sorted(Notice.objects.values_list("user__username", flat=True)) == sorted(
        [physician.username, monitor.username]
    )
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    [email] = mailoutbox
    assert (email.to, email.subject) == (["sp@sponsor.example"], "Something happened")
    assert email.body.startswith("Details\n") and "/x/" in email.body
    assert email.content_subtype == "plain"


def test_no_email_when_asked_for_none(world, readers, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send(world, readers, email=False)
    assert Notice.objects.count() == 2 and mailoutbox == []


def test_the_email_link_is_absolute_when_the_base_url_is_set(
    world, readers, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.OPENCRO_BASE_URL = "https://cro.example/"
    with django_capture_on_commit_callbacks(execute=True):
        _send(world, readers[:1])
    assert "https://cro.example/x/" in mailoutbox[0].body


def test_text_is_made_for_each_reader_in_their_language(world, readers):
    """A function gets the reader and runs with the reader's language active; titles are one line."""
    seen = []

    def title(user: User) -> str:
        seen.append((user.username, translation.get_language()))
        return f"For\n{user.username}"

    physician, monitor = readers
    notice_send(users=readers, study=None, kind="test.kind", title=title, body=lambda user: user.time_zone)
    assert sorted(seen) == sorted([(physician.username, "es"), (monitor.username, "en")])
    assert Notice.objects.get(user=physician).title == f"For {physician.username}"
    assert Notice.objects.get(user=monitor).body == monitor.time_zone


def test_a_mail_server_that_is_down_is_logged_and_keeps_the_notices(
    world, readers, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    class Down:
        def __enter__(self):
            raise ConnectionRefusedError("smtp down")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(type(mail.mailers), "default", property(lambda self: Down()))
    with (
        caplog.at_level(logging.ERROR, logger="opencro.notices.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _send(world, readers)
    assert Notice.objects.count() == 2
    assert "Could not send 1 notification e-mails" in caplog.text


def test_a_reader_marks_their_own_notices_read(world, readers):
    physician, monitor = readers
    mine, theirs = _send(world, [physician, monitor])
    assert notice_unread_count(physician) == 1
    notice_mark_read(actor=physician, notice=mine)
    first = Notice.objects.get(pk=mine.pk).read_at
    assert first is not None and notice_unread_count(physician) == 0
    notice_mark_read(actor=physician, notice=Notice.objects.get(pk=mine.pk))
    assert Notice.objects.get(pk=mine.pk).read_at == first  # the first reading is kept
    with pytest.raises(PermissionDenied):
        notice_mark_read(actor=physician, notice=theirs)
    assert Notice.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_touches_only_the_actors_notices(world, readers):
    physician, monitor = readers
    _send(world, [physician, monitor])
    _send(world, [physician])
    assert notice_mark_all_read(actor=physician) == 2
    assert notice_unread_count(physician) == 0 and notice_unread_count(monitor) == 1
    assert notice_mark_all_read(actor=physician) == 0
    assert list(notice_list(physician, unread_only=True)) == []
    assert len(notice_list(monitor, unread_only=True)) == 1
