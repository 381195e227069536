"""Field validators shared by the importer and the edit forms.

Each function takes the raw value a person typed (or a file held), returns the
value in the form it is stored in, and raises `ValidationError` with a plain
Finnish message that can be shown next to the field.
"""
import re
import unicodedata
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

DEFAULT_PHONE_REGION = "FI"
BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
BUSINESS_ID_PATTERN = re.compile(r"^([0-9]{7})-([0-9])$")
POSTAL_CODE_PATTERN = re.compile(r"^[0-9]{5}$")
ASCII_DIGITS = re.compile(r"[0-9]+")
# The largest id an integer column holds (PostgreSQL's integer); the URL converter agrees.
MAX_DATABASE_ID = 2**31 - 1


class ValidationError(ValueError):
    """A value a person can fix; `message` is ready to be shown to them."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RefusedError(Exception):
    """What a person asked for cannot be done now; `message` says why, ready to be shown to them.

    Each feature names its own subclass (ModerationError, ClaimError, WorkshopError,
    SignupError) so that a view catches only its own feature's refusals.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# C0 control characters other than tab and newline, and DEL: they have no place in
# typed text, and PostgreSQL refuses NUL outright.
_CONTROL_CHARACTERS = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


def clean_text(value: str | None, max_length: int, *, required: bool = False, multiline: bool = False) -> str:
    """Trim white space, drop control characters and enforce a length limit.

    A single-line field gets its line breaks turned into spaces, so nothing typed
    can reach a mail header as a new line.
    """
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL_CHARACTERS)
    if not multiline:
        text = " ".join(text.split("\n"))
    text = text.strip()
    if required and not text:
        raise ValidationError(_("Tämä tieto on pakollinen."))
    if len(text) > max_length:
        raise ValidationError(
            _("Teksti on liian pitkä: %(length)d merkkiä, enintään %(max)d.", length=len(text), max=max_length)
        )
    return text


def normalise_phone(value: str) -> str:
    """A phone number as E.164 ("+358401234567"); Finnish numbers may omit +358."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("Anna puhelinnumero."))
    try:
        number = phonenumbers.parse(text, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Puhelinnumero ei ole kelvollinen. Kirjoita se esimerkiksi muodossa 040 123 4567."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_fi(e164: str) -> str:
    """Show a stored number the way Finns write it: "040 123 4567", "017 262 1234".

    Foreign numbers keep their international form ("+46 8 123 456 78").
    """
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) != DEFAULT_PHONE_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    prefix, _space, rest = national.partition(" ")
    digits = rest.replace(" ", "")
    if not digits:
        return national
    return f"{prefix} {_group_subscriber_digits(digits)}"


def _group_subscriber_digits(digits: str) -> str:
    # Finnish convention: the last four digits stay together, the rest in threes.
    if len(digits) <= 4:
        return digits
    if len(digits) == 5:
        return f"{digits[:2]} {digits[2:]}"
    if len(digits) == 6:
        return f"{digits[:3]} {digits[3:]}"
    head, tail = digits[:-4], digits[-4:]
    groups = [head[max(i - 3, 0):i] for i in range(len(head), 0, -3)][::-1]
    return " ".join([*groups, tail])


def normalise_email(value: str) -> str:
    """A syntactically valid e-mail address in the one form that is stored, mailed to and
    keys anything (rate limits, links, sessions, contacts); nothing is looked up.

    NFKC first: "ｅ" (full-width) and "e" reach the same mailbox, so they must not be
    two addresses to a limit.  Then email-validator's normalisation, lower-cased.
    """
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        raise ValidationError(_("Anna sähköpostiosoite."))
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(_("Sähköpostiosoite ei ole kelvollinen. Kirjoita se muodossa nimi@esimerkki.fi.")) from None
    if not result.local_part.isascii():
        # Mail to it needs SMTPUTF8 from our mail server and every hop after it, and
        # smtplib refuses to send it without: the link or copy would never arrive.
        raise ValidationError(_("Ennen @-merkkiä sähköpostiosoitteessa voi olla vain kirjaimia a–z, numeroita ja "
                                "merkkejä kuten piste tai viiva, ei esimerkiksi ä- tai ö-kirjainta. Tarkista osoite."))
    if len(result.normalized) > 254:
        raise ValidationError(_("Sähköpostiosoite on liian pitkä."))
    return result.normalized.lower()


def whole_number(value: str | None) -> int | None:
    """The number written in ASCII digits (surrounding spaces allowed), or None.

    Every number read from a request goes through here: str.isdigit() accepts "²",
    which int() refuses (a 500), and int() accepts "٣", "+3" and "1_000", none of
    which is how a number is written in a form or a URL of this site.
    """
    text = (value or "").strip()
    if not ASCII_DIGITS.fullmatch(text):
        return None
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        return None


def database_id(value: str | None) -> int | None:
    """The id written in `value`, or None when no row can have it.

    A filter in a URL goes through here: a number past the database's integers
    ("?kunta=99999999999999999999") would otherwise make the query fail, and a list
    page answer "not found" instead of showing the list unfiltered.
    """
    number = whole_number(value)
    return number if number is not None and 0 < number <= MAX_DATABASE_ID else None


def database_ids(values) -> list[int]:
    """The distinct ids among `values` (text), in order; anything that cannot be an id is left out."""
    ids: list[int] = []
    for value in values:
        number = database_id(value)
        if number is not None and number not in ids:
            ids.append(number)
    return ids


def list_page(value: str | None) -> int:
    """The page number `sivu` of a list: 1 unless a whole number from 1 on is written.

    At most MAX_DATABASE_ID: the offset of a page past that overflows the database's integers.
    """
    number = whole_number(value)
    return min(number, MAX_DATABASE_ID) if number else 1


def email_key(value: str) -> str:
    """normalise_email for text that may not be an address (a form not validated yet)."""
    try:
        return normalise_email(value)
    except ValidationError:
        return unicodedata.normalize("NFKC", value or "").strip().lower()


def normalise_website(value: str, max_length: int = 300) -> str:
    """An http(s) address; "www.esimerkki.fi" gets "https://" in front."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("Anna verkkosivun osoite."))
    if "://" not in text and not text.lower().startswith(("javascript:", "data:", "mailto:")):
        text = "https://" + text
    parts = urlsplit(text)
    host = parts.hostname or ""
    if (
        parts.scheme.lower() not in ("http", "https")
        or "." not in host
        or any(ch.isspace() for ch in text)
        or host.startswith(".")
        or host.endswith(".")
    ):
        raise ValidationError(_("Verkkosivun osoitteen pitää alkaa http:// tai https://, esimerkiksi https://esimerkki.fi."))
    if len(text) > max_length:
        raise ValidationError(_("Verkkosivun osoite on liian pitkä: enintään %(max)d merkkiä.", max=max_length))
    return text


