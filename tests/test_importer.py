"""Import and export of organisations as JSON Lines: all or nothing, lossless round trip."""
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from app.directory.importer import (
    ImportFailed,
    export_organisations,
    import_organisations,
    organisation_record,
)
from app.directory.records import RECORD_KEYS
from app.models import Need, Organisation, Revision, SearchDocument

GOOD_FILE = Path(__file__).parent / "data" / "organisations.jsonl"
VALID_LINE = json.dumps({"name": "Hyvä rivi ry", "municipalities": ["Kuopio"]}, ensure_ascii=False)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def by_name(db, name: str) -> Organisation:
    return db.session.scalar(select(Organisation).filter_by(name=name))


def test_good_file_creates_every_organisation(db, taxonomy):
    with GOOD_FILE.open(encoding="utf-8") as lines:
        assert import_organisations(lines) == 3
    db.session.commit()

    federation = by_name(db, "Testiliitto ry")
    local = by_name(db, "Idensalmen testiyhdistys ry")
    assert federation.nationwide and federation.org_type == "liitto" and federation.business_id == "1234567-1"
    assert federation.languages == ["fi", "sv"]
    assert federation.sector.name == "Potilas- ja omaisjärjestöt" and federation.member_count == 1000
    assert local.parent is federation
    assert local.org_type == "yhdistys" and local.status == "published"
    assert [m.name_fi for m in local.municipalities] == ["Iisalmi", "Kuopio"]
    # Synonyms resolve to their need; the same need named twice is linked once.
    assert [n.name for n in local.needs] == ["Aivoverenkiertohäiriö", "Diabetes", "Muistisairaus"]
    assert [a.name for a in local.activities] == ["Vertaistuki", "Liikunta"]
    assert [(p.number, p.role) for p in local.phones] == [("+358401234567", "puheenjohtaja"), ("+358172621234", "")]
    assert local.email == "info@esimerkki.fi" and local.website == "https://esimerkki.fi/testi"
    assert [c.email for c in local.contacts] == ["pj@esimerkki.fi", "sihteeri@esimerkki.fi"]
    assert local.keyword_list == ["kahvit", "kävely"]
    assert local.paused_until == date(2027, 1, 31)
    assert local.confirmed_at == datetime(2026, 5, 1, 9, 30)
    assert (local.member_count, local.employee_count, local.volunteering_supported) == (40, None, "no")
    assert local.sort_name and local.version == 1

    bare = by_name(db, "Kerho ilman tietoja")
    assert (bare.status, bare.org_type, bare.nationwide, bare.description) == ("pending", "yhdistys", False, "")


def test_import_writes_a_revision_and_indexes(db, taxonomy):
    with GOOD_FILE.open(encoding="utf-8") as lines:
        import_organisations(lines)
    db.session.commit()
    revisions = db.session.scalars(select(Revision).order_by(Revision.organisation_id)).all()
    assert len(revisions) == 3
    assert {r.author for r in revisions} == {"import"}
    assert {r.summary for r in revisions} == {"Tuotu tiedostosta"}
    local = by_name(db, "Idensalmen testiyhdistys ry")
    snapshot = next(r.snapshot for r in revisions if r.organisation_id == local.id)
    assert snapshot == organisation_record(local)
    # Only published organisations are searchable, so only they have a search document.
    published = db.session.scalars(select(Organisation.id).where(Organisation.status == "published")).all()
    assert published and set(db.session.scalars(select(SearchDocument.organisation_id))) == set(published)


def test_export_is_the_import_format(db, taxonomy):
    with GOOD_FILE.open(encoding="utf-8") as lines:
        import_organisations(lines)
    records = [json.loads(line) for line in export_organisations()]
    assert [r["name"] for r in records] == ["Testiliitto ry", "Idensalmen testiyhdistys ry", "Kerho ilman tietoja"]
    assert list(records[0]) == list(RECORD_KEYS)
    local = records[1]
    assert local["parent"] == "Testiliitto ry"
    assert local["phones"][0] == {"number": "+358401234567", "role": "puheenjohtaja"}
    assert local["confirmed_at"] == "2026-05-01T09:30:00"
    assert local["admin"]["member_count"] == 40 and local["admin"]["sector"] is None
    # ensure_ascii=False keeps Finnish letters readable.
    assert "\"kävely\"" in list(export_organisations())[1]


