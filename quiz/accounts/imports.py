"""Importing an export runs as a background job: the request stores the upload and queues
it, and a worker (on any machine) unpacks, checks and writes it, reporting on the job's page.

A year of daily study exports to megabytes whose checking and writing take seconds: inside a
request that held a server worker and, two at once, timed out every other learner. The upload
waits in the database (`JobFile`), not on the receiving server's disk, so a worker elsewhere
can read it; it is deleted once the job has run.
"""

from __future__ import annotations

from flask import current_app

from quiz import jobs
from quiz.accounts import data
from quiz.extensions import db, retry_when_busy
from quiz.models import Job, User

IMPORT = "data-import"


def queue_import(user: User, raw: bytes) -> Job:
    """Queue the import of an uploaded file into `user`'s account; returns its job (the one
    already queued, if the learner uploaded twice). Refuses at once, with ImportRefused, what
    needs no reading of the file: an account that has studied, a file over the limit."""
    if len(raw) > current_app.config["IMPORT_MAX_UPLOAD"]:
        raise data.ImportRefused("The file is too large to be a Pivot export.", 413)
    if data.has_data(user):
        raise data.ImportRefused("This account already has cards or answers: import only into "
                                 "an account that has not studied yet.", 409)
    return jobs.pending(user, IMPORT) or jobs.enqueue(IMPORT, user, file=raw)


@jobs.handler(IMPORT)
def _import_job(job: Job) -> str:
    user = db.session.get(User, job.user_id)
    raw = jobs.file_of(job)
    if user is None or raw is None:
        raise jobs.Refused("The uploaded file is no longer here: upload it again.")
    jobs.report(job, 0.1, "Reading your file…")
    try:
        export = data.parse_export(data.unpack(raw, limit=current_app.config["IMPORT_MAX_JSON"]))
        jobs.report(job, 0.5, "Writing your cards and answers…")
        # One transaction: if SQLite stayed busy (another import writing), nothing was
        # written and it is run again.
        report = retry_when_busy(lambda: data.import_data(user, export))
    except data.ImportRefused as refusal:
        raise jobs.Refused(str(refusal)) from refusal
    message = (f"Imported {report.cards} cards, {report.reviews} answers and {report.sessions} "
               "sessions.")
    if report.skipped_questions:
        message += (f" Skipped {report.skipped_questions} questions that no longer exist (with "
                    f"{report.skipped_reviews} answers).")
    return message
