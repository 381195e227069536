"""The organisation form in steps: each step validated and kept as a draft on the server,
the draft surviving a new session, the preview, sending, and the drafts' retention.

CSRF is on, as in production; every POST sends what the page's form holds.
"""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.test_self_service import SECRETARY, changed, form_data, fresh, own, sign_in_as, two_people

from app.directory.drafts import DRAFT_RETENTION, find_draft
from app.extensions import db as _db
from app.models import Need, Organisation, OrganisationDraft
from app.platform.erasure import erase_person
from app.platform.retention import purge_all

NEW = "/jarjestoille/omat/uusi"
STEP = NEW + "/vaihe/{}"
FORM = "vaihelomake"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def step_data(page, **values):
    return changed(form_data(page, css_class=FORM), **values)


def post_step(client, path, action="seuraava", **values):
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data=step_data(page, toiminto=action, **values))


def fill_new_organisation(client, name="Kuopion muistikahvila"):
    """Steps 1–3 of a new organisation; returns the preview page."""
    need_id = _db.session.scalar(select(Need.id).filter_by(name="Muistisairaus"))
    assert post_step(client, STEP.format("perustiedot"), name=name,
                     description="Muistikahvila kokoontuu kirjastolla.").headers["Location"] == STEP.format("toiminta")
    assert post_step(client, STEP.format("toiminta"), needs=[str(need_id)],
                     meeting_times="Joka tiistai klo 18.").headers["Location"] == STEP.format("yhteystiedot")
    answer = post_step(client, STEP.format("yhteystiedot"), phone_1="040 1234567", phone_1_role="Puheenjohtaja")
    assert answer.headers["Location"] == STEP.format("esikatselu")
    return client.get(STEP.format("esikatselu"))


def test_a_new_organisation_step_by_step_preview_and_send(client, taxonomy, mailbox):
    sign_in_as(client, SECRETARY)
    find_page = client.get("/jarjestoille/omat/etsi")
    assert 'href="/jarjestoille/omat/uusi/vaiheet"' in find_page.text
    first = client.get("/jarjestoille/omat/uusi/vaiheet")
    assert first.status_code == 303 and first.headers["Location"] == STEP.format("perustiedot")
    page = client.get(STEP.format("perustiedot"))
    assert "Vaihe 1/4" in page.text and 'aria-current="step"' in page.text
    assert 'id="name"' in page.text and 'id="needs-0"' not in page.text and "member_count" not in page.text

    preview = fill_new_organisation(client)
    assert preview.status_code == 200 and "Vaihe 4/4" in preview.text
    # The public page's own includes, filled from the draft: nothing is saved yet.
    assert "Muistikahvila kokoontuu kirjastolla." in preview.text and "Joka tiistai klo 18." in preview.text
    assert "Muistisairaus" in preview.text and "040 123 4567" in preview.text
    assert _db.session.scalar(select(func.count()).select_from(Organisation)) == 0

    data = form_data(preview, css_class=FORM)
    sent = client.post(STEP.format("esikatselu"), data=data)
    assert sent.status_code == 303 and "/lisatty" in sent.headers["Location"]
    organisation = _db.session.scalar(select(Organisation).filter_by(name="Kuopion muistikahvila"))
    assert organisation.status == "pending" and [c.email for c in organisation.contacts] == [SECRETARY]
    assert [p.number for p in organisation.phones] == ["+358401234567"]
    assert find_draft(SECRETARY, None) is None
    # The same key again (a double click) answers with the first result and creates nothing.
    again = client.post(STEP.format("esikatselu"), data=data)
    assert again.status_code == 303 and again.headers["Location"] == sent.headers["Location"]
    assert _db.session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_the_preview_names_the_sender_among_the_contacts_as_sending_makes_them_one(client, taxonomy, mailbox):
    # Someone adding an entry for another association puts its chair in their own row.
    sign_in_as(client, SECRETARY)
    post_step(client, STEP.format("perustiedot"), name="Kuopion muistikahvila")
    post_step(client, STEP.format("toiminta"))
    post_step(client, STEP.format("yhteystiedot"), contact_1_email="puheenjohtaja@example.fi")
    preview = client.get(STEP.format("esikatselu"))
    contacts = re.search(r"Yhteyshenkilöt, jotka voivat muokata tietoja.*?</ul>", preview.text, re.S).group(0)
    assert SECRETARY in contacts and "puheenjohtaja@example.fi" in contacts

    client.post(STEP.format("esikatselu"), data=form_data(preview, css_class=FORM))
    organisation = _db.session.scalar(select(Organisation).filter_by(name="Kuopion muistikahvila"))
    assert sorted(c.email for c in organisation.contacts) == ["puheenjohtaja@example.fi", SECRETARY]


