"""Locale selection, and the request's translations handed to Jinja once per page.

The portal speaks Finnish.  Texts are wrapped in gettext so Swedish and English
catalogues can be added under app/translations/ without touching the code.
"""
from flask import Flask
from flask_babel import get_translations
from jinja2 import pass_context
from jinja2.runtime import Context

# The template variable holding this render's translations.
TRANSLATIONS = "babel_translations"


def select_locale() -> str:
    return "fi"


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
