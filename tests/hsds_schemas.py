"""The HSDS 3.0 JSON schemas of tests/data/hsds (CC BY-SA 4.0, Open Referral), ready to validate with."""
import json
import lzma
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

FOLDER = Path(__file__).parent / "data" / "hsds"
FORMATS = Draft202012Validator.FORMAT_CHECKER


def _load(name: str) -> dict:
    plain = FOLDER / f"{name}.json"
    if plain.exists():
        return json.loads(plain.read_text(encoding="utf-8"))
    return json.loads(lzma.decompress((FOLDER / f"{name}.json.xz").read_bytes()))


@cache
def _registry() -> Registry:
    # taxonomy_term.json and taxonomy.json refer to their neighbours by file name.
    return Registry().with_resources(
        (f"{name}.json", Resource.from_contents(_load(name), default_specification=DRAFT202012))
        for name in ("taxonomy", "taxonomy_term", "metadata")
    )


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(_load(name), registry=_registry(), format_checker=FORMATS)


def assert_valid(name: str, instance: dict) -> None:
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]]