def test_sending_a_likely_duplicate_shows_it_first_on_the_preview(client, taxonomy, mailbox):
    sign_in_as(client, SECRETARY)
    first = fill_new_organisation(client)
    assert client.post(STEP.format("esikatselu"), data=form_data(first, css_class=FORM)).status_code == 303

    preview = fill_new_organisation(client, name="Kuopion Muisti-kahvila r.y.")
    shown = client.post(STEP.format("esikatselu"), data=form_data(preview, css_class=FORM))
    assert shown.status_code == 200 and "Onko järjestö jo tarjottimella?" in shown.text
    assert "Kuopion muistikahvila" in shown.text and 'form="jarjestolomake"' in shown.text
    assert 'id="jarjestolomake"' in shown.text
    assert _db.session.scalar(select(func.count()).select_from(Organisation)) == 1

    sent = client.post(STEP.format("esikatselu"), data=changed(form_data(shown, css_class=FORM), eri_jarjesto="1"))
    assert sent.status_code == 303 and "/lisatty" in sent.headers["Location"]
    assert _db.session.scalar(select(func.count()).select_from(Organisation)) == 2


def test_only_published_entries_and_ones_own_are_offered_as_duplicates(client, taxonomy, app, make_organisation):
    # Anyone can sign in and type a name: a hidden or pending entry is not public.
    make_organisation("Kuopion Muisti-kahvila ry", status="hidden")
    sign_in_as(client, SECRETARY)
    preview = fill_new_organisation(client)
    sent = client.post(STEP.format("esikatselu"), data=form_data(preview, css_class=FORM))
    assert sent.status_code == 303 and "/lisatty" in sent.headers["Location"]
    hidden = _db.session.scalar(select(Organisation).where(Organisation.status == "hidden"))
    assert client.get(f"/jarjestoille/omat/liity/{hidden.id}").status_code == 404
    # The person's own entry, still waiting for approval, is offered to be opened, not joined.
    again = fill_new_organisation(client, name="Kuopion muistikahvila ry")
    shown = client.post(STEP.format("esikatselu"), data=form_data(again, css_class=FORM))
    assert shown.status_code == 200 and "Avaa olemassa oleva" in shown.text and "Tämä on meidän" not in shown.text


def test_a_step_with_mistakes_keeps_the_input_and_does_not_go_on(client, taxonomy):
    sign_in_as(client, SECRETARY)
    answer = post_step(client, STEP.format("perustiedot"), name="", business_id="1234567-2",
                       description="Kirjoitettu kuvaus.")
    assert answer.status_code == 422
    assert "Tarkista seuraavat kohdat" in answer.text and "Tämä tieto on pakollinen." in answer.text
    assert "Y-tunnuksen tarkistusmerkki ei täsmää." in answer.text
    assert "Kirjoitettu kuvaus." in answer.text and 'value="1234567-2"' in answer.text
    # Only this step's fields are checked: the contacts of step 3 are not mentioned.
    assert "yhteyshenkilön" not in answer.text.split('class="virheyhteenveto"')[1].split("</div>")[0]
    # What was typed is kept in the draft even so.
    assert find_draft(SECRETARY, None).values["description"] == ["Kirjoitettu kuvaus."]
    later = client.get(STEP.format("perustiedot"))
    assert "Kirjoitettu kuvaus." in later.text


