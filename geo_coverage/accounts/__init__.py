"""Who may do what: users with roles, API tokens, the audit log and the instance's secret key,
kept in an SQLite file in the instance folder; plain data, no Flask.

May import: nothing of the other layers (config, errors only).
"""
