"""The search form, rendered from a parsed SearchQuery.

SearchQuery.from_args is the one parser of the query string; this form only
renders the fields (with the chosen values kept) through the shared field macro.
It is a plain WTForms form: a GET search carries no CSRF token.

The need and municipality selects hold some 140 options on every search page.
Rendering them through WTForms' widgets took half of the page's time, so their
options are rendered once per taxonomy (FilterChoices.key) with WTForms' own
option rendering, and a request only marks the chosen option.  The activity
checkboxes are light option objects drawn by WTForms' checkbox widget instead
of a bound sub-field each.  The markup is byte for byte what WTForms renders.
"""
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Form, SearchField, SelectField, SelectMultipleField
from wtforms.fields.choices import Choice
from wtforms.fields.core import Flags, Label
from wtforms.widgets import CheckboxInput, ListWidget, Select, html_params

from app.public.services import FilterChoices


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes inside a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PreparedSelect(Select):
    """A select whose options were rendered beforehand; only the chosen option is marked here.

    The fields using it have no validators, so there are no validation attributes to add.
    """

    def __init__(self, first: tuple[str, str], options: Markup):
        super().__init__()
        self.first = first
        self.options = options

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        value, label = self.first
        options = Select.render_option(Choice(value, label, False, {})) + self.options
        # Option values are unique ids, so the chosen one's tag occurs once.
        chosen = Markup('<option value="{}">').format(field.data)
        options = options.replace(chosen, Markup('<option selected value="{}">').format(field.data), 1)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>") + options + Markup("</select>")


class RememberedLabel(Label):
    """WTForms' label; the plain call the field macro makes is rendered once per id and text."""

    def __call__(self, text=None, **kwargs):
        if text is not None or kwargs:
            return super().__call__(text, **kwargs)
        key = ("label", self.field_id, self.text)
        markup = _checkboxes.get(key)
        if markup is None:
            markup = _checkboxes[key] = super().__call__()
        return markup


class CheckboxOption:
    """One checkbox of a FilterCheckboxes: what WTForms' checkbox widget and the field macro read."""

    def __init__(self, field: "FilterCheckboxes", index: int, value: str, label: str, checked: bool):
        self.field = field
        self.id = f"{field.id}-{index}"
        self.name = field.name
        self.data = value
        self.checked = checked
        self.label = RememberedLabel(self.id, label)
        self.flags = Flags()

    def _value(self) -> str:
        return self.data

    def __call__(self, **kwargs) -> Markup:
        render_kw = dict(self.field.render_kw or {}, **kwargs)
        key = (self.id, self.name, self.data, self.checked, tuple(sorted(render_kw.items())))
        markup = _checkboxes.get(key)
        if markup is None:
            markup = self.field.option_widget(self, **render_kw)
            if len(_checkboxes) > MAX_REMEMBERED_CHECKBOXES:
                _checkboxes.clear()
            _checkboxes[key] = markup
        return markup


# A checkbox's markup depends only on these few values, and there are only a
# couple of dozen distinct ones: they are rendered once (html_params is slow).
MAX_REMEMBERED_CHECKBOXES = 1000
_checkboxes: dict[tuple, Markup] = {}


class FilterCheckboxes(CheckboxListField):
    """The activity checkboxes: iterating gives light options instead of a bound field per choice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The shared field macro draws a fieldset of checkboxes for this type.
        self.type = "CheckboxListField"

    def __iter__(self):
        chosen = set(self.data or ())
        for index, (value, label) in enumerate(self.choices):
            yield CheckboxOption(self, index, value, label, value in chosen)


class SearchForm(Form):
    q = SearchField(
        _l("Hakusana"),
        description=_l("Esimerkiksi diabetes, muisti, vertaistuki tai kunnan nimi."),
        render_kw={"autocomplete": "off", "maxlength": 200, "spellcheck": "false"},
    )
    tarve = SelectField(_l("Mihin etsit tukea?"), coerce=str, render_kw={"class": "suodatin"})
    toiminta = FilterCheckboxes(_l("Millaista tukea etsit?"), coerce=str, render_kw={"class": "suodatin"})
    kunta = SelectField(_l("Miltä alueelta etsit tukea?"), coerce=str, render_kw={"class": "suodatin"})


_options: dict[tuple, tuple[Markup, Markup]] = {}


def _option(value: int, label: str) -> Markup:
    return Select.render_option(Choice(str(value), label, False, {}))


def taxonomy_options(choices: FilterChoices) -> tuple[Markup, Markup]:
    """The need options (in optgroups) and the municipality options, nothing selected; once per taxonomy."""
    rendered = _options.get(choices.key)
    if rendered is None:
        needs = []
        for group, group_needs in choices.need_groups:
            needs.append(Markup(f"<optgroup {html_params(label=group)}>"))
            needs += [_option(i, name) for i, name in group_needs]
            needs.append(Markup("</optgroup>"))
        municipalities = [_option(i, name) for i, name in choices.municipalities]
        rendered = (Markup("").join(needs), Markup("").join(municipalities))
        _options.clear()
        _options[choices.key] = rendered
    return rendered


def build_search_form(query, choices: FilterChoices) -> SearchForm:
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
    need_options, municipality_options = taxonomy_options(choices)
    form.tarve.widget = PreparedSelect(("", _l("Kaikki aiheet")), need_options)
    form.kunta.widget = PreparedSelect(("", _l("Koko Pohjois-Savo")), municipality_options)
    form.toiminta.choices = [(str(i), name) for i, name in choices.activities]
    return form
