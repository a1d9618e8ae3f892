"""Every refusal code the rules can give has its own sentence, in both languages."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from hk.domain.passwords import PasswordProblem
from hk.domain.qualification import ProblemReason, QualificationProblem
from hk.domain.workflow import Refusal, RefusalCode
from hk.refusals import password_refusal, password_text, refusal_text

STAGES = [{"code": "kitchen", "items": [{"code": "hob", "label": {"zh_CN": "灶台", "en": "Hob"}}]}]
PARAMS = {
    RefusalCode.NOT_QUALIFIED: {"problems": [QualificationProblem("health", ProblemReason.MISSING)]},
    RefusalCode.OVERLAP: {
        "number": "D1",
        "start": datetime(2026, 11, 29, 1, tzinfo=UTC),
        "end": datetime(2026, 11, 29, 3, tzinfo=UTC),
    },
    RefusalCode.ITEM_MISSING: {"item": "hob"},
    RefusalCode.PHOTO_MISSING: {"item": "hob"},
    RefusalCode.NOT_SAFE: {"item": "hob"},
    RefusalCode.REFUND_ABOVE_TOTAL: {"total": Decimal("170.00"), "left": Decimal("20.00")},
    RefusalCode.OPEN_JOBS: {"count": 2},
    RefusalCode.PASSWORD_TOO_SHORT: {"min": 8},
    RefusalCode.PASSWORD_TOO_LONG: {"max": 128},
}
GENERIC = "This cannot be done at this point of the job."


@pytest.mark.parametrize("code", list(RefusalCode))
def test_every_code_has_a_sentence_in_both_languages(app, code):
    refusal = Refusal(code, PARAMS.get(code, {}))
    with app.test_request_context():
        with force_locale("en"):
            en = refusal_text(refusal, stages=STAGES, lang="en", name="Li")
        with force_locale("zh_CN"):
            zh = refusal_text(refusal, stages=STAGES, lang="zh_CN", name="李")
    assert en and zh and en != zh
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    if code not in (RefusalCode.WRONG_STATUS, RefusalCode.UNKNOWN_ACTION):
        assert en != GENERIC, f"{code} falls back to the generic sentence"
    if "item" in PARAMS.get(code, {}):
        assert "Hob" in en and "灶台" in zh


def test_the_unknown_codes_say_what_is_unknown(app):
    """An unknown stage is not 'that checklist item does not exist' (a misleading sentence, once)."""
    with app.test_request_context(), force_locale("en"):
        stage = refusal_text(Refusal(RefusalCode.UNKNOWN_STAGE), lang="en")
        item = refusal_text(Refusal(RefusalCode.UNKNOWN_ITEM), lang="en")
    assert stage != item and "step" in stage


def test_a_code_outside_the_set_is_refused_where_it_is_made():
    with pytest.raises(ValueError):
        Refusal("no_such_reason")


@pytest.mark.parametrize("problem", list(PasswordProblem))
def test_every_password_problem_has_its_own_sentence_in_both_languages(app, problem):
    with app.test_request_context():
        with force_locale("en"):
            en = password_text(problem)
            others = {password_text(p) for p in PasswordProblem if p != problem}
        with force_locale("zh_CN"):
            zh = password_text(problem)
    assert en and zh and en != zh and en not in others
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)


def test_a_password_with_the_company_name_is_refused(app):
    with app.test_request_context(), force_locale("en"):
        company = app.config["COMPANY_NAME"]
        assert "company" in password_refusal(f"{company} is a fine place", "worker1", "Li", None)
        assert password_refusal("a fine place to work", "worker1", "Li", None) is None
