"""All-or-nothing CSV imports of schools, resources and users, with each domain's own checks.

- ``services``: check every row first, then save all or nothing; ``rows`` (pure): typed values of a row.
- ``schools``, ``resources``, ``users``: each kind's import; ``kinds``: them by key; ``csvfile``: reading
  uploads, writing CSV for Excel.
- ``models``, ``jobs``: an upload as a background job (queued once per file, claimed once, run by a
  worker thread or the scheduler, progress and one download of generated passwords).
- ``views``: the upload pages, template files and each import's page with its progress.
"""
