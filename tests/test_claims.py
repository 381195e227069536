"""Claiming an entry already in the directory, and duplicates caught on create.

CSRF is on, as in production; each POST sends what the page's form holds.
Mail goes through the real SMTP sink.
"""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.accounts.claims import decide_claim, request_access
from app.accounts.sessions import SESSION_LIMITS
from app.directory.duplicates import normalised_name, possible_duplicates
from app.extensions import db as _db
from app.models import (
    AccessClaim, AuditEvent, LoginToken, Organisation, OrganisationContact, Revision, UserSession, utcnow,
)
from app.platform.tokens import issue_link_token
from tests.admin_support import make_staff
from tests.clients import OwnBrowserClient
from tests.test_self_service import changed, form_data, own, sign_in_as

SECRETARY = "sihteeri@example.fi"
NEWCOMER = "uusi.sihteeri@example.fi"
STAFF = "toimisto@example.fi"
CLAIM_LINK = re.compile(r"http://portal\.test(/jarjestoille/liittymispyynto/\d+/[A-Za-z0-9_\-]+)")


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "STAFF_NOTIFY_EMAIL": STAFF}


def browser(app):
    return OwnBrowserClient(app, app.response_class, use_cookies=True)


def sign_in_staff(client, email: str):
    """The real staff link pages, CSRF included; the token issued here instead of mailed."""
    token = issue_link_token(email, "staff_sign_in")
    _db.session.commit()
    confirm = client.get(f"/yllapito/kirjaudu/{token}")
    assert client.post(f"/yllapito/kirjaudu/{token}", data=form_data(confirm, css_class=None)).status_code == 303


def fresh(model, row_id):
    _db.session.expire_all()
    return _db.session.get(model, row_id)


def ask_to_join(client, organisation: Organisation, message: str = "Olen uusi sihteeri."):
    page = client.get(f"/jarjestoille/omat/liity/{organisation.id}")
    assert page.status_code == 200
    data = changed(form_data(page, action=f"/jarjestoille/omat/liity/{organisation.id}"), message=message)
    return client.post(f"/jarjestoille/omat/liity/{organisation.id}", data=data), data


