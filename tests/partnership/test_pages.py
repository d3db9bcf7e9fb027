"""Partnership pages: each renders for the right person, each write lands, refusals re-render with the error,
another organisation's records are 404, a reader's write is 403, and a wrong password signs nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from opencro.accounts.models import Organisation, OrganisationMember
from opencro.partnership.catalogue import DUTIES, Party
from opencro.partnership.models import (
    AgreementStatus,
    ChangeOrder,
    ChangeOrderStatus,
    MasterServicesAgreement,
    Responsibility,
    WorkOrder,
    WorkOrderStatus,
)
from opencro.partnership.services import agreements, change_orders, signing
from tests.conftest import PASSWORD, make_user
from tests.partnership.conftest import START

pytestmark = pytest.mark.django_db


def _url(name: str, *args) -> str:
    return reverse(f"partnership:{name}", args=args)


def _html(response) -> str:
    return response.content.decode()


def _executed(p) -> WorkOrder:
    signing.contract_sign(actor=p.crux_exec, record=p.work_order, password=PASSWORD)
    return signing.contract_sign(actor=p.acme_exec, record=p.work_order, password=PASSWORD)


def _change(p) -> ChangeOrder:
    _executed(p)
    return change_orders.change_order_propose(
        actor=p.crux_contracts,
        work_order=p.work_order,
        title="Ten more sites",
        reason="Recruitment is slower than planned.",
        value_change=Decimal("250000.00"),
    )


def _matrix_post(p, **changes) -> dict:
    """The matrix form as it stands, with `changes` (duty -> (party, note))."""
    data = {}
    for row in Responsibility.objects.filter(work_order=p.work_order):
        party, note = changes.get(row.duty, (row.party, row.note))
        data[f"party_{row.duty}"], data[f"note_{row.duty}"] = party, note
    return data


# Home


def test_home_shows_the_organisation_its_studies_agreements_and_work_orders(partners, world, client):
    p = partners
    client.force_login(p.crux_viewer)
    html = _html(client.get(_url("home")))
    assert "Crux Research" in html and 'data-testid="agreements"' in html and 'data-testid="work-orders"' in html
    assert p.msa.number in html and p.work_order.number in html and world.study.protocol_number in html
    assert 'data-status="active"' in html and "1,200,000.00 USD" in html
    assert "Draft an agreement" not in html  # a viewer drafts nothing
    client.force_login(p.borealis_contracts)
    html = _html(client.get(_url("home")))
    assert p.msa.number not in html and world.other_study.protocol_number in html and "Draft an agreement" in html


def test_home_needs_an_organisation(partners, world, client):
    client.force_login(world.admin)  # a superuser who works for no organisation
    assert client.get(_url("home")).status_code == 404
    assert client.get(_url("organisations")).status_code == 200
    client.force_login(world.outsider)
    assert client.get(_url("home")).status_code == 404


# Organisations


def test_only_a_system_administrator_lists_and_creates_organisations(partners, world, client):
    client.force_login(partners.acme_admin)
    assert client.get(_url("organisations")).status_code == 403
    assert client.post(_url("organisations"), {"code": "x", "name": "X", "kind": "cro"}).status_code == 403
    client.force_login(world.admin)
    html = _html(client.get(_url("organisations")))
    assert 'data-testid="organisations"' in html and "Borealis Bio" in html
    response = client.post(_url("organisations"), {"code": "echo", "name": "Echo CRO", "kind": "cro", "country": "it"})
    assert response.status_code == 302
    assert Organisation.objects.get(code="echo").country == "IT"
    refused = client.post(_url("organisations"), {"code": "echo", "name": "Echo again", "kind": "cro"})
    assert refused.status_code == 200 and "already exists" in _html(refused)


def test_an_organisation_page_is_for_its_administrators_and_system_administrators(partners, world, client):
    p = partners
    client.force_login(p.acme_admin)
    html = _html(client.get(_url("organisation", p.acme.pk)))
    assert 'data-testid="members"' in html and "acme-exec" in html and world.study.protocol_number in html
    assert 'data-testid="sponsor-form"' not in html  # assigning studies is a system administrator's
    for other in (p.borealis, p.crux):
        assert client.get(_url("organisation", other.pk)).status_code == 404
    assert client.get(_url("organisation", 999999)).status_code == 404
    for who in (p.acme_contracts, p.borealis_contracts, world.outsider):
        client.force_login(who)
        assert client.get(_url("organisation", p.acme.pk)).status_code == 404
    client.force_login(world.admin)
    assert 'data-testid="sponsor-form"' in _html(client.get(_url("organisation", p.acme.pk)))


def test_an_administrator_adds_changes_and_removes_members(partners, world, client):
    p = partners
    client.force_login(p.acme_admin)
    cut_off = client.post(_url("member_set", p.acme.pk), {"user": world.outsider.username, "role": "viewer"})
    assert cut_off.status_code == 200 and "cut off: T-002" in _html(cut_off)  # their memberships elsewhere
    newcomer = make_user("newcomer")
    response = client.post(_url("member_set", p.acme.pk), {"user": newcomer.username, "role": "viewer"})
    assert response.status_code == 302
    assert OrganisationMember.objects.get(user=newcomer).organisation == p.acme
    client.post(_url("member_set", p.acme.pk), {"user": newcomer.username, "role": "contracts"})
    assert OrganisationMember.objects.get(user=newcomer).role == "contracts"
    unknown = client.post(_url("member_set", p.acme.pk), {"user": "nobody-here", "role": "viewer"})
    assert unknown.status_code == 200 and "No user has this username" in _html(unknown)
    elsewhere = client.post(_url("member_set", p.acme.pk), {"user": p.crux_exec.username, "role": "viewer"})
    assert elsewhere.status_code == 200 and "works for Crux Research" in _html(elsewhere)
    member = OrganisationMember.objects.get(user=p.acme_viewer)
    response = client.post(_url("member_remove", p.acme.pk, member.pk), {"reason": "Left the company."})
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    own = OrganisationMember.objects.get(user=p.acme_admin)
    refused = client.post(_url("member_remove", p.acme.pk, own.pk), {"reason": "Leaving."})
    assert refused.status_code == 200 and "cannot remove yourself" in _html(refused)
    crux_member = OrganisationMember.objects.get(user=p.crux_viewer)
    assert client.post(_url("member_remove", p.acme.pk, crux_member.pk), {"reason": "x"}).status_code == 404
    assert client.post(_url("member_set", p.crux.pk), {"user": "acme-viewer", "role": "viewer"}).status_code == 404


def test_a_system_administrator_assigns_a_study_to_a_sponsor(partners, world, client):
    p = partners
    client.force_login(p.acme_admin)
    assert client.post(_url("study_assign", p.acme.pk), {"study": world.other_study.pk}).status_code == 403
    client.force_login(world.admin)
    response = client.post(_url("study_assign", p.acme.pk), {"study": world.other_study.pk, "reason": "Licensed in."})
    assert response.status_code == 302
    world.other_study.refresh_from_db()
    assert world.other_study.sponsor_organisation == p.acme
    assert client.post(_url("study_assign", p.crux.pk), {"study": world.study.pk}).status_code == 404


def test_assigning_a_study_is_refused_while_another_sponsors_people_hold_memberships(partners, world, client):
    from opencro.accounts import services as account_services

    p = partners
    account_services.membership_grant(actor=world.admin, user=p.acme_viewer, study=world.study, role_code="auditor")
    client.force_login(world.admin)
    refused = client.post(_url("study_assign", p.borealis.pk), {"study": world.study.pk})
    assert refused.status_code == 200 and "Revoke the memberships" in _html(refused)
    world.study.refresh_from_db()
    assert world.study.sponsor_organisation == p.acme


# Agreements


def test_a_drafter_drafts_an_agreement_with_a_counterparty(partners, client):
    p = partners
    client.force_login(p.acme_contracts)
    html = _html(client.get(_url("agreement_new")))
    assert 'data-testid="agreement-form"' in html and "Delta Trials" in html and "Borealis Bio" not in html
    data = {"counterparty": p.delta.pk, "title": "Phase II services", "effective_on": "2026-02-01"}
    data |= {"currency": "gbp", "payment_terms_days": 45}
    response = client.post(_url("agreement_new"), data)
    created = MasterServicesAgreement.objects.get(cro=p.delta)
    assert response.status_code == 302 and response["Location"] == _url("agreement", created.pk)
    assert (created.sponsor, created.currency, created.payment_terms_days) == (p.acme, "GBP", 45)
    refused = client.post(_url("agreement_new"), data | {"expires_on": "2025-01-01"})
    assert refused.status_code == 200 and "cannot expire before it takes effect" in _html(refused)
    client.force_login(p.acme_viewer)
    assert client.get(_url("agreement_new")).status_code == 403
    assert client.post(_url("agreement_new"), data).status_code == 403


def test_the_agreement_page_shows_terms_signatures_and_work_orders(partners, client):
    p = partners
    client.force_login(p.acme_viewer)
    html = _html(client.get(_url("agreement", p.msa.pk)))
    assert 'data-testid="agreement-terms"' in html and "Crux Research" in html and "Acme Pharma" in html
    assert p.acme_exec.printed_name in html and p.crux_exec.printed_name in html
    assert p.work_order.number in html and 'data-testid="sign-form"' not in html
    assert 'data-testid="terminate-form"' not in html and 'data-testid="agreement-edit"' not in html
    client.force_login(p.acme_exec)
    assert 'data-testid="terminate-form"' in _html(client.get(_url("agreement", p.msa.pk)))


@pytest.mark.parametrize("who", ["borealis_contracts", "borealis_exec", "delta_exec", "delta_viewer"])
def test_another_organisation_gets_404_on_every_agreement_page(partners, client, who):
    p = partners
    client.force_login(getattr(p, who))
    pk = p.msa.pk
    for name in ("agreement", "agreement_edit", "work_order_new"):
        assert client.get(_url(name, pk)).status_code == 404
    for name in ("agreement_edit", "agreement_sign", "agreement_terminate", "work_order_new"):
        assert client.post(_url(name, pk), {"password": PASSWORD, "title": "x"}).status_code == 404


def test_a_draft_is_edited_then_signed_by_both(partners, client):
    p = partners
    draft = agreements.agreement_create(actor=p.acme_contracts, counterparty=p.crux, title="Draft", effective_on=START)
    client.force_login(p.crux_contracts)
    page = _html(client.get(_url("agreement", draft.pk)))
    assert 'data-testid="agreement-edit"' in page and 'data-testid="sign-form"' not in page
    form = _html(client.get(_url("agreement_edit", draft.pk)))
    assert 'value="Draft"' in form
    data = {"title": "Phase I services", "effective_on": "2026-03-01", "currency": "chf", "payment_terms_days": 60}
    assert client.post(_url("agreement_edit", draft.pk), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.currency) == ("Phase I services", "CHF")
    client.force_login(p.crux_exec)
    assert 'data-testid="sign-form"' in _html(client.get(_url("agreement", draft.pk)))
    assert client.post(_url("agreement_sign", draft.pk), {"password": PASSWORD}).status_code == 302
    client.force_login(p.crux_contracts)
    assert 'data-testid="agreement-edit"' not in _html(client.get(_url("agreement", draft.pk)))  # signed by one
    client.force_login(p.acme_exec)
    assert client.post(_url("agreement_sign", draft.pk), {"password": PASSWORD}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.ACTIVE and draft.sponsor_signed_by == p.acme_exec


def test_a_signed_agreement_is_not_edited(partners, client):
    p = partners
    client.force_login(p.crux_contracts)
    data = {"title": "Changed", "effective_on": "2026-01-01", "currency": "USD", "payment_terms_days": 30}
    refused = client.post(_url("agreement_edit", p.msa.pk), data)
    assert refused.status_code == 200 and "A signed agreement is not edited" in _html(refused)
    p.msa.refresh_from_db()
    assert p.msa.title == "Clinical services"


def test_a_wrong_password_signs_nothing(partners, client):
    p = partners
    draft = agreements.agreement_create(actor=p.acme_contracts, counterparty=p.crux, title="Draft", effective_on=START)
    client.force_login(p.acme_exec)
    response = client.post(_url("agreement_sign", draft.pk), {"password": "not the password"})
    assert response.status_code == 200 and "password is not correct" in _html(response)
    draft.refresh_from_db()
    assert draft.sponsor_signed_at is None
    response = client.post(_url("work_order_sign", p.work_order.pk), {"password": "wrong again"})
    assert response.status_code == 200
    p.work_order.refresh_from_db()
    assert p.work_order.sponsor_signed_at is None


def test_only_a_signatory_signs_and_terminates(partners, client):
    p = partners
    for who in (p.acme_contracts, p.acme_viewer):
        client.force_login(who)
        assert client.post(_url("agreement_sign", p.msa.pk), {"password": PASSWORD}).status_code == 403
        reason = {"terminated_on": "2029-01-01", "reason": "Programme stopped."}
        assert client.post(_url("agreement_terminate", p.msa.pk), reason).status_code == 403


def test_terminating_an_agreement(partners, client):
    p = partners
    client.force_login(p.acme_exec)
    short = client.post(_url("agreement_terminate", p.msa.pk), {"terminated_on": "2029-01-01", "reason": "No."})
    assert short.status_code == 200 and "Give a reason of at least" in _html(short)
    data = {"terminated_on": "2029-01-01", "reason": "Programme stopped."}
    assert client.post(_url("agreement_terminate", p.msa.pk), data).status_code == 302
    p.msa.refresh_from_db()
    assert p.msa.status == AgreementStatus.TERMINATED and p.msa.terminated_on == dt.date(2029, 1, 1)


# Work orders


def test_drafting_a_work_order_under_an_agreement(partners, world, client):
    p = partners
    client.force_login(p.acme_contracts)
    html = _html(client.get(_url("work_order_new", p.msa.pk)))
    assert 'data-testid="work-order-form"' in html and world.study.protocol_number in html
    assert world.other_study.protocol_number not in html and 'value="biostatistics"' in html
    data = {"study": world.study.pk, "title": "Statistics", "services": ["biostatistics", "safety"]}
    data |= {"value": "5000.5", "start_on": "2026-02-01", "end_on": "2027-01-31"}
    response = client.post(_url("work_order_new", p.msa.pk), data)
    created = WorkOrder.objects.get(agreement=p.msa, number="WO-002")
    assert response.status_code == 302 and response["Location"] == _url("work_order", created.pk)
    assert created.services == ["biostatistics", "safety"] and created.value == Decimal("5000.50")
    refused = client.post(_url("work_order_new", p.msa.pk), data | {"end_on": "2025-01-01"})
    assert refused.status_code == 200 and "cannot end before it starts" in _html(refused)
    client.force_login(p.acme_exec)
    assert client.post(_url("work_order_new", p.msa.pk), data).status_code == 403


def test_the_work_order_page_shows_the_matrix_and_the_steps_allowed(partners, client):
    p = partners
    client.force_login(p.acme_viewer)
    html = _html(client.get(_url("work_order", p.work_order.pk)))
    assert 'data-testid="responsibility-matrix"' in html and "1,200,000.00 USD" in html
    assert "Monitoring, Data management" in html and "3.11.4" in html and "Transferred to the CRO" in html
    assert 'data-testid="matrix-form"' not in html and 'data-testid="sign-form"' not in html
    client.force_login(p.crux_contracts)
    html = _html(client.get(_url("work_order", p.work_order.pk)))
    assert 'data-testid="matrix-form"' in html and 'data-testid="cancel-form"' in html
    assert 'data-testid="work-order-edit"' in html
    client.force_login(p.crux_exec)
    html = _html(client.get(_url("work_order", p.work_order.pk)))
    assert 'data-testid="sign-form"' in html and 'data-testid="close-form"' not in html


@pytest.mark.parametrize("who", ["borealis_contracts", "delta_exec", "delta_contracts"])
def test_another_organisation_gets_404_on_every_work_order_page(partners, client, who):
    p = partners
    change = _change(p)
    client.force_login(getattr(p, who))
    pk = p.work_order.pk
    for name in ("work_order", "work_order_edit", "change_order_new"):
        assert client.get(_url(name, pk)).status_code == 404
    for name in ("work_order_edit", "responsibilities", "work_order_sign", "work_order_cancel", "work_order_close"):
        assert client.post(_url(name, pk), {"password": PASSWORD, "reason": "Some long reason."}).status_code == 404
    assert client.post(_url("change_order_new", pk), {"title": "x"}).status_code == 404
    assert client.get(_url("change_order", pk, change.pk)).status_code == 404
    for name in ("change_order_sign", "change_order_reject", "change_order_withdraw"):
        assert (
            client.post(_url(name, pk, change.pk), {"password": PASSWORD, "reason": "Long enough."}).status_code == 404
        )


def test_editing_a_draft_work_order(partners, client):
    p = partners
    client.force_login(p.acme_contracts)
    assert 'value="T-001 monitoring and data management"' in _html(client.get(_url("work_order_edit", p.work_order.pk)))
    data = {"title": "Monitoring only", "services": ["monitoring"], "value": "900000"}
    data |= {"start_on": "2026-01-01", "end_on": "2028-12-31"}
    assert client.post(_url("work_order_edit", p.work_order.pk), data).status_code == 302
    p.work_order.refresh_from_db()
    assert (p.work_order.title, p.work_order.services) == ("Monitoring only", ["monitoring"])
    client.force_login(p.acme_viewer)
    assert client.post(_url("work_order_edit", p.work_order.pk), data).status_code == 403


def test_the_matrix_is_saved_as_one_form(partners, client):
    p = partners
    client.force_login(p.acme_contracts)
    note = "CRO prepares the dossiers; the sponsor submits them."
    data = _matrix_post(p, submissions=("shared", note), statistics=("cro", ""))
    assert client.post(_url("responsibilities", p.work_order.pk), data).status_code == 302
    rows = dict(Responsibility.objects.filter(work_order=p.work_order).values_list("duty", "party"))
    assert (rows["submissions"], rows["statistics"]) == (Party.SHARED, Party.CRO)
    assert Responsibility.objects.get(work_order=p.work_order, duty="submissions").note == note


def test_one_refused_row_changes_no_row(partners, client):
    p = partners
    client.force_login(p.acme_contracts)
    data = _matrix_post(p, statistics=("cro", ""), oversight=("cro", ""), insurance=("shared", ""))
    response = client.post(_url("responsibilities", p.work_order.pk), data)
    html = _html(response)
    assert response.status_code == 200 and "stays with the sponsor" in html and "Write how a shared duty" in html
    oversight_row = html.split('data-duty="oversight"')[1].split("</tr>")[0]
    assert "stays with the sponsor" in oversight_row
    rows = dict(Responsibility.objects.filter(work_order=p.work_order).values_list("duty", "party"))
    assert rows["statistics"] == rows["oversight"] == rows["insurance"] == Party.SPONSOR
    assert len(rows) == len(DUTIES)


def test_the_matrix_of_a_signed_work_order_is_not_edited(partners, client):
    p = partners
    signing.contract_sign(actor=p.acme_exec, record=p.work_order, password=PASSWORD)
    client.force_login(p.acme_contracts)
    html = _html(client.get(_url("work_order", p.work_order.pk)))
    assert 'data-testid="matrix-form"' not in html
    response = client.post(_url("responsibilities", p.work_order.pk), _matrix_post(p, statistics=("cro", "")))
    assert response.status_code == 200 and "change order" in _html(response)
    client.force_login(p.acme_viewer)
    assert client.post(_url("responsibilities", p.work_order.pk), _matrix_post(p)).status_code == 403


def test_signing_cancelling_and_closing_work_orders(partners, client):
    p = partners
    client.force_login(p.crux_exec)
    assert client.post(_url("work_order_sign", p.work_order.pk), {"password": PASSWORD}).status_code == 302
    client.force_login(p.acme_exec)
    assert client.post(_url("work_order_sign", p.work_order.pk), {"password": PASSWORD}).status_code == 302
    p.work_order.refresh_from_db()
    assert p.work_order.status == WorkOrderStatus.EXECUTED
    client.force_login(p.crux_contracts)
    refused = client.post(_url("work_order_cancel", p.work_order.pk), {"reason": "Study stopped early."})
    assert refused.status_code == 200 and "Only a draft is cancelled" in _html(refused)
    client.force_login(p.crux_viewer)
    assert client.post(_url("work_order_close", p.work_order.pk), {"reason": "All delivered."}).status_code == 403
    client.force_login(p.crux_exec)
    assert (
        client.post(_url("work_order_close", p.work_order.pk), {"reason": "All services delivered."}).status_code == 302
    )
    p.work_order.refresh_from_db()
    assert p.work_order.status == WorkOrderStatus.CLOSED


def test_cancelling_a_draft(partners, client):
    p = partners
    client.force_login(p.acme_contracts)
    short = client.post(_url("work_order_cancel", p.work_order.pk), {"reason": "No."})
    assert short.status_code == 200 and "Give a reason" in _html(short)
    assert (
        client.post(_url("work_order_cancel", p.work_order.pk), {"reason": "Study stopped early."}).status_code == 302
    )
    p.work_order.refresh_from_db()
    assert p.work_order.status == WorkOrderStatus.CANCELLED
    client.force_login(p.acme_exec)
    assert client.post(_url("work_order_cancel", p.work_order.pk), {"reason": "Study stopped."}).status_code == 403


# Change orders


def test_proposing_a_change_order(partners, client):
    p = partners
    _executed(p)
    client.force_login(p.acme_contracts)
    html = _html(client.get(_url("change_order_new", p.work_order.pk)))
    assert 'data-testid="change-order-form"' in html and 'data-testid="co-duty-statistics"' in html
    data = {"title": "Statistics too", "reason": "The sponsor's team is full.", "value_change": "150000.00"}
    data |= {"new_end_on": "2029-06-30", "services_added": ["biostatistics"], "duty_statistics": "cro"}
    response = client.post(_url("change_order_new", p.work_order.pk), data)
    change = ChangeOrder.objects.get(work_order=p.work_order)
    assert response.status_code == 302 and response["Location"] == _url("change_order", p.work_order.pk, change.pk)
    assert change.duties == {"statistics": "cro"} and change.services_added == ["biostatistics"]
    assert change.proposing_party == Party.SPONSOR and change.value_change == Decimal("150000.00")
    refused = client.post(_url("change_order_new", p.work_order.pk), data | {"services_added": ["monitoring"]})
    assert refused.status_code == 200 and "already holds these services" in _html(refused)
    oversight = client.post(_url("change_order_new", p.work_order.pk), data | {"duty_oversight": "cro"})
    assert oversight.status_code == 200 and "stays with the sponsor" in _html(oversight)
    assert ChangeOrder.objects.count() == 1
    client.force_login(p.acme_viewer)
    assert client.post(_url("change_order_new", p.work_order.pk), data).status_code == 403


def test_a_draft_work_order_takes_no_change_order(partners, client):
    p = partners
    client.force_login(p.acme_contracts)
    data = {"title": "x", "reason": "More sites are needed.", "value_change": "1"}
    refused = client.post(_url("change_order_new", p.work_order.pk), data)
    assert refused.status_code == 200 and "Only an executed work order" in _html(refused)


def test_a_change_order_is_signed_by_both_and_applied(partners, client):
    p = partners
    change = _change(p)
    client.force_login(p.acme_viewer)
    html = _html(client.get(_url("change_order", p.work_order.pk, change.pk)))
    assert 'data-testid="change-order-facts"' in html and "250,000.00 USD" in html and "sign-form" not in html
    client.force_login(p.crux_exec)
    html = _html(client.get(_url("change_order", p.work_order.pk, change.pk)))
    assert 'data-testid="sign-form"' in html and 'data-testid="reject-form"' not in html
    assert client.post(_url("change_order_sign", p.work_order.pk, change.pk), {"password": PASSWORD}).status_code == 302
    client.force_login(p.acme_exec)
    wrong = client.post(_url("change_order_sign", p.work_order.pk, change.pk), {"password": "wrong"})
    assert wrong.status_code == 200
    change.refresh_from_db()
    assert change.sponsor_signed_at is None
    assert client.post(_url("change_order_sign", p.work_order.pk, change.pk), {"password": PASSWORD}).status_code == 302
    change.refresh_from_db()
    p.work_order.refresh_from_db()
    assert change.status == ChangeOrderStatus.APPROVED and p.work_order.value == Decimal("1450000.00")


def test_the_other_party_rejects_and_the_proposer_withdraws(partners, client):
    p = partners
    change = _change(p)
    url = _url("change_order_reject", p.work_order.pk, change.pk)
    client.force_login(p.crux_exec)
    refused = client.post(url, {"reason": "Not needed after all."})
    assert refused.status_code == 200 and "The other party rejects" in _html(refused)
    client.force_login(p.acme_contracts)
    assert client.post(url, {"reason": "Not in the budget."}).status_code == 403
    withdraw = _url("change_order_withdraw", p.work_order.pk, change.pk)
    refused = client.post(withdraw, {"reason": "Not ours to take back."})
    assert refused.status_code == 200 and "The proposing party withdraws" in _html(refused)
    client.force_login(p.acme_exec)
    assert client.post(url, {"reason": "Not in the budget."}).status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeOrderStatus.REJECTED
    second = change_orders.change_order_propose(
        actor=p.crux_contracts, work_order=p.work_order, title="Again", reason="Scope grows again.", value_change=1
    )
    client.force_login(p.crux_contracts)
    html = _html(client.get(_url("change_order", p.work_order.pk, second.pk)))
    assert 'data-testid="withdraw-form"' in html
    withdraw = _url("change_order_withdraw", p.work_order.pk, second.pk)
    assert client.post(withdraw, {"reason": "Replaced by a later one."}).status_code == 302
    second.refresh_from_db()
    assert second.status == ChangeOrderStatus.WITHDRAWN


def test_a_change_order_of_another_work_order_is_404(partners, client):
    p = partners
    change = _change(p)
    other = WorkOrder.objects.exclude(pk=p.work_order.pk).first()
    assert other is None  # only one work order: an unknown change order id is a 404 too
    client.force_login(p.acme_viewer)
    assert client.get(_url("change_order", p.work_order.pk, change.pk + 1000)).status_code == 404


def test_every_page_needs_a_login(partners, client):
    response = client.get(_url("agreement", partners.msa.pk))
    assert response.status_code == 302 and "login" in response["Location"]
