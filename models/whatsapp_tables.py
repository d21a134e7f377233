"""What the WhatsApp channel keeps: messages it sent (their delivery status comes later, by
webhook) and media it uploaded (reused, not uploaded again); and the one-time codes that link
a person's Telegram and WhatsApp."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.tables import Base


class WhatsAppSent(Base):
    """A message the bot sent on WhatsApp, by WhatsApp's message id: to whom, why
    (``purpose``: an answer, a notice, ``reminder:<id>``, ``nudge:<id>``) and how far it got
    (accepted, sent, delivered, read, failed with ``error_code``)."""

    __tablename__ = "whatsapp_sent"
    __table_args__ = (Index("ix_whatsapp_sent_user_sent_at", "user_id", "sent_at"),)

    message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    wa_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(40))
    template: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    error_code: Mapped[int | None]
    # what it showed (text, buttons), to show again or send as a template if it failed
    screen: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sent_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WhatsAppMedia(Base):
    """A file uploaded to WhatsApp once (by its content's hash and name) and reused by id
    until the id is old enough that WhatsApp may have dropped it."""

    __tablename__ = "whatsapp_media"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    media_id: Mapped[str] = mapped_column(String(128))
    uploaded_at: Mapped[datetime]


class LinkCode(Base):
    """A one-time code shown on one channel (``channel``) to ``user_id``; typed on another
    channel before ``expires_at`` it makes both one person."""

    __tablename__ = "link_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
