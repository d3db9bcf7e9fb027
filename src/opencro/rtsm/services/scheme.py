"""Configuring a study's randomisation: the scheme, its factors, its list (generated or uploaded), activation.

Only roles with `rtsm.configure` (unblinded) call these. A scheme is edited while in draft; activating it is
e-signed and freezes it. The list is stored slot by slot; the trail records that a list was loaded, its size
and SHA-256, never its arms (blinded readers see the trail).
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signature_apply
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event, audited_delete, audited_save, object_type_of
from opencro.core.bulk import bulk_insert_objects
from opencro.edc.esign import password_confirm
from opencro.rtsm.factors import scheme_factors
from opencro.rtsm.models import ListSlot, RandomisationScheme, SchemeMethod, SchemeStatus, StratificationFactor, Stratum
from opencro.stats.randomization import (
    DesignInputError,
    ListValidationError,
    RandomizationList,
    list_to_csv,
    permuted_block_list,
    read_list_csv,
    stratum_label,
)
from opencro.stats.randomization._checks import check_seed
from opencro.studies.models import Arm, Study

SCHEME_FIELDS = (
    "method",
    "blinded",
    "block_sizes",
    "imbalance",
    "p_best",
    "number_prefix",
    "require_eligibility",
    "require_consent",
)


def _draft(scheme: RandomisationScheme) -> None:
    if scheme.status != SchemeStatus.DRAFT:
        raise ValidationError({"status": _("The scheme is active: its settings and list can no longer change.")})


def scheme_arms(study_id: int) -> list[Arm]:
    return list(Arm.objects.filter(study_id=study_id).order_by("pk"))


def scheme_save(*, actor: User, study: Study, reason: str = "", **values) -> RandomisationScheme:
    """Create the study's scheme or change its draft settings (keywords from SCHEME_FIELDS)."""
    access_require(actor, study, Perm.RTSM_CONFIGURE)
    unknown = set(values) - set(SCHEME_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown setting.")})
    with transaction.atomic():
        scheme = RandomisationScheme.objects.select_for_update(of=("self",)).filter(study=study).first()
        creating = scheme is None
        if creating:
            scheme = RandomisationScheme(study=study)
        else:
            _draft(scheme)
        for name, value in values.items():
            setattr(scheme, name, value)
        if "block_sizes" in values:
            scheme.block_sizes = _block_sizes(values["block_sizes"], study.pk)
        return audited_save(scheme, actor=actor, reason=reason or ("" if creating else _("Scheme settings changed")))


def _block_sizes(sizes, study_id: int) -> list[int]:
    from opencro.stats.randomization import check_block_sizes

    if not sizes:
        return []
    ratio = [arm.allocation_ratio for arm in scheme_arms(study_id)]
    try:
        return list(check_block_sizes(sizes, ratio))
    except DesignInputError as exc:
        raise ValidationError({"block_sizes": exc.message}) from None


def factor_save(
    *, actor: User, scheme: RandomisationScheme, factor: StratificationFactor | None = None, reason: str = "", **values
) -> StratificationFactor:
    """Add a factor to a draft scheme, or change one (name, label, source, levels, item_oid, bands, weight, order)."""
    access_require(actor, scheme.study, Perm.RTSM_CONFIGURE)
    _draft(scheme)
    factor = factor or StratificationFactor(scheme=scheme)
    for name, value in values.items():
        setattr(factor, name, value)
    _check_bands(factor)
    with transaction.atomic():
        return audited_save(factor, actor=actor, reason=reason)


def _check_bands(factor: StratificationFactor) -> None:
    for i, band in enumerate(factor.bands or []):
        if not (isinstance(band, list | tuple) and len(band) == 3 and str(band[0]).strip()):
            raise ValidationError({"bands": _("Band %(n)d must be [level, lower, upper].") % {"n": i + 1}})
        lower, upper = band[1], band[2]
        for bound in (lower, upper):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int | float)):
                raise ValidationError({"bands": _("Band %(n)d: bounds are numbers or null.") % {"n": i + 1}})
        if lower is not None and upper is not None and lower >= upper:
            raise ValidationError({"bands": _("Band %(n)d: the lower bound must be below the upper.") % {"n": i + 1}})


def factor_delete(*, actor: User, factor: StratificationFactor, reason: str) -> None:
    access_require(actor, factor.scheme.study, Perm.RTSM_CONFIGURE)
    _draft(factor.scheme)
    with transaction.atomic():
        audited_delete(factor, actor=actor, reason=reason)


def _list_inputs(scheme: RandomisationScheme) -> tuple[list[str], list[int], dict[str, tuple[str, ...]]]:
    arms = scheme_arms(scheme.study_id)
    if len(arms) < 2:
        raise ValidationError({"arms": _("The study needs at least two arms to randomise.")})
    factors = {f.name: f.levels for f in scheme_factors(scheme)}
    for name, levels in factors.items():
        if not levels:
            raise ValidationError({"factors": _("The factor %(name)s has no levels.") % {"name": name}})
    return [a.code for a in arms], [a.allocation_ratio for a in arms], factors


