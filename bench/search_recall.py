"""Recall@5 of Finnish search methods on a small hand-written test set.

    .venv/bin/python bench/search_recall.py [--verbose] [--postgres postgresql:///hyvi_bench]

45 short, fictional organisation entries in natural Finnish (name, description,
needs, municipality) and 33 queries as people type them: inflected, compound,
synonyms of needs, municipalities in a case form, the field's abbreviations,
hyphenated forms and words that say nothing about the need ("tukea", "apu").  Each query lists the
entries a person would expect in the first five results.  Recall@5 of a query
is the share of its expected entries in the first five (out of at most five),
averaged over the queries.

The baselines index name + description + need names + municipality in an
in-memory SQLite FTS5 table, one way each, and combine the query words with AND
(OR when AND finds fewer than three), ranked by bm25 with the name weighted ten
times; "substring" is LIKE '%word%' done in Python.  The last three lines run
once with Voikko and once with the fallback analyser, side by side: base forms
alone, the index's tokens (base forms and compound parts), and the app's own
search() on a migrated SQLite database with the real taxonomy.  With --postgres
(a database that may be emptied) search() also runs on PostgreSQL with each
analyser, and its recall and the queries whose first five differ from SQLite's
are printed.  A benchmark prints figures; it never fails.
"""
import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NATIONWIDE = ""
# name, description, needs (taxonomy names), municipality ("" = nationwide)
ENTRIES = [
    ("Kuopion Diabetesyhdistys ry", "Vertaistukea ja ravitsemusneuvontaa tyypin 1 ja 2 diabeetikoille. "
     "Kokoonnumme kuukausittain.", ["Diabetes"], "Kuopio"),
    ("Varkauden Sokeriklubi", "Kahvikerho, jossa vaihdetaan kokemuksia verensokerin hoidosta.",
     ["Diabetes"], "Varkaus"),
    ("Iisalmen Muistiyhdistys ry", "Tuemme muistisairaita ja heidän omaisiaan. Järjestämme muistikahviloita "
     "ja ensitietokursseja.", ["Muistisairaus", "Omaishoitajuus"], "Iisalmi"),
    ("Savon Muistiluotsi", "Neuvontaa muistioireista huolestuneille ja dementiaa sairastavien läheisille.",
     ["Muistisairaus"], "Kuopio"),
    ("Pohjois-Savon Omaishoitajat ry", "Virkistystä ja vertaistukea omaishoitajille. Sijaisapua järjestetään "
     "tarvittaessa.", ["Omaishoitajuus"], "Kuopio"),
    ("Mielenterveysyhdistys Tukijalka ry", "Avoin kohtaamispaikka mielenterveyskuntoutujille. Tule juttelemaan "
     "ja juomaan kahvia.", ["Mielenterveys"], "Iisalmi"),
    ("Mielen Avain ry", "Masennuksesta ja ahdistuksesta toipuvien vertaisryhmät ja kokemusasiantuntijoiden "
     "luennot.", ["Masennus", "Ahdistus"], "Kuopio"),
    ("Siilinjärven Liikuntaseura", "Ohjattua kuntoliikuntaa, sauvakävelyä ja vesijumppaa kaikenikäisille.",
     ["Terveelliset elintavat"], "Siilinjärvi"),
    ("Leppävirran Reumayhdistys ry", "Lämminvesivoimistelua ja luentoja nivelten hoidosta.",
     ["Reuma"], "Leppävirta"),
    ("Aivoliiton Kuopion aluetoiminta", "Aivoverenvuodon sairastaneiden ja heidän läheistensä tukea. "
     "Afasiaryhmä kerran kuussa.", ["Aivoverenkiertohäiriö", "Afasia"], "Kuopio"),
    ("Sydänyhdistys Syke ry", "Kuntoutusryhmät ja verenpaineen mittauspäivät.",
     ["Sydän- ja verisuonisairaus"], "Varkaus"),
    ("Suonenjoen Syöpäkerho", "Syöpään sairastuneiden ja heidän läheistensä vertaistapaamiset.",
     ["Syöpä"], "Suonenjoki"),
    ("Näkövammaisten Kuopion seutu ry", "Pistekirjoituksen opetusta ja apuvälineneuvontaa.",
     ["Näkövamma"], "Kuopio"),
    ("Kuuloyhdistys Kuulas ry", "Kuulolaitteiden huoltoa ja neuvontaa.", ["Kuulovamma"], "Iisalmi"),
    ("Epilepsiayhdistys Savo", "Tietoa kohtausten ensiavusta kouluille ja työpaikoille.",
     ["Epilepsia"], "Kuopio"),
    ("Parkinson-kerho Tervo", "Liikuntaryhmä ja kahvihetket joka toinen torstai.",
     ["Parkinsonin tauti"], "Tervo"),
    ("MS-ryhmä Kallavesi", "MS-tautia sairastavien vertaistukiryhmä.", ["MS-tauti"], "Kuopio"),
    ("Rautalammin Kehitysvammaisten Tuki ry", "Harrastekerhot nuorille ja aikuisille.",
     ["Kehitysvamma"], "Rautalampi"),
    ("Autismiyhdistys Kirjo", "Autismikirjon lasten perheille vertaistukea ja sopeutumisvalmennusta.",
     ["Autismi", "Erityislapsen perhe"], "Kuopio"),
    ("ADHD-keskus Savo", "Aikuisten ryhmät ja valmennusta arjen hallintaan.", ["ADHD"], "Varkaus"),
    ("Päihdetyön Tuki ry", "Keskusteluapua niille, joiden läheinen juo liikaa.",
     ["Läheisen päihdeongelma", "Päihteet"], "Kuopio"),
    ("Pelitön Elämä", "Rahapeliongelmista kärsiville ja heidän läheisilleen neuvontaa.",
     ["Peliriippuvuus"], "Kuopio"),
    ("Talousapu Iisalmi", "Apua velkojen järjestelyyn ja talousasioiden suunnitteluun.",
     ["Velka- ja raha-asiat"], "Iisalmi"),
    ("Työttömien Yhdistys Toivo ry", "Ruokailua, kuntosalivuoroja ja työnhakuneuvontaa.",
     ["Työttömyys"], "Varkaus"),
    ("Ystäväpiiri Sonkajärvi", "Ystävätoimintaa ja kotikäyntejä ikäihmisille.",
     ["Yksinäisyys", "Ikääntyminen"], "Sonkajärvi"),
    ("Surevien Tuki ry", "Sururyhmiä läheisensä menettäneille.", ["Suru ja menetys"], "Kuopio"),
    ("Turvapaikka Suoja", "Neuvontaa ja vertaisryhmiä parisuhteessa väkivaltaa kokeneille.",
     ["Lähisuhdeväkivalta"], "Kuopio"),
    ("Perhekahvila Pesä", "Avoin kohtaamispaikka ja vauvaryhmät.", ["Lapsiperheet"], "Lapinlahti"),
    ("Nuorten Talo Vieremä", "Harrastuksia ja ohjattua vapaa-ajan toimintaa.", ["Nuoret"], "Vieremä"),
    ("Monikulttuurinen yhdistys Silta", "Suomen kielen kerhoja ja asiointiapua.",
     ["Maahanmuuttajat"], "Kuopio"),
    ("Keliakiayhdistys Vilja", "Ruokavaliokursseja ja leivontailtoja.", ["Keliakia"], "Kuopio"),
    ("Munuais- ja maksaliiton Savon osasto", "Dialyysipotilaiden ja elinsiirron saaneiden vertaistukea.",
     ["Munuaissairaus", "Elinsiirto"], "Kuopio"),
    ("Selkäyhdistys Ryhti", "Kuntojumppaa selkäkipuisille.", ["Selkäsairaus"], "Pielavesi"),
    ("Astma- ja allergiayhdistys Hengitys", "Tietoa ja retkiä allergisille perheille.",
     ["Astma ja allergia"], "Keitele"),
    ("Syömishäiriöperheet", "Tukea sairastuneiden läheisille.", ["Syömishäiriö"], "Kuopio"),
    ("Senioripysäkki Joroinen", "Keskusteluryhmiä ja tuolijumppaa.", ["Ikääntyminen"], "Joroinen"),
    ("Kaavin Eläkeläiset ry", "Kerho, retkiä ja tanssia.", ["Ikääntyminen"], "Kaavi"),
    ("Lihastautiyhdistys Voima", "Kuntoutusta ja apuvälineinfoa.", ["Lihastauti"], "Rautavaara"),
    ("Harvinaiset-verkosto", "Vertaistukea harvinaisia sairauksia sairastaville.",
     ["Harvinainen sairaus"], NATIONWIDE),
    ("Mielenterveyden keskusliitto", "Valtakunnallista neuvontaa puhelimessa.", ["Mielenterveys"], NATIONWIDE),
    ("Omaishoitajaliitto", "Valtakunnallinen tuki läheistään hoitaville.", ["Omaishoitajuus"], NATIONWIDE),
    ("Kuuloliitto", "Valtakunnallinen liitto.", ["Kuulovamma"], NATIONWIDE),
    # The field's vocabulary: abbreviations, hyphenated and coordinated forms.
    ("Hengitysyhdistys Puhuri", "Vertaistukea keuhkoahtaumatautia sairastaville ja heidän läheisilleen.",
     ["Keuhkosairaus"], "Kuopio"),
    ("Päihde- ja mielenterveysyhdistys Polku ry", "Kuntouttavaa päivätoimintaa aikuisille.",
     ["Päihteet", "Mielenterveys"], "Varkaus"),
    ("Nepsy-perheet Savo", "Vertaistukea perheille, joiden lapsella on ADHD tai autismikirjon diagnoosi.",
     ["ADHD", "Autismi", "Erityislapsen perhe"], "Kuopio"),
]

