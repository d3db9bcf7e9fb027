"""Every page reachable from the navigation renders cleanly for each kind of user of the demo study.

Clean means: HTTP 200, no JavaScript console error or uncaught exception, no failed request and no
request to any host but the server's own (all assets are vendored). Blinding and site scoping are
checked on the subject page as each role sees it. The screenshots in docs/img/ come from here.
"""

import re
from collections import Counter
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from opencro.demo import data
from opencro.demo.closeout_study.data import PROTOCOL as CLOSED_PROTOCOL
from opencro.studies.models import Study

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SKIP_PREFIXES = ("/static/", "/api/", "/i18n/", "/accounts/logout/")
MAX_PAGES = 300
PER_SHAPE = 2  # pages of one shape (same path but for ids) visited: /edc/subjects/3/ and /7/, not all
AUDIT_RECORD = re.compile(r"/audit/[a-z_]+\.[a-z_]+/")  # one record's history: one page per model is enough
DOWNLOAD_SUFFIXES = (".csv", ".json", ".xml", ".pdf", ".zip", ".xpt", ".txt")


def _links(page) -> list[tuple[str, bool]]:
    """Each link's absolute URL and whether it is a file to download rather than a page."""
    script = "els => els.map(e => [e.href, e.hasAttribute('download')])"
    return [(h, d) for h, d in page.locator("header a[href], main a[href]").evaluate_all(script) if h]


def _shape(target: str, download: bool) -> str:
    """Paths of one shape differ only by ids; a record's audit exports are one shape whatever the model."""
    shape = re.sub(r"\d+", "#", target)
    return AUDIT_RECORD.sub("/audit/*/", shape) if download else shape


def crawl(
    browse,
    start: str = "/studies/",
    within: tuple[str, ...] = (),
    avoid: tuple[str, ...] = (),
    per_shape: int = PER_SHAPE,
) -> list[str]:
    """Visit the same-site pages linked from the navigation and the pages they lead to; return their paths.

    Of pages that differ only by ids (one per site, subject, …) the first `per_shape` are visited. `within`: only
    paths under these prefixes are followed (the parts of the product where what this role sees differs); `avoid`:
    paths under these prefixes are not. Download links are fetched (they must answer 200) but not opened as pages.
    """
    origin = urlsplit(browse.base_url).netloc
    queue, seen, shapes = [start], {start}, Counter()
    visited, linked_from = [], {start: "(start)"}
    while queue:
        path = queue.pop(0)
        response = browse.goto(path)
        status = response and response.status
        assert status == 200, f"{path} (linked from {linked_from[path]}): {status}"
        browse.page.wait_for_load_state("load")
        visited.append(path)
        assert len(visited) <= MAX_PAGES, "the crawl does not converge:\n" + "\n".join(visited)
        for href, download in _links(browse.page):
            parts = urlsplit(href)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.netloc != origin or parts.path.startswith(SKIP_PREFIXES) or target in seen:
                continue
            if (within and not parts.path.startswith(within)) or (avoid and parts.path.startswith(avoid)):
                continue
            seen.add(target)
            linked_from[target] = path
            download = download or parts.path.endswith(DOWNLOAD_SUFFIXES)
            shape = _shape(target, download)
            shapes[shape] += 1
            if shapes[shape] > (1 if AUDIT_RECORD.search(target) else per_shape):
                continue
            if download:
                fetched = browse.page.request.get(href)
                assert fetched.status == 200, f"{target} (linked from {path}): {fetched.status}"
                visited.append(target)
            else:
                queue.append(target)
    return visited


def _nav(page) -> list[str]:
    return [t.strip() for t in page.locator("nav.mainnav a").all_inner_texts()]


def _column(page, header: str) -> list[str]:
    headers = [t.strip() for t in page.locator("main table thead th").all_inner_texts()]
    index = headers.index(header)
    return [t.strip() for t in page.locator(f"main table tbody tr td:nth-child({index + 1})").all_inner_texts()]


@pytest.fixture
def demo(browse, demo_study) -> int:
    return demo_study


