"""The expert pool (专家库): experts, their ties (关联关系) to organisations, their sign-in account, their history.

Bureau staff and administrators only (everyone else: Forbidden; the pages answer 404 before that). Every write
starts with ``begin_write()`` and names the actor and the expert (``MARK``) for the change history. The draw reads
the pool when it is made and records what it saw (``PanelDraw.inputs``), so a change here reaches the NEXT draw
only; that is also why an expert who appears in a recorded draw is never deleted, only deactivated.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from registry import pagination
from registry.awards.access import require_bureau
from registry.awards.display import EXCLUSION_LABELS as TIE_KIND_LABELS  # a tie's kind names its exclusion
from registry.awards.draw import norm
from registry.awards.models import TIE_KINDS, Expert, ExpertTie, PanelDraw, PanelMember, Score
from registry.database import begin_write
from registry.extensions import db
from registry.history import set_actor
from registry.i18n import source_text
from registry.models import ChangeLog, Enterprise, User
from registry.models.accounts import ROLE_EXPERT
from registry.services import accounts
from registry.services.errors import Conflict, NotFound, ValidationFailed
from registry.vocab import USER_ROLES

# The change-log note of every pool write names the expert (a removed tie's rows are found again by it); a tie's
# rows add what the tie pointed at, which the row itself cannot say (its enterprise is only an id).
MARK = "专家库 #{id}："
MAX_SPECIALTIES = 12
SPECIALTY_MAX_LENGTH = 32
_SPLIT = re.compile(r"[,，、;；/\n\r\t]+")
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
USCC_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{18}$")


@dataclass
class ExpertFilters:
    q: str = ""  # name substring
    specialty: str = ""  # one specialty, exactly
    active: str = "1"  # "1" in the pool, "0" deactivated, "" both
    can_lead: str = ""  # "1" may lead, "0" may not, "" both


# --- reading ---------------------------------------------------------------------------------------------------

def get_expert(actor: User, expert_id: int) -> Expert:
    """Raises Forbidden (not bureau), NotFound."""
    require_bureau(actor)
    expert = db.session.get(Expert, expert_id)
    if expert is None:
        raise NotFound("未找到该专家。")
    return expert


def list_experts(actor: User, filters: ExpertFilters, page: int = 1, per_page: int = 20) -> pagination.Page:
    """One page of the pool, by name. The specialty filter runs in Python over the matching rows: specialties are
    a JSON list (stored ASCII-escaped on both backends), and a county pool is hundreds of rows. Raises Forbidden."""
    require_bureau(actor)
    query = select(Expert.id, Expert.specialties)
    q = _BAD_CHARS.sub("", filters.q or "").strip()[:64]
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Expert.name.ilike(pattern, escape="\\"))
    if filters.active in ("1", "0"):
        query = query.where(Expert.active.is_(filters.active == "1"))
    if filters.can_lead in ("1", "0"):
        query = query.where(Expert.can_lead.is_(filters.can_lead == "1"))
    rows = db.session.execute(query.order_by(Expert.name, Expert.id)).all()
    if filters.specialty:
        rows = [r for r in rows if filters.specialty in (r.specialties or [])]
    listed = pagination.of_list([r.id for r in rows], page, per_page, keep_page=True)
    found = {e.id: e for e in db.session.scalars(select(Expert).where(Expert.id.in_(listed.items))
                                                 .options(selectinload(Expert.ties)))} if listed.items else {}
    return replace(listed, items=[found[i] for i in listed.items])


def specialties_in_use() -> list[str]:
    """Every specialty some expert lists, sorted (the list page's filter)."""
    seen: set[str] = set()
    for values in db.session.scalars(select(Expert.specialties)):
        seen.update(v for v in (values or []) if isinstance(v, str))
    return sorted(seen)


def current_seats(expert_ids: list[int]) -> dict[int, int]:
    """Expert id -> seats (seated or waiting as substitute) held on panels whose draw is still current."""
    if not expert_ids:
        return {}
    rows = db.session.execute(
        select(PanelMember.expert_id, func.count(PanelMember.id)).join(PanelDraw, PanelMember.draw_id == PanelDraw.id)
        .where(PanelMember.expert_id.in_(expert_ids), PanelDraw.superseded_at.is_(None),
               PanelMember.replaced_by_id.is_(None), PanelMember.conflict_declared_at.is_(None))
        .group_by(PanelMember.expert_id))
    return {expert_id: n for expert_id, n in rows}


# --- experts ---------------------------------------------------------------------------------------------------

def parse_specialties(value) -> list[str]:
    """A list, or text separated by commas, 顿号, semicolons or new lines; blanks and repeats dropped."""
    parts = value if isinstance(value, (list, tuple)) else _SPLIT.split(str(value or ""))
    out: list[str] = []
    for part in parts:
        text = str(part).strip()
        if text and text not in out:
            out.append(text)
    return out


def validate_expert(name, title, employer, specialties) -> dict:
    """Cleaned fields of an expert. Raises ValidationFailed naming each bad field."""
    errors: dict[str, list[str]] = {}
    values = {"name": (name or "").strip(), "title": (title or "").strip() or None,
              "employer": (employer or "").strip() or None}
    for key, limit in (("name", 64), ("title", 64), ("employer", 200)):
        text = values[key] or ""
        if _BAD_CHARS.search(text):
            errors[key] = ["含有无效字符。"]
        elif len(text) > limit:
            errors[key] = [f"不能超过 {limit} 个字符。"]
    if not values["name"] and "name" not in errors:
        errors["name"] = ["请填写专家姓名。"]
    items = parse_specialties(specialties)
    if any(_BAD_CHARS.search(s) for s in items):
        errors["specialties"] = ["含有无效字符。"]
    elif len(items) > MAX_SPECIALTIES:
        errors["specialties"] = [f"专业领域最多 {MAX_SPECIALTIES} 项。"]
    elif any(len(s) > SPECIALTY_MAX_LENGTH for s in items):
        errors["specialties"] = [f"每个专业领域不超过 {SPECIALTY_MAX_LENGTH} 个字符。"]
    if errors:
        raise ValidationFailed(errors)
    return {**values, "specialties": items}


def refuse_duplicate(values: dict, own_id: int | None = None) -> None:
    """Raises Conflict when another expert has the same name and employer (spaces and bracket widths ignored)."""
    for other in db.session.scalars(select(Expert).where(Expert.name == values["name"], Expert.id != (own_id or 0))):
        if norm(other.employer) == norm(values["employer"]):
            raise Conflict(f"专家库中已有同名同单位的专家：{other.name}（{other.employer or '未填单位'}，编号 {other.id}）。",
                           existing_id=other.id, field="name")


def create_expert(actor: User, *, name: str, title: str | None = None, employer: str | None = None,
                  specialties=(), can_lead: bool = False) -> Expert:
    """Add an expert to the pool (active). Raises Forbidden, ValidationFailed, Conflict (same name and employer)."""
    require_bureau(actor)
    values = validate_expert(name, title, employer, specialties)
    begin_write()
    refuse_duplicate(values)
    set_actor(db.session, actor.id, "专家库：新增专家")  # the create row is found by its entity id
    expert = Expert(**values, can_lead=bool(can_lead), active=True)
    db.session.add(expert)
    db.session.commit()
    return expert


def update_expert(actor: User, expert_id: int, *, name: str, title: str | None, employer: str | None,
                  specialties, can_lead: bool) -> Expert:
    """Change an expert's details. Raises Forbidden, NotFound, ValidationFailed, Conflict."""
    require_bureau(actor)
    values = validate_expert(name, title, employer, specialties)
    begin_write()
    expert = _writable(actor, expert_id)
    refuse_duplicate(values, own_id=expert.id)
    for key, value in values.items():
        setattr(expert, key, value)
    expert.can_lead = bool(can_lead)
    db.session.commit()
    return expert


def set_active(actor: User, expert_id: int, active: bool) -> Expert:
    """Deactivate (out of the next draws; seats already drawn stay) or reactivate. Raises Forbidden, NotFound."""
    require_bureau(actor)
    begin_write()
    expert = _writable(actor, expert_id)
    expert.active = bool(active)
    db.session.commit()
    return expert


def delete_expert(actor: User, expert_id: int) -> None:
    """Remove an expert entered by mistake. Refused (Conflict) once the expert appears in any recorded draw, seat
    or score: that history must stay replayable, so such an expert is deactivated instead. Raises Forbidden,
    NotFound, Conflict."""
    require_bureau(actor)
    begin_write()
    expert = _writable(actor, expert_id)
    used = db.session.scalar(select(PanelMember.id).where(PanelMember.expert_id == expert.id).limit(1)) or \
        db.session.scalar(select(Score.id).where(Score.expert_id == expert.id).limit(1)) or \
        any(expert.id in (inputs or {}).get("pool", []) for inputs in db.session.scalars(select(PanelDraw.inputs)))
    if used:
        raise Conflict("该专家已参加过专家抽取，抽取记录须可复核，不能删除；如不再参加评审，请停用。")
    db.session.delete(expert)
    db.session.commit()


def _writable(actor: User, expert_id: int) -> Expert:
    """The expert to change inside the write transaction, with the actor and the expert named for the history."""
    expert = db.session.get(Expert, expert_id)
    if expert is None:
        raise NotFound("未找到该专家。")
    set_actor(db.session, actor.id, MARK.format(id=expert.id))
    return expert


# --- ties ------------------------------------------------------------------------------------------------------

def find_enterprise(text: str) -> Enterprise:
    """A registered enterprise by credit code, else by exact name (bracket widths ignored). Raises
    ValidationFailed on ``enterprise`` when none or several match."""
    raw = text.strip()
    code = raw.replace(" ", "").upper()
    if USCC_SHAPE.match(code):
        found = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code))
        if found is not None:
            return found
    names = {raw, raw.replace("（", "(").replace("）", ")"), raw.replace("(", "（").replace(")", "）")}
    matches = list(db.session.scalars(select(Enterprise).where(Enterprise.name.in_(names)).limit(3)))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValidationFailed({"enterprise": [f"名录中有多家企业名为“{raw[:60]}”，请填写统一社会信用代码。"]})
    raise ValidationFailed({"enterprise": [
        f"名录中没有统一社会信用代码或名称为“{raw[:60]}”的企业；不在名录中的单位请填写“单位名称”。"]})


