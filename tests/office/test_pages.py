"""Office pages: long lists a page at a time, one builder per page, and names in the person's language."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from hk.domain.clock import local_today
from hk.extensions import db
from hk.models import Customer, ServiceType, record_event
from tests.builders import make_job, make_user, service_type
from tests.conftest import csrf_token

TZ = "Asia/Shanghai"
ROW = re.compile(r'customers/(\d+)">(顾客\d{3})</a>')


@pytest.fixture
def many_customers(app):
    """250 customers, named so that their order by name is known: 顾客001 … 顾客250."""
    db.session.add_all(
        Customer(name=f"顾客{n:03d}", phone=f"1380000{n:04d}", address=f"上海市测试路{n}号")
        for n in range(1, 251)
    )
    db.session.commit()


def _names(body: str) -> list[str]:
    return [name for _id, name in ROW.findall(body)]


def test_a_long_customer_list_is_paged_with_a_total(client, login, many_customers):
    login("supervisor")
    first = client.get("/office/customers").get_data(as_text=True)
    assert _names(first) == [f"顾客{n:03d}" for n in range(1, 51)]
    assert "第 1 / 5 页 · 共 250 条" in first and 'rel="next"' in first
    second = client.get("/office/customers?page=2").get_data(as_text=True)
    assert _names(second) == [f"顾客{n:03d}" for n in range(51, 101)]
    assert "第 2 / 5 页 · 共 250 条" in second and 'rel="prev"' in second
    last = client.get("/office/customers?page=5").get_data(as_text=True)
    assert _names(last)[-1] == "顾客250" and 'rel="next"' not in last


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("999", "第 5 / 5 页"),
        ("99999999999999999999", "第 5 / 5 页"),
        ("abc", "第 1 / 5 页"),
        ("-3", "第 1 / 5 页"),
    ],
)
def test_a_page_past_the_end_or_not_a_number_is_no_error(client, login, many_customers, page, shown):
    login("supervisor")
    response = client.get(f"/office/customers?page={page}")
    assert response.status_code == 200 and shown in response.get_data(as_text=True)


def test_page_links_keep_the_search(client, login, many_customers):
    login("supervisor")
    body = client.get("/office/customers?q=%E9%A1%BE%E5%AE%A2&page=1").get_data(as_text=True)
    assert re.search(r'href="/office/customers\?q=%E9%A1%BE%E5%AE%A2&amp;page=2"', body)
    assert "共 250 条" in body
    tricky = client.get("/office/customers?_external=1&_scheme=javascript").get_data(as_text=True)
    assert "javascript:" not in tricky and 'href="/office/customers?page=2"' in tricky


def test_the_pager_speaks_english_to_an_english_user(client, login, many_customers):
    login(make_user("supervisor", locale="en"))
    body = client.get("/office/customers?page=2").get_data(as_text=True)
    assert "Page 2 of 5 · 250 in all" in body and "Previous" in body and "Next" in body


@pytest.mark.parametrize(
    "path", ["/records?page=abc", "/records?page=40", "/incidents?page=x", "/incidents?page=9"]
)
def test_records_and_incidents_are_paged_too(client, login, path):
    login("supervisor")
    assert client.get(path).status_code == 200


def test_an_english_person_sees_english_names_whatever_their_browser_sends(client, login):
    job = make_job(make_user("worker"))
    line = job.quote_lines[0]
    login(make_user("supervisor", locale="en"))
    token = csrf_token(client, f"/office/jobs/{job.id}")
    data = {"csrf_token": token, "reason": "bigger flat"}
    for n, each in enumerate(job.quote_lines):
        price = "-1" if each.id == line.id else str(each.unit_price)
        data.update(
            {
                f"lines-{n}-line_id": each.id,
                f"lines-{n}-quantity": str(each.quantity),
                f"lines-{n}-unit_price": price,
            }
        )
    response = client.post(
        f"/office/jobs/{job.id}/quote", data=data, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
    )
    assert response.status_code == 422
    refusals = re.search(r'data-testid="refusals">(.*?)</div>', response.get_data(as_text=True), re.S)[1]
    assert line.name_en in refusals and line.name_zh not in refusals
    assert "The price must be a number of 0 or more" in refusals


def test_a_refused_new_worker_keeps_the_certificate_alerts(client, login):
    worker = make_user("worker", username="taken")
    health = next(c for c in worker.certificates if c.kind == "health")
    health.valid_until = local_today(TZ) + timedelta(days=5)
    db.session.commit()
    login("admin")  # login accounts are the administrator's
    listing = client.get("/office/workers").get_data(as_text=True)
    assert 'data-testid="cert-attention"' in listing
    token = csrf_token(client, "/office/workers")
    refused = client.post(
        "/office/workers/new",
        data={"csrf_token": token, "username": "taken", "display_name": "x", "password": "long-enough"},
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "该用户名已被使用" in body
    assert 'data-testid="cert-attention"' in body and "即将过期" in body


def test_a_refused_assignment_shows_the_whole_job_page(client, login):
    booked = make_user("worker")
    make_job(booked)
    job = make_job(None)
    login("supervisor")
    page = client.get(f"/office/jobs/{job.id}").get_data(as_text=True)
    token = csrf_token(client, f"/office/jobs/{job.id}")
    refused = client.post(f"/office/jobs/{job.id}/assign", data={"csrf_token": token, "worker": booked.id})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "已有工单" in body
    for part in (
        'data-testid="office-quote"',
        'data-testid="assign-worker"',
        'data-testid="audit"',
        "cancel-job",
    ):
        assert part in page and part in body


class _Fields(HTMLParser):
    """The fields a browser would send from the page's form with the given action."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields, self._select, self._textarea = action, False, [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a["value"]))
        elif not self.inside or "name" not in a:
            return
        elif tag == "input" and (a.get("type") != "checkbox" or "checked" in a):
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea[0], self._textarea[1].removeprefix("\r").removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self.inside = False


