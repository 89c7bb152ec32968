"""A coordinator opens the reports in Chinese on a phone, reads the charts, opens the under-served schools'
table, downloads the XLSX."""
from openpyxl import load_workbook

from tests.browser.conftest import header_link, sign_in
from tests.test_reports import small_district


def test_coordinator_finds_under_served_schools_and_downloads_xlsx(page, live_server, tmp_path):
    district = small_district()
    sign_in(page, live_server, district.coordinator.email)
    header_link(page, "统计报表").click()
    page.get_by_role("heading", name="使用与均衡统计").wait_for()

    page.get_by_label("开始日期").fill("2026-09-07")
    page.get_by_label("结束日期").fill("2026-09-11")
    page.get_by_role("button", name="查看").click()
    page.get_by_text("日期范围：2026年9月7日 – 2026年9月11日").first.wait_for()

    # The first view: charts whose text stays legible on the phone, the long tables a link each.
    sizes = page.evaluate("""() => [...document.querySelectorAll('svg.chart text')].map(t => {
        const box = t.getBoundingClientRect(); return box.width ? box.height : 99; })""")
    assert sizes and min(sizes) >= 9, sizes
    # Each chart's type as drawn: its 13-unit text scaled by the width the SVG was given (its min-width class).
    drawn = page.evaluate("""() => [...document.querySelectorAll('svg.chart')].map(svg =>
        13 * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width)""")
    assert drawn and min(drawn) >= 9.5, drawn
    page.get_by_role("link", name="共享获得低于学段水平的学校").click()
    page.get_by_role("heading", name="共享获得低于学段水平的学校").wait_for()
    # A school's name sits on one line: never broken between its characters.
    # (Counted as the lines its text lies on: the cell is taller than a line, its link a 44 px tap target.)
    lines = page.evaluate("""() => [...document.querySelectorAll('.report-table tbody th')].map(th => {
        const range = document.createRange(); range.selectNodeContents(th);
        return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size; })""")
    assert lines and max(lines) == 1, lines

    figure = page.locator("#table-under_served")
    assert figure.locator("figcaption").inner_text() == "共享获得低于学段水平的学校"
    row = figure.get_by_role("row").filter(has_text="领头小学")
    # 领头小学 uses its own rooms only: nothing received from other schools, the whole stage level short.
    assert row.inner_text().split("\t")[4:] == ["0.0", "0.5", "0.0%", "0.5"]

    with page.expect_download() as download_info:
        figure.get_by_role("link", name="XLSX").click()
    saved = tmp_path / "under_served.xlsx"
    download_info.value.save_as(saved)
    sheet = load_workbook(saved).active
    rows = [row for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "共享获得低于学段水平的学校" and rows[1][0] == "日期范围：2026年9月7日 – 2026年9月11日"
    assert any(row[0] == "领头小学" and row[7] == 0.5 for row in rows), rows
