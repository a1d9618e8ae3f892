"""Every allowed and every forbidden transition of the job workflow, without a request."""

import pytest

from hk.domain.workflow import (
    Action,
    Answer,
    JobFacts,
    Refusal,
    Status,
    WorkflowError,
    check_answer,
    check_assign,
    decide,
    may_assign,
    open_stage,
    stage_is_open,
)


def item(code, required=True, photo=False, safety=False):
    return {
        "code": code,
        "required": required,
        "photo_required": photo,
        "safety": safety,
        "label": {"zh_CN": code, "en": code},
    }


STAGES = [
    {"code": "pre", "kind": "pre_service", "items": [item("p1"), item("p2", photo=True)]},
    {
        "code": "safe",
        "kind": "safety",
        "items": [item("s1", safety=True), item("s2", required=False, safety=True)],
    },
    {
        "code": "c1",
        "kind": "cleaning",
        "items": [item("a"), item("b", required=False), item("c", photo=True)],
    },
    {"code": "c2", "kind": "cleaning", "items": [item("d")]},
    {"code": "post", "kind": "post_service", "items": [item("h1"), item("h2", photo=True, required=False)]},
]


def facts(status=Status.SCHEDULED, **kw):
    return JobFacts(status=status, stages=STAGES, **kw)


def codes(excinfo):
    return [r.code for r in excinfo.value.refusals]


# (action, from, to) — every allowed transition that needs no stage evidence.
ALLOWED = [
    (Action.CHECK_IN, Status.SCHEDULED, Status.CHECKED_IN),
    (Action.BLOCK, Status.SAFETY, Status.BLOCKED),
    (Action.UNBLOCK, Status.BLOCKED, Status.SAFETY),
    (Action.SIGN, Status.AWAITING_SIGNATURE, Status.COMPLETED),
    *[
        (Action.PAUSE, s, Status.PAUSED)
        for s in (Status.SCHEDULED, Status.CHECKED_IN, Status.SAFETY, Status.CLEANING, Status.HANDOVER)
    ],
    *[(Action.CANCEL, s, Status.CANCELLED) for s in Status if s not in (Status.COMPLETED, Status.CANCELLED)],
]
ALLOWED_PAIRS = {(a, s) for a, s, _ in ALLOWED}


@pytest.mark.parametrize(("action", "start", "end"), ALLOWED)
def test_allowed_transitions(action, start, end):
    assert decide(facts(start), action) == end


FORBIDDEN = [
    (a, s)
    for a in (Action.CHECK_IN, Action.BLOCK, Action.UNBLOCK, Action.SIGN, Action.PAUSE, Action.CANCEL)
    for s in Status
    if (a, s) not in ALLOWED_PAIRS
]


@pytest.mark.parametrize(("action", "start"), FORBIDDEN)
def test_forbidden_transitions(action, start):
    with pytest.raises(WorkflowError) as excinfo:
        decide(facts(start), action)
    assert codes(excinfo) == ["wrong_status"]


@pytest.mark.parametrize("start", [s for s in Status if s != Status.PAUSED])
def test_resume_only_from_paused(start):
    with pytest.raises(WorkflowError):
        decide(facts(start, paused_from=Status.CLEANING), Action.RESUME)


@pytest.mark.parametrize(
    "before", [Status.SCHEDULED, Status.CHECKED_IN, Status.SAFETY, Status.CLEANING, Status.HANDOVER]
)
def test_resume_returns_to_where_the_job_was_paused(before):
    assert decide(facts(Status.PAUSED, paused_from=before), Action.RESUME) == before


def test_a_worker_without_valid_certificates_cannot_check_in():
    with pytest.raises(WorkflowError) as excinfo:
        decide(facts(qualification_problems=["health expired"]), Action.CHECK_IN)
    assert codes(excinfo) == ["not_qualified"]


# --- stages ----------------------------------------------------------------------------------


def test_pre_service_needs_items_before_photos_and_the_quote():
    f = facts(Status.CHECKED_IN)
    with pytest.raises(WorkflowError) as excinfo:
        decide(f, Action.COMPLETE_STAGE, "pre")
    assert codes(excinfo) == ["item_missing", "item_missing", "photo_missing", "quote_not_confirmed"]
    f.answers = {("pre", "p1"): Answer.DONE, ("pre", "p2"): Answer.DONE}
    f.item_photos = {("pre", "p2"): 2}
    f.quote_confirmed = True
    assert decide(f, Action.COMPLETE_STAGE, "pre") == Status.SAFETY


def test_the_safety_check_gates_cleaning():
    f = facts(Status.SAFETY, completed_stages={"pre"})
    assert not stage_is_open(f, "c1")
    with pytest.raises(WorkflowError) as excinfo:
        decide(f, Action.COMPLETE_STAGE, "safe")
    assert codes(excinfo) == ["item_missing"]  # s2 is optional
    f.answers = {("safe", "s1"): Answer.SAFE}
    assert decide(f, Action.COMPLETE_STAGE, "safe") == Status.CLEANING


def test_a_not_safe_answer_refuses_completion():
    f = facts(
        Status.SAFETY,
        completed_stages={"pre"},
        answers={("safe", "s1"): Answer.SAFE, ("safe", "s2"): Answer.NOT_SAFE},
    )
    with pytest.raises(WorkflowError) as excinfo:
        decide(f, Action.COMPLETE_STAGE, "safe")
    assert excinfo.value.refusals == [Refusal("not_safe", {"item": "s2"})]


