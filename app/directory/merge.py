"""Saving over someone else's save: a three-way merge, field by field.

Three versions of an organisation's values (OrganisationData): `base`, what the
person saw when they opened the form; `current`, what is saved now; `mine`,
what they sent.  A field this person left as it was takes the current value; a
field only they changed takes theirs; where both changed it differently, it is
a conflict the person decides on the conflict page.  Lists that are sets (needs,
activities, municipalities, languages, keywords) take both sides' additions and
removals and never conflict; contacts merge person by person, keyed by address,
so a contact added in one tab survives the other tab's save.  Phones stay one
ordered value: their order and roles are one decision.

A conflict page starts the person again from the current values (its base is
`current`), so a choice is simple: "theirs" puts the base value back into what
they send (apply_choices), "mine" leaves what they typed.
"""
from dataclasses import dataclass, field, fields, replace

from app.models import LANGUAGES

SET_FIELDS = ("need_ids", "activity_ids", "municipality_ids", "languages", "keywords")
CONTACTS = "contacts"
THEIRS = "theirs"
MINE = "mine"


@dataclass(frozen=True)
class Conflict:
    """One thing both changed: a whole field, or one contact ("contacts:<address>")."""

    field: str
    unit: str
    mine: object  # for a contact: a ContactPerson, or None when this side removed it
    theirs: object


@dataclass
class Merge:
    data: object  # OrganisationData with this person's side in every conflict
    conflicts: list[Conflict] = field(default_factory=list)
    theirs_changed: list[str] = field(default_factory=list)  # fields the other save changed


def merge_saves(base, current, mine) -> Merge:
    """Merge `mine` into `current`, given the `base` both started from (OrganisationData each).

    The status is merged only when `mine` sets one (staff); a contact's save leaves it.
    """
    merged, conflicts, theirs_changed = {}, [], []
    for name in _field_names(mine):
        b, c, m = getattr(base, name), getattr(current, name), getattr(mine, name)
        if c != b:
            theirs_changed.append(name)
        if name in SET_FIELDS:
            merged[name] = _merge_set(name, b, c, m)
        elif name == CONTACTS:
            merged[name], clashes = _merge_contacts(b, c, m)
            conflicts += clashes
        else:
            value, clash = _three_way(b, c, m)
            merged[name] = value
            if clash:
                conflicts.append(Conflict(name, name, m, c))
    return Merge(replace(mine, **merged), conflicts, theirs_changed)


def apply_choices(mine, base, choices: dict[str, str]):
    """`mine` with each unit the person chose "theirs" for set back to the `base` value."""
    changes = {}
    contacts = {person.email: person for person in mine.contacts}
    base_contacts = {person.email: person for person in base.contacts}
    for unit, choice in choices.items():
        if choice != THEIRS:
            continue
        if unit.startswith(f"{CONTACTS}:"):
            email = unit.removeprefix(f"{CONTACTS}:")
            contacts.pop(email, None)
            if email in base_contacts:
                contacts[email] = base_contacts[email]
            changes[CONTACTS] = sorted(contacts.values(), key=lambda person: person.email)
        elif unit in _field_names(mine) and unit != CONTACTS:
            changes[unit] = getattr(base, unit)
    return replace(mine, **changes)


def _field_names(mine) -> list[str]:
    return [f.name for f in fields(mine) if f.name != "status" or mine.status is not None]


def _three_way(base, current, mine):
    """(value, conflict?) for one value."""
    if mine == base:
        return current, False
    if current in (base, mine):
        return mine, False
    return mine, True


def _merge_set(name: str, base: list, current: list, mine: list) -> list:
    key = str.casefold if name == "keywords" else (lambda value: value)
    mine_keys, base_keys = {key(v) for v in mine}, {key(v) for v in base}
    removed = base_keys - mine_keys
    result = [value for value in current if key(value) not in removed]
    present = {key(value) for value in result}
    result += [value for value in mine if key(value) not in base_keys and key(value) not in present]
    if name == "languages":
        return [code for code in LANGUAGES if code in result]
    return result if name == "keywords" else sorted(result)


def _merge_contacts(base: list, current: list, mine: list) -> tuple[list, list[Conflict]]:
    b, c, m = ({person.email: person for person in people} for people in (base, current, mine))
    result, conflicts = [], []
    for email in sorted(set(b) | set(c) | set(m)):
        value, clash = _three_way(b.get(email), c.get(email), m.get(email))
        if clash:
            conflicts.append(Conflict(CONTACTS, f"{CONTACTS}:{email}", m.get(email), c.get(email)))
        if value is not None:
            result.append(value)
    return result, conflicts
