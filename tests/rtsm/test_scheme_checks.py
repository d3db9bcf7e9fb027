"""What the scheme services refuse before activation, what the trail keeps from blinded readers, and the page's
form parsing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.models import Signature
from opencro.accounts.permissions import RoleCode
from opencro.rtsm.models import RandomisationScheme, SchemeStatus
from opencro.rtsm.services import scheme as schemes
from opencro.rtsm.views.scheme_forms import bands_of, factor_values, generate_values, levels_of, scheme_values
from opencro.studies import services as studies
from opencro.studies.models import Arm
from tests.conftest import PASSWORD
from tests.rtsm.factories import statistician


def _dynamic(w, method: str, **settings) -> RandomisationScheme:
    actor = statistician(w)
    scheme = schemes.scheme_save(actor=actor, study=w.study, method=method, **settings)
    schemes.factor_save(actor=actor, scheme=scheme, name="sex", source="sex")
    return RandomisationScheme.objects.get(pk=scheme.pk)


@pytest.mark.django_db
def test_a_generated_list_keeps_its_seed_out_of_the_audit_trail(world, client):
    """The trail is read by blinded roles (the auditor): the source text names no seed, the seed is not audited."""
    actor = statistician(world)
    scheme = schemes.scheme_save(actor=actor, study=world.study, method="block_list", block_sizes=[2])
    schemes.list_generate(actor=actor, scheme=scheme, n_per_stratum=4, seed=8675309)
    scheme.refresh_from_db()
    assert scheme.seed == "8675309" and scheme.list_source == "Generated: 4 per stratum"
    client.force_login(world.user(RoleCode.AUDITOR))
    trail = client.get(f"/studies/{world.study.pk}/audit/export.csv")
    assert trail.status_code == 200
    text = b"".join(trail.streaming_content).decode() if trail.streaming else trail.content.decode()
    assert "Randomisation list loaded" in text  # control: the list's loading is in the trail
    assert "8675309" not in text


@pytest.mark.django_db
def test_a_wrong_activation_password_counts_as_a_failed_login(world):
    """The refusal rolls the activation back, not the failed-login record: repeated guesses lock the account."""
    scheme = _dynamic(world, "minimisation")
    actor = statistician(world)
    with pytest.raises(PermissionDenied):
        schemes.scheme_activate(actor=actor, scheme=scheme, password="guess")
    actor.refresh_from_db()
    assert actor.failed_logins == 1
    assert RandomisationScheme.objects.get(pk=scheme.pk).status == SchemeStatus.DRAFT
    assert not Signature.objects.filter(object_id=str(scheme.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("p_best", "refused"), [(0.4, True), (0.5, True), (0.75, False)])
def test_minimisation_p_best_must_exceed_one_over_the_number_of_arms(world, p_best, refused):
    scheme = _dynamic(world, "minimisation", p_best=p_best)
    problems = schemes.scheme_problems(scheme)
    assert any(p.startswith("p_best:") for p in problems) is refused
    if refused:
        with pytest.raises(ValidationError) as exc:
            schemes.scheme_activate(actor=statistician(world), scheme=scheme, password=PASSWORD)
        assert "status" in exc.value.message_dict
        assert RandomisationScheme.objects.get(pk=scheme.pk).status == SchemeStatus.DRAFT
    else:
        assert schemes.scheme_activate(actor=statistician(world), scheme=scheme, password=PASSWORD).status == "active"


@pytest.mark.django_db
def test_minimisation_refuses_repeated_levels_before_activation(world):
    actor = statistician(world)
    scheme = schemes.scheme_save(actor=actor, study=world.study, method="minimisation")
    schemes.factor_save(actor=actor, scheme=scheme, name="ecog", source="entered", levels=["0", "1", "0"])
    assert any("repeated: 0" in p for p in schemes.scheme_problems(scheme))


@pytest.mark.django_db
def test_efrons_coin_refuses_an_unequal_ratio(world):
    scheme = _dynamic(world, "biased_coin", p_best=0.7)
    assert schemes.scheme_problems(scheme) == []
    arm = Arm.objects.get(study=world.study, code="A")
    arm.allocation_ratio = 2
    studies.protocol_item_save(actor=None, instance=arm, reason="2:1")
    assert schemes.scheme_problems(scheme) == [
        "Efron's biased coin allocates 1:1; the arms' allocation ratio is not equal."
    ]


def test_settings_text_becomes_typed_values():
    posted = {
        "method": "minimisation",
        "blinded": "1",
        "block_sizes": "2; 4 ,6",
        "imbalance": "variance",
        "p_best": "0.85",
        "number_prefix": " RX ",
        "require_eligibility": "",
        "require_consent": "on",
    }
    assert scheme_values(posted) == {
        "method": "minimisation",
        "blinded": True,
        "block_sizes": [2, 4, 6],
        "imbalance": "variance",
        "p_best": 0.85,
        "number_prefix": "RX",
        "require_eligibility": False,
        "require_consent": True,
    }
    with pytest.raises(ValidationError) as exc:
        scheme_values(posted | {"block_sizes": "²", "p_best": "high"})
    assert set(exc.value.message_dict) == {"block_sizes", "p_best"}


def test_levels_and_bands_text():
    assert levels_of("F, M\n U ,,") == ["F", "M", "U"]
    errors: dict = {}
    assert bands_of("<65, , 65\n\n65-74, 65, 75.5\n>=75, 75.5,", errors) == [
        ["<65", None, 65],
        ["65-74", 65, 75.5],
        [">=75", 75.5, None],
    ]
    assert errors == {}
    assert bands_of("a, b, c, 1, 2", errors) == [["a, b, c", 1, 2]]  # the level keeps its commas
    bands_of("old, 1", errors)
    assert errors == {"bands": "Line 1: write level, lower, upper (leave a bound empty when open)."}
    errors = {}
    bands_of("ok, 1, 2\nbad, 1, two", errors)
    assert errors["bands"].startswith("Line 2: ")
    with pytest.raises(ValidationError) as exc:
        factor_values({"name": "x", "source": "sex", "weight": "inf", "order": "-1"})
    assert set(exc.value.message_dict) == {"weight", "order"}


@pytest.mark.parametrize(
    ("posted", "expected"),
    [
        ({"n_per_stratum": "12", "seed": ""}, (12, None)),
        ({"n_per_stratum": "1", "seed": str(2**128 - 1)}, (1, 2**128 - 1)),
    ],
)
def test_generate_text(posted, expected):
    assert generate_values(posted) == expected


@pytest.mark.parametrize(
    "posted",
    [
        {"n_per_stratum": "0"},
        {"n_per_stratum": "10001"},
        {"n_per_stratum": "4", "seed": str(2**128)},
        {"n_per_stratum": "4", "seed": "9" * 5000},
        {"n_per_stratum": "4", "seed": "-3"},
    ],
)
def test_generate_text_refused(posted):
    with pytest.raises(ValidationError):
        generate_values(posted)


def _listed(w, *, sizes: list[int], levels: list[str]) -> RandomisationScheme:
    """A draft block-list scheme stratified by sex with the given levels, its list generated."""
    actor = statistician(w)
    scheme = schemes.scheme_save(actor=actor, study=w.study, method="block_list", block_sizes=sizes)
    schemes.factor_save(actor=actor, scheme=scheme, name="sex", source="sex", levels=levels)
    schemes.list_generate(actor=actor, scheme=scheme, n_per_stratum=8, seed=3)
    return RandomisationScheme.objects.get(pk=scheme.pk)


@pytest.mark.django_db
def test_a_list_made_for_other_block_sizes_is_stale(world):
    scheme = _listed(world, sizes=[2], levels=["F", "M"])
    assert schemes.scheme_problems(scheme) == []  # control: the fresh list matches
    actor = statistician(world)
    scheme = schemes.scheme_save(actor=actor, study=world.study, block_sizes=[4, 6])
    assert schemes.scheme_problems(scheme) == [
        "The list was made for block sizes 2; the scheme now says 4, 6: generate or upload it again."
    ]
    with pytest.raises(ValidationError) as refused:
        schemes.scheme_activate(actor=actor, scheme=scheme, password=PASSWORD)
    assert "block sizes 2" in str(refused.value)
    # a size added to those the list used leaves it valid: a list need not use every allowed size
    scheme = schemes.scheme_save(actor=actor, study=world.study, block_sizes=[2, 4])
    assert schemes.scheme_problems(scheme) == []
    scheme = schemes.scheme_save(actor=actor, study=world.study, block_sizes=[4, 6])
    schemes.list_generate(actor=actor, scheme=scheme, n_per_stratum=8, seed=3)
    assert schemes.scheme_problems(RandomisationScheme.objects.get(pk=scheme.pk)) == []  # generated again


@pytest.mark.django_db
def test_a_list_made_for_other_factor_levels_or_factors_is_stale(world):
    scheme = _listed(world, sizes=[2], levels=["F", "M"])
    actor = statistician(world)
    factor = scheme.factors.get(name="sex")
    schemes.factor_save(actor=actor, scheme=scheme, factor=factor, levels=["F", "X"], reason="Level renamed")
    assert schemes.scheme_problems(scheme) == [
        "The list has no slots for strata: X",
        "The list has strata the scheme's factors no longer give: M: generate or upload it again.",
    ]
    schemes.factor_save(actor=actor, scheme=scheme, factor=factor, levels=["F", "M"], name="gender", reason="Renamed")
    assert schemes.scheme_problems(scheme) == [
        "The list was made for the factors sex; the scheme now has gender: generate or upload it again."
    ]
    schemes.factor_delete(actor=actor, factor=factor, reason="Not stratified after all")
    assert schemes.scheme_problems(scheme) == [
        "The list has no slots for strata: (unstratified)",
        "The list has strata the scheme's factors no longer give: F, M: generate or upload it again.",
        "The list was made for the factors sex; the scheme now has none: generate or upload it again.",
    ]
    schemes.list_generate(actor=actor, scheme=scheme, n_per_stratum=8, seed=3)
    assert schemes.scheme_problems(RandomisationScheme.objects.get(pk=scheme.pk)) == []
