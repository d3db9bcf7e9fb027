"""Writing notices: send them (in the app, and one e-mail per recipient once the data commit) and mark them read.

Notices are not regulated records: the service that sends one has already checked its actor's rights and
recorded what happened in the audit trail. E-mails leave only after the sending transaction commits, so a
refused or rolled-back write never mails anyone; a mail server that is down is logged, never undoes the write.
"""

import logging
import smtplib
from collections.abc import Callable, Iterable
from functools import partial

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.notices.models import Notice
from opencro.studies.models import Study

logger = logging.getLogger(__name__)

# Text of a notice: plain, lazy (translated for each reader), or made for each reader (language, time zone).
Text = str | Promise | Callable[[User], str]


def notice_send(
    *,
    users: Iterable[User],
    study: Study | None,
    kind: str,
    title: Text,
    body: Text,
    url: str = "",
    email: bool = True,
) -> list[Notice]:
    """Give each user a notice, written in their language; with `email`, mail a plain-text copy to each address.

    One e-mail per recipient (no recipient sees another's address), sent when the caller's transaction commits.
    `url` is a path inside OpenCRO; e-mails give it in full when `settings.OPENCRO_BASE_URL` is set.
    """
    now = timezone.now()
    notices: list[Notice] = []
    messages: list[mail.EmailMessage] = []
    for user in {u.pk: u for u in users}.values():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            heading = " ".join(_render(title, user).split())[: Notice._meta.get_field("title").max_length]
            text = _render(body, user)
            if email and user.email:
                messages.append(mail.EmailMessage(subject=heading, body=_email_text(text, url), to=[user.email]))
        notices.append(Notice(user=user, study=study, kind=kind, title=heading, body=text, url=url, created_at=now))
    with transaction.atomic():
        Notice.objects.bulk_create(notices)
        if messages:
            transaction.on_commit(partial(_deliver, messages), robust=True)
    return notices


def _render(text: Text, user: User) -> str:
    return text(user) if callable(text) else str(text)


def _email_text(text: str, url: str) -> str:
    base = getattr(settings, "OPENCRO_BASE_URL", "").rstrip("/")
    lines = [text.rstrip(), ""]
    if url:
        lines.append(_("Open in OpenCRO: %(link)s") % {"link": base + url})
    lines.append(
        _("You receive this message because of your role in OpenCRO. Your notifications: %(link)s")
        % {"link": base + reverse("notices:list")}
    )
    return "\n".join(lines) + "\n"


def _deliver(messages: list[mail.EmailMessage]) -> None:
    try:
        with mail.mailers.default as connection:
            connection.send_messages(messages)
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send %d notification e-mails; the notices are in the app", len(messages))


def notice_mark_read(*, actor: User, notice: Notice) -> Notice:
    """Mark one of the actor's own notices read (again: keeps the first reading time)."""
    if notice.user_id != actor.pk:
        raise PermissionDenied(_("This notice is addressed to someone else."))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notice_mark_all_read(*, actor: User) -> int:
    """Mark every unread notice of the actor read; return how many."""
    return Notice.objects.filter(user_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())
