"""E-mail through SMTP (``smtplib``), or only logged (``SURVEY_MAIL_DRIVER=log``, for demos)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    """SMTP refused or could not be reached; the outbox retries later."""


def build(sender: str, to: Sequence[str], subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="hailong")
    message.set_content(body)
    return message


def send(config: Mapping[str, Any], to: Sequence[str], subject: str, body: str) -> None:
    """Send one message; raise :class:`MailError` on any failure (nothing is half-sent)."""
    message = build(str(config["MAIL_FROM"]), to, subject, body)
    if config["MAIL_DRIVER"] == "log":
        log.info("e-mail to %s recipient(s): %s", len(to), subject)
        return
    host, port = str(config["SMTP_HOST"]), int(config["SMTP_PORT"])
    timeout = float(config["SMTP_TIMEOUT"])
    security = config["SMTP_SECURITY"]
    try:
        if security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USERNAME"):
                client.login(str(config["SMTP_USERNAME"]), str(config["SMTP_PASSWORD"] or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"{error.__class__.__name__}: {error}") from error
