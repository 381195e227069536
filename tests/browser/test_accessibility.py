"""axe-core finds no WCAG 2.1 A or AA violation on the main public pages."""
import pytest
from sqlalchemy import func, select

from app.config import DEFAULT_LANGUAGE, PORTAL_LANGUAGES
from app.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_ids(live_server) -> dict[str, int]:
    """Ids the page paths need: a municipality, and the published organisation with
    the most phones (its page shows the most of the layout)."""
    from app.models import Municipality, Organisation, OrganisationPhone

    with live_server.app.app_context():
        organisation_id = db.session.scalar(
            select(Organisation.id)
            .join(OrganisationPhone)
            .where(Organisation.status == "published")
            .group_by(Organisation.id)
            .order_by(func.count(OrganisationPhone.id).desc(), Organisation.id)
            .limit(1)
        )
        municipality_id = db.session.scalar(select(Municipality.id).where(Municipality.name_fi == "Kuopio"))
        db.session.remove()
    assert organisation_id and municipality_id, "the demo data must be loaded"
    return {"organisation": organisation_id, "municipality": municipality_id}


PAGES = {
    "front page": "/",
    "results with filter chips": "/haku?q=diabetes&kunta={municipality}",
    "no results": "/haku?q=qxzvwk",
    "organisation": "/jarjestot/{organisation}",
    "all organisations A-Z": "/jarjestot",
    "A-Z by letter and municipality": "/jarjestot?kirjain=K&kunta={municipality}",
    "results with language and accessibility filters": "/haku?q=vertaistuki&kieli=sv&esteettomyys=esteeton-kulku",
    "results with the urgent-help box": "/haku?q=itsemurha",
    "instructions": "/ohjeet",
    "instructions in plain language": "/ohjeet/selkokieli",
    "accessibility statement": "/saavutettavuusseloste",
    "privacy notice": "/tietosuojaseloste",
}


# Every page in every language: the default at the root, the others under their prefix.
PREFIXES = {code: "" if code == DEFAULT_LANGUAGE else f"/{code}" for code in PORTAL_LANGUAGES}


@pytest.mark.parametrize("language", PREFIXES)
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_has_no_wcag_21_aa_violations(axe, demo_ids, path, language):
    violations = axe(PREFIXES[language] + path.format(**demo_ids))
    assert not violations, "\n".join(violations)
