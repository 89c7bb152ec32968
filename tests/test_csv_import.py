"""CSV import of schools, resources and users: all or nothing, with a row-level error report."""
import codecs
import io
import re

import pytest

from booking.accounts.models import Role, User
from booking.accounts.passwords import verify_password
from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.imports import resources as resource_import
from booking.imports import schools as school_import
from booking.imports import users as user_import
from booking.imports.csvfile import Column, FileRejected, read_table
from booking.imports.jobs import wait_for_workers
from booking.imports.models import ImportJob, ImportStatus
from booking.imports.services import run_import
from booking.resources.models import Resource
from booking.resources.rules import format_opening_hours
from booking.schools.models import School
from tests import factories

COLUMNS = (Column("code", "c"), Column("name", "n"), Column("area", "a", optional=True))

# --- Reading files, without an app -----------------------------------------------------------------


def read(data: bytes, filename: str = "x.csv", max_rows: int = 100):
    return read_table(data, filename, COLUMNS, max_rows)


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gbk", b""),
                                           ("gb18030", b"")])
def test_utf8_with_or_without_bom_and_gbk_read_the_same(encoding, bom):
    rows = read(bom + "Code, Name\nXT01,新天寄宿制小学\n".encode(encoding))
    assert [(r.number, r.values) for r in rows] == [(2, {"code": "XT01", "name": "新天寄宿制小学", "area": ""})]


def test_row_numbers_are_the_spreadsheet_rows_and_blank_rows_are_skipped():
    rows = read("code,name,area\nA,甲,\n\n,,\nB,\"乙\n二\",下片\nC,丙,,\n".encode())
    assert [r.number for r in rows] == [2, 5, 6]
    assert rows[1].values["name"] == "乙\n二" and not rows[1].extra_cells
    assert read("code,name\nA,甲,多余\n".encode())[0].extra_cells


@pytest.mark.parametrize("data, filename, message", [
    (b"", "x.csv", "empty"),
    (b"\n \n", "x.csv", "empty"),
    (b"code,name\n", "x.csv", "no rows"),
    (b"code,area\nA,B\n", "x.csv", "lacks these columns: name"),
    (b"name\nA\n", "x.csv", "lacks these columns: code"),
    (b"code,name,colour\nA,B,red\n", "x.csv", "does not know: colour"),
    (b"code,name,name\nA,B,C\n", "x.csv", "more than once"),
    (b"PK\x03\x04\x00\x00binary", "x.csv", "not a CSV file"),
    (b"code,name\nA,B\n", "schools.xlsx", ".csv"),
    (b"code,name\n\xff\xfe\xfa,B\n", "x.csv", "not readable text"),
])
def test_files_that_cannot_be_imported_say_why(data, filename, message):
    with pytest.raises(FileRejected) as rejected:
        read(data, filename)
    assert message in str(rejected.value.message)


def test_too_many_rows_are_refused():
    data = ("code,name\n" + "".join(f"S{n},学校{n}\n" for n in range(6))).encode()
    assert len(read(data, max_rows=6)) == 6
    with pytest.raises(FileRejected, match="at most 5"):
        read(data, max_rows=5)


# --- Imports with the database ---------------------------------------------------------------------


def run(kind, text: str, actor=None, encoding: str = "utf-8"):
    return run_import(kind.KIND, text.encode(encoding), "import.csv", actor, 100)


def errors_of(staged) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in staged.errors]


def test_users_import_all_with_generated_passwords_and_one_audit_entry(app):
    factories.school(code="XT01")
    coordinator = factories.user(role=Role.COORDINATOR)
    staged = run(user_import, "email,display_name,role,school_code,locale,password\n"
                              "wang@example.cn,王芳,教师,XT01,,\n"
                              "LI@example.cn,李强,school_admin,XT01,en,li-secret-1\n"
                              "zhao@example.cn,赵敏,coordinator,,中文,\n", coordinator)
    assert staged.errors == [] and len(staged.keys) == 3
    li = db.session.query(User).filter_by(email="li@example.cn").one()
    assert li.role == Role.SCHOOL_ADMIN and li.locale == "en" and verify_password(li.password_hash, "li-secret-1")
    generated = {email: password for email, _name, password in staged.generated_passwords}
    assert set(generated) == {"wang@example.cn", "zhao@example.cn"}
    wang = db.session.query(User).filter_by(email="wang@example.cn").one()
    assert wang.role == Role.TEACHER and verify_password(wang.password_hash, generated["wang@example.cn"])
    entry = db.session.query(AuditEntry).filter_by(action="import.users").one()
    assert entry.actor_id == coordinator.id and entry.details["count"] == 3
    assert db.session.query(AuditEntry).filter(AuditEntry.action != "import.users").count() == 0


