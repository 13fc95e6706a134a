"""Review tables: tasks a person must look at, who may not take them, complaints, appeals, strikes.

A task is decided once: claims and decisions are compare-and-set updates on
``status`` (with ``claimed_by``), so concurrent moderators can never both win.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from modpipe.db import Base, UTCDateTime, new_id, utcnow


class ReviewTask(Base):
    __tablename__ = "review_tasks"
    __table_args__ = (Index("ix_review_tasks_open", "status", "priority", "due_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    queue: Mapped[str] = mapped_column(String(24))  # pipeline | tampered | complaint | appeal | second_review
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | claimed | done | cancelled
    priority: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    # The decider this task must not go back to (appeals: the first decider; second reviews: the first reviewer).
    excluded_user: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # second_review: the task whose decision it checks; appeal: the task whose decision is appealed.
    parent_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    decision: Mapped[str | None] = mapped_column(String(8), nullable=True)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    fabricated: Mapped[bool] = mapped_column(Boolean, default=False)
    bank: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # final | pending_second (waits for a senior) | confirmed / overruled (by the second review)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TaskExclusion(Base):
    """A user who may not claim a task (everyone who already decided the item it re-examines)."""

    __tablename__ = "review_task_exclusions"

    task_id: Mapped[str] = mapped_column(ForeignKey("review_tasks.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)


class Complaint(Base):
    """Clause 9.1: someone says an item should not be up (or was wrongly judged)."""

    __tablename__ = "complaints"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    org_id: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(100))
    task_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(8), nullable=True)  # pass | block
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Appeal(Base):
    """Clause 9.2: the organisation asks for a decision to be looked at again by someone else."""

    __tablename__ = "appeals"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    org_id: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(100))
    task_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    appealed_decision: Mapped[str | None] = mapped_column(String(8), nullable=True)
    first_decider: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | upheld | overturned
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Strike(Base):
    """Clause 8.1: one confirmed violation, counted against the account and its organisation."""

    __tablename__ = "strikes"
    __table_args__ = (UniqueConstraint("item_id", "task_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(String(32), index=True)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(32))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lifted_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
