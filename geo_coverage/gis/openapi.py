"""The OpenAPI 3.0 definition of the OGC API, built from the parameters ogc.py accepts."""

from __future__ import annotations

from geo_coverage.gis import ogc
from geo_coverage.i18n import API_LANG
from geo_coverage.metrics.registry import EXPORTED
from geo_coverage.region import CODE_EXAMPLES, CODE_PATTERNS, LEVELS, Region

PATHS = {  # path under the API root -> (resource in ogc.ACCEPTS, operation id, summary)
    "/": ("landing", "getLandingPage", "Landing page"),
    "/conformance": ("conformance", "getConformance", "Conformance classes"),
    "/api": ("api", "getOpenAPI", "This OpenAPI 3.0 definition"),
    "/collections": ("collections", "getCollections", "The feature collections"),
    "/collections/{collectionId}": ("collection", "describeCollection", "One collection"),
    "/collections/{collectionId}/items": (
        "items",
        "getFeatures",
        "Features of a collection, filtered and paged",
    ),
    "/collections/{collectionId}/items/{featureId}": (
        "item",
        "getFeature",
        "One feature by its Kemendagri code",
    ),
}
RESPONSES = {  # resource -> (media type, schema name)
    "landing": (ogc.JSON, "landingPage"),
    "conformance": (ogc.JSON, "confClasses"),
    "api": (ogc.OPENAPI, "openapi"),
    "collections": (ogc.JSON, "collections"),
    "collection": (ogc.JSON, "collection"),
    "items": (ogc.GEOJSON, "featureCollectionGeoJSON"),
    "item": (ogc.GEOJSON, "featureGeoJSON"),
}
_REF = "#/components/{}/{}"


def _ref(kind: str, name: str) -> dict:
    """A $ref to a component."""
    return {"$ref": _REF.format(kind, name)}


def _path_parameters() -> dict:
    """collectionId and featureId."""
    return {
        "collectionId": {
            "name": "collectionId",
            "in": "path",
            "required": True,
            "description": "provinces or regencies",
            "schema": {"type": "string", "enum": list(ogc.COLLECTIONS)},
        },
        "featureId": {
            "name": "featureId",
            "in": "path",
            "required": True,
            "description": "Kemendagri code of the area, e.g. "
            + " or ".join(CODE_EXAMPLES[level] for level in LEVELS),
            "schema": {
                "type": "string",
                "pattern": f"^({'|'.join(CODE_PATTERNS[level] for level in LEVELS)})$",
            },
        },
    }


def _query_parameters(region: Region) -> dict:
    """Every query parameter of the region's API as an OpenAPI parameter object."""
    out = {}
    for p in ogc.parameters(region).values():
        spec = {
            "name": p.name,
            "in": "query",
            "required": False,
            "description": p.description,
            "schema": p.schema,
        }
        if p.style:
            spec |= {"style": p.style, "explode": False}
        out[p.name] = spec
    return out


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
            "geometry": {"type": "object"},
            "properties": {
                "type": "object",
                "required": [f.key for f in EXPORTED],
                "properties": properties,
            },
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
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
        },
        "openapi": {"type": "object"},
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
                "timeStamp": {"type": "string", "format": "date-time"},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
            },
        },
    }


def _operation(path: str, resource: str, operation_id: str, summary: str) -> dict:
    """One GET operation with its parameters and responses."""
    params = [
        _ref("parameters", name) for name in ("collectionId", "featureId") if f"{{{name}}}" in path
    ]
    params += [_ref("parameters", name) for name in ogc.ACCEPTS[resource]]
    media, schema = RESPONSES[resource]
    error = {"content": {ogc.JSON: {"schema": _ref("schemas", "exception")}}}
    responses = {
        "200": {"description": summary, "content": {media: {"schema": _ref("schemas", schema)}}},
        "400": {"description": "Bad request: an unknown or invalid parameter", **error},
    }
    if "{" in path:
        responses["404"] = {"description": "No such collection or feature", **error}
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": params,
            "responses": responses,
        }
    }


def openapi(api_url: str, region: Region) -> dict:
    """The OpenAPI 3.0 document of the region's API whose landing page is api_url."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": ogc.say("title", API_LANG, region=region.name),
            "version": "1.0.0",
            "description": ogc.say("description", API_LANG, region=region.name),
            "license": {"name": "MIT"},
        },
        "servers": [{"url": api_url}],
        "paths": {path: _operation(path, *spec) for path, spec in PATHS.items()},
        "components": {
            "parameters": {**_path_parameters(), **_query_parameters(region)},
            "schemas": _schemas(),
        },
    }
