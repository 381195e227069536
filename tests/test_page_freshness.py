"""Public pages show each visitor their own token and tray, and every change at once, in every worker."""
import gzip
import re
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from tests.clients import OwnBrowserClient, once
from tests.conftest import make_test_config

from app import create_app
from app.directory.moderation import hide, pause
from app.directory.reads import filter_choices
from app.extensions import db
from app.models import Need
from app.search.index import directory_version
from app.search.query import TAXONOMY_SECONDS, load_taxonomy

CSRF_IN_LAYOUT = re.compile(r'"X-CSRFToken": "([^"]+)"')
CSRF_IN_FORM = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def test_a_search_shows_its_own_choices_and_htmx_gets_the_results_alone(client, make_organisation):
    make_organisation("Muistiyhdistys ry", needs=["Muistisairaus", "Diabetes"])
    memory, diabetes = (db.session.scalar(select(Need.id).where(Need.name == name)) for name in ["Muistisairaus", "Diabetes"])

    first = client.get(f"/haku?tarve={memory}&q=muisti").get_data(as_text=True)
    second = client.get(f"/haku?tarve={diabetes}&tarve={memory}&q=%3Cb%3Ediabetes").get_data(as_text=True)
    htmx = client.get(f"/haku?tarve={diabetes}", headers={"HX-Request": "true"})

    def ticked(body: str, need_id: int) -> bool:
        return f'<input id="tarve-{need_id}" name="tarve" type="checkbox" value="{need_id}" checked>' in body

    assert ticked(first, memory) and not ticked(first, diabetes)
    assert ticked(second, memory) and ticked(second, diabetes)
    assert 'value="&lt;b&gt;diabetes"' in second and "<title>Haku: &lt;b&gt;diabetes –" in second
    assert "<b>diabetes" not in second
    partial = htmx.get_data(as_text=True)
    assert "Muistiyhdistys ry" in partial and "<form id=\"haku\"" not in partial
    assert 'hx-swap-oob="innerHTML">1 järjestö löytyi' in partial
    assert "HX-Request" in htmx.headers["Vary"]


