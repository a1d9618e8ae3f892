"""The job screens' flow (issue #14): N/A safety answers, photo first, refusals where the eye is,
progress, focus and announcements, and the small things seen on the walk."""

import re
import subprocess

from sqlalchemy import select

from hk.extensions import db
from hk.models import ItemCheck, ServiceRecord
from hk.storage import get_storage
from tests.builders import make_job
from tests.jobs.helpers import Phone, jpeg
from tests.records.test_sign_flow import _sign


def _stage(phone, kind: str) -> dict:
    return next(s for s in phone.job().stages if s["kind"] == kind)


def _safety_phone(client, login) -> tuple[Phone, dict]:
    phone = Phone(client, make_job(login("worker")))
    phone.walk(until_kind="safety")
    return phone, _stage(phone, "safety")


# --- item 6: "not applicable" where the template allows it ---------------------------------------


def test_a_safety_item_the_template_allows_is_answered_not_applicable(client, login):
    phone, stage = _safety_phone(client, login)
    ladder = next(i for i in stage["items"] if i["code"] == "ladder_safe")
    assert ladder["allows_na"] is True
    page = client.get(f"/jobs/{phone.job_id}/stages/{stage['code']}").get_data(as_text=True)
    ppe = page[page.index('id="item-ppe_worn"') : page.index('id="item-equipment_checked"')]
    assert "answer-na" not in ppe  # PPE always applies: no N/A offered
    answered = phone.answer(stage["code"], "ladder_safe", "not_applicable")
    assert answered.status_code == 200
    body = answered.get_data(as_text=True)
    assert re.search(r'id="na-ladder_safe"[^>]*aria-pressed="true"', body)
    assert re.search(r'id="safe-ladder_safe"[^>]*aria-pressed="false"', body)
    assert 'data-announce="不适用：' in body
    # every other item safe: the stage completes with the ladder "not applicable"
    for item in stage["items"]:
        if item["code"] != "ladder_safe":
            assert phone.answer(stage["code"], item["code"], "safe").status_code == 200
    assert phone.complete(stage["code"]).status_code == 303
    check = db.session.scalar(select(ItemCheck).where(ItemCheck.item_code == "ladder_safe"))
    assert check.answer == "not_applicable"


def test_not_applicable_is_refused_where_the_template_does_not_allow_it(client, login):
    phone, stage = _safety_phone(client, login)
    refused = phone.answer(stage["code"], "ppe_worn", "not_applicable")
    assert refused.status_code == 409
    assert "此项不能这样回答" in refused.get_data(as_text=True)
    assert db.session.scalar(select(ItemCheck).where(ItemCheck.item_code == "ppe_worn")) is None


def test_each_safety_button_names_its_item_and_says_whether_it_is_pressed(client, login):
    phone, stage = _safety_phone(client, login)
    body = client.get(f"/jobs/{phone.job_id}/stages/{stage['code']}").get_data(as_text=True)
    for item in stage["items"]:
        label = item["label"]["zh_CN"]
        for kind, word in (("safe", "安全"), ("unsafe", "不安全")):
            button = re.search(rf'<button[^>]*id="{kind}-{item["code"]}"[^>]*>(.*?)</button>', body, re.S)
            assert button, (kind, item["code"])
            assert 'aria-pressed="false"' in button.group(0)
            assert re.sub(r"<[^>]+>", "", button.group(1)).strip() == f"{word}: {label}"


