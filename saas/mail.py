"""Mail: rendered from bilingual templates, delivered by an adapter chosen by configuration.

The embedded default writes each message as an .eml file into the outbox folder and logs it; with SMTP_HOST
set the same message goes out over SMTP. Mail is always sent from a job (see saas.jobs), never in a request.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Protocol

from flask import current_app, render_template
from flask_babel import force_locale

from saas.config import Settings
from saas.db import utcnow

log = logging.getLogger(__name__)


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class OutboxMailer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}-{message['Message-ID'].strip('<>').split('@')[0]}.eml"
        path.write_bytes(bytes(message))
        log.info("mail to %s: %s (written to %s)", message["To"], message["Subject"], path)


class SMTPMailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        if s.smtp_ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=20, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=20)
        with client:
            if s.smtp_starttls and not s.smtp_ssl:
                client.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                client.login(s.smtp_username, s.smtp_password or "")
            client.send_message(message)
        log.info("mail to %s sent over SMTP: %s", message["To"], message["Subject"])


def mailer_for(settings: Settings) -> Mailer:
    return SMTPMailer(settings) if settings.smtp_host else OutboxMailer(settings.outbox_dir)


def send_templated(to: str, template: str, locale: str, message_id: str | None = None, **context: Any) -> None:
    """Render `emails/<template>.{subject,txt,html}` in `locale` and deliver it. A caller that may retry passes
    its own stable `message_id`, so a message sent again is recognisably the same message."""
    settings: Settings = current_app.extensions["atelier.settings"]
    with force_locale(locale):
        subject = render_template(f"emails/{template}.subject.txt", **context).strip()
        text = render_template(f"emails/{template}.txt", **context)
        html = render_template(f"emails/{template}.html", **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.mail_from
    message["To"] = to
    message["Message-ID"] = message_id or make_msgid(domain="atelier")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    current_app.extensions["atelier.mailer"].send(message)
