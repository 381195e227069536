"""Locale selection and the gettext that templates call.

The portal speaks Finnish.  Texts are wrapped in gettext so Swedish and English
catalogues can be added under app/translations/ without touching the code.
"""
from babel.support import NullTranslations
from flask import Flask, g, has_app_context
from flask_babel import get_translations


def select_locale() -> str:
    return "fi"


def request_translations() -> NullTranslations:
    """The catalogue of this request's locale, looked up once per request.

    Flask-Babel's own template callables resolve the locale and the catalogue on
    every call, which was a third of the time spent rendering a result page of
    some eighty texts.  The locale does not change within a request (nothing
    calls force_locale), so the first answer holds for the rest of it.
    """
    if not has_app_context():
        return get_translations()
    translations = g.get("_translations")
    if translations is None:
        translations = g._translations = get_translations()
    return translations


def install_template_gettext(app: Flask) -> None:
    """Replace Flask-Babel's Jinja gettext callables with ones that use request_translations()."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: request_translations().ugettext(string),
        ngettext=lambda singular, plural, n: request_translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, string: request_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: request_translations().unpgettext(context, singular, plural, n),
    )
