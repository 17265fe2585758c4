"""Public inputs: the pinned upstream files (mirror or download, sha256-checked), the SQL
dump reader, the reference tables (areas, population) and the published figures.

Imports nothing of geo_coverage but config, errors and package_files.
"""
