"""The OpenAPI 3.0 definition of the OGC API, built from the declarations the server checks
requests against (params.py, catalogue.py), so that it says exactly what the server accepts."""

from __future__ import annotations

from geo_coverage.gis import catalogue, ogc, params
from geo_coverage.i18n import API_LANG
from geo_coverage.metrics.registry import EXPORTED
from geo_coverage.region import CODE_PATTERNS, LEVELS, SEGMENT_CHOICES

# path under the API root -> (operation id, summary, media types of a 200, schema name)
PATHS = {
    "/": ("getLandingPage", "Landing page", ogc.JSON, "landingPage"),
    "/conformance": ("getConformance", "Conformance classes", ogc.JSON, "confClasses"),
    "/api": ("getOpenAPI", "This OpenAPI 3.0 definition", ogc.OPENAPI, "openapi"),
    "/api.html": ("getOpenAPIPage", "This definition as a page to read", None, None),
    "/collections": ("getCollections", "The feature collections", ogc.JSON, "collections"),
    "/collections/{collectionId}": (
        "describeCollection",
        "One collection",
        ogc.JSON,
        "collection",
    ),
    "/collections/{collectionId}/queryables": (
        "getQueryables",
        "The properties a filter may name (JSON Schema)",
        ogc.SCHEMA_JSON,
        "queryables",
    ),
    "/collections/{collectionId}/items": (
        "getFeatures",
        "Features of a collection, filtered, sorted and paged",
        ogc.GEOJSON,
        "featureCollectionGeoJSON",
    ),
    "/collections/{collectionId}/items/{featureId}": (
        "getFeature",
        "One feature by its id",
        ogc.GEOJSON,
        "featureGeoJSON",
    ),
}
SECURITY = {
    "bearer": {"type": "http", "scheme": "bearer"},
    "basic": {
        "type": "http",
        "scheme": "basic",
        "description": "Any user name, an API token as the password.",
    },
}
_REF = "#/components/{}/{}"


def _ref(kind: str, name: str) -> dict:
    """A $ref to a component."""
    return {"$ref": _REF.format(kind, name)}


def _feature_id_pattern() -> str:
    """Codes of either level, or code_period_segment in a history collection."""
    code = "|".join(CODE_PATTERNS[level] for level in LEVELS)
    segments = "|".join(SEGMENT_CHOICES)
    return (
        rf"^({code})({catalogue.ID_SEPARATOR}\d{{4}}-\d{{2}}{catalogue.ID_SEPARATOR}({segments}))?$"
    )


def _path_parameters(facts: params.Facts) -> dict:
    """collectionId and featureId."""
    return {
        "collectionId": {
            "name": "collectionId",
            "in": "path",
            "required": True,
            "description": "A collection: provinces, regencies, their _history, or "
            "{layer}_{period}_{segment}.",
            "schema": {
                "type": "string",
                "enum": [c.id for c in catalogue.collections(facts.periods)],
            },
        },
        "featureId": {
            "name": "featureId",
            "in": "path",
            "required": True,
            "description": "The feature's id: its Kemendagri code (73.71), or in a history "
            "collection code, period and segment (73.71_2024-08_informal).",
            "schema": {"type": "string", "pattern": _feature_id_pattern()},
        },
    }


def _query_parameters(facts: params.Facts) -> dict:
    """Every query parameter as an OpenAPI parameter object (form style, not exploded)."""
    return {
        p.name: {
            "name": p.name,
            "in": "query",
            "required": False,
            "description": p.description,
            "schema": p.schema,
            "style": "form",
            "explode": False,
        }
        for p in params.parameters(facts).values()
    }


def _schemas() -> dict:
    """Response bodies."""
    link = {
        "type": "object",
        "required": ["href", "rel"],
        "properties": {k: {"type": "string"} for k in ("href", "rel", "type", "title")},
    }
    links = {"type": "array", "items": _ref("schemas", "link")}
    properties = {
        f.key: {"type": f.json_type, "nullable": True, "description": f.description.get(API_LANG)}
        for f in EXPORTED
    }
    feature = {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {"type": "object", "nullable": True},
            "properties": {"type": "object", "properties": properties},
            "links": links,
        },
    }
    return {
        "exception": {
            "type": "object",
            "required": ["code"],
            "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
        },
        "link": link,
        "landingPage": {
            "type": "object",
            "required": ["links"],
            "properties": {
                "title": {"type": "string"},
                "description": {"type": "string"},
                "links": links,
            },
        },
        "confClasses": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": {
                "conformsTo": {"type": "array", "items": {"type": "string"}},
                "links": links,
            },
        },
        "openapi": {"type": "object"},
        "queryables": {
            "type": "object",
            "required": ["$schema", "$id", "type", "properties"],
            "properties": {
                "$schema": {"type": "string"},
                "$id": {"type": "string"},
                "type": {"type": "string"},
                "properties": {"type": "object"},
                "additionalProperties": {"type": "boolean"},
            },
        },
        "collection": {
            "type": "object",
            "required": ["id", "links"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "extent": {"type": "object"},
                "itemType": {"type": "string"},
                "crs": {"type": "array", "items": {"type": "string"}},
                "links": links,
            },
        },
        "collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {
                "links": links,
                "collections": {"type": "array", "items": _ref("schemas", "collection")},
            },
        },
        "featureGeoJSON": feature,
        "featureCollectionGeoJSON": {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": _ref("schemas", "featureGeoJSON")},
                "links": links,
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
            },
        },
    }


def _error(description: str) -> dict:
    """An error response: {code, description} as JSON."""
    return {
        "description": description,
        "content": {ogc.JSON: {"schema": _ref("schemas", "exception")}},
    }


def _operation(path: str, spec: tuple, names: list[str], private: bool) -> dict:
    """One GET operation with its parameters and every response the server gives."""
    operation_id, summary, media, schema = spec
    path_params = [n for n in ("collectionId", "featureId") if f"{{{n}}}" in path]
    ok = {ogc.HTML: {"schema": {"type": "string"}}}
    if media is not None:
        ok = {media: {"schema": _ref("schemas", schema)}, **ok}
    responses = {
        "200": {"description": summary, "content": ok},
        "304": {"description": "Not modified: the copy the client holds (ETag) is current"},
        "400": _error("Bad request: an unknown parameter, or a parameter with an invalid value"),
        "500": _error("Server error"),
    }
    if path_params:
        responses["404"] = _error("No such collection or feature")
    if private:
        responses["401"] = _error("This service is private: send an API token")
        responses["403"] = _error("The token may not read this service")
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [_ref("parameters", n) for n in path_params + names],
            "responses": responses,
        }
    }


def openapi(api_url: str, facts: params.Facts, private: bool = False) -> dict:
    """The OpenAPI 3.0 document of the API whose landing page is api_url (the region's,
    with its periods and limits: facts)."""
    region = facts.region
    names = list(params.parameters(facts))
    document: dict = {
        "openapi": "3.0.3",
        "info": {
            "title": ogc.say("title", API_LANG, region=region.name),
            "version": "1.0.0",
            "description": ogc.say("description", API_LANG, region=region.name),
            "license": {"name": "MIT"},
        },
        "servers": [{"url": api_url}],
        "paths": {path: _operation(path, spec, names, private) for path, spec in PATHS.items()},
        "components": {
            "parameters": {**_path_parameters(facts), **_query_parameters(facts)},
            "schemas": _schemas(),
        },
    }
    if private:
        document["components"]["securitySchemes"] = SECURITY
        document["security"] = [{"bearer": []}, {"basic": []}]
    return document
