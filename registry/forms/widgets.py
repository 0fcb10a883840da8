"""Form widgets cheaper than wtforms' own where a page renders many of their parts on every view."""
from __future__ import annotations

from markupsafe import Markup, escape
from wtforms.widgets import Select


class PlainSelect(Select):
    """wtforms' ``Select``, each plain option written with one format and two escapes instead of ``html_params``
    (the same markup): the registry list's filters render about 50 options on every page view, and wtforms' way
    was a quarter of that page's CPU."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        return Markup(f'<option{selected} value="{escape(choice.value)}">{escape(choice.label or choice.value)}'
                      "</option>")
