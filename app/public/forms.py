"""The search form, rendered from a parsed SearchQuery.

SearchQuery.from_args is the one parser of the query string; this form only
renders the fields (with the chosen values kept) through the shared field macro.
It is a plain WTForms form: a GET search carries no CSRF token.
"""
from flask_babel import lazy_gettext as _l
from wtforms import Form, SearchField, SelectField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from app.public.services import TaxonomyChoices


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes inside a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SearchForm(Form):
    q = SearchField(
        _l("Hakusana"),
        description=_l("Esimerkiksi diabetes, muisti, vertaistuki tai kunnan nimi."),
        render_kw={"autocomplete": "off", "maxlength": 200, "spellcheck": "false"},
    )
    tarve = SelectField(_l("Mihin etsit tukea?"), coerce=str, render_kw={"class": "suodatin"})
    toiminta = CheckboxListField(_l("Millaista tukea etsit?"), coerce=str, render_kw={"class": "suodatin"})
    kunta = SelectField(_l("Miltä alueelta etsit tukea?"), coerce=str, render_kw={"class": "suodatin"})


def build_search_form(query, choices: TaxonomyChoices) -> SearchForm:
    """A form showing the query: the first chosen need and municipality in the selects.

    Further chosen needs and municipalities (from chips or shared links) travel as
    hidden inputs, see `extra_need_ids` and `extra_municipality_ids`.
    """
    form = SearchForm(
        data={
            "q": query.text,
            "tarve": str(query.need_ids[0]) if query.need_ids else "",
            "toiminta": [str(i) for i in query.activity_ids],
            "kunta": str(query.municipality_ids[0]) if query.municipality_ids else "",
        }
    )
    need_choices: dict = {None: [("", _l("Kaikki aiheet"))]}
    for group, needs in choices.need_groups:
        need_choices[group] = [(str(need.id), need.name) for need in needs]
    form.tarve.choices = need_choices
    form.toiminta.choices = [(str(a.id), a.name) for a in choices.activities]
    form.kunta.choices = [("", _l("Koko Pohjois-Savo"))] + [(str(m.id), m.name_fi) for m in choices.municipalities]
    return form
