import pytest

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