def test_each_visitor_gets_a_token_that_works_for_them(app, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry")
    anna, ben = OwnBrowserClient(app), OwnBrowserClient(app)

    pages = {name: visitor.get("/haku?q=muisti").get_data(as_text=True) for name, visitor in [("anna", anna), ("ben", ben)]}

    tokens = {name: (CSRF_IN_LAYOUT.search(page)[1], CSRF_IN_FORM.search(page)[1]) for name, page in pages.items()}
    assert tokens["anna"][0] != tokens["ben"][0]
    for name, visitor in [("anna", anna), ("ben", ben)]:
        answer = visitor.post(
            "/tarjotin/lisaa",
            data={"organisation_id": organisation.id, "next": "/haku?q=muisti", "csrf_token": tokens[name][1]},
        )
        assert answer.status_code == 303, answer.get_data(as_text=True)


def test_a_visitors_tray_shows_only_on_their_page(app, make_organisation):
    on_tray, other = make_organisation("Muistiyhdistys ry"), make_organisation("Muistikerho")
    anna, ben = OwnBrowserClient(app), OwnBrowserClient(app)
    anna.get("/haku?q=muisti")
    with anna.session_transaction() as session:
        session["tray"] = [on_tray.id]

    annas = anna.get("/haku?q=muisti").get_data(as_text=True)
    bens = ben.get("/haku?q=muisti").get_data(as_text=True)

    assert _button(annas, on_tray.id) == "Poista tarjottimelta" and _button(annas, other.id) == "Lisää tarjottimelle"
    assert _button(bens, on_tray.id) == "Lisää tarjottimelle"
    assert "(1)" in annas.split("</header>")[0]
    assert "(1)" not in bens.split("</header>")[0]


def test_a_change_the_index_does_not_see_shows_at_once(client, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry", description="Kokoontuu tiistaisin.")
    assert "Kokoontuu tiistaisin." in client.get("/haku?q=muisti").get_data(as_text=True)

    # Written around the services: no reindex, no new directory version.
    organisation.description = "Kokoontuu keskiviikkoisin."
    db.session.commit()

    assert "Kokoontuu keskiviikkoisin." in client.get("/haku?q=muisti").get_data(as_text=True)


def test_a_message_after_a_tray_button_without_javascript_is_shown(client, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry")
    client.get("/haku?q=muisti")
    token = CSRF_IN_FORM.search(client.get("/haku?q=muisti").get_data(as_text=True))[1]

    answer = client.post(
        "/tarjotin/lisaa",
        data={"organisation_id": organisation.id, "next": "/haku?q=muisti", "csrf_token": token},
        follow_redirects=True,
    )

    page = answer.get_data(as_text=True)
    assert "Lisätty tarjottimelle" in page
    assert _button(page, organisation.id) == "Poista tarjottimelta"
    # The message is shown once.
    assert "Lisätty tarjottimelle" not in client.get("/haku?q=muisti").get_data(as_text=True)


def _button(page: str, organisation_id: int) -> str:
    match = re.search(rf'id="tarjotin-painike-{organisation_id}"[^>]*>\s*([^<]+?)\s*<', page)
    assert match, f"no tray button for {organisation_id}"
    return match[1]


def test_a_hidden_organisation_leaves_a_search_it_was_in(client, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry")
    make_organisation("Muistikerho")
    assert "Muistiyhdistys ry" in client.get("/haku?q=muisti").get_data(as_text=True)

    hide(organisation, "yllapito@keskus.example")
    db.session.commit()

    page = client.get("/haku?q=muisti").get_data(as_text=True)
    assert "Muistiyhdistys ry" not in page and "Muistikerho" in page


def test_a_pause_shows_at_once_on_a_search_already_shown(client, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry")
    assert "Toiminta tauolla" not in client.get("/haku?q=muisti").get_data(as_text=True)

    pause(organisation, "yllapito@keskus.example", date.today() + timedelta(days=30), "Kesätauko.")
    db.session.commit()

    assert "Toiminta tauolla" in client.get("/haku?q=muisti").get_data(as_text=True)


def test_a_result_card_returns_to_the_search_it_is_shown_on(client, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry", description="Muisti ja kuntoutus.")
    returns = {}
    for path in ["/haku?q=muisti", "/haku?q=kuntoutus"]:
        page = client.get(path).get_data(as_text=True)
        button = re.search(rf'<button [^>]*id="tarjotin-painike-{organisation.id}"[^>]*>', page)[0]
        # The button submits the results' one tray form, which says where to return.
        form_id = re.search(r'form="([^"]+)"', button)[1]
        form = page[page.index(f'<form id="{form_id}"'):]
        returns[path] = re.search(r'name="next" value="([^"]+)"', form[:form.index("</form>")])[1]

    assert returns == {"/haku?q=muisti": "/haku?q=muisti", "/haku?q=kuntoutus": "/haku?q=kuntoutus"}


def test_each_organisation_page_has_its_own_blank_contact_form(app, make_organisation):
    first = make_organisation("Muistiyhdistys ry", email="muisti@example.org")
    second = make_organisation("Reuma & Liike ry", email="reuma@example.org")
    visitor = OwnBrowserClient(app)
    visitor.get(f"/jarjestot/{first.id}")

    page = visitor.get(f"/jarjestot/{second.id}").get_data(as_text=True)

    form = page[page.index('class="yhteydenottolomake"') - 40:]
    assert f'action="/jarjestot/{second.id}/yhteydenotto"' in form
    assert "järjestölle Reuma &amp; Liike ry, jotta" in form and "Muistiyhdistys" not in form
    answer = visitor.post(
        f"/jarjestot/{second.id}/yhteydenotto",
        data=once({"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1], "name": "Anna Asiakas", "phone": "040 123 4567",
                   "preferred_channel": "puhelin", "consent": "y"}),
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["page", "htmx"])
def test_a_compressed_page_is_the_page(client, make_organisation, headers):
    for number in range(25):
        make_organisation(f"Muistiyhdistys {number:02d} ry")
    path = "/haku?q=muisti&sivu=2"

    packed = client.get(path, headers={**headers, "Accept-Encoding": "gzip"})
    plain = client.get(path, headers=headers)

    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in packed.headers["Vary"] and "HX-Request" in packed.headers["Vary"]
    unpacked = gzip.decompress(packed.get_data()).decode()
    assert CSRF_IN_LAYOUT.sub("", unpacked) == CSRF_IN_LAYOUT.sub("", plain.get_data(as_text=True))
    assert "25 järjestöä löytyi" in unpacked and "Muistiyhdistys" in unpacked


def test_compression_can_be_left_to_a_reverse_proxy(migrated_database, make_organisation):
    for number in range(25):
        make_organisation(f"Muistiyhdistys {number:02d} ry")
    behind_proxy = create_app(make_test_config(migrated_database, COMPRESS_REGISTER=False))

    answer = behind_proxy.test_client().get("/haku?q=muisti", headers={"Accept-Encoding": "gzip"})
    with behind_proxy.app_context():
        db.engine.dispose()

    assert "Content-Encoding" not in answer.headers and "25 järjestöä löytyi" in answer.get_data(as_text=True)


def test_a_change_made_in_one_worker_shows_at_once_in_another(migrated_database, client, make_organisation):
    make_organisation("Muistiyhdistys ry", needs=["Muistisairaus"])
    need_id = db.session.scalar(select(Need.id).where(Need.name == "Muistisairaus"))
    db.session.commit()
    path = f"/haku?tarve={need_id}&q=muistiyhdistys"
    assert "Aihe: Muistisairaus" in client.get(path).get_data(as_text=True)  # this worker's taxonomy is built
    db.session.commit()  # as a request ends (the test shares the app context with its requests)

    other_worker = create_app(make_test_config(migrated_database))
    with other_worker.app_context():
        db.session.get(Need, need_id).name = "Muisti ja muistisairaudet"
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    page = client.get(path).get_data(as_text=True)
    assert "Aihe: Muisti ja muistisairaudet" in page
    assert (f'<input id="tarve-{need_id}" name="tarve" type="checkbox" value="{need_id}" checked> '
            f'<label for="tarve-{need_id}">Muisti ja muistisairaudet</label>') in page


def test_an_organisation_page_follows_its_contacts(client, make_organisation):
    from app.models import OrganisationContact

    organisation = make_organisation("Muistiyhdistys ry")
    organisation.contacts.append(OrganisationContact(email="sihteeri@example.org"))
    db.session.commit()
    path = f"/jarjestot/{organisation.id}"

    page = client.get(path).get_data(as_text=True)
    assert 'id="yhteydenotto"' in page
    assert "sihteeri@example.org" not in page  # a contact's address is never shown

    organisation.contacts.clear()  # nobody left to receive a request
    db.session.commit()

    assert 'id="yhteydenotto"' not in client.get(path).get_data(as_text=True)


def test_a_need_renamed_straight_in_the_database_shows_when_the_taxonomy_expires(client, make_organisation):
    """No version is renewed by such a write: the taxonomy's time to live bounds it (README "Caching")."""
    make_organisation("Muistiyhdistys ry", needs=["Muistisairaus"])
    need_id = db.session.scalar(select(Need.id).where(Need.name == "Muistisairaus"))
    db.session.commit()
    path = f"/haku?tarve={need_id}"
    assert "Aihe: Muistisairaus" in client.get(path).get_data(as_text=True)
    version = directory_version()
    built = load_taxonomy(version)

    # Expired with nothing changed: the same rows give back the taxonomy already built.
    expire_taxonomy_caches()
    assert load_taxonomy(version) is built
    assert "Aihe: Muistisairaus" in client.get(path).get_data(as_text=True)

    db.session.execute(text("UPDATE need SET name = 'Muistisairaudet' WHERE id = :id"), {"id": need_id})
    db.session.commit()
    assert directory_version() == version  # nothing renewed it: only the time to live brings it in
    expire_taxonomy_caches()
    page = client.get(path).get_data(as_text=True)
    assert "Aihe: Muistisairaudet" in page and f'<label for="tarve-{need_id}">Muistisairaudet</label>' in page
    rebuilt = load_taxonomy(version)
    assert rebuilt is not built and rebuilt.labels("fi").needs[need_id][1] == "Muistisairaudet"


def expire_taxonomy_caches() -> None:
    """What TAXONOMY_SECONDS passing does to the taxonomy and the filter choices."""
    later = time.monotonic() + TAXONOMY_SECONDS + 1
    for kept in (load_taxonomy, filter_choices):
        kept.cache.expire(later)
