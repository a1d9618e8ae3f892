"""The catalogue file format (hk-catalogue/1): parse and check it before anything is stored."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

import yaml

from hk.domain.emergency import PlanError, check_plan

FORMAT = "hk-catalogue/1"


class StageKind(StrEnum):
    """The four kinds of stage every checklist is made of, in the order a job passes them."""

    PRE_SERVICE = "pre_service"
    SAFETY = "safety"
    CLEANING = "cleaning"
    POST_SERVICE = "post_service"


STAGE_KINDS = tuple(StageKind)
PRICE_KINDS = ("labour_hour", "per_area", "per_item", "materials", "surcharge")
PRICE_UNITS = ("hour", "m2", "item", "job")
LANGS = ("zh_CN", "en")


class CatalogueError(ValueError):
    """The file is not a valid catalogue; the message names the place and, if known, the line."""


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers on which line every mapping started."""


def _construct_mapping(loader, node):
    mapping = loader.construct_mapping(node, deep=True)
    return _Located(mapping, node.start_mark.line + 1)


class _Located(dict):
    def __init__(self, mapping, line):
        super().__init__(mapping)
        self.line = line


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_text(text: str) -> dict:
    """Parse catalogue YAML text and check it; returns plain, normalised data."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a safe loader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise CatalogueError(f"{where}not valid YAML ({getattr(exc, 'problem', exc)})") from None
    return check(data)


def _fail(node: Any, path: str, message: str):
    line = getattr(node, "line", None)
    where = f"line {line}, " if line else ""
    raise CatalogueError(f"{where}{path}: {message}")


def _text(node, key, path, required=True, max_len=200) -> str | None:
    value = node.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            _fail(node, f"{path}.{key}", "is missing")
        return None
    if not isinstance(value, str | int):
        _fail(node, f"{path}.{key}", "must be text")
    value = str(value).strip()
    if len(value) > max_len:
        _fail(node, f"{path}.{key}", f"is longer than {max_len} characters")
    return value


def _labels(node, key, path, max_len=200) -> dict:
    value = node.get(key)
    if not isinstance(value, dict):
        _fail(node, f"{path}.{key}", "must have zh_CN and en texts")
    return {lang: _text(value, lang, f"{path}.{key}", max_len=max_len) for lang in LANGS}


def _list(node, key, path, min_len=0) -> list:
    value = node.get(key, [])
    if not isinstance(value, list):
        _fail(node, f"{path}.{key}", "must be a list")
    if len(value) < min_len:
        _fail(node, f"{path}.{key}", f"needs at least {min_len} {'entry' if min_len == 1 else 'entries'}")
    return value


def _flag(node, key, path, default: bool) -> bool:
    value = node.get(key, default)
    if not isinstance(value, bool):
        _fail(node, f"{path}.{key}", "must be true or false")
    return value


def _code(node, path, seen: set) -> str:
    code = _text(node, "code", path, max_len=64)
    if not code.replace("_", "").isalnum() or not code.isascii():
        _fail(node, f"{path}.code", "may hold only letters, digits and _")
    if code in seen:
        _fail(node, f"{path}.code", f"'{code}' is used twice")
    seen.add(code)
    return code


def check_service_type(st: Any, path: str) -> dict:
    """Check one service type entry and return it normalised."""
    if not isinstance(st, dict):
        _fail(st, path, "must be a mapping")
    code = _code(st, path, set())
    name = _labels(st, "name", path, max_len=100)
    duration = st.get("default_duration_minutes", 120)
    if not isinstance(duration, int) or not 15 <= duration <= 24 * 60:
        _fail(st, f"{path}.default_duration_minutes", "must be a whole number of minutes, 15 to 1440")
    prices, price_codes = [], set()
    for i, item in enumerate(_list(st, "price_items", path)):
        p = f"{path}.price_items[{i}]"
        if not isinstance(item, dict):
            _fail(st, p, "must be a mapping")
        kind = _text(item, "kind", p)
        if kind not in PRICE_KINDS:
            _fail(item, f"{p}.kind", f"must be one of {', '.join(PRICE_KINDS)}")
        unit = _text(item, "unit", p)
        if unit not in PRICE_UNITS:
            _fail(item, f"{p}.unit", f"must be one of {', '.join(PRICE_UNITS)}")
        try:
            price = Decimal(str(item.get("unit_price")))
        except InvalidOperation:
            _fail(item, f"{p}.unit_price", 'must be a number such as "45.00"')
        if not price.is_finite() or price < 0 or price != price.quantize(Decimal("0.01")):
            _fail(item, f"{p}.unit_price", "must be zero or more, with at most two decimals")
        prices.append(
            {
                "code": _code(item, p, price_codes),
                "kind": kind,
                "name": _labels(item, "name", p, max_len=100),
                "unit": unit,
                "unit_price": price.quantize(Decimal("0.01")),
            }
        )
    stages, stage_codes, item_codes = [], set(), set()
    for s_i, stage in enumerate(_list(st, "stages", path, min_len=1)):
        p = f"{path}.stages[{s_i}]"
        if not isinstance(stage, dict):
            _fail(st, p, "must be a mapping")
        kind = _text(stage, "kind", p)
        if kind not in STAGE_KINDS:
            _fail(stage, f"{p}.kind", f"must be one of {', '.join(STAGE_KINDS)}")
        items = []
        for i_i, item in enumerate(_list(stage, "items", p, min_len=1)):
            ip = f"{p}.items[{i_i}]"
            if not isinstance(item, dict):
                _fail(stage, ip, "must be a mapping")
            checked = {
                "code": _code(item, ip, item_codes),
                "label": _labels(item, "label", ip),
                "required": _flag(item, "required", ip, True),
                "photo_required": _flag(item, "photo_required", ip, False),
                "safety": _flag(item, "safety", ip, kind == StageKind.SAFETY),
                # "Not applicable" (no ladder in this home) is offered only where the template says so.
                "allows_na": _flag(item, "allows_na", ip, False),
            }
            if checked["allows_na"] and kind != StageKind.SAFETY:
                _fail(item, f"{ip}.allows_na", "is allowed only on items of the safety stage")
            items.append(checked)
        stages.append(
            {
                "code": _code(stage, p, stage_codes),
                "kind": kind,
                "name": _labels(stage, "name", p, max_len=100),
                "items": items,
            }
        )
    kinds = [s["kind"] for s in stages]
    if kinds.count(StageKind.SAFETY) > 1:
        _fail(st, f"{path}.stages", "may have only one safety stage")
    return {
        "code": code,
        "name": name,
        "description": {
            lang: _text(st.get("description") or {}, lang, f"{path}.description", False, 1000)
            for lang in LANGS
        },
        "default_duration_minutes": duration,
        "tools": [
            _labels({"x": t}, "x", f"{path}.tools[{i}]") for i, t in enumerate(_list(st, "tools", path))
        ],
        "materials": [
            _labels({"x": m}, "x", f"{path}.materials[{i}]")
            for i, m in enumerate(_list(st, "materials", path))
        ],
        "price_items": prices,
        "stages": stages,
    }


def check(data: Any) -> dict:
    """Check parsed catalogue data; raises CatalogueError naming the first problem.

    A file holds service types, emergency plans (one per incident type), or both.
    """
    if not isinstance(data, dict):
        raise CatalogueError("the file must start with 'format: hk-catalogue/1'")
    if data.get("format") != FORMAT:
        _fail(data, "format", f"must be {FORMAT}")
    plan_entries = _list(data, "emergency_plans", "emergency_plans")
    entries = _list(data, "service_types", "service_types", min_len=0 if plan_entries else 1)
    result, codes = [], set()
    for i, st in enumerate(entries):
        checked = check_service_type(st, f"service_types[{i}]")
        if checked["code"] in codes:
            _fail(st, f"service_types[{i}].code", f"'{checked['code']}' is used twice")
        codes.add(checked["code"])
        result.append(checked)
    plans, types = [], set()
    for i, entry in enumerate(plan_entries):
        path = f"emergency_plans[{i}]"
        try:
            plan = check_plan(entry, path)
        except PlanError as exc:
            line = getattr(entry, "line", None)
            raise CatalogueError(f"line {line}, {exc}" if line else str(exc)) from None
        if plan["incident_type"] in types:
            _fail(entry, f"{path}.incident_type", f"'{plan['incident_type']}' has two plans")
        types.add(plan["incident_type"])
        plans.append(plan)
    return {"format": FORMAT, "service_types": result, "emergency_plans": plans}
