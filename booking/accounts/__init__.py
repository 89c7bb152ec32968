"""People who sign in: accounts, passwords, sessions, API tokens and the sign-in limits.

- ``models``: users, API tokens, sign-in counters; ``passwords``: hashing and the password rule.
- ``checks``: what an account may hold (fields, a coordinator's district and area, the staff number).
- ``services``: creating users, signing in under the limits, changing passwords, tokens (they flush).
- ``throttle``: the sign-in limits as pure rules; ``login_limits``: their counters in the database.
- ``views``: sign in and out, profile, password, personal tokens; ``admin_views``: the coordinator's user list.
- ``forms``: the pages' forms; ``cli``: ``flask users create|token``.
"""
