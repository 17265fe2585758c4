"""Maps: the view state of a request, classification and colours, the view model the pages
draw, and static images. Plain functions, no Flask.

May import: metrics, gis.features, sources.
"""
