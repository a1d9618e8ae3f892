"""Call and navigate: a worker's job card and job screen call the customer (when the company lets
workers see customers' numbers) or the office, and open the address in the phone's map app."""

import re
from urllib.parse import quote

import pytest

from hk.extensions import db
from tests.builders import make_customer, make_job

ADDRESS = "上海市徐汇区漕溪北路88号 3号楼"


def _links(body: str) -> tuple[list[str], list[str]]:
    calls = re.findall(r'<a class="btn btn-contact" href="(tel:[^"]*)"[^>]*data-call="(\w+)"', body)
    maps = re.findall(r'<a class="btn btn-contact" href="(https://[^"]*)"[^>]*data-testid="map"', body)
    return calls, maps


def test_by_default_the_call_rings_the_office_and_the_customers_number_stays_hidden(client, login):
    worker = login("worker")
    customer = make_customer(address=ADDRESS, phone="13912345678")
    job = make_job(worker, customer=customer)
    for page in ("/today", f"/jobs/{job.id}"):
        body = client.get(page).get_data(as_text=True)
        calls, maps = _links(body)
        assert calls == [("tel:4000000000", "office")], page
        assert "致电公司" in body and "13912345678" not in body
        encoded = quote(ADDRESS, safe="")
        assert maps == [f"https://uri.amap.com/search?keyword={encoded}&amp;src=hk&amp;callnative=1"]


def test_when_workers_may_see_it_the_call_rings_the_customer_on_open_jobs(app, client, login, monkeypatch):
    monkeypatch.setitem(app.config, "WORKERS_SEE_CUSTOMER_PHONE", True)
    worker = login("worker")
    job = make_job(worker, customer=make_customer(phone="139 1234-5678"))
    for page in ("/today", f"/jobs/{job.id}"):
        calls, _maps = _links(client.get(page).get_data(as_text=True))
        assert calls == [("tel:13912345678", "customer")], page


@pytest.mark.parametrize("state", ["completed", "cancelled"])
def test_a_closed_job_offers_no_call_or_map(app, client, login, monkeypatch, state):
    monkeypatch.setitem(app.config, "WORKERS_SEE_CUSTOMER_PHONE", True)
    worker = login("worker")
    job = make_job(worker)
    job.status = state  # closed: as the office or the signature leaves it
    db.session.commit()
    calls, maps = _links(client.get("/today").get_data(as_text=True))
    assert calls == [] and maps == []
