"""The coding pages: the queue and dictionary browser, synonyms, upgrades and the report."""

import pytest

from opencro.coding.models import CodedTerm, DictionaryTerm, DictionaryUpgrade, Synonym
from tests.coding.test_coding import save_ae, term_of

pytestmark = pytest.mark.django_db


def url(world, rest: str = "") -> str:
    return f"/studies/{world.study.pk}/coding/{rest}"


def test_nav_link_only_for_coding_roles(coding_world, login):
    coder = login(coding_world.users["medical_coder"]).get(f"/studies/{coding_world.study.pk}/")
    assert f'href="/studies/{coding_world.study.pk}/coding/"' in coder.content.decode()
    client = login(coding_world.users["data_manager"])
    assert (
        f'href="/studies/{coding_world.study.pk}/coding/"'
        not in client.get(f"/studies/{coding_world.study.pk}/").content.decode()
    )
    assert client.get(url(coding_world)).status_code == 403


def test_queue_browser_and_coding_with_synonym(coding_world, login):
    w = coding_world
    form = save_ae(w, ["Pounding head", "pounding HEAD", "Headache"]).form
    client = login(w.users["medical_coder"])
    page = client.get(url(w)).content.decode()
    assert "Pounding head" in page and 'data-testid="uncoded-count">2<' in page
    chosen = term_of(form, 1)
    browser = client.get(url(w, f"?term={chosen.pk}&q=headache")).content.decode()
    assert 'data-testid="coding-browser"' in browser
    assert "Tension headache" in browser and "Nervous system conditions" in browser
    headache = DictionaryTerm.objects.get(dictionary=w.dictionaries.meddra_26, code="940000001")
    response = client.post(
        url(w, f"terms/{chosen.pk}/code/"), {"dictionary_term": headache.pk, "identical": "1", "synonym": "1"}
    )
    assert response.status_code == 302 and response["Location"] == url(w)
    assert list(CodedTerm.objects.filter(form=form).order_by("group_repeat").values_list("code", "method")) == [
        ("940000001", "manual"),
        ("940000001", "manual"),
        ("940000001", "exact"),
    ]
    assert Synonym.objects.get().verbatim == "Pounding head"
    followed = client.get(url(w)).content.decode()
    assert "Nothing to code." in followed and 'data-testid="uncoded-count">0<' in followed
    assert followed.count("/approve/") == 3


def test_a_bad_choice_comes_back_as_a_message(coding_world, login):
    w = coding_world
    term = term_of(save_ae(w, ["Pounding head"]).form)
    client = login(w.users["medical_coder"])
    response = client.post(url(w, f"terms/{term.pk}/code/"), {"dictionary_term": "99999999999999999999"}, follow=True)
    assert "Choose a dictionary term." in response.content.decode()
    noncurrent = DictionaryTerm.objects.get(dictionary=w.dictionaries.meddra_26, code="950000012")
    response = client.post(url(w, f"terms/{term.pk}/code/"), {"dictionary_term": noncurrent.pk}, follow=True)
    assert "not current" in response.content.decode()
    assert CodedTerm.objects.get(pk=term.pk).status == "uncoded"


def test_clarify_and_approve_from_the_page(coding_world, login):
    w = coding_world
    form = save_ae(w, ["Bad thing", "Headache"]).form
    client = login(w.users["medical_coder"])
    response = client.post(url(w, f"terms/{term_of(form, 1).pk}/clarify/"), {"text": "Which symptom?"})
    assert response.status_code == 302
    assert term_of(form, 1).status == "clarification"
    client.post(url(w, f"terms/{term_of(form, 2).pk}/approve/"), {})
    assert term_of(form, 2).status == "approved"


def test_synonyms_page_and_withdrawal(coding_world, login):
    w = coding_world
    term = term_of(save_ae(w, ["Pounding head"]).form)
    client = login(w.users["medical_coder"])
    headache = DictionaryTerm.objects.get(dictionary=w.dictionaries.meddra_26, code="940000001")
    client.post(url(w, f"terms/{term.pk}/code/"), {"dictionary_term": headache.pk, "synonym": "1"})
    synonym = Synonym.objects.get()
    assert "Pounding head" in client.get(url(w, "synonyms/")).content.decode()
    client.post(url(w, f"synonyms/{synonym.pk}/delete/"), {"reason": ""})
    assert Synonym.objects.exists()  # a reason is required
    client.post(url(w, f"synonyms/{synonym.pk}/delete/"), {"reason": "too broad"})
    assert not Synonym.objects.exists()


def test_upgrade_from_the_page_shows_the_report(coding_world, login):
    w = coding_world
    save_ae(w, ["Spinning sensation", "Throwing up"])
    client = login(w.users["medical_coder"])
    page = client.get(url(w, "upgrades/")).content.decode()
    assert "MedDRA 27.0 English" in page and 'name="dictionary"' in page
    response = client.post(url(w, "upgrades/"), {"dictionary": w.dictionaries.meddra_27.pk, "reason": "yearly"})
    upgrade = DictionaryUpgrade.objects.get()
    assert response["Location"] == url(w, f"upgrades/{upgrade.pk}/")
    report = client.get(response["Location"]).content.decode()
    assert "LLT moved to another PT" in report and "Vertigo (940000005)" in report
    assert "LLT no longer current" in report and "Back to the queue" in report
    again = client.post(url(w, "upgrades/"), {"dictionary": w.dictionaries.meddra_27.pk}, follow=True)
    assert "already in force" in again.content.decode()


def test_a_coder_restricted_to_a_site_sees_only_its_verbatims(coding_world, login):
    from opencro.accounts import services as accounts
    from tests.conftest import make_user

    w = coding_world
    save_ae(w, ["Alpha ache"])
    other = term_of(save_ae(w, ["Beta ache"], subject=w.subject_b, user=None).form)
    restricted = make_user("coder-a1")
    accounts.membership_grant(
        actor=w.admin, user=restricted, study=w.study, role_code="medical_coder", sites=[w.site_a]
    )
    client = login(restricted)
    page = client.get(url(w)).content.decode()
    assert "Alpha ache" in page and "Beta ache" not in page
    assert client.get(url(w, f"?term={other.pk}")).status_code == 404
    assert client.post(url(w, f"terms/{other.pk}/clarify/"), {"text": "x"}).status_code == 404
    assert "upgrade-to" not in client.get(url(w, "upgrades/")).content.decode()  # an upgrade needs every site
