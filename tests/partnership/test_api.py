"""Partnership API as a client uses it: organisations and members, a study's sponsor, agreements, work orders with
their matrix, change orders; 422 with errors under fields; 404 outside the caller's organisation, 403 without the
organisation permission."""

from decimal import Decimal

import pytest

from opencro.accounts.models import Organisation, OrganisationMember
from opencro.accounts.signatures import signatures_for
from opencro.partnership.catalogue import DUTIES
from opencro.partnership.models import ChangeOrder, MasterServicesAgreement, Responsibility, WorkOrder
from opencro.partnership.services import change_orders, signing
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

API = "/api/v1/partners"
REASON = "A reason long enough to be kept."


def _as(client, user):
    client.force_login(user)
    return client


def _call(client, method: str, url: str, body: dict | None = None):
    send = getattr(client, method)
    if body is None:
        return send(API + url)
    return send(API + url, body, content_type="application/json")


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def _errors(response) -> list[str]:
    assert response.status_code == 422, response.content
    return sorted(response.json()["errors"])


def _executed(p) -> ChangeOrder:
    """Execute the draft work order and have Crux propose a change order to it."""
    signing.contract_sign(actor=p.crux_exec, record=p.work_order, password=PASSWORD)
    signing.contract_sign(actor=p.acme_exec, record=p.work_order, password=PASSWORD)
    return change_orders.change_order_propose(
        actor=p.crux_contracts, work_order=p.work_order, title="More sites", reason=REASON, value_change=Decimal(100)
    )


def _work_order_body(study_id: int, **values) -> dict:
    return {
        "study_id": study_id,
        "title": "T-001 statistics",
        "services": ["biostatistics"],
        "value": "5000.50",
        "start_on": "2026-02-01",
        "end_on": "2027-01-31",
        **values,
    }


def _routes(p, change: ChangeOrder) -> list[tuple[str, str, dict | None]]:
    """Every operation on an agreement, a work order or a change order, with a body that would succeed."""
    a, w, c = p.msa.pk, p.work_order.pk, change.pk
    reason = {"reason": REASON}
    password = {"password": PASSWORD}
    return [
        ("get", f"/agreements/{a}", None),
        ("patch", f"/agreements/{a}", {"title": "Changed"}),
        ("post", f"/agreements/{a}/sign", password),
        ("post", f"/agreements/{a}/terminate", {"terminated_on": "2029-01-01", **reason}),
        ("get", f"/agreements/{a}/work-orders", None),
        ("post", f"/agreements/{a}/work-orders", _work_order_body(p.work_order.study_id)),
        ("get", f"/work-orders/{w}", None),
        ("patch", f"/work-orders/{w}", {"title": "Changed"}),
        ("put", f"/work-orders/{w}/responsibilities/monitoring", {"party": "sponsor"}),
        ("post", f"/work-orders/{w}/sign", password),
        ("post", f"/work-orders/{w}/cancel", reason),
        ("post", f"/work-orders/{w}/close", reason),
        ("get", f"/work-orders/{w}/change-orders", None),
        ("post", f"/work-orders/{w}/change-orders", {"title": "x", "value_change": "1.00", **reason}),
        ("get", f"/work-orders/{w}/change-orders/{c}", None),
        ("post", f"/work-orders/{w}/change-orders/{c}/sign", password),
        ("post", f"/work-orders/{w}/change-orders/{c}/reject", reason),
        ("post", f"/work-orders/{w}/change-orders/{c}/withdraw", reason),
    ]


# organisations, members, sponsors


def test_own_organisation(partners, world, client):
    body = _ok(_call(_as(client, partners.acme_exec), "get", "/organisation"))
    assert body["organisation"]["code"] == "acme" and body["organisation"]["kind"] == "sponsor"
    assert (body["role"], body["permissions"]) == ("executive", ["contract.sign", "org.view"])
    assert _call(_as(client, world.outsider), "get", "/organisation").status_code == 404


