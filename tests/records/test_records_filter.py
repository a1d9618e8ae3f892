"""The records list on a phone: its filter folded away under a summary of what it filters by, and
each row a small card whose cells carry their column's name (issue #14, item 10)."""

from __future__ import annotations

import re

from hk.demo_jobs import sign
from hk.extensions import db
from hk.models import utcnow
from tests.builders import make_customer, make_job, make_user


def _signed(worker, customer_name: str):
    job = make_job(worker, make_customer(name=customer_name), state="awaiting_signature")
    sign(job, "周丽", "zh_CN", utcnow())
    db.session.commit()
    return job


def _summary(html: str) -> str:
    match = re.search(r'data-testid="active-filters">([^<]*)<', html)
    assert match, "no summary of the filters"
    return match.group(1).strip()


def test_the_filter_is_folded_and_its_summary_says_what_is_shown(client, login):
    worker = make_user("worker")
    _signed(worker, "王阿姨")
    _signed(worker, "陈先生")
    login("supervisor")

    page = client.get("/records").get_data(as_text=True)
    assert re.search(r'<details class="card fold" data-testid="records-filter">', page)  # folded: no "open"
    assert _summary(page) == "全部当前记录"

    page = client.get(f"/records?customer=王&worker={worker.id}&incident=1&from=2026-11-01").get_data(
        as_text=True
    )
    assert _summary(page) == f"2026年11月1日 – … · {worker.display_name} · 王 · 突发事件"
    assert "清除筛选" in page


def test_each_cell_of_a_record_row_names_its_column(client, login):
    _signed(make_user("worker"), "王阿姨")
    login("supervisor")
    page = client.get("/records").get_data(as_text=True)
    row = page[page.index("<tbody>") : page.index("</tbody>")]
    for label in ("日期", "客户", "服务人员", "服务项目", "标记", "审核"):
        assert f'data-label="{label}"' in row
    assert 'class="table table-stack" data-testid="records"' in page
