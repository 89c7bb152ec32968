"""The layout the code promises: imports point downwards, pure modules touch no session and no
request, and every package opens with a map of its modules."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "booking"

# A package may import the ones below it, never one above.
# Resources and bookings are one layer: a booking names its resource, a resource edit settles its bookings.
# Quotas (windows and term quotas) too: a booking counts against them under its lock.
LAYERS = [
    {"schools", "audit", "accounts"},
    {"resources", "bookings", "quotas"},
    {"teachers", "calendars", "waitlist"},
    {"reports", "digests", "notifications", "imports", "seed", "api", "password_reset", "sso",
     "audit_log"},
    {"home"},
]
PURE = [  # one a line, so that branches adding pure modules merge
    "accounts/throttle.py",
    "allocation/access.py",
    "allocation/cpsat_model.py",
    "allocation/greedy.py",
    "allocation/solver.py",
    "allocation/solver_types.py",
    "bookings/rules/closed.py",
    "bookings/rules/engine.py",
    "bookings/rules/recurrence.py",
    "bookings/rules/teachers.py",
    "bookings/rules/types.py",
    "bookings/web/form_input.py",
    "bookings/web/grid.py",
    "calendars/ical.py",
    "calendars/ics_import.py",
    "calendars/shaping.py",
    "imports/rows.py",
    "notifications/formats.py",
    "parsing.py",
    "reports/equity.py",
    "reports/opening.py",
    "resources/reshape.py",
    "resources/rules.py",
    "schools/rules.py",
    "sso/profile.py",
    "sso/settings.py",
    "teachers/plan_model.py",
    "teachers/plan_rounds.py",
    "teachers/planner.py",
    "teachers/rules.py",
]
IMPURE_IMPORTS = ("booking.extensions", "flask", "sqlalchemy")


def layer_of(package: str) -> int | None:
    return next((i for i, names in enumerate(LAYERS) if package in names), None)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def package_modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if len(parts) > 1:
            yield parts[0], path


@pytest.mark.parametrize("package,path", list(package_modules()), ids=lambda v: str(v)[-60:])
def test_imports_point_downwards(package, path):
    own = layer_of(package)
    if own is None:
        return
    upward = [m for m in imported_modules(path) if m.startswith("booking.")
              and (layer := layer_of(m.split(".")[1])) is not None and layer > own]
    assert upward == [], f"{path.relative_to(ROOT)} imports a package above it"


@pytest.mark.parametrize("relative", PURE)
def test_pure_modules_touch_neither_session_nor_request(relative):
    impure = [m for m in imported_modules(ROOT / relative) if m.startswith(IMPURE_IMPORTS)]
    assert impure == []


@pytest.mark.parametrize("package", sorted({p.parent for p in ROOT.rglob("*.py") if p.parent != ROOT
                                            and p.parent.name not in {"translations", "__pycache__"}}),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_package_opens_with_a_map_of_its_modules(package):
    init = package / "__init__.py"
    assert init.exists()
    docstring = ast.get_docstring(ast.parse(init.read_text())) or ""
    modules = [p.stem for p in package.glob("*.py") if p.stem != "__init__"]
    modules += [p.name for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    unmentioned = [m for m in modules if f"``{m}" not in docstring and f"``{m}/" not in docstring]
    assert unmentioned == [], f"{package.name}/__init__.py does not say what these are"