def test_cleaning_stages_open_in_order_and_the_last_leads_to_handover():
    f = facts(Status.CLEANING, completed_stages={"pre", "safe"})
    assert open_stage(f)["code"] == "c1"
    assert not stage_is_open(f, "c2")
    with pytest.raises(WorkflowError) as excinfo:
        decide(f, Action.COMPLETE_STAGE, "c2")
    assert codes(excinfo) == ["stage_locked"]
    f.answers = {("c1", "a"): Answer.DONE, ("c1", "c"): Answer.DONE}
    with pytest.raises(WorkflowError) as excinfo:
        decide(f, Action.COMPLETE_STAGE, "c1")
    assert excinfo.value.refusals == [Refusal("photo_missing", {"item": "c"})]
    f.item_photos = {("c1", "c"): 1}
    assert decide(f, Action.COMPLETE_STAGE, "c1") == Status.CLEANING
    f.completed_stages.add("c1")
    assert open_stage(f)["code"] == "c2"
    f.answers[("c2", "d")] = Answer.DONE
    assert decide(f, Action.COMPLETE_STAGE, "c2") == Status.HANDOVER


def test_handover_needs_tools_removed_and_leads_to_the_signature():
    f = facts(
        Status.HANDOVER, completed_stages={"pre", "safe", "c1", "c2"}, answers={("post", "h1"): Answer.DONE}
    )
    with pytest.raises(WorkflowError) as excinfo:
        decide(f, Action.COMPLETE_STAGE, "post")
    assert codes(excinfo) == ["photo_missing", "tools_not_removed"]
    f.item_photos = {("post", "h2"): 1}
    f.tools_removed = True
    assert decide(f, Action.COMPLETE_STAGE, "post") == Status.AWAITING_SIGNATURE


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        (Status.SCHEDULED, "pre"),
        (Status.CHECKED_IN, "safe"),
        (Status.SAFETY, "c1"),
        (Status.CLEANING, "post"),
        (Status.AWAITING_SIGNATURE, "post"),
        (Status.COMPLETED, "c1"),
    ],
)
def test_a_stage_that_is_not_open_refuses_ticks_and_completion(status, stage):
    f = facts(status, completed_stages={"pre", "safe"} if status == Status.CLEANING else set())
    with pytest.raises(WorkflowError) as excinfo:
        check_answer(
            f, stage, STAGES[[s["code"] for s in STAGES].index(stage)]["items"][0]["code"], Answer.DONE
        )
    assert codes(excinfo) in (["stage_locked"], ["stage_completed"])
    with pytest.raises(WorkflowError):
        decide(f, Action.COMPLETE_STAGE, stage)


def test_a_completed_stage_refuses_undo():
    f = facts(Status.CLEANING, completed_stages={"pre", "safe", "c1"})
    with pytest.raises(WorkflowError) as excinfo:
        check_answer(f, "c1", "a", None)
    assert codes(excinfo) == ["stage_completed"]
    check_answer(f, "c2", "d", None)  # the open stage may be undone


@pytest.mark.parametrize(("status", "code"), [(Status.PAUSED, "job_paused"), (Status.BLOCKED, "job_blocked")])
def test_a_paused_or_blocked_job_refuses_work(status, code):
    with pytest.raises(WorkflowError) as excinfo:
        check_answer(facts(status), "pre", "p1", Answer.DONE)
    assert codes(excinfo) == [code]


def test_answers_must_fit_the_stage():
    with pytest.raises(WorkflowError):
        check_answer(facts(Status.SAFETY, completed_stages={"pre"}), "safe", "s1", Answer.DONE)
    with pytest.raises(WorkflowError):
        check_answer(facts(Status.CHECKED_IN), "pre", "p1", Answer.SAFE)
    with pytest.raises(WorkflowError):
        check_answer(facts(Status.CHECKED_IN), "pre", "nope", Answer.DONE)
    check_answer(facts(Status.SAFETY, completed_stages={"pre"}), "safe", "s1", Answer.NOT_SAFE)


@pytest.mark.parametrize("status", list(Status))
def test_a_job_is_assigned_only_before_it_starts(status):
    assert may_assign(status) == (status == Status.SCHEDULED)
    if status == Status.SCHEDULED:
        check_assign(status)
    else:
        with pytest.raises(WorkflowError) as refused:
            check_assign(status)
        assert refused.value.refusals[0].code == "already_started"


def test_not_applicable_counts_as_answered_only_where_the_item_allows_it():
    na_stages = [
        {
            "code": "safe",
            "kind": "safety",
            "items": [{**item("s1", safety=True), "allows_na": True}, item("s2", safety=True)],
        },
    ]
    f = JobFacts(status=Status.SAFETY, stages=na_stages)
    check_answer(f, "safe", "s1", Answer.NOT_APPLICABLE)
    with pytest.raises(WorkflowError) as refused:
        check_answer(f, "safe", "s2", Answer.NOT_APPLICABLE)
    assert refused.value.refusals == [Refusal("unknown_answer")]
    answered = JobFacts(
        status=Status.SAFETY,
        stages=na_stages,
        answers={("safe", "s1"): Answer.NOT_APPLICABLE, ("safe", "s2"): Answer.SAFE},
    )
    assert decide(answered, Action.COMPLETE_STAGE, "safe") == Status.CLEANING


def test_a_photo_required_item_is_ticked_only_once_its_photo_is_there():
    f = facts(Status.CHECKED_IN)
    with pytest.raises(WorkflowError) as refused:
        check_answer(f, "pre", "p2", Answer.DONE)
    assert refused.value.refusals == [Refusal("photo_missing", {"item": "p2"})]
    check_answer(f, "pre", "p2", None)  # undoing is always possible
    check_answer(facts(Status.CHECKED_IN, item_photos={("pre", "p2"): 1}), "pre", "p2", Answer.DONE)
