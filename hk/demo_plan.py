"""The demo's four months, planned before anything is written: who cleaned where, when, and how it went.

Plain data from a random.Random with a fixed seed, relative to the demo's today, so every demo has the
same past and it always ends yesterday. Regular customers are booked as series (every week or every two
weeks, on their day, with their worker; a new series when the worker changes), and the rest of each
day is filled with one-off bookings, weekdays busier than Saturdays and Saturdays than Sundays. A
worker takes a morning and an afternoon job, or one long job (deep or move-in cleaning), a day.
`hk.demo_months` books and works through the plan; `hk.demo_cases` picks jobs from it for complaints.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

SEED = 20260801
WEEKS = 17
WORKERS = ("worker1", "worker2", "worker3")
# worker3's health certificate ran out 12 days ago (hk/demo.py): no job for worker3 after that.
WORKER3_LAST_DAY_AGO = 13

MORNING, AFTERNOON = "am", "pm"
FULL_DAY = ("deep_cleaning", "move_cleaning")
# Share of one-off bookings by service, and the length of each (minutes).
ONE_OFF_SERVICES = [
    ("daily_cleaning", 45, (150, 180, 180, 240)),
    ("deep_cleaning", 24, (300, 330, 360)),
    ("kitchen_appliance_cleaning", 19, (120, 150)),
    ("move_cleaning", 12, (420, 480)),
]
DAY_WEIGHT = (1.15, 1.15, 1.2, 1.15, 1.1, 0.95, 0.35)  # Monday … Sunday: one-off bookings a day
STARTS = {MORNING: [(8, 30), (9, 0), (9, 0), (9, 30)], AFTERNOON: [(13, 30), (14, 0), (14, 0), (14, 30)]}

# The regular customers: customer (index in the demo's customer list: hk.demo.CUSTOMERS, then
# hk.demo_customers.MONTHS_CUSTOMERS), service, weekday (0 = Monday), start, minutes, every n weeks,
# worker, and the weeks they were a regular (0 = the first of the 17; None: until now).
REGULARS = [
    (0, "daily_cleaning", 1, (9, 0), 180, 1, "worker1", 0, None),  # 周女士, Tuesday mornings
    (1, "daily_cleaning", 3, (14, 0), 180, 2, "worker2", 0, None),  # Mr. Becker, every other Thursday
    (4, "daily_cleaning", 4, (9, 30), 180, 1, "worker3", 0, None),  # 郑先生, Fridays
    (5, "daily_cleaning", 0, (9, 0), 180, 1, "worker2", 0, None),
    (6, "daily_cleaning", 2, (14, 0), 180, 1, "worker1", 0, None),
    (7, "daily_cleaning", 5, (9, 0), 180, 2, "worker3", 0, None),
    (8, "daily_cleaning", 0, (14, 0), 180, 2, "worker3", 0, 12),  # stopped after a complaint
    (9, "daily_cleaning", 2, (9, 0), 180, 2, "worker2", 3, None),
    (10, "daily_cleaning", 3, (9, 0), 180, 1, "worker3", 6, None),
    (2, "kitchen_appliance_cleaning", 5, (14, 0), 150, 6, "worker2", 1, None),  # 吴先生
]
HOLIDAYS = ((10, 1), (10, 7))  # National Day week: regulars are away
REGULAR_SKIP = 0.07  # a regular away on their day now and then
NEW_CUSTOMERS = 0.45  # share of one-off bookings by a customer never served before


@dataclass
class PlannedRating:
    overall: int
    aspects: dict[str, int | None]  # quality, punctuality, attitude, price
    recommend: int | None
    comment: str
    after_hours: float  # given this long after the job ended


@dataclass
class Planned:
    """One job of the past, as planned; `job_id` once it is booked."""

    day: date
    start: tuple[int, int]
    minutes: int
    worker: str
    customer: int
    service: str
    series: int | None = None  # jobs of one regular series, booked together
    late: int = 0  # minutes after the booked start the worker checked in (negative: early)
    over: int = 0  # minutes the work ran over its booked length (negative: done early)
    rating: PlannedRating | None = None
    incident: str | None = None  # a key of hk.demo_months.INCIDENTS
    reclean_for: str | None = None  # booked by this complaint (hk.demo_cases), not with the others
    case: str | None = None  # the complaint about this job, if any (hk.demo_cases)
    review: str | None = None  # "approve", "send_back" or "correct"; None: still to review
    extra: dict = field(default_factory=dict)
    job_id: int | None = None

    @property
    def half(self) -> str:
        return MORNING if self.start < (12, 0) else AFTERNOON


class Calendar:
    """Which half-days each worker is taken, so no plan puts a worker in two places at once."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.taken: dict[tuple[date, str], set[str]] = {}

    def can(self, worker: str, day: date, halves: tuple[str, ...]) -> bool:
        if worker == "worker3" and day > self.today - timedelta(days=WORKER3_LAST_DAY_AGO):
            return False
        return not self.taken.get((day, worker), set()) & set(halves)

    def take(self, worker: str, day: date, halves: tuple[str, ...]) -> None:
        self.taken.setdefault((day, worker), set()).update(halves)


def halves_of(service: str, start: tuple[int, int]) -> tuple[str, ...]:
    if service in FULL_DAY:
        return (MORNING, AFTERNOON)
    return (MORNING,) if start < (12, 0) else (AFTERNOON,)


