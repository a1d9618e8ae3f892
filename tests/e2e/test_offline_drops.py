"""A whole job on a signal that drops one request in five (route interception): some never reach
the server, some reach it and lose their answer. The outbox sends each again until it is taken:
0 lost, 0 doubled. (Signing is the customer's part, tested by offline-sign; here the job ends
waiting for the signature.)"""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from playwright.sync_api import expect

from tests.e2e.offline_world import do_stage, held, open_job, photo_file

pytestmark = pytest.mark.e2e


def test_a_whole_job_on_a_signal_that_drops_a_fifth_of_the_requests_loses_and_doubles_nothing(
    app, scheduled_world, live_server, phone, tmp_path
):
    page, world = phone, scheduled_world
    open_job(page, live_server, world)
    page.get_by_test_id("check-in").click()
    page.wait_for_url(re.compile(r"/stages/pre_service$"))

    chance = random.Random(15)  # the same drops on every run
    dropped = Counter()

    def flaky(route):
        request = route.request
        if request.method != "POST" or "/jobs/" not in request.url:
            route.continue_()
            return
        roll = chance.random()
        if roll < 0.1:  # never reaches the server
            dropped["before"] += 1
            route.abort("internetdisconnected")
        elif roll < 0.2:  # reaches the server, its answer is lost on the way back
            dropped["after"] += 1
            route.fetch()
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.context.route("**/*", flaky)
    photo = photo_file(tmp_path, "p.jpg")
    stages = world.job.stages
    for n, stage in enumerate(stages):
        page.wait_for_url(re.compile(rf"/stages/{stage['code']}$"), timeout=120_000)
        do_stage(page, stage, photo)
        page.get_by_test_id("complete-stage").click()
        if n + 1 < len(stages):
            page.wait_for_url(re.compile(rf"/stages/{stages[n + 1]['code']}$"), timeout=120_000)
    page.wait_for_url(f"{live_server}/jobs/{world.job.id}", timeout=120_000)
    page.context.unroute("**/*")

    assert dropped["before"] and dropped["after"]  # the signal did drop both ways
    server = held(world.job.id)
    answers = Counter(
        (e.data["stage"], e.data["item"]) for e in server["events"] if e.action == "item.answer"
    )
    every_item = [(s["code"], i["code"]) for s in stages for i in s["items"]]
    assert sorted(answers) == sorted(every_item) and set(answers.values()) == {1}  # 0 lost, 0 doubled
    photos = Counter((p.stage_code, p.item_code) for p in server["photos"])
    with_photo = [(s["code"], i["code"]) for s in stages for i in s["items"] if i["photo_required"]]
    assert sorted(photos) == sorted(with_photo) and set(photos.values()) == {1}
    completed = [e.data["stage"] for e in server["events"] if e.action == "stage.complete"]
    assert completed == [s["code"] for s in stages]
    added = [e for e in server["events"] if e.action == "handover.item_add"]
    assert len(added) == 1
    assert server["job"].status == "awaiting_signature"
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved")