def test_the_checklist_editor_posts_back_what_it_shows(client, login):
    st = service_type("daily_cleaning")
    login("admin")  # the checklist is the administrator's to change
    path = f"/office/catalogue/{st.id}/checklist"
    page = client.get(path).get_data(as_text=True)
    parser = _Fields(path)
    parser.feed(page)
    assert any(name.endswith("-label_zh") for name, _value in parser.fields)
    unchanged = client.post(path, data=MultiDict(parser.fields), follow_redirects=True)
    assert "检查清单没有变化" in unchanged.get_data(as_text=True)
    added = [
        *parser.fields,
        ("stages-2-items-99-label_zh", "擦窗台"),
        ("stages-2-items-99-label_en", "Wipe the sills"),
    ]
    assert client.post(path, data=MultiDict(added)).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(ServiceType).where(ServiceType.id == st.id)).current_template.version == 2


def test_a_bad_order_number_in_the_checklist_is_named_in_the_persons_language(client, login):
    st = service_type("daily_cleaning")
    login("admin")  # the checklist is the administrator's to change
    path = f"/office/catalogue/{st.id}/checklist"
    parser = _Fields(path)
    parser.feed(client.get(path).get_data(as_text=True))
    fields = [(k, "abc" if k == "stages-1-order" else v) for k, v in parser.fields]
    response = client.post(path, data=MultiDict(fields))
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "请更正标出的内容" in body and 'value="abc"' in body
    assert "不是有效的小数" in body  # WTForms' own message, in Chinese too


def test_a_long_change_log_is_paged_and_its_links_lead_to_the_page_itself(client, login):
    booked = make_user("worker")
    make_job(booked)
    job = make_job(None)
    for n in range(60):
        record_event(None, "job", job.id, "job.assign", changes={"note": [n, n + 1]})
    db.session.commit()
    login("supervisor")
    page = client.get(f"/office/jobs/{job.id}").get_data(as_text=True)
    assert "第 1 / 2 页 · 共 60 条" in page and f'href="/office/jobs/{job.id}?events=2"' in page
    token = csrf_token(client, f"/office/jobs/{job.id}")
    refused = client.post(f"/office/jobs/{job.id}/assign", data={"csrf_token": token, "worker": booked.id})
    assert refused.status_code == 409 and f'href="/office/jobs/{job.id}?events=2"' in refused.get_data(
        as_text=True
    )
    second = client.get(f"/office/jobs/{job.id}?events=2").get_data(as_text=True)
    assert "第 2 / 2 页" in second and '<details class="timeline-box" open' in second
