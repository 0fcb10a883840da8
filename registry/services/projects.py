"""Projects (工程) behind engineering-quality honours: find the one a unit's honour names, or start it.

Each participating Linhai unit records its own 钱江杯 / 鲁班奖 row; the rows meet on one project by its name,
folded so that spacing and full-width forms do not split it (``name_key``). The bureau can correct a project's
name or location later; the counting rules count projects, not rows.
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from registry.extensions import db
from registry.models import Project
from registry.vocab import PROJECT_HONOUR_TYPES

_SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """The project name folded for matching: NFKC (full-width letters, digits and brackets to their plain forms),
    no white space, Latin letters in lower case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name)).lower()


def resolve(values: dict) -> None:
    """Set ``values['project_id']`` for an honour: the project its title names (created when new) for a project
    honour type, else None. Flushes a new project; the caller commits."""
    if values.get("honour_type") not in PROJECT_HONOUR_TYPES or not values.get("title"):
        values["project_id"] = None
        return
    key = name_key(values["title"])
    project = db.session.scalar(select(Project).where(Project.name_key == key))
    if project is None:
        project = Project(name=values["title"].strip(), name_key=key)
        db.session.add(project)
        db.session.flush()
    values["project_id"] = project.id