def test_back_and_save_draft_do_not_validate(client, taxonomy):
    sign_in_as(client, SECRETARY)
    post_step(client, STEP.format("perustiedot"), name="Kerho")
    back = post_step(client, STEP.format("toiminta"), action="edellinen", keywords="x" * 3000)
    assert back.status_code == 303 and back.headers["Location"] == STEP.format("perustiedot")
    saved = post_step(client, STEP.format("toiminta"), action="luonnos", meeting_times="Maanantaisin")
    assert saved.status_code == 303 and saved.headers["Location"] == STEP.format("toiminta")
    assert "Luonnos tallennettu" in client.get(saved.headers["Location"]).text
    assert find_draft(SECRETARY, None).values["meeting_times"] == ["Maanantaisin"]


def test_the_draft_survives_a_new_session(app, taxonomy):
    first, second = two_people(app)
    sign_in_as(first, SECRETARY)
    post_step(first, STEP.format("perustiedot"), name="Jatkuva kerho", description="Aloitettu eilen.")
    first.post("/jarjestoille/kirjaudu-ulos", data=form_data(first.get("/jarjestoille/omat"),
                                                            action="/jarjestoille/kirjaudu-ulos"))
    assert first.get(STEP.format("toiminta")).status_code == 303  # signed out: to the sign-in page

    sign_in_as(second, SECRETARY)
    resumed = second.get("/jarjestoille/omat/uusi/vaiheet")
    assert resumed.headers["Location"] == STEP.format("toiminta")
    back_to_first = second.get(STEP.format("perustiedot"))
    assert "Jatkuva kerho" in back_to_first.text and "Aloitettu eilen." in back_to_first.text
    # The one-page form starts from the draft too.
    assert "Jatkuva kerho" in second.get(NEW).text


def test_an_unsent_draft_is_shown_and_can_be_thrown_away(client, make_organisation):
    organisation = own(make_organisation, status="published", meeting_times="Tiistaisin.")
    sign_in_as(client, SECRETARY)
    path = f"/jarjestoille/omat/{organisation.id}/vaihe/"
    post_step(client, path + "toiminta", action="luonnos", meeting_times="Ei vielä varma")
    post_step(client, STEP.format("perustiedot"), action="luonnos", name="Uusi kerho")
    own_page = client.get("/jarjestoille/omat")
    assert "Muutokset ovat kesken" in own_page.text and "Jatka luonnosta" in own_page.text
    assert "keskeneräinen uuden järjestön luonnos" in own_page.text
    discard = f"/jarjestoille/omat/{organisation.id}/luonnos/hylkaa"
    thrown = client.post(discard, data=form_data(own_page, action=discard))
    assert thrown.status_code == 303 and "Luonnos hylätty." in client.get(thrown.headers["Location"]).text
    assert find_draft(SECRETARY, organisation.id) is None and find_draft(SECRETARY, None) is not None
    # "Muokkaa" starts from the saved details again.
    assert client.get(f"/jarjestoille/omat/{organisation.id}/vaiheet").headers["Location"] == path + "perustiedot"
    assert "Tiistaisin." in client.get(path + "toiminta").text
    # Someone else's organisation: not found.
    other = make_organisation("Toinen ry")
    assert client.post(f"/jarjestoille/omat/{other.id}/luonnos/hylkaa", data=form_data(own_page, action=discard)).status_code == 404


def test_editing_in_steps_saves_with_the_version_check(client, make_organisation):
    organisation = own(make_organisation, status="published", meeting_times="Tiistaisin.")
    sign_in_as(client, SECRETARY)
    path = f"/jarjestoille/omat/{organisation.id}/vaihe/"
    assert client.get(f"/jarjestoille/omat/{organisation.id}/vaiheet").headers["Location"] == path + "perustiedot"
    assert post_step(client, path + "perustiedot").status_code == 303
    post_step(client, path + "toiminta", meeting_times="Keskiviikkoisin.")
    post_step(client, path + "yhteystiedot")
    preview = client.get(path + "esikatselu")
    assert "Keskiviikkoisin." in preview.text and "Tallenna ja vahvista tiedot ajan tasalle" in preview.text
    assert fresh(organisation.id).meeting_times == "Tiistaisin."
    sent = client.post(path + "esikatselu", data=form_data(preview, css_class=FORM))
    assert sent.status_code == 303 and sent.headers["Location"] == "/jarjestoille/omat"
    assert fresh(organisation.id).meeting_times == "Keskiviikkoisin."
    assert find_draft(SECRETARY, organisation.id) is None


