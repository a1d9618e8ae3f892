from decimal import Decimal

import pytest

from hk.catalogue import DEFAULT_CATALOGUE
from hk.domain.catalogue import CatalogueError, load_text

SHIPPED = load_text(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
BY_CODE = {st["code"]: st for st in SHIPPED["service_types"]}


def test_the_shipped_catalogue_has_the_four_required_service_types():
    assert set(BY_CODE) >= {"daily_cleaning", "deep_cleaning", "move_cleaning", "kitchen_appliance_cleaning"}
    assert BY_CODE["daily_cleaning"]["name"] == {"zh_CN": "日常保洁", "en": "Daily cleaning"}
    assert BY_CODE["move_cleaning"]["name"]["zh_CN"] == "开荒保洁"


@pytest.mark.parametrize("code", sorted(BY_CODE))
def test_each_service_type_has_the_standard_stage_structure(code):
    st = BY_CODE[code]
    kinds = [stage["kind"] for stage in st["stages"]]
    assert kinds[0] == "pre_service"
    assert kinds[1] == "safety"
    assert kinds[-1] == "post_service"
    assert kinds.count("safety") == 1
    assert 3 <= kinds.count("cleaning") <= 6
    assert all(k == "cleaning" for k in kinds[2:-1])
    safety = st["stages"][1]
    assert all(item["safety"] and item["required"] for item in safety["items"])
    assert any(item["photo_required"] for item in st["stages"][0]["items"]), "before photos"
    assert any(item["photo_required"] for item in st["stages"][-1]["items"]), "after photos"
    assert st["tools"] and st["materials"] and st["price_items"]
    for price in st["price_items"]:
        assert isinstance(price["unit_price"], Decimal) and price["unit_price"] >= 0


def test_every_label_is_in_both_languages():
    def labels():
        for st in SHIPPED["service_types"]:
            yield st["name"]
            yield from st["tools"] + st["materials"]
            yield from (p["name"] for p in st["price_items"])
            for stage in st["stages"]:
                yield stage["name"]
                yield from (item["label"] for item in stage["items"])

    for label in labels():
        assert label["zh_CN"] and label["en"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in label["zh_CN"]), label
        assert label["zh_CN"] != label["en"]


BASE = """format: hk-catalogue/1
service_types:
  - code: t
    name: {zh_CN: 测试, en: Test}
    price_items:
      - code: labour
        kind: labour_hour
        name: {zh_CN: 人工, en: Labour}
        unit: hour
        unit_price: "%s"
    stages:
      - code: s
        kind: cleaning
        name: {zh_CN: 阶段, en: Stage}
        items:
%s
"""
ITEM = """          - code: a
            label: {zh_CN: 擦, en: Wipe}
"""


def test_a_minimal_catalogue_is_accepted():
    data = load_text(BASE % ("45.50", ITEM))
    assert data["service_types"][0]["price_items"][0]["unit_price"] == Decimal("45.50")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: other/1\nservice_types: []\n", "format"),
        ("[1, 2", "not valid YAML"),
        (BASE % ("-3", ITEM), "unit_price: must be zero or more"),
        (BASE % ("abc", ITEM), "unit_price: must be a number"),
        (BASE % ("1.001", ITEM), "at most two decimals"),
        ((BASE % ("1", "")).replace("        items:\n", "        items: []\n"), "needs at least 1"),
        (BASE % ("1", ITEM.replace("en: Wipe", "en: ''")), "label.en: is missing"),
        (BASE % ("1", ITEM + ITEM), "'a' is used twice"),
    ],
)
def test_a_wrong_catalogue_is_refused_with_the_place_named(text, message):
    with pytest.raises(CatalogueError) as excinfo:
        load_text(text)
    assert message in str(excinfo.value)


def test_the_error_names_the_line():
    with pytest.raises(CatalogueError) as excinfo:
        load_text(BASE % ("1", ITEM.replace("en: Wipe", "en: ''")))
    # the item's label mapping starts on line 17 of the text
    assert str(excinfo.value).startswith("line 17, ")


def test_not_applicable_is_allowed_only_on_safety_items():
    na_item = ITEM + "            allows_na: true\n"
    with pytest.raises(CatalogueError, match="allows_na: is allowed only on items of the safety stage"):
        load_text(BASE % ("1", na_item))
    safety = (BASE % ("1", na_item)).replace("kind: cleaning", "kind: safety")
    assert load_text(safety)["service_types"][0]["stages"][0]["items"][0]["allows_na"] is True
    assert load_text(BASE % ("1", ITEM))["service_types"][0]["stages"][0]["items"][0]["allows_na"] is False
