"""Taxonomy seed: the required rows exist, loading is an idempotent upsert, files are checked."""
import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.admin.taxonomy_data import TaxonomyFileError, seed_taxonomy
from app.models import Activity, Municipality, Need, Sector

DATA_DIR = Path(__file__).resolve().parent.parent / "app" / "data"

MUNICIPALITIES = {
    "140": "Iisalmi", "171": "Joroinen", "204": "Kaavi", "239": "Keitele", "263": "Kiuruvesi",
    "297": "Kuopio", "402": "Lapinlahti", "420": "Leppävirta", "595": "Pielavesi", "686": "Rautalampi",
    "687": "Rautavaara", "749": "Siilinjärvi", "762": "Sonkajärvi", "778": "Suonenjoki", "844": "Tervo",
    "857": "Tuusniemi", "915": "Varkaus", "921": "Vesanto", "925": "Vieremä",
}
ACTIVITIES = [
    "Vertaistuki", "Kokemusasiantuntijuus", "Ravitsemus", "Liikunta", "Ohjaus- ja neuvontapalvelut",
    "Harrastetoiminta", "Avoin kohtaamispaikka", "Läheisen tai omaishoitajan tuki", "Kuntoutus",
]
REQUIRED_NEEDS = (
    "Diabetes; Muistisairaus; Mielenterveys; Masennus; Päihteet; Peliriippuvuus; Syöpä; "
    "Sydän- ja verisuonisairaus; Aivoverenkiertohäiriö; Reuma; Astma ja allergia; Epilepsia; MS-tauti; "
    "Parkinsonin tauti; Kehitysvamma; Autismi; ADHD; Näkövamma; Kuulovamma; Liikuntavamma; Keliakia; "
    "Munuaissairaus; Lihastauti; Harvinainen sairaus; Omaishoitajuus; Yksinäisyys; Työttömyys; "
    "Velka- ja raha-asiat; Lähisuhdeväkivalta; Suru ja menetys; Ikääntyminen; Lapsiperheet; Nuoret; "
    "Maahanmuuttajat; Syömishäiriö; Selkäsairaus"
).split("; ")
REQUIRED_SYNONYMS = {
    "Diabetes": {"sokeritauti", "diabeetikko"},
    "Muistisairaus": {"alzheimer", "dementia", "muistisairas"},
    "Aivoverenkiertohäiriö": {"AVH", "aivoinfarkti", "aivoverenvuoto"},
    "Omaishoitajuus": {"omainen", "omaishoitaja", "läheinen"},
}


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_loads_every_file(db):
    counts = seed_taxonomy(DATA_DIR)
    db.session.commit()
    assert counts == {"municipalities": 19, "needs": 117, "activities": 9, "sectors": 9}
    assert count(db, Municipality) == 19
    assert count(db, Need) == 117
    assert count(db, Activity) == 9
    assert count(db, Sector) == 9


def test_seed_is_idempotent(db):
    seed_taxonomy(DATA_DIR)
    db.session.commit()
    ids_before = {need.name: need.id for need in db.session.scalars(select(Need))}
    assert seed_taxonomy(DATA_DIR) == {"municipalities": 19, "needs": 117, "activities": 9, "sectors": 9}
    db.session.commit()
    assert {need.name: need.id for need in db.session.scalars(select(Need))} == ids_before
    assert count(db, Municipality) == 19
    assert count(db, Sector) == 9


def test_municipalities_of_pohjois_savo_with_official_codes(db, taxonomy):
    rows = {m.code: m for m in db.session.scalars(select(Municipality))}
    assert {code: m.name_fi for code, m in rows.items()} == MUNICIPALITIES
    assert rows["140"].name_sv == "Idensalmi"
    assert rows["171"].name_sv == "Jorois"
    assert rows["297"].name_sv is None


def test_activities_are_named_exactly_and_described(db, taxonomy):
    activities = db.session.scalars(select(Activity).order_by(Activity.position)).all()
    assert [a.name for a in activities] == ACTIVITIES
    assert all(a.description.endswith(".") and len(a.description) > 30 for a in activities)


def test_required_needs_and_synonyms_exist(db, taxonomy):
    needs = {need.name: need for need in db.session.scalars(select(Need))}
    assert [name for name in REQUIRED_NEEDS if name not in needs] == []
    for name, synonyms in REQUIRED_SYNONYMS.items():
        assert synonyms <= set(needs[name].synonym_list), name
    assert 6 <= len({need.group for need in needs.values()}) <= 8


def test_every_need_word_points_to_one_need():
    """A synonym shared by two needs, or equal to another need's name, would make imports ambiguous."""
    with (DATA_DIR / "needs.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    owner: dict[str, str] = {row["name"].casefold(): row["name"] for row in rows}
    clashes = []
    for row in rows:
        synonyms = [s.strip() for s in row["synonyms"].split(";") if s.strip()]
        assert synonyms, f"{row['name']} has no synonyms"
        for synonym in synonyms:
            if owner.setdefault(synonym.casefold(), row["name"]) != row["name"]:
                clashes.append((synonym, row["name"], owner[synonym.casefold()]))
    assert clashes == []


def test_seed_updates_texts_and_never_deletes(db, taxonomy):
    diabetes = db.session.scalar(select(Need).filter_by(name="Diabetes"))
    diabetes.synonyms = "vanha"
    db.session.add(Need(name="Henkilökunnan lisäämä tarve", group="Muut", synonyms=""))
    db.session.commit()
    seed_taxonomy(DATA_DIR)
    db.session.commit()
    assert "sokeritauti" in db.session.scalar(select(Need).filter_by(name="Diabetes")).synonym_list
    assert db.session.scalar(select(Need).filter_by(name="Henkilökunnan lisäämä tarve")) is not None


def test_another_region_is_another_folder(db, taxonomy, tmp_path):
    (tmp_path / "municipalities.csv").write_text(
        "code,name_fi,name_sv\n179,Jyväskylä,Jyväskylä\n992,Äänekoski,\n", encoding="utf-8"
    )
    assert seed_taxonomy(DATA_DIR, tmp_path)["municipalities"] == 2
    db.session.commit()
    assert count(db, Municipality) == 21
    assert db.session.scalar(select(Municipality).filter_by(code="992")).name_fi == "Äänekoski"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("koodi,nimi\n140,Iisalmi\n", "municipalities.csv: the header must be code,name_fi,name_sv"),
        ("code,name_fi,name_sv\n140,Iisalmi,\n140,Idensalmi,\n", "municipalities.csv:3: code '140' appears twice"),
        ("code,name_fi,name_sv\n14,Iisalmi,\n", "municipalities.csv:2: code must be three digits"),
        ("code,name_fi,name_sv\n140,,\n", "municipalities.csv:2: name_fi is empty"),
        ("code,name_fi,name_sv\n140,Iisalmi\n", "municipalities.csv:2: expected 3 columns"),
    ],
)
def test_broken_file_is_refused_with_its_line(db, tmp_path, content, message):
    (tmp_path / "municipalities.csv").write_text(content, encoding="utf-8")
    with pytest.raises(TaxonomyFileError) as error:
        seed_taxonomy(DATA_DIR, tmp_path)
    assert str(error.value) == message
