"""Reading the fields of one import line, collecting every problem instead of stopping at the first."""
import json
from collections.abc import Callable, Sequence

from flask_babel import gettext as _

from app.platform.validation import ValidationError, clean_text

# Admin-only counts are stored in 32-bit integer columns.
MAX_COUNT = 10_000_000


class LineReader:
    """Typed access to the keys of one JSON object; problems are (field, message) pairs."""

    def __init__(self, data: dict | None, problems: list[tuple[str, str]] | None = None, prefix: str = ""):
        self.data = data
        self.problems = [] if problems is None else problems
        self.prefix = prefix

    @classmethod
    def from_json(cls, raw: str) -> "LineReader":
        reader = cls(None)
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            reader.fail("json", _("Rivi ei ole kelvollista JSONia (sarake %(column)d).", column=error.colno))
            return reader
        if not isinstance(data, dict):
            reader.fail("json", _("Rivillä pitää olla yksi JSON-olio {…}."))
            return reader
        reader.data = data
        return reader

    def nested(self, data: dict, prefix: str) -> "LineReader":
        """A reader for an object inside this one, reporting into the same problem list."""
        return LineReader(data, self.problems, self.prefix + prefix)

    def fail(self, key: str, message: str) -> None:
        self.problems.append((self.prefix + key, message))

    def _item_failed(self, key: str, value, message: str) -> None:
        self.fail(key, f"\"{value}\": {message}")

    def text(self, key: str, max_length: int, *, required: bool = False) -> str:
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            self.fail(key, _("Arvon pitää olla tekstiä."))
            return ""
        try:
            # A data file may hold line breaks in any text; keeping them keeps the round trip lossless.
            return clean_text(value, max_length, required=required, multiline=True)
        except ValidationError as error:
            self.fail(key, error.message)
            return ""

    def choice(self, key: str, choices: Sequence[str], default: str) -> str:
        value = self.data.get(key)
        if value is None:
            return default
        if value not in choices:
            self.fail(key, _("Sallitut arvot: %(choices)s.", choices=", ".join(choices)))
            return default
        return value

    def boolean(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(key, _("Arvon pitää olla true tai false."))
            return False
        return value

    def count(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            self.fail(key, _("Arvon pitää olla kokonaisluku 0–%(max)d tai null.", max=MAX_COUNT))
            return None
        return value

    def optional(self, key: str, normalise: Callable[[str], str]) -> str:
        """A field that may be empty; when given, `normalise` checks and cleans it."""
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return ""
        if not isinstance(value, str):
            self.fail(key, _("Arvon pitää olla tekstiä."))
            return ""
        try:
            return normalise(value)
        except ValidationError as error:
            self.fail(key, error.message)
            return ""

    def parsed(self, key: str, parse: Callable[[str], object], message: str):
        value = self.data.get(key)
        if value is None or value == "":
            return None
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            return parse(value)
        except ValueError:
            self.fail(key, message)
            return None

    def list_of(self, key: str, item_type: type, message: str) -> list:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(key, _("Arvon pitää olla luettelo […]."))
            return []
        if any(not isinstance(item, item_type) for item in value):
            self.fail(key, message)
            return []
        return value

    def check(self, key: str, value, validate: Callable[[str], str]) -> str | None:
        """Validate one value inside a list; None when it failed (the problem is recorded)."""
        if value is not None and not isinstance(value, str):
            self.fail(key, _("Arvon pitää olla tekstiä."))
            return None
        try:
            return validate(value or "")
        except ValidationError as error:
            self._item_failed(key, value or "", error.message)
            return None

    def unique_list(self, key: str, validate: Callable[[str], str]) -> list[str]:
        """A list of strings, each validated; the same value twice is a problem."""
        result: list[str] = []
        seen: set[str] = set()
        for item in self.list_of(key, str, _("Luettelon jokaisen arvon pitää olla tekstiä.")):
            value = self.check(key, item, validate)
            if value is None:
                continue
            if value.casefold() in seen:
                self._item_failed(key, item, _("Arvo on luettelossa kahdesti."))
                continue
            seen.add(value.casefold())
            result.append(value)
        return result

    def lookup_list(self, key: str, resolve: Callable[[str], list], unknown: str) -> list:
        """Names of taxonomy rows, matched case-insensitively through `resolve`."""
        found = []
        for item in self.list_of(key, str, _("Luettelon jokaisen arvon pitää olla tekstiä.")):
            matches = resolve(item.strip().casefold())
            if not matches:
                self.fail(key, f"{unknown}: \"{item}\".")
            elif len(matches) > 1:
                names = ", ".join(sorted(match.name for match in matches))
                self._item_failed(key, item, _("Sopii usealle: %(names)s. Käytä nimeä.", names=names))
            else:
                found.append(matches[0])
        return found

    @staticmethod
    def clean(value: str, max_length: int, *, required: bool = False) -> str:
        return clean_text(value, max_length, required=required)

    @staticmethod
    def member(value: str, choices: Sequence[str]) -> str:
        if value not in choices:
            raise ValidationError(_("Sallitut arvot: %(choices)s.", choices=", ".join(choices)))
        return value
