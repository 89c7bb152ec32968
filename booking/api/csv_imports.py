"""The CSV imports (schools, resources, users) through the API: upload a file as a job, then poll it.

The page's upload (booking.imports.views) the same way (``jobs.submit_import``, committed here, then
``jobs.start_queued``): the file is checked as a file at once (a 422 naming ``file``), queued as a background
job and answered 202 with the job and its address (``Location``); the same file sent again answers the first
job (``created`` false), nothing imported twice. ``GET /imports/jobs/<id>`` is the job's progress and, when it
ends, its outcome: every row imported, or none with the rows' errors. Coordinators (each within their scope);
a job is seen by the coordinator who uploaded it only (``can_see_import_job``). Generated passwords are never
sent here: they are downloaded once on the job's page.
"""
from __future__ import annotations

import json

from flask import abort, current_app, g, jsonify, request, url_for

from booking.accounts.models import Role
from booking.api import bp
from booking.api.core import declared_query_values
from booking.api.openapi import operation
from booking.api.params import TextParam
from booking.api.shapes import Shape, boolean, choice, identifier, instant, many, text, typed
from booking.api.uploads import Upload
from booking.errors import json_error
from booking.extensions import db
from booking.imports.csvfile import FileRejected
from booking.imports.jobs import start_queued, submit_import
from booking.imports.kinds import KINDS
from booking.imports.models import ImportJob, ImportStatus
from booking.permissions import can_see_import_job
from booking.validation import ValidationFailed

COUNT = {"type": "integer", "minimum": 0}
ROW_ERROR = Shape(None, {"row": typed({"type": "integer", "minimum": 1, "description": "The header is row 1."}),
                         "column": text(), "message": text()})
IMPORT_JOB = Shape("ImportJob", {
    "id": identifier(),
    "kind": typed({"type": "string", "enum": list(KINDS)}),
    "filename": text(),
    "status": choice(ImportStatus, description="queued, running, done (every row imported) or failed (none)."),
    "finished": boolean(),
    "percent": typed({"type": "integer", "minimum": 0, "maximum": 100}),
    "steps_done": typed(COUNT),
    "steps_total": typed(COUNT),
    "imported": typed(COUNT, "imported_count"),
    "error_count": typed(COUNT, description="Rows refused (failed jobs); `row_errors` lists the first 200."),
    "row_errors": many(ROW_ERROR, lambda job: json.loads(job.errors_json or "[]")),
    "message": text(description="Why a failed file could not be imported as a whole."),
    "generated_passwords": typed(COUNT, lambda job: len(json.loads(job.generated_json or "[]")),
                                 description="Accounts given a generated password: download them once on the "
                                             "job's page."),
    "created_at": instant(),
    "finished_at": instant(nullable=True),
})
QUEUED = IMPORT_JOB.extended("ImportJobQueued", {
    "created": boolean(lambda queued: queued["created"],
                       description="false: this file was sent already, this is its job (nothing imported twice)."),
}, under="job")
UPLOAD = Upload(("text/csv",), "A CSV file (UTF-8 or GBK, as Excel saves it) with the template's header row.")
FILENAME = TextParam("filename", "The file's name for a raw body (.csv or .txt); a multipart part carries its own.",
                     default="upload.csv", max_length=255)


def _job_url(job: ImportJob) -> str:
    return url_for("api.import_job", job_id=job.id)


@bp.post("/imports/<kind>")
@operation("Upload a CSV import (schools, resources or users) as a background job", response=QUEUED.ref,
           query=(FILENAME,), upload=UPLOAD, role=Role.COORDINATOR, status=202,
           description="`kind`: schools, resources or users (the template files are on the import page). "
                       "Answers 202 with the job and `Location`: poll GET /imports/jobs/{job_id}. A file that "
                       "cannot be read (not CSV, wrong header, too many rows) answers 422 naming `file`. Rows "
                       "beyond your scope (another district's schools …) fail the job with their errors.")
def upload_import(kind: str):
    spec = KINDS.get(kind)
    if spec is None:
        abort(json_error(404, f"No such import: choose one of {', '.join(KINDS)}."))
    values = declared_query_values()
    uploaded = UPLOAD.read(request)
    try:
        job, created = submit_import(spec, uploaded.data, uploaded.filename or values["filename"], g.api_user,
                                     current_app.config["CSV_MAX_ROWS"])
    except FileRejected as rejected:
        raise ValidationFailed({"file": rejected.message}) from None
    db.session.commit()  # the worker reads the job from the database: committed before it starts
    start_queued(current_app._get_current_object(), job, created, KINDS)
    return jsonify(QUEUED.dump({"job": job, "created": created})), 202, {"Location": _job_url(job)}


@bp.get("/imports/jobs/<id:job_id>")
@operation("A CSV import's job: progress, then every row imported or none", response=IMPORT_JOB.ref,
           role=Role.COORDINATOR, description="Only the coordinator who uploaded the file sees its job.")
def import_job(job_id: int):
    job = db.session.get(ImportJob, job_id)
    if job is None or not can_see_import_job(g.api_user, job):
        abort(404)
    response = jsonify(IMPORT_JOB.dump(job))
    response.headers["Cache-Control"] = "no-store"
    return response
