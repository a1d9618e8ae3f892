"""The complaints list: open cases first with both clocks, filters, paging, and the warnings at its top
and on /overview; the query the clock sweep will use."""

from datetime import timedelta

from hk.aftersales import cases
from hk.aftersales.clocks import cases_needing_warning
from hk.domain.complaints import CaseAction, Clock, ClockState
from hk.extensions import db
from hk.models import Complaint, utcnow
from tests.aftersales.helpers import make_case
from tests.builders import make_customer, make_user


def _listing(client, query=""):
    response = client.get(f"/complaints{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _shown(page: str, case: Complaint) -> bool:
    return f'data-testid="case-{case.id}"' in page


def _card(page: str, case: Complaint) -> str:
    """One case's card on the list, from its opening tag (with its classes) to its end."""
    start = page.rindex("<li", 0, page.index(f'data-testid="case-{case.id}"'))
    return page[start : page.index("</li>", start)]


def test_open_cases_come_first_with_owner_category_and_both_clocks(client, login):
    me = login("supervisor")
    quiet = make_case(me, owner=me, hours_ago=2, customer=make_customer(name="王女士"))
    nobody = make_case(me, hours_ago=21, customer=make_customer(name="赵先生"))
    closed = make_case(me, owner=me, hours_ago=100)
    cases.reply(closed, me, "已上门处理", "r1")
    cases.act(closed, CaseAction.RESOLVE, me, root_cause="漏擦")
    page = _listing(client, "?show=all")
    assert page.index(nobody.number) < page.index(quiet.number) < page.index(closed.number)
    card = _card(page, nobody)
    assert "赵先生" in card and "清洁质量" in card and "level-amber" in card
    assert 'class="badge badge-unassigned"' in card and "尚未指定" in card  # unassigned, visibly
    assert "clock-amber" in card and "还剩 3 小时" in card  # 24 h to answer, 21 h gone
    assert "还剩 2 天 3 小时" in card  # 72 h to resolve
    quiet_card = _card(page, quiet)
    assert me.display_name in quiet_card and "level-" not in quiet_card
    assert "clock-ok" in quiet_card and "还剩 22 小时" in quiet_card and "还剩 2 天 22 小时" in quiet_card
    done = _card(page, closed)
    assert "已办结" in done and "超时完成" in done  # answered after 100 h: late


def test_an_overdue_case_is_red_with_how_late_it_is(client, login):
    me = login(make_user("supervisor", locale="en"))
    late = make_case(me, owner=me, hours_ago=29)
    page = _listing(client)
    card = _card(page, late)
    assert "level-red" in card and "clock-red" in card and "overdue by 5 h" in card


def test_a_paused_case_says_so(client, login):
    me = login("supervisor")
    case = make_case(me, owner=me, hours_ago=5)
    cases.reply(case, me, "收到", "r1")
    cases.act(case, CaseAction.PAUSE, me, reason="客户出差")
    page = _listing(client)
    card = _card(page, case)
    assert "clock-paused" in card and "已暂停" in card and "按时完成" in card


def test_each_filter_shows_its_cases(client, login):
    me = login("supervisor")
    other = make_user("admin")
    mine = make_case(me, owner=me, hours_ago=1)
    theirs = make_case(me, owner=other, hours_ago=2)
    nobodys = make_case(me, hours_ago=3)
    soon = make_case(me, owner=other, hours_ago=21)
    late = make_case(me, owner=other, hours_ago=30)
    done = make_case(me, owner=me, hours_ago=4)
    cases.reply(done, me, "已处理", "r1")
    cases.act(done, CaseAction.RESOLVE, me, root_cause="沟通不足")
    expected = {
        "open": {mine, theirs, nobodys, soon, late},
        "due_soon": {soon},
        "overdue": {late},
        "unassigned": {nobodys},
        "mine": {mine},
        "closed": {done},
        "all": {mine, theirs, nobodys, soon, late, done},
    }
    everyone = expected["all"]
    for show, wanted in expected.items():
        page = _listing(client, f"?show={show}")
        assert {c for c in everyone if _shown(page, c)} == wanted, show
        assert f'data-testid="filter-{show}"' in page and 'aria-current="page"' in page
    assert {c for c in everyone if _shown(_listing(client, "?show=nonsense"), c)} == expected["open"]


def test_the_warnings_count_amber_and_red_on_the_list_and_on_the_overview(client, login):
    me = login("supervisor")
    assert 'data-testid="complaint-warnings-none"' in _listing(client)
    for hours in (21, 22, 30):
        make_case(me, owner=me, hours_ago=hours)
    make_case(me, owner=me, hours_ago=1)
    for page in (_listing(client), client.get("/overview").get_data(as_text=True)):
        warnings = page[page.index('data-testid="complaint-warnings"') :][:1000]
        assert "已超时：1 件" in warnings and "4 小时内到期：2 件" in warnings
        assert "/complaints?show=overdue" in warnings and "/complaints?show=due_soon" in warnings


def test_a_long_list_is_paged_with_its_total(client, login):
    me = login("supervisor")
    customer = make_customer()
    for n in range(53):
        make_case(me, customer=customer, hours_ago=1 + n / 100, key=f"k{n}")
    page = _listing(client)
    assert "第 1 / 2 页 · 共 53 条" in page and page.count('class="card case-card') == 50
    assert _listing(client, "?page=2").count('class="card case-card') == 3


def test_the_sweep_finds_the_clocks_to_warn_about(app):
    me = make_user("supervisor")
    soon = make_case(me, owner=me, hours_ago=21)
    late = make_case(me, owner=me, hours_ago=30)
    breached = make_case(me, owner=me, hours_ago=50)
    make_case(me, owner=me, hours_ago=1)
    slow = make_case(me, owner=me, hours_ago=70)
    cases.reply(slow, me, "在处理", "r1", now=slow.received_at + timedelta(hours=1))
    found = {(c.id, clock, state) for c, clock, state in cases_needing_warning(utcnow())}
    assert found == {
        (soon.id, Clock.FIRST_RESPONSE, ClockState.DUE_SOON),
        (late.id, Clock.FIRST_RESPONSE, ClockState.OVERDUE),
        (breached.id, Clock.FIRST_RESPONSE, ClockState.BREACHED),
        (slow.id, Clock.RESOLUTION, ClockState.DUE_SOON),
    }
    db.session.expire_all()