def describe_tie(tie: ExpertTie) -> str:
    """What a tie points at, as people read it: the enterprise, the organisation and/or the group."""
    parts = [tie.enterprise.name if tie.enterprise else None, tie.org_name,
             f"{tie.group_name}（集团）" if tie.group_name else None]
    return "、".join(p for p in parts if p)


def tie_text(tie: ExpertTie) -> str:
    """``曾任职单位 浙江某某有限公司``: the tie's kind and what it points at."""
    return f"{TIE_KIND_LABELS.label(tie.kind)} {describe_tie(tie)}"


def validate_tie(kind, enterprise, org_name, group_name, note) -> dict:
    """Cleaned tie fields, the enterprise resolved. Raises ValidationFailed naming each bad field."""
    errors: dict[str, list[str]] = {}
    values = {"kind": (kind or "").strip(), "enterprise": (enterprise or "").strip(),
              "org_name": (org_name or "").strip(), "group_name": (group_name or "").strip(),
              "note": (note or "").strip()}
    if values["kind"] not in TIE_KINDS:
        errors["kind"] = ["请选择关联类型。"]
    for key, limit in (("enterprise", 200), ("org_name", 200), ("group_name", 200), ("note", 300)):
        if _BAD_CHARS.search(values[key]):
            errors[key] = ["含有无效字符。"]
        elif len(values[key]) > limit:
            errors[key] = [f"不能超过 {limit} 个字符。"]
    if not (values["enterprise"] or values["org_name"] or values["group_name"]):
        errors["enterprise"] = ["请填写名录中的企业（信用代码或名称）、单位名称或集团名称之一。"]
    elif values["enterprise"] and values["org_name"]:
        errors["org_name"] = ["已填写名录中的企业时，不再填写单位名称。"]
    firm = None
    if values["enterprise"] and "enterprise" not in errors:
        try:
            firm = find_enterprise(values["enterprise"])
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return {"kind": values["kind"], "enterprise_id": firm.id if firm else None,
            "org_name": values["org_name"] or None, "group_name": values["group_name"] or None,
            "note": values["note"] or None}