def test_organisations_are_listed_and_created_by_system_administrators(partners, world, client):
    admin = _as(client, world.admin)
    assert [o["code"] for o in _ok(_call(admin, "get", "/organisations"))] == ["acme", "borealis", "crux", "delta"]
    body = {"code": "Echo", "name": "Echo Research", "kind": "cro", "country": "it"}
    created = _ok(_call(admin, "post", "/organisations", body), 201)
    assert (created["code"], created["country"], created["kind"]) == ("echo", "IT", "cro")
    assert Organisation.objects.filter(code="echo", name="Echo Research").exists()
    assert _errors(_call(admin, "post", "/organisations", {**body, "name": "Other"})) == ["code"]
    assert _call(admin, "post", "/organisations", {**body, "kind": "hospital"}).status_code == 422
    for who in (partners.acme_admin, partners.crux_exec, world.outsider):
        api = _as(client, who)
        assert _call(api, "get", "/organisations").status_code == 403
        assert _call(api, "post", "/organisations", {**body, "code": "foxtrot", "name": "F"}).status_code == 403
    assert not Organisation.objects.filter(code="foxtrot").exists()


def test_an_organisation_administrator_manages_its_members(partners, client):
    p = partners
    url = f"/organisations/{p.acme.pk}/members"
    api = _as(client, p.acme_admin)
    assert {m["username"] for m in _ok(_call(api, "get", url))} == {
        "acme-admin",
        "acme-contracts",
        "acme-exec",
        "acme-lead",
        "acme-viewer",
    }
    newcomer = make_user("newcomer")
    placed = _ok(_call(api, "post", url, {"username": "newcomer", "role": "viewer"}), 201)
    assert (placed["user_id"], placed["role"], placed["is_active"]) == (newcomer.pk, "viewer", True)
    promoted = _ok(_call(api, "post", url, {"username": "newcomer", "role": "contracts", "reason": REASON}))
    assert promoted["role"] == "contracts" and OrganisationMember.objects.get(user=newcomer).role == "contracts"
    assert _errors(_call(api, "post", url, {"username": "borealis-viewer", "role": "viewer"})) == ["username"]
    assert _errors(_call(api, "post", url, {"username": "nobody", "role": "viewer"})) == ["username"]
    assert _call(api, "post", url, {"username": "newcomer", "role": "owner"}).status_code == 422
    viewer = OrganisationMember.objects.get(user=p.acme_viewer)
    assert _call(api, "delete", f"{url}/{viewer.pk}?reason=Left+the+company.").status_code == 204
    viewer.refresh_from_db()
    assert not viewer.is_active
    own = OrganisationMember.objects.get(user=p.acme_admin)
    assert _errors(_call(api, "delete", f"{url}/{own.pk}")) == ["member_id"]
    elsewhere = OrganisationMember.objects.get(user=p.borealis_viewer)
    assert _call(api, "delete", f"{url}/{elsewhere.pk}").status_code == 404
    assert OrganisationMember.objects.get(pk=elsewhere.pk).is_active


def test_members_are_hidden_from_all_but_the_administrators(partners, world, client):
    p = partners
    acme, borealis = f"/organisations/{p.acme.pk}/members", f"/organisations/{p.borealis.pk}/members"
    member = OrganisationMember.objects.get(user=p.acme_viewer)
    for who in (p.acme_contracts, p.acme_exec, p.acme_viewer, p.borealis_contracts, p.crux_exec, world.outsider):
        api = _as(client, who)
        assert _call(api, "get", acme).status_code == 404
        assert _call(api, "post", acme, {"username": "crux-viewer", "role": "viewer"}).status_code == 404
        assert _call(api, "delete", f"{acme}/{member.pk}?reason=x").status_code == 404
    assert _call(_as(client, p.acme_admin), "get", borealis).status_code == 404
    assert len(_ok(_call(_as(client, world.admin), "get", borealis))) == 4  # contracts, executive, lead, viewer
    assert OrganisationMember.objects.get(pk=member.pk).is_active


def test_a_studys_sponsor_organisation(partners, world, client):
    p = partners
    url = f"/studies/{world.other_study.pk}/sponsor"
    admin = _as(client, world.admin)
    body = _ok(_call(admin, "put", url, {"organisation_id": p.acme.pk, "reason": REASON}))
    assert (body["sponsor_organisation_id"], body["sponsor_organisation"]) == (p.acme.pk, "Acme Pharma")
    world.other_study.refresh_from_db()
    assert world.other_study.sponsor_organisation_id == p.acme.pk
    assert _errors(_call(admin, "put", url, {"organisation_id": p.crux.pk})) == ["organisation_id"]
    assert _errors(_call(admin, "put", url, {"organisation_id": 987654})) == ["organisation_id"]
    assert _call(admin, "put", "/studies/987654/sponsor", {"organisation_id": None}).status_code == 404
    for who in (world.user("project_manager"), world.outsider):  # system administrators only
        assert (
            _call(_as(client, who), "put", f"/studies/{world.study.pk}/sponsor", {"organisation_id": None}).status_code
            == 403
        )
    world.study.refresh_from_db()
    assert world.study.sponsor_organisation_id == p.acme.pk


