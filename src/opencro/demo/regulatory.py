"""OPC-301's regulatory file, recorded through the submission tracker by the regulatory specialist (Rita Gomez).

The initial applications and reviews carry the dates of the start-up history (demo/startup.py), so the tracker and
the start-up milestones give one answer. Then the life of the study: the US IND (an information request answered,
the protocol amendment in effect on submission, the annual report falling due, the central IRB's continuing
review), the EU CTR applications of Germany and Spain (a request for information that stopped the assessment
clock; Spain's substantial modification approved, Germany's, submitted in October, under review with a question
open now), Japan's clinical trial notification and its change notification, India and Brazil (submitted with
Amendment 1), the local ethics committees of the Japanese and Indian sites, and a commitment to FDA.
"""

import datetime as dt

from opencro.accounts.models import User
from opencro.demo.startup import SITE_HISTORY
from opencro.regulatory.library import library_ensure
from opencro.regulatory.models import ApplicationType, EthicsCommittee, Submission
from opencro.regulatory.services import submissions as tracker
from opencro.studies.models import ProtocolVersion, Site, Study

D = dt.date

# country, authority, type, version, title, (submitted, acknowledged, validated, decided), questions, parent title
AUTHORITY = [
    (
        "US",
        "FDA",
        "IND",
        "1.0",
        "IND 154321: original application",
        (D(2025, 9, 12), D(2025, 9, 14), None, D(2025, 10, 14)),
        [(D(2025, 10, 2), "Provide the dissolution profile of the 20 mg tablet.", D(2025, 10, 7))],
        None,
    ),
    (
        "US",
        "FDA",
        "IND-PA",
        "2.0",
        "IND 154321: protocol amendment 1",
        (D(2026, 4, 10), None, None, None),
        [],
        "IND 154321: original application",
    ),
    (
        "US",
        "FDA",
        "IND-AR",
        None,
        "IND 154321: annual report 2025-2026",
        (None, None, None, None),
        [],
        "IND 154321: original application",
    ),
    (
        "DE",
        "EU-CTR",
        "CTA",
        "1.0",
        "CTA Germany (member state concerned)",
        (D(2025, 10, 24), None, D(2025, 11, 3), D(2026, 2, 6)),
        [(D(2025, 12, 10), "Part I: justify the 20 mg dose in patients over 75.", D(2025, 12, 19))],
        None,
    ),
    (
        "ES",
        "EU-CTR",
        "CTA",
        "1.0",
        "CTA Spain (member state concerned)",
        (D(2025, 10, 22), None, D(2025, 11, 1), D(2026, 1, 28)),
        [],
        None,
    ),
    (
        "ES",
        "EU-CTR",
        "SM",
        "2.0",
        "Substantial modification 1, Spain",
        (D(2026, 4, 22), None, D(2026, 4, 27), D(2026, 5, 29)),
        [],
        "CTA Spain (member state concerned)",
    ),
    (
        "DE",
        "EU-CTR",
        "SM",
        "2.0",
        "Substantial modification 1, Germany",
        (D(2026, 10, 26), None, D(2026, 10, 30), None),
        [(D(2026, 11, 16), "Part I: update the benefit-risk with the DSMB's second review.", None)],
        "CTA Germany (member state concerned)",
    ),
    (
        "JP",
        "PMDA",
        "CTN",
        "1.0",
        "Clinical trial notification",
        (D(2025, 11, 14), None, None, D(2025, 12, 15)),
        [],
        None,
    ),
    (
        "JP",
        "PMDA",
        "CTN-C",
        "2.0",
        "Change notification: protocol amendment 1",
        (D(2026, 4, 24), None, None, None),
        [],
        "Clinical trial notification",
    ),
    (
        "IN",
        "CDSCO",
        "CT-04",
        "2.0",
        "Permission to conduct the clinical trial",
        (D(2026, 1, 16), None, None, D(2026, 4, 10)),
        [],
        None,
    ),
    ("BR", "ANVISA", "DDCM", "2.0", "DDCM for OPC-1127", (D(2026, 1, 14), None, None, D(2026, 4, 6)), [], None),
]
# central committees: country, name, registration, continuing review months, [(kind, version, submitted, decided)]
CENTRAL = [
    (
        "US",
        "Lakeshore Central IRB",
        "IRB00012345",
        12,
        [
            ("initial", "1.0", D(2025, 10, 3), D(2025, 11, 20)),
            ("amendment", "2.0", D(2026, 4, 10), D(2026, 4, 17)),
            ("continuing_review", None, D(2026, 10, 20), D(2026, 11, 10)),
        ],
    ),
    ("DE", "Ethik-Kommission (CTIS Part II, Germany)", "", None, [("initial", "1.0", D(2025, 10, 24), D(2026, 2, 6))]),
    (
        "ES",
        "CEIm (CTIS Part II, Spain)",
        "",
        None,
        [
            ("initial", "1.0", D(2025, 10, 22), D(2026, 1, 28)),
            ("amendment", "2.0", D(2026, 4, 22), D(2026, 5, 29)),
        ],
    ),
    ("BR", "CONEP", "", 12, [("initial", "2.0", D(2026, 1, 14), D(2026, 4, 15))]),
]
LOCAL_NAMES = {
    "401": "Kanto Cardiovascular Center IRB",
    "402": "Osaka University Hospital IRB",
    "501": "Deccan Institute Ethics Committee",
}
LOCAL_AMENDMENTS = {"401": [("amendment", "2.0", D(2026, 4, 28), D(2026, 5, 12))]}
COMMITMENT = ("Submit the 26-week oral carcinogenicity study report (rasH2 mouse)", D(2026, 12, 31))