def _tie_key(kind, enterprise_id, org_name, group_name) -> tuple:
    return kind, enterprise_id, norm(org_name), norm(group_name)


def add_tie(actor: User, expert_id: int, *, kind: str, enterprise: str | None = None, org_name: str | None = None,
            group_name: str | None = None, note: str | None = None) -> ExpertTie:
    """Record a tie; the next draw excludes the expert from applicants it concerns. Raises Forbidden, NotFound,
    ValidationFailed, Conflict (the expert already has this tie: the message names it)."""
    require_bureau(actor)
    values = validate_tie(kind, enterprise, org_name, group_name, note)
    begin_write()
    expert = _writable(actor, expert_id)
    key = _tie_key(values["kind"], values["enterprise_id"], values["org_name"], values["group_name"])
    for tie in expert.ties:
        if _tie_key(tie.kind, tie.enterprise_id, tie.org_name, tie.group_name) == key:
            raise Conflict(f"该专家已有相同的关联：{tie_text(tie)}（编号 {tie.id}）。", existing_id=tie.id,
                           field="kind")
    tie = ExpertTie(expert_id=expert.id, **values)
    tie.enterprise = db.session.get(Enterprise, values["enterprise_id"]) if values["enterprise_id"] else None
    set_actor(db.session, actor.id, MARK.format(id=expert.id) + tie_text(tie))
    db.session.add(tie)
    db.session.commit()
    return tie


