"""The demo company's other customers: those it served over the past months besides the five of today.

The first six (indices 5–10 of the demo's customer list) are regulars (hk.demo_plan.REGULARS); the rest
booked once, or now and then. About two in three gave an email address (@example.com: their mail goes to the
demo's outbox). `SIGNERS` is who signs for each customer and in which language.
"""

from __future__ import annotations

from decimal import Decimal

# Surnames with their pinyin (for email addresses), and given names: a customer is 王女士 or 王先生,
# and the person who signs is, say, 王丽华.
_SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("徐", "xu"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"), ("梁", "liang"),
    ("谢", "xie"), ("宋", "song"), ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"),
    ("邓", "deng"), ("曹", "cao"), ("彭", "peng"), ("曾", "zeng"), ("田", "tian"), ("董", "dong"),
    ("潘", "pan"), ("袁", "yuan"), ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"),
    ("叶", "ye"), ("程", "cheng"), ("魏", "wei"), ("苏", "su"),
]  # fmt: skip
_WOMEN = [
    "丽华",
    "秀英",
    "海燕",
    "静",
    "艳",
    "娜",
    "霞",
    "桂英",
    "玉兰",
    "芳",
    "玲",
    "婷",
    "雪",
    "红",
    "平",
    "慧",
    "莉",
    "燕",
    "琳",
    "佳怡",
]
_MEN = [
    "建华",
    "志强",
    "晓明",
    "磊",
    "勇",
    "杰",
    "涛",
    "刚",
    "斌",
    "鹏",
    "辉",
    "峰",
    "明",
    "文",
    "军",
    "伟",
    "强",
    "浩",
    "宇",
    "凯",
]
COUNT = 66  # customers besides the five of hk.demo.CUSTOMERS


def _person(n: int) -> tuple[str, str, str, str]:
    """The n-th customer (from 1): surname, pinyin, given name, title; no two with the same name."""
    surname, pinyin = _SURNAMES[(n - 1) % len(_SURNAMES)]
    woman = (n % 2 == 1) != ((n - 1) // len(_SURNAMES) == 1)
    given = (_WOMEN if woman else _MEN)[n * 7 % 20]
    return surname, pinyin, given, "女士" if woman else "先生"


_STREETS = [
    "徐汇区漕溪北路",
    "长宁区古北路",
    "静安区延安中路",
    "浦东新区张杨路",
    "闵行区莘松路",
    "普陀区长寿路",
    "杨浦区国权路",
    "黄浦区淮海中路",
    "虹口区四川北路",
    "浦东新区世纪大道",
    "徐汇区天钥桥路",
    "长宁区虹桥路",
]
_ACCESS = [
    "门禁密码当天电话告知",
    "钥匙放在物业前台，报姓名领取",
    "家中有人，按门铃即可",
    None,
    "小区需登记访客，报业主电话",
]
_PREFERENCES = [
    "请用自带拖鞋，地板不打蜡",
    "厨房调料瓶请放回原位",
    None,
    "孩子午睡时段请不要使用吸尘器",
    "阳台绿植不要移动",
    None,
]


def _customer(n: int, surname: str, pinyin: str, given: str, title: str) -> dict:
    street = _STREETS[n % len(_STREETS)]
    data = {
        "name": f"{surname}{title}",
        "phone": f"1391200{n:04d}",
        "address": f"上海市{street}{100 + n * 37 % 900}弄{1 + n % 12}号{2 + n % 20}{1 + n % 4:02d}室",
        "email": f"{pinyin}.{n:02d}@example.com" if n % 3 != 2 else None,
        "access_notes": _ACCESS[n % len(_ACCESS)],
        "preferences": _PREFERENCES[n % len(_PREFERENCES)],
        "has_pets": n % 5 == 1,
        "has_children": n % 4 == 2,
        "has_elderly": n % 6 == 3,
    }
    return data


_PEOPLE = [_person(n) for n in range(1, COUNT + 1)]
MONTHS_CUSTOMERS = [_customer(n, *person) for n, person in enumerate(_PEOPLE, start=1)]
MONTHS_CUSTOMERS[3].update(name="Ms. Emma Wilson", email="emma.wilson@example.com")
MONTHS_CUSTOMERS[14].update(name="Mr. Kenji Tanaka", email="kenji.tanaka@example.com")

# Who signs for each customer of the demo's list (hk.demo.CUSTOMERS, then MONTHS_CUSTOMERS), and in
# which language the customer read their review.
SIGNERS = [
    ("周丽", "zh_CN"),
    ("Thomas Becker", "en"),
    ("吴建国", "zh_CN"),
    ("孙晓燕", "zh_CN"),
    ("郑志明", "zh_CN"),
] + [(f"{surname}{given}", "zh_CN") for surname, _pinyin, given, _title in _PEOPLE]
SIGNERS[5 + 3] = ("Emma Wilson", "en")
SIGNERS[5 + 14] = ("Kenji Tanaka", "en")

# Floor area of each customer's home, m² (the deep and move-in cleaning price goes by it).
AREAS = [Decimal(a) for a in ("89", "126", "75", "142", "98")] + [
    Decimal(60 + n * 23 % 110) for n in range(1, len(_PEOPLE) + 1)
]