# query, the entries (1-based) a person expects among the first five
QUERIES = [
    ("diabeetikoille", {1, 2}),
    ("sokeritautia sairastaville", {1, 2}),
    ("muistisairaiden omaisille", {3, 4, 5, 41}),
    ("dementia", {3, 4}),
    ("mielenterveysyhdistys", {6, 40}),
    ("masentuneelle", {7}),
    ("aivoinfarktin jälkeen", {10}),
    ("sydänpotilaille", {11}),
    ("syöpäpotilaiden tuki", {12}),
    ("näkövammaisille", {13}),
    ("huonokuuloisten", {14, 42}),
    ("reumaatikoille", {9}),
    ("liikuntaa Siilinjärvellä", {8}),
    ("vertaistukea Kuopiossa", {1, 7, 17, 19, 32, 39, 43, 45}),
    ("omaishoitajien jaksaminen", {5, 41, 3}),
    ("alkoholistin läheiselle", {21}),
    ("velkaongelmiin", {23}),
    ("yksinäisille vanhuksille", {25, 36, 37}),
    ("maahanmuuttajien kielikerho", {30}),
    ("gluteeniton ruokavalio", {31}),
    ("lapsiperheiden kohtaamispaikka", {28}),
    ("lihassairauksiin", {38}),
    ("ADHD aikuisille Varkaudessa", {20}),
    # abbreviations and short forms
    ("COPD", {43}),
    ("KAT-potilaille", {43}),
    ("kv-nuoret", {18}),
    ("nepsy-lapsen perhe", {45, 19}),
    # hyphenated and coordinated forms
    ("mt-kuntoutujat", {6, 40, 44}),
    ("päihde- ja mielenterveyskuntoutujille", {44, 6}),
    # words that say nothing about the need
    ("diabetes tukea ja neuvontaa", {1, 2}),
    ("muistisairaiden apu", {3, 4}),
    ("syöpä ryhmä", {12}),
    ("omaishoitajien palvelut Kuopiossa", {5, 41}),
]
ENOUGH = 3