def test_find_by_name_or_business_id_then_a_contact_approves_through_the_mailed_link(app, mailbox, make_organisation):
    organisation = own(make_organisation, "Kuopion Sydänyhdistys ry", business_id="0201256-6",
                       municipalities=["Kuopio"])
    make_organisation("Iisalmen Omaishoitajat ry")
    newcomer, contact = browser(app), browser(app)
    sign_in_as(newcomer, NEWCOMER)

    by_name = newcomer.get("/jarjestoille/omat/etsi", query_string={"q": "sydänyhdistyksen"})
    assert "Kuopion Sydänyhdistys ry" in by_name.text and "Iisalmen" not in by_name.text
    assert f'href="/jarjestoille/omat/liity/{organisation.id}?q=syd%C3%A4nyhdistyksen"' in by_name.text
    claim_page = newcomer.get(f"/jarjestoille/omat/liity/{organisation.id}?q=syd%C3%A4nyhdistyksen")
    # Back to the same matches, also after a refused message (the form posts to the same address).
    assert 'href="/jarjestoille/omat/etsi?q=syd%C3%A4nyhdistyksen">Takaisin hakuun' in claim_page.text
    assert f'action="/jarjestoille/omat/liity/{organisation.id}?q=syd%C3%A4nyhdistyksen"' in claim_page.text
    by_id = newcomer.get("/jarjestoille/omat/etsi", query_string={"q": "0201256-6"})
    assert "Kuopion Sydänyhdistys ry" in by_id.text and "Löytyi 1 järjestö" in by_id.text
    assert "Tarkenna hakua" not in by_id.text
    for number in range(10):
        make_organisation(f"Kerho {number} ry")
    many = newcomer.get("/jarjestoille/omat/etsi", query_string={"q": "kerho"})
    assert "Näytetään 10 osuvinta. Tarkenna hakua" in many.text
    nothing = newcomer.get("/jarjestoille/omat/etsi", query_string={"q": "Olematon seura"})
    assert "Haulla ei löytynyt järjestöjä" in nothing.text and 'href="/jarjestoille/omat/uusi/vaiheet"' in nothing.text

    symbols = newcomer.get("/jarjestoille/omat/etsi", query_string={"q": "%&!?"})
    assert "Kirjoita järjestön nimi tai Y-tunnus kirjaimin ja numeroin." in symbols.text
    assert 'value="%&amp;!?"' in symbols.text and 'aria-invalid="true"' in symbols.text
    assert "Iisalmen" not in symbols.text and "Tämä on meidän" not in symbols.text

    sent, _data = ask_to_join(newcomer, organisation)
    assert sent.status_code == 303
    claim = _db.session.scalar(select(AccessClaim))
    assert (claim.email, claim.status, claim.asked_contacts) == (NEWCOMER, "pending", True)
    assert "yhteyshenkilöt saivat pyyntösi" in newcomer.get(sent.headers["Location"]).text
    assert "Odottaa vastausta" in newcomer.get("/jarjestoille/omat").text

    to_contact = [m for m in mailbox.messages if m["To"] == SECRETARY]
    to_staff = [m for m in mailbox.messages if m["To"] == STAFF]
    assert [m["Subject"] for m in to_contact] == ["Pyyntö muokata järjestön Kuopion Sydänyhdistys ry tietoja"]
    assert [m["Subject"] for m in to_staff] == ["Liittymispyyntö: Kuopion Sydänyhdistys ry"]
    text = mailbox.bodies(to_contact[0])[0]
    assert NEWCOMER in text and "Olen uusi sihteeri." in text
    path = CLAIM_LINK.search(text).group(1)
    token = path.rsplit("/", 1)[1]
    stored = _db.session.scalar(select(LoginToken).where(LoginToken.purpose == "access_claim"))
    assert token not in stored.token_hash and stored.email == SECRETARY

    # Opening the link (as a mail scanner would, twice) decides nothing.
    for _ in range(2):
        page = contact.get(path)
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
        assert NEWCOMER in page.text and "Olen uusi sihteeri." in page.text
    assert fresh(AccessClaim, claim.id).status == "pending"

    answer = MultiDict(form_data(page, css_class=None))
    answer["approve"] = "Hyväksy"
    approved = contact.post(path, data=answer)
    assert approved.status_code == 200 and "Pyyntö hyväksytty" in approved.text
    claim = fresh(AccessClaim, claim.id)
    assert (claim.status, claim.decided_by) == ("approved", SECRETARY)
    assert sorted(c.email for c in fresh(Organisation, organisation.id).contacts) == sorted([NEWCOMER, SECRETARY])
    revision = _db.session.scalars(select(Revision).order_by(Revision.id.desc())).first()
    assert revision.summary == "Yhteyshenkilö lisätty liittymispyynnöstä"
    assert NEWCOMER in [c["email"] for c in revision.snapshot["contacts"]]
    assert _db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "claim_approve"
    [answer_mail] = [m for m in mailbox.messages if m["To"] == NEWCOMER]
    assert answer_mail["Subject"] == "Voit nyt muokata järjestön Kuopion Sydänyhdistys ry tietoja"
    assert f"/jarjestoille/omat/{organisation.id}/vaiheet" in newcomer.get("/jarjestoille/omat").text

    # Single use: the link cannot answer again.
    again = contact.post(path, data=answer)
    assert again.status_code == 410 and "Linkki on jo käytetty" in again.text
    # Whoever answered reads that their answer stands, not only what happens to an unanswered one.
    assert "Jos vastasit jo pyyntöön, vastauksesi on tallessa." in again.text


def test_a_contact_declines_and_the_requester_is_told(app, mailbox, make_organisation):
    organisation = own(make_organisation, "Varkauden Mielenterveysseura ry")
    newcomer, contact = browser(app), browser(app)
    sign_in_as(newcomer, NEWCOMER)
    ask_to_join(newcomer, organisation)
    path = CLAIM_LINK.search(mailbox.bodies(next(m for m in mailbox.messages if m["To"] == SECRETARY))[0]).group(1)
    answer = MultiDict(form_data(contact.get(path), css_class=None))
    answer["decline"] = "Hylkää"
    declined = contact.post(path, data=answer)
    assert "Pyyntö hylätty" in declined.text
    assert _db.session.scalar(select(AccessClaim.status)) == "declined"
    assert [c.email for c in fresh(Organisation, organisation.id).contacts] == [SECRETARY]
    [mail] = [m for m in mailbox.messages if m["To"] == NEWCOMER]
    assert mail["Subject"] == "Pyyntöäsi ei hyväksytty: Varkauden Mielenterveysseura ry"


