"""Staff views: the signed-in staff member's own settings."""
from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from app.admin.blueprint import bp
from app.admin.forms import ProfileForm
from app.admin.staff import set_notices
from app.extensions import db


@bp.route("/profiili", methods=["GET", "POST"])
def profile():
    """Whether this staff member receives the notices by e-mail."""
    form = ProfileForm()
    if not form.is_submitted():
        # Only the empty form starts from the account: an unticked box sends nothing.
        form.receives_notices.data = g.staff.receives_notices
    if not form.validate_on_submit():
        return render_template("admin/profile.html", form=form), 422 if form.is_submitted() else 200
    set_notices(g.staff, form.receives_notices.data)
    db.session.commit()
    flash(_("Ilmoitukset tulevat sinulle sähköpostilla.") if form.receives_notices.data
          else _("Et saa enää ilmoituksia sähköpostilla. Näet odottavat asiat ylläpidon etusivulla."))
    return redirect(url_for(".profile"), code=303)
