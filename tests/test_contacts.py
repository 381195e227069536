"""Contacts with names: the form's rows, the welcome and removal mails (none before staff approve the entry),
never public, and a used link that offers a fresh one in one click."""
import io
import re
import zipfile

import pytest
from sqlalchemy import select
from tests.admin_support import make_staff, sign_in_staff
from tests.test_self_service import SECRETARY, changed, edit_path, form_data, fresh, own, sign_in_as

from app.directory.contacts import ContactPerson
from app.directory.organisations import OrganisationData, organisation_data, update_organisation
from app.extensions import db
from app.models import LoginToken, Organisation, OrganisationContact
from app.platform.tokens import issue_link_token

NAME_MARKER = "Nimimerkki Salainen"
ROLE_MARKER = "Roolimerkki-Rx9"
PHONE = "0401239876"
LINK = re.compile(r"http://portal\.test(/(?:sv/|en/)?jarjestoille/kirjaudu/[A-Za-z0-9_\-]+)")


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_a_contact_is_saved_with_name_role_and_phone_and_welcomed(client, make_organisation, mailbox):
    mine = own(make_organisation)
    sign_in_as(client, SECRETARY)
    page = client.get(edit_path(mine.id))
    assert '<legend>Yhteyshenkilö 2</legend>' in page.text and 'id="contact_3_email"' in page.text
    saved = client.post(edit_path(mine.id), data=changed(
        form_data(page), contact_2_email="Maija@Yhdistys.example", contact_2_name="Maija Meikäläinen",
        contact_2_role="puheenjohtaja", contact_2_phone="040 123 9876",
    ))
    assert saved.status_code == 303
    added = db.session.scalar(select(OrganisationContact).filter_by(email="maija@yhdistys.example"))
    assert (added.name, added.role, added.phone) == ("Maija Meikäläinen", "puheenjohtaja", "+358401239876")
    [welcome] = mailbox.messages
    assert welcome["To"] == "maija@yhdistys.example"
    assert welcome["Subject"] == "Sinut on lisätty järjestön Muistiyhdistys ry yhteyshenkilöksi"
    text = mailbox.bodies(welcome)[0]
    assert "Hei Maija Meikäläinen," in text and "kertakäyttöisen kirjautumislinkin" in text
    assert "http://portal.test/jarjestoille/" in text
    # Shown back in the Finnish format, with the remove box of a stored person.
    again = client.get(edit_path(mine.id)).text
    assert 'value="040 123 9876"' in again and 'id="contact_1_remove"' in again


def test_a_removed_contact_gets_a_notice_in_the_organisations_language(client, make_organisation, mailbox):
    mine = own(make_organisation, contacts=(SECRETARY, "pois@yhdistys.example"), language="sv")
    sign_in_as(client, SECRETARY)
    rows = form_data(client.get(edit_path(mine.id)))
    assert rows["contact_1_email"] == "pois@yhdistys.example"
    assert client.post(edit_path(mine.id), data=changed(rows, contact_1_remove="y")).status_code == 303
    assert [c.email for c in fresh(mine.id).contacts] == [SECRETARY]
    [notice] = mailbox.messages
    assert notice["To"] == "pois@yhdistys.example"
    assert "Muistiyhdistys ry" in notice["Subject"]


def test_the_welcome_speaks_the_organisations_language(client, make_organisation, mailbox):
    mine = own(make_organisation, language="sv")
    sign_in_as(client, SECRETARY)
    data = changed(form_data(client.get(edit_path(mine.id))), contact_2_email="ny@forening.example")
    assert client.post(edit_path(mine.id), data=data).status_code == 303
    [welcome] = mailbox.messages
    assert "http://portal.test/sv/jarjestoille/" in mailbox.bodies(welcome)[0]


def test_the_author_is_not_mailed_about_their_own_change(app, make_organisation, mailbox):
    mine = own(make_organisation)
    data = organisation_data(mine)
    data.contacts = [*data.contacts, ContactPerson("uusi@yhdistys.example")]
    update_organisation(mine, data, "uusi@yhdistys.example", base_version=mine.version, base_record=None)
    db.session.commit()
    assert mailbox.messages == []


def test_staff_adding_a_contact_welcomes_them(app, client, make_organisation, mailbox):
    app.config["WTF_CSRF_ENABLED"] = False  # sign_in_staff posts the link without a form
    mine = own(make_organisation)
    make_staff()
    sign_in_staff(client)
    path = f"/yllapito/jarjestot/{mine.id}/muokkaa"
    data = changed(form_data(client.get(path)), contact_2_email="uusi@yhdistys.example", contact_2_name="Uusi",
                   status="published")
    answer = client.post(path, data=data)
    assert answer.status_code == 303, re.findall(r'id="(\w+)-virhe"', answer.text)
    assert [m["To"] for m in mailbox.messages] == ["uusi@yhdistys.example"]


