"""Organisations kept by their own contacts: add, edit, confirm, access, conflicts, CSRF.

CSRF is on in this module, as in production; every POST sends what the page's
form holds, read from the HTML the way a browser would submit it.
"""
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text
from tests.clients import OwnBrowserClient
from werkzeug.datastructures import MultiDict

from app.admin.staff import add_staff, deactivate_staff
from app.directory.records import organisation_record
from app.extensions import db as _db
from app.models import Organisation, OrganisationContact, Revision, utcnow
from app.platform.tokens import issue_link_token

STAFF = "toimisto@example.fi"
SECRETARY = "sihteeri@example.fi"
LINK_PATTERN = re.compile(r"http://portal\.test(/jarjestoille/kirjaudu/[A-Za-z0-9_\-]+)")


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "STAFF_NOTIFY_EMAIL": STAFF}


class FormReader(HTMLParser):
    """The (name, value) pairs a browser submits for each <form> on a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._textarea: list | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "class": attrs.get("class", ""), "fields": []})
        elif not self.forms or "name" not in attrs:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields.append((attrs["name"], attrs.get("value", "on")))
            elif kind not in ("submit", "button"):
                fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select = {"name": attrs["name"], "first": None, "selected": None}
        elif tag == "option" and self._select is not None:
            if self._select["first"] is None:
                self._select["first"] = attrs.get("value", "")
            if "selected" in attrs:
                self._select["selected"] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            # The HTML parser, like a browser, drops one line break right after <textarea>.
            self.forms[-1]["fields"].append((name, value[2:] if value.startswith("\r\n") else value.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["selected"] if self._select["selected"] is not None else self._select["first"]
            self.forms[-1]["fields"].append((self._select["name"], chosen or ""))
            self._select = None


def form_data(page, css_class: str | None = "jarjestolomake", action: str | None = None) -> MultiDict:
    """What submitting a form of the page sends: the one posting to `action`, else the
    one with `css_class`, else (css_class=None) the page's only form."""
    reader = FormReader()
    reader.feed(page.text)
    matches = [
        found for found in reader.forms
        if (found["action"] == action if action else css_class is None or css_class in found["class"].split())
    ]
    assert len(matches) == 1, f"{len(matches)} forms match {action or css_class} on the page"
    return MultiDict(matches[0]["fields"])


def changed(data: MultiDict, **values) -> MultiDict:
    """A copy of the form data with some fields set (a list sets a multi-value field)."""
    result = MultiDict(data)
    for name, value in values.items():
        result.setlist(name, value if isinstance(value, list) else [value])
    return result


def two_people(app) -> tuple[FlaskClient, FlaskClient]:
    return OwnBrowserClient(app, app.response_class, use_cookies=True), OwnBrowserClient(
        app, app.response_class, use_cookies=True
    )


def sign_in_as(client, email: str):
    """Sign in through the real link pages, skipping only the mail (a test of its own below)."""
    raw = issue_link_token(email, "sign_in")
    _db.session.commit()
    confirm = client.get(f"/jarjestoille/kirjaudu/{raw}")
    answer = client.post(f"/jarjestoille/kirjaudu/{raw}", data=form_data(confirm, css_class=None))
    assert answer.status_code == 303, answer.text
    return answer


def two_tabs(app, organisation):
    """The secretary and the chair, each with the edit form open."""
    first, second = two_people(app)
    sign_in_as(first, SECRETARY)
    sign_in_as(second, "puheenjohtaja@example.fi")
    return first, second, form_data(first.get(edit_path(organisation.id))), form_data(second.get(edit_path(organisation.id)))


def own(make_organisation, name="Muistiyhdistys ry", contacts=(SECRETARY,), **fields) -> Organisation:
    organisation = make_organisation(name, **fields)
    for email in contacts:
        _db.session.add(OrganisationContact(organisation_id=organisation.id, email=email))
    _db.session.commit()
    return organisation


def edit_path(organisation_id: int) -> str:
    return f"/jarjestoille/omat/{organisation_id}/muokkaa"


def fresh(organisation_id: int) -> Organisation:
    _db.session.expire_all()
    return _db.session.get(Organisation, organisation_id)


