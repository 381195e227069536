"""A contact keeps the entry current in one click, and a rejected entry goes back to
staff once corrected (issue 17, points 3 and 4)."""
import re
from datetime import date, timedelta

from sqlalchemy import select
from tests.admin_support import make_staff
from tests.test_self_service import SECRETARY, _revisions, changed, edit_path, form_data, fresh, own, sign_in_as

from app.directory.freshness import send_reminders
from app.directory.moderation import reject
from app.directory.records import organisation_record
from app.extensions import db
from app.models import Organisation, utcnow
from app.platform.mail_delivery import deliver_due

EDIT_LINK = re.compile(r"http://portal\.test(/jarjestoille/muokkaa/[A-Za-z0-9_\-]+)")
REASON = "Kuvaus puuttuu. Kertokaa, mitä teette ja kenelle."


def check_path(organisation_id: int) -> str:
    return f"/jarjestoille/omat/{organisation_id}/tarkista"


def test_the_reminder_link_lands_on_the_entry_with_one_confirm_button(client, mailbox, make_organisation):
    mine = own(make_organisation, description="Vertaistukea muistisairaiden omaisille.",
               meeting_times="Joka tiistai klo 18.", confirmed_at=utcnow() - timedelta(days=400))
    before = organisation_record(mine)
    assert send_reminders().messages == 1
    db.session.commit()
    deliver_due()
    [reminder] = mailbox.messages
    path = EDIT_LINK.search(mailbox.bodies(reminder)[0]).group(1)
    used = client.post(path, data=form_data(client.get(path), css_class=None))
    assert used.headers["Location"] == check_path(mine.id)

    page = client.get(check_path(mine.id))
    assert page.status_code == 200
    # The entry as the public sees it …
    assert "Vertaistukea muistisairaiden omaisille." in page.text and "Joka tiistai klo 18." in page.text
    # … with the two ways on, and no long form.
    assert "Tiedot ovat ajan tasalla" in page.text and "Muokkaa tietoja" in page.text
    assert 'class="jarjestolomake' not in page.text
    action = f"/jarjestoille/omat/{mine.id}/ajan-tasalla"
    confirmed = client.post(action, data=form_data(page, action=action))
    assert confirmed.status_code == 303
    after = organisation_record(fresh(mine.id))
    assert {key for key in before if before[key] != after[key]} == {"confirmed_at"}
    assert [r.summary for r in _revisions(mine.id)] == ["Tiedot vahvistettu ajan tasalle"]
    # Confirmed: no longer stale, so no more reminders.
    assert send_reminders(now=utcnow() + timedelta(days=40)).messages == 0


def test_the_reminder_link_clicked_again_in_the_same_browser_lands_on_the_entry(client, mailbox, make_organisation):
    # People open the same mail twice; the browser that used the link is still signed in.
    mine = own(make_organisation, confirmed_at=utcnow() - timedelta(days=400))
    send_reminders()
    db.session.commit()
    deliver_due()
    path = EDIT_LINK.search(mailbox.bodies(mailbox.messages[0])[0]).group(1)
    client.post(path, data=form_data(client.get(path), css_class=None))

    again = client.get(path)
    assert again.status_code == 303 and again.headers["Location"] == check_path(mine.id)


def test_a_change_made_in_swedish_is_summed_up_in_finnish_for_the_staff(client, make_organisation):
    mine = own(make_organisation)
    sign_in_as(client, SECRETARY)
    page = client.get(f"/sv{check_path(mine.id)}")
    assert page.status_code == 200 and 'lang="sv"' in page.text
    action = f"/sv/jarjestoille/omat/{mine.id}/ajan-tasalla"
    assert client.post(action, data=form_data(page, action=action)).status_code == 303

    # The contact read Swedish; the change feed and the history are the centre's, in Finnish.
    assert [r.summary for r in _revisions(mine.id)] == ["Tiedot vahvistettu ajan tasalle"]


def test_someone_elses_check_page_is_not_found(client, make_organisation):
    theirs = own(make_organisation, name="Toinen ry", contacts=("toinen@example.fi",))
    sign_in_as(client, SECRETARY)
    assert client.get(check_path(theirs.id)).status_code == 404


def rejected(make_organisation) -> Organisation:
    mine = own(make_organisation, name="Hylätty ry", status="pending", description="")
    reject(mine, "yllapito@keskus.example", REASON)
    db.session.commit()
    return mine


def test_a_corrected_rejected_entry_goes_back_to_staff(app, client, mailbox, make_organisation):
    app.config["STAFF_NOTIFY_EMAIL"] = ""
    make_staff()
    mine = rejected(make_organisation)
    sign_in_as(client, SECRETARY)
    own_page = client.get("/jarjestoille/omat").text
    assert REASON in own_page and "ei hyväksytty" in own_page

    form = client.get(edit_path(mine.id))
    assert "Lähetä korjatut tiedot hyväksyttäviksi" in form.text
    saved = client.post(edit_path(mine.id), data=changed(form_data(form), description="Muistikahvila kirjastolla."))
    assert saved.status_code == 303
    own_page = client.get("/jarjestoille/omat").text
    assert "Korjatut tiedot on lähetetty ylläpidolle" in own_page
    assert re.search(r"Hylätty ry\s*<strong>\(odottaa hyväksyntää\)</strong>", own_page)
    assert REASON not in own_page
    assert fresh(mine.id).status == "pending"
    assert _revisions(mine.id)[-1].summary == "Korjattu ja lähetetty uudelleen hyväksyttäväksi"
    [notice] = [message for message in mailbox.messages if message["To"] == "yllapito@keskus.example"]
    assert notice["Subject"] == "Korjattu järjestö odottaa hyväksyntää: Hylätty ry"


