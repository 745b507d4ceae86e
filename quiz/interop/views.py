"""Exchange pages: a bank's page with its exports, a finished test as Moodle XML, and the
upload of an Anki review log."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from quiz.core import clock
from quiz.extensions import csrf
from quiz.interop import revlog, service
from quiz.interop.forms import RevlogForm

bp = Blueprint("interop", __name__)

APKG = "application/apkg"
XML = "application/xml"


def _export(bank_id: str) -> service.BankExport:
    export = service.bank_export(bank_id)
    if export is None:
        abort(404)
    return export


def _download(body: bytes | str, mimetype: str, name: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{safe}"'})


@bp.get("/banks/<bank_id>")
def bank(bank_id: str) -> str:
    """A bank's summary and its downloads for Anki and Moodle."""
    summary = service.bank_summary(bank_id)
    if summary is None:
        abort(404)
    return render_template("interop/bank.html", summary=summary)


@bp.get("/banks/<bank_id>/anki.apkg")
def anki_package(bank_id: str) -> Response:
    """The bank as an Anki package of new cards."""
    export = _export(bank_id)
    return _download(service.anki_package(export, now=clock.utcnow()), APKG,
                     f"pivot-{bank_id}.apkg")


@bp.get("/banks/<bank_id>/anki-with-my-schedule.apkg")
@login_required
def anki_scheduled(bank_id: str) -> Response:
    """The bank as an Anki package carrying the signed-in learner's own schedule."""
    export = _export(bank_id)
    data = service.anki_package_with_scheduling(export, current_user, now=clock.utcnow())
    return _download(data, APKG, f"pivot-{bank_id}-scheduled.apkg")


@bp.get("/banks/<bank_id>/moodle.xml")
def moodle_xml(bank_id: str) -> Response:
    """The bank as Moodle XML."""
    return _download(service.moodle_xml(_export(bank_id)), XML, f"pivot-{bank_id}.xml")


@bp.get("/banks/<bank_id>/gift.txt")
def gift_text(bank_id: str) -> Response:
    """The bank in GIFT (the kinds GIFT can express)."""
    text, _skipped = service.gift_text(_export(bank_id))
    return _download(text, "text/plain", f"pivot-{bank_id}.gift.txt")


@bp.get("/sessions/<int(max=2147483647):session_id>/moodle.xml")
@login_required
def test_moodle(session_id: int) -> Response:
    """A finished practice test's questions as Moodle XML, for the learner who took it."""
    try:
        found = service.test_export(current_user, session_id, clock.utcnow())
    except service.OpenTest:
        abort(409, description="This test is still open: finish it first, so its answers "
                               "cannot be read while it runs.")
    if found is None:
        abort(404)
    name, data = found
    return _download(data, XML, f"pivot-{name}.xml")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _revlog_page(form: RevlogForm | None = None, error: str | None = None,
                 status: int = 200) -> tuple[str, int]:
    return render_template("interop/revlog.html", form=form or RevlogForm(), error=error,
                           max_megabytes=revlog.MAX_BYTES // (1024 * 1024)), status


@bp.get("/account/anki")
@login_required
def anki_history() -> tuple[str, int]:
    """The form that takes in an Anki review log."""
    return _revlog_page()


@bp.post("/account/anki")
@csrf.exempt  # checked in the view, once the upload limit has been raised
@login_required
def import_revlog() -> Response | tuple[str, int]:
    """Add an uploaded Anki review log to the learner's history and reschedule its cards."""
    # A review log outgrows the app-wide request limit, and the global CSRF check would read
    # (and refuse) the body before this view could raise it: so the same check runs here.
    request.max_content_length = revlog.MAX_BYTES + 64 * 1024
    csrf.protect()
    form = RevlogForm()
    if not form.validate_on_submit():
        return _revlog_page(form, status=400)
    try:
        report = service.import_revlog(current_user, form.file.data.read(revlog.MAX_BYTES + 1),
                                       now=clock.utcnow(),
                                       fuzzing=current_app.config["FSRS_FUZZING"])
    except revlog.RevlogRefused as refusal:
        return _revlog_page(form, str(refusal), 422)
    message = f"Added {_count(report.added, 'answer')} to {_count(report.cards, 'card')}."
    if report.duplicates:
        message += f" Already here, so not added again: {_count(report.duplicates, 'answer')}."
    if report.unmatched:
        message += (f" Left out: {_count(report.unmatched, 'answer')} to cards that did not come "
                    "from Pivot.")
    flash(message, "success")
    return redirect(url_for("interop.anki_history"))
