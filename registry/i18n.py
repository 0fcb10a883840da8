"""Locale choice: Simplified Chinese by default; English when the user picks it (kept in the session)."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import current_app, g, has_app_context, request, session
from flask_babel import force_locale, get_locale, get_translations
from flask_babel.speaklater import LazyString


def select_locale() -> str:
    chosen = session.get("lang") if request else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def N_(text: str) -> str:
    """Mark a Chinese source string for extraction without translating it here.

    For labels that are also stored or compared in Chinese (workflow stage and action names end up in
    notification titles and history rows); pages translate them where they show them, with ``_()``.
    ``N_`` is one of pybabel's default keywords, so ``pybabel extract`` finds these.
    """
    return text


def source_text(text) -> str:
    """The untranslated Chinese source of a label, lazy or not, whatever the user's language.

    Excel headers and sheet names, and service messages written in Chinese, use this so that a workbook
    exported in English still imports, and a message never mixes languages.
    """
    if isinstance(text, LazyString):
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"] if has_app_context() else "zh_Hans_CN"):
            return str(text)
    return "" if text is None else str(text)


def in_source_language(func):
    """Run ``func`` with the Chinese source locale: workbooks (headers, choice labels, 是/否) are always
    written in Chinese so that an export made by an English-language user imports again."""
    @wraps(func)
    def wrapper(*args, **kwargs):
        if not has_app_context():
            return func(*args, **kwargs)
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return func(*args, **kwargs)
    return wrapper


_per_locale: dict[tuple[str, Any], Any] = {}


def per_locale(key, build: Callable[[], Any]) -> Any:
    """``build()`` once per process and locale, under ``key``: for labels translated from the catalogues, which do
    not change while the process runs (Babel's gettext costs some microseconds a call, and a page of records
    translates the same column labels for every table it shows)."""
    full = (str(get_locale()), key)
    try:
        return _per_locale[full]
    except KeyError:
        value = _per_locale[full] = build()
        return value


def _translations():
    """The translations of the locale in force (``force_locale`` included), looked up once per request and locale:
    Babel's own lookup walks its context three times and formats the locale's name on every call."""
    locale = get_locale()
    held = g.get("_registry_translations")
    if held is None or held[0] is not locale:
        held = g._registry_translations = (locale, get_translations())
    return held[1]


def install_template_gettext(app) -> None:
    """Templates' ``_()``, ``gettext`` and ``ngettext`` through ``_translations``; what Flask-Babel installs does
    the full lookup for each string, and a page of records translates about 100 (issue 16: a tenth of its CPU)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