def test_the_whole_journey_join_add_approve_edit(client, mailbox, taxonomy):
    landing = client.get("/jarjestoille/")
    asked = client.post("/jarjestoille/", data=changed(form_data(landing, action="/jarjestoille/"), email=SECRETARY))
    assert asked.status_code == 303
    [sign_in_mail] = mailbox.messages
    path = LINK_PATTERN.search(mailbox.bodies(sign_in_mail)[0]).group(1)
    confirm_page = client.get(path)
    assert confirm_page.status_code == 200 and "Jatka" in confirm_page.text
    signed_in = client.post(path, data=form_data(confirm_page, css_class=None))
    assert signed_in.headers["Location"] == "/jarjestoille/omat"

    own_page = client.get("/jarjestoille/omat")
    assert 'href="/jarjestoille/omat/etsi"' in own_page.text and "Lisää järjestö tai liity mukaan" in own_page.text
    find_page = client.get("/jarjestoille/omat/etsi")
    # "Lisää uusi järjestö" opens the stepped form (tests/test_stepped_form.py); the one-page form stays.
    assert "Onko järjestösi jo tarjottimella?" in find_page.text
    assert 'href="/jarjestoille/omat/uusi/vaiheet"' in find_page.text
    new_form = client.get("/jarjestoille/omat/uusi")
    assert new_form.status_code == 200
    data = form_data(new_form)
    assert data["contact_1_email"] == SECRETARY
    need_id = _need_id("Muistisairaus")
    added = client.post("/jarjestoille/omat/uusi", data=changed(
        data, name="Kuopion muistikahvila", description="Muistikahvila kokoontuu kirjastolla.",
        needs=[str(need_id)], phone_1="040 1234567", phone_1_role="Puheenjohtaja",
    ))
    assert added.status_code == 303
    organisation = _db.session.scalar(select(Organisation).filter_by(name="Kuopion muistikahvila"))
    assert organisation.status == "pending"
    assert [c.email for c in organisation.contacts] == [SECRETARY]
    assert organisation.phones[0].number == "+358401234567"
    assert organisation.confirmed_at is not None
    assert [r.summary for r in _revisions(organisation.id)] == ["Järjestö lisätty"]
    next_page = client.get(added.headers["Location"])
    assert "Mitä seuraavaksi tapahtuu" in next_page.text
    assert re.search(r"Kuopion muistikahvila\s*<strong>\(odottaa hyväksyntää\)</strong>",
                     client.get("/jarjestoille/omat").text)
    assert client.get(f"/jarjestot/{organisation.id}").status_code == 404

    staff_mail, receipt = mailbox.messages[-2:]
    assert staff_mail["To"] == STAFF
    assert staff_mail["Subject"] == "Uusi järjestö odottaa hyväksyntää: Kuopion muistikahvila"
    assert SECRETARY in mailbox.bodies(staff_mail)[0]
    assert receipt["To"] == SECRETARY and receipt["Subject"] == "Vastaanotettu: Kuopion muistikahvila"
    assert "/jarjestoille/omat" in mailbox.bodies(receipt)[0]

    # Staff approval is another feature; here it is the status it sets.
    organisation.status = "published"
    _db.session.commit()

    edit = client.get(edit_path(organisation.id))
    assert 'value="040 123 4567"' in edit.text
    saved = client.post(edit_path(organisation.id), data=changed(
        form_data(edit), meeting_times="Joka tiistai klo 18 kirjaston salissa.",
    ))
    assert saved.status_code == 303 and saved.headers["Location"] == "/jarjestoille/omat"
    assert "Muutokset näkyvät palvelussa heti" in client.get("/jarjestoille/omat").text
    public = client.get(f"/jarjestot/{organisation.id}")
    assert public.status_code == 200
    assert "Joka tiistai klo 18 kirjaston salissa." in public.text
    organisation = fresh(organisation.id)
    assert organisation.status == "published"
    assert [r.summary for r in _revisions(organisation.id)] == ["Järjestö lisätty", "Tiedot päivitetty"]
    assert _revisions(organisation.id)[-1].author == SECRETARY


