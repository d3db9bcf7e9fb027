"""The query workflow of the demo: the site corrects or answers, the monitor closes or sends back.

Automatic queries on mistakes (see `visits.mistakes`) are mostly corrected, which closes them
automatically; queries on genuine values are answered by the site where it has a user able to
answer (sites 101 and 401), then accepted, sent back or left for later by the monitor; at the
other sites the monitor or data manager closes some after source data verification. Monitors and
data management also raise a few manual queries.
"""

import datetime as dt
import random

from opencro.accounts.models import User
from opencro.demo import data
from opencro.demo.clinical.participants import SEED, Truth
from opencro.demo.clock import afternoon, demo_clock
from opencro.edc.models import FormData, ItemData, Query
from opencro.edc.models.queries import OPEN_STATES
from opencro.edc.services.autoqueries import AUTO_ORIGINS
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.services.queries import query_answer, query_close, query_open, query_reopen
from opencro.studies.models import Study

TODAY: dt.date = data.DATA_CUTOFF
# Site users: who enters data and answers queries at a site, and who monitors it (else data management).
SITE_ENTRY = {"101": "crc"}
SITE_ANSWER = {"101": "crc", "401": "inv.jp"}
SITE_MONITOR = {"101": "cra.us", "102": "cra.us", "103": "cra.us", "201": "cra", "202": "cra", "301": "cra"}
USERS = ["crc", "inv.jp", "cra", "cra.us", "dm"]

ANSWERS = {
    "ec:EC.EG.QTCF": "Confirmed on a repeat ECG read by the cardiologist; investigator informed.",
    "ec:EC.LB.POTASSIUM": "Confirmed by the laboratory; repeat sample taken and adverse event recorded.",
    "ec:EC.LB.LIVER": "Confirmed; repeat liver tests scheduled, bilirubin within normal limits.",
    "ec:EC.VS.WEIGHT_CHANGE": "Weight confirmed: fluid retention, diuretic dose increased by the investigator.",
    "ec:EC.DM.AGE": "Date of birth confirmed against the identity document.",
    "ec:EC.DA.COMPLIANCE": "Participant missed doses while travelling; re-trained on dosing.",
    "ec:EC.AE.SAE_OUTCOME": "Outcome pending: the participant is still in hospital; follow-up report expected.",
}
ANSWER = "Value confirmed against the source document."
CORRECTED = "Transcription error: corrected to match the source document."
ACCEPTED = "Answer accepted."
VERIFIED = "Value confirmed during source data verification."
SENT_BACK = "Please file the supporting report in the source and say where it is."
CORRECTED_SHARE = 0.65  # mistakes corrected by the load date; the rest still open
ANSWERED_SHARE = 0.8  # queries on genuine values the site has answered
MONITOR_ACCEPTS, MONITOR_SENDS_BACK = 0.3, 0.1  # of the answers (the others await the monitor)
VERIFIED_SHARE = 0.55  # at sites without an answering user: closed by the monitor after SDV
WORKED_AFTER_DAYS = (1, 21)  # a query is worked this many days after it was opened (not past the data cut-off)


def _user(users: dict[str, User], roles: dict[str, str], site: str, default: str = "") -> User | None:
    return users.get(roles.get(site, default))


def _mistake_of(query: Query) -> tuple[str, int] | None:
    """The (item, row) a query is about: its item, or the one a "required" rule names."""
    if query.item_id is not None:
        return query.item.item_def.oid, query.item.group_repeat
    if query.rule_key.startswith("required:"):
        return query.rule_key.removeprefix("required:"), 1
    return None


def _correct(query: Query, truth: Truth, users: dict[str, User]) -> None:
    form = query.form
    form_save(
        actor=_user(users, SITE_ENTRY, query.site.number),
        subject=form.subject,
        event_oid=form.event.event_oid,
        event_repeat=form.event.repeat_key,
        form_oid=form.form_oid,
        form_repeat=form.repeat_key,
        entries=[ItemEntry(oid, value, repeat) for (oid, repeat), value in truth.items()],
        reason=CORRECTED,
        today=TODAY,
    )


def automatic_queries_work(study: Study, truth: dict[int, Truth], users: dict[str, User]) -> None:
    """Work through the automatic queries, oldest first, as site, monitor and data management would."""
    rng = random.Random(f"{SEED}/queries")  # noqa: S311 - reproducible demo data
    days_rng = random.Random(f"{SEED}/query-days")  # noqa: S311 - its own stream: the outcomes stay as they were
    ids = Query.objects.filter(study=study, origin__in=AUTO_ORIGINS).order_by("id").values_list("id", flat=True)
    related = ("form__event", "form__subject", "site", "item__item_def")
    for query_id in list(ids):
        query = Query.objects.select_related(*related).get(pk=query_id)
        if query.state not in OPEN_STATES:
            continue  # closed by a correction made for another query on the form
        site = query.site.number
        answerer = _user(users, SITE_ANSWER, site)
        monitor = _user(users, SITE_MONITOR, site, "dm")
        mistakes = truth.get(query.form_id, {})
        roll = rng.random()
        worked_on = min(query.opened_at.date() + dt.timedelta(days=days_rng.randint(*WORKED_AFTER_DAYS)), TODAY)
        with demo_clock(afternoon(worked_on)):
            _work(query, roll, rng, mistakes, truth, users, answerer, monitor)


