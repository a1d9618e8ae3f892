"""Emergencies (seed 000 §7): every incident type's plan, what closing needs, and the response figures."""

from datetime import UTC, datetime, timedelta

import pytest

from hk.catalogue import DEFAULT_CATALOGUE
from hk.domain.catalogue import CatalogueError, load_text
from hk.domain.emergency import (
    ALERT_SEVERITY,
    Call,
    CloseProblem,
    IncidentSeverity,
    IncidentTimes,
    IncidentType,
    PlanError,
    alerts_supervisor,
    check_plan,
    close_problems,
    incident_figures,
    missing_plans,
    steps_from_rows,
)

SHIPPED = load_text(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
PLANS = {plan["incident_type"]: plan for plan in SHIPPED["emergency_plans"]}


@pytest.mark.parametrize("kind", list(IncidentType))
def test_every_incident_type_has_a_shipped_plan_in_both_languages(kind):
    plan = PLANS.get(kind.value)
    assert plan is not None, f"no emergency plan for {kind} in hk/data/catalogue.yaml"
    assert 3 <= len(plan["steps"]) <= 6 and plan["calls"]
    for step in plan["steps"]:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in step["zh_CN"]), step
        assert step["en"].isascii() and step["en"] != step["zh_CN"], step
    assert "company" in plan["calls"], "every plan lets the worker call the company"


def test_missing_plans_names_the_types_without_one():
    assert missing_plans(PLANS) == []
    assert missing_plans(set(PLANS) - {"electrical"}) == [IncidentType.ELECTRICAL]


def _text(plan_type: str) -> str:
    return " ".join(step["en"] for step in PLANS[plan_type]["steps"])


def test_the_shipped_plans_say_the_first_things_to_do():
    assert PLANS["fire"]["calls"][0] == "119" and "lift" in _text("fire")
    assert "water on burning oil" in _text("fire")
    assert PLANS["electrical"]["calls"][0] == "120" and "breaker" in _text("electrical")
    assert "Do not touch" in _text("electrical")
    assert "15 minutes" in _text("chemical_exposure") and "Never mix" in _text("chemical_exposure")
    assert "label" in _text("chemical_exposure") and "fresh air" in _text("chemical_exposure")
    assert "spine" in _text("fall") and PLANS["fall"]["calls"][0] == "120"
    assert PLANS["injury"]["calls"][0] == "120"
    assert PLANS["property_damage"]["calls"] == ["company"] and "repairs" in _text("property_damage")
    assert "photograph" in _text("property_damage")
    assert "110" in PLANS["customer_dispute"]["calls"] and "leave" in _text("customer_dispute")
    assert set(PLANS["other"]["calls"]) == {c.value for c in Call}


def test_only_the_most_severe_level_alerts_a_supervisor():
    assert ALERT_SEVERITY == IncidentSeverity.SEVERE == list(IncidentSeverity)[-1]
    assert [alerts_supervisor(s) for s in IncidentSeverity] == [False, False, True]


def test_a_severe_incident_is_closed_only_with_an_after_action_evaluation():
    assert close_problems("minor", "已处理", "", "") == []
    assert close_problems("moderate", " ", "", "") == [CloseProblem.RESOLUTION]
    assert close_problems("severe", "已处理", "", "  ") == [CloseProblem.WORKED, CloseProblem.TO_CHANGE]
    assert close_problems("severe", "已处理", "及时撤离", "") == [CloseProblem.TO_CHANGE]
    assert close_problems("severe", "已处理", "及时撤离", "每季度演练一次") == []


PLAN = {"incident_type": "fire", "calls": ["119", "company"], "steps": [{"zh_CN": "撤离", "en": "Get out"}]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"incident_type": "flood"}, "incident_type: must be one of"),
        ({"calls": []}, "calls: must list at least one"),
        ({"calls": ["999"]}, "calls[0]: must be one of"),
        ({"calls": ["119", "119"]}, "calls[1]: '119' is listed twice"),
        ({"steps": []}, "steps: must list 1 to 12 steps"),
        ({"steps": [{"zh_CN": "撤离"}]}, "steps[0].en: is missing"),
        ({"steps": [{"zh_CN": "撤" * 301, "en": "Go"}]}, "steps[0].zh_CN: is longer than 300"),
    ],
)
def test_a_wrong_plan_is_refused_with_the_place_named(change, message):
    with pytest.raises(PlanError) as excinfo:
        check_plan(PLAN | change, "emergency_plans[0]")
    assert message in str(excinfo.value)


def test_a_plan_in_a_catalogue_file_is_checked_and_its_line_named():
    text = (
        "format: hk-catalogue/1\nemergency_plans:\n  - incident_type: fire\n    calls: [119]\n    steps: []\n"
    )
    with pytest.raises(CatalogueError) as excinfo:
        load_text(text)
    assert str(excinfo.value).startswith("line 3, emergency_plans[0].steps")
    twice = text.replace("steps: []", "steps: [{zh_CN: 撤离, en: Get out}]")
    assert load_text(twice)["service_types"] == []  # a file of plans only is a catalogue too
    with pytest.raises(CatalogueError, match="'fire' has two plans"):
        load_text(twice + twice.split("emergency_plans:\n")[1])


def test_the_editor_keeps_the_filled_rows_in_order_and_refuses_a_half_filled_one():
    rows = [("撤离", "Get out"), ("", " "), (" 拨打119 ", "Call 119"), ("", "")]
    assert steps_from_rows(rows) == [
        {"zh_CN": "撤离", "en": "Get out"},
        {"zh_CN": "拨打119", "en": "Call 119"},
    ]
    with pytest.raises(PlanError, match="step 2: the English text is missing"):
        steps_from_rows([("撤离", "Get out"), ("", ""), ("拨打119", "")])
    with pytest.raises(PlanError, match="step 1: the Chinese text is missing"):
        steps_from_rows([("", "Get out")])


T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def test_the_figures_count_response_times_and_evaluations():
    minutes = lambda n: T0 + timedelta(minutes=n)  # noqa: E731
    figures = incident_figures(
        [
            IncidentTimes("severe", T0, minutes(4), minutes(120), evaluated=True),
            IncidentTimes("severe", T0, minutes(10), minutes(240), evaluated=False),
            IncidentTimes("severe", T0, minutes(30)),
            IncidentTimes("severe", T0),  # not yet acknowledged
            IncidentTimes("minor", T0, minutes(1), minutes(60)),
        ]
    )
    assert figures.reported == 5 and figures.severe == 4 and figures.acknowledged_severe == 3
    assert figures.minutes_to_acknowledge == 10  # median of 4, 10, 30 (the minor one is not counted)
    assert figures.hours_to_resolve == 2  # median of 2 h, 4 h and 1 h
    assert (figures.severe_closed, figures.evaluated) == (2, 1)
    empty = incident_figures([])
    assert empty.minutes_to_acknowledge is None and empty.hours_to_resolve is None and empty.reported == 0