def remove_tie(actor: User, expert_id: int, tie_id: int) -> None:
    """Remove one of the expert's ties (draws already recorded keep their exclusions). Raises Forbidden, NotFound."""
    require_bureau(actor)
    begin_write()
    expert = _writable(actor, expert_id)
    tie = db.session.scalar(select(ExpertTie).where(ExpertTie.id == tie_id, ExpertTie.expert_id == expert.id))
    if tie is None:
        raise NotFound("未找到该关联关系。")
    set_actor(db.session, actor.id, MARK.format(id=expert.id) + tie_text(tie))
    db.session.delete(tie)
    db.session.commit()


# --- the sign-in account ---------------------------------------------------------------------------------------

def link_account(actor: User, expert_id: int, email: str, now: datetime) -> User:
    """Link an existing "expert" account (by e-mail) to the expert, replacing any account linked before; seats on
    current panels follow the new account. Raises Forbidden, NotFound, ValidationFailed (no such account, another
    role, disabled), Conflict (the account is linked to another expert: the message names them)."""
    require_bureau(actor)
    address = accounts.normalise_email(email)
    if not address or _BAD_CHARS.search(address) or len(address) > 120:
        raise ValidationFailed({"email": ["请输入有效的电子邮箱。"]})
    begin_write()
    expert = _writable(actor, expert_id)
    user = db.session.scalar(select(User).where(func.lower(User.email) == address))
    if user is None:
        raise ValidationFailed({"email": [f"没有邮箱为 {address} 的账户；可在下方为该专家新建账户。"]})
    if user.role != ROLE_EXPERT:
        raise ValidationFailed({"email": [
            f"{address} 是{source_text(USER_ROLES.label(user.role))}账户，只能关联评审专家账户。"]})
    if not user.is_active:
        raise ValidationFailed({"email": [f"账户 {address} 已停用。"]})
    _attach(expert, user, now)
    return user


def create_account(actor: User, expert_id: int, email: str, password: str, phone: str | None,
                   now: datetime) -> User:
    """Open an "expert" account through the accounts service (its own commit) and link it. Raises Forbidden,
    NotFound, ValidationFailed, Conflict (e-mail taken)."""
    expert = get_expert(actor, expert_id)
    name = expert.name
    user = accounts.register_user(actor, email, ROLE_EXPERT, password, display_name=name, phone=phone)
    begin_write()
    _attach(_writable(actor, expert_id), user, now)
    return user


def unlink_account(actor: User, expert_id: int, now: datetime) -> Expert:
    """Detach the account (the account stays; its panel access ends). Raises Forbidden, NotFound."""
    require_bureau(actor)
    begin_write()
    expert = _writable(actor, expert_id)
    _attach(expert, None, now)
    return expert


