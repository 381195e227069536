"""The catalogues: every text of the code is translated into every language, and
templates hold no user-facing text outside gettext.

When a test here fails after you changed a text: run `make messages`, translate the
empty entries in app/translations/*/LC_MESSAGES/messages.po, and `make` compiles them.
"""
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
LANGUAGES = sorted(path.name for path in TRANSLATIONS.iterdir() if (path / "LC_MESSAGES").is_dir())


def source_messages() -> set[str]:
    """The msgids pybabel extract finds, as `make messages` runs it."""
    with open(TRANSLATIONS / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
                "npgettext": ((1, "c"), 2, 3), "lazy_gettext": None, "_l": None}
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.add((context, msgid))
    return found


def catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def test_there_are_swedish_and_english_catalogues():
    assert {"sv", "en"} <= set(LANGUAGES)


@pytest.fixture(scope="module")
def messages():
    return source_messages()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated(messages, language):
    po = catalogue(language)
    missing = sorted(msgid for context, msgid in messages if po.get(msgid, context=context) is None)
    assert not missing, f"{len(missing)} texts missing from {language} (run `make messages`): {missing[:10]}"
    untranslated = sorted(
        entry.id if isinstance(entry.id, str) else entry.id[0]
        for entry in po
        if entry.id and (entry.fuzzy or not all(entry.string if isinstance(entry.string, tuple) else [entry.string]))
    )
    assert not untranslated, f"{len(untranslated)} texts untranslated or fuzzy in {language}: {untranslated[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    """A %(name)s dropped or misspelt in a translation would fail when the page renders."""
    problems = [(entry.id, [str(error) for error in errors]) for entry, errors in catalogue(language).check()]
    assert not problems, problems[:10]


def test_swedish_writes_workshop_one_way():
    # SAOL: workshop, workshopen, workshoppar; a page said "workshoppen" next to "workshopen".
    texts = [entry.string for entry in catalogue("sv") if entry.id and isinstance(entry.string, str)]
    texts += Path(TRANSLATIONS.parent / "data" / "workshop_themes.csv").read_text(encoding="utf-8").splitlines()
    assert not [text for text in texts if re.search(r"[Ww]orkshoppen|[Ww]orkshoparna", text)]


# Words that may stand outside gettext in a template: names and technical terms.
NOT_USER_TEXT = {"Hyvinvointitarjotin", "www", "fi", "yllapito", "saavutettavuusvaatimukset"}


def literal_text(template: Path) -> tuple[list[str], list[str]]:
    """Words of a template's own text and labelling attributes, outside gettext and tags."""
    environment = Environment(extensions=["jinja2.ext.i18n"])
    parts, in_trans = [], 0
    for _line, token, value in environment.lex(template.read_text()):
        if token == "name" and value in ("trans", "endtrans"):
            in_trans += 1 if value == "trans" else -1
        if token == "data" and not in_trans:
            parts.append(value)
        elif token in ("variable_begin", "block_begin"):
            parts.append("\x00")
    # Comments, and code examples (curl commands, URLs) are not prose to translate.
    text = re.sub(r"<!--.*?-->|<code>.*?</code>", " ", "".join(parts), flags=re.S)
    attributes = re.findall(r'\b(?:aria-label|title|placeholder|alt)="([^"\x00]*[^\W\d_]{2,}[^"\x00]*)"', text)
    text = re.sub(r"<[^>]*>", " ", text)
    words = [word for word in re.findall(r"[^\W\d_][\w-]+", text) if word not in NOT_USER_TEXT]
    return words, attributes


TEMPLATES = sorted(
    path for path in (ROOT / "app" / "templates").rglob("*")
    if path.suffix in (".html", ".txt") and path.parent.name != "dev"
)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT / "app" / "templates")))
def test_templates_have_no_text_outside_gettext(template):
    words, attributes = literal_text(template)
    assert not words and not attributes, f"wrap in _() or {{% trans %}}: {words[:10]} {attributes[:5]}"
