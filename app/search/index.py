"""Writes the search index: one `search_document` row of analysed tokens per published organisation.

The database builds its full-text structure from these rows (see
search_schema), so this module is the only writer.  Besides the analysed words
a document carries an opaque token per linked need, activity and municipality
("qneed12", "qact3", "qmun5", and "qkoko" when nationwide): a query word that
is a need's synonym is expanded to a need token at query time, so renaming a
need or editing its synonyms needs no reindex, and the filters are matched by
the full-text index together with the words.  Only published organisations
have a document, so the index alone answers "which published organisations
match", without reading the organisation table.
"""
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable
from itertools import chain

from cachetools import LRUCache, TTLCache, cached
from sqlalchemy import delete, event, insert, select, text
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import (
    Activity,
    Municipality,
    Need,
    Organisation,
    OrganisationKeyword,
    SearchDocument,
    SearchMeta,
    organisation_activity,
    organisation_municipality,
    organisation_need,
)
from app.search.analysis import analyse_text, analyser_name

BATCH_SIZE = 2000
ANALYSER_KEY = "analyser"
# Bump when document_terms() or the analysers change what a document holds (4: the
# fallback analyser splits compounds; 5: Voikko reads an unknown word as its dotted
# spelling; 6: so does the fallback; 7: new need synonyms in the fallback's lexicon, and its
# suffix table reads an adjective's adverb):
# `search reindex --if-stale` (run by `make run`) then rebuilds existing databases.
INDEX_FORMAT = 7
# The directory's version (a `search_meta` row): renewed by every write the app makes to
# the index or the taxonomy, so the per-process caches built from them (search_query's
# taxonomy, the vocabulary here, the search form's choices) are rebuilt in every worker
# at its next request.  Organisation pages and result cards are read fresh every time.
VERSION_KEY = "generation"
VERSIONED_MODELS = (SearchDocument, Need, Activity, Municipality)


NEED_TOKEN_PREFIX = "qneed"


def need_token(need_id: int) -> str:
    return f"{NEED_TOKEN_PREFIX}{need_id}"


def activity_token(activity_id: int) -> str:
    return f"qact{activity_id}"


def municipality_token(municipality_id: int) -> str:
    return f"qmun{municipality_id}"


# Nationwide organisations match every municipality filter through this token.
NATIONWIDE_TOKEN = "qkoko"
# The accessibility features the API filters by, each a token when the answer is "yes".
ACCESSIBILITY_TOKENS = {"step_free_access": "qaccstep", "accessible_toilet": "qacctoilet", "induction_loop": "qaccloop"}


def language_token(code: str) -> str:
    return f"qlang{code}"


def document_terms(
    *,
    name: str,
    description: str,
    translations: Iterable[str],
    keywords: Iterable[str],
    activity_names: Iterable[str],
    need_names: Iterable[str],
    post_office: str,
    postal_code: str,
    meeting_times: str,
    need_ids: Iterable[int],
    activity_ids: Iterable[int],
    municipality_ids: Iterable[int],
    nationwide: bool,
    languages: Iterable[str],
    accessible: Iterable[str],
) -> tuple[str, str]:
    """The (name_terms, body_terms) of one organisation: the single definition of a document.

    The Swedish and English descriptions (`translations`) go through the same analysis: a
    word Voikko does not know is indexed as written, lower-cased, and found so.
    """
    name_terms = analyse_text(name)
    # Sorted, so the ORM path and the bulk path write byte-identical documents.
    linked = [*sorted(keywords), *sorted(activity_names), *sorted(need_names)]
    body_text = " ".join([description, *translations, *linked, post_office, postal_code, meeting_times])
    body_terms = analyse_text(body_text)
    body_terms += [need_token(i) for i in sorted(need_ids)]
    body_terms += [activity_token(i) for i in sorted(activity_ids)]
    body_terms += [municipality_token(i) for i in sorted(municipality_ids)]
    body_terms += [NATIONWIDE_TOKEN] if nationwide else []
    body_terms += [language_token(code) for code in sorted(languages)]
    body_terms += [ACCESSIBILITY_TOKENS[field] for field in sorted(accessible)]
    return " ".join(name_terms), " ".join(body_terms)