def recall_at_5(found: list[int], expected: set[int]) -> float:
    return len(set(found[:5]) & expected) / min(5, len(expected))


def entry_text(entry) -> tuple[str, str]:
    name, description, needs, municipality = entry
    return name, " ".join([description, *needs, municipality])


def substring_search(query: str) -> list[int]:
    words = [w.lower() for w in query.split()]
    texts = [(i, *(part.lower() for part in entry_text(e))) for i, e in enumerate(ENTRIES, 1)]
    for require_all in (True, False):
        hits = [
            (-sum(w in name for w in words), i) for i, name, body in texts
            if (all if require_all else any)(w in name or w in body for w in words)
        ]
        if len(hits) >= ENOUGH or not require_all:
            return [i for _score, i in sorted(hits)]
    return []


class TokenIndex:
    """An in-memory FTS5 index of the entries, each word turned into tokens by `analyse`."""

    def __init__(self, analyse):
        self.analyse = analyse
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE doc USING fts5(name, body, tokenize='unicode61 remove_diacritics 0')"
        )
        for i, entry in enumerate(ENTRIES, 1):
            self.db.execute("INSERT INTO doc(rowid, name, body) VALUES (?, ?, ?)",
                            (i, *(self.tokens(part) for part in entry_text(entry))))

    def tokens(self, text: str) -> str:
        return " ".join(token for word in text.split() for token in self.analyse(word))

    def search(self, query: str) -> list[int]:
        groups = [
            "(" + " OR ".join(f'"{t}"' for t in dict.fromkeys(tokens)) + ")"
            for tokens in (self.analyse(word) for word in query.split()) if tokens
        ]
        found: list[int] = []
        for operator in (" AND ", " OR "):
            found = [row[0] for row in self.db.execute(
                "SELECT rowid FROM doc WHERE doc MATCH ? ORDER BY bm25(doc, 10.0, 1.0), rowid",
                (operator.join(groups),),
            )] if groups else []
            if len(found) >= ENOUGH:
                break
        return found


