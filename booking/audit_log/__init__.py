"""The audit log viewer: every change, newest first, for coordinators and school admins.

- ``queries``: the filters (person, school, resource, booking, action, dates) and the one query the page,
  the CSV file and the API share, narrowed by ``permissions.visible_audit_entries_clause``;
- ``describe``: an entry's action as words (zh_CN / en), its details through ``details``, and its CSV row;
- ``details``: the stored details said for a reader (keys translated, local times, names for codes and ids);
- ``views``: the page (``audit_log.index``) and its CSV export (``audit_log.export``).

A booking's page links to ``audit_log.index`` with ``booking=<id>``: its history.
"""
