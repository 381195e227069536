"""Command-line interface: `flask --app wsgi <group> <command>`."""
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db

seed_cli = AppGroup("seed", help="Load taxonomy and demo data.")
import_cli = AppGroup("import", help="Import data from files.")
export_cli = AppGroup("export", help="Export data.")
search_cli = AppGroup("search", help="Maintain the search index.")


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


def register_commands(app: Flask) -> None:
    for group in (seed_cli, import_cli, export_cli, search_cli):
        app.cli.add_command(group)