def test_round_trip_of_the_demo_data_is_lossless(db, demo):
    first = list(export_organisations())
    assert len(first) >= 60
    db.session.execute(delete(Organisation))
    db.session.commit()
    assert import_organisations(first) == len(first)
    db.session.commit()
    assert list(export_organisations()) == first


def test_blank_lines_are_skipped_but_counted(db, taxonomy):
    with pytest.raises(ImportFailed) as failure:
        import_organisations(["", VALID_LINE, "   ", '{"name": 5}'])
    assert failure.value.problems == ["line 4: name: Arvon pitää olla tekstiä."]


BAD_LINES = [
    ('{"name": "Rikki ry",', "json: Rivi ei ole kelvollista JSONia (sarake 21)."),
    ('["Rikki ry"]', "json: Rivillä pitää olla yksi JSON-olio {…}."),
    ({"name": "X ry", "colour": "red"}, "colour: Tuntematon kenttä."),
    ({"description": "Nimi puuttuu."}, "name: Tämä tieto on pakollinen."),
    ({"name": "   "}, "name: Tämä tieto on pakollinen."),
    ({"name": "X ry", "description": "a" * 601}, "description: Teksti on liian pitkä: 601 merkkiä, enintään 600."),
    ({"name": "X ry", "description": 5}, "description: Arvon pitää olla tekstiä."),
    ({"name": "X ry", "org_type": "seura"}, "org_type: Sallitut arvot: liitto, yhdistys, ryhma, muu."),
    ({"name": "X ry", "nationwide": "yes"}, "nationwide: Arvon pitää olla true tai false."),
    ({"name": "X ry", "municipalities": ["Helsinki"]}, 'municipalities: Tuntematon kunta: "Helsinki".'),
    ({"name": "X ry", "municipalities": "Kuopio"}, "municipalities: Arvon pitää olla luettelo […]."),
    ({"name": "X ry", "needs": ["Hammassärky"]}, 'needs: Tuntematon tarve: "Hammassärky".'),
    ({"name": "X ry", "needs": [3]}, "needs: Luettelon jokaisen arvon pitää olla tekstiä."),
    ({"name": "X ry", "activities": ["Tanssi"]}, 'activities: Tuntematon toimintamuoto: "Tanssi".'),
    ({"name": "X ry", "phones": [{"number": "123"}]},
     'phones: "123": Puhelinnumero ei ole kelvollinen. Kirjoita se esimerkiksi muodossa 040 123 4567.'),
    ({"name": "X ry", "phones": [{"role": "puheenjohtaja"}]}, 'phones: "": Anna puhelinnumero.'),
    ({"name": "X ry", "phones": ["040 123 4567"]}, 'phones: Jokainen puhelinnumero on olio {"number": …, "role": …}.'),
    ({"name": "X ry", "phones": [{"number": "040 123 4567", "type": "gsm"}]}, "phones.type: Tuntematon kenttä."),
    ({"name": "X ry", "email": "matti@"}, "email: Sähköpostiosoite ei ole kelvollinen. Kirjoita se muodossa nimi@esimerkki.fi."),
    ({"name": "X ry", "website": "javascript:alert(1)"},
     "website: Verkkosivun osoitteen pitää alkaa http:// tai https://, esimerkiksi https://esimerkki.fi."),
    ({"name": "X ry", "postal_code": "7010"}, "postal_code: Postinumerossa on viisi numeroa, esimerkiksi 70100."),
    ({"name": "X ry", "business_id": "1234567-2"}, "business_id: Y-tunnuksen tarkistusmerkki ei täsmää. Tarkista tunnus."),
    ({"name": "X ry", "languages": ["de"]}, 'languages: "de": Sallitut arvot: fi, sv, en, selkokieli, viittomakieli, muu.'),
    ({"name": "X ry", "languages": ["fi", "fi"]}, 'languages: "fi": Arvo on luettelossa kahdesti.'),
    ({"name": "X ry", "keywords": ["kahvi", "Kahvi"]}, 'keywords: "Kahvi": Arvo on luettelossa kahdesti.'),
    ({"name": "X ry", "keywords": ["k" * 81]}, f'keywords: "{"k" * 81}": Teksti on liian pitkä: 81 merkkiä, enintään 80.'),
    ({"name": "X ry", "step_free_access": "kyllä"}, "step_free_access: Sallitut arvot: yes, no, unknown."),
    ({"name": "X ry", "status": "draft"}, "status: Sallitut arvot: pending, published, hidden, rejected."),
    ({"name": "X ry", "paused_until": "1.2.2027"}, "paused_until: Päivämäärän muoto on VVVV-KK-PP."),
    ({"name": "X ry", "confirmed_at": "eilen"}, "confirmed_at: Ajan muoto on VVVV-KK-PPTHH:MM:SS."),
    ({"name": "X ry", "contacts": ["a@esimerkki.fi", "A@Esimerkki.fi"]}, 'contacts: "A@Esimerkki.fi": Arvo on luettelossa kahdesti.'),
    ({"name": "X ry", "contacts": ["ei-osoite"]},
     'contacts: "ei-osoite": Sähköpostiosoite ei ole kelvollinen. Kirjoita se muodossa nimi@esimerkki.fi.'),
    ({"name": "X ry", "admin": []}, "admin: Arvon pitää olla olio {…}."),
    ({"name": "X ry", "admin": {"budget": 5}}, "admin.budget: Tuntematon kenttä."),
    ({"name": "X ry", "admin": {"member_count": -1}}, "admin.member_count: Arvon pitää olla kokonaisluku 0–10000000 tai null."),
    ({"name": "X ry", "admin": {"volunteer_count": "12"}}, "admin.volunteer_count: Arvon pitää olla kokonaisluku 0–10000000 tai null."),
    ({"name": "X ry", "admin": {"volunteering_supported": "maybe"}}, "admin.volunteering_supported: Sallitut arvot: yes, no, unknown."),
    ({"name": "X ry", "admin": {"sector": "Avaruus"}}, 'admin.sector: Tuntematon toimiala: "Avaruus".'),
    ({"name": "X ry", "admin": {"education_background": "e" * 301}},
     "admin.education_background: Teksti on liian pitkä: 301 merkkiä, enintään 300."),
    ({"name": "X ry", "parent": "Olematon ry"}, 'parent: Emojärjestöä "Olematon ry" ei ole tiedostossa eikä tietokannassa.'),
    ({"name": "X ry", "parent": "x RY"}, "parent: Järjestö ei voi olla oma emojärjestönsä."),
    ({"name": "hyvä rivi RY"}, "name: Sama nimi on jo rivillä 1."),
]


