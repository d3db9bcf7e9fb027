"""Result records shared by the sample-size methods."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SampleSize:
    """A sample-size answer: raw (real-valued) sizes, sizes rounded up per arm, and power achieved at those.

    `n_per_arm_raw` and `n_per_arm` list one entry per arm (one entry for one-sample and paired designs);
    `n_total` is their sum. Dropout inflation, when asked for, is already in both: raw / (1 - dropout).
    `events_raw`/`events` are filled by time-to-event methods (None elsewhere). `method` names the formula
    and `reference` its source; `details` holds method-specific intermediate values for reports.
    """

    n_per_arm_raw: tuple[float, ...]
    n_per_arm: tuple[int, ...]
    power: float
    method: str
    reference: str
    events_raw: float | None = None
    events: int | None = None
    details: dict[str, float] = field(default_factory=dict)

    @property
    def n_total_raw(self) -> float:
        return float(sum(self.n_per_arm_raw))

    @property
    def n_total(self) -> int:
        return int(sum(self.n_per_arm))

    def as_dict(self) -> dict[str, object]:
        """The keys the CLI's --json prints (issue 4): n_per_arm_raw, n_total_raw, n_per_arm, n_total, power."""
        out: dict[str, object] = {
            "n_per_arm_raw": list(self.n_per_arm_raw),
            "n_total_raw": self.n_total_raw,
            "n_per_arm": list(self.n_per_arm),
            "n_total": self.n_total,
            "power": self.power,
            "method": self.method,
            "reference": self.reference,
        }
        if self.events_raw is not None:
            out["events_raw"] = self.events_raw
            out["events"] = self.events
        if self.details:
            out["details"] = dict(self.details)
        return out
