"""Coverage metrics: computation on counts (sum, then divide), the cached dataset the
serving side reads, and the summary tables.

May import: sources, enrollment (never its build module).
"""
