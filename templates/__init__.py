"""Jinja templates of the pages (packaged as geo_coverage.web.templates)."""
