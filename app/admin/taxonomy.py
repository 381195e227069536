"""Staff views: the taxonomy (needs, activities, municipalities, sectors, workshop themes)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import select

from app.accounts.sessions import current_user
from app.admin.blueprint import bp
from app.admin.taxonomy_edits import (
    KINDS,
    TermInUse,
    TermKind,
    delete_term,
    list_terms,
    merge_terms,
    save_term,
    usage_count,
)
from app.admin.taxonomy_forms import FORMS, DeleteForm, MergeForm
from app.extensions import db
from app.models import Need
from app.platform.audit import record_audit

# (plural heading, singular noun used in messages) of each kind.
KIND_LABELS = {
    "tarpeet": (_l("Tarpeet"), _l("tarve")),
    "toimintamuodot": (_l("Toimintamuodot"), _l("toimintamuoto")),
    "kunnat": (_l("Kunnat"), _l("kunta")),
    "toimialat": (_l("Toimialat"), _l("toimiala")),
    "tyopajateemat": (_l("Työpajojen teemat"), _l("työpajateema")),
}


def _kind_or_404(slug: str) -> TermKind:
    if slug not in KINDS:
        abort(404)
    return KINDS[slug]


def _term_or_404(kind: TermKind, term_id: int):
    return db.get_or_404(kind.model, term_id)


def usage_text(kind: TermKind, count: int) -> str:
    """How many use the term, in words: organisations, or orders for a workshop theme."""
    if kind.used_by_orders:
        return ngettext("%(num)d työpajatilaus", "%(num)d työpajatilausta", count)
    return ngettext("%(num)d järjestö", "%(num)d järjestöä", count)


def _merge_choices(kind: TermKind, source) -> list[tuple[str, str]]:
    return [(str(term.id), term.label) for term, _count in list_terms(kind) if term.id != source.id]


def _audit(action_detail: str, kind: TermKind, term_id: int | None, **detail) -> None:
    record_audit(current_user().email, "taxonomy", kind.slug, term_id, change=action_detail, **detail)


def _need_groups(kind: TermKind) -> list[str]:
    if kind.model is not Need:
        return []
    return sorted(set(db.session.scalars(select(Need.group))))


@bp.get("/luokitukset")
def taxonomy():
    """The taxonomy tables, each with its number of terms."""
    kinds = [(slug, KIND_LABELS[slug][0], len(list_terms(kind))) for slug, kind in KINDS.items()]
    return render_template("admin/taxonomy.html", kinds=kinds)


@bp.get("/luokitukset/<slug>")
def taxonomy_terms(slug: str):
    """Every term of one kind with the number of organisations using it."""
    kind = _kind_or_404(slug)
    rows = [(term, term.label, usage_text(kind, count)) for term, count in list_terms(kind)]
    return render_template(
        "admin/taxonomy_terms.html", slug=slug, heading=KIND_LABELS[slug][0], rows=rows, kind=kind
    )


@bp.route("/luokitukset/<slug>/uusi", methods=["GET", "POST"])
def taxonomy_create(slug: str):
    """Add a term."""
    kind = _kind_or_404(slug)
    form = FORMS[slug](kind)
    if form.validate_on_submit():
        term = save_term(kind, None, form.values())
        _audit("create", kind, term.id, name=term.name)
        db.session.commit()
        flash(_("Lisätty: %(name)s", name=term.label))
        return redirect(url_for("admin.taxonomy_terms", slug=slug), code=303)
    return render_template(
        "admin/taxonomy_form.html",
        slug=slug,
        heading=KIND_LABELS[slug][0],
        title=_("Uusi %(noun)s", noun=KIND_LABELS[slug][1]),
        form=form,
        groups=_need_groups(kind),
    ), 422 if form.is_submitted() else 200


def _edit_page(kind: TermKind, slug: str, term, *, form=None, merge_form=None, in_use_message="", status=200):
    """The edit page: the term's form, its use, and the delete and merge forms."""
    count = usage_count(kind, term)
    # formdata=None: the forms not posted show the stored values, not the other form's input.
    form = form or FORMS[slug](kind, term.id, formdata=None, data=FORMS[slug].initial(term))
    merge_form = merge_form or MergeForm(kind, term, _merge_choices(kind, term), formdata=None)
    return render_template(
        "admin/taxonomy_edit.html",
        slug=slug,
        heading=KIND_LABELS[slug][0],
        noun=KIND_LABELS[slug][1],
        kind=kind,
        term=term,
        label=term.label,
        usage=usage_text(kind, count),
        count=count,
        form=form,
        merge_form=merge_form,
        delete_form=DeleteForm(formdata=None),
        in_use_message=in_use_message,
        groups=_need_groups(kind),
    ), status


