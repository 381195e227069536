"""Staff views: the history of one organisation, the global change feed, restoring a revision."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.admin.access import actor
from app.admin.blueprint import bp
from app.directory.history import (
    change_feed,
    organisation_history,
    restore_preview,
    restore_revision,
    revision_number,
)
from app.directory.organisations import VersionConflict
from app.extensions import db
from app.models import Organisation, Revision
from app.platform.form_fields import ActionForm
from app.platform.validation import list_page


@bp.get("/jarjestot/<int:organisation_id>/historia")
def organisation_history_page(organisation_id: int):
    """Every revision of one organisation with what it changed."""
    organisation = db.get_or_404(Organisation, organisation_id)
    return render_template(
        "directory/staff/history.html",
        organisation=organisation,
        history=organisation_history(organisation),
    )


@bp.get("/muutokset")
def changes():
    """All organisations' changes, newest first."""
    page, items = change_feed(list_page(request.args.get("sivu")))
    return render_template("directory/staff/changes.html", page=page, items=items)


@bp.get("/jarjestot/<int:organisation_id>/historia/<int:revision_id>/palautetaanko")
def confirm_restore(organisation_id: int, revision_id: int):
    """"Palautetaanko?": what the restore would change, and the button that does it."""
    organisation, revision = _revision_of(organisation_id, revision_id)
    return render_template(
        "directory/staff/restore.html", organisation=organisation,
        preview=restore_preview(organisation, revision), action_form=ActionForm(),
    )


@bp.post("/jarjestot/<int:organisation_id>/historia/<int:revision_id>/palauta")
def restore(organisation_id: int, revision_id: int):
    """"Palauta tähän versioon": the revision's values become current, as a new revision."""
    organisation, revision = _revision_of(organisation_id, revision_id)
    history_url = url_for(".organisation_history_page", organisation_id=organisation.id)
    if not ActionForm().validate_on_submit():
        return redirect(history_url, code=303)
    try:
        changed, problems = restore_revision(organisation, revision, actor())
        db.session.commit()
    except VersionConflict:
        db.session.rollback()
        flash(_("Joku muu tallensi järjestön tiedot juuri nyt. Tarkista muutokset ja yritä uudelleen."))
        return redirect(history_url, code=303)
    if changed:
        flash(_("Järjestön tiedot palautettiin versioon %(number)d.", number=revision_number(revision)))
    else:
        flash(_("Järjestön tiedot ovat jo tämän version mukaiset, joten mitään ei muutettu."))
    for problem in problems:
        flash(_("Ei palautettu: %(problem)s", problem=problem))
    return redirect(history_url, code=303)


def _revision_of(organisation_id: int, revision_id: int) -> tuple[Organisation, Revision]:
    organisation = db.get_or_404(Organisation, organisation_id)
    revision = db.get_or_404(Revision, revision_id)
    if revision.organisation_id != organisation.id:
        abort(404)
    return organisation, revision
