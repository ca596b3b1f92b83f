"""The OpenAPI schema: valid OpenAPI 3, and it documents every endpoint, every filter and every field
of the JSON the API really sends."""

import json

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver
from drf_spectacular.validation import validate_schema

from api import views
from cms.models import LiveArticle, LiveHospital, LiveHotline, Region
from cms.models.content import Category, HospitalKind, HospitalLevel, Purpose
from cms.models.regions import RegionLevel
from cms.models.verification import VerificationStatus
from cms.services.live import article_payload, hospital_payload, hotline_payload

API = "/api/v1"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    return json.loads(response.content)


def resolve(schema, node):
    while "$ref" in node or ("allOf" in node and len(node["allOf"]) == 1):
        if "$ref" in node:
            node = {**schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]], **{
                k: v for k, v in node.items() if k != "$ref"
            }}  # fmt: skip
        else:
            inner = node["allOf"][0]
            node = {**{k: v for k, v in node.items() if k != "allOf"}, **resolve(schema, inner)}
    return node


TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}


def conforms(schema, node, value, path="$"):
    """A strict check of ``value`` against the schema ``node``: right types, every required key, and no
    key the schema does not document."""
    node = resolve(schema, node)
    if value is None:
        assert node.get("nullable"), f"{path} is null but not nullable"
        return
    assert isinstance(value, TYPES[node["type"]]), f"{path}: {value!r} is not {node['type']}"
    assert not (node["type"] == "integer" and isinstance(value, bool)), path
    if "enum" in node:
        assert value in node["enum"], f"{path}: {value!r} not in {node['enum']}"
    if node["type"] == "object":
        assert set(value) == set(node["properties"]), (
            f"{path}: sent {sorted(value)}, documented {sorted(node['properties'])}"
        )
        assert set(node.get("required", [])) == set(node["properties"]), path
        for name, inner in node["properties"].items():
            conforms(schema, inner, value[name], f"{path}.{name}")
    elif node["type"] == "array":
        for n, item in enumerate(value):
            conforms(schema, node["items"], item, f"{path}[{n}]")


def operation(schema, path):
    return schema["paths"][path]["get"]


def response_schema(schema, path, status="200"):
    return operation(schema, path)["responses"][status]["content"]["application/json"]["schema"]


# ------------------------------------------------------------------------------------------- validity


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    assert schema["info"]["title"] == "医保信息公开 API"


def test_the_yaml_schema_is_the_same(db, client, schema):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content) == schema


def test_schema_generation_has_no_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert yaml.safe_load((tmp_path / "schema.yaml").read_text())["paths"]


def test_every_endpoint_is_documented_read_only(schema):
    (api,) = [p for p in get_resolver().url_patterns if str(p.pattern) == "api/"]
    routes = {
        "/api/" + str(route.pattern).replace("<str:", "{").replace("<int:", "{").replace(">", "}")
        for route in api.url_patterns
        if str(route.pattern).startswith("v1/")
    }

    # drf-spectacular names a primary key after the field ({hotline}, not {pk}): compare the shapes.
    def shape(path):
        return "/".join("{}" if part.startswith("{") else part for part in path.split("/"))

    assert {shape(r) for r in routes} == {shape(p) for p in schema["paths"]}
    assert len(schema["paths"]) == 13
    for path, methods in schema["paths"].items():
        assert set(methods) - {"parameters"} == {"get"}, path
    ids = [op["get"]["operationId"] for op in schema["paths"].values()]
    assert len(ids) == len(set(ids))
    assert all(op["get"].get("summary") for op in schema["paths"].values())


# --------------------------------------------------------------------------------------------- filters

LISTS = [
    (views.ArticleList, f"{API}/articles/"),
    (views.HotlineList, f"{API}/hotlines/"),
    (views.HospitalList, f"{API}/hospitals/"),
    (views.PolicyList, f"{API}/policies/"),
    (views.RegionList, f"{API}/regions/"),
    (views.ArticleSync, f"{API}/sync/articles/"),
    (views.HotlineSync, f"{API}/sync/hotlines/"),
    (views.HospitalSync, f"{API}/sync/hospitals/"),
]


def documented(schema, path):
    return {p["name"]: p for p in operation(schema, path).get("parameters", []) if p["in"] == "query"}


@pytest.mark.parametrize(("view", "path"), LISTS, ids=[p for _, p in LISTS])
def test_paging_search_and_ordering_parameters_are_documented(schema, view, path):
    params = documented(schema, path)
    assert set(view.parameters) <= set(params)
    for name in ("page", "page_size"):
        if name in params:
            assert params[name]["schema"]["type"] == "integer"


@pytest.mark.parametrize(("view", "path"), LISTS, ids=[p for _, p in LISTS])
def test_every_filter_is_documented(schema, view, path):
    params = documented(schema, path)
    filters = view.filterset_class.base_filters
    assert set(params) == set(view.parameters) | set(filters)
    for name, declared in filters.items():
        param_schema = resolve(schema, params[name]["schema"])
        if hasattr(declared, "extra") and "choices" in declared.extra:
            assert sorted(param_schema["enum"]) == sorted(v for v, _ in declared.extra["choices"])
        if declared.__class__.__name__ == "BooleanFilter":
            assert param_schema["type"] == "boolean"
        if declared.__class__.__name__ == "IsoDateTimeFilter":
            assert param_schema["format"] == "date-time"
        assert params[name].get("description"), name


