"""The browser harness itself: it must notice what the page tests assert never happens."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clean_page_has_no_problems(browse):
    response = browse.goto("/accounts/login/")
    assert response.status == 200
    browse.assert_clean()


def test_requests_to_other_hosts_are_recorded_and_never_sent(browse):
    browse.page.set_content('<img src="https://cdn.example.com/logo.png"><p>x</p>')
    browse.page.wait_for_load_state("load")
    assert browse.foreign_requests == ["https://cdn.example.com/logo.png"]
    with pytest.raises(AssertionError):
        browse.assert_clean()


def test_console_errors_and_uncaught_exceptions_are_recorded(browse):
    browse.goto("/accounts/login/")
    browse.page.evaluate("console.error('broken widget')")
    browse.page.evaluate("setTimeout(() => { throw new Error('uncaught in page'); }, 0)")
    browse.page.wait_for_timeout(200)
    assert any("broken widget" in m for m in browse.console_errors)
    assert any("uncaught in page" in m for m in browse.page_errors)


def test_error_responses_and_csp_violations_are_recorded(browse):
    browse.goto("/accounts/login/")
    browse.goto("/no-such-page/")
    assert any(m.startswith("404 ") for m in browse.bad_responses)
    browse.goto("/accounts/login/")
    # the Content-Security-Policy refuses an inline script; Chromium reports it on the console
    browse.page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=alert(1)>')")
    browse.page.wait_for_timeout(200)
    assert any("Content Security Policy" in m for m in browse.console_errors)
