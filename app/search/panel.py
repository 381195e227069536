"""The search form's filter panel: every need, municipality, activity, language and accessibility feature.

The panel lists the whole taxonomy, some 150 checkboxes, on every page of
results. Written out per page, they cost 0.45 ms of its 1.87 ms of rendering. So each
checkbox is rendered once per list of choices and language, both ticked and not,
by the `checkbox` macro of `search/_checkbox.html`; a page only picks one of the
two for each (`ticked`). What a visitor ticked is never kept: it is chosen per page.
"""
from dataclasses import dataclass

from cachetools import LRUCache
from flask import get_template_attribute
from markupsafe import Markup

from app.directory.reads import FilterChoices
from app.platform.templating import ACCESSIBILITY_LABELS, LANGUAGE_LABELS
from app.search.index import built_once
from app.search.query import ACCESSIBILITY_PARAMETERS, LANGUAGE_FILTERS


@dataclass(frozen=True)
class Checkbox:
    value: int | str
    unticked: Markup
    ticked: Markup


@dataclass(frozen=True)
class FilterPanel:
    need_groups: tuple[tuple[str, tuple[Checkbox, ...]], ...]
    municipalities: tuple[Checkbox, ...]
    activities: tuple[Checkbox, ...]
    languages: tuple[Checkbox, ...]
    accessibility: tuple[Checkbox, ...]


# Keyed by the choices themselves (filter_choices, kept per directory version), so the
# panel is exactly as fresh as they are, with no time to live of its own.
@built_once(LRUCache(maxsize=8))
def filter_panel(choices: FilterChoices, language: str) -> FilterPanel:
    """The panel's checkboxes in `language` (the page's: the language labels are read in it)."""
    checkbox = get_template_attribute("search/_checkbox.html", "checkbox")

    def boxes(name: str, items) -> tuple[Checkbox, ...]:
        return tuple(
            Checkbox(value, checkbox(name, value, label, False), checkbox(name, value, label, True))
            for value, label in items
        )

    return FilterPanel(
        need_groups=tuple((group, boxes("tarve", needs)) for group, needs in choices.need_groups),
        municipalities=boxes("kunta", choices.municipalities),
        activities=boxes("toiminta", choices.activities),
        languages=boxes("kieli", [(code, str(LANGUAGE_LABELS[code]).capitalize()) for code in LANGUAGE_FILTERS]),
        accessibility=boxes("esteettomyys", [(name, ACCESSIBILITY_LABELS[feature])
                                             for name, feature in ACCESSIBILITY_PARAMETERS.items()]),
    )


def ticked(checkboxes: tuple[Checkbox, ...], chosen) -> Markup:
    """The checkboxes, those whose value is in `chosen` ticked."""
    # Every piece is Markup already: joined as plain strings, not escaped again one by one.
    return Markup("".join(box.ticked if box.value in chosen else box.unticked for box in checkboxes))
