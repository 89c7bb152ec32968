"""bench/province_bench.py at a tiny scale, so the bench keeps working: PostgreSQL only (it is a PostgreSQL
bench); it prints every figure beside its anchor. Nothing is timed here."""
from __future__ import annotations

import pytest

from bench import province_bench
from bench.province_data import Shape


def test_one_district_is_the_provinces_first():
    province = Shape.scaled(1.0)
    assert (province.districts, province.schools, province.resources, province.bookings) == \
        (50, 1500, 10_000, 10_000_000)
    assert province.one_district() == Shape(1, 30, 200, 200_000)
    assert Shape.scaled(0.0001).one_district().districts == 1


def test_free_periods_lie_between_booked_ones():
    from datetime import date

    slots = province_bench.FreePeriods([11, 12, 13], date(2026, 1, 5), date(2026, 3, 4))
    taken = [slots.take() for _ in range(6)]
    assert len({(resource, start) for resource, start, _end in taken}) == 6
    # room 11 (rank 0) is booked on even periods: its free ones are odd, 40 minutes each
    assert all((end - start).total_seconds() == 2400 for _resource, start, end in taken)


@pytest.mark.slow
def test_the_bench_runs_at_a_tiny_scale(test_databases, capsys):
    if test_databases.backend != "postgresql":
        pytest.skip("the province bench is a PostgreSQL bench")
    server = test_databases.server_url.render_as_string(hide_password=False)
    province_bench.main(["--server", server, "--scale", "0.0001", "--samples", "1", "--repeats", "1",
                         "--prefix", f"{test_databases.prefix}_province", "--template", f"{test_databases.prefix}_schema"])
    printed = capsys.readouterr().out
    for what in ("booking POST", "day grid", "school feed", "district report", "county report", "hand-written split"):
        assert what in printed, printed
    assert "1,000 bookings" in printed and " 500 bookings" in printed, printed