def list_generate(*, actor: User, scheme: RandomisationScheme, n_per_stratum: int, seed: int | None = None) -> int:
    """Generate the scheme's permuted-block list from its arms, ratio, block sizes and factors; returns slots."""
    access_require(actor, scheme.study, Perm.RTSM_CONFIGURE)
    _draft(scheme)
    if scheme.method != SchemeMethod.BLOCK_LIST:
        raise ValidationError({"method": _("Only a block-list scheme has a list.")})
    arms, ratio, factors = _list_inputs(scheme)
    if not scheme.block_sizes:
        raise ValidationError({"block_sizes": _("Give the block sizes first.")})
    try:
        generated = permuted_block_list(
            arms, block_sizes=scheme.block_sizes, n_per_stratum=n_per_stratum, ratio=ratio, factors=factors, seed=seed
        )
    except DesignInputError as exc:
        raise ValidationError({exc.parameter: exc.message}) from None
    # The source is audited, and blinded readers see the trail: it must not name the seed (kept in `seed`).
    source = _("Generated: %(n)d per stratum") % {"n": n_per_stratum}
    return _store_list(actor, scheme, generated, source, seed=str(generated.seed))


def list_upload(*, actor: User, scheme: RandomisationScheme, text: str, filename: str) -> int:
    """Load a statistician's own list (CSV: stratum, block, sequence, arm), validated as a whole; all or nothing."""
    access_require(actor, scheme.study, Perm.RTSM_CONFIGURE)
    _draft(scheme)
    if scheme.method != SchemeMethod.BLOCK_LIST:
        raise ValidationError({"method": _("Only a block-list scheme has a list.")})
    arms, ratio, factors = _list_inputs(scheme)
    try:
        loaded = read_list_csv(text, arms, ratio=ratio, factors=factors, block_sizes=scheme.block_sizes or None)
    except ListValidationError as exc:
        raise ValidationError({"list": [str(p) for p in exc.problems]}) from None
    return _store_list(actor, scheme, loaded, _("Uploaded: %(name)s") % {"name": filename[:150]}, seed="")


def _store_list(actor: User, scheme: RandomisationScheme, rl: RandomizationList, source: str, *, seed: str) -> int:
    arm_ids = {a.code: a.pk for a in scheme_arms(scheme.study_id)}
    names = [name for name, _levels in rl.factors]
    width = max(4, len(str(len(rl.rows))))
    with transaction.atomic():
        scheme = RandomisationScheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
        _draft(scheme)
        ListSlot.objects.filter(scheme=scheme).delete()
        Stratum.objects.filter(scheme=scheme).delete()
        strata = {
            s: Stratum.objects.create(scheme=scheme, label=stratum_label(s), levels=dict(zip(names, s, strict=True)))
            for s in rl.strata
        }
        slots = [
            ListSlot(
                scheme=scheme,
                stratum=strata[row.stratum],
                position=row.sequence,
                block=row.block,
                block_size=row.block_size,
                arm_id=arm_ids[row.arm],
                number=f"{scheme.number_prefix}{i:0{width}d}",
            )
            for i, row in enumerate(rl.rows, start=1)
        ]
        bulk_insert_objects(slots)
        old_sha = scheme.list_sha256
        scheme.list_sha256 = hashlib.sha256(list_to_csv(rl).encode()).hexdigest()
        scheme.list_source = source
        scheme.seed = seed
        audited_save(scheme, actor=actor, reason=_("Randomisation list loaded"))
        audit_event(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type=object_type_of(RandomisationScheme),
            object_id=scheme.pk,
            object_repr=str(scheme),
            study_id=scheme.study_id,
            changes={
                "slots": (None, f"{len(slots)} slots, {len(strata)} strata"),
                "list_sha256": (old_sha or None, scheme.list_sha256),  # hidden from blinded readers
            },
            reason=source,
        )
    return len(slots)


def scheme_activate(*, actor: User, scheme: RandomisationScheme, password: str) -> RandomisationScheme:
    """Check the scheme is complete, freeze it and sign it ("I approve"); a dynamic scheme gets its seed here."""
    access_require(actor, scheme.study, Perm.RTSM_CONFIGURE)
    _draft(scheme)
    problems = scheme_problems(scheme)
    if problems:
        raise ValidationError({"status": problems})
    access_require(actor, scheme.study, Perm.SIGN)
    password_confirm(actor, password)  # outside the transaction: a failed attempt stays counted (lockout)
    with transaction.atomic():
        if scheme.method != SchemeMethod.BLOCK_LIST and not scheme.seed:
            scheme.seed = str(check_seed(None))
        scheme.status = SchemeStatus.ACTIVE
        scheme.activated_at = timezone.now()
        audited_save(scheme, actor=actor, reason=_("Scheme activated"))
        signature_apply(actor=actor, password=password, instance=scheme, meaning=SignatureMeaning.APPROVE)
    return scheme


