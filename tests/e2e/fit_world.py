"""The company the screen sweep walks through (tests/e2e/test_fit_on_phones.py).

One app of its own, on a SQLite file of its own, served on a free port for a whole test module: the
sweep only reads what is made here once (and signs a few jobs of its own), so its jobs survive the
other tests' clean-ups when pytest-xdist runs them in the same process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from werkzeug.serving import make_server

from hk import create_app, queue
from hk.config import TestConfig
from hk.demo_jobs import sign
from hk.domain.clock import local_datetime, local_today
from hk.domain.emergency import IncidentSeverity, IncidentType
from hk.extensions import db
from hk.models import Incident, Job, utcnow
from hk.records import links
from hk.records.making import make_record
from tests.builders import PASSWORD, make_customer, make_job, make_user

LANGS = ("zh_CN", "en")
SIZES = {"390x844": {"width": 390, "height": 844}, "360x780": {"width": 360, "height": 780}}
# The states a worker's job is seen in, each with its own screen at /jobs/<id>.
JOB_STATES = {
    "checkin": "scheduled",
    "pre_service": "checked_in",
    "safety": "safety",
    "cleaning": "cleaning",
    "handover": "handover",
    "hand_over": "awaiting_signature",
}


@dataclass
class Company:
    """What each language's worker has: their login, jobs by screen, and a signed job's link."""

    username: str
    supervisor: str = ""
    jobs: dict[str, int] = field(default_factory=dict)
    to_sign: dict[str, int] = field(default_factory=dict)  # by size: signed by the "thanks" screen
    record_path: str = ""
    record_code: str = ""


@dataclass
class World:
    app: object
    base: str
    companies: dict[str, Company]
    password: str = PASSWORD


def _customer(lang: str):
    if lang == "en":
        return make_customer(
            name="Margaret Thompson-Williams", address="Flat 12B, 1288 West Nanjing Road, Jing'an"
        )
    return make_customer()


def _seed(lang: str) -> Company:
    worker = make_user("worker", username=f"fit-{lang}", locale=lang)
    company = Company(username=worker.username)
    company.supervisor = make_user("supervisor", username=f"fit-supervisor-{lang}", locale=lang).username
    today = local_today(TestConfig.TIMEZONE)
    start = local_datetime(today, 8, 0, TestConfig.TIMEZONE)  # every job today, whatever the hour now
    for n, (screen, state) in enumerate(JOB_STATES.items()):
        # deep cleaning: the widest quote and the most stages a worker sees
        job = make_job(
            worker, _customer(lang), start=start + timedelta(hours=n), code="deep_cleaning", state=state
        )
        company.jobs[screen] = job.id
    for size in SIZES:
        job = make_job(worker, _customer(lang), start=start, code="deep_cleaning", state="awaiting_signature")
        company.to_sign[size] = job.id
    # a severe incident on a job of its own: the supervisors' banner and incident list show it
    struck = make_job(
        worker, _customer(lang), start=start + timedelta(hours=8), code="deep_cleaning", state="cleaning"
    )
    db.session.add(
        Incident(
            job_id=struck.id,
            client_key=f"fit-{lang}",
            type=IncidentType.ELECTRICAL,
            severity=IncidentSeverity.SEVERE,
            what_happened="The socket behind the fridge sparked and smoked."
            if lang == "en"
            else "冰箱后的插座冒火花并冒烟。",
            reported_by_id=worker.id,
        )
    )
    db.session.commit()
    signed = make_job(
        worker,
        _customer(lang),
        start=start + timedelta(hours=9),
        code="deep_cleaning",
        state="awaiting_signature",
    )
    record = sign(signed, "Margaret Thompson" if lang == "en" else "周丽", lang, utcnow())
    db.session.commit()
    make_record(record.id)
    db.session.refresh(record)
    link = links.latest_link(signed.id) or links.new_customer_link(signed)
    db.session.commit()
    url = links.customer_url(link)
    company.record_path = url[url.index("/r/") :]
    company.record_code = record.code
    company.jobs["signed"] = signed.id
    return company


def sign_now(world: World, job_id: int, lang: str) -> None:
    """The customer signs a handed-over job, as the signing request would, and its record is made."""
    with world.app.app_context():
        job = db.session.get(Job, job_id)
        record = sign(job, "Margaret Thompson" if lang == "en" else "周丽", lang, utcnow())
        db.session.commit()
        make_record(record.id)


def serve(folder: Path, seed):
    """An app of its own on a SQLite file in `folder`, seeded by `seed()` in its context, served on a
    free loopback port. Returns (app, base address, what seed returned, stop)."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    saved_apps = list(queue._apps)
    app = create_app(
        {
            **config,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'fit.db'}",
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    queue._apps[:] = saved_apps  # the other tests' queue keeps their app; ours runs in its requests
    with app.app_context():
        upgrade()
        seeded = seed()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    return app, f"http://127.0.0.1:{server.server_port}", seeded, stop


def start_world(folder: Path):
    """Make the app and its company, serve it; returns (world, stop)."""
    app, base, companies, stop = serve(folder, lambda: {lang: _seed(lang) for lang in LANGS})
    return World(app=app, base=base, companies=companies), stop
