"""Enrollment figures: the table format and its validation, the versioned store, imports,
targets, and the modelled sample (build.py writes it into a new store).

May import: sources.
"""
