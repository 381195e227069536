"""Possible duplicates of an organisation: the same Y-tunnus or a similar name.

Names are compared after normalisation (case, Unicode forms, punctuation and
the legal suffix "ry"/"rf" do not count) with rapidfuzz's normalised edit
distance, so "Kuopion Sydän-yhdistys r.y." meets "Kuopion Sydänyhdistys ry"
while "Kuopion Diabetesyhdistys" does not.  The directory holds some thousands
of entries at most, so comparing against every name is cheap.
"""
import re
import unicodedata

from rapidfuzz import fuzz, process
from sqlalchemy import or_, select

from app.extensions import db
from app.models import Organisation, OrganisationContact

# The button "Eri järjestö, jatka" (templates/accounts/_duplicates.html) sends this field.
DIFFERENT_FIELD = "eri_jarjesto"
# A ratio (0–100) at or above which two normalised names are shown as possibly the same.
SIMILAR_NAME_SCORE = 88
MAX_SHOWN = 5
LEGAL_SUFFIXES = {"ry", "rf", "r y", "r f", "ry:n", "rf:s"}
_JOINERS = re.compile(r"(?<=\w)[-‐–](?=\w)")
_PUNCTUATION = re.compile(r"[^\w\s:]")


def normalised_name(name: str) -> str:
    """The name as compared: "Kuopion Sydän-yhdistys r.y." → "kuopion sydänyhdistys"."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = _JOINERS.sub("", text)
    text = " ".join(_PUNCTUATION.sub(" ", text).split())
    for suffix in sorted(LEGAL_SUFFIXES, key=len, reverse=True):
        if text.endswith(" " + suffix):
            text = text[: -len(suffix) - 1]
            break
    return text.replace(":", " ").strip()


def possible_duplicates(name: str, business_id: str | None, *, exclude_id: int | None = None,
                        contact_email: str | None = None) -> list[Organisation]:
    """Entries not deleted with the same Y-tunnus or a similar name, the likeliest first.

    With `contact_email` (anyone but staff) only the published entries and the person's own:
    a pending or hidden entry is not public, and anyone can sign in to add an organisation.
    """
    shown = [Organisation.deleted_at.is_(None)]
    if contact_email is not None:
        own = select(OrganisationContact.organisation_id).where(OrganisationContact.email == contact_email)
        shown.append(or_(Organisation.status == "published", Organisation.id.in_(own)))
    rows = db.session.execute(select(Organisation.id, Organisation.name, Organisation.business_id).where(*shown)).all()
    scores: dict[int, float] = {}
    if business_id:
        scores.update({row.id: 101.0 for row in rows if row.business_id == business_id})
    wanted = normalised_name(name)
    if wanted:
        names = {row.id: normalised_name(row.name) for row in rows}
        for _name, score, organisation_id in process.extract(
            wanted, names, scorer=fuzz.ratio, score_cutoff=SIMILAR_NAME_SCORE, limit=None
        ):
            scores[organisation_id] = max(score, scores.get(organisation_id, 0.0))
    scores.pop(exclude_id, None)
    ids = sorted(scores, key=lambda organisation_id: -scores[organisation_id])[:MAX_SHOWN]
    if not ids:
        return []
    found = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}
    return [found[organisation_id] for organisation_id in ids]


def different_organisation_confirmed(form_data) -> bool:
    """The person pressed "Eri järjestö, jatka": save without asking again."""
    return form_data.get(DIFFERENT_FIELD) == "1"
