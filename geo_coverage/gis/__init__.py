"""GIS outputs: the join of metrics and geometry (features), file exports, downloads, and the
OGC API – Features with its OpenAPI definition. Plain functions, no Flask.

May import: metrics, boundaries.shapes, sources, enrollment (read side).
"""
