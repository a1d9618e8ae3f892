"""The company bench/quality.py measures: two years of a cleaning company, ending today.

Written with SQLAlchemy Core (one executemany per table and chunk, explicit ids, no ORM objects),
parents first. The shipped catalogue is loaded as `flask hk load-catalogue` loads it. Every job keeps
its service type's real template snapshot (the widest column, as in production); the tables the
figures never read (checks, photos, quote lines, sign-offs, events) are left empty.

Shape, from one seeded random generator: 40 workers (7 left and are disabled, 5 joined later), each
with a job and a health certificate; 8,000 customers — weekly, fortnightly and monthly regulars with
a usual worker, day and hour, each for a stretch of the two years, and occasional customers with a
few deep, move-out or kitchen cleans; 100,000 jobs (3 % cancelled, today's not done yet), a service
record for each completed one (some corrected after being sent back, some flagged), 60,000 ratings,
3,000 complaints (every channel and category, answered and resolved at realistic speeds, some paused,
reopened, still open), their remedies, 8,000 follow-ups and 300 incidents.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta

from sqlalchemy import select, text

from hk.catalogue import load_catalogue_file
from hk.domain.clock import local_datetime, local_today
from hk.extensions import db
from hk.models import (
    CasePause,
    Certificate,
    Complaint,
    Customer,
    FollowUp,
    Incident,
    Job,
    Rating,
    Remedy,
    ServiceRecord,
    ServiceType,
    User,
    WorkerProfile,
    utcnow,
)
from hk.models.quality import rebuild

DAYS = 730
SIZES = {"jobs": 100_000, "ratings": 60_000, "complaints": 3_000, "follow_ups": 8_000, "incidents": 300}
WORKERS, LEFT, JOINED, CUSTOMERS = 40, 7, 5, 8_000
CHUNK = 5_000

# The snapshots every job of a type shares, serialised once (see dumps).
_SERIALISED: dict[int, str] = {}
_KEPT: list[dict] = []


def dumps(value) -> str:
    """json.dumps, remembering the few template snapshots so 100,000 jobs do not serialise them anew."""
    found = _SERIALISED.get(id(value))
    return found if found is not None else json.dumps(value)


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def _insert(model, rows: list[dict]) -> None:
    for n in range(0, len(rows), CHUNK):
        db.session.execute(model.__table__.insert(), rows[n : n + CHUNK])


class Company:
    def __init__(self, tz: str, password_hash: str, seed: int = 12):
        self.tz, self.hash, self.rng = tz, password_hash, random.Random(seed)  # noqa: S311 (made-up data)
        self.now = utcnow().replace(microsecond=0)
        self.today = local_today(tz, self.now)
        self.first_day = self.today - timedelta(days=DAYS - 1)
        self.rows: dict[type, list[dict]] = {}

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return local_datetime(day, hour, minute, self.tz)

    # --- people ------------------------------------------------------------------------------------

    def people(self) -> None:
        users, profiles, certificates = [], [], []
        for n, (name, role) in enumerate(
            [("admin", "admin"), ("supervisor", "supervisor"), ("lead", "supervisor")]
        ):
            users.append(self._user(n + 1, name, f"{name} {n}", role, True))
        self.supervisors = [2, 3]
        self.employment: list[tuple[int, int, int]] = []  # worker id, first and last day worked
        for n in range(WORKERS):
            wid = 10 + n
            first = self.rng.randint(90, 600) if n >= WORKERS - JOINED else 0
            last = self.rng.randint(120, DAYS - 30) if n < LEFT else DAYS
            self.employment.append((wid, first, last))
            users.append(self._user(wid, f"worker{n + 1}", f"保洁员{n + 1:02d}", "worker", last == DAYS))
            profiles.append(
                {
                    "user_id": wid,
                    "employee_no": f"E{wid:04d}",
                    "hired_on": self.first_day + timedelta(days=first),
                }
            )
            certificates += self._certificates(wid, n)
        _insert(User, users)
        _insert(WorkerProfile, profiles)
        _insert(Certificate, certificates)

    def _user(self, uid: int, username: str, name: str, role: str, enabled: bool) -> dict:
        return {
            "id": uid,
            "username": username,
            "display_name": name,
            "phone": f"1380000{uid:04d}",
            "email": None,
            "password_hash": self.hash,
            "role": role,
            "is_enabled": enabled,
            "locale": None,
            "session_version": 1,
            "created_at": self.at(self.first_day, 9) - timedelta(days=30),
        }

    def _certificates(self, wid: int, n: int) -> list[dict]:
        """A job certificate (3 years) and this year's health certificate; last year's too; a few expire."""
        health_until = self.today + timedelta(
            days=self.rng.randint(-20, 330) if n % 9 else self.rng.randint(3, 25)
        )
        rows = [
            ("job", self.today - timedelta(days=800), self.today + timedelta(days=300 + 20 * n)),
            ("health", health_until - timedelta(days=365), health_until),
            ("health", health_until - timedelta(days=730), health_until - timedelta(days=365)),
        ]
        return [
            {
                "worker_id": wid,
                "kind": kind,
                "name": None,
                "number": f"{kind.upper()}-{wid}-{i}",
                "issuer": "上海市卫生健康委员会" if kind == "health" else "上海市家庭服务业行业协会",
                "valid_from": start,
                "valid_until": until,
                "scan_key": None,
                "created_at": self.now,
            }
            for i, (kind, start, until) in enumerate(rows)
        ]

    def worker_on(self, day_index: int, usual: int | None) -> int:
        if usual is not None and self._works(usual, day_index) and self.rng.random() < 0.85:
            return usual
        return self.rng.choice([w for w, first, last in self.employment if first <= day_index <= last])

    def _works(self, wid: int, day_index: int) -> bool:
        _, first, last = self.employment[wid - 10]
        return first <= day_index <= last

    # --- customers and jobs --------------------------------------------------------------------------

    def customers_and_jobs(self) -> None:
        rng = self.rng
        types = {st.code: st for st in db.session.scalars(select(ServiceType))}
        self.types = types
        for st in types.values():
            snapshot = st.current_template.snapshot()
            _KEPT.append(snapshot)
            _SERIALISED[id(snapshot)] = json.dumps(snapshot)
            st.bench_snapshot = snapshot
        wanted: list[tuple] = []  # (day index, hour, minute, customer id, service code, usual worker)
        customers = []
        for cid in range(1, CUSTOMERS + 1):
            kind = _pick(rng, {7: 6, 14: 13, 30: 22, 0: 59})  # weekly, fortnightly, monthly, occasional
            hour, minute = rng.choice([8, 9, 10, 13, 14, 15]), rng.choice([0, 0, 30])
            if kind:
                length = rng.randint(60, DAYS)
                start = rng.randint(0, DAYS - length)
                usual = self.worker_on(start, None)
                day = start + rng.randint(0, kind - 1)
                while day < start + length:
                    if rng.random() > 0.07:  # holidays, a week away
                        wanted.append((day, hour, minute, cid, "daily_cleaning", usual))
                    day += kind
            else:
                for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 6])):
                    service = _pick(
                        rng,
                        {
                            "deep_cleaning": 5,
                            "move_cleaning": 2,
                            "kitchen_appliance_cleaning": 3,
                            "daily_cleaning": 4,
                        },
                    )
                    wanted.append(
                        (rng.randrange(DAYS), rng.choice([8, 9, 10, 13, 14]), 0, cid, service, None)
                    )
            customers.append(self._customer(cid))
        while len(wanted) < SIZES["jobs"]:  # top up with one-off jobs of random customers
            wanted.append((rng.randrange(DAYS), 9, 0, rng.randint(1, CUSTOMERS), "deep_cleaning", None))
        wanted = sorted(rng.sample(wanted, SIZES["jobs"]))
        _insert(Customer, customers)
        self.jobs = [self._job(n + 1, *w) for n, w in enumerate(wanted)]
        _insert(Job, self.jobs)

    def _customer(self, cid: int) -> dict:
        rng = self.rng
        return {
            "id": cid,
            "name": f"客户{cid:05d}",
            "phone": f"139{cid:08d}",
            "address": f"上海市徐汇区{rng.randint(1, 99)}路{cid}号{rng.randint(1, 30)}0{rng.randint(1, 4)}室",
            "email": f"c{cid}@example.com" if rng.random() < 0.3 else None,
            "access_notes": None,
            "preferences": None,
            "has_pets": rng.random() < 0.2,
            "has_children": rng.random() < 0.3,
            "has_elderly": rng.random() < 0.15,
            "household_notes": None,
            "archived_at": self.now if rng.random() < 0.01 else None,
            "created_at": self.at(self.first_day, 9) - timedelta(days=rng.randint(0, 400)),
        }

    def _job(self, jid: int, day_index: int, hour: int, minute: int, cid: int, code: str, usual) -> dict:
        rng, st = self.rng, self.types[code]
        day = self.first_day + timedelta(days=day_index)
        start = self.at(day, hour, minute)
        end = start + timedelta(minutes=st.default_duration_minutes)
        today = day == self.today
        status = "cancelled" if rng.random() < 0.03 else ("scheduled" if today else "completed")
        done = status == "completed"
        late = rng.gauss(-4, 9) if rng.random() > 0.07 else rng.uniform(16, 60)
        checked_in = start + timedelta(minutes=round(late, 2)) if done and rng.random() > 0.03 else None
        return {
            "id": jid,
            "number": f"B{jid:07d}",
            "customer_id": cid,
            "service_type_id": st.id,
            "template_id": st.current_template.id,
            "worker_id": self.worker_on(day_index, usual),
            "scheduled_start": start,
            "scheduled_end": end,
            "status": status,
            "paused_from": None,
            "notes": None,
            "series_key": f"s{cid}" if usual else None,
            "cancel_reason": "客户改期" if status == "cancelled" else None,
            "quote_adjust_reason": None,
            "template_snapshot": st.bench_snapshot,
            "checked_in_at": checked_in,
            "check_in_lat": None,
            "check_in_lng": None,
            "check_in_accuracy_m": None,
            "device_id": None,
            "quote_confirmed_at": checked_in,
            "quote_confirmed_total": None,
            "valuables_notes": None,
            "special_requests": None,
            "tools_removed": done,
            "handover_remarks": None,
            "handover_completed_at": end if done else None,
            "created_at": start - timedelta(days=rng.randint(1, 20)),
            "updated_at": end,
            "version": 1,
        }

    def write(self) -> dict[str, int]:
        from quality_cases import complaints_and_follow_ups
        from quality_records import ratings, records_and_incidents

        self.people()
        self.customers_and_jobs()
        records_and_incidents(self)
        ratings(self)
        counts = complaints_and_follow_ups(self)
        _insert(Rating, self.rating_rows)
        db.session.commit()
        _move_sequences()
        rebuild(db.session.connection())  # the Core inserts above bypass the facts' session listeners
        db.session.commit()
        return {
            "jobs": len(self.jobs),
            "completed": len(self.done),
            "customers": CUSTOMERS,
            "workers": WORKERS,
            "records": len(self.record_of),
            "ratings": len(self.rating_rows),
            "incidents": SIZES["incidents"],
            **counts,
        }


SEQUENCED = (
    User,
    Certificate,
    Customer,
    Job,
    ServiceRecord,
    Incident,
    Complaint,
    CasePause,
    Remedy,
    Rating,
    FollowUp,
)


def _move_sequences() -> None:
    """PostgreSQL's id sequences past the ids written here, as the ORM's inserts would have moved them."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in SEQUENCED:
        name = model.__tablename__
        seq = f"pg_get_serial_sequence('{name}', 'id')"
        db.session.execute(text(f"SELECT setval({seq}, (SELECT max(id) FROM {name}))"))  # noqa: S608 (our table names)
    db.session.commit()


def generate(tz: str, password_hash: str, seed: int = 12) -> dict[str, int]:
    """The catalogue, then the company; returns how many rows of each kind were written."""
    load_catalogue_file()
    db.session.commit()
    return Company(tz, password_hash, seed).write()