@pytest.mark.parametrize(("line", "problem"), BAD_LINES, ids=[problem.split(":")[0] for _line, problem in BAD_LINES])
def test_bad_line_stops_the_whole_import(db, taxonomy, line, problem):
    raw = line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
    with pytest.raises(ImportFailed) as failure:
        import_organisations([VALID_LINE, raw])
    assert failure.value.problems == [f"line 2: {problem}"]
    assert not db.session.new
    assert count(db, Organisation) == 0
    assert count(db, Revision) == 0


def test_every_problem_of_every_line_is_listed_in_line_order(db, taxonomy):
    lines = [
        json.dumps({"name": "A ry", "parent": "B ry"}),
        json.dumps({"name": "", "email": "x"}),
        json.dumps({"name": "B ry", "parent": "A ry", "status": "?"}),
    ]
    with pytest.raises(ImportFailed) as failure:
        import_organisations(lines)
    assert failure.value.problems == [
        "line 1: parent: Emojärjestöt muodostavat kehän.",
        "line 2: name: Tämä tieto on pakollinen.",
        "line 2: email: Sähköpostiosoite ei ole kelvollinen. Kirjoita se muodossa nimi@esimerkki.fi.",
        "line 3: status: Sallitut arvot: pending, published, hidden, rejected.",
        "line 3: parent: Emojärjestöt muodostavat kehän.",
    ]
    assert count(db, Organisation) == 0


