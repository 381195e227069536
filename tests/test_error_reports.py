"""Trust on the organisation page: when the details were checked, and "Ilmoita virheestä"."""
from datetime import timedelta

import pytest
from tests.admin_support import add_contacts, make_staff, sign_in_staff
from tests.clients import once

from app.models import ErrorReport, utcnow

STALE_NOTICE = "Tietoja ei ole tarkistettu yli vuoteen"


def test_the_checked_date_is_near_the_top_and_an_old_one_is_flagged(client, make_organisation):
    fresh = make_organisation("Tuore ry", confirmed_at=utcnow() - timedelta(days=30))
    old = make_organisation("Vanha ry", confirmed_at=utcnow() - timedelta(days=400))

    fresh_page = client.get(f"/jarjestot/{fresh.id}").get_data(as_text=True)
    old_page = client.get(f"/jarjestot/{old.id}").get_data(as_text=True)

    assert fresh_page.index("Tiedot tarkistettu") < fresh_page.index('id="yhteystiedot"')
    assert STALE_NOTICE not in fresh_page
    assert old_page.index(STALE_NOTICE) < old_page.index('id="yhteystiedot"')


def test_a_report_reaches_the_contacts_and_the_staff_dashboard(client, db, mailbox, make_organisation):
    organisation = make_organisation("Virheellinen ry", email="info@virhe.example")
    add_contacts(organisation, "sihteeri@virhe.example")

    response = client.post(
        f"/jarjestot/{organisation.id}/virheilmoitus",
        data=once(report_text="Puhelinnumero ei ole enää käytössä.", report_email="Kayttaja@Example.fi"),
    )

    assert response.status_code == 303
    assert "Kiitos! Ilmoitus on välitetty" in client.get(response.headers["Location"]).get_data(as_text=True)
    [report] = db.session.scalars(db.select(ErrorReport)).all()
    assert (report.status, report.email) == ("open", "kayttaja@example.fi")
    [message] = mailbox.messages
    assert message["To"] == "sihteeri@virhe.example"
    text, _html = mailbox.bodies(message)
    assert "Puhelinnumero ei ole enää käytössä." in text

    make_staff()
    sign_in_staff(client)
    board = client.get("/yllapito/").get_data(as_text=True)
    assert "Puhelinnumero ei ole enää käytössä." in board
    done = client.post(f"/yllapito/virheilmoitukset/{report.id}/korjattu", data={})
    assert done.status_code == 303
    db.session.refresh(report)
    assert report.status == "done"
    assert "Puhelinnumero ei ole enää käytössä." not in client.get("/yllapito/").get_data(as_text=True)


