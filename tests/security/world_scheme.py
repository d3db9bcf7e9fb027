"""What the matrix's scheme and report rows need in the world: the study's randomisation scheme, active.

The scheme is a Pocock-Simon minimisation stratified by site (no list, so no slot holds on to the arm
{arms} that the protocol rows change and delete), activated and signed by the unblinded statistician. Being
active, it refuses every configuration write: the statistician's sweep gets the service's refusal (422 from the
API, the page re-rendered with the error), every other role 403, so no row depends on the order of the others.
`{rtsm_factor}` names its factor. Nobody is randomised: the matrix's subject lists keep their two subjects.
"""

from opencro.accounts.permissions import RoleCode
from opencro.rtsm.models import RandomisationScheme, StratificationFactor
from opencro.rtsm.services import scheme as schemes
from tests.conftest import PASSWORD, World


def scheme_data(w: World) -> None:
    actor = w.users[RoleCode.UNBLINDED_STATISTICIAN]
    scheme = RandomisationScheme.objects.filter(study=w.study).first()
    if scheme is None:  # another part of the world may have made the study's one scheme already
        scheme = schemes.scheme_save(actor=actor, study=w.study, method="minimisation", p_best=0.8)
        schemes.factor_save(actor=actor, scheme=scheme, name="site", label="Site", source="site")
        scheme = schemes.scheme_activate(
            actor=actor, scheme=RandomisationScheme.objects.get(pk=scheme.pk), password=PASSWORD
        )
    factor = StratificationFactor.objects.filter(scheme=scheme).order_by("pk").first()
    assert factor is not None and scheme.status == "active", "the scheme rows need an active scheme with a factor"
    w.ids["rtsm_factor"] = factor.pk
