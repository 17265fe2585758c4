"""Coverage metrics: computation on counts (sum, then divide), the data_source rule
(labels), the likely range of modelled coverage (uncertainty), the cached dataset the
serving side reads, and the summary tables.

May import: sources, enrollment (never its build module).
"""
