"""The core tables: organisations, their accounts, staff, items and their verdicts.

Review tasks live in :mod:`review_queue.models`, compliance records in
:mod:`reports.models`; all share :class:`modpipe.db.Base`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from modpipe.db import Base, UTCDateTime, new_id, utcnow


class Organization(Base):
    """A charitable organisation on the platform (clause 4): one admin, its own members and data."""

    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    # API keys are 256-bit random tokens: a SHA-256 digest is enough to store them
    # (argon2 is for the low-entropy passwords people choose).
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    api_key_prefix: Mapped[str] = mapped_column(String(16))
    webhook_secret: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | closed
    # Bumped on every change to the organisation's own term list; workers reload when it moves.
    terms_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Account(Base):
    """A platform account that submits items, as the platform names it (``user_id``)."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("org_id", "external_user_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    external_user_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | restricted | suspended
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    real_name_binding: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffUser(Base):
    """Someone who signs in: platform staff, or an organisation's admin or member."""

    __tablename__ = "staff_users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id"), nullable=True, index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Item(Base):
    """One uploaded piece of content and, once decided, its verdict.

    The row is committed (status ``queued``) before any message is sent; the
    final outcome is written once, by a compare-and-set on ``status``.
    """

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id"),
        Index("ix_items_status_enqueued", "status", "enqueued_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    blob_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    mime: Mapped[str | None] = mapped_column(String(100), nullable=True)
    filename: Mapped[str | None] = mapped_column(String(300), nullable=True)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    declared_aigc: Mapped[bool] = mapped_column(Boolean, default=False)
    callback_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    source_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)

    decision: Mapped[str | None] = mapped_column(String(8), nullable=True)
    decision_source: Mapped[str | None] = mapped_column(String(16), nullable=True)  # rule | model | moderator | hash
    categories: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    aigc: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pipeline_decision: Mapped[str | None] = mapped_column(String(8), nullable=True)
    rules_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    model_version: Mapped[str | None] = mapped_column(String(64), nullable=True)

    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebhookDelivery(Base):
    """One signed callback per final verdict, retried with backoff until delivered or given up."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    event: Mapped[str] = mapped_column(String(32), default="item.decided")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OrgTerm(Base):
    """An organisation's own keyword: block, review or allow (issue 3)."""

    __tablename__ = "org_terms"
    __table_args__ = (UniqueConstraint("org_id", "term"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    term: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(8))  # block | review | allow
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HashBankEntry(Base):
    """A PDQ hash of a known-violating image: platform-wide (org_id NULL) or one organisation's."""

    __tablename__ = "hash_bank"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id"), nullable=True, index=True)
    pdq: Mapped[str] = mapped_column(String(64), index=True)
    category: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    added_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
