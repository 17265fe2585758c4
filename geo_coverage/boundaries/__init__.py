"""Boundary shapes: parse the dumps, repair (overlaps, gaps: gaps.py; districts nested in their
regencies: nesting.py), check, simplify for display, read an office's own boundaries, and write
shapes/ (build.py). The serving side reads shapes/ through shapes.py only.

May import: sources.
"""
