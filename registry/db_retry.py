"""Waiting out a database restart: run a short unit of work again while the database cannot be reached.

For writes that must land once their effect happened outside the database. The outbox's "delivered" mark is the
case: when PostgreSQL goes down between sending an e-mail and marking its row done, the row stays ``sending``
and its lease (``workflows.dispatch.LEASE``) would send the message again. Only operational errors (connection
refused or cut, the server shutting down, a statement or lock timeout) are retried; the session is rolled back
and the pool's dead connections are replaced (``pool_pre_ping``) before each new try. The work must be
idempotent: a commit whose answer was lost may have happened.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, TypeVar

from sqlalchemy import exc

from registry.extensions import db

log = logging.getLogger(__name__)

T = TypeVar("T")


def transient(error: BaseException) -> bool:
    """The database could not be reached or gave up on the statement: trying again later may succeed."""
    return isinstance(error, exc.OperationalError) or (
        isinstance(error, exc.DBAPIError) and bool(error.connection_invalidated))


def persist(work: Callable[[], T], *, within: float, what: str, first_wait: float = 0.5,
            max_wait: float = 5.0) -> T:
    """Run ``work`` until it returns, retrying transient database errors with growing waits for up to ``within``
    seconds; then (or on any other error) the error is raised."""
    deadline = time.monotonic() + within
    wait, tries = first_wait, 1
    while True:
        try:
            result = work()
        except exc.DBAPIError as error:
            if not transient(error) or time.monotonic() + wait > deadline:
                raise
            log.warning("%s: database unreachable (try %s), again in %.1fs: %s", what, tries, wait,
                        str(error.orig or error).splitlines()[0])
            try:
                db.session.rollback()
            except exc.DBAPIError:  # the rollback of a cut connection: the session is reset all the same
                pass
            time.sleep(wait)
            wait, tries = min(wait * 2, max_wait), tries + 1
        else:
            if tries > 1:
                log.info("%s: done on try %s", what, tries)
            return result
