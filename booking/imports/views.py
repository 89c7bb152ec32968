"""CSV import pages for coordinators: one upload page per kind, a template file, and each import's
page (a background job: progress, then the result, errors or the one download of generated passwords)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from booking.accounts.models import Role
from booking.extensions import db
from booking.imports.kinds import KINDS
from booking.imports.csvfile import FileRejected, write_table
from booking.imports.jobs import start_queued, status_json, submit_import, take_passwords
from booking.imports.models import ImportJob
from booking.imports.services import ImportKind
from booking.permissions import can_see_import_job, role_required
from booking.texts import lazy_gettext as _l

bp = Blueprint("imports", __name__, url_prefix="/admin/import")

# A long error table helps nobody: the first ones show what to fix.
MAX_ERRORS_SHOWN = 200


class UploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import."))],
                     render_kw={"accept": ".csv,text/csv"})


def _kind_or_404(key: str) -> ImportKind:
    if key not in KINDS:
        abort(404)
    return KINDS[key]


@bp.get("/")
@role_required(Role.COORDINATOR)
def index():
    return render_template("admin/import.html", kinds=KINDS.values())


@bp.get("/<kind>/template.csv")
@role_required(Role.COORDINATOR)
def template(kind: str):
    spec = _kind_or_404(kind)
    return _csv_download(write_table(spec.header, [spec.example_row()]), f"{spec.key}-template.csv")


def _csv_download(text: str, filename: str) -> Response:
    return Response(text.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _own_job_or_404(job_id: int) -> ImportJob:
    """A job is seen by the coordinator who uploaded its file only (its page offers their passwords)."""
    job = db.session.get(ImportJob, job_id)
    if job is None or not can_see_import_job(current_user, job):
        abort(404)
    return job


@bp.route("/<kind>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def upload(kind: str):
    """GET: the form. POST: queue the file as a job and show its page; the same file again shows the
    first job (a double click or a second tab imports once)."""
    spec = _kind_or_404(kind)
    form = UploadForm()
    context = {"kind": spec, "form": form, "max_rows": current_app.config["CSV_MAX_ROWS"]}
    if not form.validate_on_submit():
        return render_template("admin/import_upload.html", **context), 422 if form.errors else 200
    upload_file = form.file.data
    try:
        job, created = submit_import(spec, upload_file.read(), upload_file.filename or "", current_user,
                                     current_app.config["CSV_MAX_ROWS"])
    except FileRejected as rejected:
        form.file.errors = [rejected.message]
        return render_template("admin/import_upload.html", **context), 422
    db.session.commit()  # the worker reads the job from the database: committed before it starts
    start_queued(current_app._get_current_object(), job, created, KINDS)
    if not created:
        flash(_("This file was sent already: this is its import, nothing was imported twice."), "info")
    return redirect(url_for("imports.job_page", job_id=job.id), 303)


@bp.get("/jobs/<id:job_id>")
@role_required(Role.COORDINATOR)
def job_page(job_id: int):
    job = _own_job_or_404(job_id)
    spec = _kind_or_404(job.kind)
    generated = json.loads(job.generated_json or "[]")
    return render_template("admin/import_job.html", job=job, kind=spec, errors=json.loads(job.errors_json or "[]"),
                           generated_count=len(generated), passwords_form=FlaskForm())


@bp.get("/jobs/<id:job_id>/status")
@role_required(Role.COORDINATOR)
def job_status(job_id: int):
    """For the page's progress bar (static/js/import-progress.js)."""
    response = jsonify(status_json(_own_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/jobs/<id:job_id>/passwords.csv")
@role_required(Role.COORDINATOR)
def job_passwords(job_id: int):
    """The generated passwords, once: a POST (a link preview or prefetch cannot use them up)."""
    job = _own_job_or_404(job_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    generated = take_passwords(job)
    if generated is None:
        flash(_("The generated passwords were downloaded already; they cannot be shown again."), "error")
        return redirect(url_for("imports.job_page", job_id=job.id), 303)
    text = write_table(["email", "display_name", "password"], [list(entry) for entry in generated])
    response = _csv_download(text, f"generated-passwords-{job.id}.csv")
    response.headers["Cache-Control"] = "no-store"
    return response
