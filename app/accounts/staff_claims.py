"""Staff's side of access claims: approve or decline from the dashboard.

Staff decide the claims of organisations with no contact to ask, and any other
claim a contact has left unanswered.
"""
from flask import flash, redirect, url_for
from flask_babel import gettext as _

from app.accounts.claims import ClaimError, decide_claim
from app.admin.access import actor
from app.admin.blueprint import bp
from app.extensions import db
from app.models import AccessClaim
from app.platform.form_fields import ActionForm


@bp.post("/liittymispyynnot/<int:claim_id>/<any('hyvaksy', 'hylkaa'):answer>")
def decide_claim_as_staff(claim_id: int, answer: str):
    """"Hyväksy" makes the requester a contact; "Hylkää" turns the claim down. Both mail the requester."""
    claim = db.get_or_404(AccessClaim, claim_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".dashboard"), code=303)
    approve = answer == "hyvaksy"
    try:
        decide_claim(claim, actor(), approve=approve)
    except ClaimError as problem:
        db.session.rollback()
        flash(problem.message)
    else:
        db.session.commit()
        flash(_("%(email)s on nyt järjestön %(name)s yhteyshenkilö.", email=claim.email, name=claim.organisation.name)
              if approve else
              _("Pyyntö hylätty. %(email)s sai tiedon sähköpostilla.", email=claim.email))
    return redirect(url_for(".dashboard") + "#liittymispyynnot", code=303)
