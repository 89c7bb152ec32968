import pytest
from flask import request

from booking import create_app
from booking.config import ConfigError, from_environment, normalise_database_url


def test_defaults_use_sqlite_under_instance_and_keep_a_generated_secret(tmp_path):
    first = from_environment({}, tmp_path)
    second = from_environment({}, tmp_path)
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'district.db'}"
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 32
    assert first["DISTRICT_TIMEZONE"] == "Asia/Shanghai"


def test_production_requires_a_secret_key(tmp_path):
    with pytest.raises(ConfigError):
        from_environment({"FLASK_ENV": "production"}, tmp_path)
    config = from_environment({"APP_ENV": "production", "SECRET_KEY": "s" * 40}, tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_redirect_targets():
    from booking.urls import safe_next_url

    assert safe_next_url("/resources/?q=1") == "/resources/?q=1"
    for bad in (None, "", "//evil", "http://evil", "/\\evil", "evil"):
        assert safe_next_url(bad) is None


def test_calendar_fetch_allow_list_is_read_from_a_comma_separated_list(tmp_path):
    assert from_environment({}, tmp_path)["ICS_FETCH_ALLOWED_HOSTS"] == []
    config = from_environment({"ICS_FETCH_ALLOWED_HOSTS": " Calendar.JYJ.local, 10.0.0.5 ,,"}, tmp_path)
    assert config["ICS_FETCH_ALLOWED_HOSTS"] == ["calendar.jyj.local", "10.0.0.5"]


def test_trusted_proxies_must_be_a_small_whole_number(tmp_path):
    assert from_environment({"TRUSTED_PROXIES": "1"}, tmp_path)["TRUSTED_PROXIES"] == 1
    for bad in ("x", "-1", "9"):
        with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
            from_environment({"TRUSTED_PROXIES": bad}, tmp_path)


@pytest.mark.parametrize("proxies, seen", [(0, "10.0.0.9"), (1, "203.0.113.7")])
def test_behind_a_trusted_proxy_the_teachers_address_is_the_forwarded_one(tmp_path, proxies, seen):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                      "TRUSTED_PROXIES": proxies})
    app.add_url_rule("/_address", "address", lambda: request.remote_addr)
    response = app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.7"},
                                     environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.get_data(as_text=True) == seen
