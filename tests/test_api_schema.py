"""schemathesis against the API's own OpenAPI document, in-process through WSGI.

Every operation gets generated parameters, valid ones and ones that break the
document's rules: the API must never answer 5xx, and every answer must match
the document (status codes, content types, bodies).  The demo organisations
make the lists and details non-empty.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

# The document itself (GET /openapi.json) has no response schema to check against.
OPERATIONS = ["GET /", "GET /organisations", "GET /organisations/{id}", "GET /taxonomy"]
WITH_PARAMETERS = ["GET /organisations", "GET /organisations/{id}"]


@pytest.fixture
def api_schema(app, demo):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


# Digits str.isdigit() takes and int() does not ("²") or does ("٣", "０"), with NUL and line
# breaks: what the generated strings rarely hold, put into the parameters on purpose.
DIGITISH = st.text(st.sampled_from("0123456789-+.\u00b2\u00b3\u0663\uff10\x00\r\n\t "), min_size=1, max_size=12)
PARAMETERS = {"GET /organisations": ("query", ["q", "tarve", "toiminta", "kunta", "kieli", "esteettomyys", "sivu"]),
              "GET /organisations/{id}": ("path_parameters", ["id"])}


def run_cases(operation, mode: GenerationMode, excluded_checks=(), odd_parameters=None) -> None:
    location, names = odd_parameters or (None, [])
    odd = st.dictionaries(st.sampled_from(names), DIGITISH, min_size=1) if names else st.just({})

    @given(case=operation.as_strategy(generation_mode=mode), odd=odd)
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    def check(case, odd):
        if odd:
            setattr(case, location, {**(getattr(case, location) or {}), **odd})
        # The WSGI transport does not decompress: ask for the plain body.
        response = case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=list(excluded_checks))
        assert response.status_code < 500

    check()


def test_the_document_lists_the_operations_tested_here(api_schema):
    found = sorted(f"{op.ok().method.upper()} {op.ok().path}" for op in api_schema.get_all_operations())
    assert found == sorted(OPERATIONS)


# Operations whose filters take values that are data (a municipality's name, a term's UUID):
# the document cannot list them, so a schema-valid value may name nothing, and that
# is refused with a 400 by design.  The answer must still be one the document describes.
DATA_VALUED = {"GET /organisations", "GET /organizations", "GET /services", "GET /service_at_locations"}


def positive_exclusions(label: str) -> list:
    return [positive_data_acceptance] if label in DATA_VALUED else []


@pytest.mark.parametrize("label", OPERATIONS)
def test_valid_requests_get_answers_the_document_describes(api_schema, label):
    method, path = label.split(" ")
    run_cases(api_schema[path][method], GenerationMode.POSITIVE, excluded_checks=positive_exclusions(label))


@pytest.mark.parametrize("label", WITH_PARAMETERS)
def test_invalid_requests_never_break_the_api(api_schema, label):
    # A q longer than the document allows is cut, not refused, so an invalid
    # request may get a 200: that answer must still match the document.
    method, path = label.split(" ")
    run_cases(api_schema[path][method], GenerationMode.NEGATIVE, excluded_checks=[negative_data_rejection])


@pytest.mark.parametrize("label", WITH_PARAMETERS)
def test_odd_digits_nul_and_line_breaks_never_break_the_api(api_schema, label):
    # The values replace generated ones, so whether a case is "valid" no longer follows from
    # its mode: the answer must still be one the document describes.
    method, path = label.split(" ")
    run_cases(api_schema[path][method], GenerationMode.POSITIVE,
              excluded_checks=[negative_data_rejection, positive_data_acceptance], odd_parameters=PARAMETERS[label])


def test_the_document_names_every_api_route(app):
    documented = set(app.test_client().get("/api/v1/openapi.json").json["paths"])
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<int:organisation_id>", "{id}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == documented


HSDS_OPERATIONS = ["GET /", "GET /organizations", "GET /organizations/{id}", "GET /services", "GET /services/{id}",
                   "GET /service_at_locations", "GET /taxonomies", "GET /taxonomy_terms", "GET /datapackage.zip"]


@pytest.fixture
def hsds_schema(app, demo, tmp_path):
    app.config["HSDS_DATAPACKAGE_PATH"] = str(tmp_path / "hsds.zip")
    return schemathesis.openapi.from_wsgi("/api/hsds/openapi.json", app)


def test_the_hsds_document_lists_the_operations_tested_here(hsds_schema):
    found = sorted(f"{op.ok().method.upper()} {op.ok().path}" for op in hsds_schema.get_all_operations())
    assert found == sorted(HSDS_OPERATIONS)


@pytest.mark.parametrize("label", HSDS_OPERATIONS)
def test_hsds_valid_requests_get_answers_the_document_describes(hsds_schema, label):
    method, path = label.split(" ")
    run_cases(hsds_schema[path][method], GenerationMode.POSITIVE, excluded_checks=positive_exclusions(label))


@pytest.mark.parametrize("label", ["GET /organizations", "GET /services", "GET /taxonomy_terms"])
def test_hsds_invalid_requests_are_refused(hsds_schema, label):
    # search is free text (cut at 200 characters, not refused), so invalid cases may still get a 200.
    method, path = label.split(" ")
    run_cases(hsds_schema[path][method], GenerationMode.NEGATIVE, excluded_checks=[negative_data_rejection])