def test_not_applicable_answers_show_on_the_supervisor_page_and_in_the_record(app, client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    assert phone.walk(until_kind="safety") is not None
    stage = _stage(phone, "safety")
    for item in stage["items"]:
        answer = "not_applicable" if item["code"] == "ladder_safe" else "safe"
        assert phone.answer(stage["code"], item["code"], answer).status_code == 200
    assert phone.complete(stage["code"]).status_code == 303
    for later in phone.job().stages:
        if later["kind"] not in ("pre_service", "safety"):
            assert phone.do_stage(later).status_code == 303
    assert phone.hand_to_customer().status_code == 303
    assert _sign(phone).status_code == 303
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == phone.job_id))
    assert record.render_status == "done", record.render_error
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=get_storage().get(record.pdf_key),
        capture_output=True,
        check=True,
    ).stdout.decode()
    ladder_line = next(line for line in text.splitlines() if "登高使用稳固人字梯" in line)
    assert "不适用" in ladder_line
    login("supervisor")
    page = client.get(f"/jobs/{phone.job_id}/record").get_data(as_text=True)
    assert re.search(r"登高使用稳固人字梯.*?不适用", page, re.S)


# --- item 7: the photo first, then the tick -------------------------------------------------------


def test_a_photo_required_item_is_ticked_only_with_its_photo(client, login):
    phone = Phone(client, make_job(login("worker")))
    phone.check_in()
    stage = _stage(phone, "pre_service")["code"]
    page = client.get(f"/jobs/{phone.job_id}/stages/{stage}").get_data(as_text=True)
    assert "请先拍照：照片上传后才能勾选此项" in page  # the item says how it works
    refused = phone.answer(stage, "before_photos")
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    # next to the item: its own fragment comes back with the reason, not the stage's message box
    assert 'id="item-before_photos"' in body and "HX-Retarget" not in refused.headers
    assert 'data-testid="item-error"' in body and "需要照片" in body
    assert db.session.scalar(select(ItemCheck).where(ItemCheck.item_code == "before_photos")) is None
    assert phone.photo(stage, "before_photos").status_code == 201
    assert phone.answer(stage, "before_photos").status_code == 200


# --- item 2: a refused "step complete" marks what is missing --------------------------------------


def test_a_refused_completion_marks_and_links_each_missing_item(client, login):
    phone = Phone(client, make_job(login("worker")))
    phone.check_in()
    stage = _stage(phone, "pre_service")
    assert phone.answer(stage["code"], "confirm_scope").status_code == 200
    refused = phone.complete(stage["code"], htmx=True)
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    # the stage's section alone, to swap in place, with the message box that takes the focus
    assert body.lstrip().startswith("<section") and 'id="stage-pre_service"' in body
    assert "data-focus-on-show" in body and 'tabindex="-1"' in body
    assert 'href="#item-confirm_time"' in body and 'href="#confirm-quote-field"' in body
    assert 'href="#item-confirm_scope"' not in body  # ticked: not named
    marked = set(re.findall(r'class="item[^"]*item-missing[^"]*" id="item-(\w+)"', body))
    assert marked == {i["code"] for i in stage["items"]} - {"confirm_scope"}
    # an item still without its photo is named once, for the photo
    assert body.count('href="#item-before_photos"') == 1
    assert "field-missing" in body  # the quote box is marked too
    plain = phone.complete(stage["code"])  # without htmx: the whole page, marked the same way
    assert plain.status_code == 409 and "<html" in plain.get_data(as_text=True)
    assert 'href="#item-confirm_time"' in plain.get_data(as_text=True)


# --- item 1: each fact once, kept as it is given --------------------------------------------------


def test_each_pre_service_fact_is_asked_once_and_kept_as_given(client, login):
    phone = Phone(client, make_job(login("worker")))
    phone.check_in()
    stage = _stage(phone, "pre_service")
    codes = {i["code"] for i in stage["items"]}
    assert not codes & {"confirm_quote", "valuables_fragile", "special_requests"}
    handover = _stage(phone, "post_service")
    assert not {i["code"] for i in handover["items"]} & {
        "tools_waste_removed",
        "keys_returned",
        "remarks_recorded",
    }
    page = client.get(f"/jobs/{phone.job_id}/stages/{stage['code']}").get_data(as_text=True)
    assert 'hx-trigger="change, input delay:800ms"' in page and "data-autosave" in page
    saved = phone.post("/pre-service", {"valuables": "玉镯", "requests": "", "confirm_quote": "y"}, htmx=True)
    assert saved.status_code == 200 and "已保存" in saved.get_data(as_text=True)
    assert phone.job().quote_confirmed_at is not None and phone.job().valuables_notes == "玉镯"
    # a later keystroke without the box (unticked) withdraws the agreement, as the screen shows it
    phone.post("/pre-service", {"valuables": "玉镯在卧室"}, htmx=True)
    assert phone.job().quote_confirmed_at is None and phone.job().valuables_notes == "玉镯在卧室"