def test_an_empty_report_gets_a_message_and_keeps_the_address(client, db, make_organisation):
    organisation = make_organisation(email="info@virhe.example")

    response = client.post(
        f"/jarjestot/{organisation.id}/virheilmoitus", data=once(report_text=" ", report_email="a@example.fi")
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Mikä tiedoissa on väärin?" in page
    assert 'value="a@example.fi"' in page
    assert db.session.scalar(db.select(db.func.count(ErrorReport.id))) == 0


def test_a_double_click_files_one_report(client, db, mailbox, make_organisation):
    organisation = make_organisation(email="info@virhe.example")
    form = once(report_text="Kokoontumisaika on muuttunut.")

    first = client.post(f"/jarjestot/{organisation.id}/virheilmoitus", data=form)
    second = client.post(f"/jarjestot/{organisation.id}/virheilmoitus", data=form)

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(db.select(db.func.count(ErrorReport.id))) == 1
    assert len(mailbox.messages) == 1


def test_the_same_report_sent_again_after_back_is_filed_once(client, db, mailbox, make_organisation):
    organisation = make_organisation(email="info@virhe.example")
    add_contacts(organisation, "sihteeri@virhe.example")
    report = {"report_text": "Kokoontumisaika on muuttunut.", "report_email": "kayttaja@example.fi"}
    first = client.post(f"/jarjestot/{organisation.id}/virheilmoitus", data=once(report))
    client.get(first.headers["Location"])
    mailbox.messages.clear()

    # Back to the page, which the browser fills in again under a new one-time key, and Send.
    again = client.post(f"/jarjestot/{organisation.id}/virheilmoitus", data=once(report))

    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert "Sama ilmoitus lähetettiin jo hetki sitten" in client.get(again.headers["Location"]).text
    assert db.session.scalar(db.select(db.func.count(ErrorReport.id))) == 1
    assert mailbox.messages == []
    # Another description is another report.
    other = {**report, "report_text": "Myös puhelinnumero on vanha."}
    assert client.post(f"/jarjestot/{organisation.id}/virheilmoitus", data=once(other)).status_code == 303
    assert db.session.scalar(db.select(db.func.count(ErrorReport.id))) == 2


def test_the_organisation_page_holds_no_id_twice(client, make_organisation):
    # The contact form and "Ilmoita virheestä" both carry a CSRF token and a one-time key.
    import re
    from collections import Counter

    organisation = make_organisation("Kaksi lomaketta ry", email="info@kaksi.example")
    page = client.get(f"/jarjestot/{organisation.id}").get_data(as_text=True)

    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [name for name, count in ids.items() if count > 1] == []
    assert 'id="ilmoitus-submission_key" name="submission_key"' in page


def test_a_report_keeps_the_search_to_return_to(client, db, mailbox, make_organisation):
    organisation = make_organisation(email="info@virhe.example")
    page = client.get(f"/jarjestot/{organisation.id}?haku=q%3Dmuisti").text
    assert f'action="/jarjestot/{organisation.id}/virheilmoitus?haku=q%3Dmuisti"' in page

    refused = client.post(f"/jarjestot/{organisation.id}/virheilmoitus?haku=q%3Dmuisti", data=once(report_text=" "))
    assert refused.status_code == 422 and 'href="/haku?q=muisti"' in refused.text
    # The summary names the field by its label without the label's own question mark.
    assert "Mikä tiedoissa on väärin: " in refused.text and "väärin?:" not in refused.text

    sent = client.post(f"/jarjestot/{organisation.id}/virheilmoitus?haku=q%3Dmuisti",
                       data=once(report_text="Puhelinnumero on vaihtunut."))
    assert sent.status_code == 303
    assert sent.headers["Location"] == f"/jarjestot/{organisation.id}?haku=q%3Dmuisti#virheilmoitus"
    assert 'href="/haku?q=muisti"' in client.get(sent.headers["Location"]).text


def test_after_a_report_the_page_keeps_only_the_search_s_own_parameters(client, db, mailbox, make_organisation):
    """The redirect reads `haku` as the page does: only search parameters survive, like the page's own links."""
    organisation = make_organisation(email="info@virhe.example")
    sent = client.post(f"/jarjestot/{organisation.id}/virheilmoitus?haku=q%3Dmuisti%26next%3D%2F%2Fevil.example",
                       data=once(report_text="Osoite on vaihtunut."))
    assert sent.status_code == 303
    assert sent.headers["Location"] == f"/jarjestot/{organisation.id}?haku=q%3Dmuisti#virheilmoitus"



def test_the_language_switch_of_a_refused_report_opens_the_organisation_page(client, make_organisation):
    """The answer's own address only takes POST: the switch leads to the page the form was on, search kept."""
    organisation = make_organisation(email="info@virhe.example")
    form_page = f"/sv/jarjestot/{organisation.id}?haku=q%3Dmuisti"
    refused = client.post(f"/sv/jarjestot/{organisation.id}/virheilmoitus?haku=q%3Dmuisti",
                          data=once(report_text=" "), headers={"Referer": f"http://localhost{form_page}"})
    assert refused.status_code == 422
    english = f"/en/jarjestot/{organisation.id}?haku=q%3Dmuisti"
    assert f'href="{english}"' in refused.text and f'href="/jarjestot/{organisation.id}?haku=q%3Dmuisti"' in refused.text
    assert client.get(english).status_code == 200

    # No Referer (a privacy setting strips it): the front page in the other language, never the POST address.
    refused = client.post(f"/sv/jarjestot/{organisation.id}/virheilmoitus", data=once(report_text=" "))
    assert 'href="/en/"' in refused.text and "/en/jarjestot" not in refused.text


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_a_report_refused_by_the_limit_comes_back_in_its_form(client, db, mailbox, make_organisation):
    organisation = make_organisation(email="info@virhe.example")
    for number in range(10):
        answer = client.post(f"/jarjestot/{organisation.id}/virheilmoitus", data=once(report_text=f"Virhe {number}."))
        assert answer.status_code == 303
    refused = client.post(f"/jarjestot/{organisation.id}/virheilmoitus?haku=q%3Dmuisti",
                          data=once(report_text="Vielä yksi korjaus."))
    assert refused.status_code == 429
    assert "Vielä yksi korjaus.</textarea>" in refused.text and organisation.name in refused.text
    # The organisation's own page with its form, not the bare error page that listed the raw field names.
    assert "Pyyntöä ei lähetetty" in refused.text and "Liian monta yritystä" not in refused.text
    assert 'href="/haku?q=muisti"' in refused.text
    assert db.session.scalar(db.select(db.func.count(ErrorReport.id))) == 10
