"""Data tables shipped with the code (packaged as geo_coverage.data)."""
