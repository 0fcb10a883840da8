"""Locale choice: Simplified Chinese by default; English when the user picks it (kept in the session)."""
from __future__ import annotations

from flask import current_app, request, session


def select_locale() -> str:
    chosen = session.get("lang") if request else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
