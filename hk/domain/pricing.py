"""Itemised quotes (价格透明): Decimal money, amounts rounded half-up to the cent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
DEFAULT_AREA_M2 = Decimal("80")


def money(value: Decimal | int | str) -> Decimal:
    """A Decimal rounded half-up to the cent."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PriceFact:
    code: str
    kind: str
    unit: str
    unit_price: Decimal


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity × unit price, to the cent."""
    if quantity < 0 or unit_price < 0:
        raise ValueError("quantities and prices are never negative")
    return money(quantity * unit_price)


def default_quantity(price: PriceFact, duration_minutes: int, area_m2: Decimal | None = None) -> Decimal:
    """The quantity a new job's quote starts with; surcharges start at zero (added when they apply)."""
    if price.kind == "labour_hour" and price.unit == "hour":
        halves = (Decimal(duration_minutes) / Decimal(30)).to_integral_value(rounding=ROUND_HALF_UP)
        return halves / 2
    if price.kind == "per_area":
        return area_m2 if area_m2 is not None else DEFAULT_AREA_M2
    if price.kind == "surcharge":
        return Decimal(0)
    return Decimal(1)


def total(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of line amounts, to the cent."""
    return money(sum(amounts, Decimal(0)))
