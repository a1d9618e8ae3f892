"""What differs between the view a customer signed offline and the server's."""

from __future__ import annotations

import copy

from hk.domain.offline_sign import Difference, differences

VIEW = {
    "v": 1,
    "job": {"number": "J1", "customer": "周丽"},
    "stages": [
        {
            "code": "clean",
            "items": [
                {"code": "a", "answer": "done", "note": None},
                {"code": "b", "answer": None, "note": None},
            ],
            "photos": [{"key": "p1", "item": "a"}],
        }
    ],
    "quote": {"lines": [], "total": "100.00"},
    "handover": {"items": [], "remarks": None},
    "incidents": [],
}


def _changed(change):
    view = copy.deepcopy(VIEW)
    change(view)
    return view


def test_the_same_view_has_no_difference():
    assert differences(copy.deepcopy(VIEW), VIEW) == []


def test_each_part_that_differs_is_named_once():
    shown = _changed(lambda v: v["stages"][0]["items"][1].update(answer="done"))
    assert differences(shown, VIEW) == [Difference("item", "clean", "b")]
    shown = _changed(lambda v: v["stages"][0]["photos"].append({"key": "p2", "item": "a"}))
    assert differences(shown, VIEW) == [Difference("photos", "clean")]
    shown = _changed(lambda v: v["handover"].update(remarks="钥匙在门卫"))
    assert differences(shown, VIEW) == [Difference("remarks")]
    shown = _changed(lambda v: v["incidents"].append({"key": "i", "type": "injury", "what_happened": "x"}))
    assert differences(shown, VIEW) == [Difference("incidents")]
    shown = _changed(lambda v: v["quote"].update(total="120.00"))
    assert differences(shown, VIEW) == [Difference("quote")]


def test_a_view_of_another_shape_or_version_asks_for_a_new_review():
    assert differences("nonsense", VIEW) == [Difference("version")]
    assert differences(_changed(lambda v: v.update(v=0)), VIEW) == [Difference("version")]
    assert differences(_changed(lambda v: v.update(extra=1)), VIEW) == [Difference("version")]