def split_words(word: str) -> list[str]:
    """What FTS5's unicode61 tokenizer keeps of one word, lower-cased."""
    from app.search.analysis import TOKEN

    return TOKEN.findall(word.lower())


def baselines() -> dict:
    """The methods that use no analyser of the app."""
    import simplemma
    import snowballstemmer

    stemmer = snowballstemmer.stemmer("finnish")
    return {
        "LIKE substring": substring_search,
        "FTS5 unicode61 tokens": TokenIndex(split_words).search,
        "Snowball stems": TokenIndex(lambda w: [stemmer.stemWord(t) for t in split_words(w)]).search,
        "simplemma lemmas": TokenIndex(
            lambda w: [t for piece in split_words(w) for t in split_words(simplemma.lemmatize(piece, lang="fi"))]
        ).search,
    }


def analyser_methods(fallback: bool) -> dict | None:
    """The app's analyser (Voikko, or the fallback when `fallback`) alone and in the app's search().

    None when Voikko is asked for and not installed.
    """
    from app.search import analysis

    analysis.reset(force_fallback=fallback)
    if not fallback and analysis.analyser_name() != analysis.VOIKKO:
        return None
    return {
        "base forms": TokenIndex(
            lambda w: [t for form in sorted(analysis.base_forms(w)) for t in split_words(form)] or split_words(w)
        ).search,
        "+ compound parts (the index's tokens)": TokenIndex(lambda w: list(analysis.analyse_word(w))).search,
        APP_LABEL: app_search(),
    }


APP_LABEL = "+ need synonyms, municipalities: search()"


