"""How the demo's customers rated their jobs, planned: about three jobs in five rated on the customer's
link, mostly 4–5 with the four aspects and "would you recommend us" filled in, some 3.

The share of satisfied ratings (4–5) wanders from week to week between about 88 and 95 %: each week
aims at a target that moves a little from the week before, and as many of its ratings are a 3 as
bring it near that target. The complaints' low ratings (1–2, and a 3 with a 2 for an aspect and a
comment, which open a complaint as hk's rating code does) are planned by hk.demo_cases and count in
their week; the ratings planned here never open one.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

from hk.demo_plan import Planned, PlannedRating, week_index

RATED_SHARE = 0.63
TARGET_LOW, TARGET_HIGH = 0.88, 0.95

COMMENTS = {
    ("zh_CN", 5): [
        "阿姨很细心，厨房擦得很亮",
        "非常满意，下次还约这位阿姨",
        "准时到达，干活麻利，谢谢！",
        "卫生间打扫得特别干净",
        "很专业，工具带得很齐全",
        "老人很满意，说比上次还干净",
        "窗户和阳台都擦得很亮",
    ],
    ("zh_CN", 4): [
        "整体不错，窗台还可以再仔细一点",
        "挺好的，就是到得稍晚了一点",
        "打扫干净，价格也合理",
        "服务态度好，效率可以再高一些",
    ],
    ("zh_CN", 3): [
        "一般吧，客厅角落还有灰",
        "时间有点赶，有几个柜子没擦到",
        "价格偏高，效果一般",
        "床底下没有吸干净",
    ],
    ("en", 5): ["Excellent work, very thorough.", "On time and friendly. Thank you!", "Spotless kitchen."],
    ("en", 4): ["Good job overall.", "Nice work, the balcony could be better.", "Good, a few minutes late."],
    ("en", 3): ["OK, but the windows were missed.", "Average this time, dust under the bed."],
}


def _punctuality(job: Planned, rng: random.Random) -> int:
    if job.late > 15:
        return 3
    if job.late > 5:
        return 4
    return rng.choice((4, 5, 5, 5))


def _rating(job: Planned, overall: int, lang: str, rng: random.Random) -> PlannedRating:
    aspects: dict[str, int | None]
    if rng.random() < 0.15:  # only the overall score and the recommendation
        aspects = dict.fromkeys(("quality", "punctuality", "attitude", "price"))
    elif overall == 5:
        aspects = {
            "quality": rng.choice((5, 5, 5, 4)),
            "punctuality": _punctuality(job, rng),
            "attitude": 5,
            "price": rng.choice((4, 5, 5)),
        }
    elif overall == 4:
        aspects = {
            "quality": rng.choice((4, 4, 5, 3)),
            "punctuality": _punctuality(job, rng),
            "attitude": rng.choice((4, 5, 5)),
            "price": rng.choice((3, 4, 4, 5)),
        }
    else:
        aspects = {
            "quality": 3,
            "punctuality": min(_punctuality(job, rng), 4),
            "attitude": rng.choice((3, 4, 4)),
            "price": rng.choice((3, 3, 4)),
        }
    recommend = {5: (9, 10, 10, 10, 8), 4: (7, 8, 8, 9, 9), 3: (5, 6, 6, 7)}[overall]
    comment = rng.choice(COMMENTS[(lang, overall)]) if rng.random() < 0.55 else ""
    return PlannedRating(
        overall=overall,
        aspects=aspects,
        recommend=rng.choice(recommend) if rng.random() < 0.95 else None,
        comment=comment,
        after_hours=rng.choice((1.5, 2, 3, 4, 5, 6, 8, 20, 26, 40)) + rng.random(),
    )


def plan_ratings(plan: list[Planned], today: date, languages: list[str], rng: random.Random) -> None:
    """Give about RATED_SHARE of the jobs not already rated by a complaint's plan a rating, week by week."""
    weeks: dict[int, list[Planned]] = defaultdict(list)
    for job in plan:
        weeks[week_index(job.day, today)].append(job)
    target = (TARGET_LOW + TARGET_HIGH) / 2
    for week in sorted(weeks):
        target = min(TARGET_HIGH, max(TARGET_LOW, target + rng.uniform(-0.03, 0.03)))
        jobs = weeks[week]
        planned = [j for j in jobs if j.rating is not None]
        open_jobs = [j for j in jobs if j.rating is None and not j.extra.get("unrated")]
        chosen = [j for j in open_jobs if rng.random() < RATED_SHARE]
        rated = len(planned) + len(chosen)
        unhappy_planned = sum(1 for j in planned if j.rating.overall < 4)
        # A week with a handful of ratings or more has an unhappy customer or two: no week of a
        # season is perfect, and the share stays near the target rather than jumping to 100 %.
        wanted = max(1 if rated >= 8 else 0, round(rated * (1 - target)))
        unhappy = min(len(chosen), max(0, wanted - unhappy_planned))
        threes = {id(j) for j in rng.sample(chosen, unhappy)}
        for job in chosen:
            overall = 3 if id(job) in threes else (5 if rng.random() < 0.7 else 4)
            job.rating = _rating(job, overall, languages[job.customer], rng)
