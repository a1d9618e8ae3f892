"""The exports stream: the memory an export needs does not grow with its rows (2,000 against 20,000).

Measured with tracemalloc (Python's own allocations, which is where a list of every row would be);
no timing anywhere. The complaints' XLSX is left out: its rows are the complaints' CSV's and its
writer the ratings' XLSX's, and writing 20,000 rows of it under tracemalloc takes most of a minute.
"""

from __future__ import annotations

import gc
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from hk.domain.complaints import CaseStatus, Category, Channel, RemedyKind, RemedyStatus, Severity
from hk.domain.workflow import Status
from hk.extensions import db
from hk.models import Complaint, Job, Rating, Remedy, Role
from tests.builders import make_customer, make_user, service_type

SMALL, LARGE = 2_000, 20_000
START = datetime(2026, 11, 1, tzinfo=UTC)
NOVEMBER = "period=custom&first=2026-11-01&last=2026-11-30"
EXPORTS = ("ratings.csv", "complaints.csv", "ratings.xlsx")


def _add_rows(first: int, count: int, worker, customer) -> None:
    """`count` rated jobs and as many complaints (every tenth with a remedy), inserted in bulk."""
    st = service_type()
    seconds = 2_000_000 // LARGE  # spread over November
    db.session.execute(
        insert(Job),
        [
            {
                "number": f"M{n:07d}",
                "customer_id": customer.id,
                "service_type_id": st.id,
                "template_id": st.current_template.id,
                "worker_id": worker.id,
                "scheduled_start": START + timedelta(seconds=n * seconds),
                "scheduled_end": START + timedelta(seconds=n * seconds + 3600),
                "status": Status.COMPLETED,
                "template_snapshot": {},
                "version": 1,
            }
            for n in range(first, first + count)
        ],
    )
    added = select(Job.id, Job.scheduled_start).where(Job.number.like("M%"), Job.number >= f"M{first:07d}")
    jobs = db.session.execute(added.order_by(Job.id)).all()
    db.session.execute(
        insert(Rating),
        [
            {
                "job_id": job_id,
                "customer_id": customer.id,
                "worker_id": worker.id,
                "overall": 1 + i % 5,
                "quality": 1 + i % 5,
                "recommend": i % 11,
                "comment": f"第{i}次服务，厨房和卫生间都很干净，谢谢阿姨" if i % 7 else f'=HYPERLINK("x{i}")',
                "rated_at": start + timedelta(hours=3),
            }
            for i, (job_id, start) in enumerate(jobs, first)
        ],
    )
    db.session.execute(
        insert(Complaint),
        [
            {
                "customer_id": customer.id,
                "job_id": job_id,
                "channel": Channel.PHONE,
                "category": Category.CLEANING_QUALITY,
                "severity": Severity.MEDIUM,
                "status": CaseStatus.RESOLVED,
                "description": "厨房台面没有擦干净",
                "received_at": start + timedelta(hours=5),
                "first_response_at": start + timedelta(hours=7),
                "resolved_at": start + timedelta(hours=30),
                "client_key": f"mem-{job_id}",  # one case per job: unique for the customer
                "version": 1,
            }
            for job_id, start in jobs
        ],
    )
    cases = db.session.scalars(select(Complaint.id).where(Complaint.job_id >= jobs[0].id)).all()
    db.session.execute(
        insert(Remedy),
        [
            {
                "complaint_id": case_id,
                "kind": RemedyKind.COMPENSATION,
                "status": RemedyStatus.DONE,
                "amount": Decimal("50"),
                "client_key": "m",
            }
            for case_id in cases[::10]
        ],
    )
    db.session.commit()


def _export(client, path: str, trace: bool = True) -> tuple[int, int, int]:
    """Download an export chunk by chunk, keeping none: (peak traced bytes, bytes, chunks)."""
    gc.collect()
    if trace:
        tracemalloc.start()
    try:
        response = client.get(f"/quality/export/{path}?{NOVEMBER}", buffered=False)
        assert response.status_code == 200
        size = chunks = 0
        for chunk in response.response:
            size += len(chunk)
            chunks += 1
        response.close()
        peak = tracemalloc.get_traced_memory()[1]  # 0 when not traced
    finally:
        tracemalloc.stop()
    return peak, size, chunks


def test_an_exports_memory_does_not_grow_with_its_rows(client, login):
    login(Role.SUPERVISOR)
    worker, customer = make_user(Role.WORKER), make_customer()
    _add_rows(0, SMALL, worker, customer)
    for path in EXPORTS:
        _export(client, path, trace=False)  # the first export of each kind loads what any export needs
    small = {path: _export(client, path) for path in EXPORTS}
    _add_rows(SMALL, LARGE - SMALL, worker, customer)
    large = {path: _export(client, path) for path in EXPORTS}
    for path in EXPORTS:  # shown with -s, or -rA
        print(
            f"{path}: peak {small[path][0] / 1024:.0f} KiB for {SMALL} rows "
            f"({small[path][1] / 1024:.0f} KiB in {small[path][2]} chunks), "
            f"{large[path][0] / 1024:.0f} KiB for {LARGE} "
            f"({large[path][1] / 1024:.0f} KiB in {large[path][2]} chunks)"
        )
    for path in EXPORTS:
        (small_peak, small_size, _), (large_peak, large_size, large_chunks) = small[path], large[path]
        assert large_size > 8 * small_size, path  # ten times the rows were written
        assert large_chunks > 10, path  # sent a piece at a time
        assert large_peak < small_peak + 128 * 1024, (path, small_peak, large_peak)
