"""Backups of the whole database, and restoring one into an empty database.

- ``cli``: ``flask --app wsgi backup create [PATH]`` and ``backup restore PATH`` (``make backup``);
- ``sqlite``: the online backup API (``sqlite3.Connection.backup``), a consistent copy while the app writes;
- ``postgres``: ``pg_dump``/``pg_restore`` in custom format, the password in ``PGPASSWORD``, never on the
  command line;
- ``target``: where a new backup goes by default, and whether a database is empty (restore refuses otherwise).
"""