def test_every_active_staff_member_is_told_unless_they_opted_out(app, client, mailbox, taxonomy):
    app.config["STAFF_NOTIFY_EMAIL"] = ""
    add_staff("anna@keskus.example")
    add_staff("ville@keskus.example").receives_notices = False
    deactivate_staff(add_staff("lahtenyt@keskus.example").email)
    _db.session.commit()
    sign_in_as(client, SECRETARY)
    data = changed(form_data(client.get("/jarjestoille/omat/uusi")), name="Pieni kerho")
    assert client.post("/jarjestoille/omat/uusi", data=data).status_code == 303
    sent = sorted((message["To"], message["Subject"]) for message in mailbox.messages)
    assert sent == [
        ("anna@keskus.example", "Uusi järjestö odottaa hyväksyntää: Pieni kerho"),
        (SECRETARY, "Vastaanotettu: Pieni kerho"),
    ]


def test_new_organisation_keeps_its_creator_as_a_contact(client, taxonomy):
    sign_in_as(client, SECRETARY)
    data = changed(form_data(client.get("/jarjestoille/omat/uusi")), name="Kerho", contact_2_email="Toinen@Example.fi")
    client.post("/jarjestoille/omat/uusi", data=data)
    organisation = _db.session.scalar(select(Organisation).filter_by(name="Kerho"))
    assert sorted(c.email for c in organisation.contacts) == [SECRETARY, "toinen@example.fi"]


def test_someone_elses_organisation_is_not_found(client, make_organisation):
    mine = own(make_organisation)
    theirs = own(make_organisation, "Toisen yhdistys ry", contacts=("toinen@example.fi",))
    sign_in_as(client, SECRETARY)
    data = form_data(client.get(edit_path(mine.id)))
    missing = client.get(edit_path(999_999))
    assert missing.status_code == 404
    confirm_path, added_path = f"/jarjestoille/omat/{theirs.id}/ajan-tasalla", f"/jarjestoille/omat/{theirs.id}/lisatty"
    # A POST-only address's page has no address of its own to switch language on (platform.languages._page_shown).
    missing_confirmation = client.post("/jarjestoille/omat/999999/ajan-tasalla",
                                       data=MultiDict({"csrf_token": data["csrf_token"]}))
    for path, answer, expected in (
        (edit_path(theirs.id), client.get(edit_path(theirs.id)), missing),
        (edit_path(theirs.id), client.post(edit_path(theirs.id), data=changed(data, name="Kaapattu")), missing),
        (confirm_path, client.post(confirm_path, data=MultiDict({"csrf_token": data["csrf_token"]})),
         missing_confirmation),
        (added_path, client.get(added_path), missing),
    ):
        assert answer.status_code == 404
        # The same page but for its own address (in the language switch), which the asker knows.
        assert answer.text.replace(path, "…") == expected.text.replace(edit_path(999_999), "…").replace(
            "/jarjestoille/omat/999999/ajan-tasalla", "…")
    theirs = fresh(theirs.id)
    assert theirs.name == "Toisen yhdistys ry" and theirs.confirmed_at is None
    assert _revisions(theirs.id) == []


def test_signed_out_visitors_go_to_sign_in(client, make_organisation):
    mine = own(make_organisation)
    for answer in (client.get(edit_path(mine.id)), client.get("/jarjestoille/omat/uusi")):
        assert answer.status_code == 303 and answer.headers["Location"] == "/jarjestoille/"


