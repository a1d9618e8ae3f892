"""Complaints (投诉) in the demo's past, each as it went: how it came in, who answered and when, the
remedy, the resolution, the customer's confirmation or the week that closed it, the follow-up call.

Fifteen cases over the four months, across the categories and channels: low ratings that opened a
case by themselves (hk.aftersales.ratings), a problem reported on the customer's link, calls, emails,
WeChat, a walk-in and a follow-up call. Most were answered within 24 hours and resolved within 72; two
were answered within 48, one later; two were resolved late; one was paused while the customer was
away, one reopened. Remedies: re-cleans booked as free jobs, refunds, compensation (one above the
approval threshold, approved by an administrator), apologies. Every step goes through hk's services
(hk.aftersales.cases, remedies, customer_cases, followups) at its moment on the timeline.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import current_app

from hk.aftersales import cases, customer_cases, followups, remedies
from hk.aftersales.views import reclean_reason
from hk.demo_case_scripts import ADM, SCRIPTS, SUP, Script
from hk.demo_plan import Planned, PlannedRating, first_on_or_after, free_slot
from hk.domain.complaints import CaseAction, Channel, RemedyKind, RemedyStatus
from hk.domain.remedies import RemedyAction
from hk.extensions import db
from hk.models import Complaint, Job, Role


class Cases:
    """The scripted complaints: on jobs of the plan (hk.demo_months.Months), then on the timeline."""

    def __init__(self, months) -> None:
        self.months = months
        self.jobs: dict[str, Planned] = {}
        self.recleans: dict[str, Planned] = {}
        self.case_ids: dict[str, int] = {}

    def attach(self) -> None:
        """Choose each script's job, and shape it to fit (late, its rating, incident, refusal, re-clean)."""
        for script in SCRIPTS:
            job = self._pick(script)
            job.case = script.key
            self.jobs[script.key] = job
            if script.late is not None:
                job.late = script.late
            job.incident = script.job.get("incident")
            if "refusal" in script.job:
                job.extra["refusal"] = script.job["refusal"]
            if script.how == "survey":
                overall, quality, punctuality, attitude, price, recommend = script.scores
                aspects = {
                    "quality": quality,
                    "punctuality": punctuality,
                    "attitude": attitude,
                    "price": price,
                }
                job.rating = PlannedRating(overall, aspects, recommend, script.text, script.after)
                job.extra["rated_by_case"] = True
            else:
                job.extra["unrated"] = True
            if any(step[1] == "reclean" for step in script.steps):
                self._reserve_reclean(script, job)

    def _pick(self, script: Script) -> Planned:
        """The first free job of the script's kind from its day on (its customer's, its service's, any)."""
        day = self.months.today - timedelta(days=script.days_ago)
        free = [
            j for j in self.months.plan if not (j.case or j.reclean_for or j.incident or "past" in j.extra)
        ]
        for service, customer in ((script.service, script.customer), (script.service, None), (None, None)):
            fitting = [j for j in free if service in (None, j.service) and customer in (None, j.customer)]
            if fitting:
                return first_on_or_after(fitting, day)
        raise LookupError(f"no job for complaint {script.key}")

    def _reserve_reclean(self, script: Script, job: Planned) -> None:
        """A half-day for the re-clean, a day or more after it is booked, by another worker if one is free."""
        booked = next(step[0] for step in script.steps if step[1] == "reclean")
        opened = job.day + timedelta(days=int((script.after + booked) // 24) + 2)
        workers = (*(w for w in ("worker1", "worker2") if w != job.worker), job.worker)
        day, start, worker = free_slot(self.months.calendar, opened, job.service, job.minutes, workers)
        reclean = Planned(day, start, job.minutes, worker, job.customer, job.service, reclean_for=script.key)
        reclean.late, reclean.over = -5, -10
        self.recleans[script.key] = reclean
        self.months.plan.append(reclean)
        self.months.plan.sort(key=lambda p: (p.day, p.start, p.worker))

    def schedule(self) -> None:
        for script in SCRIPTS:
            job = self.jobs[script.key]
            self.months.later(self.months.signed_at(job) + timedelta(hours=script.after), self._open, script)

    def _open(self, script: Script) -> None:
        months, job = self.months, self.jobs[script.key]
        now = months.timeline.clock.now
        row = db.session.get(Job, job.job_id)
        if script.how == "survey":
            case = months.rate(job).opened
        elif script.how == "online":
            case = customer_cases.report_problem(
                row, script.category, script.text, [], f"demo-{script.key}", now=now
            )
        else:
            if script.steps and script.steps[0][1] == "follow_up":  # raised during the call
                self._step(script, None, *script.steps[0][1:])
            owner = months.actor(SUP if script.key != "wet-floor" else ADM)
            case = cases.open_case(
                customer=row.customer,
                job=row,
                channel=Channel(script.how),
                category=script.category,
                severity=script.severity,
                description=script.text,
                client_key=f"demo-{script.key}",
                actor=months.actor(SUP),
                received_at=now,
                owner=owner,
                now=now,
            )
        self.case_ids[script.key] = case.id
        for step in script.steps:
            when, action, *args = step
            if isinstance(when, tuple):
                at = months.signed_at(self.recleans[script.key]) + timedelta(hours=when[1])
            elif when == 0:
                continue
            else:
                at = now + timedelta(hours=when)
            if not months.later(at, self._step, script, case.id, action, *args):
                break

    def _step(self, script: Script, case_id: int | None, action: str, *args) -> None:
        months = self.months
        now = months.timeline.clock.now
        case = db.session.get(Complaint, case_id) if case_id is not None else None
        key = f"demo-{script.key}-{action}-{now:%m%d%H%M}"
        who = months.actor(args[0]) if args and args[0] in (SUP, ADM) else None
        if action == "assign":
            cases.assign(case, who, who)
        elif action in ("reply", "phone", "note"):
            internal, by_phone = action != "reply", action == "phone"
            cases.reply(case, who, args[1], key, internal=internal, responded_by_phone=by_phone, now=now)
        elif action == "customer":
            customer_cases.write(case, args[0], key)
        elif action in ("investigate", "resume"):
            cases.act(case, CaseAction(action), who, now=now)
        elif action == "pause":
            cases.act(case, CaseAction.PAUSE, who, reason=args[1], now=now)
        elif action in ("refund", "compensation", "apology"):
            amount = Decimal(args[1]) if args[1] else None
            threshold = current_app.config["REMEDY_APPROVAL_ABOVE"]
            remedies.propose(
                case,
                who,
                RemedyKind(action),
                key,
                amount=amount,
                description=args[2],
                threshold=threshold,
                by_admin=who.role == Role.ADMIN,
            )
        elif action == "reclean":
            self._book_reclean(script, case, who, key)
        elif action in ("approve", "done"):
            wanted = RemedyStatus.AWAITING_APPROVAL if action == "approve" else RemedyStatus.APPROVED
            step = RemedyAction.APPROVE if action == "approve" else RemedyAction.DONE
            for remedy in [r for r in case.remedies if r.status == wanted]:
                remedies.decide(remedy, step, who, who.role == Role.ADMIN, now=now)
        elif action == "resolve":
            worker = db.session.get(Job, self.jobs[script.key].job_id).worker if args[2] else None
            cases.act(case, CaseAction.RESOLVE, who, root_cause=args[1], responsible_worker=worker, now=now)
        elif action == "confirm":
            customer_cases.confirm(case, now=now)
        elif action == "reopen":
            customer_cases.reopen(case, args[0], key, now=now)
        elif action == "autoclose":
            cases.close_resolved(now=now)
        elif action == "follow_up":
            channel, satisfied, score, notes = args[1:5]
            row = db.session.get(Job, self.jobs[script.key].job_id)
            followups.record(
                customer=row.customer,
                by=who,
                channel=channel,
                satisfied=satisfied,
                score=score,
                notes=notes,
                next_step="" if satisfied else "已登记，跟进处理",
                client_key=key,
                complaint=case if len(args) < 6 or args[5] else None,
                done_at=now,
            )

    def _book_reclean(self, script: Script, case: Complaint, who, key: str) -> None:
        months, planned = self.months, self.recleans[script.key]
        end = planned.start[0] * 60 + planned.start[1] + planned.minutes
        remedy = remedies.book_reclean(
            case,
            who,
            key,
            day=planned.day,
            start_hm=planned.start,
            end_hm=divmod(end, 60),
            tz=months.tz,
            worker=months.actor(planned.worker),
            reason=reclean_reason(case),
        )
        planned.job_id = remedy.reclean_job_id
