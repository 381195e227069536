"""The region the directory covers, read from its data folder.

A region is a folder (app/data/regions/<name>/) with `region.toml` (its names
in the case forms the texts need, the "whole region" option, the centre that
runs the service, an example municipality) and `municipalities.csv`.  The
REGION setting names the folder, or gives a path to one, so another region is
another folder and no code.  Templates get the names in the page's language
through one context processor: `{{ region.genitive }}`.
"""
import tomllib
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from flask_babel import get_locale

REGIONS_FOLDER = Path(__file__).resolve().parents[1] / "data" / "regions"
# The Finnish case forms texts use; Swedish and English do not inflect names.
CASES = ("nominative", "genitive", "inessive", "elative")
LANGUAGES = ("fi", "sv", "en")
# What every language's table must give besides the name.
TEXTS = ("whole_region", "centre")


class RegionError(ValueError):
    """A region folder that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class RegionNames:
    """The region's texts in one language, as templates use them."""

    nominative: str
    genitive: str
    inessive: str
    elative: str
    whole_region: str
    centre: str
    example_municipality: str
    example_municipality_inessive: str


@dataclass(frozen=True)
class Region:
    folder: Path
    names: dict[str, RegionNames]

    @property
    def name(self) -> str:
        """The Finnish name, as the open data's addresses carry it."""
        return self.names["fi"].nominative

    def in_language(self, language: str) -> RegionNames:
        return self.names.get(language, self.names["fi"])


def region_folder(setting: str) -> Path:
    """REGION is a folder name under app/data/regions/ or a path to a region folder."""
    path = Path(setting)
    if path.is_absolute() or len(path.parts) > 1:
        return path
    return REGIONS_FOLDER / setting


def load_region(folder: Path) -> Region:
    """Read and check `folder`/region.toml; every missing text is named in the error."""
    path = folder / "region.toml"
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise RegionError(f"{path}: no such file (REGION names a folder with region.toml)") from None
    except tomllib.TOMLDecodeError as error:
        raise RegionError(f"{path}: {error}") from None
    if not (folder / "municipalities.csv").is_file():
        raise RegionError(f"{folder}: municipalities.csv is missing")
    examples = _table(data, "examples", path)
    example = _text(examples, "municipality", path, "examples")
    example_inessive = _text(examples, "municipality_inessive", path, "examples")
    names = {}
    for language in LANGUAGES:
        table = _table(data, language, path)
        if language == "fi":
            forms = {case: _text(table, case, path, language) for case in CASES}
        else:
            # Swedish and English say "i Norra Savolax", "in North Savo": one form serves every sentence.
            forms = dict.fromkeys(CASES, _text(table, "name", path, language))
        texts = {key: _text(table, key, path, language) for key in TEXTS}
        # The examples stay Finnish in every language: they show what the Finnish search understands.
        names[language] = RegionNames(
            **forms, **texts, example_municipality=example, example_municipality_inessive=example_inessive,
        )
    return Region(folder=folder, names=names)


def _table(data: dict, key: str, path: Path) -> dict:
    table = data.get(key)
    if not isinstance(table, dict):
        raise RegionError(f"{path}: the table [{key}] is missing")
    return table


def _text(table: dict, key: str, path: Path, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RegionError(f"{path}: [{where}] {key} must be a non-empty text")
    return value.strip()


def current_region() -> Region:
    return current_app.extensions["region"]


def install_region(app: Flask) -> None:
    """Load the configured region once at start-up (a broken folder stops the app) and hand it to templates."""
    app.extensions["region"] = load_region(region_folder(app.config["REGION"]))
    app.context_processor(lambda: {"region": names_in_current_language()})


def names_in_current_language() -> RegionNames:
    locale = get_locale()
    return current_region().in_language(locale.language if locale else "fi")
