"""The geo-coverage command: build, serve, import, rollback, history, summary.

May import: everything.
"""