def test_name_already_in_the_database_is_refused(db, taxonomy, make_organisation):
    make_organisation("Hyvä rivi ry")
    with pytest.raises(ImportFailed) as failure:
        import_organisations([VALID_LINE])
    assert failure.value.problems == ["line 1: name: Samanniminen järjestö on jo tietokannassa."]
    assert count(db, Organisation) == 1


def test_parent_may_be_an_existing_organisation_or_a_later_line(db, taxonomy, make_organisation):
    existing = make_organisation("Vanha liitto ry")
    lines = [
        json.dumps({"name": "Paikallinen ry", "parent": "Myöhempi liitto ry"}, ensure_ascii=False),
        json.dumps({"name": "Myöhempi liitto ry", "parent": "VANHA LIITTO RY"}, ensure_ascii=False),
    ]
    assert import_organisations(lines) == 2
    db.session.commit()
    later = by_name(db, "Myöhempi liitto ry")
    assert by_name(db, "Paikallinen ry").parent is later
    assert later.parent is existing


def test_ambiguous_synonym_asks_for_the_need_name(db, taxonomy):
    db.session.add(Need(name="Testitarve", group="Testi", synonyms="sokeritauti"))
    db.session.commit()
    with pytest.raises(ImportFailed) as failure:
        import_organisations([json.dumps({"name": "X ry", "needs": ["Sokeritauti"]})])
    assert failure.value.problems == ['line 1: needs: "Sokeritauti": Sopii usealle: Diabetes, Testitarve. Käytä nimeä.']


def test_cli_import_and_export(db, taxonomy, runner, tmp_path):
    result = runner.invoke(args=["import", "organisations", str(GOOD_FILE)])
    assert result.exit_code == 0, result.output
    assert "organisations imported: 3" in result.output
    exported = tmp_path / "export.jsonl"
    result = runner.invoke(args=["export", "organisations", "-o", str(exported)])
    assert result.exit_code == 0
    assert len(exported.read_text(encoding="utf-8").splitlines()) == 3

    bad = tmp_path / "bad.jsonl"
    bad.write_text(VALID_LINE + "\n" + '{"name": "Y ry", "status": "x"}\n', encoding="utf-8")
    result = runner.invoke(args=["import", "organisations", str(bad)])
    assert result.exit_code == 1
    assert "line 2: status: Sallitut arvot: pending, published, hidden, rejected." in result.output
    assert count(db, Organisation) == 3


def test_demo_data_covers_the_directory(db, demo):
    from app.directory.demo import seed_demo

    organisations = db.session.scalars(select(Organisation)).all()
    assert len(organisations) >= 60
    assert len({m.code for o in organisations for m in o.municipalities}) == 19
    assert len({a.name for o in organisations for a in o.activities}) == 9
    assert len({n.name for o in organisations for n in o.needs}) >= 60
    assert sorted(o.status for o in organisations if o.status != "published") == ["hidden", "pending", "pending"]
    federations = [o for o in organisations if o.org_type == "liitto"]
    assert 3 <= len(federations) <= 5 and all(f.nationwide for f in federations)
    assert all(any(o.parent is f for o in organisations) for f in federations)
    assert all(1 <= len(o.contacts) <= 2 for o in organisations)
    assert all(
        None not in (o.member_count, o.employee_count, o.volunteer_count, o.volunteer_hours_per_year, o.sector)
        and o.education_background
        for o in organisations
    )
    assert {"sv", "selkokieli", "viittomakieli"} <= {lang for o in organisations for lang in o.languages}
    assert seed_demo(only_if_empty=True) == 0
