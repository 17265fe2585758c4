"""CQL2-text filters (OGC API – Features Part 3): parsed by pygeofilter, evaluated as pandas
masks over the features' properties and shapely predicates over their geometry; no Flask.

What is evaluated: comparisons of properties with literals or with other properties (e.g.
`coverage_pct < target_pct`), arithmetic (+ - * /), AND/OR/NOT, IS NULL, LIKE (`%` any run of
characters, `_` one character, `\\` escape), BETWEEN, IN, CASEI (Unicode full case folding) and
the spatial functions S_INTERSECTS, S_DISJOINT, S_EQUALS, S_TOUCHES, S_CROSSES, S_OVERLAPS,
S_WITHIN and S_CONTAINS with WKT or BBOX literals in CRS84. A comparison with a missing value
is unknown (NULL), and a feature is kept only where the whole filter is TRUE.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import shapely
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_text import parser as cql2_text

from geo_coverage.errors import BadRequest
from geo_coverage.i18n import API_LANG, text

LOGGER = logging.getLogger(__name__)

GEOMETRY = "geometry"
CASE_FOLDING = ("lower", "casei")  # pygeofilter reads CASEI(x) as lower(x)
COMPARISONS = {
    ast.Equal: "eq",
    ast.NotEqual: "ne",
    ast.LessThan: "lt",
    ast.LessEqual: "le",
    ast.GreaterThan: "gt",
    ast.GreaterEqual: "ge",
}
# Each function with its converse, for a literal written first: S_WITHIN(lit, g) = contains.
SPATIAL = {
    ast.GeometryIntersects: ("intersects", "intersects"),
    ast.GeometryDisjoint: ("disjoint", "disjoint"),
    ast.GeometryEquals: ("equals", "equals"),
    ast.GeometryTouches: ("touches", "touches"),
    ast.GeometryCrosses: ("crosses", "crosses"),
    ast.GeometryOverlaps: ("overlaps", "overlaps"),
    ast.GeometryWithin: ("within", "contains"),
    ast.GeometryContains: ("contains", "within"),
}
ARITHMETIC = {ast.Add: "add", ast.Sub: "sub", ast.Mul: "mul", ast.Div: "truediv"}
TYPES = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean"}
# pygeofilter builds its parser in debug mode, which prints the parser's state stack to standard
# output on some errors; a server's output is not the place for it.
cql2_text.parser.parser.parser.parser.debug = False


def _bad(key: str, **values_) -> BadRequest:
    """A 400 naming the filter parameter."""
    return BadRequest(text(key, API_LANG, **values_), "filter")


def _attributes(node) -> set[str]:
    """Every property a filter names."""
    if isinstance(node, ast.Attribute):
        return {node.name}
    found = set()
    children = node.get_sub_nodes() if isinstance(node, ast.Node) else []
    for child in children if isinstance(children, list) else [children]:
        if isinstance(child, list):
            for item in child:
                found |= _attributes(item)
        else:
            found |= _attributes(child)
    return found


def parse(value: str, queryables: Mapping[str, str]) -> ast.Node:
    """A CQL2-text filter as pygeofilter's syntax tree; 400 for a syntax error or a property
    that is not a queryable (queryables: name -> JSON type)."""
    try:
        node = cql2_text.parse(value)
    except Exception as exc:  # lark's errors and pygeofilter's own: all a malformed filter
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _bad("error.filter_syntax", value=value, detail=detail) from None
    if not isinstance(node, ast.Node):
        raise _bad("error.filter_syntax", value=value, detail="not a condition")
    unknown = sorted(_attributes(node) - set(queryables) - {GEOMETRY})
    if unknown:
        raise _bad(
            "error.filter_property",
            names=", ".join(unknown),
            valid=", ".join([*queryables, GEOMETRY]),
        )
    return node


def equalities(node: ast.Node, name: str) -> set[str] | None:
    """The literal values `name = '…'` that the top-level AND of a filter requires, or None
    when it requires none (so that a snapshot collection can be chosen by the filter)."""
    found = None
    for part in _conjuncts(node):
        if isinstance(part, ast.Equal):
            pair = (part.lhs, part.rhs)
            for attr, literal in (pair, pair[::-1]):
                named = isinstance(attr, ast.Attribute) and attr.name == name
                if named and isinstance(literal, str):
                    found = {literal} if found is None else found & {literal}
    return found


def _conjuncts(node: ast.Node) -> list[ast.Node]:
    """The parts of a top-level AND."""
    if isinstance(node, ast.And):
        return _conjuncts(node.lhs) + _conjuncts(node.rhs)
    return [node]


class _Evaluator:
    """Evaluates one filter over one frame of features."""

    def __init__(self, frame: pd.DataFrame, geometries: np.ndarray, types: Mapping[str, str]):
        self.frame = frame
        self.geometries = geometries
        self.types = types
        self.n = len(frame)

    def condition(self, node) -> pd.Series:
        """A nullable boolean per feature."""
        if isinstance(node, ast.And):
            return self.condition(node.lhs) & self.condition(node.rhs)
        if isinstance(node, ast.Or):
            return self.condition(node.lhs) | self.condition(node.rhs)
        if isinstance(node, ast.Not):
            return ~self.condition(node.sub_node)
        if isinstance(node, ast.Include):
            return self._constant(not node.not_)
        if type(node) in COMPARISONS:
            return self._compare(node)
        if isinstance(node, ast.Between):
            return self._between(node)
        if isinstance(node, ast.In):
            return self._in(node)
        if isinstance(node, ast.Like):
            return self._like(node)
        if isinstance(node, ast.IsNull):
            found = self._value(node.lhs)[1].isna()
            return self._bool(~found if node.not_ else found)
        if type(node) in SPATIAL:
            return self._spatial(node)
        if isinstance(node, ast.TemporalPredicate):
            raise _bad("error.filter_temporal")
        raise _bad("error.filter_unsupported", what=type(node).__name__)

    def _constant(self, value) -> pd.Series:
        """The same truth value for every feature."""
        return pd.Series([value] * self.n, index=self.frame.index, dtype="boolean")

    def _bool(self, series) -> pd.Series:
        """A comparison result as a nullable boolean series."""
        return pd.Series(series, index=self.frame.index).astype("boolean")

    def _value(self, node) -> tuple[str, pd.Series]:
        """(type, values per feature) of a scalar expression."""
        if isinstance(node, ast.Attribute):
            if node.name == GEOMETRY:
                raise _bad("error.filter_geometry")
            kind = TYPES[self.types[node.name]]
            column = self.frame.get(node.name)
            if column is None:
                column = pd.Series([None] * self.n, index=self.frame.index)
            if kind == "number":
                return kind, column.astype("Float64")
            return kind, column.astype("string")
        if isinstance(node, bool):
            return "boolean", pd.Series([node] * self.n, index=self.frame.index, dtype="boolean")
        if isinstance(node, int | float):
            return "number", pd.Series([node] * self.n, index=self.frame.index, dtype="Float64")
        if isinstance(node, str):
            return "string", pd.Series([node] * self.n, index=self.frame.index, dtype="string")
        if isinstance(node, ast.Function) and node.name.lower() in CASE_FOLDING:
            if len(node.arguments) != 1:
                raise _bad("error.filter_unsupported", what=f"{node.name.upper()} arity")
            kind, series = self._value(node.arguments[0])
            if kind != "string":
                raise _bad("error.filter_types", what="CASEI", left=kind, right="string")
            return kind, series.map(lambda s: s.casefold(), na_action="ignore").astype("string")
        if type(node) in ARITHMETIC:
            left, right = self._number(node.lhs), self._number(node.rhs)
            if isinstance(node, ast.Div):
                right = right.mask(right == 0)
            return "number", getattr(left, ARITHMETIC[type(node)])(right)
        if isinstance(node, ast.Function):
            raise _bad("error.filter_function", name=node.name)
        raise _bad("error.filter_unsupported", what=type(node).__name__)

    def _number(self, node) -> pd.Series:
        """A numeric expression's values."""
        kind, series = self._value(node)
        if kind != "number":
            raise _bad("error.filter_types", what="arithmetic", left=kind, right="number")
        return series

    def _compare(self, node) -> pd.Series:
        """=, <>, <, <=, >, >=."""
        (left_kind, left), (right_kind, right) = self._value(node.lhs), self._value(node.rhs)
        if left_kind != right_kind:
            raise _bad("error.filter_types", what="comparison", left=left_kind, right=right_kind)
        return self._bool(getattr(left, COMPARISONS[type(node)])(right))

    def _between(self, node) -> pd.Series:
        """BETWEEN low AND high (inclusive), numbers only."""
        value, low, high = (self._number(n) for n in (node.lhs, node.low, node.high))
        inside = (value >= low) & (value <= high)
        return self._bool(~inside if node.not_ else inside)

    def _in(self, node) -> pd.Series:
        """IN (…): equal to one of the listed values."""
        kind, value = self._value(node.lhs)
        found = self._constant(False)
        for item in node.sub_nodes:
            item_kind, item_value = self._value(item)
            if item_kind != kind:
                raise _bad("error.filter_types", what="IN", left=kind, right=item_kind)
            found = found | self._bool(value == item_value)
        found = found.mask(value.isna())
        return ~found if node.not_ else found

    def _like(self, node) -> pd.Series:
        """LIKE with CQL2's wildcards: % any run, _ one character, \\ escapes."""
        kind, value = self._value(node.lhs)
        pattern_kind, pattern = self._value(node.pattern)
        if kind != "string" or pattern_kind != "string":
            raise _bad("error.filter_types", what="LIKE", left=kind, right=pattern_kind)
        regexes = {p: _like_regex(p) for p in pattern.dropna().unique()}
        matched = [
            pd.NA if pd.isna(v) or pd.isna(p) else bool(regexes[p].fullmatch(v))
            for v, p in zip(value, pattern, strict=True)
        ]
        result = self._bool(pd.array(matched, dtype="boolean"))
        return ~result if node.not_ else result

    def _spatial(self, node) -> pd.Series:
        """S_INTERSECTS and the other spatial functions between the geometry and a literal."""
        forward, converse = SPATIAL[type(node)]
        lhs, rhs = node.lhs, node.rhs
        if isinstance(lhs, ast.Attribute) and lhs.name == GEOMETRY:
            name, other = forward, _literal_geometry(rhs)
        elif isinstance(rhs, ast.Attribute) and rhs.name == GEOMETRY:
            name, other = converse, _literal_geometry(lhs)
        else:
            left, right = _literal_geometry(lhs), _literal_geometry(rhs)
            return self._constant(bool(getattr(shapely, forward)(left, right)))
        found = getattr(shapely, name)(self.geometries, other)
        return self._bool(np.asarray(found, dtype=bool))


def _like_regex(pattern: str) -> re.Pattern:
    """A LIKE pattern as a regular expression."""
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL)


def _literal_geometry(node):
    """A shapely geometry from a WKT literal or BBOX(west, south, east, north) in CRS84."""
    if isinstance(node, values.Geometry | values.Envelope):
        return shapely.geometry.shape(node.geometry)
    if isinstance(node, ast.Function) and node.name.lower() == "bbox":
        numbers = node.arguments
        if len(numbers) == 6:
            numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
        if len(numbers) != 4 or not all(isinstance(n, int | float) for n in numbers):
            raise _bad("error.filter_unsupported", what="BBOX with other than 4 or 6 numbers")
        return shapely.box(*numbers)
    raise _bad("error.filter_spatial")


def evaluate(
    node: ast.Node, frame: pd.DataFrame, geometries: np.ndarray, types: Mapping[str, str]
) -> np.ndarray:
    """Where a filter is TRUE for each feature (unknown counts as not kept); geometries holds
    each row's shapely geometry, types each queryable's JSON type."""
    truth = _Evaluator(frame, geometries, types).condition(node)
    return truth.fillna(False).to_numpy(dtype=bool)
