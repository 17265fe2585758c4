"""Boundary shapes: parse the dumps, repair, check, simplify for display, read an office's own
boundaries, and write shapes/ (build.py). The serving side reads shapes/ through shapes.py only.

May import: sources.
"""
