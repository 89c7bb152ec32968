"""CSV import pages for coordinators: one upload page per kind, a template file, the result."""
from __future__ import annotations

import base64

from flask import Blueprint, Response, abort, current_app, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from booking.accounts.models import Role
from booking.imports import resources, schools, users
from booking.imports.csvfile import FileRejected, write_table
from booking.imports.services import ImportKind, run_import
from booking.permissions import role_required
from booking.texts import lazy_gettext as _l

bp = Blueprint("imports", __name__, url_prefix="/admin/import")

KINDS: dict[str, ImportKind] = {kind.key: kind for kind in (schools.KIND, resources.KIND, users.KIND)}
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


def _passwords_data_url(generated: list[tuple[str, str, str]]) -> str | None:
    """The generated passwords as a CSV inside the page itself: offered once, stored nowhere."""
    if not generated:
        return None
    text = write_table(["email", "display_name", "password"], [list(entry) for entry in generated])
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


@bp.route("/<kind>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def upload(kind: str):
    spec = _kind_or_404(kind)
    form = UploadForm()
    context = {"kind": spec, "form": form, "max_rows": current_app.config["CSV_MAX_ROWS"]}
    if not form.validate_on_submit():
        return render_template("admin/import_upload.html", **context), 422 if form.errors else 200
    upload_file = form.file.data
    try:
        staged = run_import(spec, upload_file.read(), upload_file.filename or "", current_user,
                            current_app.config["CSV_MAX_ROWS"])
    except FileRejected as rejected:
        form.file.errors = [rejected.message]
        return render_template("admin/import_upload.html", **context), 422
    if staged.errors:
        return render_template("admin/import_upload.html", errors=staged.errors[:MAX_ERRORS_SHOWN],
                               error_count=len(staged.errors), **context), 422
    return render_template("admin/import_result.html", kind=spec, count=len(staged.keys),
                           passwords_url=_passwords_data_url(staged.generated_passwords),
                           generated_count=len(staged.generated_passwords))