def test_a_stale_draft_meets_the_conflict_page(client, make_organisation):
    organisation = own(make_organisation, status="published", meeting_times="Tiistaisin.")
    sign_in_as(client, SECRETARY)
    path = f"/jarjestoille/omat/{organisation.id}/vaihe/"
    post_step(client, path + "toiminta", action="luonnos", meeting_times="Keskiviikkoisin.")
    # Staff change the entry meanwhile.
    current = fresh(organisation.id)
    current.meeting_times = "Torstaisin."
    _db.session.commit()
    preview = client.get(path + "esikatselu")
    answer = client.post(path + "esikatselu", data=form_data(preview, css_class=FORM))
    assert answer.status_code == 409 and "Joku muu tallensi tiedot sillä välin" in answer.text
    assert "Keskiviikkoisin." in answer.text
    assert fresh(organisation.id).meeting_times == "Torstaisin."


def test_the_preview_names_the_steps_still_to_fix(client, taxonomy):
    sign_in_as(client, SECRETARY)
    post_step(client, STEP.format("perustiedot"), action="luonnos", name="", description="Kuvaus ilman nimeä.")
    preview = client.get(STEP.format("esikatselu"))
    assert preview.status_code == 200
    assert "Tarkista seuraavat kohdat ennen lähettämistä" in preview.text
    assert f'href="{STEP.format("perustiedot")}"' in preview.text
    assert "Lähetä hyväksyttäväksi" not in preview.text


def test_back_to_the_preview_of_a_sent_organisation_starts_afresh_without_errors(client, taxonomy, mailbox):
    # The browser's Back after "Lähetä hyväksyttäväksi" opens the preview again, now with no
    # draft: it must not greet the person with "name is required" as if the entry were lost.
    sign_in_as(client, SECRETARY)
    preview = fill_new_organisation(client)
    assert client.post(STEP.format("esikatselu"), data=form_data(preview, css_class=FORM)).status_code == 303
    back = client.get(STEP.format("esikatselu"))
    assert back.status_code == 303 and back.headers["Location"] == STEP.format("perustiedot")
    first = client.get(back.headers["Location"])
    assert "Tarkista seuraavat kohdat" not in first.text and "Vaihe 1/4" in first.text
    assert find_draft(SECRETARY, None) is None


def test_someone_elses_organisation_has_no_steps(client, make_organisation):
    other = own(make_organisation, contacts=("toinen@example.fi",))
    sign_in_as(client, SECRETARY)
    assert client.get(f"/jarjestoille/omat/{other.id}/vaihe/perustiedot").status_code == 404
    assert client.get(STEP.format("olematon")).status_code == 404


def test_drafts_are_purged_after_30_days_and_erased_with_the_person(client, taxonomy):
    sign_in_as(client, SECRETARY)
    post_step(client, STEP.format("perustiedot"), action="luonnos", name="Luonnos")
    draft = find_draft(SECRETARY, None)
    assert purge_all(now=draft.updated_at + DRAFT_RETENTION - timedelta(minutes=1)).organisation_drafts == 0
    assert purge_all(now=draft.updated_at + DRAFT_RETENTION + timedelta(minutes=1)).organisation_drafts == 1
    _db.session.commit()

    sign_in_as(client, SECRETARY)  # the purge ended the session, which was as old
    post_step(client, STEP.format("perustiedot"), action="luonnos", name="Toinen luonnos")
    report = erase_person(SECRETARY, "test")
    _db.session.commit()
    assert report.organisation_drafts == 1
    assert _db.session.scalar(select(func.count()).select_from(OrganisationDraft)) == 0