def test_the_studies_an_organisation_takes_part_in(partners, world, client):
    p = partners
    for who, expected in ((p.acme_viewer, ["T-001"]), (p.crux_viewer, ["T-001"]), (p.delta_exec, [])):
        assert [s["protocol_number"] for s in _ok(_call(_as(client, who), "get", "/studies"))] == expected
    assert _call(_as(client, world.outsider), "get", "/studies").status_code == 404


# agreements


def test_agreements_list_and_one(partners, client):
    p = partners
    listed = _ok(_call(_as(client, p.crux_viewer), "get", "/agreements?limit=10"))
    assert listed["count"] == 1
    one = listed["items"][0]
    assert (one["number"], one["status"], one["currency"], one["sponsor"]["code"], one["cro"]["code"]) == (
        "MSA-0001",
        "active",
        "USD",
        "acme",
        "crux",
    )
    assert one["sponsor_signature"]["signed_by"] == p.acme_exec.printed_name
    assert one["cro_signature"]["signed_by"] == p.crux_exec.printed_name and one["cro_signature"]["signed_at"]
    assert _ok(_call(_as(client, p.delta_viewer), "get", "/agreements"))["items"] == []
    assert _ok(_call(_as(client, p.acme_viewer), "get", f"/agreements/{p.msa.pk}"))["id"] == p.msa.pk


def test_draft_edit_and_sign_an_agreement(partners, client):
    p = partners
    drafter = _as(client, p.acme_contracts)
    body = {"counterparty_id": p.delta.pk, "title": "Phase I services", "effective_on": "2026-03-01"}
    created = _ok(_call(drafter, "post", "/agreements", {**body, "currency": "gbp", "payment_terms_days": 45}), 201)
    assert (created["number"], created["status"], created["currency"], created["payment_terms_days"]) == (
        "MSA-0001",
        "draft",
        "GBP",
        45,
    )
    assert created["sponsor_signature"] == {"signed_by": None, "signed_at": None}
    one = f"/agreements/{created['id']}"
    edited = _ok(_call(drafter, "patch", one, {"title": "Phase I and II services", "expires_on": "2030-12-31"}))
    assert (edited["title"], edited["expires_on"], edited["effective_on"]) == (
        "Phase I and II services",
        "2030-12-31",
        "2026-03-01",
    )
    assert _errors(_call(drafter, "patch", one, {"expires_on": "2020-01-01"})) == ["expires_on"]
    signed = _ok(_call(_as(client, p.acme_exec), "post", one + "/sign", {"password": PASSWORD}))
    assert signed["sponsor_signature"]["signed_by"] == p.acme_exec.printed_name and signed["status"] == "draft"
    done = _ok(_call(_as(client, p.delta_exec), "post", one + "/sign", {"password": PASSWORD}))
    assert done["status"] == "active"
    assert MasterServicesAgreement.objects.get(pk=created["id"]).status == "active"
    assert _errors(_call(_as(client, p.acme_contracts), "patch", one, {"title": "Too late"})) == ["__all__"]


def test_agreement_refusals_answer_422_under_their_fields(partners, client):
    p = partners
    drafter = _as(client, p.acme_contracts)
    body = {"counterparty_id": p.borealis.pk, "title": "x", "effective_on": "2026-03-01"}
    assert _errors(_call(drafter, "post", "/agreements", body)) == ["counterparty_id"]  # a sponsor, as Acme
    assert _errors(_call(drafter, "post", "/agreements", {**body, "counterparty_id": 987654})) == ["counterparty_id"]
    assert _call(drafter, "post", "/agreements", {**body, "currency": "EURO"}).status_code == 422
    signer = _as(client, p.acme_exec)
    terminate = f"/agreements/{p.msa.pk}/terminate"
    assert _errors(_call(signer, "post", terminate, {"terminated_on": "2029-01-01", "reason": "no"})) == ["reason"]
    early = {"terminated_on": "2020-01-01", "reason": REASON}
    assert _errors(_call(signer, "post", terminate, early)) == ["terminated_on"]