def test_without_contacts_staff_decide_from_the_dashboard(app, mailbox, make_organisation):
    organisation = make_organisation("Siilinjärven Eläkeläiset ry")
    make_staff(STAFF)
    newcomer, staff = browser(app), browser(app)
    sign_in_as(newcomer, NEWCOMER)
    # With no contacts to read it, the message is asked for the staff.
    form_page = newcomer.get(f"/jarjestoille/omat/liity/{organisation.id}").text
    assert "Viesti ylläpidolle" in form_page and "Viesti järjestön yhteyshenkilöille" not in form_page
    sent, _data = ask_to_join(newcomer, organisation)
    assert "ylläpito käsittelee pyyntösi" in newcomer.get(sent.headers["Location"]).text.lower()
    assert [m["To"] for m in mailbox.messages] == [STAFF]
    claim = _db.session.scalar(select(AccessClaim))
    assert claim.asked_contacts is False

    sign_in_staff(staff, STAFF)
    dashboard = staff.get("/yllapito/")
    assert "Liittymispyynnöt (1)" in dashboard.text and NEWCOMER in dashboard.text
    action = f"/yllapito/liittymispyynnot/{claim.id}/hyvaksy"
    approved = staff.post(action, data=form_data(dashboard, action=action))
    assert approved.status_code == 303
    assert [c.email for c in fresh(Organisation, organisation.id).contacts] == [NEWCOMER]
    assert "Liittymispyynnöt (0)" in staff.get("/yllapito/").text
    assert [m["Subject"] for m in mailbox.messages if m["To"] == NEWCOMER] == [
        "Voit nyt muokata järjestön Siilinjärven Eläkeläiset ry tietoja"]
    # Answered already: a second decision is refused and changes nothing.
    again = staff.post(f"/yllapito/liittymispyynnot/{claim.id}/hylkaa", data=form_data(dashboard, action=action))
    assert again.status_code == 303
    assert fresh(AccessClaim, claim.id).status == "approved"


def test_staff_routes_are_closed_to_others(app, make_organisation):
    organisation = make_organisation()
    other = make_organisation("Testiyhdistys r.y.")
    with app.test_request_context():
        claim = request_access(organisation, NEWCOMER, "", language="fi")
    _db.session.commit()
    contact = browser(app)
    sign_in_as(contact, SECRETARY)
    for path in (f"/yllapito/liittymispyynnot/{claim.id}/hyvaksy", f"/yllapito/jarjestot/{organisation.id}/yhdista/{other.id}",
                 "/yllapito/jarjestot/uusi"):
        assert contact.post(path).status_code in (400, 403)
        assert contact.get(path).status_code in (403, 405)
        assert browser(app).get(path).status_code in (303, 405)
    assert fresh(AccessClaim, claim.id).status == "pending"
    assert fresh(Organisation, other.id).deleted_at is None


def test_a_claim_is_sent_once_and_a_contact_cannot_claim(app, mailbox, make_organisation):
    organisation = own(make_organisation, "Lapinlahden Martat ry")
    newcomer = browser(app)
    sign_in_as(newcomer, NEWCOMER)
    sent, data = ask_to_join(newcomer, organisation)
    repeat = newcomer.post(f"/jarjestoille/omat/liity/{organisation.id}", data=data)
    assert repeat.status_code == 303 and repeat.headers["Location"] == sent.headers["Location"]
    assert _db.session.scalar(select(_db.func.count()).select_from(AccessClaim)) == 1
    assert len([m for m in mailbox.messages if m["To"] == SECRETARY]) == 1
    page = newcomer.get(f"/jarjestoille/omat/liity/{organisation.id}")
    assert "Olet jo pyytänyt oikeutta" in page.text and "Lähetä pyyntö" not in page.text

    contact = browser(app)
    sign_in_as(contact, SECRETARY)
    answer = contact.get(f"/jarjestoille/omat/liity/{organisation.id}")
    assert answer.status_code == 303 and answer.headers["Location"] == "/jarjestoille/omat"