def _work(query: Query, roll: float, rng: random.Random, mistakes, truth, users, answerer, monitor) -> None:
    """One automatic query's step: corrected, answered (then accepted, sent back or left), or closed after SDV."""
    if _mistake_of(query) in mistakes:
        if roll < CORRECTED_SHARE:
            if answerer is not None:
                query_answer(actor=answerer, query=query, text=CORRECTED)
            _correct(query, truth.pop(query.form_id), users)
    elif answerer is not None:
        if roll < ANSWERED_SHARE:
            query_answer(actor=answerer, query=query, text=ANSWERS.get(query.rule_key, ANSWER))
            review = rng.random()
            if review < MONITOR_ACCEPTS:
                query_close(actor=monitor, query=query, text=ACCEPTED)
            elif review < MONITOR_ACCEPTS + MONITOR_SENDS_BACK:
                query_reopen(actor=monitor, query=query, text=SENT_BACK)
    elif roll < VERIFIED_SHARE:
        query_close(actor=monitor, query=query, text=VERIFIED)


# Who asks, at which site, on which form and item ("": the whole form), the question, the site's
# answer ("": none yet) and what the asker did with it: accepted, sent back, or closed after SDV.
MANUAL_QUERIES = [
    (
        "cra.us",
        "101",
        "F.VS",
        "IT.WEIGHT",
        "The clinic note says the participant was weighed with shoes on; please confirm the weight.",
        "Re-weighed without shoes at the same visit: 0.4 kg less, within the scale's precision. Value kept.",
        "accepted",
    ),
    (
        "cra.us",
        "101",
        "F.PE",
        "IT.NYHA",
        "Please confirm the NYHA class against the investigator's assessment in the clinic notes.",
        "NYHA class confirmed by the investigator (see clinic note of the visit).",
        "",
    ),
    (
        "cra.us",
        "101",
        "F.EG",
        "",
        "The ECG printout is not signed and dated by the investigator; please file a signed copy.",
        "Signed copy filed in the participant's binder.",
        "sent back",
    ),
    (
        "cra.us",
        "101",
        "F.CM",
        "",
        "The pharmacy record lists a potassium supplement not entered on the medication log; please check.",
        "",
        "",
    ),
    ("cra", "201", "F.EG", "", "The ECG printout is not signed and dated by the investigator.", "", ""),
    (
        "cra",
        "202",
        "F.CM",
        "IT.CMSTDAT",
        "The start date differs from the medication list in the referral letter; please check.",
        "",
        "",
    ),
    (
        "cra",
        "301",
        "F.LB",
        "IT.LBDAT",
        "The laboratory requisition shows a different collection date; please confirm.",
        "",
        "verified",
    ),
    (
        "dm",
        "401",
        "F.AE",
        "IT.AETERM",
        "Please give a more specific term (diagnosis rather than symptom) if one is known.",
        "Diagnosis confirmed by the investigator; term kept as reported.",
        "",
    ),
    (
        "dm",
        "501",
        "F.KCCQ",
        "",
        "Was the questionnaire completed by the participant or read aloud by staff? Please note the mode in "
        "the source.",
        "",
        "",
    ),
]
SENT_BACK_ECG = "The filed copy is signed but not dated; please date it."


def manual_queries_raise(study: Study, users: dict[str, User]) -> None:
    """Raise the monitors' and data management's questions on the first matching form at each site."""
    for asker, site, form_oid, item_oid, text, answer, outcome in MANUAL_QUERIES:
        forms = FormData.objects.filter(study=study, site__number=site, form_oid=form_oid)
        form = forms.order_by("subject__number", "event__event_def__order", "id").first()
        if form is None:
            continue
        item = ItemData.objects.filter(form=form, item_def__oid=item_oid, group_repeat=1).first() if item_oid else None
        query = query_open(actor=users[asker], form=form, item=item, text=text)
        answerer = _user(users, SITE_ANSWER, site)
        if answer and answerer is not None:
            query_answer(actor=answerer, query=query, text=answer)
        if outcome == "accepted":
            query_close(actor=users[asker], query=query, text=ACCEPTED)
        elif outcome == "sent back":
            query_reopen(actor=users[asker], query=query, text=SENT_BACK_ECG)
        elif outcome == "verified":
            query_close(actor=users[asker], query=query, text=VERIFIED)
