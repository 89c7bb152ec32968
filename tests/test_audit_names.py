"""Every action the code audits has a name in the reader's language, and so has every kind of thing an entry
is about: the audit log never shows ``quota.set`` or ``ResourceBlackout`` as its only words."""
from __future__ import annotations

import ast
import pathlib

import pytest
from flask_babel import force_locale

import booking
from booking.accounts.models import Role
from booking.audit.services import record
from booking.audit_log import describe
from booking.extensions import db
from booking.imports import resources as resource_import
from booking.imports import schools as school_import
from booking.imports import users as user_import
from tests import factories
from tests.conftest import login

PACKAGE = pathlib.Path(booking.__file__).parent
IMPORT_KINDS = [resource_import.KIND.key, school_import.KIND.key, user_import.KIND.key]


def _module_constants(tree: ast.Module) -> dict[str, str]:
    return {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            for target in node.targets if isinstance(target, ast.Name)}


def _codes(node: ast.expr, constants: dict[str, str]) -> list[str]:
    """The action codes an argument of ``record`` can hold: a literal, either side of ``a if c else b``, a
    module constant, or ``f"import.{kind.key}"``; a plain variable is traced by ``_assigned_codes``."""
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _codes(node.body, constants) + _codes(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.JoinedStr) and ast.unparse(node) == "f'import.{kind.key}'":
        return [f"import.{key}" for key in IMPORT_KINDS]
    return []


def _assigned_codes(tree: ast.Module) -> list[str]:
    """Codes assigned to a variable named ``action`` or passed as ``action=`` (the term, closure and make-up
    day writers take their code from their callers)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "action" for t in node.targets):
            found += _codes(node.value, {})
        if isinstance(node, ast.Call):
            found += [code for kw in node.keywords if kw.arg == "action" for code in _codes(kw.value, {})]
            found += [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                      and arg.value.split(".")[0] in {"term", "closure", "makeup_day"} and "." in arg.value]
    return found


def recorded_codes() -> set[str]:
    codes = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _module_constants(tree)
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and len(node.args) >= 2
                 and getattr(node.func, "id", None) == "record"]
        for call in calls:
            codes.update(_codes(call.args[1], constants))
        if any(isinstance(call.args[1], ast.Name) and call.args[1].id == "action" for call in calls):
            codes.update(_assigned_codes(tree))
    return codes


def test_every_audited_action_has_a_name_and_every_name_an_action():
    codes = recorded_codes()
    assert {"booking.create", "quota.set", "user.sso_login", "import.users", "term.update", "closure.create",
            "makeup_day.update"} <= codes  # the scan itself finds the ways codes are written
    assert codes - describe.ACTION_NAMES.keys() == set()
    assert describe.ACTION_NAMES.keys() - codes == set()


def test_the_names_are_chinese_by_default_and_english_on_request(app):
    with app.test_request_context():
        assert describe.action_name("quota.set") == "设置配额"
        assert describe.entity_name("ResourceBlackout") == "停用时段"
        with force_locale("en"):
            assert describe.action_name("quota.set") == "Quota set"
    for code, name in describe.ACTION_NAMES.items():
        with app.test_request_context():
            assert str(name) != code
    assert describe.entity_name("Unheard") == "Unheard"  # an unknown type still says something


@pytest.mark.parametrize("entity", [("ResourceBlackout", 7), ("TermQuota", 3), ("Import", None)])
def test_the_chinese_audit_page_and_csv_name_the_action_and_the_thing(app, entity):
    coordinator = factories.user(role=Role.COORDINATOR)  # Chinese, the default
    code = {"ResourceBlackout": "blackout.delete", "TermQuota": "quota.set", "Import": "import.users"}[entity[0]]
    record(coordinator, code, entity, {"scope": "<b>x</b>"})
    db.session.commit()
    client = app.test_client()
    login(client, coordinator)
    page = client.get("/audit/").get_data(as_text=True)
    with app.test_request_context():
        action, thing = describe.action_name(code), describe.entity_name(entity[0])
    assert action in page and thing in page
    assert f">{entity[0]}" not in page and "<b>x</b>" not in page
    csv_text = client.get("/audit/export.csv").get_data(as_text=True)
    assert action in csv_text and thing in csv_text and code in csv_text  # the code stays, in its own column
