"""What a person typed into a refused form, shown back on its error page so nothing is lost.

Only what was typed: the values of the app's text fields (StringField and its kinds,
hidden ones excepted), never choices, ids, buttons, tokens or a stored record, and
without the fields' names ("report_text" means nothing to the person who typed it).
And only for a form sent from a page of this site: another site's form could
otherwise put words of its own ("call this number") on our page, under "Kirjoittamasi
tiedot".
"""
import inspect
import re
from functools import cache

import wtforms
from flask import request
from werkzeug.exceptions import HTTPException
from wtforms.fields.core import UnboundField

from app.platform.security import on_this_site

# The spam trap of the contact forms: a text field no person sees.
HONEYPOT = "kotisivu"
# "contacts-0-email" (a row of a list of sub-forms) → "email"; "keywords-2" → "keywords".
_ROW_PREFIX = re.compile(r"^.*-\d+-")
_ROW_SUFFIX = re.compile(r"-\d+$")


def typed_values() -> list[str]:
    """The non-empty values of the text fields the request's form carried, in their order."""
    if request.method != "POST" or not from_this_site():
        return []
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        return []  # reading the body would be refused again (413)
    try:
        form = request.form
    except HTTPException:  # a body the form parser refuses: the page comes all the same
        return []
    names = text_field_names()
    return [value for name, value in form.items(multi=True) if _field_name(name) in names and value.strip()]


def from_this_site() -> bool:
    """True when a page of this site sent the request, as the browser tells it."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        return fetched_from == "same-origin"
    return on_this_site(request.headers.get("Origin") or request.referrer)


@cache
def text_field_names() -> frozenset[str]:
    """The names of the text fields of every form class the app defines (read once: all are imported by then)."""
    names = set()
    for form_class in _subclasses(wtforms.Form):
        for name, field in inspect.getmembers(form_class, lambda member: isinstance(member, UnboundField)):
            if _is_text(field) and name != HONEYPOT:
                names.add(name)
    return frozenset(names)


def _is_text(field: UnboundField) -> bool:
    if issubclass(field.field_class, wtforms.FieldList):
        return _is_text(field.args[0])
    return issubclass(field.field_class, wtforms.StringField) and not issubclass(field.field_class, wtforms.HiddenField)


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for subclass in list(found):
        found |= _subclasses(subclass)
    return found


def _field_name(posted: str) -> str:
    return _ROW_SUFFIX.sub("", _ROW_PREFIX.sub("", posted))
