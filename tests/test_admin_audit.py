"""The audit log, the dashboard (with retrying failed mail) and `flask purge`."""
from datetime import datetime, timedelta

from sqlalchemy import select
from tests.admin_support import STAFF_EMAIL, make_staff, sign_in_staff
from tests.clients import once

from app.extensions import db as _db
from app.models import (
    AuditEvent,
    ContactRequest,
    LoginToken,
    OutboxMessage,
    UserSession,
    WorkshopOrder,
    utcnow,
)
from app.platform.audit import record_audit


def staff_client(client):
    make_staff()
    sign_in_staff(client)
    return client


def test_the_audit_log_tells_times_in_helsinki_time_as_the_other_staff_pages_do(client):
    staff_client(client)
    winter = record_audit("toinen@keskus.example", "hide", "organisation", 1, name="Talvi ry")
    winter.created_at = datetime(2026, 12, 6, 19, 25)  # stored in UTC: 21.25 in Helsinki
    summer = record_audit("toinen@keskus.example", "hide", "organisation", 2, name="Kesä ry")
    summer.created_at = datetime(2026, 7, 1, 21, 30)  # 00.30 the next day in Helsinki (UTC+3)
    _db.session.commit()

    page = client.get("/yllapito/loki?toiminto=hide").text

    assert "6.12.2026 21.25" in page and "19.25" not in page
    assert "2.7.2026 00.30" in page
    assert "(UTC)" not in page  # the column no longer claims UTC


def test_the_audit_log_names_each_object_in_words(client):
    staff_client(client)
    record_audit("toinen@keskus.example", "event_create", "event", 13, title="Pienmarkkinat")
    record_audit("toinen@keskus.example", "taxonomy", "tarpeet", 57, change="merge", source="HIV", target="Tinnitus")
    record_audit("toinen@keskus.example", "workshop_slot_deleted", "workshop_slot", 4)
    _db.session.commit()

    page = client.get("/yllapito/loki").text

    assert '<a href="/yllapito/tapahtumat/13">Pienmarkkinat</a>' in page
    assert "Tarpeet: Tinnitus" in page and "Työpajan vapaa aika 4" in page
    assert "event 13" not in page and "tarpeet 57" not in page


def test_audit_log_filters_by_actor_action_and_dates_and_pages(client):
    staff_client(client)
    now = utcnow()
    for day in range(60):
        event = record_audit("toinen@keskus.example", "hide", "organisation", day + 100, name=f"Järjestö {day}")
        event.created_at = now - timedelta(days=day)
    _db.session.commit()

    everything = client.get("/yllapito/loki")
    assert everything.status_code == 200 and "61 tapahtumaa" in everything.text
    assert "sivu=2" in everything.text
    mine = client.get(f"/yllapito/loki?tekija={STAFF_EMAIL}")
    assert "1 tapahtuma<" in mine.text and "Kirjautuminen" in mine.text
    assert "Ylläpitäjän tili: Ylläpitäjä" in mine.text, "the account by its name, not its number"
    hides = client.get("/yllapito/loki?toiminto=hide")
    assert "60 tapahtumaa" in hides.text
    window = (now - timedelta(days=9)).date().isoformat(), (now - timedelta(days=5)).date().isoformat()
    dated = client.get(f"/yllapito/loki?toiminto=hide&alkaen={window[0]}&asti={window[1]}")
    assert "5 tapahtumaa" in dated.text and "Järjestö 7" in dated.text and "Järjestö 4" not in dated.text
    tolerant = client.get("/yllapito/loki?toiminto=nonsense&alkaen=eilen&sivu=x")
    assert tolerant.status_code == 200 and "61 tapahtumaa" in tolerant.text
    # A date that is not one is named next to its field, the typed text kept.
    assert '<p class="virhe" id="alkaen-virhe">' in tolerant.text and 'value="eilen"' in tolerant.text
    assert 'aria-describedby="alkaen-virhe"' in tolerant.text
    finnish = client.get(f"/yllapito/loki?toiminto=hide&alkaen={(now - timedelta(days=9)):%d.%m.%Y}")
    assert "10 tapahtumaa" in finnish.text and 'class="virhe"' not in finnish.text
    reversed_window = client.get(f"/yllapito/loki?alkaen={window[1]}&asti={window[0]}")
    assert '<p class="virhe" id="asti-virhe">' in reversed_window.text
    assert "Päättymispäivä on ennen alkamispäivää" in reversed_window.text


def test_the_log_names_what_an_edit_request_and_an_export_concerned(client, make_organisation):
    staff_client(client)
    record_audit("toinen@keskus.example", "edit_request", "organisation", 7, message="",
                 results=[{"id": 7, "name": "Yksi ry", "sent": True}])
    record_audit("toinen@keskus.example", "edit_request", "", None, message="",
                 results=[{"id": 8, "name": "Kaksi ry", "sent": True}, {"id": 9, "name": "Kolme ry", "sent": False}])
    record_audit("toinen@keskus.example", "export", "statistics", None, file="tilastot-2026.csv", rows=3)
    _db.session.commit()

    page = client.get("/yllapito/loki").text

    assert '<a href="/yllapito/jarjestot/7">Yksi ry</a>' in page
    assert "2 järjestöä" in page
    assert "Tilastot: tilastot-2026.csv" in page and "statistics" not in page


