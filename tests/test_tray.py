"""The tray: add and remove with and without htmx, the limit, unpublished organisations, sharing."""
from datetime import timedelta

import pytest

from app.contact import tray
from app.models import utcnow
from app.models.contact import SharedTray

HTMX = {"HX-Request": "true"}


def add(client, organisation_id, headers=None, next_url="/haku?q=muisti"):
    return client.post(
        "/tarjotin/lisaa", data={"organisation_id": organisation_id, "next": next_url}, headers=headers or {}
    )


def test_adding_without_javascript_redirects_back_to_the_results(client, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry")

    response = add(client, organisation.id)

    assert response.status_code == 303
    assert response.headers["Location"] == f"/haku?q=muisti#tulos-{organisation.id}"
    page = client.get("/tarjotin").get_data(as_text=True)
    assert "Muistiyhdistys ry" in page
    assert "Lisätty tarjottimelle" in page  # the flash message after the redirect


def test_adding_with_htmx_answers_the_button_and_the_counter(client, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry")

    response = add(client, organisation.id, headers=HTMX)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="tarjotin-painike-{organisation.id}"' in html
    assert "Poista tarjottimelta" in html
    assert 'id="tarjotin-maara" hx-swap-oob="true"' in html
    assert "(1)" in html


@pytest.mark.parametrize("prefix, one, two", [
    ("", "Tarjottimella on 1 järjestö.", "Tarjottimella on 2 järjestöä."),
    ("/sv", "Det finns 1 organisation på brickan.", "Det finns 2 organisationer på brickan."),
    ("/en", "There is 1 organisation on your tray.", "There are 2 organisations on your tray."),
])
def test_the_announced_count_takes_the_right_number_in_every_language(client, make_organisation, prefix, one, two):
    first, second = make_organisation("Muistiyhdistys ry"), make_organisation("Diabetesyhdistys ry")

    def announced(organisation) -> str:
        html = client.post(f"{prefix}/tarjotin/lisaa", data={"organisation_id": organisation.id, "next": "/haku"},
                           headers=HTMX).get_data(as_text=True)
        return html.split('id="tarjotin-tila"')[1].split("</p>")[0]

    assert one in announced(first)
    assert two in announced(second)


def test_removing_takes_it_off(client, make_organisation):
    organisation = make_organisation()
    add(client, organisation.id)

    response = client.post("/tarjotin/poista", data={"organisation_id": organisation.id}, headers=HTMX)

    assert "Lisää tarjottimelle" in response.get_data(as_text=True)
    empty = client.get("/tarjotin").text
    # Nothing to print: no printout heading ("Järjestöt asiakkaalle", the date) over an empty tray.
    assert "Tarjotin on tyhjä" in empty and "Järjestöt asiakkaalle" not in empty


def test_removing_from_the_tray_page_lands_on_the_next_card_or_the_one_before_or_the_heading(
    client, make_organisation
):
    first, second, third = (make_organisation(f"Yhdistys {n} ry").id for n in (1, 2, 3))
    hidden = make_organisation("Piilotettu ry", status="hidden").id
    for organisation_id in (first, second, third):
        add(client, organisation_id)
    with client.session_transaction() as session:
        session["tray"] = [first, second, hidden, third]  # unpublished meanwhile: the page no longer shows it

    def remove(organisation_id):
        response = client.post("/tarjotin/poista", data={"organisation_id": organisation_id, "next": "/tarjotin"})
        assert response.status_code == 303
        path, anchor = response.headers["Location"].split("#")
        assert path == "/tarjotin"
        assert f'id="{anchor}"' in client.get(path).text  # the place landed on is on the page
        return anchor

    assert remove(second) == f"tulos-{third}"
    assert remove(third) == f"tulos-{first}"
    assert remove(first) == "tarjotin-otsikko"


def test_removing_elsewhere_returns_to_the_same_card(client, make_organisation):
    organisation = make_organisation()
    add(client, organisation.id)
    response = client.post("/tarjotin/poista", data={"organisation_id": organisation.id, "next": "/haku?q=muisti"})
    assert response.headers["Location"] == f"/haku?q=muisti#tulos-{organisation.id}"


def test_the_tray_holds_at_most_thirty(client, make_organisation):
    organisations = [make_organisation(f"Yhdistys {n:02d} ry") for n in range(tray.TRAY_LIMIT + 1)]
    for organisation in organisations[: tray.TRAY_LIMIT]:
        add(client, organisation.id)

    response = add(client, organisations[-1].id, headers=HTMX)

    assert "jo 30 järjestöä" in response.get_data(as_text=True)
    # Said on the button pressed too, not only to screen readers.
    button = response.get_data(as_text=True).split("</button>")[0]
    assert "Tarjotin on täynnä (30)" in button
    with client.session_transaction() as session:
        assert len(session["tray"]) == tray.TRAY_LIMIT
        assert organisations[-1].id not in session["tray"]


def test_an_unpublished_organisation_is_not_added(client, make_organisation):
    organisation = make_organisation(status="pending")

    add(client, organisation.id)

    with client.session_transaction() as session:
        assert session.get("tray", []) == []


@pytest.mark.parametrize("path", ["/tarjotin/lisaa", "/tarjotin/poista"])
@pytest.mark.parametrize("status", ["pending", "hidden", "rejected"])
def test_the_htmx_answer_never_names_an_unpublished_organisation(client, make_organisation, path, status):
    """Any id can be posted: the answer must not tell the name of an entry the public cannot see."""
    organisation = make_organisation("Salainen vertaisryhmä", status=status)

    response = client.post(path, data={"organisation_id": organisation.id, "next": "/haku"}, headers=HTMX)

    assert response.status_code == 200
    assert "Salainen vertaisryhmä" not in response.get_data(as_text=True)


def test_an_organisation_unpublished_later_drops_off_the_tray(client, db, make_organisation):
    staying = make_organisation("Pysyvä yhdistys ry")
    leaving = make_organisation("Lähtevä yhdistys ry")
    add(client, staying.id)
    add(client, leaving.id)
    leaving.status = "hidden"
    db.session.commit()

    page = client.get("/tarjotin").get_data(as_text=True)

    assert "Pysyvä yhdistys ry" in page
    assert "Lähtevä yhdistys ry" not in page
    assert "1 järjestö poistui tarjottimelta" in page
    with client.session_transaction() as session:
        assert session["tray"] == [staying.id]


def test_next_must_be_a_path_on_this_site(client, make_organisation):
    organisation = make_organisation()

    response = add(client, organisation.id, next_url="//evil.example/")

    assert response.headers["Location"].startswith("/tarjotin#")


def test_clearing_empties_the_tray(client, make_organisation):
    add(client, make_organisation().id)

    client.post("/tarjotin/tyhjenna")

    with client.session_transaction() as session:
        assert session["tray"] == []


def test_an_emptied_tray_can_be_restored_even_after_a_double_click(client, make_organisation):
    first, second = make_organisation("Eka ry").id, make_organisation("Toka ry").id
    add(client, first)
    add(client, second)

    client.post("/tarjotin/tyhjenna")
    page = client.post("/tarjotin/tyhjenna", follow_redirects=True).get_data(as_text=True)
    assert "Tarjotin on tyhjennetty." in page
    assert "Kumoa tyhjennys: palauta 2 järjestöä tarjottimelle" in page

    page = client.post("/tarjotin/palauta", follow_redirects=True).get_data(as_text=True)
    assert "Tarjotin on palautettu. Tarjottimella on 2 järjestöä." in page
    assert "Kumoa tyhjennys" not in page
    with client.session_transaction() as session:
        assert session["tray"] == [first, second]
    client.post("/tarjotin/palauta")  # pressed twice: nothing more happens
    with client.session_transaction() as session:
        assert session["tray"] == [first, second]


def test_the_undo_is_offered_only_while_the_tray_stays_as_the_emptying_left_it(client, make_organisation):
    first, later = make_organisation("Eka ry").id, make_organisation("Myöhempi ry").id
    add(client, first)
    client.post("/tarjotin/tyhjenna")
    add(client, later)
    client.post("/tarjotin/poista", data={"organisation_id": later})

    assert "Kumoa tyhjennys" not in client.get("/tarjotin").get_data(as_text=True)
    client.post("/tarjotin/palauta")
    with client.session_transaction() as session:
        assert session["tray"] == []


def test_the_tray_page_shows_every_public_contact_detail(client, make_organisation):
    organisation = make_organisation(
        "Sydänyhdistys ry", email="info@esimerkki.fi", street_address="Kauppakatu 1", postal_code="70100",
        post_office="Kuopio", website="https://esimerkki.fi/sydan", municipalities=["Kuopio"],
    )
    add(client, organisation.id)

    page = client.get("/tarjotin").get_data(as_text=True)

    for text in ["mailto:info@esimerkki.fi", "Kauppakatu 1", "70100 Kuopio", "esimerkki.fi/sydan", "Kuopio"]:
        assert text in page


def test_sharing_makes_a_read_only_snapshot(client, db, make_organisation):
    organisation = make_organisation("Jaettava yhdistys ry")
    add(client, organisation.id)

    response = client.post("/tarjotin/jaa")

    assert response.status_code == 303
    shared = db.session.scalar(db.select(SharedTray))
    assert shared.organisation_ids == [organisation.id]
    assert shared.expires_at - shared.created_at == timedelta(days=90)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jaettava yhdistys ry" in page
    assert f"http://portal.test/lista/{shared.code}" in page
    # A stranger with the link sees the same list, without the sharer's tray.
    stranger = client.application.test_client()
    assert "Jaettava yhdistys ry" in stranger.get(f"/lista/{shared.code}").get_data(as_text=True)


def test_an_expired_share_is_gone(client, db, make_organisation):
    organisation = make_organisation()
    shared = tray.share([organisation.id], now=utcnow() - timedelta(days=91))
    db.session.commit()

    assert client.get(f"/lista/{shared.code}").status_code == 404
    assert tray.purge_expired_shares() == 1


@pytest.mark.parametrize("raw, expected", [(None, []), ("x", []), ([3, 3, -1, "4", 5], [3, 5])])
def test_session_contents_are_cleaned(raw, expected):
    assert tray.clean_ids(raw) == expected


@pytest.mark.parametrize("path", ["/tarjotin/lisaa", "/tarjotin/poista"])
@pytest.mark.parametrize("odd", ["\u00b2", "\u0663", "1\u00b2", "9" * 5000])
def test_an_id_that_is_not_ascii_digits_is_no_organisation(client, path, odd):
    response = client.post(path, data={"organisation_id": odd, "next": "/haku"})

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/haku#")


@pytest.mark.parametrize("path", ["/tarjotin/lisaa", "/tarjotin/poista"])
@pytest.mark.parametrize(
    "next_url",
    ["/\t/evil.example", "/\n/evil.example", "/haku\nSet-Cookie: x=1", "/haku\r\n", " //evil.example",
     "/\\evil.example", "//evil.example", "https://evil.example/", "/haku\x00", "/\u3000/evil.example"],
)
def test_next_goes_nowhere_but_a_path_of_this_site(client, make_organisation, path, next_url):
    organisation = make_organisation()

    response = client.post(path, data={"organisation_id": organisation.id, "next": next_url})

    assert response.status_code == 303
    # Back to the tray page; a removal lands on its heading, since the card is not on that page.
    landing = f"tulos-{organisation.id}" if path.endswith("lisaa") else "tarjotin-otsikko"
    assert response.headers["Location"] == f"/tarjotin#{landing}"
