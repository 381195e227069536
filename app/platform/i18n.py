"""Locale selection, mail in its recipient's language, and the request's translations handed to Jinja once per page.

The language comes from the URL (app.platform.languages); the catalogues are
app/translations/<code>/LC_MESSAGES/messages.po, with Finnish msgids.
"""
import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask_babel import force_locale, get_locale, get_translations, gettext
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from app.config import DEFAULT_LANGUAGE, PORTAL_LANGUAGES
from app.platform.languages import request_language

# The template variable holding this render's translations.
TRANSLATIONS = "babel_translations"


def select_locale() -> str:
    return request_language()


def current_language() -> str:
    """The language texts are rendered in now: the request's, or the one `in_language` set."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


@contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """Render texts and build links (app.platform.tokens.link_url) in `language`.

    For mail to someone whose language was stored earlier: a sign-up, an
    order, an organisation.  An unknown or empty value means the default.
    """
    with force_locale(language if language in PORTAL_LANGUAGES else DEFAULT_LANGUAGE):
        yield


def finnish_text(text: str | None) -> Markup | str:
    """A text kept only in Finnish (what staff or an organisation wrote in a one-language field:
    an event's title, description and accessibility, an organisation's meeting times) marked
    `lang="fi"` on a Swedish or English page, so that a screen reader reads it with Finnish
    pronunciation (WCAG 3.1.2) rather than spelling it out as Swedish or English; on a
    Finnish page it is the page's own language and stays as it is."""
    if not text or current_language() == "fi":
        return text or ""
    return Markup('<span lang="fi">%s</span>') % escape(text)


def N_(text: str) -> str:
    """Mark a Finnish text for the catalogue without translating it (gettext_noop, a keyword
    pybabel knows): a text stored as it is, shown through `app_text`."""
    return text


# Texts stored with values filled in ("Yhdistetty järjestöön X (nro 3)"), by msgid: the
# pattern that finds the values in a stored text again.  Reading the values back out of
# the Finnish text, rather than storing the msgid and the values apart, needs no new
# column and translates what was stored before this too.  A text cut at the column's
# length reads as stored, unless it ends with a value ("Hylätty: %(reason)s"): then the
# cut value is shown inside the translation, as cut as the stored text.
_WITH_VALUES: dict[str, tuple[re.Pattern, dict[str, type]]] = {}
_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def with_values(msgid: str) -> str:
    """Register a stored text that has %(name)s / %(name)d values, for `app_text`; returns the msgid.

    Mark it for the catalogue as well: `MERGED = with_values(N_("Yhdistetty järjestöön %(name)s"))`,
    then store `lazy_gettext(MERGED, name=...)` rendered in Finnish.
    """
    types, parts, position = {}, [], 0
    for placeholder in _PLACEHOLDER.finditer(msgid):
        name, kind = placeholder.groups()
        types[name] = int if kind == "d" else str
        value = rf"(?P<{name}>-?\d+)" if kind == "d" else rf"(?P<{name}>.+)"
        parts += [re.escape(msgid[position:placeholder.start()]), value]
        position = placeholder.end()
    parts.append(re.escape(msgid[position:]))
    _WITH_VALUES[msgid] = (re.compile("".join(parts), re.DOTALL), types)
    return msgid


def app_text(stored: str) -> str:
    """A text the app stored in Finnish (a revision's summary, a default survey statement) in the
    page's language when it is one of the app's own texts, also one with values (`with_values`),
    which stay as stored; anything else (what staff wrote) as stored."""
    if not stored:
        return stored
    translated = gettext(stored)
    if translated != stored or current_language() == DEFAULT_LANGUAGE:
        return translated
    for msgid, (pattern, types) in _WITH_VALUES.items():
        if found := pattern.fullmatch(stored):
            return gettext(msgid, **{name: types[name](value) for name, value in found.groupdict().items()})
    return stored


def _translations(context: Context):
    # A macro imported without context has no render context to read them from.
    return context.get(TRANSLATIONS) or get_translations()


def install_template_translations(app: Flask) -> None:
    """Templates translate through the Translations object of their render.

    Flask-Babel's own template callables look up the locale and its catalogue on
    every call (about 8 µs, some 45 times a search page); a context processor
    looks them up once per render_template, so the language still comes from the
    request.  Call after Flask-Babel's init_app, whose installation this replaces.
    """
    app.context_processor(lambda: {TRANSLATIONS: get_translations()})
    # <html lang> of pages and mail.
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.filters["finnish"] = finnish_text
    app.jinja_env.install_gettext_callables(
        gettext=pass_context(lambda context, string: _translations(context).ugettext(string)),
        ngettext=pass_context(
            lambda context, singular, plural, n: _translations(context).ungettext(singular, plural, n)
        ),
        pgettext=pass_context(lambda context, ctx, string: _translations(context).upgettext(ctx, string)),
        npgettext=pass_context(
            lambda context, ctx, singular, plural, n: _translations(context).unpgettext(ctx, singular, plural, n)
        ),
        newstyle=True,
    )