def app_search(database_url: str = ""):
    """The app's search(): a migrated database (SQLite unless `database_url`), real taxonomy, the entries indexed as the app does."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Municipality, Need, Organisation
    from app.search.engine import SearchQuery, search
    from app.search.index import index_organisation
    from app.admin.taxonomy_data import seed_taxonomy

    directory = tempfile.mkdtemp()
    app = create_app({
        "TESTING": True, "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{directory}/recall.sqlite",
        "HTMX_SOURCE": "local", "RATELIMIT_ENABLED": False, "MAIL_SERVER": "",
    })
    context = app.app_context()
    context.push()
    downgrade(revision="base")
    upgrade()
    seed_taxonomy(Path(app.root_path) / "data")
    ids = {}
    for number, (name, description, needs, municipality) in enumerate(ENTRIES, 1):
        organisation = Organisation(name=name, description=description, status="published",
                                    nationwide=municipality == NATIONWIDE)
        organisation.needs = [db.session.scalar(select(Need).filter_by(name=n)) for n in needs]
        if municipality:
            organisation.municipalities = [db.session.scalar(select(Municipality).filter_by(name_fi=municipality))]
        assert None not in organisation.needs + organisation.municipalities, name
        db.session.add(organisation)
        db.session.flush()
        index_organisation(organisation)
        ids[organisation.id] = number
    db.session.commit()

    def run(query: str) -> list[int]:
        return [ids[o.id] for o in search(SearchQuery(text=query, page_size=5)).organisations]

    return run


def scores(run, verbose: bool) -> list[tuple[float, list[int]]]:
    """(recall@5, the first five) of each query."""
    found = []
    for query, expected in QUERIES:
        top = run(query)[:5]
        found.append((recall_at_5(top, expected), top))
        if verbose:
            print(f"    {found[-1][0]:.2f}  {query!r}: {top} expected {sorted(expected)}")
    return found


def mean(found: list[tuple[float, list[int]]]) -> float:
    return sum(score for score, _top in found) / len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="print each query's first five")
    parser.add_argument("--postgres", help="also run search() on this PostgreSQL database (it is emptied)")
    args = parser.parse_args()
    rows: dict[str, dict[str, list]] = {}
    for label, run in baselines().items():
        if args.verbose:
            print(label)
        rows[label] = {"": scores(run, args.verbose)}
    for column, fallback in (("Voikko", False), ("fallback", True)):
        methods = analyser_methods(fallback)
        if methods is None:
            print("(libvoikko is not installed: only the fallback column is measured)")
            continue
        for label, run in methods.items():
            if args.verbose:
                print(f"{label} ({column})")
            rows.setdefault(label, {})[column] = scores(run, args.verbose)
    columns = ["Voikko", "fallback"]
    print(f"{len(ENTRIES)} entries, {len(QUERIES)} queries; recall@5")
    print(f"  {'method':<44} {'Voikko':>8} {'fallback':>9}")
    for label, found in rows.items():
        if "" in found:
            print(f"  {label:<44} {mean(found['']):>8.2f}")
        else:
            cells = [f"{mean(found[c]):.2f}" if c in found else "-" for c in columns]
            print(f"  {label:<44} {cells[0]:>8} {cells[1]:>9}")
    app = rows[APP_LABEL]
    if "Voikko" in app:
        share = mean(app["fallback"]) / mean(app["Voikko"])
        empty = [query for (query, _expected), (_s, voikko), (_f, fallback) in zip(QUERIES, app["Voikko"], app["fallback"])
                 if voikko and not fallback]
        print(f"search(): the fallback reaches {share:.0%} of Voikko's recall; "
              f"empty where Voikko finds something: {len(empty)}{' ' + repr(empty) if empty else ''}")
    if args.postgres:
        compare_postgres(args.postgres, app, args.verbose)


def compare_postgres(database_url: str, sqlite: dict[str, list], verbose: bool) -> None:
    """search() on PostgreSQL with each analyser SQLite ran: its recall, and where its first five differ."""
    from app.extensions import db
    from app.search import analysis

    for column, found in sqlite.items():
        analysis.reset(force_fallback=column == "fallback")
        postgres = scores(app_search(database_url), verbose)
        db.session.remove()  # its read locks would keep the next run from emptying the database
        db.engine.dispose()
        pairs = [(query, mine, theirs) for (query, _expected), (_s, mine), (_p, theirs) in zip(QUERIES, found, postgres)]
        # bm25 and ts_rank weigh a match differently, so the order within the five may differ.
        reordered = [query for query, mine, theirs in pairs if mine != theirs and set(mine) == set(theirs)]
        differing = [query for query, mine, theirs in pairs if set(mine) != set(theirs)]
        print(f"search() on PostgreSQL ({column}): recall@5 {mean(postgres):.2f}; of {len(QUERIES)} queries, "
              f"{len(reordered)} list SQLite's first five in another order, {len(differing)} other ones"
              f"{' ' + repr(differing) if differing else ''}")


if __name__ == "__main__":
    main()
