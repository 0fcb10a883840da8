"""Where a page is, as a path, wherever the code runs: in a request, in a beat job, in the worker or the CLI.

Messages store the path of the page they are about (``Notification.link``); e-mail puts ``PUBLIC_BASE_URL`` in
front. ``url_for`` needs a request (or ``SERVER_NAME``), which beat jobs and the worker do not have.
"""
from __future__ import annotations

from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values) -> str:
    """The page's path, e.g. ``/awards/expert/entries/7``. Raises werkzeug's BuildError for an unknown endpoint."""
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build(endpoint, values)


def application_path(application) -> str:
    """Where an application is handled: its workflow's own page (the award's pages for an award nomination)."""
    from workflows import engine

    return path_for(engine.definition_of(application).page_endpoint, application_id=application.id)


def absolute(link: str | None) -> str | None:
    """The link as an address to open from an e-mail (``PUBLIC_BASE_URL`` + path), or None without a link."""
    if not link:
        return None
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + link