def test_a_claim_sent_after_the_session_ended_comes_back_with_what_was_typed(app, mailbox, make_organisation):
    organisation = own(make_organisation, "Lapinlahden Martat ry")
    newcomer = browser(app)
    sign_in_as(newcomer, NEWCOMER)
    page = newcomer.get(f"/jarjestoille/omat/liity/{organisation.id}")
    data = changed(form_data(page, action=f"/jarjestoille/omat/liity/{organisation.id}"),
                   message="Olen uusi sihteeri, valittu kevätkokouksessa.")
    # The message took longer than the session's idle time to write.
    row = _db.session.scalars(select(UserSession)).one()
    row.last_seen_at = utcnow() - SESSION_LIMITS["contact"].idle - timedelta(minutes=1)
    _db.session.commit()

    answer = newcomer.post(f"/jarjestoille/omat/liity/{organisation.id}", data=data,
                           headers={"Sec-Fetch-Site": "same-origin"})

    assert answer.status_code == 400
    assert "Istuntosi oli päättynyt" in answer.text
    assert "Olen uusi sihteeri, valittu kevätkokouksessa." in answer.text
    assert _db.session.scalar(select(_db.func.count()).select_from(AccessClaim)) == 0


def test_a_link_of_a_removed_contact_or_another_organisation_decides_nothing(app, mailbox, make_organisation):
    organisation = own(make_organisation, "Kuopion Reumayhdistys ry")
    other = own(make_organisation, "Toinen yhdistys ry", contacts=("toinen@example.fi",))
    newcomer, contact = browser(app), browser(app)
    sign_in_as(newcomer, NEWCOMER)
    ask_to_join(newcomer, organisation)
    ask_to_join(newcomer, other)
    first, second = _db.session.scalars(select(AccessClaim).order_by(AccessClaim.id)).all()
    path = CLAIM_LINK.search(mailbox.bodies(next(m for m in mailbox.messages if m["To"] == SECRETARY))[0]).group(1)
    token = path.rsplit("/", 1)[1]
    crossed = contact.get(f"/jarjestoille/liittymispyynto/{second.id}/{token}")
    assert crossed.status_code == 410 and NEWCOMER not in crossed.text
    _db.session.execute(_db.delete(OrganisationContact).where(OrganisationContact.email == SECRETARY))
    _db.session.commit()
    assert contact.get(path).status_code == 410
    assert fresh(AccessClaim, first.id).status == "pending"
    assert contact.get(f"/jarjestoille/liittymispyynto/{first.id}/vaara-token").status_code == 404


def test_two_answers_at_once_only_one_counts(app, make_organisation):
    organisation = make_organisation()
    with app.test_request_context():
        claim = request_access(organisation, NEWCOMER, "", language="fi")
        _db.session.commit()
        decide_claim(claim, "a@example.fi", approve=True)
        _db.session.commit()
        with pytest.raises(Exception, match="jo vastattu"):
            decide_claim(claim, "b@example.fi", approve=False)
    _db.session.rollback()
    assert fresh(AccessClaim, claim.id).status == "approved"


@pytest.mark.parametrize(("typed", "existing", "same"), [
    ("Kuopion Sydän-yhdistys r.y.", "Kuopion Sydänyhdistys ry", True),
    ("kuopion sydänyhdistys", "Kuopion Sydänyhdistys ry", True),
    ("Kuopion Sydänyhdistyss", "Kuopion Sydänyhdistys ry", True),
    ("Ｓｉｉｌｉｎｊäｒｖｅｎ Eläkeläiset", "Siilinjärven eläkeläiset RY", True),
    ("Kuopion Diabetesyhdistys ry", "Kuopion Sydänyhdistys ry", False),
    ("Kuopion Reumaliitto", "Kuopion Reumayhdistys", False),
])
def test_similar_names_are_found_and_different_ones_not(app, make_organisation, typed, existing, same):
    organisation = make_organisation(existing)
    assert (organisation in possible_duplicates(typed, None)) is same
    assert normalised_name(existing) == normalised_name(existing.upper())