def check_meeting_link(link: str) -> None:
    """A remote meeting's address as it is mailed and put in calendars: https, in one piece.

    Raises ValidationError; the events' and the workshops' forms and services share it.
    """
    link = link.strip()
    if not link.startswith("https://") or link == "https://" or any(c.isspace() for c in link):
        raise ValidationError(_("Linkin pitää alkaa https:// eikä siinä voi olla välilyöntejä."))


def business_id_check_digit(first_seven: str) -> int | None:
    """The check digit of a Y-tunnus, or None when no valid one exists (remainder 1)."""
    remainder = sum(int(d) * w for d, w in zip(first_seven, BUSINESS_ID_WEIGHTS)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def normalise_business_id(value: str) -> str:
    """A Y-tunnus "1234567-8" with a correct check digit."""
    text = (value or "").strip().replace(" ", "")
    # Old business ids were issued with six digits; the register writes them with a leading zero.
    if re.fullmatch(r"[0-9]{6}-[0-9]", text):
        text = "0" + text
    match = BUSINESS_ID_PATTERN.fullmatch(text)
    if not match:
        raise ValidationError(_("Y-tunnuksen muoto on 1234567-8."))
    if business_id_check_digit(match.group(1)) != int(match.group(2)):
        raise ValidationError(_("Y-tunnuksen tarkistusmerkki ei täsmää. Tarkista tunnus."))
    return text


def normalise_postal_code(value: str) -> str:
    """A Finnish postal code: exactly five digits."""
    text = (value or "").strip().replace(" ", "")
    if not POSTAL_CODE_PATTERN.fullmatch(text):
        raise ValidationError(_("Postinumerossa on viisi numeroa, esimerkiksi 70100."))
    return text


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, to use with escape="\\".

    Control characters are dropped first: PostgreSQL refuses NUL in a parameter.
    """
    cleaned = (text or "").translate(_CONTROL_CHARACTERS)
    return "%" + cleaned.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