def _closed_study() -> str:
    """The second, closed-out study's pages: of the same shapes as the first's, only its close-out reads differently."""
    return f"/studies/{Study.objects.get(protocol_number=CLOSED_PROTOCOL).pk}/"


def check_project_manager_pages(browse, demo):
    closed = _closed_study()
    browse.goto("/accounts/login/")
    browse.screenshot("login")
    browse.login("pm", data.DEMO_PASSWORD)
    browse.screenshot("study-list")
    visited = crawl(browse, avoid=(closed,))
    closing = crawl(browse, f"{closed}closeout/", within=(f"{closed}closeout/",))
    assert len(closing) > 10, closing  # the close-out page and its ten signed steps
    assert {
        f"/studies/{demo}/",
        f"/studies/{demo}/protocol/",
        f"/studies/{demo}/sites/",
        f"/studies/{demo}/subjects/",
        f"/studies/{demo}/audit/",
        "/accounts/preferences/",
    } <= set(visited)
    assert any(p.startswith(f"/studies/{demo}/audit/studies.site/") for p in visited)
    assert any(p.startswith(f"/accounts/sign/{demo}/") for p in visited)

    page = browse.page
    browse.goto(f"/studies/{demo}/")
    assert {"Studies", "Dashboard", "Protocol", "Sites", "Subjects", "Audit trail"} <= set(_nav(page))
    sites_card = page.locator(".card").filter(has=page.locator(".lbl", has_text="Sites")).locator(".num")
    assert sites_card.inner_text().strip() == str(len(data.SITES))
    by_status = page.locator("h2:has-text('Sites by status') + table td").all_inner_texts()
    assert sum(int(n) for n in by_status) == len(data.SITES), "sites by status must add up to the sites"
    browse.screenshot("dashboard")
    browse.goto(f"/studies/{demo}/protocol/")
    soa = page.locator("[data-testid=soa]")
    expect(soa.locator("td.mark", has_text="X").first).to_be_visible()
    assert soa.locator("thead th.visit").count() >= 5
    browse.screenshot("protocol")
    browse.goto(f"/studies/{demo}/sites/")
    assert len(_column(page, "Site")) == len(data.SITES)
    browse.screenshot("sites")
    browse.goto(f"/studies/{demo}/subjects/")
    assert "Arm" not in [t.strip() for t in page.locator("main table thead th").all_inner_texts()]
    _enrolment_page(browse, demo)
    _startup_and_followup_pages(browse, demo)
    browse.assert_clean()


def _enrolment_page(browse, demo) -> None:
    """The enrolment forecast of the demo (mid-recruitment): chart with its band, every site, the what-if."""
    page = browse.page
    browse.goto(f"/studies/{demo}/enrolment/?as_of={data.DATA_CUTOFF.isoformat()}")
    chart = page.locator("[data-testid=enrolment-chart] svg")
    expect(chart.locator("polygon")).to_have_count(1)  # the forecast's 90 % band
    assert page.locator("[data-testid=sites] tbody tr").count() == len(data.SITES)
    expect(page.locator("[data-testid=median-date]")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    browse.screenshot("recruitment-enrolment")
    page.locator("[data-testid=what-if-form]").evaluate("form => form.closest('details').open = true")
    page.fill("[name=add_sites]", "6")
    page.fill("[name=add_country]", "PL")
    page.fill("[name=add_on]", "2027-02-01")
    with page.expect_navigation():
        page.click("[data-testid=what-if-form] button")
    expect(page.locator("[data-testid=what-if-median]")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))


def _startup_and_followup_pages(browse, demo) -> None:
    """The start-up dashboard, a site still blocked, the visit calendar and retention, for their guides."""
    from opencro.studies.models import Site

    page = browse.page
    browse.goto(f"/studies/{demo}/startup/")
    expect(page.locator("main svg").first).to_be_visible()
    browse.screenshot("startup-dashboard")
    blocked = Site.objects.get(study_id=demo, number="103")
    browse.goto(f"/studies/{demo}/startup/sites/{blocked.pk}/")
    expect(page.locator("main")).to_contain_text("103")
    browse.screenshot("startup-site")
    browse.goto(f"/studies/{demo}/followup/")
    expect(page.locator("main table").first).to_be_visible()
    browse.screenshot("followup-calendar")
    browse.goto(f"/studies/{demo}/followup/retention/")
    expect(page.locator("main svg").first).to_be_visible()
    bars = page.locator("main svg rect.bar")
    drawn = bars.evaluate_all("els => els.map(e => [e.getBoundingClientRect().height, +e.getAttribute('height')])")
    assert max(h for h, _ in drawn) > 40  # a bar is drawn as tall as its value (no page style squashes it)
    assert all(abs(h - want) < 1.5 for h, want in drawn)
    browse.screenshot("followup-retention")


