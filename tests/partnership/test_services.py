"""Partnership writes: agreements, work orders and their responsibility matrix, change orders, two-party signing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.signatures import signatures_for
from opencro.partnership.catalogue import DUTIES, Party
from opencro.partnership.models import AgreementStatus, ChangeOrderStatus
from opencro.partnership.selectors import responsibility_matrix
from opencro.partnership.services import agreements, change_orders, signing, work_orders
from tests.conftest import PASSWORD
from tests.partnership.conftest import START

pytestmark = pytest.mark.django_db


def _executed(p):
    signing.contract_sign(actor=p.crux_exec, record=p.work_order, password=PASSWORD)
    return signing.contract_sign(actor=p.acme_exec, record=p.work_order, password=PASSWORD)


def test_an_agreement_is_numbered_per_cro_and_comes_into_force_when_both_parties_sign(partners):
    p = partners
    assert p.msa.number == "MSA-0001" and p.msa.status == AgreementStatus.ACTIVE
    assert (p.msa.sponsor, p.msa.cro, p.msa.currency) == (p.acme, p.crux, "USD")
    assert p.msa.sponsor_signed_by == p.acme_exec and p.msa.cro_signed_by == p.crux_exec
    assert [s.meaning for s in signatures_for(p.msa)] == ["approve", "approve"]
    second = agreements.agreement_create(
        actor=p.acme_contracts, counterparty=p.crux, title="Phase I services", effective_on=START
    )
    assert (second.number, second.sponsor, second.cro, second.status) == ("MSA-0002", p.acme, p.crux, "draft")
    other = agreements.agreement_create(actor=p.delta_contracts, counterparty=p.acme, title="x", effective_on=START)
    assert other.number == "MSA-0001"  # Delta's own numbering


def test_an_agreement_is_made_with_an_organisation_of_the_other_kind(partners):
    with pytest.raises(ValidationError) as raised:
        agreements.agreement_create(
            actor=partners.acme_contracts, counterparty=partners.borealis, title="x", effective_on=START
        )
    assert "counterparty" in raised.value.message_dict


@pytest.mark.parametrize("who", ["acme_exec", "acme_viewer", "borealis_contracts", "outsider"])
def test_only_a_drafter_of_an_organisation_drafts(partners, world, who):
    actor = world.outsider if who == "outsider" else getattr(partners, who)
    with pytest.raises(PermissionDenied):
        if who == "borealis_contracts":  # not a party to the agreement
            agreements.agreement_edit(actor=actor, agreement=partners.msa, title="Changed")
        else:
            agreements.agreement_create(actor=actor, counterparty=partners.crux, title="x", effective_on=START)


def test_the_drafter_does_not_sign_and_a_party_signs_once(partners):
    p = partners
    with pytest.raises(PermissionDenied):
        signing.contract_sign(actor=p.crux_contracts, record=p.work_order, password=PASSWORD)
    signing.contract_sign(actor=p.crux_exec, record=p.work_order, password=PASSWORD)
    with pytest.raises(ValidationError, match="already signed"):
        signing.contract_sign(actor=p.crux_exec, record=p.work_order, password=PASSWORD)


def test_a_wrong_password_signs_nothing(partners):
    p = partners
    with pytest.raises(PermissionDenied):
        signing.contract_sign(actor=p.crux_exec, record=p.work_order, password="not the password")
    p.work_order.refresh_from_db()
    assert p.work_order.cro_signed_at is None
    assert not signatures_for(p.work_order)
    p.crux_exec.refresh_from_db()
    assert p.crux_exec.failed_logins == 1  # counted towards the lockout


def test_a_signed_draft_is_not_edited(partners):
    p = partners
    signing.contract_sign(actor=p.acme_exec, record=p.work_order, password=PASSWORD)
    with pytest.raises(ValidationError, match="change order"):
        work_orders.work_order_edit(actor=p.crux_contracts, work_order=p.work_order, title="Changed")
    with pytest.raises(ValidationError, match="signed agreement"):
        agreements.agreement_edit(actor=p.crux_contracts, agreement=p.msa, title="Changed")


def test_a_work_order_needs_the_agreement_in_force(partners):
    p = partners
    draft = agreements.agreement_create(actor=p.acme_contracts, counterparty=p.crux, title="y", effective_on=START)
    with pytest.raises(ValidationError, match="agreement in force"):  # the CRO would learn the sponsor's studies
        work_orders.work_order_create(
            actor=p.acme_contracts,
            agreement=draft,
            study=p.work_order.study,
            title="Statistics",
            services=["biostatistics"],
            value=Decimal(1000),
            start_on=START,
            end_on=START,
        )
    signing.contract_sign(actor=p.acme_exec, record=p.work_order, password=PASSWORD)
    agreements.agreement_terminate(actor=p.acme_exec, agreement=p.msa, terminated_on=START, reason="Programme ended.")
    with pytest.raises(ValidationError, match="in force"):  # a draft left under a terminated agreement
        signing.contract_sign(actor=p.crux_exec, record=p.work_order, password=PASSWORD)


def test_a_work_order_covers_one_of_the_sponsors_studies(partners, world):
    with pytest.raises(ValidationError) as raised:
        work_orders.work_order_create(
            actor=partners.crux_contracts,
            agreement=partners.msa,
            study=world.other_study,  # Borealis's
            title="x",
            services=[],
            value=Decimal(0),
            start_on=START,
            end_on=START,
        )
    assert "study" in raised.value.message_dict


def test_the_matrix_transfers_the_duties_of_the_services_bought_and_retains_the_rest(partners):
    matrix = {row.duty.code: row.party for row in responsibility_matrix(partners.work_order)}
    assert len(matrix) == len(DUTIES)
    assert matrix["monitoring"] == matrix["data_handling"] == matrix["quality_management"] == Party.CRO
    assert matrix["statistics"] == matrix["safety_reporting"] == matrix["oversight"] == Party.SPONSOR


def test_oversight_stays_with_the_sponsor_and_a_shared_duty_says_how(partners):
    p = partners
    with pytest.raises(ValidationError) as raised:
        work_orders.responsibility_set(actor=p.acme_contracts, work_order=p.work_order, duty="oversight", party="cro")
    assert "party" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        work_orders.responsibility_set(
            actor=p.acme_contracts, work_order=p.work_order, duty="submissions", party="shared"
        )
    assert "note" in raised.value.message_dict
    row = work_orders.responsibility_set(
        actor=p.acme_contracts,
        work_order=p.work_order,
        duty="submissions",
        party="shared",
        note="CRO prepares the dossiers; the sponsor submits them.",
    )
    assert row.party == Party.SHARED


def test_a_change_order_applies_when_both_sign(partners):
    p = partners
    with pytest.raises(ValidationError, match="executed"):
        change_orders.change_order_propose(
            actor=p.crux_contracts, work_order=p.work_order, title="x", reason="More sites needed.", value_change=1
        )
    _executed(p)
    change = change_orders.change_order_propose(
        actor=p.crux_contracts,
        work_order=p.work_order,
        title="Ten more sites",
        reason="Recruitment is slower than planned.",
        value_change=Decimal("250000.00"),
        new_end_on=dt.date(2029, 6, 30),
        services_added=["biostatistics"],
        services_removed=["data_management"],
        duties={"statistics": "cro", "data_handling": "sponsor"},
    )
    assert (change.number, change.proposing_party) == ("CO-01", Party.CRO)
    signing.contract_sign(actor=p.crux_exec, record=change, password=PASSWORD)
    p.work_order.refresh_from_db()
    assert p.work_order.value == Decimal("1200000.00")  # nothing changes on one signature
    change = signing.contract_sign(actor=p.acme_exec, record=change, password=PASSWORD)
    assert change.status == ChangeOrderStatus.APPROVED
    p.work_order.refresh_from_db()
    assert p.work_order.value == Decimal("1450000.00")
    assert p.work_order.end_on == dt.date(2029, 6, 30)
    assert p.work_order.services == ["monitoring", "biostatistics"]
    matrix = {row.duty.code: row.party for row in responsibility_matrix(p.work_order)}
    assert (matrix["statistics"], matrix["data_handling"]) == (Party.CRO, Party.SPONSOR)


def test_the_other_party_rejects_and_the_proposer_withdraws(partners):
    p = partners
    _executed(p)

    def propose(n):
        return change_orders.change_order_propose(
            actor=p.crux_contracts,
            work_order=p.work_order,
            title=f"Change {n}",
            reason="Scope grows again.",
            value_change=n,
        )

    first, second = propose(1), propose(2)
    with pytest.raises(ValidationError, match="other party"):
        change_orders.change_order_reject(actor=p.crux_exec, change=first, reason="Not needed after all.")
    rejected = change_orders.change_order_reject(actor=p.acme_exec, change=first, reason="Not in the budget.")
    assert rejected.status == ChangeOrderStatus.REJECTED
    with pytest.raises(ValidationError, match="proposing party"):
        change_orders.change_order_withdraw(actor=p.acme_contracts, change=second, reason="Not ours to take back.")
    withdrawn = change_orders.change_order_withdraw(actor=p.crux_contracts, change=second, reason="Replaced by CO-03.")
    assert withdrawn.status == ChangeOrderStatus.WITHDRAWN
    with pytest.raises(ValidationError, match="Only a draft or a proposal"):
        signing.contract_sign(actor=p.acme_exec, record=withdrawn, password=PASSWORD)


def test_closing_and_terminating(partners):
    p = partners
    _executed(p)
    with pytest.raises(ValidationError, match="Close its executed work orders"):
        agreements.agreement_terminate(
            actor=p.acme_exec, agreement=p.msa, terminated_on=dt.date(2029, 1, 1), reason="Programme stopped."
        )
    with pytest.raises(ValidationError, match="Only a draft"):
        work_orders.work_order_cancel(actor=p.crux_contracts, work_order=p.work_order, reason="Study stopped early.")
    work_orders.work_order_close(actor=p.crux_exec, work_order=p.work_order, reason="All services delivered.")
    ended = agreements.agreement_terminate(
        actor=p.acme_exec, agreement=p.msa, terminated_on=dt.date(2029, 1, 1), reason="Programme stopped."
    )
    assert ended.status == AgreementStatus.TERMINATED
    with pytest.raises(ValidationError, match="agreement in force"):
        work_orders.work_order_create(
            actor=p.crux_contracts,
            agreement=ended,
            study=p.work_order.study,
            title="x",
            services=[],
            value=Decimal(0),
            start_on=START,
            end_on=START,
        )