def test_users_import_reports_every_bad_row_and_saves_nothing(app):
    factories.school(code="XT01")
    factories.user(email="taken@example.cn")
    staged = run(user_import, "email,display_name,role,school_code\n"
                              "new@example.cn,新老师,teacher,XT01\n"
                              "taken@example.cn,重复,teacher,XT01\n"
                              "other@example.cn,别校,teacher,XT99\n"
                              "NEW@example.cn,又一个,teacher,XT01\n"
                              "x@example.cn,,boss,XT01\n")
    assert errors_of(staged) == [(3, "email"), (4, "school_code"), (5, "email"), (6, "display_name"), (6, "role")]
    messages = {(e.row, e.column): str(e.message) for e in staged.errors}
    assert "XT99" in messages[(4, "school_code")] and "第 2 行" in messages[(5, "email")]
    assert db.session.query(User).count() == 1 and db.session.query(AuditEntry).count() == 0


def test_resources_import_uses_the_resource_rules(app):
    school = factories.school(code="XT01")
    header = "school_code,kind,category,subject,name,capacity,stock,approval_required,opening_hours\n"
    staged = run(resource_import, header +
                 "XT01,场馆设施,lab,物理,物理实验室,48,,是,\"1-5 08:00-12:00,14:00-17:30\"\n"
                 "XT01,equipment,equipment_kit,,显微镜,,20,否,\n")
    assert staged.errors == []
    lab, kit = db.session.query(Resource).order_by(Resource.id).all()
    assert (lab.owner_school_id, lab.subject, lab.approval_required) == (school.id, "physics", True)
    assert format_opening_hours(lab.opening_hours) == "1-5 08:00-12:00,14:00-17:30"
    assert kit.stock == 20 and format_opening_hours(kit.opening_hours) == "1-5 08:00-17:00"


def test_resources_import_bad_rows_are_named_and_nothing_saved(app):
    factories.school(code="XT01")
    header = "school_code,kind,category,subject,name,capacity,stock,opening_hours\n"
    staged = run(resource_import, header +
                 "XT01,facility,gym,,体育馆,200,,\n"
                 "XT01,equipment,lab,,显微镜,,5,\n"
                 "XT01,facility,lab,biology,生物实验室,40,,\"2 08:00-12:00,11:00-13:00\"\n"
                 "XT77,facility,gym,,体育馆,-5,,\n"
                 "XT01,facility,gym,,操场,lots,,Mon 8-17\n")
    assert errors_of(staged) == [(3, "category"), (4, "opening_hours"), (5, "school_code"), (5, "capacity"),
                                 (6, "capacity"), (6, "opening_hours")]
    messages = {(e.row, e.column): str(e.message) for e in staged.errors}
    assert "时间重叠" in messages[(4, "opening_hours")] and "1 = 星期一" in messages[(6, "opening_hours")]
    assert db.session.query(Resource).count() == 0


def test_schools_import_ties_to_a_lead_school_on_an_earlier_row(app):
    staged = run(school_import, "code,name,stage,enrollment,is_lead,is_weak,lead_school_code,area\n"
                                "XT01,新天寄宿制小学,primary,900,是,否,,上片\n"
                                "XT02,新天二小,小学,120,,yes,XT01,上片\n", encoding="gbk")
    assert staged.errors == [] and staged.keys == ["XT01", "XT02"]
    tied = db.session.query(School).filter_by(code="XT02").one()
    assert tied.lead_school.code == "XT01" and tied.is_weak and tied.enrollment == 120