def test_terminate_an_agreement(partners, client):
    p = partners
    ended = _ok(
        _call(
            _as(client, p.crux_exec),
            "post",
            f"/agreements/{p.msa.pk}/terminate",
            {"terminated_on": "2029-01-01", "reason": REASON},
        )
    )
    assert (ended["status"], ended["terminated_on"], ended["termination_reason"]) == (
        "terminated",
        "2029-01-01",
        REASON,
    )
    assert MasterServicesAgreement.objects.get(pk=p.msa.pk).status == "terminated"


def test_a_wrong_password_signs_nothing(partners, client):
    p = partners
    draft = f"/agreements/{p.msa.pk}"
    signer = _as(client, p.crux_exec)
    wrong = {"password": "not the password"}
    assert _call(signer, "post", f"/work-orders/{p.work_order.pk}/sign", wrong).status_code == 403
    p.work_order.refresh_from_db()
    assert p.work_order.cro_signed_at is None and not signatures_for(p.work_order)
    p.crux_exec.refresh_from_db()
    assert p.crux_exec.failed_logins == 1
    assert _ok(_call(signer, "get", draft))["status"] == "active"


# work orders


def test_draft_a_work_order_and_read_its_matrix(partners, world, client):
    p = partners
    drafter = _as(client, p.acme_contracts)
    url = f"/agreements/{p.msa.pk}/work-orders"
    created = _ok(_call(drafter, "post", url, _work_order_body(world.study.pk)), 201)
    assert (created["number"], created["value"], created["currency"], created["services"]) == (
        "WO-002",
        "5000.50",
        "USD",
        ["biostatistics"],
    )
    assert created["study_protocol_number"] == "T-001" and created["agreement_number"] == "MSA-0001"
    assert len(created["responsibilities"]) == len(DUTIES)
    assert [w["number"] for w in _ok(_call(drafter, "get", url))] == ["WO-001", "WO-002"]
    detail = _ok(_call(drafter, "get", f"/work-orders/{created['id']}"))
    matrix = {row["duty"]: row for row in detail["responsibilities"]}
    assert len(matrix) == len(DUTIES) == Responsibility.objects.filter(work_order_id=created["id"]).count()
    assert (matrix["statistics"]["party"], matrix["monitoring"]["party"]) == ("cro", "sponsor")
    assert (matrix["oversight"]["section"], matrix["oversight"]["transferable"]) == ("3.9", False)
    assert matrix["oversight"]["label"] == "Oversight of the trial and of service providers"


def test_work_order_refusals_answer_422_under_their_fields(partners, world, client):
    p = partners
    drafter = _as(client, p.crux_contracts)
    url = f"/agreements/{p.msa.pk}/work-orders"
    assert _errors(_call(drafter, "post", url, _work_order_body(world.other_study.pk))) == ["study_id"]
    assert _errors(_call(drafter, "post", url, _work_order_body(987654))) == ["study_id"]
    assert _errors(_call(drafter, "post", url, _work_order_body(world.study.pk, end_on="2025-01-01"))) == ["end_on"]
    assert _call(drafter, "post", url, _work_order_body(world.study.pk, value="-1")).status_code == 422
    assert _call(drafter, "post", url, _work_order_body(world.study.pk, services=["catering"])).status_code == 422
    assert WorkOrder.objects.filter(agreement=p.msa).count() == 1
    duty = f"/work-orders/{p.work_order.pk}/responsibilities"
    assert _errors(_call(drafter, "put", duty + "/oversight", {"party": "cro"})) == ["party"]
    assert _errors(_call(drafter, "put", duty + "/submissions", {"party": "shared"})) == ["note"]
    assert _errors(_call(drafter, "put", duty + "/no_such_duty", {"party": "cro"})) == ["duty"]
    assert _errors(_call(drafter, "post", f"/work-orders/{p.work_order.pk}/cancel", {"reason": "no"})) == ["reason"]


