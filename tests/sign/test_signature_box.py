"""The signature box: a refusal's message sits next to what must be fixed and takes the focus; a
customer who cannot draw signs by typing their name, recorded as such in the PDF and the chain."""

import re
import subprocess

import pytest
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Event, ServiceRecord, SignatureKind, SignOff
from hk.records import service as records
from hk.records.signing import Verdict
from hk.storage import get_storage
from tests.records.test_sign_flow import _ready, _sign, signature_png


def _focus_targets(body: str) -> list[str]:
    """The tags the page asks the browser to focus first (app.js focuses the first one shown)."""
    return re.findall(r"<[^>]*\bdata-focus-first\b[^>]*>", body)


def test_an_empty_drawing_is_refused_next_to_the_box_with_the_focus_there(client, login):
    phone = _ready(client, login)
    response = _sign(phone, signature="")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    # the message is between the name and the drawing box, says "below", and is the one focus target
    name, error, canvas = (
        body.index(s) for s in ('data-testid="signer-name"', 'id="signature-error"', "<canvas")
    )
    assert name < error < canvas
    targets = _focus_targets(body)
    assert len(targets) == 1 and 'id="signature-error"' in targets[0] and "hidden" not in targets[0]
    message = re.search(r'id="signature-error"[^>]*>([^<]+)</p>', body).group(1)
    assert "下方" in message and "上面" not in message and "改为输入姓名" in message
    assert 'value="周丽"' in body  # nothing typed is lost


def test_a_missing_name_marks_the_name_field_and_focuses_it(client, login):
    phone = _ready(client, login)
    body = _sign(phone, signer_name="", consent="").get_data(as_text=True)
    targets = _focus_targets(body)
    assert [t for t in targets if 'name="signer_name"' in t] and 'aria-invalid="true"' in targets[0]
    assert re.search(r'id="signer-name-error"[^>]*>请写下您的姓名。</p>', body)
    assert re.search(r'id="consent-error"[^>]*>请勾选确认。</p>', body)
    assert 'name="consent"' in targets[1]  # both marked; the first one gets the focus


def test_the_canvas_has_a_name_and_the_typed_way_is_a_plain_radio_button(client, login):
    phone = _ready(client, login)
    body = client.get(f"/jobs/{phone.job_id}/review").get_data(as_text=True)
    canvas = re.search(r"<canvas[^>]*>", body).group(0)
    assert 'tabindex="0"' in canvas and 'aria-label="签名框：请用手指在此签名"' in canvas
    assert 'aria-describedby="signature-no-draw"' in canvas
    assert re.search(r'<input[^>]*type="radio"[^>]*value="typed"', body)
    assert "改为输入姓名" in body


@pytest.mark.parametrize(
    ("lang", "name", "sentence", "label"),
    [
        ("zh_CN", "王秀英", "本人王秀英已核对以上服务内容、照片和价格", "以输入姓名的方式签名"),
        ("en", "Mary Wang", "I, Mary Wang, have reviewed the work", "Signed by typing the name"),
    ],
)
def test_a_typed_signature_is_recorded_as_such(client, login, tmp_path, lang, name, sentence, label):
    phone = _ready(client, login)
    response = _sign(phone, method="typed", signature="", signer_name=name, lang=lang)
    assert response.status_code == 303, response.get_data(as_text=True)
    signoff = db.session.scalar(select(SignOff))
    assert signoff.signature_kind == SignatureKind.TYPED and signoff.signature_key is None
    assert signoff.consent_text.startswith(sentence) and signoff.signer_name == name
    event = db.session.scalar(select(Event).where(Event.action == "sign"))
    assert event.data["signature"] == "typed"

    record = db.session.scalar(select(ServiceRecord))
    assert record.render_status == "done", record.render_error
    pdf = get_storage().get(record.pdf_key)
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)  # pdftotext breaks lines where the PDF does
    assert sentence.replace(" ", "") in flat and f"{label}:".replace(" ", "") in flat
    assert records.verify_upload(pdf).verdict == Verdict.GENUINE
    assert records.verify_chain() == []


def test_a_typed_signature_still_needs_the_ticked_sentence(client, login):
    phone = _ready(client, login)
    response = _sign(phone, method="typed", signature="", consent="")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert re.search(r'id="consent-error"[^>]*>请勾选确认。</p>', body)
    # the typed way stays chosen, with its sentence shown and the drawing box hidden
    assert re.search(r'<input[^>]*checked[^>]*value="typed"|<input[^>]*value="typed"[^>]*checked', body)
    assert re.search(r'data-sign-panel="drawn" hidden', body)
    assert db.session.scalar(select(func.count(SignOff.id))) == 0


def test_an_unknown_way_of_signing_is_refused(client, login):
    phone = _ready(client, login)
    assert _sign(phone, method="stamp").status_code == 422
    assert db.session.scalar(select(func.count(SignOff.id))) == 0


def test_a_drawn_signature_is_recorded_as_drawn(client, login):
    phone = _ready(client, login)
    assert _sign(phone, signature=signature_png()).status_code == 303
    assert db.session.scalar(select(SignOff)).signature_kind == SignatureKind.DRAWN
