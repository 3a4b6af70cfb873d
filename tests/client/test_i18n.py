from datetime import UTC, datetime

import pytest

from banqo_tui import i18n


@pytest.fixture(autouse=True)
def back_to_french():
    yield
    i18n.setup("fr")


def test_french_is_the_source_language():
    i18n.setup("fr")
    assert i18n._("Le serveur BanqO est injoignable. Vérifiez la connexion et réessayez.").startswith("Le serveur")
    assert i18n.http_language() == "fr-CA"


def test_english_catalogue_is_used_when_chosen():
    i18n.setup("en")
    assert i18n.http_language() == "en-CA"
    assert i18n._("Le serveur BanqO est injoignable. Vérifiez la connexion et réessayez.") == (
        "The BanqO server cannot be reached. Check the connection and try again."
    )


def test_money_and_numbers_follow_the_language():
    i18n.setup("fr")
    assert i18n.format_money(11498).replace("\u202f", " ").replace("\xa0", " ") == "114,98 $"
    assert i18n.format_number(1234).replace("\u202f", " ").replace("\xa0", " ") == "1 234"
    i18n.setup("en")
    assert i18n.format_money(11498) == "$114.98"


def test_dates_are_written_in_the_language():
    moment = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    i18n.setup("fr")
    assert "nov." in i18n.format_date(moment)
    i18n.setup("en")
    assert "Nov" in i18n.format_date(moment)


def test_french_plural_takes_the_singular_for_zero():
    i18n.setup("fr")
    assert i18n.ngettext("{n} objectif", "{n} objectifs", 0) == "{n} objectif"
    assert i18n.ngettext("{n} objectif", "{n} objectifs", 2) == "{n} objectifs"
