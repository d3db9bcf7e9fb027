"""The page a candidate site answers the questionnaire on: no account, a secret link.

The page shows only the questionnaire's title, introduction and questions (no protocol number, sponsor or other
candidates). It accepts answers once, before the invitation expires; after that it shows them read-only. An
unknown token answers 404, the same for every wrong token. Answer fields are named by the question's place
(`answer-1`, `answer-2`, ...), not its id.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from opencro.sites.models import InvitationStatus
from opencro.sites.services.feasibility import invitation_answer, invitation_by_token
from opencro.sites.views._forms import errors_of, text


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def respond(request, token: str):
    invitation = invitation_by_token(token)
    if invitation is None:
        raise Http404(_("This link is not valid."))
    questions = list(invitation.questionnaire.questions.all())
    errors: dict = {}
    given: dict[int, str] = {}
    status = invitation.status_at(timezone.now())
    if request.method == "POST":
        given = {q.pk: text(request.POST, f"answer-{q.order}") for q in questions}
        try:
            invitation_answer(token=token, respondent=text(request.POST, "respondent", 200), values=given)
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            return redirect("feasibility_respond", token=token)
    answers = {a.question_id: a.value for a in invitation.answers.all()}
    rows = [
        {
            "question": q,
            "name": f"answer-{q.order}",
            "value": answers.get(q.pk, given.get(q.pk, "")),
            "errors": errors.get(f"q{q.pk}", []),
            "labels": [label for label, _points in q.choices],
        }
        for q in questions
    ]
    context = {
        "invitation": invitation,
        "questionnaire": invitation.questionnaire,
        "rows": rows,
        "answered": status == InvitationStatus.ANSWERED,
        "expired": status == InvitationStatus.EXPIRED,
        "errors": {k: v for k, v in errors.items() if not k.startswith("q") or not k[1:].isdigit()},
        "respondent": text(request.POST, "respondent", 200) if request.method == "POST" else "",
    }
    return render(request, "sites/respond.html", context)
