"""Running a race in a test: functions in threads, or spawned processes that report their errors to the
test through files (no tests in here)."""
from __future__ import annotations

import multiprocessing
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path

PROCESS_TIMEOUT = 120  # seconds a process may take before the test stops waiting for it


def in_threads(run, count: int) -> None:
    """``run(0)`` … ``run(count - 1)``, each in its own thread, all started before any is waited for."""
    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def committed_or_refused(app, work, committed: str = "booked") -> str:
    """``work()`` in its own app context, committed as a request's unit of work would be: ``committed``, or the
    kind of the first refusal when the booking rules refused."""
    from booking.bookings.errors import BookingRefused
    from booking.extensions import db

    with app.app_context():
        try:
            work()
            db.session.commit()  # the unit of work's boundary
            return committed
        except BookingRefused as refused:
            return refused.refusals[0].kind.value
        finally:
            db.session.remove()


def in_processes(target, args_of, count: int, folder) -> list:
    """``count`` spawned processes running ``target(*args_of(n, barrier))``, sharing one barrier; fails with
    the first error a process wrote to ``folder`` (see ``reported``). Returns the processes, ended."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(count)
    processes = [context.Process(target=target, args=args_of(n, barrier)) for n in range(count)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=PROCESS_TIMEOUT)
    errors = [path.read_text() for path in Path(folder).glob("*.error")]
    assert not errors, errors[0]
    return processes


@contextmanager
def reported(folder, name: str, barrier):
    """In a process of ``in_processes``: an error is written to ``folder`` for the test, and the barrier
    broken so that the other processes stop waiting."""
    try:
        yield
    except Exception:  # noqa: BLE001 (reported to the parent, which fails the test with it)
        (Path(folder) / f"{name}.error").write_text(traceback.format_exc())
        barrier.abort()