def test_schools_import_with_a_bad_row_saves_none_of_the_good_ones(app):
    factories.school(code="OLD1")
    before = db.session.query(School).count()
    staged = run(school_import, "code,name,stage,enrollment,lead_school_code\n"
                                "XT01,一小,primary,100,\n"
                                "XT02,二小,primary,-5,\n"
                                "XT01,重复,primary,80,\n"
                                "OLD1,已有,primary,80,\n"
                                "XT03,三小,primary,80,XT01\n"
                                "XT04,四小,college,80,NOPE\n")
    assert errors_of(staged) == [(3, "enrollment"), (4, "code"), (5, "code"), (6, "lead_school_code"),
                                 (7, "stage"), (7, "lead_school_code")]
    messages = {(e.row, e.column): str(e.message) for e in staged.errors}
    assert "第 2 行" in messages[(4, "code")] and "一小" in messages[(6, "lead_school_code")]
    db.session.expire_all()
    assert db.session.query(School).count() == before


# --- Pages -----------------------------------------------------------------------------------------


def upload(client, kind: str, data: bytes, filename: str = "导入.csv"):
    """Send the file; a queued job is waited for and its page returned (the form's own refusals as they are)."""
    response = client.post(f"/admin/import/{kind}", data={"file": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data")
    if response.status_code != 303:
        return response
    wait_for_workers()
    db.session.expire_all()
    return client.get(response.headers["Location"])


@pytest.fixture
def coordinator(login_as):
    user = factories.user(role=Role.COORDINATOR)
    login_as(user)
    return user


@pytest.mark.parametrize("kind", ["schools", "resources", "users"])
def test_templates_have_the_header_and_a_chinese_example(client, coordinator, kind):
    response = client.get(f"/admin/import/{kind}/template.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(codecs.BOM_UTF8)
    rows = read_table(response.data, "t.csv", {"schools": school_import, "resources": resource_import,
                                               "users": user_import}[kind].COLUMNS, 10)
    assert len(rows) == 1 and re.search(r"[\u4e00-\u9fff]", "".join(rows[0].values.values()))
    page = client.get(f"/admin/import/{kind}").get_data(as_text=True)
    assert f"/admin/import/{kind}/template.csv" in page and "下载模板文件" in page


def test_the_example_resource_row_imports_as_it_is(client, coordinator):
    factories.school(code="XT01")
    template = client.get("/admin/import/resources/template.csv").data
    response = upload(client, "resources", template)
    assert response.status_code == 200 and "已导入 1 行" in response.get_data(as_text=True)
    assert db.session.query(Resource).one().name == "物理实验室"


def test_upload_page_shows_the_error_table_and_imports_nothing(client, coordinator):
    factories.school(code="XT01")
    data = "email,display_name,role,school_code\nok@example.cn,好,teacher,XT01\nbad@example.cn,坏,teacher,XT99\n"
    response = upload(client, "users", data.encode("gbk"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "未导入任何内容" in html
    table = html[html.index('id="import-errors"'):]
    assert re.search(r'<td>3</td><td><code>school_code</code></td><td class="prose">[^<]*XT99', table)
    assert db.session.query(User).count() == 1


def test_wrong_header_is_refused_naming_the_missing_columns(client, coordinator):
    response = upload(client, "users", "邮箱,姓名\nwang@example.cn,王芳\n".encode("utf-8-sig"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "表头缺少以下列：email、display_name、role、school_code" in html


def test_spreadsheet_files_and_missing_files_are_refused(client, coordinator):
    assert "另存为" in upload(client, "users", b"PK\x03\x04", "users.xlsx").get_data(as_text=True)
    response = client.post("/admin/import/users", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "请选择要导入的 CSV 文件" in response.get_data(as_text=True)


def test_row_limit_comes_from_the_config(client, coordinator, app):
    app.config["CSV_MAX_ROWS"] = 2
    factories.school(code="XT01")
    data = "email,display_name,role,school_code\n" + "".join(
        f"u{n}@example.cn,老师{n},teacher,XT01\n" for n in range(3))
    response = upload(client, "users", data.encode())
    assert response.status_code == 422 and "一次最多只能导入 2 行" in response.get_data(as_text=True)


def test_generated_passwords_are_offered_once_as_a_csv(client, coordinator):
    factories.school(code="XT01")
    data = "email,display_name,role,school_code,password\nwang@example.cn,王芳,teacher,XT01,\n"
    page = upload(client, "users", data.encode())
    html = page.get_data(as_text=True)
    assert "已导入 1 行" in html and 'id="passwords-download"' in html
    job = db.session.query(ImportJob).one()
    download = client.post(f"/admin/import/jobs/{job.id}/passwords.csv")
    assert download.mimetype == "text/csv" and "attachment" in download.headers["Content-Disposition"]
    email, name, password = download.data.decode("utf-8-sig").splitlines()[1].split(",")
    assert (email, name) == ("wang@example.cn", "王芳")
    user = db.session.query(User).filter_by(email="wang@example.cn").one()
    assert verify_password(user.password_hash, password)
    again = client.post(f"/admin/import/jobs/{job.id}/passwords.csv")
    assert again.status_code == 303 and password not in client.get(again.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ImportJob, job.id).password_seed is None  # nothing left to derive them from


def test_only_coordinators_import(client, login_as):
    login_as(factories.user(role=Role.SCHOOL_ADMIN))
    assert client.get("/admin/import/").status_code == 403
    assert client.get("/admin/import/users/template.csv").status_code == 403
    assert upload(client, "users", b"email\n").status_code == 403
    assert client.get("/admin/import/").status_code == 403


def test_unknown_import_kind_is_404(client, coordinator):
    assert client.get("/admin/import/bookings").status_code == 404
    assert "/admin/import/schools" in client.get("/admin/import/").get_data(as_text=True)


# --- an area coordinator imports into their own area only ---------------------------------------

@pytest.fixture
def area_coordinator(app):
    upper = factories.school(code="XT01", area="上片", is_lead=True)
    factories.school(code="LZ01", area="下片", is_lead=True)
    return factories.user(role=Role.COORDINATOR, area="上片", school=upper)


def test_area_coordinators_import_schools_of_their_area_only(area_coordinator):
    header = "code,name,stage,enrollment,is_lead,is_weak,lead_school_code,area\n"
    staged = run(school_import, header + "XT05,新天第五小学,primary,186,否,是,XT01,上片\n"
                                          "LZ09,李寨第九小学,primary,90,否,是,LZ01,下片\n"
                                          "XT06,新天第六小学,primary,90,否,是,LZ01,上片\n", area_coordinator)
    assert [(e.row, e.column) for e in staged.errors] == [(3, "area"), (4, "lead_school_code")]
    assert db.session.query(School).count() == 2


def test_area_coordinators_import_users_and_resources_of_their_area_only(area_coordinator):
    users = run(user_import, "email,display_name,role,school_code,password\n"
                             "a@example.cn,甲,teacher,XT01,secret-pass\n"
                             "b@example.cn,乙,teacher,LZ01,secret-pass\n"
                             "c@example.cn,丙,coordinator,,secret-pass\n", area_coordinator)
    assert [(e.row, e.column) for e in users.errors] == [(3, "school_code"), (4, "role")]
    resources = run(resource_import, "school_code,kind,category,subject,name,capacity\n"
                                     "XT01,facility,gym,,体育馆,200\nLZ01,facility,gym,,体育馆,200\n", area_coordinator)
    assert [(e.row, e.column) for e in resources.errors] == [(3, "school_code")]
    assert db.session.query(User).count() == 1 and db.session.query(Resource).count() == 0


def test_a_failure_half_way_through_an_import_page_leaves_nothing_written(app, client, login_as, monkeypatch):
    """One unit of work (issue 11): the third user's row fails after two were added; the job rolls back."""
    factories.school(code="XT01")
    coordinator = factories.user(role=Role.COORDINATOR)
    login_as(coordinator)
    real_build = user_import.build_user
    built = []

    def build_then_fail(*args, **kwargs):
        built.append(args[0].email)
        if len(built) == 3:
            raise RuntimeError("the disk filled up half-way")
        return real_build(*args, **kwargs)

    monkeypatch.setattr(user_import, "build_user", build_then_fail)
    rows = "".join(f"t{n}@example.cn,老师{n},teacher,XT01\n" for n in range(5))
    response = client.post("/admin/import/users", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(f"email,display_name,role,school_code\n{rows}".encode()), "u.csv")})
    assert response.status_code == 303
    wait_for_workers()
    assert len(built) == 3
    db.session.rollback()
    assert db.session.query(User).filter(User.email.like("t%@example.cn")).count() == 0
    assert db.session.query(AuditEntry).filter(AuditEntry.action.like("import.%")).count() == 0
    job = db.session.query(ImportJob).one()
    assert job.status == ImportStatus.FAILED and job.dedupe_key is None and job.data is None
    assert "未导入任何内容" in client.get(f"/admin/import/jobs/{job.id}").get_data(as_text=True)