def test_edit_a_draft_work_order_and_its_matrix(partners, client):
    p = partners
    drafter = _as(client, p.acme_contracts)
    one = f"/work-orders/{p.work_order.pk}"
    edited = _ok(_call(drafter, "patch", one, {"value": "1300000", "services": ["monitoring"], "title": None}))
    assert (edited["value"], edited["services"], edited["title"]) == (
        "1300000.00",
        ["monitoring"],
        "T-001 monitoring and data management",
    )
    shared = {"party": "shared", "note": "The CRO prepares the dossiers; the sponsor submits them."}
    matrix = _ok(_call(drafter, "put", one + "/responsibilities/submissions", shared))["responsibilities"]
    assert {r["duty"]: r["party"] for r in matrix}["submissions"] == "shared"
    row = Responsibility.objects.get(work_order=p.work_order, duty="submissions")
    assert (row.party, row.note) == ("shared", shared["note"])
    p.work_order.refresh_from_db()
    assert p.work_order.value == Decimal("1300000.00")


def test_sign_close_and_cancel_work_orders(partners, world, client):
    p = partners
    one = f"/work-orders/{p.work_order.pk}"
    first = _ok(_call(_as(client, p.crux_exec), "post", one + "/sign", {"password": PASSWORD}))
    assert first["cro_signature"]["signed_by"] == p.crux_exec.printed_name and first["status"] == "draft"
    assert first["sponsor_signature"] == {"signed_by": None, "signed_at": None}
    assert _errors(_call(_as(client, p.acme_contracts), "patch", one, {"title": "Changed"})) == ["__all__"]
    executed = _ok(_call(_as(client, p.acme_exec), "post", one + "/sign", {"password": PASSWORD}))
    assert executed["status"] == "executed"
    closed = _ok(_call(_as(client, p.acme_exec), "post", one + "/close", {"reason": REASON}))
    assert closed["status"] == "closed" and WorkOrder.objects.get(pk=p.work_order.pk).status == "closed"
    drafter = _as(client, p.crux_contracts)
    other = _ok(_call(drafter, "post", f"/agreements/{p.msa.pk}/work-orders", _work_order_body(world.study.pk)), 201)
    cancelled = _ok(_call(drafter, "post", f"/work-orders/{other['id']}/cancel", {"reason": REASON}))
    assert cancelled["status"] == "cancelled" and WorkOrder.objects.get(pk=other["id"]).status == "cancelled"


# change orders


def test_a_change_order_is_proposed_and_applied_when_both_sign(partners, client):
    p = partners
    signing.contract_sign(actor=p.crux_exec, record=p.work_order, password=PASSWORD)
    signing.contract_sign(actor=p.acme_exec, record=p.work_order, password=PASSWORD)
    url = f"/work-orders/{p.work_order.pk}/change-orders"
    body = {
        "title": "Ten more sites",
        "reason": "Recruitment is slower than planned.",
        "value_change": "250000.00",
        "new_end_on": "2029-06-30",
        "services_added": ["biostatistics"],
        "duties": {"statistics": "cro"},
    }
    proposed = _ok(_call(_as(client, p.acme_contracts), "post", url, body), 201)
    assert (proposed["number"], proposed["proposing_party"], proposed["value_change"], proposed["currency"]) == (
        "CO-01",
        "sponsor",
        "250000.00",
        "USD",
    )
    assert proposed["duties"] == {"statistics": "cro"} and proposed["status"] == "proposed"
    assert [c["number"] for c in _ok(_call(client, "get", url))] == ["CO-01"]
    one = f"{url}/{proposed['id']}"
    assert _ok(_call(_as(client, p.crux_viewer), "get", one))["title"] == "Ten more sites"
    _ok(_call(_as(client, p.acme_exec), "post", one + "/sign", {"password": PASSWORD}))
    approved = _ok(_call(_as(client, p.crux_exec), "post", one + "/sign", {"password": PASSWORD}))
    assert approved["status"] == "approved" and approved["cro_signature"]["signed_by"] == p.crux_exec.printed_name
    detail = _ok(_call(client, "get", f"/work-orders/{p.work_order.pk}"))
    assert (detail["value"], detail["end_on"]) == ("1450000.00", "2029-06-30")
    assert {r["duty"]: r["party"] for r in detail["responsibilities"]}["statistics"] == "cro"