def test_the_same_business_id_is_a_duplicate_whatever_the_name(app, make_organisation):
    organisation = make_organisation("Vanha nimi ry", business_id="0201256-6", status="hidden")
    assert possible_duplicates("Aivan uusi nimi", "0201256-6") == [organisation]
    assert possible_duplicates("Aivan uusi nimi", "0201256-6", exclude_id=organisation.id) == []


def test_self_service_add_shows_duplicates_then_claims_or_saves_with_the_input_kept(app, mailbox, make_organisation):
    existing = own(make_organisation, "Kuopion Sydänyhdistys ry")
    newcomer = browser(app)
    sign_in_as(newcomer, NEWCOMER)
    data = changed(form_data(newcomer.get("/jarjestoille/omat/uusi")), name="Kuopion sydänyhdistys",
                   meeting_times="Joka tiistai klo 18.")
    shown = newcomer.post("/jarjestoille/omat/uusi", data=data)
    assert shown.status_code == 200 and "Onko järjestö jo tarjottimella?" in shown.text
    assert f'href="/jarjestoille/omat/liity/{existing.id}"' in shown.text and "Tämä on meidän" in shown.text
    assert 'form="jarjestolomake" name="eri_jarjesto" value="1"' in shown.text
    kept = form_data(shown)
    assert kept["name"] == "Kuopion sydänyhdistys" and kept["meeting_times"] == "Joka tiistai klo 18."
    assert kept["submission_key"] == data["submission_key"]
    assert _db.session.scalar(select(_db.func.count()).select_from(Organisation)) == 1

    saved = newcomer.post("/jarjestoille/omat/uusi", data=changed(kept, eri_jarjesto="1"))
    assert saved.status_code == 303
    assert _db.session.scalar(select(_db.func.count()).select_from(Organisation)) == 2
    again = newcomer.post("/jarjestoille/omat/uusi", data=changed(kept, eri_jarjesto="1"))
    assert again.headers["Location"] == saved.headers["Location"]
    assert _db.session.scalar(select(_db.func.count()).select_from(Organisation)) == 2


def test_staff_add_warns_of_duplicates_and_the_approval_page_offers_a_merge(app, mailbox, make_organisation):
    existing = own(make_organisation, "Iisalmen Omaishoitajat ry", business_id="0201256-6")
    make_staff(STAFF)
    staff = browser(app)
    sign_in_staff(staff, STAFF)
    new_form = staff.get("/yllapito/jarjestot/uusi")
    assert new_form.status_code == 200
    data = changed(form_data(new_form), name="Omaishoitajat Iisalmi", business_id="0201256-6",
                   contact_1_email="puheenjohtaja@example.fi", status="pending")
    shown = staff.post("/yllapito/jarjestot/uusi", data=data)
    assert shown.status_code == 200 and f'href="/yllapito/jarjestot/{existing.id}"' in shown.text
    # (The test's form reader does not read <select> choices: the status is set as chosen.)
    saved = staff.post("/yllapito/jarjestot/uusi", data=changed(form_data(shown), eri_jarjesto="1", status="pending"))
    assert saved.status_code == 303
    duplicate = _db.session.scalar(select(Organisation).filter_by(name="Omaishoitajat Iisalmi"))
    assert duplicate.status == "pending"

    approval_page = staff.get(f"/yllapito/jarjestot/{duplicate.id}")
    assert "Mahdollinen kaksoiskappale" in approval_page.text
    merge_path = f"/yllapito/jarjestot/{existing.id}/yhdista/{duplicate.id}"
    # The published entry is proposed as the one kept; the confirmation page can swap them.
    assert f'href="{merge_path}"' in approval_page.text
    confirm = staff.get(merge_path)
    assert confirm.status_code == 200 and "puheenjohtaja@example.fi" in confirm.text
    assert fresh(Organisation, duplicate.id).deleted_at is None  # the GET only asks

    merged = staff.post(merge_path, data=form_data(confirm, action=merge_path))
    assert merged.status_code == 303 and merged.headers["Location"] == f"/yllapito/jarjestot/{existing.id}"
    kept, gone = fresh(Organisation, existing.id), fresh(Organisation, duplicate.id)
    assert sorted(c.email for c in kept.contacts) == ["puheenjohtaja@example.fi", SECRETARY]
    assert gone.deleted_at is not None and gone.status == "hidden"
    summaries = [r.summary for r in _db.session.scalars(select(Revision).where(Revision.organisation_id == kept.id))]
    assert summaries[-1] == f"Yhdistetty: Omaishoitajat Iisalmi (nro {duplicate.id}) yhdistettiin tähän"
    event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "merge"))
    assert event.detail["into"] == kept.id and event.detail["record"]["name"] == "Omaishoitajat Iisalmi"
    assert "Mahdollinen kaksoiskappale" not in staff.get(f"/yllapito/jarjestot/{existing.id}").text


