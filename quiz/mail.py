"""Outgoing e-mail, sent from a background thread through the SMTP server of the `MAIL_*`
settings, or printed to the log when there is none (so the embedded default works without one).

Nothing is sent inside a request: a request hands a job to `later` and answers at once, so a
slow mail server holds no worker and the reply takes as long whether or not a message goes out
(which would otherwise tell whether an address has an account). Each app server process has
one mail thread; a job still queued when the process is killed is lost, and the learner asks
again.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import Response, after_this_request, current_app, has_request_context

LOGGER = "quiz.mail"
logger = logging.getLogger(LOGGER)
SMTP_TIMEOUT_S = 30

# One thread: mail goes out in order, and a burst of requests queues rather than piles up.
_outbox = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pivot-mail")


@dataclass(frozen=True)
class Message:
    """A plain-text message to one address."""

    to: str
    subject: str
    body: str


def later(job: Callable[..., Any], *args: Any) -> None:
    """Run `job(*args)` on the mail thread, inside an app context of the current app. In a
    request it starts once the response is complete, so the work (looking the address up,
    writing a token) can neither delay the answer nor, by taking the CPU meanwhile, tell by
    its timing whether an address has an account."""
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                job(*args)
            except Exception:  # a failed job must not stop the thread that sends the rest
                app.logger.exception("background mail job failed")

    if not has_request_context():
        _outbox.submit(run)
        return

    @after_this_request
    def submit_when_sent(response: Response) -> Response:
        response.call_on_close(lambda: _outbox.submit(run))
        return response


def wait() -> None:
    """Return once every job queued so far has run (the thread takes them in order)."""
    _outbox.submit(lambda: None).result()


def send(message: Message) -> None:
    """Deliver `message` now: through SMTP, or to the log when no MAIL_SERVER is set."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        logger.info("MAIL_SERVER is not set, so this message was not sent:\nTo: %s\n"
                    "Subject: %s\n\n%s", message.to, message.subject, message.body)
        return
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    context = ssl.create_default_context()
    if config["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"],
                                              timeout=SMTP_TIMEOUT_S, context=context)
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_S)
    with smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)
