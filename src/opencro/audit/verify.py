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


def chain_verify(on_progress: Callable[[int, int], None] = lambda done, total: None) -> VerifyResult:
    """Recompute every hash; also check the head so a truncated tail is caught."""
    total = AuditRecord.objects.count()
    fields = ("id", "prev_hash", "hash", *HASHED_FIELDS)
    done = 0

    def rows():
        nonlocal done
        for row in AuditRecord.objects.order_by("id").values(*fields).iterator(chunk_size=BATCH):
            done += 1
            if done % BATCH == 0:
                on_progress(done, total)
            yield row

    checked, broken = verify_rows(rows())
    on_progress(done, total)
    if broken is not None:
        return VerifyResult(checked, total, broken.record_id, broken.problem)
    head = AuditHead.objects.filter(pk=1).first()
    last = AuditRecord.objects.order_by("-id").values("id", "hash").first()
    if last is None and head is None:
        return VerifyResult(checked, total)
    if head is None:
        return VerifyResult(checked, total, last["id"], "the chain head is missing")
    if last is None or (head.last_id, head.last_hash, head.count) != (last["id"], last["hash"], total):
        first_missing = (last["id"] + 1) if last else 1
        return VerifyResult(checked, total, first_missing, "records are missing at the end of the chain")
    return VerifyResult(checked, total)