@pytest.mark.parametrize("prefix", ["/sv", "/en"])
def test_the_claim_pages_work_in_swedish_and_english(app, mailbox, make_organisation, prefix):
    organisation = own(make_organisation, "Kuopion Sydänyhdistys ry", language=prefix[1:])
    newcomer, contact = browser(app), browser(app)
    sign_in_as(newcomer, NEWCOMER)
    found = newcomer.get(f"{prefix}/jarjestoille/omat/etsi", query_string={"q": "Sydänyhdistys"})
    assert found.status_code == 200 and f'href="{prefix}/jarjestoille/omat/liity/{organisation.id}?q=Syd%C3%A4nyhdistys"' in found.text
    page = newcomer.get(f"{prefix}/jarjestoille/omat/liity/{organisation.id}")
    action = f"{prefix}/jarjestoille/omat/liity/{organisation.id}"
    sent = newcomer.post(action, data=form_data(page, action=action))
    assert sent.status_code == 303 and sent.headers["Location"].startswith(f"{prefix}/jarjestoille/omat/pyynto/")
    assert newcomer.get(sent.headers["Location"]).status_code == 200
    assert _db.session.scalar(select(AccessClaim.language)) == prefix[1:]
    # The contact's mail is in the organisation's language, and so is its link.
    mail = next(m for m in mailbox.messages if m["To"] == SECRETARY)
    link = re.search(r"http://portal\.test(\S+/liittymispyynto/\S+)", mailbox.bodies(mail)[0]).group(1)
    assert link.startswith(f"{prefix}/jarjestoille/liittymispyynto/")
    assert contact.get(link).status_code == 200


def test_erasing_a_person_removes_their_claims(app, make_organisation):
    from app.platform.erasure import erase_person, find_personal_data

    organisation = make_organisation()
    with app.test_request_context():
        request_access(organisation, NEWCOMER, "Minulla on diabetes.", language="fi")
        _db.session.commit()
        assert find_personal_data(NEWCOMER).access_claims == 1
        erase_person(NEWCOMER, "yllapito@example.fi")
        _db.session.commit()
    assert _db.session.scalar(select(_db.func.count()).select_from(AccessClaim)) == 0


def test_purge_removes_claims_after_half_a_year(app, make_organisation):
    from datetime import timedelta

    from app.accounts.claims import CLAIM_RETENTION
    from app.models import utcnow
    from app.platform.retention import purge_all

    organisation = make_organisation()
    with app.test_request_context():
        old = request_access(organisation, "vanha@example.fi", "", language="fi")
        request_access(organisation, NEWCOMER, "", language="fi")
        old.created_at = utcnow() - CLAIM_RETENTION - timedelta(days=1)
        _db.session.commit()
        assert purge_all().access_claims == 1
        _db.session.commit()
    assert _db.session.scalars(select(AccessClaim.email)).all() == [NEWCOMER]


def test_joining_starts_with_the_question(app, make_organisation):
    newcomer = browser(app)
    sign_in_as(newcomer, NEWCOMER)
    own_page = newcomer.get("/jarjestoille/omat")
    assert "Onko järjestösi jo tarjottimella?" in own_page.text
    assert 'action="/jarjestoille/omat/etsi" method="get"' in own_page.text
