"""Small helpers of the back-office tests."""

from datetime import date, timedelta

from hk.domain.clock import local_today

TZ = "Asia/Shanghai"


def tomorrow() -> date:
    """Tomorrow in the company's time zone."""
    return local_today(TZ) + timedelta(days=1)
