"""Each step of a job sends the phone straight to the screen that comes next: one request, not two."""

import itertools

from sqlalchemy import event

from hk.extensions import db
from tests.builders import make_job
from tests.jobs.helpers import Phone


def test_check_in_and_each_completed_stage_go_straight_to_the_next_stage(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    stages = phone.job().stages
    checked_in = phone.check_in()
    assert checked_in.status_code == 303
    assert checked_in.headers["Location"] == f"/jobs/{phone.job_id}/stages/{stages[0]['code']}"
    for stage, following in itertools.pairwise(stages):
        done = phone.do_stage(stage)
        assert done.status_code == 303
        assert done.headers["Location"] == f"/jobs/{phone.job_id}/stages/{following['code']}"
    # the last stage has no stage after it: the job's page says what comes next (the customer)
    last = phone.do_stage(stages[-1])
    assert last.status_code == 303 and last.headers["Location"] == f"/jobs/{phone.job_id}"
    page = client.get(last.headers["Location"])
    assert page.status_code == 200 and "交给客户" in page.get_data(as_text=True)


def test_htmx_gets_the_next_stage_and_a_refusal_stays_on_the_stage(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    stages = phone.job().stages
    phone.check_in()
    refused = phone.complete(stages[0]["code"], htmx=True)  # nothing ticked yet
    assert refused.status_code == 409 and "HX-Redirect" not in refused.headers
    for item in stages[0]["items"]:
        if item["photo_required"]:
            assert phone.photo(stages[0]["code"], item["code"]).status_code == 201
        assert phone.answer(stages[0]["code"], item["code"]).status_code == 200
    if stages[0]["kind"] == "pre_service":
        phone.post("/pre-service", {"valuables": "", "requests": "", "confirm_quote": "y"})
    done = phone.complete(stages[0]["code"], htmx=True)
    assert done.status_code == 204
    assert done.headers["HX-Redirect"] == f"/jobs/{phone.job_id}/stages/{stages[1]['code']}"


def test_taking_over_a_job_opens_its_open_stage_on_the_new_phone(app, client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    phone.check_in()
    client.delete_cookie("hk_device")  # another phone of the same worker
    second = Phone(client, phone.job())
    taken = second.post("/take-over")
    assert taken.status_code == 303
    assert taken.headers["Location"] == f"/jobs/{phone.job_id}/stages/{phone.job().stages[0]['code']}"


def test_a_tick_answers_with_what_it_saved_in_one_transaction(app, client, login):
    phone = Phone(client, make_job(login("worker")))
    stages = phone.job().stages
    phone.check_in()
    stage, item = stages[0]["code"], stages[0]["items"][0]["code"]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement.lstrip().upper())

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        fragment = phone.answer(stage, item)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert fragment.status_code == 200 and 'aria-checked="true"' in fragment.get_data(as_text=True)
    assert [c.answer for c in phone.job().checks if c.item_code == item] == ["done"]
    written = max(i for i, s in enumerate(statements) if s.startswith(("INSERT", "UPDATE")))
    # the answer shows the job, its ticks and the item's photos as read under the job's lock: after
    # the commit nothing is read again, and no second transaction begins
    assert statements[written + 1 :] == []
