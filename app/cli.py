"""Command-line interface: `flask --app wsgi <group> <command>`."""
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.extensions import db

seed_cli = AppGroup("seed", help="Load taxonomy and demo data.")
import_cli = AppGroup("import", help="Import data from files.")
export_cli = AppGroup("export", help="Export data.")
search_cli = AppGroup("search", help="Maintain the search index.")
outbox_cli = AppGroup("outbox", help="Deliver queued e-mail.")
staff_cli = AppGroup("staff", help="Staff accounts for /yllapito.")
reminders_cli = AppGroup("reminders", help="Freshness reminders to organisations.")
events_cli = AppGroup("events", help="The centre's events.")
workshops_cli = AppGroup("workshops", help="Two-hour workshops ordered by associations.")
contact_cli = AppGroup("contact", help="Contact requests sent to organisations.")


@seed_cli.command("taxonomy")
@click.option("--region", "region", default=None, metavar="DIR",
              help="A region folder (a name under app/data/regions/ or a path) [default: the REGION setting].")
def seed_taxonomy_command(region: str | None):
    """Load municipalities, needs, activities, sectors and workshop themes (idempotent)."""
    from app.admin.taxonomy_data import TaxonomyFileError, seed_taxonomy
    from app.platform.region import RegionError, load_region, region_folder
    from app.workshops.themes import seed_workshop_themes

    data_dir = Path(current_app.root_path) / "data"
    try:
        # The folder is checked as the app would read it, so a seeded region is one the app can run with.
        region_dir = load_region(region_folder(region)).folder if region else None
        counts = seed_taxonomy(data_dir, region_dir)
    except (RegionError, TaxonomyFileError) as problem:
        raise click.ClickException(str(problem)) from None
    # Themes are only added when missing: staff edit them, a second seed must not undo that.
    counts["workshop themes added"] = seed_workshop_themes(data_dir / "workshop_themes.csv")
    db.session.commit()
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when organisations already exist.")
def seed_demo_command(if_empty: bool):
    """Load the fictional demo organisations, demo events with sign-ups and workshop slots when there are none."""
    from app.directory.demo import seed_demo
    from app.events.demo import seed_demo_events
    from app.workshops.demo import seed_demo_slots

    created = seed_demo(only_if_empty=if_empty)
    events = seed_demo_events()
    slots = seed_demo_slots()
    db.session.commit()
    click.echo(f"demo organisations added: {created}, demo events added: {events}, demo workshop slots added: {slots}")


@import_cli.command("organisations")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_organisations_command(path: Path):
    """Import organisations from a JSON Lines file: all or nothing."""
    from app.directory.importer import import_organisations

    with path.open(encoding="utf-8") as lines:
        created = _all_or_nothing(lambda: import_organisations(lines))
    click.echo(f"organisations imported: {created}")


@import_cli.command("hsds")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_hsds_command(directory: Path):
    """Import another publisher's HSDS 3.0 Tabular Data Package as pending organisations: all or nothing."""
    from app.api.hsds.importer import import_datapackage

    created = _all_or_nothing(lambda: import_datapackage(directory))
    click.echo(f"organisations imported: {len(created)} (pending)")


def _all_or_nothing(importing):
    """Run an import and commit; on ImportFailed roll back and print every problem (exit status 1)."""
    from app.directory.importer import ImportFailed

    try:
        result = importing()
    except ImportFailed as failure:
        db.session.rollback()
        raise click.ClickException("\n".join([*failure.problems, "nothing was imported"])) from None
    db.session.commit()
    return result


@export_cli.command("organisations")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
def export_organisations_command(output):
    """Write every organisation as JSON Lines, in the import format."""
    from app.directory.importer import export_organisations

    for line in export_organisations():
        output.write(line + "\n")


@export_cli.command("hsds")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_hsds_command(directory: Path):
    """Write the public directory as an HSDS 3.0 Tabular Data Package (CSV files and datapackage.json)."""
    from app.api.hsds.export import write_datapackage

    files = write_datapackage(directory)
    click.echo(f"HSDS data package written to {directory}: {len(files)} files")


@search_cli.command("reindex")
@click.option("--if-stale", is_flag=True, help="Only when the index was built by another analyser.")
def reindex_command(if_stale: bool):
    """Rebuild the search index of every organisation."""
    from app.search.index import index_is_current, reindex_all

    if if_stale and index_is_current():
        click.echo("search index is current")
        return
    count = reindex_all()
    db.session.commit()
    click.echo(f"organisations indexed: {count}")


@outbox_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running as a worker until SIGTERM or Ctrl-C.")
@click.option("--interval", type=float, default=None,
              help="Seconds between rounds with --loop [default: 2 when MAIL_SENT_BY=worker, else 30].")
def outbox_deliver_command(loop: bool, interval: float | None):
    """Send every queued message that is due; failures wait for their next attempt."""
    from app.platform.mail_delivery import deliver_all_due

    if interval is None:
        # As the only sender the worker must be prompt: a sign-in link is awaited.
        interval = 2.0 if current_app.config["MAIL_SENT_BY"] == "worker" else 30.0

    if not loop:
        sent, failed = deliver_all_due()
        click.echo(f"sent: {sent}, not sent: {failed}")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    signal.signal(signal.SIGINT, lambda _signum, _frame: stop.set())
    click.echo(f"delivering every {interval:g} s until SIGTERM")
    while not stop.is_set():
        try:
            sent, failed = deliver_all_due(stopping=stop.is_set)
        except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
            db.session.rollback()
            current_app.logger.exception("outbox round failed")
        else:
            if sent or failed:
                click.echo(f"sent: {sent}, not sent: {failed}")
        finally:
            db.session.remove()
        stop.wait(interval)
    click.echo("stopped")


