"""Nothing sent twice: every creating form carries a one-time key, and a repeated
POST answers with the first result and creates nothing (app/platform/submissions.py)."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.clients import once
from tests.test_faults import CONTACT
from tests.test_self_service import SECRETARY, changed, form_data, sign_in_as
from tests.test_workshops_helpers import order_form, seed_themes

from app.extensions import db
from app.models import ContactRequest, FormSubmission, LoginToken, Organisation, OutboxMessage, WorkshopOrder, utcnow
from app.platform.submissions import KEY_FIELD, purge_old_submissions



def key_in(html: str) -> str:
    return html.split(f'name="{KEY_FIELD}" type="hidden" value="')[1].split('"')[0]


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def twice(client, path: str, data) -> tuple:
    first = client.post(path, data=data)
    second = client.post(path, data=data)
    assert first.status_code == second.status_code == 303, (first.status_code, second.status_code)
    assert first.headers["Location"] == second.headers["Location"]
    return first, second


def test_every_creating_form_carries_a_fresh_key(client, make_organisation, taxonomy, app):
    seed_themes(app)
    organisation = make_organisation("Kuopion Muisti ry")
    pages = ["/jarjestoille/", "/tyopajat/tilaa", f"/jarjestot/{organisation.id}/yhteydenotto", "/yllapito/kirjaudu"]
    keys = set()
    for path in pages:
        page = client.get(path)
        keys.add(key_in(page.text))
    assert len(keys) == len(pages) and all(len(key) == 43 for key in keys)
    sign_in_as(client, SECRETARY)
    assert f'name="{KEY_FIELD}"' in client.get("/jarjestoille/omat/uusi").text


def test_an_organisation_sent_twice_is_made_once(client, mailbox, taxonomy):
    sign_in_as(client, SECRETARY)
    data = changed(form_data(client.get("/jarjestoille/omat/uusi")), name="Kaksoisklikkaus ry")
    first, _second = twice(client, "/jarjestoille/omat/uusi", data)
    assert count(Organisation) == 1
    assert client.get(first.headers["Location"]).status_code == 200
    # One receipt (no staff account here to notify), not two.
    assert count(OutboxMessage) == 1


def test_a_workshop_order_sent_twice_is_one_order(app, client, mailbox):
    theme = seed_themes(app)[0]
    data = order_form(theme.id)
    first, _second = twice(client, "/tyopajat/tilaa", data)
    assert first.headers["Location"] == "/tyopajat/tilattu"
    assert count(WorkshopOrder) == 1
    assert "TP-" in client.get("/tyopajat/tilattu").text


def test_the_same_workshop_order_sent_again_after_back_is_one_order(app, client, mailbox):
    theme = seed_themes(app)[0]
    first = client.post("/tyopajat/tilaa", data=order_form(theme.id))
    reference = db.session.scalars(select(WorkshopOrder.reference)).one()
    mailbox.messages.clear()

    # Back to the form, which the browser fills in again under a new one-time key, and Send.
    again = client.post("/tyopajat/tilaa", data=order_form(theme.id))

    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    page = client.get(again.headers["Location"]).text
    assert reference in page and "Sama tilaus lähetettiin jo hetki sitten" in page
    assert count(WorkshopOrder) == 1
    assert mailbox.messages == []
    # Another goal is another order.
    assert client.post("/tyopajat/tilaa", data=order_form(theme.id, goal="Toinen tavoite.")).status_code == 303
    assert count(WorkshopOrder) == 2


def test_a_contact_request_sent_twice_is_sent_once(client, mailbox, make_organisation):
    organisation = make_organisation("Kuopion Muisti ry", email="info@muisti.example")
    twice(client, f"/jarjestot/{organisation.id}/yhteydenotto", once(CONTACT))
    assert count(ContactRequest) == 1


def test_a_tray_request_sent_twice_is_sent_once(client, mailbox, make_organisation):
    for name in ("Yksi ry", "Kaksi ry"):
        client.post("/tarjotin/lisaa", data={"organisation_id": make_organisation(name, email="a@b.example").id})
    twice(client, "/tarjotin/yhteydenotto", once(CONTACT))
    assert count(ContactRequest) == 2


def test_joining_twice_sends_one_link(client, mailbox):
    twice(client, "/jarjestoille/", once({"email": "uusi@yhdistys.example"}))
    assert count(LoginToken) == 1 and count(OutboxMessage) == 1


def test_a_form_without_a_key_is_refused_with_a_fresh_one_and_the_input_kept(client, make_organisation):
    organisation = make_organisation("Kuopion Muisti ry", email="info@muisti.example")
    for number, key in enumerate((None, "<script>", "a" * 42)):
        # Three requests of their own (the same one again within half an hour would be answered with the first).
        data = dict(CONTACT) | {"message": f"Kysymys {number + 1}."} | ({KEY_FIELD: key} if key is not None else {})
        answer = client.post(f"/jarjestot/{organisation.id}/yhteydenotto", data=data)
        assert answer.status_code == 422 and "Lomake oli vanhentunut" in answer.text
        assert 'value="Maija Meikäläinen"' in answer.text
        fresh_key = key_in(answer.text)
        assert len(fresh_key) == 43
        assert client.post(f"/jarjestot/{organisation.id}/yhteydenotto", data=data | {KEY_FIELD: fresh_key}).status_code == 303
    assert count(ContactRequest) == 3


def test_an_invalid_form_keeps_its_key_so_the_corrected_one_is_still_once(client, make_organisation):
    organisation = make_organisation("Kuopion Muisti ry", email="info@muisti.example")
    data = once(CONTACT, consent="")
    answer = client.post(f"/jarjestot/{organisation.id}/yhteydenotto", data=data)
    assert answer.status_code == 422 and data[KEY_FIELD] in answer.text
    twice(client, f"/jarjestot/{organisation.id}/yhteydenotto", data | {"consent": "y"})
    assert count(ContactRequest) == 1


def test_two_presses_at_the_same_moment_make_one_order(app):
    theme = seed_themes(app)[0]
    data = order_form(theme.id)
    db.session.commit()  # the test's own session must not hold SQLite's write lock
    start, answers = threading.Barrier(2, timeout=10), {}

    def press(name):
        browser = app.test_client()
        start.wait()
        answers[name] = browser.post("/tyopajat/tilaa", data=data)

    threads = [threading.Thread(target=press, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers.values()] == [303, 303]
    assert {answer.headers["Location"] for answer in answers.values()} == {"/tyopajat/tilattu"}
    assert count(WorkshopOrder) == 1


@pytest.mark.parametrize("age_days, kept", [(1, True), (29, True), (31, False)])
def test_old_keys_are_purged(app, age_days, kept):
    now = utcnow()
    db.session.add(FormSubmission(key="k" * 43, result_url="/", created_at=now - timedelta(days=age_days)))
    db.session.commit()
    assert purge_old_submissions(now=now) == (0 if kept else 1)
    db.session.commit()
    assert count(FormSubmission) == (1 if kept else 0)