def test_parameter_constraints_are_documented(schema):
    sync = documented(schema, f"{API}/sync/articles/")
    assert sync["cursor"]["required"] is True
    articles = documented(schema, f"{API}/articles/")
    assert (articles["page"]["schema"]["minimum"], articles["page"]["schema"]["maximum"]) == (1, 100_000)
    assert (articles["page_size"]["schema"]["minimum"], articles["page_size"]["schema"]["maximum"]) == (
        1,
        100,
    )
    assert set(articles["ordering"]["schema"]["enum"]) == {
        f"{sign}{f}" for f in views.ARTICLE_ORDERING for sign in ("", "-")
    }


@pytest.mark.parametrize("path", [f"{API}/articles/", f"{API}/articles/{{slug}}/", f"{API}/sync/articles/"])
def test_error_responses_are_documented(schema, path):
    responses = operation(schema, path)["responses"]
    assert {"400", "429"} <= set(responses)
    if "{" in path or not path.startswith(f"{API}/sync"):
        assert "404" in responses


def test_enums_are_the_model_choices(schema):
    components = schema["components"]["schemas"]
    for component, choices in [
        ("CategoryEnum", Category),
        ("PurposeEnum", Purpose),
        ("HospitalLevelEnum", HospitalLevel),
        ("KindEnum", HospitalKind),
        ("VerificationStatusEnum", VerificationStatus),
        ("RegionLevelEnum", RegionLevel),
    ]:
        assert components[component]["enum"] == list(choices.values), component


# ------------------------------------------------------------------------------------------ payloads


@pytest.fixture
def published(make_article, make_hotline, make_hospital, make_policy):
    hotline = make_hotline()
    hospital = make_hospital(aliases=["连云港口腔"])
    policy = make_policy(region=Region.objects.get(pk="440000"))
    article = make_article(
        hotlines=[hotline.pk], hospitals=[hospital.pk], policies=[policy.pk], regions=["440883"]
    )
    return {"article": article, "hotline": hotline, "hospital": hospital, "policy": policy}


def test_payloads_built_at_publication_are_the_documented_shapes(schema, published):
    """Build the payloads the way publishing does and compare them with the components."""
    components = schema["components"]["schemas"]
    payloads = {
        "Article": article_payload(LiveArticle.objects.get(pk=published["article"].pk)),
        "Hotline": hotline_payload(LiveHotline.objects.get(pk=published["hotline"].pk)),
        "Hospital": hospital_payload(LiveHospital.objects.get(pk=published["hospital"].pk)),
        "Policy": views.policy_json(published["policy"]),
        "Region": views.region_json(Region.objects.get(pk="440800")),
    }
    for name, payload in payloads.items():
        assert set(payload) == set(components[name]["properties"]), name
        conforms(schema, {"$ref": f"#/components/schemas/{name}"}, json.loads(json.dumps(payload)), name)
    # The payloads are not empty where it matters: nested shapes are checked too.
    assert payloads["Article"]["hotlines"]
    assert payloads["Article"]["hospitals"]
    assert payloads["Article"]["policies"]
    assert payloads["Hospital"]["phones"]
    assert payloads["Region"]["area_codes"] == ["0759"]
    # An article whose flag sets outdated reasons has the same shape.
    flagged = article_payload(LiveArticle.objects.get(), outdated_reasons=["该政策已失效"])
    conforms(schema, {"$ref": "#/components/schemas/Article"}, flagged)


def test_every_real_response_matches_its_schema(schema, published, client):
    """Every endpoint's 200 answer against its documented response, strictly (no undocumented key)."""
    article, hotline, hospital, policy = (published[k] for k in ("article", "hotline", "hospital", "policy"))
    cases = [
        (f"{API}/articles/", f"{API}/articles/"),
        (f"{API}/articles/{{slug}}/", f"{API}/articles/{article.slug}/"),
        (f"{API}/hotlines/", f"{API}/hotlines/"),
        (f"{API}/hotlines/{{hotline}}/", f"{API}/hotlines/{hotline.pk}/"),
        (f"{API}/hospitals/", f"{API}/hospitals/"),
        (f"{API}/hospitals/{{hospital}}/", f"{API}/hospitals/{hospital.pk}/"),
        (f"{API}/policies/", f"{API}/policies/"),
        (f"{API}/policies/{{id}}/", f"{API}/policies/{policy.pk}/"),
        (f"{API}/regions/", f"{API}/regions/?parent=440800"),
        (f"{API}/regions/{{code}}/", f"{API}/regions/440800/"),
        (f"{API}/sync/articles/", f"{API}/sync/articles/?cursor=0"),
        (f"{API}/sync/hotlines/", f"{API}/sync/hotlines/?cursor=0"),
        (f"{API}/sync/hospitals/", f"{API}/sync/hospitals/?cursor=0"),
    ]
    assert {documented_path for documented_path, _ in cases} == set(schema["paths"])
    for documented_path, url in cases:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.json()
        conforms(schema, response_schema(schema, documented_path), body, url)
        items = body.get("results", [body])
        assert items, url


def test_the_article_component_documents_what_the_article_detail_sends(schema, published, client):
    body = client.get(f"{API}/articles/{published['article'].slug}/").json()
    article = schema["components"]["schemas"]["Article"]["properties"]
    assert set(body) == set(article)
    for field, component in [
        ("regions", "RegionRef"),
        ("policies", "PolicyRef"),
        ("hotlines", "HotlineRef"),
        ("hospitals", "HospitalRef"),
        ("sources", "SourceRef"),
    ]:
        assert set(body[field][0]) == set(schema["components"]["schemas"][component]["properties"]), field
    assert set(body["outdated"]) == set(schema["components"]["schemas"]["Outdated"]["properties"])