# --- item 5: progress ------------------------------------------------------------------------------


def test_the_stage_says_which_step_of_how_many(client, login):
    phone = Phone(client, make_job(login("worker")))
    phone.walk(until_kind="safety")
    stages = phone.job().stages
    body = client.get(f"/jobs/{phone.job_id}/stages/{stages[1]['code']}").get_data(as_text=True)
    assert f"第 2 步，共 {len(stages)} 步" in body
    assert "已完成 1 步" in body
    assert f'<progress class="progress-bar" max="{len(stages)}" value="1"' in body
    assert 'aria-current="step"' in body


def test_a_completed_step_offers_the_way_on(client, login):
    phone = Phone(client, make_job(login("worker")))
    phone.walk(until_kind="safety")
    first, second = phone.job().stages[:2]
    body = client.get(f"/jobs/{phone.job_id}/stages/{first['code']}").get_data(as_text=True)
    assert 'data-testid="next-step"' in body
    assert f'href="/jobs/{phone.job_id}/stages/{second["code"]}"' in body
    assert "继续：安全检查" in body


def test_a_finished_job_on_today_has_a_quiet_link_not_the_big_button(client, login):
    worker = login("worker")
    done = make_job(worker, state="awaiting_signature")
    done.status = "completed"
    db.session.commit()
    make_job(worker)
    body = client.get("/today").get_data(as_text=True)
    assert body.count('data-testid="view-job"') == 1
    assert body.count('data-testid="open-job"') == 1


# --- item 13: small things -------------------------------------------------------------------------


def test_a_photo_on_a_job_held_by_another_phone_gets_a_short_message_and_a_take_over(app, client, login):
    phone = Phone(client, make_job(login("worker")))
    phone.check_in()
    stage = _stage(phone, "pre_service")["code"]
    client.delete_cookie("hk_device")  # the same worker's other phone
    other = Phone(client, phone.job())
    response = other.photo(stage, "before_photos")
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "<html" not in body and len(body) < 1500
    assert "这个工单正在另一部手机上进行" in body
    assert f'action="/jobs/{phone.job_id}/take-over"' in body and "csrf_token" in body


def test_a_damaged_photo_file_is_called_damaged(client, login):
    phone = Phone(client, make_job(login("worker")))
    phone.check_in()
    data = jpeg(1200, 900, quality=95)
    response = phone.photo(_stage(phone, "pre_service")["code"], "before_photos", data=data[: len(data) // 2])
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "已损坏" in text and "重新拍摄或换一张" in text and "上传不完整" not in text


def test_quantities_take_their_plural_form_in_english(client, login):
    phone = Phone(client, make_job(login("worker", locale="en"), minutes=180))
    phone.check_in()
    client.post("/language", data={"csrf_token": phone.token, "lang": "en", "next": "/today"})
    body = client.get(f"/jobs/{phone.job_id}/stages/{_stage(phone, 'pre_service')['code']}").get_data(
        as_text=True
    )
    assert "3 hours ×" in body and "3 hour " not in body
    assert "1 job ×" in body


def test_another_workers_job_is_called_that_not_another_role(client, login):
    job = make_job(login("worker"))
    login("worker")
    response = client.get(f"/jobs/{job.id}")
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "其他服务人员的工单" in body and "其他岗位" not in body