def test_staff_step_through_the_form_with_their_own_step(client, make_organisation):
    from tests.admin_support import make_staff

    from app.models import AuditEvent
    from app.platform.tokens import issue_link_token

    organisation = own(make_organisation, status="published")
    make_staff("toimisto@example.fi")
    raw = issue_link_token("toimisto@example.fi", "staff_sign_in")
    _db.session.commit()
    confirm = client.get(f"/yllapito/kirjaudu/{raw}")
    assert client.post(f"/yllapito/kirjaudu/{raw}", data=form_data(confirm, css_class=None)).status_code == 303

    one_page = client.get(f"/yllapito/jarjestot/{organisation.id}/muokkaa")
    assert f'href="/yllapito/jarjestot/{organisation.id}/vaiheet"' in one_page.text
    path = f"/yllapito/jarjestot/{organisation.id}/vaihe/"
    first = client.get(f"/yllapito/jarjestot/{organisation.id}/vaiheet")
    assert first.headers["Location"] == path + "perustiedot"
    assert "Vaihe 1/5" in client.get(path + "perustiedot").text
    for slug in ("perustiedot", "toiminta", "yhteystiedot"):
        assert post_step(client, path + slug).status_code == 303
    staff_step = client.get(path + "yllapito")
    assert "Vaihe 4/5" in staff_step.text and 'id="status"' in staff_step.text
    # (The form reader of these tests does not see <option>s: the status is given.)
    wrong = post_step(client, path + "yllapito", member_count="-5", status="published")
    assert wrong.status_code == 422 and "Luku ei voi olla negatiivinen." in wrong.text
    fixed = post_step(client, path + "yllapito", member_count="40", status="published")
    assert fixed.status_code == 303
    assert fixed.headers["Location"] == path + "esikatselu"
    preview = client.get(path + "esikatselu")
    assert "Vaihe 5/5" in preview.text and "Tallenna muutokset" in preview.text
    sent = client.post(path + "esikatselu", data=form_data(preview, css_class=FORM))
    assert sent.status_code == 303 and sent.headers["Location"] == f"/yllapito/jarjestot/{organisation.id}"
    assert fresh(organisation.id).member_count == 40
    assert find_draft("toimisto@example.fi", organisation.id) is None
    assert _db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "edit"


def test_contacts_have_no_staff_step(client, make_organisation):
    organisation = own(make_organisation)
    sign_in_as(client, SECRETARY)
    assert client.get(f"/jarjestoille/omat/{organisation.id}/vaihe/yllapito").status_code == 404
    page = client.get(f"/jarjestoille/omat/{organisation.id}/vaihe/yhteystiedot")
    assert "Vaihe 3/4" in page.text and "Vain ylläpidon käyttöön" not in page.text


def test_a_forged_step_saves_nothing(client, taxonomy):
    sign_in_as(client, SECRETARY)
    page = client.get(STEP.format("perustiedot"))
    data = step_data(page, name="Kerho", description="Ei tallennu ilman tunnistetta.", csrf_token="vanha")
    assert client.post(STEP.format("perustiedot"), data=data).status_code == 400
    assert find_draft(SECRETARY, None) is None


def test_the_one_page_button_keeps_the_step(client, taxonomy):
    sign_in_as(client, SECRETARY)
    answer = post_step(client, STEP.format("perustiedot"), action="yksi-sivu", name="Yhdellä sivulla")
    assert answer.status_code == 303 and answer.headers["Location"] == NEW
    one_page = client.get(NEW)
    assert 'value="Yhdellä sivulla"' in one_page.text
    data = changed(form_data(one_page), description="Lähetetty yhdeltä sivulta.")
    assert client.post(NEW, data=data).status_code == 303
    assert find_draft(SECRETARY, None) is None
    assert _db.session.scalar(select(Organisation.description).filter_by(name="Yhdellä sivulla")) == \
        "Lähetetty yhdeltä sivulta."


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_steps_render_in_swedish_and_english(client, taxonomy, language):
    # The texts themselves reach the catalogues from translations-new.tsv (tests/test_translations.py).
    sign_in_as(client, SECRETARY)
    page = client.get(f"/{language}{STEP.format('perustiedot')}")
    assert page.status_code == 200 and f'<html lang="{language}"' in page.text
    assert f'action="/{language}{STEP.format("perustiedot")}"' in page.text
