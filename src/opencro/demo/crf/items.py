"""Small makers of CDASH-style items and one-group forms, so each form is declared in a few lines.

An item's OID is "IT.<name>" and its question comes from `texts.QUESTIONS[name]` (a log's start,
ongoing and end items share "STDAT", "ONGO", "ENDAT"). Each item carries its CDASH name and SDTM
annotation as aliases and its SDTM target as `sds_var_name` (ODM 1.3.2 ItemDef/@SDSVarName).
"""

from dataclasses import dataclass

from opencro.demo.crf.texts import HELP, NOT_FUTURE, QUESTIONS, Texts, limit_message, translated
from opencro.formats import build as b

Limits = tuple[float | None, float | None]


def limits(low: float | None, high: float | None, unit: str = "", kind: str = "Soft") -> list[b.RangeCheck]:
    """ODM range checks for a plausible interval: Soft opens a query, Hard refuses the value."""
    checks = []
    for comparator, side, value in (("GE", "below", low), ("LE", "above", high)):
        if value is not None:
            message = limit_message(kind, side, f"{value} {unit}".strip())
            checks.append(b.RangeCheck(comparator, [str(value)], kind, message))
    return checks


def item(
    name: str,
    data_type: str = b.DataType.TEXT,
    *,
    sdtm: str,
    annotation: str = "",
    cdash: str = "",
    question: Texts | None = None,
    units: str = "",
    code_list: str | None = None,
    control: str | None = None,
    length: int | None = None,
    digits: int | None = None,
    ranges: list[b.RangeCheck] | None = None,
    critical: bool = False,
) -> b.ItemDef:
    """One item; its question is `QUESTIONS[name]`, or for a log item (AESTDAT) that of its suffix (STDAT)."""
    if control is None:
        control = b.ControlType.RADIO if code_list else b.ControlType.TEXT
    texts = question or QUESTIONS.get(name) or QUESTIONS[name[2:]]
    return b.ItemDef(
        oid=f"IT.{name}",
        name=name,
        data_type=data_type,
        length=length,
        significant_digits=digits,
        question=translated(texts),
        help_text=translated(HELP[name]) if name in HELP else {},
        units=[units] if units else [],
        code_list_oid=code_list,
        range_checks=ranges or [],
        sds_var_name=sdtm,
        aliases=[b.Alias("CDASH", cdash or name), b.Alias("SDTM", annotation or sdtm)],
        control_type=control,
        critical=critical,
        origin="Derived" if control == b.ControlType.CALC else "CRF",
    )


def yes_no(name: str, *, sdtm: str, **kw) -> b.ItemDef:
    return item(name, sdtm=sdtm, code_list="CL.NY", control=b.ControlType.YESNO, length=1, **kw)


def coded(name: str, code_list: str, *, sdtm: str = "", **kw) -> b.ItemDef:
    """A choice from a code list; the SDTM variable defaults to the name (AESEV, SEX...)."""
    return item(name, sdtm=sdtm or name, code_list=code_list, **kw)


def date(name: str, *, sdtm: str, partial: bool = False, **kw) -> b.ItemDef:
    """A date that cannot lie in the future; `partial` allows "2026" and "2026-03" (CDASH partial dates)."""
    data_type = b.DataType.PARTIAL_DATE if partial else b.DataType.DATE
    future = b.RangeCheck("LE", ["today"], "Hard", translated(NOT_FUTURE))
    return item(name, data_type, sdtm=sdtm, ranges=[future], **kw)


def text(name: str, length: int, *, sdtm: str = "", **kw) -> b.ItemDef:
    return item(name, sdtm=sdtm or name, length=length, **kw)


def finding(
    name: str, domain: str, units: str, *, digits: int | None = None, soft: Limits = (None, None), hard: Limits, **kw
) -> b.ItemDef:
    """A measured result of a findings domain (VS, EG, LB, CV): numeric, with unit and plausible limits."""
    return item(
        name,
        b.DataType.FLOAT if digits else b.DataType.INTEGER,
        sdtm=f"{domain}ORRES",
        annotation=f"{domain}.{domain}ORRES where {domain}TESTCD = {name}; {domain}ORRESU = {units}",
        cdash=f"{name}_{domain}ORRES",
        units=units,
        length=6,
        digits=digits,
        ranges=limits(*soft, units) + limits(*hard, units, kind="Hard"),
        **kw,
    )


def calculated(name: str, units: str, *, sdtm: str, annotation: str = "", digits: int | None = None) -> b.ItemDef:
    data_type = b.DataType.FLOAT if digits else b.DataType.INTEGER
    return item(
        name, data_type, sdtm=sdtm, annotation=annotation, units=units, digits=digits, control=b.ControlType.CALC
    )


@dataclass(frozen=True)
class Field:
    """An item as placed on a form: required or not, derived by a method, hidden by a condition."""

    item: b.ItemDef
    mandatory: bool = True
    method: str | None = None
    hidden_when: str | None = None


def optional(item_def: b.ItemDef, hidden_when: str | None = None) -> Field:
    return Field(item_def, mandatory=False, hidden_when=hidden_when)


def derived(item_def: b.ItemDef, method: str) -> Field:
    return Field(item_def, mandatory=False, method=method)


def start_stop(prefix: str, hidden_when: str) -> list[Field]:
    """Start date, ongoing and end date (hidden while ongoing) of a log row: MHSTDAT, MHONGO, MHENDAT..."""
    return [
        Field(date(f"{prefix}STDAT", sdtm=f"{prefix}STDTC", partial=True)),
        Field(yes_no(f"{prefix}ONGO", sdtm=f"{prefix}ENRTPT")),
        optional(date(f"{prefix}ENDAT", sdtm=f"{prefix}ENDTC", partial=True), hidden_when),
    ]


class Collector:
    """Gathers items, groups and forms as the form declarations name them."""

    def __init__(self) -> None:
        self.items: list[b.ItemDef] = []
        self.groups: list[b.ItemGroupDef] = []
        self.forms: list[b.FormDef] = []

    def group(self, oid: str, name: str, domain: str, fields: list[Field], *, repeating: bool = False) -> str:
        refs = []
        for order, f in enumerate(fields, 1):
            self.items.append(f.item)
            refs.append(
                b.ItemRef(
                    f.item.oid,
                    mandatory=f.mandatory,
                    order=order,
                    method_oid=f.method,
                    collection_exception_condition_oid=f.hidden_when,
                )
            )
        self.groups.append(
            b.ItemGroupDef(oid, name, repeating=repeating, items=refs, domain=domain, sas_dataset_name=domain)
        )
        return oid

    def form(self, oid: str, name: str, *groups: str, description: Texts | None = None) -> None:
        refs = [b.ItemGroupRef(g, mandatory=True, order=n) for n, g in enumerate(groups, 1)]
        self.forms.append(
            b.FormDef(oid, name, item_groups=refs, description=translated(description) if description else {})
        )

    def simple(self, oid: str, name: str, domain: str, fields: list[Field], *, repeating: bool = False) -> None:
        """A form of one item group (the common case); `repeating` rows for logs."""
        self.form(oid, name, self.group(f"IG.{oid.removeprefix('F.')}", name, domain, fields, repeating=repeating))
