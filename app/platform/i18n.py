"""Locale selection.

The portal speaks Finnish.  Texts are wrapped in gettext so Swedish and English
catalogues can be added under app/translations/ without touching the code.
"""


def select_locale() -> str:
    return "fi"