def test_a_form_sent_after_the_session_ended_is_kept_as_a_draft(client, make_organisation):
    # Typing for longer than the session lasts must not lose what was typed.
    from app.accounts.sessions import SESSION_LIMITS
    from app.models import UserSession

    mine = own(make_organisation, meeting_times="Tiistaisin.")
    sign_in_as(client, SECRETARY)
    page = client.get(edit_path(mine.id))
    for row in _db.session.scalars(select(UserSession)):
        row.last_seen_at = utcnow() - SESSION_LIMITS["contact"].idle - timedelta(minutes=1)
    _db.session.commit()
    sent = client.post(edit_path(mine.id), data=changed(form_data(page), meeting_times="Torstaisin kello 18."))
    assert sent.status_code == 303 and sent.headers["Location"] == "/jarjestoille/"
    assert "Kirjoittamasi on tallessa luonnoksena" in client.get("/jarjestoille/").text
    assert fresh(mine.id).meeting_times == "Tiistaisin."
    # Signed in again, the form continues from what was sent.
    sign_in_as(client, SECRETARY)
    resumed = client.get(f"/jarjestoille/omat/{mine.id}/vaiheet")
    assert resumed.status_code == 303 and resumed.headers["Location"].endswith("/vaihe/esikatselu")
    assert "Torstaisin kello 18." in client.get(resumed.headers["Location"]).text
    # Someone else's organisation is not kept for an expired session of another address.
    other = make_organisation("Toinen ry")
    for row in _db.session.scalars(select(UserSession)):
        row.last_seen_at = utcnow() - SESSION_LIMITS["contact"].idle - timedelta(minutes=1)
    _db.session.commit()
    client.post(edit_path(other.id), data=changed(form_data(page), meeting_times="Ei näin."))
    from app.directory.drafts import find_draft
    assert find_draft(SECRETARY, other.id) is None


def test_removed_contact_loses_access_at_once(client, make_organisation):
    mine = own(make_organisation)
    sign_in_as(client, SECRETARY)
    form = client.get(edit_path(mine.id))
    assert form.status_code == 200
    _db.session.execute(OrganisationContact.__table__.delete().where(OrganisationContact.email == SECRETARY))
    _db.session.commit()
    assert client.get(edit_path(mine.id)).status_code == 404
    assert client.post(edit_path(mine.id), data=changed(form_data(form), name="Muutettu")).status_code == 404
    assert fresh(mine.id).name == "Muistiyhdistys ry"


def test_removing_yourself_saves_then_ends_your_access(client, make_organisation):
    mine = own(make_organisation, contacts=(SECRETARY, "puheenjohtaja@example.fi"))
    sign_in_as(client, SECRETARY)
    form = client.get(edit_path(mine.id))
    assert f"Jos poistat oman osoitteesi {SECRETARY}, menetät oikeuden" in form.text
    saved = client.post(edit_path(mine.id), data=changed(form_data(form), contact_2_remove="y"))
    assert saved.status_code == 303
    assert "Poistit oman osoitteesi yhteyshenkilöistä" in client.get("/jarjestoille/omat").text
    assert [c.email for c in fresh(mine.id).contacts] == ["puheenjohtaja@example.fi"]
    assert client.get(edit_path(mine.id)).status_code == 404


def test_the_details_are_current_sets_only_confirmed_at(client, make_organisation):
    mine = own(make_organisation, confirmed_at=utcnow() - timedelta(days=400))
    before = organisation_record(mine)
    sign_in_as(client, SECRETARY)
    own_page = client.get("/jarjestoille/omat")
    action = f"/jarjestoille/omat/{mine.id}/ajan-tasalla"
    answer = client.post(action, data=form_data(own_page, action=action))
    assert answer.status_code == 303
    assert "tiedot on merkitty ajan tasalla oleviksi" in client.get("/jarjestoille/omat").text
    after = organisation_record(fresh(mine.id))
    assert fresh(mine.id).confirmed_at > utcnow() - timedelta(minutes=1)
    assert {key for key in before if before[key] != after[key]} == {"confirmed_at"}
    [revision] = _revisions(mine.id)
    assert (revision.summary, revision.author) == ("Tiedot vahvistettu ajan tasalle", SECRETARY)


def test_saving_without_changes_confirms_and_changes_nothing_else(client, make_organisation):
    mine = own(make_organisation)
    before = organisation_record(fresh(mine.id))
    sign_in_as(client, SECRETARY)
    form = client.get(edit_path(mine.id))
    assert "Tallenna ja vahvista tiedot ajan tasalle" in form.text
    answer = client.post(edit_path(mine.id), data=form_data(form))
    assert answer.status_code == 303
    assert "Tietoihin ei tehty muutoksia. Järjestön Muistiyhdistys ry tiedot on merkitty ajan tasalla" in (
        client.get("/jarjestoille/omat").text)
    after = fresh(mine.id)
    assert after.confirmed_at is not None
    assert {**organisation_record(after), "confirmed_at": None} == {**before, "confirmed_at": None}
    assert [r.summary for r in _revisions(mine.id)] == ["Tiedot vahvistettu ajan tasalle"]


