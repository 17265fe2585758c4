"""Enrollment figures: the table format and its validation, the versioned store (rows,
provenance, evidence, uncertainty), imports, targets, and the modelled sample calibrated to
the published figures (anchors, series, pattern, segments, sample; validation measures its
errors; build.py writes it all into the store).

May import: sources.
"""
