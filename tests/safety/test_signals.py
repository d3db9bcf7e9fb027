"""The signal workspace's review side: steps from detection to a signed decision, triage, the pages and the API.

Signals and their evidence are written here directly (as a detection run writes them): the runs themselves are
tested in test_signal_runs.py.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from opencro.accounts.models import Signature, SignatureMeaning
from opencro.accounts.permissions import DEFAULT_ROLES, Perm
from opencro.audit.models import AuditRecord
from opencro.safety.models import (
    Signal,
    SignalEvidence,
    SignalRun,
    SignalSource,
    SignalStatus,
    SignalStep,
)
from opencro.safety.services.signals import moves_open, signal_move, signal_reviewers, signal_triage
from opencro.safety.signal_read import signal_access, signal_cases, signal_list, signal_renewed, signal_rsi
from tests.conftest import PASSWORD, SITE_RESTRICTED
from tests.safety.conftest import report_sae

pytestmark = pytest.mark.django_db

MEASURES = {"expected": 1.5, "prr": 4.2, "prr_lower": 2.1, "prr_upper": 8.4, "chi2": 9.3, "ror": 4.8}
MEASURES |= {"ror_lower": 2.2, "ror_upper": 10.5, "ic": 1.4, "ic025": 0.6, "ebgm": 3.1, "eb05": 2.2, "eb95": 4.4}


def _run(world, when: dt.datetime | None = None) -> SignalRun:
    run = SignalRun.objects.create(
        study=world.study,
        source=SignalSource.TABLE,
        source_name="reports.csv",
        thresholds={"min_n": 3, "eb05": 2.0},
        created_by=world.users["safety_physician"],
        reports=1000,
        pairs=400,
        candidates=1,
        finished_at=timezone.now(),
    )
    if when is not None:
        SignalRun.objects.filter(pk=run.pk).update(created_at=when)
        run.refresh_from_db()
    return run


def _evidence(signal: Signal, run: SignalRun, n: int = 7, **changes) -> SignalEvidence:
    return SignalEvidence.objects.create(signal=signal, run=run, n=n, criteria=["eb05"], **(MEASURES | changes))


@pytest.fixture
def signal(safety_world) -> Signal:
    run = _run(safety_world, timezone.now() - dt.timedelta(days=30))
    found = Signal.objects.create(
        study=safety_world.study,
        product="Cardiozan",
        event="Headache",
        detected_on=run.created_at.date(),
        first_run=run,
    )
    _evidence(found, run)
    return found


def _physician(world):
    return world.users["safety_physician"]


def _move(world, signal, move, **more):
    defaults = {"rationale": "Reviewed the cases and the literature.", "password": PASSWORD}
    return signal_move(actor=_physician(world), signal=signal, move=move, **(defaults | more))


# ---- the steps ---------------------------------------------------------------------------------------------------


def test_a_signal_goes_from_detection_to_a_signed_decision(safety_world, signal):
    assert [m.code for m in moves_open(signal)] == ["start", "dismiss"]
    signal = _move(safety_world, signal, "start", password="")
    assert signal.status == SignalStatus.REVIEW and signal.assignee == _physician(safety_world)
    signal = _move(safety_world, signal, "validate")
    assert signal.status == SignalStatus.VALIDATED and signal.validated_on == timezone.localdate()
    signal = _move(safety_world, signal, "close", decision="rsi_update")
    assert (signal.status, signal.decision, signal.closed_on) == ("closed", "rsi_update", timezone.localdate())
    steps = list(SignalStep.objects.filter(signal=signal).order_by("at", "pk"))
    assert [(s.from_status, s.to_status, s.signed) for s in steps] == [
        ("new", "review", False),
        ("review", "validated", True),
        ("validated", "closed", True),
    ]
    signatures = Signature.objects.filter(object_id__in=[str(s.pk) for s in steps]).order_by("signed_at", "pk")
    assert [s.meaning for s in signatures] == [SignatureMeaning.REVIEW, SignatureMeaning.APPROVE]
    assert not any(s.is_broken for s in signatures)  # signed on the steps, which never change
    trail = AuditRecord.objects.filter(object_type="safety.signal", object_id=str(signal.pk))
    assert trail.filter(field="status", new_value="closed").exists()


def test_reopening_clears_the_decision_and_keeps_the_log(safety_world, signal):
    _move(safety_world, signal, "dismiss")
    signal = _move(safety_world, Signal.objects.get(pk=signal.pk), "reopen", password="")
    assert (signal.status, signal.decision, signal.closed_on) == ("review", "", None)
    assert SignalStep.objects.filter(signal=signal).count() == 2


@pytest.mark.parametrize(
    ("move", "more", "field"),
    [
        ("validate", {}, "move"),  # a new signal is not validated before review starts
        ("start", {"rationale": "short"}, "rationale"),
        ("start", {"decision": "monitor"}, "decision"),
        ("teleport", {}, "move"),
    ],
)
def test_a_wrong_step_is_refused_and_changes_nothing(safety_world, signal, move, more, field):
    with pytest.raises(ValidationError) as caught:
        _move(safety_world, signal, move, **more)
    assert field in caught.value.message_dict
    assert Signal.objects.get(pk=signal.pk).status == SignalStatus.NEW
    assert not SignalStep.objects.exists()


def test_closing_needs_a_decision(safety_world, signal):
    _move(safety_world, signal, "start")
    _move(safety_world, Signal.objects.get(pk=signal.pk), "validate")
    with pytest.raises(ValidationError) as caught:
        _move(safety_world, Signal.objects.get(pk=signal.pk), "close", decision="")
    assert "decision" in caught.value.message_dict


def test_a_signed_step_needs_the_right_password(safety_world, signal):
    with pytest.raises(PermissionDenied):
        _move(safety_world, signal, "dismiss", password="wrong")
    assert Signal.objects.get(pk=signal.pk).status == SignalStatus.NEW
    assert not Signature.objects.filter(meaning=SignatureMeaning.REVIEW).exists()


@pytest.mark.parametrize("role", ["investigator", "auditor", "data_manager", "medical_coder"])
def test_only_study_wide_safety_staff_take_steps(safety_world, signal, role):
    with pytest.raises(PermissionDenied):
        signal_move(actor=safety_world.users[role], signal=signal, move="start", rationale="Looked at it closely.")


def test_triage_sets_priority_due_date_and_a_reviewer(safety_world, signal):
    physician = _physician(safety_world)
    assert signal_reviewers(safety_world.study.pk) == [physician]
    due = timezone.localdate() + dt.timedelta(days=60)
    signal = signal_triage(actor=physician, signal=signal, priority="high", due_on=due, assignee=physician)
    assert (signal.priority, signal.due_on, signal.assignee) == ("high", due, physician)
    with pytest.raises(ValidationError) as caught:
        signal_triage(
            actor=physician,
            signal=signal,
            priority="urgent",
            due_on=signal.detected_on - dt.timedelta(days=1),
            assignee=safety_world.users["investigator"],
        )
    assert set(caught.value.message_dict) == {"priority", "due_on", "assignee"}


# ---- reading -----------------------------------------------------------------------------------------------------


def test_the_list_shows_the_latest_run_and_a_signal_found_again(safety_world, signal):
    _move(safety_world, signal, "dismiss")
    access = signal_access(_physician(safety_world), safety_world.study.pk)
    row = signal_list(access).get(pk=signal.pk)
    assert (row.latest_n, row.runs, signal_renewed(row)) == (7, 1, False)
    _evidence(signal, _run(safety_world), n=12, eb05=3.5)
    row = signal_list(access).get(pk=signal.pk)
    assert (row.latest_n, row.latest_eb05, row.runs, signal_renewed(row)) == (12, 3.5, 2, True)
    assert list(signal_list(access, status="open")) == []
    assert [s.pk for s in signal_list(access, status="not_validated", q="headache")] == [signal.pk]


def test_the_signal_lists_the_studys_cases_and_the_rsi(safety_world, signal):
    report_sae(safety_world, "Headache")
    cases, total = signal_cases(signal)
    assert total == 1 and cases[0].term == "Headache" and cases[0].serious
    [listing] = signal_rsi(signal)
    assert (listing.product, listing.document, listing.listed) == ("Cardiozan", "Investigator's Brochure 5.0", True)
    other = Signal.objects.create(
        study=safety_world.study,
        product="cardiozan",
        event="Vertigo",
        detected_on=signal.detected_on,
        first_run=signal.first_run,
    )
    assert [r.listed for r in signal_rsi(other)] == [False]
    assert signal_cases(other) == ([], 0)


# ---- pages -------------------------------------------------------------------------------------------------------


def _page(world, name, *ids):
    return reverse(f"safety:{name}", args=[world.study.pk, *ids])


def test_the_pages_show_the_workspace_and_a_signal(safety_world, signal, login):
    client = login(_physician(safety_world))
    listing = client.get(_page(safety_world, "signals"))
    assert listing.status_code == 200
    assert b"Cardiozan" in listing.content and f'data-testid="signal-{signal.pk}"'.encode() in listing.content
    page = client.get(_page(safety_world, "signal", signal.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="signal-trend"' in body and "<svg" in body
    assert "listed (expected)" in body and 'data-testid="signal-step-form"' in body


def test_a_step_from_the_page_and_its_errors(safety_world, signal, login):
    client = login(_physician(safety_world))
    url = _page(safety_world, "signal_step", signal.pk)
    refused = client.post(url, {"move": "dismiss", "rationale": "Not enough cases yet.", "password": "wrong"})
    assert refused.status_code == 200 and b"password is not correct" in refused.content
    assert Signal.objects.get(pk=signal.pk).status == SignalStatus.NEW
    done = client.post(url, {"move": "dismiss", "rationale": "Not enough cases yet.", "password": PASSWORD})
    assert done.status_code == 302
    assert Signal.objects.get(pk=signal.pk).status == SignalStatus.NOT_VALIDATED
    page = client.get(_page(safety_world, "signal", signal.pk))
    assert b"Not enough cases yet." in page.content and b"Signed" in page.content


def test_triage_from_the_page(safety_world, signal, login):
    client = login(_physician(safety_world))
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    physician = _physician(safety_world)
    response = client.post(
        _page(safety_world, "signal_triage", signal.pk), {"priority": "medium", "due_on": due, "assignee": physician.pk}
    )
    assert response.status_code == 302
    assert Signal.objects.get(pk=signal.pk).priority == "medium"
    bad = client.post(_page(safety_world, "signal_triage", signal.pk), {"priority": "urgent"})
    assert bad.status_code == 200 and Signal.objects.get(pk=signal.pk).priority == "medium"


@pytest.mark.parametrize(("role", "status"), [("investigator", 403), ("auditor", 200), ("monitor", 403)])
def test_who_reads_the_workspace(safety_world, signal, login, role, status):
    client = login(safety_world.users[role])
    assert client.get(_page(safety_world, "signals")).status_code == status
    assert client.get(_page(safety_world, "signal", signal.pk)).status_code == status


def test_a_reader_without_safety_edit_sees_no_forms_and_cannot_post(safety_world, signal, login):
    client = login(safety_world.users["auditor"])
    page = client.get(_page(safety_world, "signal", signal.pk)).content
    assert b"signal-step-form" not in page and b"signal-triage-form" not in page
    url = _page(safety_world, "signal_step", signal.pk)
    assert client.post(url, {"move": "start", "rationale": "Looked at it closely."}).status_code == 403


def test_another_studys_signal_is_not_found(safety_world, signal, login):
    client = login(safety_world.outsider)
    assert client.get(reverse("safety:signal", args=[safety_world.other_study.pk, signal.pk])).status_code == 404


# ---- API ---------------------------------------------------------------------------------------------------------


def test_the_api_lists_reads_steps_and_triages(safety_world, signal, login):
    client = login(_physician(safety_world))
    base = f"/api/v1/studies/{safety_world.study.pk}/safety/signals"
    listing = client.get(base).json()
    assert [item["id"] for item in listing["items"]] == [signal.pk]
    assert listing["items"][0]["latest"]["eb05"] == 2.2
    detail = client.get(f"{base}/{signal.pk}").json()
    assert detail["next_steps"] == ["start", "dismiss"] and detail["evidence"][0]["measures"]["n"] == 7
    started = client.post(
        f"{base}/{signal.pk}/steps",
        {"move": "start", "rationale": "Looking at the cases."},
        content_type="application/json",
    )
    assert started.status_code == 200 and started.json()["status"] == "review"
    wrong = client.post(
        f"{base}/{signal.pk}/steps",
        {"move": "validate", "rationale": "Enough cases.", "password": "nope"},
        content_type="application/json",
    )
    assert wrong.status_code == 403
    bad = client.post(
        f"{base}/{signal.pk}/steps", {"move": "close", "rationale": "Too early."}, content_type="application/json"
    )
    assert bad.status_code == 422
    triaged = client.patch(
        f"{base}/{signal.pk}",
        {"priority": "low", "assignee_id": _physician(safety_world).pk},
        content_type="application/json",
    )
    assert triaged.status_code == 200 and triaged.json()["priority"] == "low"
    stranger = client.patch(
        f"{base}/{signal.pk}", {"assignee_id": safety_world.users["investigator"].pk}, content_type="application/json"
    )
    assert stranger.status_code == 422


def test_the_api_refuses_site_restricted_readers(safety_world, signal, login):
    client = login(safety_world.users["investigator"])
    assert client.get(f"/api/v1/studies/{safety_world.study.pk}/safety/signals").status_code == 403


def _expected_read(role: str) -> int:
    perms = DEFAULT_ROLES[role]
    return 200 if Perm.SAFETY_VIEW in perms and role not in SITE_RESTRICTED else 403


@pytest.mark.parametrize("role", sorted(DEFAULT_ROLES))
def test_every_role_reads_the_workspace_as_its_permissions_say(safety_world, signal, client, role):
    """The sweep the route matrix cannot state: safety.view, study-wide (see tests/security/ext_signals.py)."""
    client.force_login(safety_world.users[role])
    api = f"/api/v1/studies/{safety_world.study.pk}/safety/signals"
    urls = [_page(safety_world, "signals"), _page(safety_world, "signal", signal.pk), api, f"{api}/{signal.pk}"]
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, _expected_read(role))


@pytest.mark.parametrize("role", sorted(DEFAULT_ROLES))
def test_every_role_but_the_safety_physician_is_refused_a_step(safety_world, signal, client, role):
    client.force_login(safety_world.users[role])
    api = f"/api/v1/studies/{safety_world.study.pk}/safety/signals/{signal.pk}"
    page = client.post(_page(safety_world, "signal_step", signal.pk), {"move": "start", "rationale": "Looking at it."})
    step = client.post(
        f"{api}/steps", {"move": "start", "rationale": "Looking at it."}, content_type="application/json"
    )
    triage = client.patch(api, {"priority": "high"}, content_type="application/json")
    allowed = role == "safety_physician"
    assert page.status_code == (302 if allowed else 403)
    assert step.status_code == (422 if allowed else 403)  # the page's step went first: a second start is refused
    assert triage.status_code == (200 if allowed else 403)
