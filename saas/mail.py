"""The one mail sender: every message lands in the outbox table and the log, and goes out by
SMTP (as a background job) when SMTP_HOST is configured. Offline, the outbox is the inbox."""
from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timezone
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.jobs import enqueue

log = logging.getLogger("saas.mail")


class OutboxMessage(db.Model):
    """A mail the product sent (not tenant-scoped: password resets have no workspace)."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(index=True)
    to: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="logged")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: datetime.now(timezone.utc))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def send_mail(to: str, subject: str, body: str, tenant_id: int | None = None) -> OutboxMessage:
    """Queue a plain-text mail; it is delivered after the caller's transaction commits."""
    message = OutboxMessage(to=to, subject=str(subject)[:255], body=str(body), tenant_id=tenant_id,
                            status="queued" if current_app.config["SMTP_HOST"] else "logged")
    db.session.add(message)
    db.session.flush()
    log.info("mail to %s: %s\n%s", to, subject, body)
    if current_app.config["SMTP_HOST"]:
        enqueue(deliver, message.id, queue="mail")
    return message


def deliver(message_id: int) -> None:
    """Send one outbox message by SMTP; safe to retry (a sent message is not sent again)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status == "sent":
        return
    config = current_app.config
    mail = EmailMessage()
    mail["From"] = config["MAIL_FROM"]
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail.set_content(message.body)
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        message.status, message.error = "failed", str(exc)
        db.session.commit()
        raise
    message.status, message.sent_at, message.error = "sent", datetime.now(timezone.utc), None
    db.session.commit()