@staff_cli.command("add")
@click.argument("email")
@click.option("--name", default="", help="The person's name, shown in the staff pages.")
def staff_add_command(email: str, name: str):
    """Create a staff account (or reactivate an existing one)."""
    from app.admin.staff import add_staff
    from app.platform.validation import ValidationError

    try:
        staff = add_staff(email, name)
    except ValidationError as problem:
        raise click.ClickException(f"{email}: {problem.message}") from None
    db.session.commit()
    click.echo(f"staff account active: {staff.email}")


@staff_cli.command("list")
def staff_list_command():
    """Every staff account, active or not."""
    from app.admin.staff import all_staff

    for staff in all_staff():
        click.echo(f"{staff.email}\t{staff.name}\t{'active' if staff.active else 'inactive'}")


@staff_cli.command("deactivate")
@click.argument("email")
def staff_deactivate_command(email: str):
    """Close a staff account and sign it out everywhere."""
    from app.admin.staff import deactivate_staff

    staff = deactivate_staff(email)
    if staff is None:
        raise click.ClickException(f"no staff account {email}")
    db.session.commit()
    click.echo(f"staff account deactivated: {staff.email}")


@reminders_cli.command("send")
def reminders_send_command():
    """Queue an edit link to the contacts of entries not confirmed for 12 months (once per 30 days).

    `flask outbox deliver` sends them.
    """
    from app.platform.audit import record_audit
    from app.directory.freshness import send_reminders

    report = send_reminders()
    if report.organisations:
        record_audit("cli", "reminders", organisations=report.organisations, messages=report.messages)
    db.session.commit()
    click.echo(
        f"organisations reminded: {report.organisations}, messages queued: {report.messages}, "
        f"stale without contacts: {report.without_contacts}"
    )


def _queue_and_audit(send: Callable[[], int], action: str, label: str) -> None:
    """Run a mail-queuing job from cron: audit it when it queued anything, commit, say how many."""
    from app.platform.audit import record_audit

    sent = send()
    if sent:
        record_audit("cli", action, messages=sent)
    db.session.commit()
    click.echo(f"{label}: {sent}")


@events_cli.command("remind")
def events_remind_command():
    """Queue a reminder to everyone with a place in an event that starts within two days (once each).

    Run it from cron, e.g. hourly; `flask outbox deliver` sends them.
    """
    from app.events.signups import send_reminders

    _queue_and_audit(send_reminders, "event_reminders", "event reminders queued")


@workshops_cli.command("remind")
def workshops_remind_command():
    """Queue a reminder to each orderer whose confirmed workshop starts within two days (once each).

    Run it from cron, e.g. hourly; `flask outbox deliver` sends them.
    """
    from app.workshops.services import send_reminders

    _queue_and_audit(send_reminders, "workshop_reminders", "workshop reminders queued")


@events_cli.command("feedback")
def events_feedback_command():
    """Queue the feedback link to everyone marked as came, from the day after the event (once each).

    Run it from cron, e.g. daily in the morning; `flask outbox deliver` sends them.
    """
    from app.events.feedback import send_feedback_requests

    _queue_and_audit(send_feedback_requests, "event_feedback_requests", "event feedback requests queued")


@contact_cli.command("remind")
def contact_remind_command():
    """Queue one reminder to each organisation with a request unhandled for three working days.

    Run it from cron, e.g. daily; a request is reminded once; `flask outbox deliver` sends them.
    """
    from app.contact.followup import send_reminders

    _queue_and_audit(send_reminders, "contact_reminders", "contact request reminders")


@click.command("purge")
def purge_command():
    """Remove data past its retention period (deleted organisations, old links, sent mail, sessions…)."""
    from app.platform.audit import record_audit
    from app.platform.retention import purge_all

    report = purge_all()
    record_audit("cli", "purge", **vars(report))
    db.session.commit()
    click.echo(", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in vars(report).items()))


@click.command("erase")
@click.argument("email")
def erase_command(email: str):
    """Erase one person's data on request and print what was done (app/platform/erasure.py)."""
    from app.platform.erasure import erase_person
    from app.platform.validation import ValidationError, normalise_email

    try:
        address = normalise_email(email)
    except ValidationError as problem:
        raise click.ClickException(f"{email}: {problem.message}") from None
    report = erase_person(address, "cli")
    db.session.commit()
    for name, value in vars(report).items():
        if name not in ("organisations_left_without_contact", "staff_account"):
            click.echo(f"{name.replace('_', ' ')}: {value}")
    for name in report.organisations_left_without_contact:
        click.echo(f"no contact left, add one: {name}")
    if report.staff_account:
        click.echo("a staff account has this address: not removed (flask staff deactivate)")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(path: Path):
    """Copy the live SQLite database to PATH and check the copy (PostgreSQL: use pg_dump)."""
    from app.platform.backup import BackupFailed, BackupNotSupported, backup_sqlite

    try:
        report = backup_sqlite(db.engine, path)
    except (BackupNotSupported, BackupFailed) as problem:
        raise click.ClickException(f"backup not made: {problem}") from None
    click.echo(f"{report.path}: {report.size_bytes} bytes, integrity_check {report.integrity}")


def register_commands(app: Flask) -> None:
    for group in (seed_cli, import_cli, export_cli, search_cli, outbox_cli, staff_cli, reminders_cli, events_cli,
                  workshops_cli, contact_cli):
        app.cli.add_command(group)
    app.cli.add_command(purge_command)
    app.cli.add_command(erase_command)
    app.cli.add_command(backup_command)
