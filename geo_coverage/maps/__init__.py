"""Maps: the view state of a request, classification and colours, the view model the pages
draw, the static images (PNG, SVG, PDF) and the offline map file. Plain functions, no Flask.

May import: metrics, gis.features, sources.
"""