def test_change_order_refusals_rejection_and_withdrawal(partners, client):
    p = partners
    change = _executed(p)
    url = f"/work-orders/{p.work_order.pk}/change-orders"
    drafter = _as(client, p.crux_contracts)
    base = {"title": "x", "reason": REASON}
    assert _errors(_call(drafter, "post", url, {**base, "duties": {"oversight": "cro"}})) == ["duties"]
    assert _errors(_call(drafter, "post", url, {**base, "services_removed": ["safety"], "value_change": "1"})) == [
        "services_removed"
    ]
    assert _errors(_call(drafter, "post", url, {**base, "value_change": "-9999999"})) == ["value_change"]
    assert _errors(_call(drafter, "post", url, {**base, "reason": "no", "value_change": "1"})) == ["reason"]
    assert _errors(_call(drafter, "post", url, base)) == ["__all__"]  # changes nothing
    assert _call(drafter, "post", url, {**base, "value_change": "0.001"}).status_code == 422
    one = f"{url}/{change.pk}"
    assert _errors(_call(_as(client, p.crux_exec), "post", one + "/reject", {"reason": REASON})) == ["__all__"]
    rejected = _ok(_call(_as(client, p.acme_exec), "post", one + "/reject", {"reason": REASON}))
    assert (rejected["status"], rejected["decision_reason"]) == ("rejected", REASON)
    second = change_orders.change_order_propose(
        actor=p.crux_contracts, work_order=p.work_order, title="Again", reason=REASON, value_change=Decimal(5)
    )
    two = f"{url}/{second.pk}"
    assert _errors(_call(_as(client, p.acme_contracts), "post", two + "/withdraw", {"reason": REASON})) == ["__all__"]
    withdrawn = _ok(_call(_as(client, p.crux_contracts), "post", two + "/withdraw", {"reason": REASON}))
    assert withdrawn["status"] == "withdrawn" and ChangeOrder.objects.get(pk=second.pk).status == "withdrawn"


# scope and permissions


@pytest.mark.parametrize("who", ["borealis_contracts", "delta_exec", "outsider"])
def test_another_organisations_records_are_not_found(partners, world, client, who):
    p = partners
    change = _executed(p)
    api = _as(client, world.outsider if who == "outsider" else getattr(p, who))
    for method, url, body in _routes(p, change):
        assert _call(api, method, url, body).status_code == 404, (method, url)
    assert _call(api, "get", f"/work-orders/{p.work_order.pk}/change-orders/987654").status_code == 404
    change.refresh_from_db()
    p.work_order.refresh_from_db()
    assert (change.status, p.work_order.status, p.work_order.title) == ("proposed", "executed", p.work_order.title)


def test_a_change_order_of_another_work_order_is_not_found(partners, world, client):
    p = partners
    change = _executed(p)
    drafter = _as(client, p.acme_contracts)
    other = _ok(_call(drafter, "post", f"/agreements/{p.msa.pk}/work-orders", _work_order_body(world.study.pk)), 201)
    url = f"/work-orders/{other['id']}/change-orders/{change.pk}"
    assert _call(drafter, "get", url).status_code == 404
    assert _call(drafter, "post", url + "/withdraw", {"reason": REASON}).status_code == 404


def test_a_viewer_writes_nothing(partners, client):
    p = partners
    change = _executed(p)
    api = _as(client, p.crux_viewer)
    for method, url, body in _routes(p, change):
        expected = 200 if method == "get" else 403
        assert _call(api, method, url, body).status_code == expected, (method, url)
    body = {"counterparty_id": p.acme.pk, "title": "x", "effective_on": "2026-03-01"}
    assert _call(api, "post", "/agreements", body).status_code == 403
    assert MasterServicesAgreement.objects.count() == 1 and ChangeOrder.objects.count() == 1


def test_the_drafter_does_not_sign_and_the_signatory_does_not_draft(partners, world, client):
    p = partners
    drafter = _as(client, p.crux_contracts)
    assert _call(drafter, "post", f"/work-orders/{p.work_order.pk}/sign", {"password": PASSWORD}).status_code == 403
    assert (
        _call(
            drafter, "post", f"/agreements/{p.msa.pk}/terminate", {"terminated_on": "2029-01-01", "reason": REASON}
        ).status_code
        == 403
    )
    signer = _as(client, p.crux_exec)
    assert _call(signer, "patch", f"/work-orders/{p.work_order.pk}", {"title": "Changed"}).status_code == 403
    url = f"/agreements/{p.msa.pk}/work-orders"
    assert _call(signer, "post", url, _work_order_body(world.study.pk)).status_code == 403
    p.work_order.refresh_from_db()
    assert p.work_order.cro_signed_at is None and p.work_order.title == "T-001 monitoring and data management"
