"""Migration 0010k: a one-district database from 0009w becomes a county of one district, losing nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from booking import create_app
from booking.extensions import db

NOW = "2026-11-20 08:00:00"


def _one_district_at_0009w() -> None:
    rows = [
        "INSERT INTO districts (id, name, created_at) VALUES (1, '新天学区', :now)",
        "INSERT INTO schools (id, district_id, code, name, stage, enrollment, is_lead, is_weak, area, address, active,"
        " district_owned) VALUES (1, 1, 'XT01', '新天寄宿制小学', 'primary', 900, true, false, '上片', '',"
        " true, false)",
        "INSERT INTO users (id, email, display_name, password_hash, school_id, role, area, locale, active, created_at)"
        " VALUES (1, 'head@example.cn', '学区长', 'x', NULL, 'coordinator', '', 'zh_CN', true, :now),"
        " (2, 'area@example.cn', '包片', 'x', 1, 'coordinator', '上片', 'zh_CN', true, :now)",
        "INSERT INTO resources (id, owner_school_id, name, kind, category, subject, location, description, stock,"
        " sharing, approval_required, active, created_at, updated_at) VALUES (1, 1, '体育馆', 'facility', 'gym', '',"
        " '', '', 1, 'district', false, true, :now, :now)",
    ]
    for statement in rows:
        db.session.execute(text(statement), {"now": NOW})
    db.session.commit()


def test_a_one_district_database_becomes_a_county_of_one(empty_database_url):
    from flask_migrate import downgrade, upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade(revision="0009w")
        _one_district_at_0009w()
        upgrade()
        counties = db.session.execute(text("SELECT id, name FROM counties")).all()
        assert [name for _id, name in counties] == ["新天学区所在县"]
        assert db.session.execute(text("SELECT id, name, county_id FROM districts")).all() == [
            (1, "新天学区", counties[0][0])]
        assert db.session.execute(text("SELECT code, district_id FROM schools")).all() == [("XT01", 1)]
        # Every coordinator keeps their scope: the one without an area now heads the county (of one).
        assert db.session.execute(text("SELECT email, area, district_id FROM users ORDER BY id")).all() == [
            ("head@example.cn", "", None), ("area@example.cn", "上片", None)]
        assert db.session.execute(text("SELECT name, sharing FROM resources")).all() == [("体育馆", "district")]
        db.session.execute(text("UPDATE resources SET sharing = 'county'"))
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE resources SET sharing = 'province'"))
            db.session.commit()
        db.session.rollback()
        downgrade(revision="0009w")
        assert "counties" not in inspect(db.engine).get_table_names()
        assert db.session.execute(text("SELECT name, sharing FROM resources")).all() == [("体育馆", "district")]
        db.session.commit()
        upgrade()
        assert db.session.execute(text("SELECT count(*) FROM districts WHERE county_id IS NOT NULL")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
