"""All-or-nothing CSV imports of schools, resources and users, with each domain's own checks.

- ``services``: check every row first, then save all or nothing; ``rows`` (pure): typed values of a row.
- ``schools``, ``resources``, ``users``: each kind's import; ``csvfile``: reading uploads, writing CSV for Excel.
- ``views``: the upload pages, template files and results.
"""