def test_saving_after_someone_else_writes_only_what_you_changed(app, make_organisation, mailbox):
    mine = own(make_organisation, contacts=(SECRETARY, "puheenjohtaja@example.fi"), description="Vanha kuvaus.")
    first, second, first_form, second_form = two_tabs(app, mine)

    # Tab A adds a contact and a need; tab B, opened before, changes other fields.
    need_id = str(_need_id("Muistisairaus"))
    assert first.post(edit_path(mine.id), data=changed(
        first_form, description="Ensimmäisen kuvaus.", contact_3_email="rahastonhoitaja@example.fi",
        contact_3_name="Raili Rahastonhoitaja", contact_3_role="rahastonhoitaja", needs=[need_id],
    )).status_code == 303
    saved = second.post(edit_path(mine.id), data=changed(second_form, meeting_times="Toisen kokoontumisajat."))
    assert saved.status_code == 303
    assert "vain muuttamasi kohdat tallennettiin" in second.get("/jarjestoille/omat").text
    stored = fresh(mine.id)
    assert (stored.description, stored.meeting_times) == ("Ensimmäisen kuvaus.", "Toisen kokoontumisajat.")
    assert sorted(c.email for c in stored.contacts) == [
        "puheenjohtaja@example.fi", "rahastonhoitaja@example.fi", SECRETARY]
    assert [n.id for n in stored.needs] == [int(need_id)]
    assert [r.author for r in _revisions(mine.id)] == [SECRETARY, "puheenjohtaja@example.fi"]
    # The added contact was welcomed once, by tab A's save only.
    assert [m["To"] for m in mailbox.messages] == ["rahastonhoitaja@example.fi"]


def test_both_changing_one_field_asks_which_to_keep_and_keeps_the_rest(app, make_organisation):
    mine = own(make_organisation, contacts=(SECRETARY, "puheenjohtaja@example.fi"), description="Vanha kuvaus.")
    first, second, first_form, second_form = two_tabs(app, mine)

    assert first.post(edit_path(mine.id), data=changed(
        first_form, description="Ensimmäisen kuvaus.", post_office="Kuopio")).status_code == 303
    conflict = second.post(edit_path(mine.id), data=changed(
        second_form, description="Toisen kuvaus.", meeting_times="Toisen kokoontumisajat."))
    assert conflict.status_code == 409
    assert "Joku muu tallensi tiedot sillä välin" in conflict.text
    assert '<a href="#keep-description">Kuvaus</a>' in conflict.text
    assert "Toisen kuvaus." in conflict.text and "Ensimmäisen kuvaus." in conflict.text
    stored = fresh(mine.id)
    assert stored.description == "Ensimmäisen kuvaus." and stored.meeting_times == ""

    retry = form_data(conflict)
    assert retry["version"] == str(stored.version)
    assert retry["keep-description"] == "mine"
    assert retry["meeting_times"] == "Toisen kokoontumisajat."
    assert retry["post_office"] == "Kuopio"  # the other's change, shown in the form
    assert second.post(edit_path(mine.id), data=changed(retry, **{"keep-description": "theirs"})).status_code == 303
    stored = fresh(mine.id)
    assert (stored.description, stored.meeting_times, stored.post_office) == (
        "Ensimmäisen kuvaus.", "Toisen kokoontumisajat.", "Kuopio")


def test_keeping_your_own_value_after_a_conflict(app, make_organisation):
    mine = own(make_organisation, contacts=(SECRETARY, "puheenjohtaja@example.fi"))
    first, second, first_form, second_form = two_tabs(app, mine)
    first.post(edit_path(mine.id), data=changed(first_form, contact_1_name="Pekka", contact_1_role="puheenjohtaja"))
    conflict = second.post(edit_path(mine.id), data=changed(second_form, contact_1_name="Petra"))
    assert conflict.status_code == 409
    assert "Yhteyshenkilö puheenjohtaja@example.fi" in conflict.text
    assert second.post(edit_path(mine.id), data=form_data(conflict)).status_code == 303
    [chair] = [c for c in fresh(mine.id).contacts if c.email == "puheenjohtaja@example.fi"]
    assert (chair.name, chair.role) == ("Petra", "")