def check_site_restricted_investigator_pages(browse, demo):
    closed = _closed_study()
    browse.login("inv", data.DEMO_PASSWORD)
    visited = crawl(browse, avoid=(closed,), per_shape=1)  # the project manager's crawl saw two of each shape
    assert f"/studies/{demo}/subjects/" in visited
    assert f"/studies/{demo}/audit/" not in visited  # investigators do not read the audit trail
    page = browse.page
    browse.goto(f"/studies/{demo}/sites/")
    assert _column(page, "Site") == ["101"]
    browse.goto(f"/studies/{demo}/subjects/")
    sites = _column(page, "Site")
    assert sites and set(sites) == {"101"}
    assert "Arm" not in [t.strip() for t in page.locator("main table thead th").all_inner_texts()]
    browse.assert_clean()


def check_blinded_biostatistician_sees_no_arm(browse, demo):
    closed = _closed_study()
    browse.login("stat", data.DEMO_PASSWORD)
    visited = crawl(browse, avoid=(closed,), per_shape=1)
    assert f"/studies/{demo}/audit/" not in visited  # no audit.view: the audit trail would show assignments
    assert f"/studies/{demo}/subjects/" in visited
    page = browse.page
    browse.goto(f"/studies/{demo}/subjects/")
    headers = [t.strip() for t in page.locator("main table thead th").all_inner_texts()]
    assert "Subject" in headers
    assert "Arm" not in headers and "Randomisation no." not in headers
    assert len({*_column(page, "Site")}) > 1  # all sites
    arm_codes = {a[0] for a in data.ARMS}
    cells = {t.strip() for t in page.locator("main table tbody td").all_inner_texts()}
    assert not cells & arm_codes
    browse.screenshot("subjects-blinded")
    browse.assert_clean()


def check_unblinded_statistician_sees_arm(browse, demo):
    browse.login("ustat", data.DEMO_PASSWORD)
    # the pages an unblinded role reads differently from the blinded statistician's whole crawl above
    unblinded = tuple(f"/studies/{demo}/{part}/" for part in ("subjects", "rtsm", "analysis", "safety"))
    visited = crawl(browse, f"/studies/{demo}/subjects/", within=unblinded)
    assert any(p.startswith(f"/studies/{demo}/rtsm/") for p in visited)
    page = browse.page
    browse.goto(f"/studies/{demo}/subjects/")
    arms = _column(page, "Arm")
    arm_codes = {a[0] for a in data.ARMS}
    assert set(arms) - {""} == arm_codes  # screened subjects not yet randomised have no arm
    browse.screenshot("subjects-unblinded")
    browse.assert_clean()


def check_system_administrator_pages(browse, demo):
    browse.login("admin", data.DEMO_PASSWORD)
    # an administrator's study role reads a subset of the project manager's pages: crawl what is theirs alone
    visited = crawl(browse, "/accounts/users/", within=("/accounts/", "/partners/", f"/studies/{demo}/team/"))
    assert "/accounts/users/" in visited and len(visited) > 3
    browse.assert_clean()


def test_pages_by_role(browse, demo):
    """One demo load (it enters a whole study's eCRF data) serves every role's walk."""
    for check in (
        check_project_manager_pages,
        check_site_restricted_investigator_pages,
        check_blinded_biostatistician_sees_no_arm,
        check_unblinded_statistician_sees_arm,
        check_system_administrator_pages,
    ):
        browse.page.context.clear_cookies()
        check(browse, demo)