def first_day(today: date) -> date:
    """The Monday WEEKS weeks back: the first day of the demo's past."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(weeks=WEEKS)


def _timing(rng: random.Random, job: Planned) -> None:
    """Mostly on time (a few minutes early or late); a quarter 5 to 40 minutes late."""
    if rng.random() < 0.75:
        job.late = rng.randint(-15, 4)
    else:
        job.late = min(40, 5 + int(rng.expovariate(1 / 9)))
    job.over = rng.randint(-20, 25)


def _regulars(rng: random.Random, today: date, calendar: Calendar, customer_count: int) -> list[Planned]:
    start_day = first_day(today)
    jobs = []
    for series, (customer, service, weekday, start, minutes, every, worker, first, last) in enumerate(
        REGULARS
    ):
        if customer >= customer_count:
            continue
        week = first
        while week <= (WEEKS if last is None else last):  # to this week's days before today
            day = start_day + timedelta(weeks=week, days=weekday)
            week += every
            if day >= today:
                break
            holiday = date(day.year, *HOLIDAYS[0]) <= day <= date(day.year, *HOLIDAYS[1])
            if holiday or rng.random() < REGULAR_SKIP:
                continue
            halves = halves_of(service, start)
            who = next((w for w in (worker, *WORKERS) if calendar.can(w, day, halves)), None)
            if who is None:
                continue
            calendar.take(who, day, halves)
            jobs.append(Planned(day, start, minutes, who, customer, service, series=series))
    return jobs


def _one_offs(rng: random.Random, today: date, calendar: Calendar, occasional: list[int]) -> list[Planned]:
    """The rest of each day: about half the bookings from new customers (most of whom book once),
    the others from customers served before, some of whom come back again and again."""
    jobs = []
    day = first_day(today)
    services = [s for s, _w, _m in ONE_OFF_SERVICES]
    service_weights = [w for _s, w, _m in ONE_OFF_SERVICES]
    lengths = {s: m for s, _w, m in ONE_OFF_SERVICES}
    fresh, served, fondness = list(occasional), [], {}
    while day < today:
        wanted = DAY_WEIGHT[day.weekday()]
        count = int(wanted) + (rng.random() < wanted - int(wanted))
        count += rng.random() < 0.15  # a busy day
        booked_today: set[int] = set()
        for _ in range(count):
            service = rng.choices(services, service_weights)[0]
            half = MORNING if service in FULL_DAY or rng.random() < 0.55 else AFTERNOON
            start = (8, 30) if service in FULL_DAY else rng.choice(STARTS[half])
            halves = halves_of(service, start)
            free = [w for w in WORKERS if calendar.can(w, day, halves)]
            new = bool(fresh) and (not served or rng.random() < NEW_CUSTOMERS)
            customer = fresh[0] if new else rng.choices(served, [fondness[c] for c in served])[0]
            if not free or customer in booked_today:
                continue
            if new:
                served.append(fresh.pop(0))
                fondness[customer] = rng.choice((1, 1, 1, 2, 5))
            worker = rng.choice(free)
            calendar.take(worker, day, halves)
            booked_today.add(customer)
            jobs.append(Planned(day, start, rng.choice(lengths[service]), worker, customer, service))
        day += timedelta(days=1)
    return jobs


def plan_months(
    today: date, customer_count: int, reserved: list[tuple[date, str, tuple[int, int], str]], seed: int = SEED
) -> tuple[list[Planned], Calendar, random.Random]:
    """The past 17 weeks of jobs (to yesterday), in the order they were done.

    `reserved`: jobs already in the demo's past (day, worker, start, service), which the plan works around.
    Returns the plan, the workers' calendar (for bookings added later: re-cleans) and the generator, to
    go on drawing from in the same fixed order.
    """
    rng = random.Random(seed)  # noqa: S311 (demo data, the same every time)
    calendar = Calendar(today)
    for day, worker, start, service in reserved:
        calendar.take(worker, day, halves_of(service, start))
    regular_customers = {r[0] for r in REGULARS}
    occasional = [n for n in range(customer_count) if n not in regular_customers and n != 3]
    jobs = _regulars(rng, today, calendar, customer_count)
    jobs += _one_offs(rng, today, calendar, occasional)
    jobs.sort(key=lambda j: (j.day, j.start, j.worker))
    for job in jobs:
        _timing(rng, job)
    return jobs, calendar, rng


def free_slot(
    calendar: Calendar, after: date, service: str, minutes: int, workers: tuple[str, ...]
) -> tuple[date, tuple[int, int], str] | None:
    """The first half-day from `after` on when one of these workers is free (for a re-clean)."""
    for offset in range(21):
        day = after + timedelta(days=offset)
        if day >= calendar.today:
            return None
        for start in ((14, 0), (9, 0)):
            halves = halves_of(service, start)
            for worker in workers:
                if calendar.can(worker, day, halves):
                    calendar.take(worker, day, halves)
                    return day, start, worker
    return None


def first_on_or_after(jobs: list[Planned], day: date) -> Planned:
    """The first of these jobs done on or after `day`; the last one before it when there is none."""
    return next((j for j in jobs if j.day >= day), jobs[-1])


def week_index(day: date, today: date) -> int:
    """The week of the plan a day falls in (0 = the first)."""
    return (day - first_day(today)).days // 7