def test_changes_outside_the_form_do_not_block_a_save(app, make_organisation):
    mine = own(make_organisation, status="pending")
    client, other_tab = two_people(app)
    sign_in_as(client, SECRETARY)
    form = form_data(client.get(edit_path(mine.id)))
    action = f"/jarjestoille/omat/{mine.id}/ajan-tasalla"
    sign_in_as(other_tab, SECRETARY)
    other_tab.post(action, data=form_data(other_tab.get("/jarjestoille/omat"), action=action))
    fresh(mine.id).status = "published"  # staff approved meanwhile
    _db.session.commit()
    assert client.post(edit_path(mine.id), data=changed(form, post_office="Kuopio")).status_code == 303
    stored = fresh(mine.id)
    assert (stored.post_office, stored.status) == ("Kuopio", "published")
    # Nothing the form holds changed meanwhile: no "others' changes were kept".
    own_page = client.get("/jarjestoille/omat").text
    assert "Muutokset näkyvät palvelussa heti" in own_page and "Joku muu oli tallentanut" not in own_page


def test_a_save_landing_between_check_and_write_is_a_conflict(client, make_organisation, monkeypatch):
    import app.accounts.routes as routes

    mine = own(make_organisation)
    real_update = routes.update_organisation

    def racing_update(organisation, *args, **kwargs):
        # Another worker commits right after this request read the row.
        _db.session.execute(text("UPDATE organisation SET version = version + 1 WHERE id = :id"), {"id": organisation.id})
        return real_update(organisation, *args, **kwargs)

    monkeypatch.setattr(routes, "update_organisation", racing_update)
    sign_in_as(client, SECRETARY)
    form = form_data(client.get(edit_path(mine.id)))
    answer = client.post(edit_path(mine.id), data=changed(form, name="Uusi nimi"))
    assert answer.status_code == 409
    assert "Joku muu tallensi tiedot sillä välin" in answer.text
    assert 'value="Uusi nimi"' in answer.text
    assert fresh(mine.id).name == "Muistiyhdistys ry"
    assert _revisions(mine.id) == []


def test_every_post_needs_the_csrf_token(client, make_organisation):
    mine = own(make_organisation)
    sign_in_as(client, SECRETARY)
    form = form_data(client.get(edit_path(mine.id)))
    new = form_data(client.get("/jarjestoille/omat/uusi"))
    for path, data in (
        (edit_path(mine.id), changed(form, name="Ilman tunnistetta")),
        ("/jarjestoille/omat/uusi", changed(new, name="Ilman tunnistetta")),
        (f"/jarjestoille/omat/{mine.id}/ajan-tasalla", MultiDict()),
    ):
        data.pop("csrf_token", None)
        assert client.post(path, data=data).status_code == 400
        assert client.post(path, data=changed(data, csrf_token="väärä")).status_code == 400
    stored = fresh(mine.id)
    assert stored.name == "Muistiyhdistys ry" and stored.confirmed_at is None
    assert _db.session.scalar(select(Organisation).filter_by(name="Ilman tunnistetta")) is None


def test_an_oversize_body_is_refused(client, make_organisation):
    mine = own(make_organisation)
    sign_in_as(client, SECRETARY)
    form = form_data(client.get(edit_path(mine.id)))
    answer = client.post(edit_path(mine.id), data=changed(form, description="x" * 600_000))
    assert answer.status_code == 413
    assert "Lähetys on liian suuri" in answer.text
    assert fresh(mine.id).description == "Kokoontuu kerran viikossa."


def _need_id(name: str) -> int:
    from app.models import Need

    return _db.session.scalar(select(Need.id).filter_by(name=name))


def _revisions(organisation_id: int) -> list[Revision]:
    return list(_db.session.scalars(select(Revision).filter_by(organisation_id=organisation_id).order_by(Revision.id)))
