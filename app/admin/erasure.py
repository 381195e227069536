"""Staff view: "Poista henkilön tiedot", erasing one person's data on request."""
from dataclasses import asdict

from flask import redirect, render_template, session, url_for

from app.admin.access import actor
from app.admin.blueprint import bp
from app.admin.forms import ErasureForm
from app.extensions import db
from app.platform.erasure import ErasureReport, erase_person, find_personal_data

DONE_KEY = "erasure_done"


@bp.route("/henkilotietojen-poisto", methods=["GET", "POST"])
def erase_person_data():
    """The address, then what will be removed and a confirm button, then the erasure."""
    form = ErasureForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("admin/erasure.html", form=form, found=None), status
    if form.confirmed.data != "1":
        form.confirmed.data = "1"
        return render_template("admin/erasure.html", form=form, found=find_personal_data(form.email.data))
    report = erase_person(form.email.data, actor())
    db.session.commit()
    # Counts and organisation names only: the address is not kept in the session.
    session[DONE_KEY] = asdict(report)
    return redirect(url_for(".erasure_done"), code=303)


@bp.get("/henkilotietojen-poisto/tehty")
def erasure_done():
    """What the erasure did, shown once."""
    done = session.pop(DONE_KEY, None)
    if done is None:
        return redirect(url_for(".erase_person_data"), code=303)
    return render_template("admin/erasure_done.html", done=ErasureReport(**done))