def test_a_correction_begun_before_the_rejection_says_it_went_back_to_staff(client, mailbox, make_organisation):
    # The form (or a draft) was opened while the entry waited; staff's rejection changed only
    # the status, which the form does not hold: nobody else's changes were merged into it.
    mine = own(make_organisation, name="Odottava ry", status="pending", description="")
    sign_in_as(client, SECRETARY)
    form = client.get(edit_path(mine.id))
    reject(fresh(mine.id), "yllapito@keskus.example", REASON)
    db.session.commit()

    saved = client.post(edit_path(mine.id), data=changed(form_data(form), description="Muistikahvila kirjastolla."))
    assert saved.status_code == 303
    own_page = client.get("/jarjestoille/omat").text
    assert "Korjatut tiedot on lähetetty ylläpidolle" in own_page
    assert "Joku muu oli tallentanut tietoja" not in own_page
    assert fresh(mine.id).status == "pending"


def test_saving_a_rejected_entry_unchanged_says_what_to_do_and_keeps_it_rejected(client, mailbox, make_organisation):
    mine = rejected(make_organisation)
    sign_in_as(client, SECRETARY)
    saved = client.post(edit_path(mine.id), data=form_data(client.get(edit_path(mine.id))))
    assert saved.status_code == 303
    assert "Et muuttanut tietoja" in client.get("/jarjestoille/omat").text
    assert fresh(mine.id).status == "rejected"


def test_the_check_page_of_a_rejected_entry_shows_the_reason(client, make_organisation):
    mine = rejected(make_organisation)
    sign_in_as(client, SECRETARY)
    page = client.get(check_path(mine.id)).text
    assert REASON in page and "Ylläpito ei julkaissut tietoja." in page


def test_a_rejected_entry_is_corrected_not_confirmed(client, make_organisation):
    mine = rejected(make_organisation)
    confirmed_at, revisions = fresh(mine.id).confirmed_at, len(_revisions(mine.id))
    sign_in_as(client, SECRETARY)
    action = f"/jarjestoille/omat/{mine.id}/ajan-tasalla"
    # Neither the own list nor the reminder's landing page offers the confirmation: they lead to the form.
    for path in ("/jarjestoille/omat", check_path(mine.id)):
        page = client.get(path)
        assert "Tiedot ovat ajan tasalla" not in page.text and f'action="{action}"' not in page.text
        assert "Korjaa tiedot" in page.text and f'href="/jarjestoille/omat/{mine.id}/vaiheet"' in page.text

    # A confirmation posted anyway (an old tab) is refused and opens the form.
    page = client.get("/jarjestoille/omat")
    refused = client.post(action, data=form_data(page, action="/jarjestoille/kirjaudu-ulos"))
    assert refused.status_code == 303 and refused.headers["Location"] == f"/jarjestoille/omat/{mine.id}/vaiheet"
    shown = client.get(refused.headers["Location"], follow_redirects=True).text
    assert "ei voi vahvistaa ajan tasalla oleviksi" in shown
    assert fresh(mine.id).status == "rejected" and fresh(mine.id).confirmed_at == confirmed_at
    assert len(_revisions(mine.id)) == revisions


def test_a_pause_that_has_ended_is_refused_but_a_saved_one_does_not_block(client, make_organisation):
    mine = own(make_organisation)
    sign_in_as(client, SECRETARY)
    past = (date.today() - timedelta(days=1)).strftime("%d.%m.%Y")
    answer = client.post(edit_path(mine.id), data=changed(form_data(client.get(edit_path(mine.id))), paused_until=past))
    assert answer.status_code == 422
    assert "Tauon päättymispäivä ei voi olla menneisyydessä" in answer.text and f'value="{past}"' in answer.text
    assert fresh(mine.id).paused_until is None

    ended = date.today() - timedelta(days=30)
    db.session.get(Organisation, mine.id).paused_until = ended
    db.session.commit()
    form = form_data(client.get(edit_path(mine.id)))
    assert client.post(edit_path(mine.id), data=changed(form, meeting_times="Maanantaisin.")).status_code == 303
    assert fresh(mine.id).meeting_times == "Maanantaisin." and fresh(mine.id).paused_until == ended
    future = (date.today() + timedelta(days=30)).isoformat()
    form = form_data(client.get(edit_path(mine.id)))
    assert client.post(edit_path(mine.id), data=changed(form, paused_until=future)).status_code == 303
    assert fresh(mine.id).paused_until.isoformat() == future


def test_the_rejected_list_query_is_per_organisation(make_organisation):
    from app.directory.moderation import rejection_reasons

    first = rejected(make_organisation)
    assert rejection_reasons([first.id]) == {first.id: REASON}
    assert rejection_reasons([]) == {}
    assert db.session.scalar(select(Organisation.status).where(Organisation.id == first.id)) == "rejected"
