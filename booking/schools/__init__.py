"""The district and its schools: bell times, travel between campuses, terms and closures.

- ``models``: district, schools, bell periods, travel times, terms, closures.
- ``services``: schools and bells; ``travel``: the travel matrix between campuses; ``calendar``: terms and closures.
- ``rules`` (pure): school codes, bell schedules, travel keys.
- ``makeup``: make-up teaching days (调休上课 / 补班), dates taught like a named weekday.
- ``views`` and ``forms``: the coordinator's administration pages; ``makeup_views``: the make-up days' pages;
  ``places``: where a closure or a make-up day applies (a school, a district, the county), in the pages' words.
"""
