"""Award rounds (届), nominations in a round, the expert pool and its ties, panel draws, scores, objections.

An ``AwardEntry`` is the award's view of one nomination: it belongs to a round and (once the workflow engine
created it) to one ``applications`` row. The engine alone writes the application's stage and status; these
tables hold what only the award knows (self-assessment, eligibility evidence, panel, scores, ranking).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models import Enterprise
from registry.models.base import TimestampMixin, utcnow

LEVELS = ("linhai", "taizhou", "provincial", "national")  # = registry.vocab.HONOUR_LEVELS codes
# The award kinds (= registry.vocab.HONOUR_TYPES codes; which level has which: registry.awards.kinds).
AWARD_TYPES = ("quality_award", "quality_award_nomination", "quality_innovation_award", "quality_award_organisation")
# approval: the notice closed clear and the round waits for the city government's decision (审定).
ROUND_STATUSES = ("draft", "open", "reviewing", "notice", "approval", "finalised")
COMMITTEE_ROLES = ("chair", "vice_chair", "member")
OBJECTION_SOURCES = ("online", "paper")  # filed on the public page; received on paper, entered by the bureau
TIE_KINDS = ("employer", "former_employer", "consultant", "legal_rep", "declared")
REVIEW_STAGES = ("document", "presentation", "site")
SCORING_SCHEMES = ("categories", "items")  # = registry.awards.gbt19580.SCHEMES: 7 categories or 23 items


class AwardRound(TimestampMixin, db.Model):
    """One round (年度/届) of an award at one level, with its call window, quotas and notice rules."""

    __tablename__ = "award_rounds"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))  # e.g. 第五届临海市政府质量奖
    level: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    award_types: Mapped[list] = mapped_column(JSON, default=lambda: list(AWARD_TYPES[:2]))  # the kinds it awards
    # award: the county decides (临海); recommend: it selects and recommends upward, then records the outcome.
    mode: Mapped[str] = mapped_column(String(16), default="award", server_default="award")  # kinds.MODES
    quotas: Mapped[dict] = mapped_column(JSON, default=dict)  # award type -> number of places
    call_opens_on: Mapped[date] = mapped_column(Date)
    call_closes_on: Mapped[date] = mapped_column(Date)
    stage_deadlines: Mapped[dict] = mapped_column(JSON, default=dict)  # stage name -> ISO date
    notice_days: Mapped[int] = mapped_column(Integer, default=7)
    notice_working_days: Mapped[bool] = mapped_column(Boolean, default=False)
    presentation_enabled: Mapped[bool] = mapped_column(Boolean, default=False)  # 陈述答辩 switched on
    # What experts score: the 7 categories (points) or GB/T 19580's 23 items (percentage bands); fixed at opening.
    scoring_scheme: Mapped[str] = mapped_column(String(16), default="categories", server_default="categories")
    issuer: Mapped[str | None] = mapped_column(String(200))  # who confers the award, copied onto the Honour
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    notice_starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notice_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    finalised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Shortlist after the document review (入围): a minimum document score and a maximum count (None: no limit).
    shortlist_min_score: Mapped[float | None] = mapped_column(Float)
    shortlist_max: Mapped[int | None] = mapped_column(Integer)
    shortlisted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The committee's meeting (评审委员会审议): its members are CommitteeMember rows, its votes on the entries.
    committee_met_on: Mapped[date | None] = mapped_column(Date)
    committee_resolution: Mapped[str | None] = mapped_column(Text)
    notice_closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # closed clear: 待审定
    # The city government's decision (审定), recorded by the bureau from the government's document; in a round
    # that recommends upward, the higher body's decision announcing the outcome.
    decision_number: Mapped[str | None] = mapped_column(String(100))  # 文号, e.g. 临政发〔2026〕12号
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def call_open_on(self, day: date) -> bool:
        return self.status == "open" and self.call_opens_on <= day <= self.call_closes_on


class AwardEntry(TimestampMixin, db.Model):
    """One enterprise's nomination in a round."""

    __tablename__ = "award_entries"
    __audited__ = True
    __table_args__ = (UniqueConstraint("round_id", "enterprise_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(  # the workflow application
        ForeignKey("applications.id", ondelete="SET NULL"), unique=True)
    # The kind applied for (kinds.ENTRY_KINDS); the committee proposes a kind it may be granted (kinds.GRANTS).
    kind: Mapped[str] = mapped_column(String(32), default="quality_award", server_default="quality_award")
    self_assessment: Mapped[dict] = mapped_column(JSON, default=dict)  # category code -> points
    declaration_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # 承诺书 accepted
    excellence_since: Mapped[int | None] = mapped_column(Integer)  # 导入卓越绩效管理模式的年份, as declared
    # Eligibility: the automatic check's snapshot (rules, results, evidence, the bureau's per-rule corrections
    # under "overrides") and the bureau's decision.
    eligibility: Mapped[dict | None] = mapped_column(JSON)
    eligibility_decision: Mapped[str | None] = mapped_column(String(16))  # eligible, ineligible
    eligibility_reason: Mapped[str | None] = mapped_column(Text)  # required when overriding the check
    eligibility_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    eligibility_decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A credit listing recorded after the check, flagged for the bureau (eligibility.flag_late_credit_listings).
    credit_flag_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id", ondelete="SET NULL"))
    credit_flagged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Review results (scoring.aggregate, kept for the committee) and the committee's decision.
    review_scores: Mapped[dict] = mapped_column(JSON, default=dict)  # review stage -> aggregate total
    final_score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    shortlisted: Mapped[bool | None] = mapped_column(Boolean)  # None: not decided; False: told and closed
    votes_for: Mapped[int | None] = mapped_column(Integer)  # the committee's vote on this entry
    votes_against: Mapped[int | None] = mapped_column(Integer)
    votes_abstain: Mapped[int | None] = mapped_column(Integer)
    proposed: Mapped[str | None] = mapped_column(String(32))  # award type proposed by the committee
    excluded_reason: Mapped[str | None] = mapped_column(Text)  # an upheld objection took it off the list
    # A recommended entry's outcome at the higher level (kinds.OUTCOMES), recorded in the 审定 step.
    outcome: Mapped[str | None] = mapped_column(String(16))
    honour_id: Mapped[int | None] = mapped_column(ForeignKey("honours.id", ondelete="SET NULL"))

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    round: Mapped[AwardRound] = relationship()


class Expert(TimestampMixin, db.Model):
    """A reviewer in the bureau's pool (专家库); ``user_id`` links the account they sign in with."""

    __tablename__ = "experts"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    specialties: Mapped[list] = mapped_column(JSON, default=list)
    employer: Mapped[str | None] = mapped_column(String(200))  # shown; conflicts come from the ties
    title: Mapped[str | None] = mapped_column(String(64))  # 职称
    can_lead: Mapped[bool] = mapped_column(Boolean, default=False)  # may lead a panel (组长)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    ties: Mapped[list["ExpertTie"]] = relationship(back_populates="expert", cascade="all, delete-orphan")


class ExpertTie(TimestampMixin, db.Model):
    """A tie from an expert to an organisation: an enterprise of the registry, a group, or a free-text name."""

    __tablename__ = "expert_ties"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # TIE_KINDS
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    org_name: Mapped[str | None] = mapped_column(String(200))
    group_name: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(300))

    expert: Mapped[Expert] = relationship(back_populates="ties")
    enterprise: Mapped[Enterprise | None] = relationship(lazy="joined")