def index_organisation(organisation: Organisation) -> None:
    """Write the organisation's document (after a flush, so it has an id); idempotent.

    An organisation that is not published gets no document (an old one is removed).
    """
    if not organisation.is_published:
        if db.session.get(SearchDocument, organisation.id) is not None:
            remove_from_index(organisation.id)
        return
    name_terms, body_terms = document_terms(
        name=organisation.name,
        description=organisation.description or "",
        translations=[organisation.description_sv or "", organisation.description_en or ""],
        keywords=organisation.keyword_list,
        activity_names=[a.name for a in organisation.activities],
        need_names=[n.name for n in organisation.needs],
        post_office=organisation.post_office or "",
        postal_code=organisation.postal_code or "",
        meeting_times=organisation.meeting_times or "",
        need_ids=[n.id for n in organisation.needs],
        activity_ids=[a.id for a in organisation.activities],
        municipality_ids=[m.id for m in organisation.municipalities],
        nationwide=bool(organisation.nationwide),
        languages=organisation.languages or [],
        accessible=[field for field in ACCESSIBILITY_TOKENS if getattr(organisation, field) == "yes"],
    )
    _record_build_of_first_document()
    document = db.session.get(SearchDocument, organisation.id)
    sort_name = organisation.sort_name
    if document is None:
        db.session.add(SearchDocument(
            organisation_id=organisation.id, name_terms=name_terms, body_terms=body_terms, sort_name=sort_name
        ))
    elif (document.name_terms, document.body_terms, document.sort_name) != (name_terms, body_terms, sort_name):
        document.name_terms = name_terms
        document.body_terms = body_terms
        document.sort_name = sort_name
    else:
        return
    db.session.flush()


def remove_from_index(organisation_id: int) -> None:
    db.session.execute(delete(SearchDocument).where(SearchDocument.organisation_id == organisation_id))
    renew_version()
    db.session.flush()


def reindex_all() -> int:
    """Rebuild the documents of every published organisation in batches, with plain rows; returns the count."""
    need_names = dict(db.session.execute(select(Need.id, Need.name)).all())
    activity_names = dict(db.session.execute(select(Activity.id, Activity.name)).all())
    db.session.execute(delete(SearchDocument))
    count = 0
    last_id = 0
    while True:
        rows = db.session.execute(
            select(
                Organisation.id,
                Organisation.name,
                Organisation.sort_name,
                Organisation.description,
                Organisation.description_sv,
                Organisation.description_en,
                Organisation.post_office,
                Organisation.postal_code,
                Organisation.meeting_times,
                Organisation.nationwide,
                Organisation.languages,
                *(getattr(Organisation, field) for field in ACCESSIBILITY_TOKENS),
            )
            .where(Organisation.id > last_id, Organisation.status == "published")
            .order_by(Organisation.id)
            .limit(BATCH_SIZE)
        ).all()
        if not rows:
            break
        first_id, last_id = rows[0].id, rows[-1].id
        needs = _links(organisation_need.c.organisation_id, organisation_need.c.need_id, first_id, last_id)
        activities = _links(
            organisation_activity.c.organisation_id, organisation_activity.c.activity_id, first_id, last_id
        )
        keywords = _links(OrganisationKeyword.organisation_id, OrganisationKeyword.keyword, first_id, last_id)
        areas = _links(
            organisation_municipality.c.organisation_id, organisation_municipality.c.municipality_id, first_id, last_id
        )
        documents = []
        for row in rows:
            name_terms, body_terms = document_terms(
                name=row.name,
                description=row.description or "",
                translations=[row.description_sv or "", row.description_en or ""],
                keywords=keywords[row.id],
                activity_names=[activity_names[i] for i in activities[row.id]],
                need_names=[need_names[i] for i in needs[row.id]],
                post_office=row.post_office or "",
                postal_code=row.postal_code or "",
                meeting_times=row.meeting_times or "",
                need_ids=needs[row.id],
                activity_ids=activities[row.id],
                municipality_ids=areas[row.id],
                nationwide=bool(row.nationwide),
                languages=row.languages or [],
                accessible=[field for field in ACCESSIBILITY_TOKENS if getattr(row, field) == "yes"],
            )
            documents.append({
                "organisation_id": row.id, "name_terms": name_terms, "body_terms": body_terms, "sort_name": row.sort_name
            })
        db.session.execute(insert(SearchDocument), documents)
        count += len(documents)
    _set_meta(ANALYSER_KEY, index_build())
    renew_version()
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        # Every row was just rewritten: without fresh statistics the planner guessed a few
        # hundred matches for a word in thousands and joined row by row (40 ms instead of 2).
        db.session.execute(text("ANALYZE search_match"))
    return count


