"""Facility keys and country codes of ClinicalTrials.gov sites."""

import pytest

from opencro.formats.ctgov import Facility, country_code, country_name, facility_key, fold, is_anonymous_key


def test_fold_drops_case_accents_and_punctuation():
    assert fold("  Hôpital  Saint-Louis (AP-HP) ") == "hopital saint louis ap hp"
    assert fold("İzmir") == "izmir"


def test_the_same_site_spelt_two_ways_has_one_key():
    a = facility_key(Facility("Hôpital Saint-Louis", "Paris", "Île-de-France", "75010", "France"))
    b = facility_key(Facility("HOPITAL SAINT LOUIS", "paris", "", "", "France"))
    assert a == b == "hopital saint louis|paris|france"
    assert not is_anonymous_key(a)


def test_a_site_without_a_name_is_keyed_by_place():
    key = facility_key(Facility("", "Birmingham", "Alabama", "", "United States"))
    assert key == "~|birmingham|united states" and is_anonymous_key(key)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("United States", "US"),
        ("korea, republic of", "KR"),
        ("Iran, Islamic Republic of", "IR"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Türkiye", "TR"),
        ("Réunion", "RE"),
        ("Atlantis", ""),
    ],
)
def test_country_codes(name, code):
    assert country_code(name) == code


def test_country_name_of_a_code():
    assert country_name("fr") == "France"
    assert country_name("US") == "United States"
    assert country_name("ZZ") == ""