class PanelDraw(db.Model):
    """One recorded draw (随机抽取评审专家) for one entry: seed, the inputs it saw and the panel it gave (replayable)."""

    __tablename__ = "panel_draws"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("award_entries.id", ondelete="CASCADE"), index=True)
    batch_key: Mapped[str | None] = mapped_column(String(40), index=True)  # draws made together share it
    seed: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[dict] = mapped_column(JSON)  # pool ids, exclusions with reasons, size, leader rule, ...
    result: Mapped[dict] = mapped_column(JSON)  # ordered panel, leader, substitutes
    reason: Mapped[str | None] = mapped_column(Text)  # why it was redrawn (required for a redraw)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PanelMember(db.Model):
    """An expert's seat from a draw: leader, member or ordered substitute; replaced when they declare a conflict."""

    __tablename__ = "panel_members"
    __table_args__ = (Index("ix_panel_members_entry_active", "entry_id", "active"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("panel_draws.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("award_entries.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # leader, member, substitute
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # seated (leader/member) and not replaced
    declared_no_conflict_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    conflict_declared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    conflict_reason: Mapped[str | None] = mapped_column(Text)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("panel_members.id", ondelete="SET NULL"))

    expert: Mapped[Expert] = relationship(lazy="joined")


class Score(db.Model):
    """One expert's points for one category of one entry at one review stage; a re-score supersedes it."""

    __tablename__ = "award_scores"
    __table_args__ = (Index("ix_award_scores_entry_stage", "entry_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("award_entries.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(16))  # REVIEW_STAGES
    category: Mapped[str] = mapped_column(String(32))  # gbt19580 category code, or item code ("4.1.2") by item
    points: Mapped[float] = mapped_column(Float)
    attempt: Mapped[int] = mapped_column(Integer, default=1)  # 1, then 2.. after a spread sent it back
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CommitteeMember(db.Model):
    """A member of the round's 评审委员会 present at its deliberation (in the order the minutes list them)."""

    __tablename__ = "award_committee_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    affiliation: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="member")  # COMMITTEE_ROLES


class Objection(db.Model):
    """A named objection (异议) during public notice, filed on the public page (no account needed) or received on
    paper and entered by the bureau; investigated (调查核实) and answered. An open one holds the round."""

    __tablename__ = "award_objections"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("award_entries.id", ondelete="CASCADE"), index=True)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filer_name: Mapped[str] = mapped_column(String(64))
    contact: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16), default="online", server_default="online")  # OBJECTION_SOURCES
    received_on: Mapped[date | None] = mapped_column(Date)  # a paper objection: the day it was received
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    file_name: Mapped[str | None] = mapped_column(String(200))  # optional material: original name
    stored_name: Mapped[str | None] = mapped_column(String(64))  # generated name under UPLOAD_DIR
    content_type: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    investigation: Mapped[str | None] = mapped_column(Text)  # 调查核实: what the bureau found
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open, upheld, dismissed
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)  # the answer given to the objector (答复)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StampedScan(db.Model):
    """A stamped paper form (盖章扫描件) uploaded back onto the stage it belongs to."""

    __tablename__ = "award_stamped_scans"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("award_entries.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(48))
    form: Mapped[str] = mapped_column(String(32))  # application_form, recommendation, review_opinion
    attachment_id: Mapped[int | None] = mapped_column(  # the workflow attachment holding the file
        ForeignKey("attachments.id", ondelete="SET NULL"))
    path: Mapped[str | None] = mapped_column(String(300))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
