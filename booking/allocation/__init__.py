"""Term allocation rounds (学期初统筹分配): contested weekly slots shared out for equity, not first come.

- ``models``: rounds and the weekly requests submitted to them; ``forms``: the pages' forms.
- ``solver`` (pure, OR-Tools CP-SAT): which request gets which weekly slot — most requests served,
  then the lowest shared-access CV, weak schools first on ties; its stages run the model of ``cpsat_model``
  (pure: the variables and constraints, the spread objective, the tie-break weights).
- ``solver_types`` (pure): the solver's input (schools, requests, candidates, resources, quotas) and answer.
- ``greedy`` (pure): first come first served and random order on the same candidates (the comparisons).
- ``access`` (pure): what chosen candidates mean for equity (shared minutes, access per 100 pupils, the CV).
- ``problem``: a round's requests as the solver's problem, every candidate slot checked by the booking rules.
- ``services``: opening a round, submitting, previewing against first-come-first-served, committing
  the answer as series in one transaction; ``views``: the round list, a round, the coordinator's preview.
"""