def test_every_staff_action_is_audited_with_actor_object_and_time(client, make_organisation):
    staff_client(client)
    organisation = make_organisation("Auditoitu ry", status="pending")
    client.post(f"/yllapito/jarjestot/{organisation.id}/hyvaksy")
    client.post(f"/yllapito/jarjestot/{organisation.id}/piilota")
    client.post(f"/yllapito/muokkauspyynto", data=once(message="Hei.", organisation_ids=str(organisation.id)))
    events = _db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["sign_in", "approve", "hide", "edit_request"]
    assert all(e.actor == STAFF_EMAIL and e.created_at is not None for e in events)
    assert [(e.object_type, e.object_id) for e in events[1:]] == [("organisation", organisation.id)] * 3


def test_dashboard_shows_the_work_waiting(client, make_organisation):
    staff_client(client)
    make_organisation("Odottaa ry", status="pending")
    make_organisation("Unohtunut ry", confirmed_at=utcnow() - timedelta(days=500))
    make_organisation("Ajantasainen ry", confirmed_at=utcnow())
    _db.session.add(OutboxMessage(to="rikki@yhdistys.example", subject="Muokkauspyyntö", status="failed",
                                  last_error="550 no such user", message_id="<rikki@portal.test>"))
    _db.session.add(WorkshopOrder(
        reference="TP-2026-0001", reference_year=2026, reference_number=1, status="new",
        organisation_name="Tilaaja ry", contact_person="Tiina Tilaaja", email="tiina@tilaaja.example",
        phone="+358401234567", participants=12, goal="Vapaaehtoisten perehdytys", place_kind="remote",
        consent_at=utcnow(), status_token_hash="0" * 64,
    ))
    for created_at in (utcnow(), utcnow() - timedelta(days=70)):
        _db.session.add(ContactRequest(batch="b", organisation_name="X", consent_at=created_at, created_at=created_at))
    _db.session.commit()

    page = client.get("/yllapito/").text
    assert "Odottaa ry" in page and "Odottaa hyväksyntää (1)" in page
    assert "Unohtunut ry" in page and "Ajantasainen ry" not in page.split("Tarkistamatta yli vuoden")[1].split("</section>")[0]
    assert "rikki@yhdistys.example" in page and "Yritä uudelleen" in page
    assert "TP-2026-0001" in page and "Tilaaja ry" in page
    contact_box = page.split("Yhteydenottopyynnöt tässä kuussa")[1].split("</section>")[0]
    assert '<p class="luku">1</p>' in contact_box


def test_retry_puts_a_failed_message_back_and_delivers_it(client, mailbox):
    staff_client(client)
    message = OutboxMessage(to="rikki@yhdistys.example", subject="Muokkauspyyntö", text_body="Hei", html_body="",
                            status="failed", attempts=8, last_error="timeout", message_id="<retry@portal.test>")
    _db.session.add(message)
    _db.session.commit()
    answer = client.post(f"/yllapito/viestit/{message.id}/uudelleen")
    assert answer.status_code == 303
    assert [m["To"] for m in mailbox.messages] == ["rikki@yhdistys.example"]
    _db.session.expire_all()
    assert _db.session.get(OutboxMessage, message.id).status == "sent"
    assert _db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == ["sign_in", "retry_mail"]
    assert client.post(f"/yllapito/viestit/{message.id}/uudelleen").status_code == 303
    assert len(mailbox.messages) == 1


def test_purge_removes_old_tokens_sent_mail_and_expired_sessions(app, runner):
    now = utcnow()
    _db.session.add_all([
        LoginToken(token_hash="a" * 64, email="x@y.example", purpose="sign_in", expires_at=now - timedelta(days=31)),
        LoginToken(token_hash="b" * 64, email="x@y.example", purpose="sign_in", expires_at=now - timedelta(days=1)),
        OutboxMessage(to="x@y.example", subject="Vanha", status="sent", sent_at=now - timedelta(days=91), message_id="<1@t>"),
        OutboxMessage(to="x@y.example", subject="Uusi", status="sent", sent_at=now - timedelta(days=5), message_id="<2@t>"),
        OutboxMessage(to="x@y.example", subject="Epäonnistui", status="failed", message_id="<3@t>",
                      created_at=now - timedelta(days=200)),
        UserSession(id="1" * 64, email="x@y.example", role="staff", created_at=now - timedelta(hours=2),
                    last_seen_at=now - timedelta(hours=2)),
        UserSession(id="2" * 64, email="x@y.example", role="contact", created_at=now - timedelta(hours=2),
                    last_seen_at=now - timedelta(minutes=5)),
    ])
    _db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "tokens: 1" in result.output and "sent messages: 1" in result.output and "sessions: 1" in result.output
    assert _db.session.scalars(select(LoginToken.token_hash)).all() == ["b" * 64]
    # A failed message holds what a requester wrote: it goes after 30 days (issue 13).
    assert "failed messages: 1" in result.output
    assert sorted(_db.session.scalars(select(OutboxMessage.subject))) == ["Uusi"]
    assert _db.session.scalars(select(UserSession.role)).all() == ["contact"]