def index_build() -> str:
    """What built the documents: the analyser and the document format."""
    return f"{analyser_name()};format={INDEX_FORMAT}"


def index_is_current() -> bool:
    """True when the index was built by this analyser in this document format."""
    recorded = db.session.get(SearchMeta, ANALYSER_KEY)
    return recorded is not None and recorded.value == index_build()


def _record_build_of_first_document() -> None:
    """The first document written into an empty index defines how the index was built.

    Without this, a freshly seeded database would look stale to `reindex --if-stale`.
    """
    if db.session.get(SearchMeta, ANALYSER_KEY) is None and db.session.scalar(
        select(SearchDocument.organisation_id).limit(1)
    ) is None:
        _set_meta(ANALYSER_KEY, index_build())


def _links(owner_column, value_column, first_id: int, last_id: int) -> dict[int, list]:
    """{organisation_id: [linked values]} for the organisations of one batch."""
    links: dict[int, list] = defaultdict(list)
    rows = db.session.execute(
        select(owner_column, value_column).where(owner_column.between(first_id, last_id)).order_by(value_column)
    )
    for owner, value in rows:
        links[owner].append(value)
    return links


def renew_version(session: Session | None = None) -> None:
    """Give the directory a new version (for writes made with plain statements, which no hook sees)."""
    _set_meta(VERSION_KEY, uuid.uuid4().hex, session)


@event.listens_for(Session, "before_flush")
def _renew_version_on_write(session: Session, _context, _instances) -> None:
    """Every ORM write to the index or the taxonomy renews the version in the same transaction."""
    if any(isinstance(item, VERSIONED_MODELS) for item in chain(session.new, session.deleted, session.dirty)):
        with session.no_autoflush:
            renew_version(session)


def per_directory_version(ttl: float | None = None):
    """Decorator: a function of the directory version, kept per process, per database, version and arguments.

    With `ttl` (seconds) the value is also rebuilt that often: the bound for a
    change written straight into the database, which renews no version.
    """
    cache = TTLCache(maxsize=8, ttl=ttl) if ttl else LRUCache(maxsize=8)
    # Further arguments (a language) are part of the key too.
    return built_once(cache, key=lambda version, *args: (str(db.engine.url), version, *args))


def built_once(cache, **options):
    """cachetools.cached for a value that is slow to build: while one thread builds a missing
    value, the others that ask for the same one wait for it instead of building it too."""
    condition = threading.Condition()
    return cached(cache, lock=condition, condition=condition, **options)


# A Core statement on the table, not the entity: an ORM select costs the ORM's row handling too.
_VERSION = select(SearchMeta.__table__.c.value).where(SearchMeta.__table__.c.key == VERSION_KEY)


def directory_version() -> str:
    """The directory's version: one primary-key lookup, read once per search."""
    return db.session.scalar(_VERSION) or ""


def _set_meta(key: str, value: str, session: Session | None = None) -> None:
    session = session or db.session
    meta = session.get(SearchMeta, key)
    if meta is None:
        session.add(SearchMeta(key=key, value=value))
    else:
        meta.value = value
