"""Term allocation rounds (学期初统筹分配): contested weekly slots shared out for equity, not first come.

- ``models``: rounds and the weekly requests submitted to them; ``forms``: the pages' forms.
- ``solver`` (pure, OR-Tools CP-SAT): which request gets which weekly slot — most requests served,
  then the lowest shared-access CV, weak schools first on ties.
- ``problem``: a round's requests as the solver's problem, every candidate slot checked by the booking rules.
- ``services``: opening a round, submitting, previewing against first-come-first-served, committing
  the answer as series in one transaction; ``views``: the round list, a round, the coordinator's preview.
"""
