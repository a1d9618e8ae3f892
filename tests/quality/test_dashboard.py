"""/quality as a supervisor reads it: the figures, the filters in the address, htmx swapping only the
figures, and nothing a worker may see."""

from datetime import date, timedelta

from hk.domain.clock import local_today
from hk.extensions import db
from tests.builders import make_customer, make_user
from tests.quality.helpers import at, complaint, done_job, rate


def _history(app):
    today = local_today(app.config["TIMEZONE"])
    ana, customer = make_user(), make_customer()
    ana.display_name = "王阿姨"
    for n in range(3):
        job = done_job(ana, customer, today - timedelta(days=n))
        rate(job, 5 if n else 2, recommend=10)
    db.session.commit()
    complaint(customer, at(today, 8), answered_after=timedelta(hours=3))
    return ana, today


def test_a_supervisor_sees_this_months_figures_beside_the_last(app, client, login):
    ana, _ = _history(app)
    login("supervisor")
    page = client.get("/quality")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "满意度" in body and "投诉" in body and "回头客" in body
    assert 'data-testid="satisfied"' in body and "66.7%" in body  # two of three ratings 4–5
    assert "目标：90%" in body and "✗" in body
    assert f'data-testid="worker-{ana.id}"' in body and "王阿姨" in body
    assert "<svg" in body and 'class="chart-target"' in body  # the target line on the weekly chart
    assert body.count("<table") >= 6  # every chart's numbers as a table too


def test_htmx_gets_only_the_figures_and_the_filters_stay_in_the_address(app, client, login):
    ana, _ = _history(app)
    login("supervisor")
    fragment = client.get(
        f"/quality?period=quarter&worker={ana.id}", headers={"HX-Request": "true", "HX-Target": "figures"}
    )
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and body.lstrip().startswith('<div id="figures"')
    assert "<html" not in body and "quality-filters" not in body
    assert f"worker={ana.id}" in body and "period=quarter" in body  # the sort links keep the filters


def test_malformed_or_unknown_filters_show_this_month_for_everyone(app, client, login):
    _history(app)
    login("supervisor")
    for query in (
        "period=decade",
        "worker=abc",
        "worker=999999",
        "service_type=-4",
        "first=2026-13-45&period=custom",
        "period=custom&first=1900-01-01&last=2999-01-01",
        "sort=drop%20table",
    ):
        page = client.get(f"/quality?{query}")
        assert page.status_code == 200, query
        assert 'data-jobs="3"' in page.get_data(as_text=True), query


def test_chosen_days_and_the_english_page(app, client, login):
    _history(app)
    login("admin", locale="en")
    first = (date.today() - timedelta(days=40)).isoformat()
    page = client.get(f"/quality?period=custom&first={first}&last={date.today().isoformat()}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Satisfied (4–5 of 5)" in body and "Each worker" in body and "Target: 90%" in body


def test_workers_and_anonymous_people_cannot_open_it(app, client, login):
    assert client.get("/quality").status_code == 302
    login("worker")
    assert client.get("/quality").status_code == 403


def test_the_target_is_the_companys(app, client, login):
    _history(app)
    app.config["SATISFACTION_TARGET"] = 0.6
    login("supervisor")
    body = client.get("/quality").get_data(as_text=True)
    assert "目标：60%" in body and "目标：60% ✓" in body  # two of three satisfied meets 60 %