def load_regulatory(study: Study) -> None:
    """Record the study's submissions, ethics reviews and their steps, as the regulatory specialist."""
    library_ensure()  # the shipped library, should a flushed database have lost it
    actor = User.objects.get(username="reg")
    versions = {v.version: v for v in ProtocolVersion.objects.filter(study=study)}
    countries = {c.code: c for c in study.countries.all()}
    made: dict[str, Submission] = {}
    for country, authority, code, version, title, dates, questions, parent in AUTHORITY:
        kind = ApplicationType.objects.select_related("authority").get(authority__code=authority, code=code)
        submission = tracker.submission_create(
            actor=actor,
            submission=Submission(
                study=study,
                authority=kind.authority,
                application_type=kind,
                country=countries[country],
                protocol_version=versions.get(version) if version else None,
                parent=made.get(parent) if parent else None,
                title=title,
                product="OPC-1127 (cardiorelaxin) tablets",
                reference=_reference(study, authority),
                planned_on=dates[0] or D(2026, 11, 30),
                owner=actor,
            ),
        )
        made[title] = _steps(actor, submission, dates, questions)
    tracker.commitment_add(
        actor=actor,
        submission=made["IND 154321: original application"],
        description=COMMITMENT[0],
        due_on=COMMITMENT[1],
    )
    for country, name, registration, months, reviews in CENTRAL:
        committee = tracker.committee_save(
            actor=actor,
            committee=EthicsCommittee(
                study=study,
                name=name,
                scope="central",
                country=countries[country],
                registration=registration,
                continuing_review_months=months,
            ),
        )
        _reviews(actor, study, committee, reviews, versions)
    for number, name in LOCAL_NAMES.items():
        site = Site.objects.get(study=study, number=number)
        committee = tracker.committee_save(
            actor=actor,
            committee=EthicsCommittee(
                study=study, name=name, scope="local", country=site.country, continuing_review_months=12
            ),
            sites=[site],
        )
        approved = SITE_HISTORY[number][2]
        version = "2.0" if site.country.code == "IN" else "1.0"
        reviews = [("initial", version, approved - dt.timedelta(days=35), approved), *LOCAL_AMENDMENTS.get(number, [])]
        _reviews(actor, study, committee, reviews, versions)


def _reference(study: Study, authority: str) -> str:
    return {"FDA": f"IND {study.ind_number}", "EU-CTR": study.eu_ct_number}.get(authority, "")


def _steps(actor: User, submission: Submission, dates: tuple, questions: list) -> Submission:
    submitted, acknowledged, validated, decided = dates
    if submitted is None:
        return submission
    submission = tracker.submission_step(actor=actor, submission=submission, step="submit", on=submitted)
    if acknowledged:
        submission = tracker.submission_step(actor=actor, submission=submission, step="acknowledge", on=acknowledged)
    if validated:
        submission = tracker.submission_step(actor=actor, submission=submission, step="validate", on=validated)
    for received, text, answered in questions:
        question = tracker.question_add(actor=actor, submission=submission, received_on=received, text=text)
        if answered:
            tracker.question_answer(actor=actor, question=question, answered_on=answered, answer="Sent as requested.")
    if decided and submission.is_open:
        submission = tracker.submission_step(actor=actor, submission=submission, step="approve", on=decided)
    return submission


def _reviews(actor: User, study: Study, committee: EthicsCommittee, reviews: list, versions: dict) -> None:
    for kind, version, submitted, decided in reviews:
        review = tracker.submission_create(
            actor=actor,
            submission=Submission(
                study=study,
                committee=committee,
                ethics_kind=kind,
                country=committee.country,
                protocol_version=versions.get(version) if version else None,
                title=f"{committee.name}: {kind.replace('_', ' ')}",
                planned_on=submitted,
                owner=actor,
            ),
        )
        _steps(actor, review, (submitted, None, None, decided), [])
