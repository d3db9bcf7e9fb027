"""My notifications: the page, the count in the navigation, marking read, and the API; each user's own only."""

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.notices.models import Notice
from opencro.notices.services import notice_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(world) -> dict[str, Notice]:
    """Two notices for the safety physician (one pointing at the study's subjects), one for the monitor."""
    physician, monitor = world.users[RoleCode.SAFETY_PHYSICIAN], world.users[RoleCode.MONITOR]
    subjects_url = f"/studies/{world.study.pk}/subjects/"

    def send(user, title: str, url: str = "") -> Notice:
        [notice] = notice_send(users=[user], study=world.study, kind="test.kind", title=title, body="b", url=url)
        return notice

    return {
        "first": send(physician, "First for physician", subjects_url),
        "second": send(physician, "Second for physician"),
        "monitor": send(monitor, "For the monitor"),
    }


def test_the_page_lists_only_my_notices_and_the_navigation_counts_the_unread(world, notices, login):
    client = login(world.users[RoleCode.SAFETY_PHYSICIAN])
    page = client.get("/notices/").content.decode()
    assert "First for physician" in page and "Second for physician" in page
    assert "For the monitor" not in page
    assert 'data-testid="nav-unread">2<' in page
    study_page = client.get(f"/studies/{world.study.pk}/").content.decode()
    assert 'data-testid="nav-unread">2<' in study_page


def test_marking_one_read_and_opening_it(world, notices, login):
    client = login(world.users[RoleCode.SAFETY_PHYSICIAN])
    response = client.post(f"/notices/{notices['second'].pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/notices/"
    opened = client.post(f"/notices/{notices['first'].pk}/read/", {"open": "1"})
    assert opened["Location"] == f"/studies/{world.study.pk}/subjects/"
    assert not Notice.objects.filter(user=world.users[RoleCode.SAFETY_PHYSICIAN], read_at__isnull=True).exists()
    assert 'data-testid="nav-unread"' not in client.get("/notices/").content.decode()
    assert client.get(f"/notices/{notices['first'].pk}/read/").status_code == 405


def test_someone_elses_notice_is_404_and_stays_unread(world, notices, login):
    client = login(world.users[RoleCode.SAFETY_PHYSICIAN])
    assert client.post(f"/notices/{notices['monitor'].pk}/read/").status_code == 404
    assert client.post(f"/api/v1/notices/{notices['monitor'].pk}/read").status_code == 404
    assert Notice.objects.get(pk=notices["monitor"].pk).read_at is None


def test_mark_all_read_on_the_page(world, notices, login):
    client = login(world.users[RoleCode.SAFETY_PHYSICIAN])
    assert client.post("/notices/read-all/").status_code == 302
    assert Notice.objects.filter(read_at__isnull=True).get() == notices["monitor"]


def test_the_api_lists_and_marks_my_notices(world, notices, client):
    client.force_login(world.users[RoleCode.SAFETY_PHYSICIAN])
    listed = client.get("/api/v1/notices").json()
    assert listed["count"] == 2
    assert [n["title"] for n in listed["items"]] == ["Second for physician", "First for physician"]
    marked = client.post(f"/api/v1/notices/{notices['first'].pk}/read").json()
    assert marked["id"] == notices["first"].pk and marked["read_at"] is not None
    unread = client.get("/api/v1/notices?unread=true").json()["items"]
    assert [n["title"] for n in unread] == ["Second for physician"]
    assert client.post("/api/v1/notices/read-all").json() == {"marked": 1}
    assert client.get("/api/v1/notices?unread=true").json()["count"] == 0


def test_anonymous_users_get_nothing(world, notices, client):
    assert client.get("/api/v1/notices").status_code == 401
    assert client.get("/notices/")["Location"].startswith("/accounts/login/")
