"""Login, logout and the language switch."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME
from itsdangerous import BadSignature

from hk.auth import bp
from hk.auth.access import USUAL_COOKIE, any_role, public, usual_serializer
from hk.auth.forms import LanguageForm, LoginForm, OwnEmailForm, PasswordChangeForm
from hk.auth.service import (
    authenticate,
    change_own_password,
    device_label,
    end_all_sessions,
    end_session,
    handback_check,
    open_sessions,
    set_own_email,
    start_session,
)
from hk.database import reads_first
from hk.domain.passwords import MIN_LENGTH
from hk.extensions import db
from hk.views_helpers import client_address, safe_next

USUAL_DAYS = 180


def _usual_names() -> list[str]:
    """The names that logged in on this browser before (signed, so it cannot be made up)."""
    try:
        names = usual_serializer().loads(request.cookies.get(USUAL_COOKIE, ""))
    except BadSignature:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _remember_usual_name(response, username: str) -> None:
    names = [username] + [n for n in _usual_names() if n != username]
    response.set_cookie(
        USUAL_COOKIE,
        usual_serializer().dumps(names[:5]),
        max_age=USUAL_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )


@bp.route("/login", methods=["GET", "POST"])
@public
@reads_first
def login():
    """Show the login form and log a person in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    status = 200
    if form.validate_on_submit():
        usual = form.username.data.strip().lower() in _usual_names()
        result = authenticate(form.username.data, form.password.data, client_address(), usual)
        if result.user is not None:
            user = result.user
            if user.locale is None and session.get("lang"):
                user.locale = session["lang"]
            started = start_session(user, client_address(), request.user_agent.string)
            started.handback_check = handback_check(form.handback_check.data)
            db.session.commit()
            session.clear()
            login_user(user, remember=form.remember.data)
            response = redirect(safe_next(form.next.data, url_for("main.home")), code=303)
            _remember_usual_name(response, user.username.lower())
            return response
        status = 429 if result.error == "throttled" else 401
        if result.error == "throttled":
            error = _(
                "Too many failed attempts. Please wait %(minutes)d minutes and try again, "
                "or ask your supervisor to reset your password.",
                minutes=result.retry_minutes,
            )
        elif result.error == "disabled":
            status = 403
            error = _("This account has been disabled. Please contact your supervisor.")
        else:
            error = _("Wrong username or password.")
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@any_role
def logout():
    """Log out and return to the login page."""
    end_session(current_user)
    return _to_login(_("You have logged out."))


def _account_page(form: PasswordChangeForm | None = None, email_form: OwnEmailForm | None = None, status=200):
    """The account page, with a refused form as it was sent (the other fresh)."""
    return render_template(
        "auth/account.html",
        sessions=open_sessions(current_user),
        device_label=device_label,
        form=form or PasswordChangeForm(current_user, formdata=None),
        email_form=email_form or OwnEmailForm(formdata=None, email=current_user.email),
        min_length=MIN_LENGTH,
    ), status


@bp.route("/account")
@any_role
def account():
    """Where this person is logged in, a way to end every login at once, the address of their work
    messages, and the password change."""
    return _account_page()


@bp.route("/account/email", methods=["POST"])
@any_role
def set_email():
    """Set or clear one's own email address for work messages."""
    form = OwnEmailForm()
    if not form.validate_on_submit():
        return _account_page(email_form=form, status=422)
    if set_own_email(current_user._get_current_object(), form.email.data):
        if current_user.email:
            flash(_("Work messages will be emailed to %(email)s.", email=current_user.email), "success")
        else:
            flash(_("No more work messages will be emailed to you."), "success")
    return redirect(url_for("auth.account", _anchor="main"), code=303)


@bp.route("/account/password", methods=["POST"])
@any_role
@reads_first
def change_password():
    """Change one's own password: every other login ends, this device stays logged in."""
    form = PasswordChangeForm(current_user)
    if not form.validate_on_submit():
        return _account_page(form, status=422)
    user = current_user._get_current_object()
    result = change_own_password(
        user,
        form.current_password.data,
        form.new_password.data,
        request.remote_addr or "?",
        request.user_agent.string,
        user.username.lower() in _usual_names(),
    )
    if result.error == "ended":
        return _to_login(_("You were logged out while changing your password. Please log in again."))
    if result.error is not None:
        form.current_password.errors.append(
            _("This is not your current password.")
            if result.error == "wrong"
            else _(
                "Too many failed attempts. Please wait %(minutes)d minutes and try again, "
                "or ask your supervisor to reset your password.",
                minutes=result.retry_minutes,
            )
        )
        return _account_page(form, status=429 if result.error == "throttled" else 422)
    # The fresh login the service started for this browser (a remember cookie is renewed with it).
    login_user(user, remember=current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies)
    flash(
        _("Your password has been changed. You are still logged in here; every other login has ended."),
        "success",
    )
    # To the top of the page, where the message is (the form's #change-password would be kept otherwise).
    return redirect(url_for("auth.account", _anchor="main"), code=303)


@bp.route("/logout/everywhere", methods=["POST"])
@any_role
def logout_everywhere():
    """End every login of this person on every device (a lost phone, a shared computer)."""
    ended = end_all_sessions(current_user)
    return _to_login(
        ngettext("You have logged out on %(num)d device.", "You have logged out on %(num)d devices.", ended)
    )


def _to_login(message: str):
    """Forget the person in this browser (keeping their language) and show the login page with a message."""
    lang = current_user.locale
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(message, "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Remember the chosen language for this browser and, when logged in, for the person."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    return redirect(safe_next(form.next.data, url_for("main.home")), code=303)