def test_contact_people_never_reach_a_public_page_or_api(client, make_organisation):
    organisation = make_organisation("Yhteysmerkitty ry", municipalities=["Kuopio"])
    db.session.add(OrganisationContact(organisation_id=organisation.id, email="salainen@merkki.example",
                                       name=NAME_MARKER, role=ROLE_MARKER, phone="+358401239876"))
    db.session.commit()
    answers = {
        path: client.get(path) for path in (
            f"/jarjestot/{organisation.id}", "/jarjestot", "/haku?q=Yhteysmerkitty",
            "/api/v1/organisations", f"/api/v1/organisations/{organisation.id}",
            "/api/hsds/organizations", "/api/hsds/services", "/api/hsds/service_at_locations",
        )
    }
    texts = {path: answer.get_data(as_text=True) for path, answer in answers.items()}
    assert "Yhteysmerkitty ry" in texts[f"/jarjestot/{organisation.id}"]
    with zipfile.ZipFile(io.BytesIO(client.get("/api/hsds/datapackage.zip").data)) as package:
        texts.update({name: package.read(name).decode("utf-8") for name in package.namelist()})
    markers = (NAME_MARKER, ROLE_MARKER, "salainen@merkki.example", "040 123 9876", "358401239876")
    assert {path: [m for m in markers if m in text] for path, text in texts.items() if any(m in text for m in markers)} == {}


def _used_link(client, email: str = SECRETARY) -> str:
    raw = issue_link_token(email, "sign_in")
    db.session.commit()
    path = f"/jarjestoille/kirjaudu/{raw}"
    assert client.post(path, data=form_data(client.get(path), css_class=None)).status_code == 303
    return path


def test_a_used_link_offers_a_fresh_one_to_the_same_address_in_one_click(app, client, mailbox):
    path = _used_link(client)
    second_device = app.test_client()
    page = second_device.get(path)
    assert page.status_code == 410 and "Linkki on jo käytetty" in page.text
    assert SECRETARY not in page.text
    fresh_form = form_data(page, action=f"{path}/uusi")
    answer = second_device.post(f"{path}/uusi", data=fresh_form)
    assert answer.status_code == 303 and answer.headers["Location"] == "/jarjestoille/linkki-lahetetty"
    [mail] = mailbox.messages
    assert mail["To"] == SECRETARY
    new_path = LINK.search(mailbox.bodies(mail)[0]).group(1)
    assert new_path != path and second_device.get(new_path).status_code == 200


def test_an_unknown_token_gets_the_same_answer_and_no_mail(app, client, mailbox):
    page = client.get("/jarjestoille/kirjaudu/tuntematon")
    assert page.status_code == 404 and "/uusi" not in page.text
    used = _used_link(client)
    # Another browser: the one the link signed in goes on past the used-link page.
    other = app.test_client()
    data = form_data(other.get(used), action=None, css_class="uusi-linkki")
    answer = other.post("/jarjestoille/kirjaudu/tuntematon/uusi", data=data)
    assert answer.status_code == 303 and answer.headers["Location"] == "/jarjestoille/linkki-lahetetty"
    assert mailbox.messages == []
    assert db.session.scalar(select(LoginToken).filter_by(email=SECRETARY, used_at=None)) is None


def test_organisation_data_accepts_an_address_alone():
    assert OrganisationData(name="X", contacts=["a@b.example"]).contacts[0].email == "a@b.example"


def test_no_one_is_mailed_as_the_contact_of_an_entry_staff_have_not_approved(app, client, mailbox, taxonomy):
    # Anyone can sign in and add an organisation, naming it and its contacts as they like: a welcome
    # sent at once would carry a stranger's words from the portal's address to any inbox, 19 a form.
    sign_in_as(client, "kuka-tahansa@example.fi")
    data = changed(form_data(client.get("/jarjestoille/omat/uusi")), name="Voitit 1000 euroa – soita 0700 123 456",
                   contact_2_email="uhri@example.fi", contact_2_name="Lunasta palkintosi")
    assert client.post("/jarjestoille/omat/uusi", data=data).status_code == 303
    pending = db.session.scalar(select(Organisation).filter_by(name="Voitit 1000 euroa – soita 0700 123 456"))
    # Removing and adding people while it waits mails no one either.
    rows = form_data(client.get(edit_path(pending.id)))
    removed = "contact_1_remove" if rows["contact_1_email"] == "uhri@example.fi" else "contact_2_remove"
    assert client.post(edit_path(pending.id), data=changed(
        rows, **{removed: "y"}, contact_3_email="toinen-uhri@example.fi")).status_code == 303
    assert {m["To"] for m in mailbox.messages} <= {"kuka-tahansa@example.fi", "maija@example.fi"}
    # Staff's approval is what tells the contacts, all of them at once.
    app.config["WTF_CSRF_ENABLED"] = False  # sign_in_staff posts the link without a form
    make_staff()
    sign_in_staff(client)
    assert client.post(f"/yllapito/jarjestot/{pending.id}/hyvaksy").status_code == 303
    approved = [m for m in mailbox.messages if m["To"] == "toinen-uhri@example.fi"]
    assert [m["Subject"] for m in approved] == [
        "Voitit 1000 euroa – soita 0700 123 456 on julkaistu Hyvinvointitarjottimessa"]


def test_staff_publishing_a_waiting_entry_by_its_form_welcomes_its_contacts(app, client, make_organisation, mailbox):
    waiting = own(make_organisation, contacts=(SECRETARY, "odottaja@yhdistys.example"), status="pending")
    app.config["WTF_CSRF_ENABLED"] = False  # sign_in_staff posts the link without a form
    make_staff()
    sign_in_staff(client)
    path = f"/yllapito/jarjestot/{waiting.id}/muokkaa"
    assert client.post(path, data=changed(form_data(client.get(path)), status="published")).status_code == 303
    assert sorted(m["To"] for m in mailbox.messages) == ["odottaja@yhdistys.example", SECRETARY]
