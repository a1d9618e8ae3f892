"""The demo company: people, customers and today's jobs, safe to create twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from hk.catalogue import load_catalogue_file
from hk.domain.clock import local_datetime, local_today
from hk.extensions import db
from hk.jobs.service import build_quote
from hk.models import (
    Certificate,
    CertificateKind,
    Customer,
    Event,
    Job,
    Role,
    ServiceType,
    TrainingRecord,
    TrainingTopic,
    User,
    WorkerProfile,
    record_event,
)

DEMO_MARK = "demo.seeded"

PEOPLE = [
    # username, display name, role, phone
    ("admin", "王敏", Role.ADMIN, "13800000001"),
    ("supervisor", "李娟", Role.SUPERVISOR, "13800000002"),
    ("worker1", "张秀兰", Role.WORKER, "13800000011"),
    ("worker2", "刘春梅", Role.WORKER, "13800000012"),
    ("worker3", "陈桂芳", Role.WORKER, "13800000013"),
]

CUSTOMERS = [
    {
        "name": "周女士",
        "phone": "13900000101",
        "email": "zhou@example.com",  # example.com: the demo's messages go to instance/outbox
        "address": "上海市徐汇区宛平南路88弄5号602室",
        "access_notes": "门禁密码 6021#，钥匙在物业前台登记领取",
        "preferences": "卧室地板只用清水拖，不用香味清洁剂",
        "has_pets": True,
    },
    {
        "name": "Mr. Thomas Becker",
        "phone": "13900000102",
        "email": "thomas.becker@example.com",  # example.com: the demo's messages go to instance/outbox
        "address": "上海市长宁区仙霞路1200弄12号1801室",
        "access_notes": "Customer at home; ring 1801 at the lobby",
        "preferences": "Please speak English; keep the study door closed",
        "has_children": True,
    },
    {
        "name": "吴先生",
        "phone": "13900000103",
        "email": "wu@example.com",  # example.com: the demo's messages go to instance/outbox
        "address": "上海市浦东新区锦绣路2580弄3号1102室",
        "access_notes": "老人在家，提前十分钟电话告知",
        "preferences": "油烟机清洗后请试机给老人看",
        "has_elderly": True,
    },
    {
        "name": "孙女士",
        "phone": "13900000104",
        "email": "sun@example.com",  # example.com: the demo's messages go to instance/outbox
        "address": "上海市闵行区七莘路3599弄新房18号",
        "access_notes": "新装修房，钥匙由装修队长交接",
        "preferences": "开荒后请拍各房间照片发给业主",
    },
    {
        "name": "郑先生",
        "phone": "13900000105",
        "email": "zheng@example.com",  # example.com: the demo's messages go to instance/outbox
        "address": "上海市静安区江宁路500号2306室",
        "access_notes": "智能门锁临时密码当天短信发送",
        "preferences": "猫咪怕吸尘器声音，请先把猫关在阳台",
        "has_pets": True,
        "has_elderly": True,
    },
]

# worker, customer index, service type code, start (h, m), duration in minutes
TODAY_JOBS = [
    ("worker1", 0, "daily_cleaning", (9, 0), 180),
    ("worker1", 1, "deep_cleaning", (14, 0), 240),
    ("worker2", 2, "kitchen_appliance_cleaning", (9, 30), 150),
    ("worker2", 3, "move_cleaning", (13, 30), 300),
    ("worker3", 4, "daily_cleaning", (10, 0), 180),
]


# Floor area of each demo customer's home, m².
DEMO_AREAS = ["89", "126", "75", "142", "98"]


@dataclass
class DemoResult:
    seeded: bool
    created_users: list[str]
    created_jobs: int
    message: str = ""


def is_demo_database() -> bool:
    """True when this database was made by the demo seed."""
    return db.session.scalar(select(func.count(Event.id)).where(Event.action == DEMO_MARK)) > 0


def _certificates(user: User, today: date, index: int) -> None:
    if user.certificates:
        return
    number = f"{index:02d}"
    health_until = today + timedelta(days=200)
    if user.username == "worker3":
        health_until = today - timedelta(days=12)  # expired: this worker must not start jobs
    elif user.username == "worker2":
        health_until = today + timedelta(days=18)  # expiring within 30 days
    user.certificates.extend(
        [
            Certificate(
                kind=CertificateKind.JOB,
                number=f"JZ3101{today.year - 1}{number}88",
                issuer="上海市家庭服务业行业协会",
                valid_from=today - timedelta(days=400),
                valid_until=today + timedelta(days=700),
            ),
            Certificate(
                kind=CertificateKind.HEALTH,
                number=f"JK310104{number}{today.year - 1}",
                issuer="徐汇区疾病预防控制中心",
                valid_from=health_until - timedelta(days=365),
                valid_until=health_until,
            ),
        ]
    )
    user.trainings.extend(
        [
            TrainingRecord(
                course="家政服务安全操作与化学品使用",
                topic=TrainingTopic.SAFETY,
                completed_on=today - timedelta(days=90),
                score=92,
                passed=True,
                trainer="李娟",
            ),
            TrainingRecord(
                course="突发事件应急处理（火灾、跌倒、受伤）",
                topic=TrainingTopic.EMERGENCY,
                completed_on=today - timedelta(days=60),
                score=88,
                passed=True,
                trainer="李娟",
            ),
        ]
    )


def seed_demo(password: str, tz: str, only_demo: bool = True, history: bool = False) -> DemoResult:
    """Create the demo company, or bring an existing demo up to date (today's jobs, passwords).

    With only_demo, a database that already has users and was not made by this seed is left alone.
    With history, past signed jobs and their after-sales are added once (hk/demo_history.py).
    """
    has_users = db.session.scalar(select(func.count(User.id))) > 0
    if only_demo and has_users and not is_demo_database():
        return DemoResult(False, [], 0, "the database holds real data; demo not seeded")
    load_catalogue_file()
    today = local_today(tz)
    users: dict[str, User] = {}
    created_users = []
    for index, (username, name, role, phone) in enumerate(PEOPLE, start=1):
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, display_name=name, role=role, phone=phone)
            db.session.add(user)
            created_users.append(username)
        user.set_password(password)
        if role == Role.WORKER:
            if user.profile is None:
                user.profile = WorkerProfile(
                    employee_no=f"E{index:04d}", hired_on=today - timedelta(days=500)
                )
            _certificates(user, today, index)
        users[username] = user
    customers = []
    for data in CUSTOMERS:
        customer = db.session.scalar(select(Customer).where(Customer.phone == data["phone"]))
        if customer is None:
            customer = Customer(**data)
            db.session.add(customer)
        elif customer.email is None:  # a demo seeded before customers had email addresses
            customer.email = data["email"]
        customers.append(customer)
    db.session.flush()
    created_jobs = 0
    for n, (username, c_index, code, (hour, minute), minutes) in enumerate(TODAY_JOBS, start=1):
        number = f"D{today:%Y%m%d}-{n:02d}"
        if db.session.scalar(select(Job.id).where(Job.number == number)):
            continue
        service_type = db.session.scalar(select(ServiceType).where(ServiceType.code == code))
        template = service_type.current_template
        start = local_datetime(today, hour, minute, tz)
        job = Job(
            number=number,
            customer=customers[c_index],
            service_type=service_type,
            template=template,
            worker=users[username],
            scheduled_start=start,
            scheduled_end=start + timedelta(minutes=minutes),
            template_snapshot=template.snapshot(),
        )
        build_quote(job, area_m2=Decimal(DEMO_AREAS[c_index]))
        db.session.add(job)
        created_jobs += 1
    if not is_demo_database():
        db.session.flush()
        record_event(None, "system", 0, DEMO_MARK)
    db.session.commit()
    if history:
        from hk.demo_history import seed_history

        seed_history(users, customers, tz=tz)
    return DemoResult(True, created_users, created_jobs)
