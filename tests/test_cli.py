"""`flask --app wsgi users create|token`: accounts and API tokens from the command line."""
from booking.accounts.models import Role, User
from booking.audit.models import AuditEntry
from booking.extensions import db
from tests import factories


def run(app, *args, **kw):
    return app.test_cli_runner().invoke(args=list(args), **kw)


def create(app, email, *extra):
    return run(app, "users", "create", email, "--name", "王老师", "--password", "secret-pass", *extra)


def test_create_teacher(app):
    school = factories.school(code="XT01")
    result = create(app, "Wang@Example.cn", "--school", "XT01", "--role", "teacher")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "wang@example.cn"))
    assert user.school_id == school.id and user.role == Role.TEACHER and user.display_name == "王老师"
    assert "wang@example.cn" in result.output
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.create")) is not None


def test_create_coordinator_without_school(app):
    assert create(app, "coord@example.cn", "--role", "coordinator").exit_code == 0
    assert db.session.scalar(db.select(User).where(User.email == "coord@example.cn")).school_id is None


def test_duplicate_email_fails_naming_the_field(app):
    existing = factories.user()
    result = create(app, existing.email.upper(), "--school", existing.school.code)
    assert result.exit_code != 0 and "email" in result.stderr
    assert db.session.query(User).count() == 1


def test_unknown_school_code_fails_naming_the_field(app):
    result = create(app, "new@example.cn", "--school", "NOPE", "--role", "school_admin")
    assert result.exit_code != 0 and "school" in result.stderr and "NOPE" in result.stderr
    assert db.session.query(User).count() == 0


def test_unknown_role_is_refused(app):
    factories.school(code="XT02")
    result = create(app, "new@example.cn", "--school", "XT02", "--role", "principal")
    assert result.exit_code != 0 and "principal" in result.output
    assert db.session.query(User).count() == 0


def test_password_can_be_typed_at_the_prompt(app):
    factories.school(code="XT03")
    result = run(app, "users", "create", "typed@example.cn", "--name", "李老师", "--school", "XT03",
                 input="long-enough-pass\nlong-enough-pass\n")
    assert result.exit_code == 0, result.output
    assert "long-enough-pass" not in result.stdout.replace("Password", "")


def test_token_prints_a_token_that_authenticates(app, client):
    teacher = factories.user()
    result = run(app, "users", "token", teacher.email)
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response.get_json()["email"] == teacher.email


def test_token_for_unknown_email_fails(app):
    result = run(app, "users", "token", "nobody@example.cn")
    assert result.exit_code != 0 and "nobody@example.cn" in result.stderr
