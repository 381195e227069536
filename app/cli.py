"""Command-line interface: `flask --app wsgi <group> <command>`."""
import signal
import sys
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db

seed_cli = AppGroup("seed", help="Load taxonomy and demo data.")
import_cli = AppGroup("import", help="Import data from files.")
export_cli = AppGroup("export", help="Export data.")
search_cli = AppGroup("search", help="Maintain the search index.")
outbox_cli = AppGroup("outbox", help="Deliver queued e-mail.")


@seed_cli.command("taxonomy")
def seed_taxonomy_command():
    """Load municipalities, needs, activities and sectors (idempotent)."""
    from app.services.taxonomy import seed_taxonomy

    counts = seed_taxonomy(Path(current_app.root_path) / "data")
    db.session.commit()
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when organisations already exist.")
def seed_demo_command(if_empty: bool):
    """Load the fictional demo organisations."""
    from app.services.demo import seed_demo

    created = seed_demo(only_if_empty=if_empty)
    db.session.commit()
    click.echo(f"demo organisations added: {created}")


@import_cli.command("organisations")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_organisations_command(path: Path):
    """Import organisations from a JSON Lines file: all or nothing."""
    from app.services.importer import ImportFailed, import_organisations

    with path.open(encoding="utf-8") as lines:
        try:
            created = import_organisations(lines)
        except ImportFailed as failure:
            db.session.rollback()
            for problem in failure.problems:
                click.echo(problem, err=True)
            click.echo("nothing was imported", err=True)
            sys.exit(1)
    db.session.commit()
    click.echo(f"organisations imported: {created}")


@export_cli.command("organisations")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
def export_organisations_command(output):
    """Write every organisation as JSON Lines, in the import format."""
    from app.services.importer import export_organisations

    for line in export_organisations():
        output.write(line + "\n")


@search_cli.command("reindex")
@click.option("--if-stale", is_flag=True, help="Only when the index was built by another analyser.")
def reindex_command(if_stale: bool):
    """Rebuild the search index of every organisation."""
    from app.services.search_index import index_is_current, reindex_all

    if if_stale and index_is_current():
        click.echo("search index is current")
        return
    count = reindex_all()
    db.session.commit()
    click.echo(f"organisations indexed: {count}")


@outbox_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running as a worker until SIGTERM or Ctrl-C.")
@click.option("--interval", default=30.0, show_default=True, help="Seconds between rounds with --loop.")
def outbox_deliver_command(loop: bool, interval: float):
    """Send the queued messages that are due; failures wait for their next attempt."""
    from app.services.outbox import DELIVERY_BATCH, deliver_due

    if not loop:
        sent, failed = deliver_due()
        click.echo(f"sent: {sent}, not sent: {failed}")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    signal.signal(signal.SIGINT, lambda _signum, _frame: stop.set())
    click.echo(f"delivering every {interval:g} s until SIGTERM")
    while not stop.is_set():
        try:
            sent, failed = deliver_due()
        except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
            db.session.rollback()
            current_app.logger.exception("outbox round failed")
        else:
            if sent or failed:
                click.echo(f"sent: {sent}, not sent: {failed}")
            if sent + failed >= DELIVERY_BATCH:
                continue  # a backlog: the next batch goes at once
        finally:
            db.session.remove()
        stop.wait(interval)
    click.echo("stopped")


def register_commands(app: Flask) -> None:
    for group in (seed_cli, import_cli, export_cli, search_cli, outbox_cli):
        app.cli.add_command(group)
