"""学区共享 (District Share): the application factory."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from booking import config as config_module
from booking import db_setup  # noqa: F401  (SQLite pragmas on every connection)
from booking import ids, request_guards
from booking.extensions import babel, csrf, db, login_manager, migrate
from booking.unit_of_work import RequestUnitOfWork

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app. Never starts the scheduler: that runs as its own process."""
    app = RequestUnitOfWork(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(config_module.from_environment(instance_path=Path(app.instance_path)))
    if config:
        app.config.from_mapping(config)

    if app.config.get("TRUSTED_PROXIES"):
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _init_extensions(app)
    ids.register(app)
    request_guards.register(app)
    _register_blueprints(app)
    _register_cli(app)
    _connect_packages()

    from booking import errors, security_headers, static_assets, web

    from booking import notifications

    notifications.init_app(app)
    errors.register(app)
    security_headers.register(app)
    static_assets.register(app)
    web.register(app)
    return app


def _connect_packages() -> None:
    """Hand lower packages what the higher ones provide, so imports only point downwards."""
    from booking.bookings import queries
    from booking.teachers.snapshots import teacher_snapshot

    queries.register_teacher_snapshot(teacher_snapshot)


def _init_extensions(app: Flask) -> None:
    from booking import i18n, waitlist

    _import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=str(PROJECT_ROOT / "booking" / "translations"),
    )
    i18n.register(app)
    waitlist.init_app(app)


def _import_models() -> None:
    """Every model module, so Alembic and relationships see the whole schema."""
    from booking.accounts import models as _accounts  # noqa: F401
    from booking.allocation import models as _allocation  # noqa: F401
    from booking.audit import models as _audit  # noqa: F401
    from booking.bookings import models as _bookings  # noqa: F401
    from booking.calendars import models as _calendars  # noqa: F401
    from booking.digests import models as _digests  # noqa: F401
    from booking.imports import models as _imports  # noqa: F401
    from booking.notifications import models as _notifications  # noqa: F401
    from booking.quotas import models as _quotas  # noqa: F401
    from booking.resources import models as _resources  # noqa: F401
    from booking.schools import models as _schools  # noqa: F401
    from booking.sso import models as _sso  # noqa: F401
    from booking.teachers import models as _teachers  # noqa: F401
    from booking.waitlist import models as _waitlist  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from booking.accounts.admin_views import bp as users_admin_bp
    from booking.accounts.views import bp as accounts_bp
    from booking.allocation.views import bp as allocation_bp
    from booking.audit_log.views import bp as audit_log_bp
    from booking.api import bp as api_bp
    from booking.calendars.views import bp as calendars_bp
    from booking.digests.views import bp as digests_bp
    from booking.password_reset import bp as password_reset_bp
    from booking.notifications.views import bp as notifications_bp
    from booking.bookings.web import bp as bookings_bp
    from booking.imports.views import bp as imports_bp
    from booking.quotas.views import bp as quotas_bp
    from booking.reports.county_views import bp as county_reports_bp
    from booking.reports.views import bp as reports_bp
    from booking.resources.views import bp as resources_bp
    from booking.schools.views import bp as schools_bp
    from booking.sso.views import bp as sso_bp
    from booking.teachers.views import bp as teachers_bp
    from booking.waitlist.views import bp as waitlist_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(schools_bp)
    app.register_blueprint(resources_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(calendars_bp)
    app.register_blueprint(users_admin_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(bookings_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(county_reports_bp)
    app.register_blueprint(digests_bp)
    app.register_blueprint(teachers_bp)
    app.register_blueprint(waitlist_bp)
    app.register_blueprint(password_reset_bp)
    app.register_blueprint(allocation_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(quotas_bp)
    app.register_blueprint(sso_bp)
    app.register_blueprint(audit_log_bp)


def _register_cli(app: Flask) -> None:
    from booking.accounts.cli import users_cli
    from booking.backup.cli import backup_cli
    from booking.digests.cli import digests_cli, scheduler_command
    from booking.seed import seed_demo_command

    app.cli.add_command(users_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(digests_cli)
    app.cli.add_command(scheduler_command)