def scheme_problems(scheme: RandomisationScheme) -> list[str]:
    """What keeps a draft scheme from being activated (empty when it is ready)."""
    problems = []
    arms = scheme_arms(scheme.study_id)
    if len(arms) < 2:
        problems.append(_("The study needs at least two arms."))
    factors = scheme_factors(scheme)
    problems += [_("The factor %(name)s has no levels.") % {"name": f.name} for f in factors if not f.levels]
    if scheme.method == SchemeMethod.BLOCK_LIST and not scheme.slots.exists():
        problems.append(_("Generate or upload the randomisation list."))
    if scheme.method == SchemeMethod.MINIMISATION and not factors:
        problems.append(_("Minimisation needs at least one factor."))
    if scheme.method == SchemeMethod.BIASED_COIN and len(arms) != 2:
        problems.append(_("Efron's biased coin is for two arms."))
    if scheme.method == SchemeMethod.BLOCK_LIST and scheme.slots.exists():
        labels = set(scheme.strata.values_list("label", flat=True))
        expected = _expected_strata(factors)
        missing = sorted(expected - labels)
        if missing:
            problems.append(_("The list has no slots for strata: %(s)s") % {"s": _strata_text(missing)})
        problems += _stale_list_problems(scheme, factors, labels, expected)
    if len(arms) >= 2 and all(f.levels for f in factors):
        problems += _allocator_problems(scheme, arms, factors)
    return problems


def _allocator_problems(scheme: RandomisationScheme, arms: list[Arm], factors) -> list[str]:
    """What the dynamic allocator would refuse (p_best for the number of arms, weights, level names): found here,
    before activation, not at the first randomisation."""
    from opencro.stats.randomization import EfronBiasedCoin, Minimisation

    codes = [a.code for a in arms]
    ratio = [a.allocation_ratio for a in arms]
    try:
        if scheme.method == SchemeMethod.MINIMISATION and factors:
            Minimisation(
                codes,
                ratio=ratio,
                factors={f.name: f.levels for f in factors},
                weights={f.name: f.weight for f in factors},
                method=scheme.imbalance,
                p_best=scheme.p_best,
                seed=0,
            )
        elif scheme.method == SchemeMethod.BIASED_COIN and len(arms) == 2:
            EfronBiasedCoin(codes, p=scheme.p_best, seed=0)
            if len(set(ratio)) > 1:
                return [_("Efron's biased coin allocates 1:1; the arms' allocation ratio is not equal.")]
    except DesignInputError as exc:
        return [_("%(parameter)s: %(message)s") % {"parameter": exc.parameter, "message": exc.message}]
    return []


def _stale_list_problems(scheme: RandomisationScheme, factors, labels: set[str], expected: set[str]) -> list[str]:
    """The stored list no longer matches the scheme: block sizes or factors changed after it was loaded.

    The list's block sizes are those found in its slots (a list need not use every allowed size, so only a size
    the scheme no longer allows makes it stale); its strata are the stored labels and factor names.
    """
    again = _("generate or upload it again.")
    problems = []
    found = sorted(set(scheme.slots.values_list("block_size", flat=True)))
    if scheme.block_sizes and not set(found) <= set(scheme.block_sizes):
        problems.append(
            _("The list was made for block sizes %(old)s; the scheme now says %(new)s: %(again)s")
            % {"old": _numbers(found), "new": _numbers(sorted(scheme.block_sizes)), "again": again}
        )
    extra = sorted(labels - expected)
    if extra:
        problems.append(
            _("The list has strata the scheme's factors no longer give: %(s)s: %(again)s")
            % {"s": _strata_text(extra), "again": again}
        )
    stored_names = {name for levels in scheme.strata.values_list("levels", flat=True) for name in levels}
    names = {f.name for f in factors}
    if stored_names != names:
        problems.append(
            _("The list was made for the factors %(old)s; the scheme now has %(new)s: %(again)s")
            % {
                "old": ", ".join(sorted(stored_names)) or _("none"),
                "new": ", ".join(sorted(names)) or _("none"),
                "again": again,
            }
        )
    return problems


def _strata_text(labels: list[str]) -> str:
    """Up to ten stratum labels; the one stratum of an unstratified list has an empty label."""
    return ", ".join(label or _("(unstratified)") for label in labels[:10])


def _numbers(values) -> str:
    return ", ".join(str(v) for v in values)


def _expected_strata(factors) -> set[str]:
    from itertools import product

    return {stratum_label(s) for s in product(*(f.levels for f in factors))}
