"""Verify the whole audit chain against the database, streaming in id order."""

from collections.abc import Callable
from dataclasses import asdict, dataclass

from opencro.audit.chain import HASHED_FIELDS, verify_rows
from opencro.audit.models import AuditHead, AuditRecord

BATCH = 2000


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    total: int
    break_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.break_id is None

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def _head() -> dict | None:
    return AuditHead.objects.filter(pk=1).values("last_id", "last_hash", "count").first()


def chain_verify(on_progress: Callable[[int, int], None] = lambda done, total: None) -> VerifyResult:
    """Recompute every hash up to the head, check the head (a truncated tail), then what lies past it.

    The head is read first and the walk stops at the record it names: appenders update the head
    in the same transaction as their records, under its lock, so every record up to it is
    committed, and records appended while the walk runs are not mistaken for a broken tail.
    """
    head = _head()
    records = AuditRecord.objects.all()
    if head is not None:
        records = records.filter(id__lte=head["last_id"])
    total = records.count()
    fields = ("id", "prev_hash", "hash", *HASHED_FIELDS)
    done = 0

    def rows():
        nonlocal done
        for row in records.order_by("id").values(*fields).iterator(chunk_size=BATCH):
            done += 1
            if done % BATCH == 0:
                on_progress(done, total)
            yield row

    checked, broken = verify_rows(rows())
    on_progress(done, total)
    if broken is not None:
        return VerifyResult(checked, total, broken.record_id, broken.problem)
    last = records.order_by("-id").values("id", "hash").first()
    if head is None:
        if last is None:
            return VerifyResult(checked, total)
        return VerifyResult(checked, total, last["id"], "the chain head is missing")
    if last is None and head["count"] == 0:  # the head the install creates, before any record
        return _check_beyond_head(checked, total)
    if last is None or (head["last_id"], head["last_hash"], head["count"]) != (last["id"], last["hash"], total):
        first_missing = (last["id"] + 1) if last else 1
        return VerifyResult(checked, total, first_missing, "records are missing at the end of the chain")
    return _check_beyond_head(checked, total)


def _check_beyond_head(checked: int, total: int) -> VerifyResult:
    """Catch rows inserted past the head without going through the chain.

    Read the newest id first and the head second: a record appended through the chain is committed
    together with its head, so the head read afterwards always covers it.
    """
    newest = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()
    head = _head()
    if newest is not None and head is not None and newest > head["last_id"]:
        stray = AuditRecord.objects.filter(id__gt=head["last_id"]).order_by("id").values_list("id", flat=True)[0]
        return VerifyResult(
            checked, total, stray, "the record lies past the chain head: it was not appended through the chain"
        )
    return VerifyResult(checked, total)