def _attach(expert: Expert, user: User | None, now: datetime) -> None:
    """Set the expert's account, move their current seats' access to it, and commit. Raises Conflict."""
    if user is not None:
        other = db.session.scalar(select(Expert).where(Expert.user_id == user.id, Expert.id != expert.id))
        if other is not None:
            raise Conflict(f"账户 {user.email} 已关联专家 {other.name}（编号 {other.id}）。",
                           existing_id=other.id, field="email")
    expert.user_id = user.id if user is not None else None
    try:
        db.session.flush()
    except IntegrityError as exc:  # linked elsewhere at the same moment
        db.session.rollback()
        raise Conflict(f"账户 {user.email} 已关联其他专家。", field="email") from exc
    from registry.awards.flow import sync_assignments

    entries = db.session.scalars(select(PanelMember.entry_id).join(PanelDraw, PanelMember.draw_id == PanelDraw.id)
                                 .where(PanelMember.expert_id == expert.id, PanelDraw.superseded_at.is_(None))
                                 .distinct()).all()
    for entry_id in entries:
        sync_assignments(entry_id, now)
    db.session.commit()


# --- history ---------------------------------------------------------------------------------------------------

def panel_history(actor: User, expert_id: int) -> list[dict]:
    """Every seat the expert was drawn to, newest first: round, entry, role, status, the conflict declaration, and
    whether they scored. ``status``: superseded (the draw was redone), conflict (they declared one), replaced,
    declared (no conflict), awaiting (a declaration), substitute (waiting). Raises Forbidden, NotFound."""
    from registry.awards.models import AwardEntry, AwardRound

    expert = get_expert(actor, expert_id)
    rows = db.session.execute(
        select(PanelMember, PanelDraw, AwardRound.id, AwardRound.name, Enterprise.name, AwardEntry.application_id)
        .join(PanelDraw, PanelMember.draw_id == PanelDraw.id)
        .join(AwardEntry, PanelMember.entry_id == AwardEntry.id)
        .join(AwardRound, AwardEntry.round_id == AwardRound.id)
        .join(Enterprise, AwardEntry.enterprise_id == Enterprise.id)
        .where(PanelMember.expert_id == expert.id)
        .order_by(PanelDraw.created_at.desc(), PanelDraw.id.desc())).all()
    scored = set(db.session.scalars(select(Score.entry_id).where(Score.expert_id == expert.id).distinct()))
    out = []
    for seat, draw, round_id, round_name, enterprise_name, application_id in rows:
        if seat.conflict_declared_at is not None:
            status = "conflict"
        elif seat.replaced_by_id is not None:
            status = "replaced"
        elif draw.superseded_at is not None:
            status = "superseded"
        elif seat.declared_no_conflict_at is not None:
            status = "declared"
        elif seat.active:
            status = "awaiting"
        else:
            status = "substitute"
        out.append({"seat": seat, "draw": draw, "round_id": round_id, "round_name": round_name,
                    "enterprise_name": enterprise_name, "application_id": application_id, "status": status,
                    "scored": seat.entry_id in scored and draw.superseded_at is None})
    return out


def change_history(actor: User, expert_id: int, limit: int = 200) -> list[tuple[ChangeLog, str | None]]:
    """The newest changes to the expert and their ties (removed ones too), with the actor's display name.
    Raises Forbidden, NotFound."""
    expert = get_expert(actor, expert_id)
    tie_ids = [t.id for t in expert.ties]
    who = aliased(User)
    ties = ChangeLog.entity == ExpertTie.__tablename__
    rows = db.session.execute(
        select(ChangeLog, who.display_name).outerjoin(who, ChangeLog.actor_id == who.id)
        .where(or_((ChangeLog.entity == Expert.__tablename__) & (ChangeLog.entity_id == expert.id),
                   ties & ChangeLog.note.startswith(MARK.format(id=expert.id), autoescape=True),
                   ties & ChangeLog.entity_id.in_(tie_ids) if tie_ids else false()))
        .order_by(ChangeLog.changed_at.desc(), ChangeLog.id.desc()).limit(limit))
    return [(log, name) for log, name in rows]
