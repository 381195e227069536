"""The shared field validators: what they accept, how they store it, what they say."""
from datetime import time

import pytest

from app.platform.form_fields import parse_clock
from app.platform.validation import (
    ValidationError,
    business_id_check_digit,
    clean_text,
    format_phone_fi,
    normalise_business_id,
    normalise_email,
    normalise_phone,
    normalise_postal_code,
    normalise_website,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("040 123 4567", "+358401234567"),
        ("0401234567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("00358 40 123 4567", "+358401234567"),
        ("(017) 262 1234", "+358172621234"),
        ("017-262 1234", "+358172621234"),
        ("0800 123 456", "+358800123456"),
        ("+46 8 123 456 78", "+46812345678"),
    ],
)
def test_phone_is_stored_as_e164(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["", "   ", "123", "040", "puhelin", "+358 40 123 4567 8901 23", "017 930 3030"])
def test_invalid_phone_is_refused_with_an_example(typed):
    with pytest.raises(ValidationError) as error:
        normalise_phone(typed)
    assert "040 123 4567" in error.value.message or error.value.message == "Anna puhelinnumero."


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+358401234567", "040 123 4567"),
        ("+358501234567", "050 123 4567"),
        ("+358172621234", "017 262 1234"),
        ("+35891234567", "09 123 4567"),
        ("+358800123456", "0800 123 456"),
        ("+3582012345", "020 12 345"),
        ("+46812345678", "+46 8 123 456 78"),
        ("not a number", "not a number"),
    ],
)
def test_phone_is_shown_in_finnish_format(stored, shown):
    assert format_phone_fi(stored) == shown


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Matti.Meikalainen@Esimerkki.FI", "matti.meikalainen@esimerkki.fi"),
        ("  info@esimerkki.fi ", "info@esimerkki.fi"),
        # A domain in any letters is sent as its xn-- form.
        ("aiti@ESIMERKKI-Ä.fi", "aiti@esimerkki-ä.fi"),
        # Full-width letters and at-sign are the same mailbox to a mail server (NFKC).
        ("\uff53ihteeri\uff20\uff45simerkki.fi", "sihteeri@esimerkki.fi"),
    ],
)
def test_email_is_lower_cased(typed, stored):
    assert normalise_email(typed) == stored


@pytest.mark.parametrize("typed", ["matti", "matti@", "@esimerkki.fi", "matti@esimerkki", "matti @esimerkki.fi", "a@b@c.fi"])
def test_invalid_email_is_refused(typed):
    with pytest.raises(ValidationError, match="Sähköpostiosoite ei ole kelvollinen"):
        normalise_email(typed)


@pytest.mark.parametrize("typed", ["äiti@esimerkki.fi", "Åsa.Öberg@example.fi", "用户@example.fi"])
def test_letters_beyond_ascii_before_the_at_sign_are_refused(typed):
    # smtplib cannot send to them without SMTPUTF8, which the mail server and every hop must offer.
    with pytest.raises(ValidationError, match="Ennen @-merkkiä"):
        normalise_email(typed)


def test_empty_email_asks_for_one():
    with pytest.raises(ValidationError, match="Anna sähköpostiosoite"):
        normalise_email("")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://esimerkki.fi/yhdistys", "https://esimerkki.fi/yhdistys"),
        ("http://esimerkki.fi", "http://esimerkki.fi"),
        ("www.esimerkki.fi", "https://www.esimerkki.fi"),
        ("  esimerkki.fi/sivu?a=1 ", "https://esimerkki.fi/sivu?a=1"),
    ],
)
def test_website_is_http_or_https(typed, stored):
    assert normalise_website(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["javascript:alert(1)", "ftp://esimerkki.fi", "data:text/html,x", "https://esimerkki", "https://esi merkki.fi", "mailto:a@b.fi", "https://"],
)
def test_other_addresses_are_refused(typed):
    with pytest.raises(ValidationError, match="http:// tai https://"):
        normalise_website(typed)


def test_too_long_website_is_refused():
    with pytest.raises(ValidationError, match="liian pitkä"):
        normalise_website("https://esimerkki.fi/" + "a" * 300)


@pytest.mark.parametrize(("first_seven", "check"), [("1234567", 1), ("7654321", 2), ("0737546", 2), ("1572860", 0)])
def test_business_id_check_digit(first_seven, check):
    assert business_id_check_digit(first_seven) == check


@pytest.mark.parametrize(("typed", "stored"), [("1234567-1", "1234567-1"), (" 0737546-2 ", "0737546-2"), ("737546-2", "0737546-2")])
def test_valid_business_id(typed, stored):
    assert normalise_business_id(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1234567-2", "tarkistusmerkki ei täsmää"),
        ("1234567", "muoto on 1234567-8"),
        ("12345678-1", "muoto on 1234567-8"),
        ("abcdefg-1", "muoto on 1234567-8"),
        # 1234568 has remainder 1: no check digit can make it valid.
        ("1234568-0", "tarkistusmerkki ei täsmää"),
    ],
)
def test_invalid_business_id(typed, message):
    assert business_id_check_digit("1234568") is None
    with pytest.raises(ValidationError, match=message):
        normalise_business_id(typed)


@pytest.mark.parametrize(("typed", "stored"), [("70100", "70100"), (" 00100 ", "00100"), ("70 100", "70100")])
def test_valid_postal_code(typed, stored):
    assert normalise_postal_code(typed) == stored


@pytest.mark.parametrize("typed", ["7010", "701000", "7010A", "", "FI-70100"])
def test_invalid_postal_code(typed):
    with pytest.raises(ValidationError, match="viisi numeroa"):
        normalise_postal_code(typed)


def test_clean_text_trims_and_limits():
    assert clean_text("  Kokoontuu tiistaisin  ", 30) == "Kokoontuu tiistaisin"
    assert clean_text(None, 10) == ""
    assert clean_text("a" * 10, 10) == "a" * 10
    with pytest.raises(ValidationError) as error:
        clean_text("a" * 11, 10)
    assert error.value.message == "Teksti on liian pitkä: 11 merkkiä, enintään 10."
    with pytest.raises(ValidationError, match="pakollinen"):
        clean_text("   ", 10, required=True)


@pytest.mark.parametrize(("typed", "clock"), [
    ("13:00", time(13, 0)), ("9.30", time(9, 30)), (" 09:05 ", time(9, 5)), ("10", time(10, 0)), ("0", time(0, 0)),
    ("23.59", time(23, 59)),
])
def test_a_time_of_day_is_read_as_staff_type_it(typed, clock):
    assert parse_clock(typed) == clock


@pytest.mark.parametrize("typed", ["", None, "24", "25:00", "13.60", "13.5", "13,30", "1300", "kymmenen", "-1"])
def test_anything_else_is_no_time_of_day(typed):
    assert parse_clock(typed) is None
