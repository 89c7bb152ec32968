"""The audit log viewer: every change, newest first, for coordinators and school admins.

- ``queries``: the filters (person, school, resource, booking, action, dates) and the one query the page,
  the CSV file and the API share, narrowed by ``permissions.visible_audit_entries_clause``;
- ``describe``: an entry's action and details as words (zh_CN / en), and its CSV row;
- ``views``: the page (``audit_log.index``) and its CSV export (``audit_log.export``).

A booking's page links to ``audit_log.index`` with ``booking=<id>``: its history.
"""
