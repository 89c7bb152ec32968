"""Configuration read from the environment.

The embedded default is a SQLite file under ``instance/`` and a secret key generated
once and kept beside it, so ``make run`` works on a fresh machine. Production
(``FLASK_ENV=production`` or ``APP_ENV=production``) must name its own SECRET_KEY.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from booking.sso import settings as sso_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"


class ConfigError(RuntimeError):
    """Raised at start-up when the environment cannot make a working app."""


def is_production(env: dict) -> bool:
    return "production" in (env.get("FLASK_ENV", ""), env.get("APP_ENV", ""))


def normalise_database_url(url: str) -> str:
    """Let people paste the URL their PostgreSQL host gives them; we speak psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key_from(env: dict, instance_path: Path) -> str:
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    if is_production(env):
        raise ConfigError("SECRET_KEY must be set in production (FLASK_ENV/APP_ENV=production).")
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def host_list(value: str) -> list[str]:
    """``"a.example.cn, 10.1.2.3"`` → ``["a.example.cn", "10.1.2.3"]`` (lower case, blanks dropped)."""
    return [host.strip().lower() for host in value.split(",") if host.strip()]


def proxy_count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = -1
    if not 0 <= count <= 5:
        raise ConfigError(f"TRUSTED_PROXIES must be a whole number from 0 to 5 (proxies in front of the app), "
                          f"not {value!r}.")
    return count


def web_threads(value: str) -> int:
    """Threads per gunicorn worker (WEB_THREADS; 1: sync workers). gunicorn.conf.py reads the same variable."""
    try:
        threads = int(value)
    except ValueError:
        threads = 0
    if not 1 <= threads <= 64:
        raise ConfigError(f"WEB_THREADS must be a whole number from 1 to 64 (threads per worker), not {value!r}.")
    return threads


def engine_options(database_url: str, threads: int) -> dict:
    """The connection pool of one worker process, sized for the requests it serves at once: one connection
    per thread, plus one for the short transactions beside a request's own (an API token's last use, a CSV
    import's thread), as many again in a burst; a request waits at most 10 s for one. A pooled connection the
    database has dropped (restart, failover, idle timeout) is replaced on checkout instead of failing the next
    request of every worker. SQLite keeps SQLAlchemy's own pool."""
    options: dict = {"pool_pre_ping": True}
    if not database_url.startswith("sqlite"):
        options.update(pool_size=threads + 1, max_overflow=threads + 1, pool_timeout=10)
    return options


def offer_minutes(value: str) -> int:
    try:
        minutes = int(value)
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= 24 * 60:
        raise ConfigError(f"WAITLIST_OFFER_MINUTES must be whole minutes from 1 to 1440, not {value!r}.")
    return minutes


def whole_number(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {value!r}.")
    return number


def from_environment(env: dict | None = None, instance_path: Path | None = None) -> dict:
    env = dict(os.environ if env is None else env)
    instance_path = Path(instance_path or DEFAULT_INSTANCE_PATH)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'district.db'}"
    return {
        "SECRET_KEY": secret_key_from(env, instance_path),
        "SECRET_KEY_FALLBACKS": [key.strip() for key in env.get("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()],
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(normalise_database_url(database_url),
                                                    web_threads(env.get("WEB_THREADS", "1"))),
        "DISTRICT_TIMEZONE": env.get("DISTRICT_TIMEZONE", "Asia/Shanghai"),
        "DISTRICT_NAME": env.get("DISTRICT_NAME", "新天学区"),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "SUPPORTED_LOCALES": ["zh_CN", "en"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": is_production(env),
        "REMEMBER_COOKIE_SECURE": is_production(env),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        # Sign-in limits (booking.accounts.throttle): free failures per email at one address before
        # growing delays; failures per address for every email together (a school behind one NAT).
        "LOGIN_MAX_FAILURES": int(env.get("LOGIN_MAX_FAILURES", "5")),
        "PASSWORD_RESET_MINUTES": int(env.get("PASSWORD_RESET_MINUTES", "60")),  # how long a reset link works
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(env.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "200")),
        "LOGIN_WINDOW_MINUTES": int(env.get("LOGIN_WINDOW_MINUTES", "15")),
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "CSV_MAX_ROWS": 5000,
        # A CSV import runs in a thread the upload starts; False leaves it to the scheduler's sweep.
        "IMPORT_WORKER_THREAD": True,
        "PREFERRED_URL_SCHEME": env.get("PREFERRED_URL_SCHEME", "http"),
        # Calendar import from a web address: only public servers, unless the host is listed here.
        "ICS_FETCH_ALLOWED_HOSTS": host_list(env.get("ICS_FETCH_ALLOWED_HOSTS", "")),
        # The district feed (booking.calendars.district): bookings starting from this many weeks back to this
        # many weeks ahead, at most this many events (a booking or a whole series each).
        "DISTRICT_FEED_WEEKS_BACK": whole_number("DISTRICT_FEED_WEEKS_BACK",
                                                 env.get("DISTRICT_FEED_WEEKS_BACK", "4"), 0, 52),
        "DISTRICT_FEED_WEEKS_AHEAD": whole_number("DISTRICT_FEED_WEEKS_AHEAD",
                                                  env.get("DISTRICT_FEED_WEEKS_AHEAD", "12"), 1, 52),
        "DISTRICT_FEED_MAX_EVENTS": whole_number("DISTRICT_FEED_MAX_EVENTS",
                                                 env.get("DISTRICT_FEED_MAX_EVENTS", "5000"), 1, 50000),
        # Group-robot webhooks (booking.notifications.channels): https to public servers only, unless listed here.
        "NOTIFY_WEBHOOK_ALLOWED_HOSTS": host_list(env.get("NOTIFY_WEBHOOK_ALLOWED_HOSTS", "")),
        # How many reverse proxies (nginx, a TLS terminator) stand in front of gunicorn: their
        # X-Forwarded-For/-Proto/-Host are believed, so sign-in limits count the teacher's address, not the proxy's.
        "TRUSTED_PROXIES": proxy_count(env.get("TRUSTED_PROXIES", "0")),
        # Digests (booking.digests): when, where links point, and SMTP (none: .eml files in instance/outbox/).
        "DIGEST_TIME": env.get("DIGEST_TIME", "21:00"),
        "PUBLIC_URL": env.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": env.get("MAIL_PORT", "587"),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "true").lower() in ("1", "true", "yes", "on"),
        "MAIL_FROM": env.get("MAIL_FROM", "District Share <digest@localhost>"),
        # The waitlist (booking.waitlist): how long an offer of a freed slot stays open.
        "WAITLIST_OFFER_MINUTES": offer_minutes(env.get("WAITLIST_OFFER_MINUTES", "30")),
        # Single sign-on (booking.sso): the OIDC, CAS and LDAP providers the SSO_* variables turn on.
        "SSO": sso_config(env),
    }


def sso_config(env: dict) -> sso_settings.SsoSettings:
    try:
        return sso_settings.from_environment(env, env.get("PUBLIC_URL", "http://127.0.0.1:5000"))
    except sso_settings.SettingsError as error:
        raise ConfigError(str(error)) from error
