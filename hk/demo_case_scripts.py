"""The demo's complaints as they went, step by step (hk.demo_cases plays them on the timeline).

Each script names the job it is about (the first one done that many days ago or later, of its service
or customer), how the complaint came in, and each step after: hours after it came in, or after the
re-clean's signature, who did what. The texts are what the people wrote or said.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hk.domain.complaints import Category, Channel, Severity
from hk.domain.feedback import FollowUpChannel

R = "reclean"  # a step timed from the re-clean's signature: (R, hours)


@dataclass(frozen=True)
class Script:
    key: str
    days_ago: int  # about the first job done this many days ago or later…
    how: str  # "survey" (a low rating), "online" (the customer's link) or a staff channel
    text: str  # the rating's comment, or the complaint's description
    steps: tuple = ()  # (hours after it came in, or (R, hours after the re-clean), action, *arguments)
    service: str | None = None  # …of this service
    customer: int | None = None  # …of this customer
    after: float = 6  # hours after the job was signed that it came in
    category: Category = Category.OTHER
    severity: Severity = Severity.MEDIUM
    scores: tuple = ()  # a survey: overall, quality, punctuality, attitude, price, recommend
    late: int | None = None  # the job's check-in, minutes late (what a lateness complaint is about)
    job: dict = field(default_factory=dict)  # the job's incident or refused signature


SUP, ADM = "supervisor", "admin"
SCRIPTS = [
    Script(
        "quality-bathroom",
        112,
        "survey",
        "卫生间镜子和地漏都没有清理干净，花了钱还得自己再擦一遍。",
        scores=(2, 2, 4, 4, 3, 3),
        after=3,
        service="daily_cleaning",
        steps=(
            (0.8, "assign", SUP),
            (
                2.5,
                "reply",
                SUP,
                "您好，非常抱歉给您带来不好的体验。我们会安排保洁员免费返工，稍后与您确认上门时间。",
            ),
            (3, "reclean", SUP),
            ((R, 2), "customer", "返工后干净多了，谢谢。"),
            ((R, 3), "done", SUP),
            ((R, 3.2), "resolve", SUP, "保洁员未按标准清洁镜面和地漏；已重新培训卫生间清洁流程。", True),
            ((R, 20), "confirm"),
            ((R, 100), "follow_up", SUP, FollowUpChannel.CALL, True, 5, "返工后满意，继续预约。"),
        ),
    ),
    Script(
        "late-subway",
        104,
        Channel.PHONE,
        "客户来电：保洁员迟到将近四十分钟，事先没有打电话说明。",
        category=Category.LATENESS,
        severity=Severity.LOW,
        late=38,
        after=5,
        steps=(
            (0.3, "phone", SUP, "已电话向客户致歉，说明当天地铁故障，客户表示理解。"),
            (0.5, "apology", SUP, None, "电话致歉，下次服务免费延长半小时。"),
            (
                20,
                "resolve",
                SUP,
                "地铁故障导致迟到，保洁员未及时通知客户；已要求预计迟到时提前电话告知。",
                True,
            ),
            (188, "autoclose"),
            (240, "follow_up", SUP, FollowUpChannel.CALL, True, 4, "对处理结果满意。"),
        ),
    ),
    Script(
        "ornament",
        96,
        Channel.EMAIL,
        "客户邮件：保洁员擦拭电视柜时打碎了一个陶瓷摆件，摆件是朋友送的纪念品。",
        category=Category.DAMAGE_OR_LOSS,
        severity=Severity.HIGH,
        after=20,
        job={"incident": "ornament"},
        steps=(
            (
                26,
                "reply",
                SUP,
                "非常抱歉打碎了您的摆件。保洁员当天已上报，我们会照价赔偿，请告诉我们购买价格。",
            ),
            (28, "investigate", SUP),
            (30, "customer", "摆件大约三百五十元，照片已经发到你们的邮箱。"),
            (32, "compensation", SUP, "350", "陶瓷摆件照价赔偿。"),
            (40, "approve", ADM),
            (44, "done", SUP),
            (60, "resolve", SUP, "擦拭摆件前未先移开；已提醒“先移开、再擦拭”。", True),
            (70, "confirm"),
            (180, "follow_up", SUP, FollowUpChannel.CALL, True, 4, "赔偿已收到，客户表示理解。"),
        ),
    ),
    Script(
        "late-previous-job",
        88,
        "survey",
        "约的九点，快九点四十才到，也没提前说一声。",
        scores=(3, 4, 2, 4, 4, 6),
        late=31,
        after=5,
        service="daily_cleaning",
        steps=(
            (1, "assign", SUP),
            (4, "reply", SUP, "抱歉让您久等。已核实是上一单超时所致，以后会预留足够的路程时间。"),
            (4.2, "apology", SUP, None, "书面致歉并说明原因。"),
            (30, "resolve", SUP, "上一单超时，排班未留路程时间。", False),
            (200, "autoclose"),
            (230, "follow_up", SUP, FollowUpChannel.MESSAGE, True, 4, "客户回复：之后都很准时。"),
        ),
    ),
    Script(
        "hours-charged",
        80,
        Channel.SOCIAL,
        "客户微信留言：约好的是三小时，结账时按四小时收费。",
        category=Category.PRICE,
        after=26,
        service="daily_cleaning",
        job={"refusal": "客户对结算金额有异议（认为多算了一小时），拒绝签字。"},
        steps=(
            (18, "reply", SUP, "已收到您的反馈，正在核对当天的签到和完工时间，今天内给您答复。"),
            (20, "investigate", SUP),
            (22, "refund", SUP, "50", "多收的一小时人工费。"),
            (26, "done", SUP),
            (30, "resolve", SUP, "保洁员按实际用时结算，应按确认的报价收费；已重申按确认报价结算。", True),
            (50, "confirm"),
            (120, "follow_up", SUP, FollowUpChannel.CALL, True, 5, "退款已收到。"),
        ),
    ),
    Script(
        "phone-calls",
        72,
        Channel.WALK_IN,
        "客户到门店反映：保洁员工作时长时间接听私人电话，提醒后语气不耐烦。",
        category=Category.ATTITUDE,
        after=48,
        steps=(
            (0.5, "reply", SUP, "感谢您当面告诉我们，非常抱歉。我们会与保洁员谈话并跟进。"),
            (1, "investigate", SUP),
            (24, "apology", SUP, None, "店长当面致歉。"),
            (40, "resolve", SUP, "工作中接听私人电话，沟通态度欠佳；已谈话并安排沟通礼仪培训。", True),
            (60, "confirm"),
            (160, "follow_up", SUP, FollowUpChannel.CALL, True, 4, "客户说最近一次服务态度很好。"),
        ),
    ),
    Script(
        "hood-leak",
        66,
        "survey",
        "油烟机拆洗装回去以后漏油，滴到灶台上了！",
        scores=(1, 1, 4, 3, 2, 1),
        after=20,
        service="kitchen_appliance_cleaning",
        steps=(
            (30, "assign", ADM),
            (50, "reply", ADM, "非常抱歉回复晚了。我们会安排师傅上门重新安装并检查密封。"),
            (51, "pause", ADM, "客户出差，周末才能安排上门。"),
            (100, "resume", ADM),
            (100.5, "reclean", ADM),
            ((R, 1), "done", ADM),
            ((R, 2), "resolve", ADM, "集油盒装回时卡扣未到位；已在交接时增加试机检查。", True),
            ((R, 30), "confirm"),
            (
                (R, 150),
                "follow_up",
                SUP,
                FollowUpChannel.CALL,
                False,
                3,
                "返工后没有再漏油，但对回复太慢有意见。",
            ),
        ),
    ),
    Script(
        "flower-pots",
        58,
        Channel.FOLLOW_UP,
        "回访时客户反映：上次打扫后，阳台花盆被挪动后没有放回原处。",
        severity=Severity.LOW,
        after=72,
        steps=(
            (
                0,
                "follow_up",
                SUP,
                FollowUpChannel.CALL,
                False,
                3,
                "客户提到阳台花盆被挪动后没有复位。",
                False,
            ),
            (0.2, "phone", SUP, "回访电话中已向客户致歉。"),
            (0.3, "apology", SUP, None, "电话致歉。"),
            (20, "resolve", SUP, "清洁阳台时移动了花盆，结束后未复位；已加入交接检查。", True),
            (188, "autoclose"),
            (200, "follow_up", SUP, FollowUpChannel.MESSAGE, True, 5, "客户表示最近一次花盆都放回原位了。"),
        ),
    ),
    Script(
        "gas-knob",
        50,
        "online",
        "阿姨走后发现燃气灶的旋钮没有关到位，闻到一点煤气味。",
        category=Category.SAFETY,
        severity=Severity.HIGH,
        after=8,
        steps=(
            (1, "assign", SUP),
            (3, "phone", SUP, "已电话联系客户，确认已开窗通风、关闭阀门，家中无人不适。"),
            (4, "investigate", SUP),
            (5, "pause", SUP, "等待燃气公司上门检测结果。"),
            (40, "resume", SUP),
            (44, "customer", "燃气公司检查过了，灶具没有问题，是旋钮没关紧。"),
            (46, "apology", SUP, None, "上门致歉。"),
            (60, "resolve", SUP, "清洁灶具后未确认旋钮复位；交接检查中加入“燃气阀门、旋钮已关闭”。", True),
            (80, "confirm"),
            (150, "follow_up", SUP, FollowUpChannel.VISIT, True, 4, "上门回访，客户放心了。"),
        ),
    ),
    Script(
        "wet-floor",
        43,
        Channel.PHONE,
        "客户来电：拖地用水过多，实木地板缝隙进水，部分地板起翘。",
        category=Category.DAMAGE_OR_LOSS,
        severity=Severity.HIGH,
        after=30,
        service="daily_cleaning",
        steps=(
            (2, "reply", ADM, "非常抱歉，我们明天上午派人上门查看地板情况。"),
            (3, "investigate", ADM),
            (22, "note", ADM, "已上门查看：三块地板轻微起翘。"),
            (24, "refund", ADM, "120", "退还本次服务人工费。"),
            (24.5, "compensation", ADM, "500", "地板修复费用。"),
            (48, "done", ADM),
            (66, "resolve", ADM, "实木地板未按要求使用半干拖把。", True),
            (130, "reopen", "地板修好后，旁边又有一块起翘了。"),
            (135, "reply", ADM, "我们会请地板师傅再来处理，费用由我们承担。"),
            (170, "resolve", ADM, "复修完成，客户验收。", True),
            (200, "confirm"),
            (300, "follow_up", SUP, FollowUpChannel.CALL, True, 4, "地板已无问题。"),
        ),
    ),
    Script(
        "unfriendly",
        45,
        "survey",
        "The cleaner was unfriendly when I asked her to wipe the windows again.",
        scores=(2, 3, 4, 2, 3, 2),
        after=4,
        customer=8,
        steps=(
            (1, "assign", SUP),
            (
                9,
                "reply",
                SUP,
                "We are sorry. We have spoken with the cleaner and can send a different one next time.",
            ),
            (10, "investigate", SUP),
            (50, "resolve", SUP, "保洁员被要求返工时情绪抵触；已谈话并调整排班。", True),
            (220, "autoclose"),
            (
                240,
                "follow_up",
                SUP,
                FollowUpChannel.CALL,
                False,
                2,
                "Customer has paused the regular cleaning.",
            ),
        ),
    ),
    Script(
        "consumables",
        30,
        Channel.EMAIL,
        "Customer email: the receipt shows a consumables fee, but he provides his own.",
        category=Category.PRICE,
        severity=Severity.LOW,
        after=40,
        customer=1,
        steps=(
            (
                30,
                "reply",
                SUP,
                "Thank you for pointing this out. You are right: we will refund the consumables fee.",
            ),
            (31, "refund", SUP, "20", "Refund of the consumables fee."),
            (40, "done", SUP),
            (70, "resolve", SUP, "客户自备清洁用品，报价未去掉耗材费；已在客户档案中备注。", False),
            (90, "confirm"),
            (160, "follow_up", SUP, FollowUpChannel.MESSAGE, True, 5, "Happy with the refund."),
        ),
    ),
    Script(
        "late-again",
        22,
        Channel.PHONE,
        "客户来电：这个月第二次迟到了，希望给个说法。",
        category=Category.LATENESS,
        late=36,
        after=6,
        service="daily_cleaning",
        steps=(
            (3, "reply", SUP, "非常抱歉，我们正在调查排班问题，会尽快答复您。"),
            (4, "investigate", SUP),
            (60, "note", SUP, "排班表显示当天上午两单之间只留了二十分钟路程。"),
            (100, "apology", SUP, None, "致歉并赠送一次免费加时。"),
            (101, "resolve", SUP, "排班两单之间路程时间不足；已调整排班规则。", False),
            (270, "autoclose"),
            (290, "follow_up", SUP, FollowUpChannel.CALL, True, 4, "后来几次都准时。"),
        ),
    ),
    Script(
        "dusty-fridge",
        13,
        "survey",
        "冰箱顶和空调出风口全是灰，深度保洁不应该这样。",
        scores=(2, 2, 5, 4, 3, 4),
        after=6,
        service="deep_cleaning",
        steps=(
            (1, "assign", SUP),
            (12, "reply", SUP, "非常抱歉，深度保洁应包括冰箱顶和空调出风口。我们为您退还部分费用。"),
            (13, "investigate", SUP),
            (14, "refund", SUP, "150", "深度保洁部分项目未做，部分退款。"),
            (20, "done", SUP),
            (40, "resolve", SUP, "深度保洁高处项目遗漏；已将高处清洁列入检查清单提示。", True),
            (60, "confirm"),
            (100, "follow_up", SUP, FollowUpChannel.CALL, True, 4, "退款已收到，下次还会预约。"),
        ),
    ),
    Script(
        "same-cleaner",
        4,
        Channel.SOCIAL,
        "客户微信留言：希望以后固定同一位阿姨上门。",
        severity=Severity.LOW,
        after=10,
        steps=((4, "reply", SUP, "收到，我们会尽量为您安排同一位保洁员。"), (5, "investigate", SUP)),
    ),
]
