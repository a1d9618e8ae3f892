"""Incidents (突发事件) in the demo's past: a few minor ones closed the same day or the next, one that
a customer's complaint followed (hk.demo_cases), one severe one that paused its job until a supervisor
took it in hand, and one from this week still open.

Reported from a stage of the job on the worker's phone, as `hk.jobs.service.report_incident` stores
them (with the version of the emergency plan shown, the job paused and resumed for the severe one),
acknowledged and closed as `hk.supervise.service` does, each at its moment: those services date
what they do with the present, so the rows and their events are written here with the story's times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hk.demo_plan import Planned, first_on_or_after
from hk.domain.emergency import IncidentSeverity, IncidentStatus, IncidentType, alerts_supervisor
from hk.domain.workflow import Status
from hk.extensions import db
from hk.models import Incident, Job, User, plan_of, record_event


@dataclass(frozen=True)
class DemoIncident:
    type: IncidentType
    severity: IncidentSeverity
    what_happened: str
    action_taken: str
    days_ago: int | None  # on the first job done this many days ago (None: chosen by a complaint)
    acknowledged_after: timedelta | None  # after the report
    closed_after: timedelta | None  # after the report; None: still open
    resolution: str = ""
    worked: str = ""
    to_change: str = ""
    service: str | None = None  # only on a job of this service


INCIDENTS = {
    "cut": DemoIncident(
        IncidentType.INJURY,
        IncidentSeverity.MINOR,
        "拆洗油烟机滤网时，手指被滤网边缘划了一个小口子。",
        "用随身急救包消毒并贴创可贴，戴上防割手套后继续作业。",
        105,
        timedelta(minutes=35),
        timedelta(hours=6),
        "伤口轻微，已提醒拆洗滤网时全程佩戴防割手套。",
        service="kitchen_appliance_cleaning",
    ),
    "glass": DemoIncident(
        IncidentType.PROPERTY_DAMAGE,
        IncidentSeverity.MINOR,
        "擦拭餐边柜时碰倒一个玻璃杯，杯子摔碎。",
        "清理碎片并告知客户；客户表示是普通杯子，不用赔偿。",
        77,
        timedelta(hours=1),
        timedelta(hours=20),
        "客户不要求赔偿；已提醒擦拭前先把易碎物品移到一旁。",
    ),
    "slip": DemoIncident(
        IncidentType.FALL,
        IncidentSeverity.MINOR,
        "卫生间地面湿滑，拖地时差点滑倒，没有受伤。",
        "放置湿滑警示牌，换上防滑鞋套后继续。",
        56,
        timedelta(minutes=50),
        timedelta(hours=5),
        "无人受伤；已在晨会上提醒卫生间作业先放警示牌。",
    ),
    "bleach": DemoIncident(
        IncidentType.CHEMICAL_EXPOSURE,
        IncidentSeverity.MODERATE,
        "稀释消毒液时溅到手背，皮肤发红发痒。",
        "立即用流动清水冲洗十五分钟，症状缓解；拍照报告公司。",
        42,
        timedelta(minutes=20),
        timedelta(hours=26),
        "第二天复查无碍；重申配制消毒液必须戴手套和护目镜。",
    ),
    "socket": DemoIncident(
        IncidentType.ELECTRICAL,
        IncidentSeverity.SEVERE,
        "清洁厨房时，冰箱旁的插座冒烟并有焦味。",
        "立即拉下总闸，远离插座，通知客户和公司；未使用水扑救。",
        27,
        timedelta(minutes=4),
        timedelta(hours=27),
        "电工确认插座老化短路，客户已更换插座；无人受伤，无财产损失。",
        "保洁员第一时间断电并撤离，按预案电话通知了公司，客户也及时到场。",
        "在安全检查中增加一项：开工前查看插座、插线板有无焦痕、松动。",
    ),
    "leak": DemoIncident(
        IncidentType.OTHER,
        IncidentSeverity.MINOR,
        "客户家洗衣机进水管接口渗水（与本次服务无关），地面有积水。",
        "关闭洗衣机进水阀，擦干地面，提醒客户报修。",
        2,
        timedelta(hours=2),
        None,
    ),
    "ornament": DemoIncident(
        IncidentType.PROPERTY_DAMAGE,
        IncidentSeverity.MODERATE,
        "擦拭电视柜时碰落一个陶瓷摆件，摆件摔碎。",
        "向客户道歉，拍照留存碎片，报告公司，由公司与客户商量赔偿。",
        None,
        timedelta(minutes=25),
        timedelta(days=3),
        "已按客户提供的价格赔偿（见投诉）；已提醒擦拭摆件前先移开。",
    ),
}


def pick_incident_jobs(plan: list[Planned], today: date) -> None:
    """Each incident with a day goes to the first job done that many days ago or later."""
    for key, incident in INCIDENTS.items():
        if incident.days_ago is None:
            continue
        free = [j for j in plan if not (j.incident or j.case or j.reclean_for or "past" in j.extra)]
        fitting = [j for j in free if incident.service in (None, j.service)] or free
        first_on_or_after(fitting, today - timedelta(days=incident.days_ago)).incident = key


def report_incident(
    job: Job, worker: User, spec: DemoIncident, arrived: datetime, done: datetime, months
) -> Incident:
    """The worker's report halfway through the cleaning, and what followed while the job went on."""
    at = arrived + (done - arrived) * 0.45
    cleaning = [s for s in job.stages if s["kind"] == "cleaning"]
    plan = plan_of(spec.type)
    incident = Incident(
        client_key=f"demo-{job.id}-{spec.type}",
        type=spec.type,
        severity=spec.severity,
        what_happened=spec.what_happened,
        action_taken=spec.action_taken,
        stage_code=cleaning[len(cleaning) // 2]["code"] if cleaning else None,
        reported_at=at,
        reported_by_id=worker.id,
        plan_version=plan.version if plan else None,
    )
    job.incidents.append(incident)
    db.session.flush()
    _log(worker, job, "incident.report", at, incident=incident.id, type=spec.type, severity=spec.severity)
    supervisor = months.actor("supervisor")
    acknowledged = at + spec.acknowledged_after if spec.acknowledged_after else None
    if alerts_supervisor(spec.severity):
        _log(worker, job, "incident.alert", at, incident=incident.id, type=spec.type, severity=spec.severity)
        _log(worker, job, "pause", at, **{"from": str(Status.CLEANING), "to": str(Status.PAUSED)})
        _log(supervisor, job, "incident.acknowledge", acknowledged, incident=incident.id)
        resumed = acknowledged + timedelta(minutes=31)
        _log(supervisor, job, "resume", resumed, **{"from": str(Status.PAUSED), "to": str(Status.CLEANING)})
    elif acknowledged is not None:
        _log(supervisor, job, "incident.acknowledge", acknowledged, incident=incident.id)
    if acknowledged is not None:
        incident.acknowledged_at, incident.acknowledged_by_id = acknowledged, supervisor.id
    if spec.closed_after is not None:
        months.close_later(incident.id, at + spec.closed_after, _key(spec))
    return incident


def close_incident(incident_id: int, spec: DemoIncident, months) -> None:
    """Closed by a supervisor with how it was resolved, and for a severe one the after-action evaluation."""
    incident, supervisor = db.session.get(Incident, incident_id), months.actor("supervisor")
    now = months.timeline.clock.now
    if incident.acknowledged_at is None:
        incident.acknowledged_at, incident.acknowledged_by_id = now, supervisor.id
    incident.status = IncidentStatus.CLOSED
    incident.closed_at, incident.closed_by_id = now, supervisor.id
    incident.resolution = spec.resolution
    incident.evaluation_worked = spec.worked or None
    incident.evaluation_change = spec.to_change or None
    evaluated = incident.evaluation_worked is not None
    _log(
        supervisor,
        incident.job,
        "incident.close",
        now,
        incident=incident.id,
        evaluated=evaluated,
        acknowledged=False,
    )
    db.session.commit()


def _key(spec: DemoIncident) -> str:
    return next(key for key, value in INCIDENTS.items() if value is spec)


def _log(user: User, job: Job, action: str, at: datetime, **data) -> None:
    record_event(user, "job", job.id, action, **data).at = at
