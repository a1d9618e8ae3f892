"""`flask hk …`: the commands an operator runs."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from hk.auth.service import end_all_sessions
from hk.catalogue import DEFAULT_CATALOGUE, load_catalogue_file
from hk.domain.catalogue import CatalogueError
from hk.domain.passwords import generated_password
from hk.extensions import db
from hk.models import Role, User, WorkerProfile
from hk.refusals import password_refusal

hk_cli = AppGroup("hk", help="hk administration commands.")


def _check_password(password: str, *personal: str | None) -> None:
    """Refuse, in English, a password that breaks the rule (hk.domain.passwords)."""
    with force_locale("en"):
        refusal = password_refusal(password, *personal)
    if refusal:
        raise click.ClickException(f"password refused: {refusal}")


@hk_cli.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", help="Name shown to people (defaults to the username).")
@click.option("--phone", default=None)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="HK_NEW_USER_PASSWORD",
    help="Asked for when not given; or set HK_NEW_USER_PASSWORD.",
)
def create_user(username: str, role: str, display_name: str | None, phone: str | None, password: str):
    """Create a user, or reset the password and role of an existing one (ending their logins)."""
    username = username.strip().lower()
    user = db.session.scalar(select(User).where(User.username == username))
    created = user is None
    _check_password(
        password,
        username,
        display_name or (user.display_name if user else None),
        phone or (user.phone if user else None),
    )
    if created:
        user = User(username=username, display_name=display_name or username, role=Role(role))
        db.session.add(user)
    user.role = Role(role)
    if display_name:
        user.display_name = display_name
    if phone:
        user.phone = phone
    user.set_password(password)
    if user.role == Role.WORKER and user.profile is None:
        user.profile = WorkerProfile()
    if created:
        db.session.commit()
    else:  # a reset password (forgotten, or known to someone else): every login with the old one ends
        end_all_sessions(user)
    click.echo(f"{'created' if created else 'updated'} {role} {username}")


@hk_cli.command("load-catalogue")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    default=str(DEFAULT_CATALOGUE),
    show_default=True,
)
def load_catalogue(path: str):
    """Load service types, checklists, prices and emergency plans from a catalogue file."""
    try:
        summary = load_catalogue_file(path)
    except CatalogueError as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    click.echo(
        f"catalogue: {len(summary.created)} created, {len(summary.new_versions)} new template "
        f"versions, {len(summary.unchanged)} unchanged; emergency plans: {len(summary.plans)} new or changed"
    )


@hk_cli.command("seed-demo")
@click.option("--force", is_flag=True, help="Seed even into a database that holds real data.")
def seed_demo_command(force: bool):
    """Create the demo company (password from HK_DEMO_PASSWORD, else generated and printed).

    A demo may be shown on a public address, so HK_DEMO_PASSWORD must pass the password rule for
    every demo person, like any password a person sets.
    """
    from hk.demo import PEOPLE, seed_demo

    everyone = [word for username, name, _role, phone in PEOPLE for word in (username, name, phone)]
    password = os.environ.get("HK_DEMO_PASSWORD") or generated_password(
        [*everyone, current_app.config.get("COMPANY_NAME")]
    )
    for username, name, _role, phone in PEOPLE:
        _check_password(password, username, name, phone)
    result = seed_demo(password, current_app.config["TIMEZONE"], only_demo=not force, history=True)
    if not result.seeded:
        click.echo(f"demo: {result.message}")
        return
    click.echo(
        f"demo: {len(result.created_users)} users created, {result.created_jobs} jobs for today created"
    )
    if not os.environ.get("HK_DEMO_PASSWORD"):
        click.echo(f"demo password: {password}")


@hk_cli.command("quality-report")
@click.option("--month", default=None, help="The month to report, as 2026-11 (default: last month).")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default="zh_CN", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None, help="Where to write the PDF.")
def quality_report_command(month: str | None, lang: str, out: str | None):
    """Write the monthly quality report as a PDF (default: instance/reports/quality-YYYY-MM.pdf)."""
    from hk.domain.clock import local_today
    from hk.quality.report import BadMonth, parse_month, render_report

    today = local_today(current_app.config["TIMEZONE"])
    try:
        first_day = parse_month(month, today)
    except BadMonth:
        raise click.BadParameter("write the month as YYYY-MM, e.g. 2026-11", param_hint="--month") from None
    name = f"quality-{first_day:%Y-%m}.pdf"
    path = Path(out) if out else Path(current_app.instance_path) / "reports" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with current_app.test_request_context():
        path.write_bytes(render_report(first_day, today, lang))
    click.echo(f"quality report for {first_day:%Y-%m}: {path}")


@hk_cli.command("init-signing")
@click.option(
    "--export",
    "export_to",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the signing key and its certificates as a PKCS#12 file (never overwritten), "
    "for HK_SIGNING_PKCS12 on every server.",
)
def init_signing(export_to: Path | None):
    """Create the company CA and signing certificate under instance/signing (kept if present)."""
    from hk.records.keys import export_pkcs12
    from hk.records.service import company_keys

    if export_to is not None and current_app.config.get("SIGNING_PKCS12"):
        raise click.ClickException(
            "HK_SIGNING_PKCS12 is set: that file is the key already; give every server a copy of it."
        )
    if export_to is not None and export_to.exists():
        raise click.ClickException(f"{export_to} exists; it is never overwritten")
    keys = company_keys(create=True)
    click.echo(f"signing as: {keys.subject_name}")
    if export_to is not None:
        password = current_app.config.get("SIGNING_PKCS12_PASSWORD") or click.prompt(
            "A password for the PKCS#12 file (HK_SIGNING_PKCS12_PASSWORD on every server)",
            hide_input=True,
            confirmation_prompt=True,
        )
        export_pkcs12(Path(current_app.instance_path), export_to, password)
        click.echo(
            f"written: {export_to} — copy it to every server (and the queue workers') and set "
            "HK_SIGNING_PKCS12 and HK_SIGNING_PKCS12_PASSWORD there"
        )


@hk_cli.command("verify-chain")
def verify_chain_command():
    """Check the archive: every record linked to the one before it and its PDF unchanged."""
    from hk.records.service import records_count, verify_chain

    problems = verify_chain()
    if problems:
        for problem in problems:
            click.echo(f"BROKEN #{problem.seq} {problem.code or ''}: {problem.problem}", err=True)
        raise SystemExit(1)
    click.echo(f"chain whole: {records_count()} records")


@hk_cli.command("verify-record")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def verify_record_command(path: str):
    """Say whether a PDF is a genuine record of this archive."""
    from pathlib import Path

    from hk.records.service import verify_upload
    from hk.records.signing import Verdict

    result = verify_upload(Path(path).read_bytes())
    if result.verdict == Verdict.GENUINE:
        click.echo(
            f"genuine: record {result.record.code} ({result.record.job.number}-v{result.record.version})"
        )
        return
    detail = result.signature.detail if result.signature else "not an archived record, and not one to parse"
    click.echo(f"altered/unknown: {detail}")
    raise SystemExit(1)


@hk_cli.command("retry-records")
def retry_records_command():
    """Make now every record still pending or failed (and records for signed jobs that have none)."""
    from hk.records.making import make_all_waiting, records_due

    records_due()  # a signed job without any record gets a pending one first
    ok, failed = make_all_waiting()
    click.echo(f"records made: {ok}, still failing: {failed}")
    if failed:
        raise SystemExit(1)


@hk_cli.command("storage-copy")
@click.option("--to", "to", required=True, help="Where to copy: s3://bucket/prefix, or a folder.")
@click.option("--endpoint-url", default=None, help="The target's S3 endpoint (default HK_S3_ENDPOINT_URL).")
@click.option("--jobs", default=8, show_default=True, type=click.IntRange(1, 64), help="Blobs at a time.")
def storage_copy_command(to: str, endpoint_url: str | None, jobs: int):
    """Copy every blob the database refers to from the storage in use to another, checking each.

    Each blob is checked against its key (a sha256) and the hash its row keeps (a record PDF's
    pdf_sha256, a photo's, a signature's); one already at the target with the right bytes is
    skipped, so this can be run again. Nothing corrupt is copied. Exit 1 when anything is missing,
    corrupt or failed (listed). Blobs no row refers to are not copied.
    """
    from hk.storage import get_storage, open_storage
    from hk.storage_copy import Outcome, copy_all, referenced_blobs

    source = get_storage()
    try:
        target = open_storage(to, to, endpoint_url or current_app.config.get("S3_ENDPOINT_URL"))
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if str(target) == str(source):
        raise click.ClickException(f"{target} is the storage in use: copy it somewhere else")
    blobs = referenced_blobs()
    click.echo(f"copying {len(blobs)} blobs the database refers to from {source} to {target}")
    report = copy_all(source, target, blobs, jobs)
    counts = report.counts
    click.echo(
        ", ".join(f"{counts[outcome]} {outcome}" for outcome in Outcome)
        + f"; {report.bytes_copied / 1e6:.1f} MB copied in {report.seconds:.1f} s"
    )
    for result in report.replaced + report.problems:
        blob = result.blob
        line = f"{result.outcome.upper()} {blob.key} ({blob.what}): {result.detail}"
        click.echo(line, err=result.outcome != Outcome.REPLACED)
    if report.problems:
        raise SystemExit(1)


@hk_cli.command("quality-facts")
@click.option("--rebuild", "whole", is_flag=True, required=True, help="Recompute every row from the jobs.")
def quality_facts_command(whole: bool):
    """Recompute the quality figures' facts about each completed job (quality_job_facts) from the
    jobs, ratings and records: after writing those tables outside the app (a bulk load, a repair)."""
    from hk.models.quality import rebuild

    rows = rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"quality facts rebuilt: {rows} completed jobs")
