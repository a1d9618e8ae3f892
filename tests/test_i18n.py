"""Both languages are complete, and a person's choice is kept."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from hk.extensions import db
from hk.models import User
from tests.builders import make_user
from tests.conftest import post_form

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = {
    "zh_CN": ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po",
    "en": ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po",
}


def _messages(path):
    with path.open("rb") as fh:
        return [m for m in read_po(fh) if m.id]


def _ids(messages):
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages}


def test_every_catalogue_is_complete_and_not_fuzzy():
    for lang, path in CATALOGUES.items():
        for message in _messages(path):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), f"{lang}: no translation for {message.id!r}"
            assert not message.fuzzy, f"{lang}: fuzzy translation for {message.id!r}"


def test_the_chinese_catalogue_is_chinese():
    for message in _messages(CATALOGUES["zh_CN"]):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in s) for s in strings), message.id


def test_the_catalogues_hold_every_message_in_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("pybabel")),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        check=True,
        cwd=ROOT,
    )
    wanted = _ids(_messages(pot))
    for lang, path in CATALOGUES.items():
        missing = wanted - _ids(_messages(path))
        assert not missing, f"{lang} lacks {sorted(missing)} — run: python scripts/i18n.py extract"


def test_chinese_is_the_default_and_the_browser_can_ask_for_english(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Log in" in english.get_data(as_text=True)


def test_an_anonymous_choice_is_kept_in_the_session(client):
    response = post_form(client, "/language", {"lang": "en", "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    body = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in body and "Log in" in body


def test_a_logged_in_persons_choice_is_kept_on_their_account(client, login):
    user = login("worker")
    post_form(client, "/language", {"lang": "en", "next": "/today"}, page="/today")
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    assert "My jobs today" in client.get("/today").get_data(as_text=True)
    # a new browser: the account remembers
    other = client.application.test_client()
    post_form(other, "/login", {"username": user.username, "password": "correct-horse-9"})
    assert "My jobs today" in other.get("/today").get_data(as_text=True)


def test_an_unknown_language_is_ignored(client):
    post_form(client, "/language", {"lang": "fr"})
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_a_choice_made_before_login_is_saved_on_first_login(client):
    user = make_user("worker")
    post_form(client, "/language", {"lang": "en"})
    post_form(client, "/login", {"username": user.username, "password": "correct-horse-9"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_wtforms_own_messages_follow_the_language_of_the_moment(app):
    from flask_babel import force_locale
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    class Form(FlaskForm):
        name = StringField(validators=[DataRequired()])

    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/", method="POST", data={"name": ""}):
        app.preprocess_request()
        seen = {}
        for lang in ("zh_CN", "en", "zh_CN"):
            with force_locale(lang):
                form = Form()
                form.validate()
                seen.setdefault(lang, set()).add(form.errors["name"][0])
    assert seen == {"zh_CN": {"该字段是必填字段。"}, "en": {"This field is required."}}
