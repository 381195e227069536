"""The search page's result cards as HTML, each rendered once per version of its organisation.

A page of results is twenty cards, and the same organisations turn up in many
searches.  A card's HTML depends only on the organisation and the taxonomy's
names (the IndexState names their version), on whether it is on the visitor's
tray, and on today's date (a pause ends), so it is kept per process under those.
A card's tray button submits the tray form of the results around it, so a card
has no holes.  Only the cards that are not kept are read from the database.
"""
from datetime import date

from flask import current_app
from markupsafe import Markup

from app.public.tray_session import tray_actions
from app.services.lru import LruCache
from app.services.result_cards import load_cards
from app.services.search_query import KEPT_UNDER_STATE_SECONDS, IndexState, load_taxonomy

# A card is about a kilobyte; every organisation of a large region, on a tray and not.
CARD_CACHE_SIZE = 16384


def result_cards(ids: tuple[int, ...], state: IndexState, on_tray: tuple[int, ...], today: date) -> list[Markup]:
    """The cards of the published organisations among `ids`, in that order."""
    kept_cards = current_app.extensions.setdefault(
        "result_cards", LruCache(CARD_CACHE_SIZE, max_age=KEPT_UNDER_STATE_SECONDS)
    )
    keys = {i: (state, i, i in on_tray, today) for i in ids}
    html = {i: kept_cards.get(key) for i, key in keys.items()}
    missing = tuple(i for i, card_html in html.items() if card_html is None)
    if missing:
        template = current_app.jinja_env.get_template("public/_result_card.html")
        actions = tray_actions()
        for card in load_cards(missing, load_taxonomy(state).labels, with_needs=False):
            html[card.id] = template.render(organisation=card, today=today, tray_ids=on_tray, tray_actions=actions)
            if state.generation:
                # A database never written has no generation to tell its versions apart.
                kept_cards.put(keys[card.id], html[card.id])
    return [Markup(card_html) for card_html in html.values() if card_html is not None]
