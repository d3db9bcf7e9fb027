"""Document and TMF writes: versions and their life cycle, review and e-signed approval, filing, QC, structure
loading and expectations; permissions and site scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.signatures import content_hash, signatures_for
from opencro.audit.models import AuditRecord
from opencro.documents import services, tmf_services
from opencro.documents.models import (
    Document,
    DocumentReview,
    DocumentVersion,
    QcStatus,
    TmfArtifact,
    TmfExpectation,
    TmfStructure,
)
from opencro.documents.store import document_store
from opencro.formats.errors import FormatError
from tests.conftest import PASSWORD
from tests.documents.helpers import (
    CRC,
    DAY,
    MONITOR,
    PI,
    PM,
    REG,
    SPONSOR,
    approved,
    artifact,
    draft,
    model_csv,
    pdf,
    record,
    structure,
)

pytestmark = pytest.mark.django_db


def test_a_controlled_document_starts_as_a_draft_with_its_body_stored_by_sha256(world):
    version = draft(world)
    assert version.document.number == "DOC-0001"
    assert (version.status, version.filed_at, version.qc_status) == ("draft", None, "")
    assert version.content_type == "application/pdf"  # served type from edc.uploads, not the client's
    assert document_store().read(version.blob_key) == pdf("Protocol")
    import hashlib

    assert version.sha256 == hashlib.sha256(pdf("Protocol")).hexdigest()
    assert version.size == len(pdf("Protocol"))
    assert draft(world, title="IB").document.number == "DOC-0002"


def test_a_record_is_final_and_filed_at_upload_with_qc_pending(world):
    version = record(world)
    assert (version.status, version.qc_status) == ("final", "pending")
    assert version.filed_at is not None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ", "not accepted"),
        ("scan.pdf", b"MZ\x90\x00", "not .pdf"),  # magic bytes checked by edc.uploads
        ("empty.pdf", b"", "empty"),
    ],
)
def test_uploads_are_checked_as_edc_uploads_are(world, name, content, message):
    with pytest.raises(ValidationError) as exc:
        services.document_create(
            actor=world.user(REG), study=world.study, title="X", file_name=name, content=content, document_date=DAY
        )
    assert message in str(exc.value.message_dict["file"])
    assert not Document.objects.exists()


def test_level_place_and_artifact_level_are_checked(world):
    structure(world)
    with pytest.raises(ValidationError) as exc:
        draft(world, level="site")
    assert "site" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        draft(world, level="trial", art=artifact(world, "02.01.03"))  # Form D: site level only (fixture sheet)
    assert "not filed at the trial level" in str(exc.value.message_dict["artifact"])
    version = draft(world, level="site", site=world.site_b, art=artifact(world, "02.01.03"))
    assert version.document.country == world.site_b.country


def test_site_restricted_members_write_only_site_documents_of_their_sites(world):
    with pytest.raises(PermissionDenied):
        draft(world, actor=world.user(CRC))  # trial level
    with pytest.raises(PermissionDenied):
        record(world, site=world.site_b)
    assert record(world).document.site == world.site_a


def test_review_needs_reviewers_who_approve_and_not_the_uploader(world):
    version = draft(world)
    with pytest.raises(ValidationError):
        services.review_request(actor=world.user(REG), version=version, reviewers=[])
    with pytest.raises(ValidationError) as exc:
        services.review_request(actor=world.user(REG), version=version, reviewers=[world.user(MONITOR)])
    assert "does not approve" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.review_request(actor=world.user(REG), version=version, reviewers=[world.user(REG)])
    assert "other than its uploader" in str(exc.value)


def test_approval_is_e_signed_bound_to_the_content_and_needs_every_reviewer(world):
    version = draft(world)
    reviews = services.review_request(
        actor=world.user(REG), version=version, reviewers=[world.user(SPONSOR), world.user(PM)]
    )
    assert DocumentVersion.objects.get(pk=version.pk).status == "in_review"
    first = services.review_decide(actor=world.user(SPONSOR), review=reviews[0], decision="approved", password=PASSWORD)
    assert DocumentVersion.objects.get(pk=version.pk).status == "in_review"  # one reviewer still to decide
    signature = first.signature
    assert (signature.meaning, signature.signer, signature.is_broken) == ("approve", world.user(SPONSOR), False)
    services.review_decide(actor=world.user(PM), review=reviews[1], decision="approved", password=PASSWORD)
    version = DocumentVersion.objects.get(pk=version.pk)
    assert version.status == "approved"
    assert version.approved_at == version.filed_at is not None
    assert version.qc_status == "pending"
    # the signature binds the version's content (its SHA-256 among it), not the workflow fields
    assert signature.content_hash == content_hash(version)
    assert all(not s.is_broken for s in signatures_for(version))
    version.sha256 = "0" * 64
    assert content_hash(version) != signature.content_hash


def test_a_wrong_password_signs_nothing_and_counts_as_a_failed_login(world):
    version = draft(world)
    (review,) = services.review_request(actor=world.user(REG), version=version, reviewers=[world.user(SPONSOR)])
    with pytest.raises(PermissionDenied):
        services.review_decide(actor=world.user(SPONSOR), review=review, decision="approved", password="wrong")
    assert DocumentReview.objects.get(pk=review.pk).decision == ""
    world.user(SPONSOR).refresh_from_db()
    assert world.user(SPONSOR).failed_logins == 1


def test_only_the_named_reviewer_decides(world):
    version = draft(world)
    (review,) = services.review_request(actor=world.user(REG), version=version, reviewers=[world.user(SPONSOR)])
    with pytest.raises(PermissionDenied):
        services.review_decide(actor=world.user(PM), review=review, decision="approved", password=PASSWORD)


def test_changes_requested_send_the_version_back_to_draft_and_a_new_version_follows(world):
    version = draft(world)
    (review,) = services.review_request(actor=world.user(REG), version=version, reviewers=[world.user(SPONSOR)])
    with pytest.raises(ValidationError):
        services.review_decide(actor=world.user(SPONSOR), review=review, decision="changes", comment="no")
    services.review_decide(
        actor=world.user(SPONSOR), review=review, decision="changes", comment="Section 5 contradicts the synopsis."
    )
    assert DocumentVersion.objects.get(pk=version.pk).status == "draft"
    with pytest.raises(ValidationError):  # a reviewed draft is corrected by a new version
        services.review_request(actor=world.user(REG), version=version, reviewers=[world.user(SPONSOR)])
    second = services.version_upload(
        actor=world.user(REG),
        document=version.document,
        version="1.1",
        file_name="protocol-1.1.pdf",
        content=pdf("1.1"),
        document_date=DAY,
        change_summary="Section 5 corrected.",
    )
    assert DocumentVersion.objects.get(pk=version.pk).status == "superseded"
    assert second.status == "draft"


def test_approving_a_new_version_supersedes_the_approved_one_which_stays_filed(world):
    first = approved(world)
    second = services.version_upload(
        actor=world.user(REG),
        document=first.document,
        version="2.0",
        file_name="p2.pdf",
        content=pdf("2"),
        document_date=DAY,
    )
    with pytest.raises(ValidationError):  # the version label is unique per document
        services.version_upload(
            actor=world.user(REG), document=first.document, version="2.0", file_name="p.pdf", content=pdf("x"),
            document_date=DAY,
        )  # fmt: skip
    approved(world, second)
    first = DocumentVersion.objects.get(pk=first.pk)
    assert (first.status, first.filed_at is not None) == ("superseded", True)
    assert DocumentVersion.objects.get(pk=second.pk).status == "approved"


def test_no_new_version_while_one_is_in_review(world):
    version = draft(world)
    services.review_request(actor=world.user(REG), version=version, reviewers=[world.user(SPONSOR)])
    with pytest.raises(ValidationError) as exc:
        services.version_upload(
            actor=world.user(REG), document=version.document, version="1.1", file_name="p.pdf", content=pdf("y"),
            document_date=DAY,
        )  # fmt: skip
    assert "in review" in str(exc.value)


def test_qc_only_of_a_filed_version_and_not_by_its_uploader(world):
    version = draft(world)
    with pytest.raises(ValidationError):
        services.qc_record(actor=world.user(PM), version=version, passed=True)
    version = record(world)
    with pytest.raises(PermissionDenied):
        services.qc_record(actor=world.user(CRC), version=version, passed=True)  # no tmf.qc
    with pytest.raises(ValidationError):
        services.qc_record(actor=world.user(PM), version=version, passed=False, finding="bad")
    rejected = services.qc_record(
        actor=world.user(PM), version=version, passed=False, finding="The CV is not signed and dated."
    )
    assert (rejected.qc_status, rejected.qc_by, rejected.qc_note) == (
        QcStatus.REJECTED,
        world.user(PM),
        "The CV is not signed and dated.",
    )
    mine = record(world, actor=world.user(PI), title="GCP certificate")
    assert services.qc_record(actor=world.user(REG), version=mine, passed=True).qc_status == "passed"
    own = draft(world, actor=world.user(PM), title="Monitoring plan")
    own = approved(world, own)
    with pytest.raises(PermissionDenied):
        services.qc_record(actor=world.user(PM), version=own, passed=True)


def test_filing_classifies_at_a_level_the_artifact_allows(world):
    structure(world)
    version = record(world)
    document = services.document_file(
        actor=world.user(CRC), document=version.document, artifact=artifact(world, "02.01.03")
    )
    assert document.artifact.number == "02.01.03"
    with pytest.raises(ValidationError):
        services.document_file(
            actor=world.user(PM), document=document, artifact=artifact(world, "01.01.01"), level="site"
        )
    with pytest.raises(PermissionDenied):  # a site member cannot move a document to the trial level
        services.document_file(
            actor=world.user(CRC), document=document, artifact=artifact(world, "01.01.01"), level="trial"
        )
    moved = services.document_file(
        actor=world.user(PM), document=document, artifact=artifact(world, "01.01.01"), level="trial"
    )
    assert (moved.level, moved.site, moved.country) == ("trial", None, None)
    assert AuditRecord.objects.filter(
        object_type="documents.document", object_id=str(document.pk), field="level"
    ).exists()


# the TMF structure and expectations


def test_the_structure_loads_every_artifact_with_the_file_digest(world):
    import hashlib

    loaded = structure(world)
    assert (loaded.version, loaded.source_file) == ("3.3.1", "TMF RM v3.3.1.csv")
    assert loaded.sha256 == hashlib.sha256(model_csv()).hexdigest()
    found = {a.number: (a.levels, a.core, a.zone_number, a.section_number) for a in loaded.artifacts.all()}
    assert found == {  # the fixture sheet's four rows
        "01.01.01": (["trial"], True, "01", "01.01"),
        "01.01.02": (["trial", "country"], False, "01", "01.01"),
        "01.02.01": (["country", "site"], True, "01", "01.02"),
        "02.01.03": (["site"], True, "02", "02.01"),
    }


def test_a_bad_sheet_is_refused_whole_with_located_problems(world):
    rows = [
        ["01", "Zone One", "01.01", "Section One-One", "01.01.01", "Plan A", "", "", "", "Core", "", "1", "X", "",
         "", "", "", "X", "", "", ""],
        ["01", "Zone One", "01.01", "Section One-One", "1.1.2", "Plan B", "", "", "", "Core", "", "2", "X", "", "",
         "", "", "X", "", "", ""],
    ]  # fmt: skip
    with pytest.raises(FormatError) as exc:
        tmf_services.tmf_structure_load(
            actor=world.user(REG), study=world.study, file_name="plan.csv", content=model_csv(rows)
        )
    assert any("row" in p.location for p in exc.value.problems)
    assert not TmfStructure.objects.exists() and not TmfArtifact.objects.exists()
    with pytest.raises(FormatError):
        tmf_services.tmf_structure_load(actor=world.user(REG), study=world.study, file_name="x.pdf", content=b"%PDF")


def test_loading_the_structure_needs_regulatory_edit(world):
    with pytest.raises(PermissionDenied):
        structure(world, actor=world.user(SPONSOR))


def test_default_expectations_are_the_core_artifacts_at_each_of_their_levels(world):
    structure(world)
    made = tmf_services.tmf_expectations_default(actor=world.user(REG), study=world.study)
    found = {(e.artifact.number, e.level, e.milestone) for e in made}
    assert found == {  # Plan B is recommended, not core: not expected
        ("01.01.01", "trial", "trial_start"),
        ("01.02.01", "country", "trial_start"),
        ("01.02.01", "site", "site_activation"),
        ("02.01.03", "site", "site_activation"),
    }
    assert tmf_services.tmf_expectations_default(actor=world.user(REG), study=world.study) == []


def test_one_expectation_is_added_changed_and_removed_with_a_reason(world):
    structure(world)
    plan_b = artifact(world, "01.01.02")
    made = tmf_services.tmf_expectation_set(
        actor=world.user(REG), study=world.study, artifact=plan_b, level="country", milestone="conduct"
    )
    assert made.milestone == "conduct"
    with pytest.raises(ValidationError):
        tmf_services.tmf_expectation_set(
            actor=world.user(REG), study=world.study, artifact=plan_b, level="country", milestone="close_out"
        )
    with pytest.raises(ValidationError):
        tmf_services.tmf_expectation_set(
            actor=world.user(REG), study=world.study, artifact=plan_b, level="site", milestone="conduct"
        )
    changed = tmf_services.tmf_expectation_set(
        actor=world.user(REG), study=world.study, artifact=plan_b, level="country", milestone="close_out",
        reason="Kept at close-out per the TMF plan.",
    )  # fmt: skip
    assert changed.milestone == "close_out"
    assert tmf_services.tmf_expectation_set(
        actor=world.user(REG), study=world.study, artifact=plan_b, level="country", milestone="",
        reason="Not needed in this study.",
    ) is None  # fmt: skip
    assert not TmfExpectation.objects.exists()


def test_reloading_the_structure_carries_expectations_over_by_artifact_number(world):
    structure(world)
    tmf_services.tmf_expectations_default(actor=world.user(REG), study=world.study)
    second = tmf_services.tmf_structure_load(
        actor=world.user(REG), study=world.study, file_name="v3.3.2.csv", content=model_csv(), version="3.3.2"
    )
    assert set(TmfExpectation.objects.values_list("artifact__structure", flat=True)) == {second.pk}
    assert TmfExpectation.objects.count() == 4