@bp.route("/luokitukset/<slug>/<int:term_id>", methods=["GET", "POST"])
def taxonomy_edit(slug: str, term_id: int):
    """Edit or rename a term."""
    kind = _kind_or_404(slug)
    term = _term_or_404(kind, term_id)
    form = FORMS[slug](kind, term.id, data=FORMS[slug].initial(term))
    if form.validate_on_submit():
        before = term.name
        save_term(kind, term, form.values())
        _audit("edit", kind, term.id, name=term.name, previous_name=before)
        db.session.commit()
        flash(_("Tallennettu: %(name)s", name=term.label))
        return redirect(url_for("admin.taxonomy_edit", slug=slug, term_id=term.id), code=303)
    if form.is_submitted():
        return _edit_page(kind, slug, term, form=form, status=422)
    return _edit_page(kind, slug, term, form=form)


@bp.post("/luokitukset/<slug>/<int:term_id>/poista")
def taxonomy_delete(slug: str, term_id: int):
    """Delete a term nothing uses; a term in use is refused with the merge option."""
    kind = _kind_or_404(slug)
    term = _term_or_404(kind, term_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    name, label = term.name, term.label
    try:
        delete_term(kind, term)
    except TermInUse as in_use:
        message = _(
            "Luokkaa ”%(name)s” ei voi poistaa, koska sitä käyttää %(usage)s. "
            "Voit yhdistää sen toiseen luokkaan, jolloin ne siirtyvät valittuun luokkaan.",
            name=label,
            usage=usage_text(kind, in_use.count),
        )
        return _edit_page(kind, slug, term, in_use_message=message, status=409)
    _audit("delete", kind, term_id, name=name)
    db.session.commit()
    flash(_("Poistettu: %(name)s", name=label))
    return redirect(url_for("admin.taxonomy_terms", slug=slug), code=303)


@bp.post("/luokitukset/<slug>/<int:term_id>/yhdista")
def taxonomy_merge(slug: str, term_id: int):
    """Merge a term into another: everything using it moves, and it is deleted."""
    kind = _kind_or_404(slug)
    term = _term_or_404(kind, term_id)
    merge_form = MergeForm(kind, term, _merge_choices(kind, term))
    if not merge_form.validate_on_submit():
        return _edit_page(kind, slug, term, merge_form=merge_form, status=422)
    source_label, target = term.label, merge_form.target_term
    if merge_form.confirmed.data != "1":
        # It cannot be undone: first say what it would do, and ask.
        return render_template(
            "admin/taxonomy_merge.html", slug=slug, heading=KIND_LABELS[slug][0], term=term, label=source_label,
            target=target, target_label=target.label, usage=usage_text(kind, usage_count(kind, term)),
        )
    moved = merge_terms(kind, term, target, current_user().email)
    _audit("merge", kind, target.id, source=term.name, source_id=term_id, target=target.name, moved=moved)
    db.session.commit()
    flash(
        _(
            "”%(source)s” yhdistettiin luokkaan ”%(target)s”. Siirrettiin %(usage)s.",
            source=source_label,
            target=target.label,
            usage=usage_text(kind, moved),
        )
    )
    return redirect(url_for("admin.taxonomy_edit", slug=slug, term_id=target.id), code=303)

