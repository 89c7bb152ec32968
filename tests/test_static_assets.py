"""Static files: fingerprinted URLs cached for a year, other URLs revalidated; answers compressed."""
import gzip

from booking.static_assets import fingerprint


def test_a_static_url_carries_the_fingerprint_of_its_content(app, client):
    with app.test_request_context():
        from flask import url_for
        url = url_for("static", filename="css/reports.css")
    version = fingerprint(app.static_folder, "css/reports.css")
    assert version and url.endswith(f"?v={version}")
    fresh = client.get(url)
    assert fresh.status_code == 200
    assert "max-age=31536000" in fresh.headers["Cache-Control"] and "immutable" in fresh.headers["Cache-Control"]
    old = client.get("/static/css/reports.css?v=0123456789ab")
    assert "immutable" not in old.headers.get("Cache-Control", "")


def test_fingerprints_stay_inside_the_static_folder(app):
    assert fingerprint(app.static_folder, "../booking/config.py") is None
    assert fingerprint(app.static_folder, "no/such/file.css") is None


def test_pages_and_json_travel_compressed_when_the_browser_accepts_it(client, login_as):
    from tests import factories
    login_as(factories.user())
    page = client.get("/resources/", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("Content-Encoding") == "gzip"
    assert "<html" in gzip.decompress(page.data).decode()
    plain = client.get("/resources/")
    assert "Content-Encoding" not in plain.headers and b"<html" in plain.data
