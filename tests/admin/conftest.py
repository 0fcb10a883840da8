"""Fixtures of the administrator tests: catalogue rows survive between tests, so changes to them are undone."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select


@pytest.fixture
def restore_catalogues(app):
    """Snapshot jurisdictions and industries; afterwards delete added rows and put edited values back."""
    from registry.extensions import db
    from registry.models import Industry, Jurisdiction

    columns = ("code", "name", "kind", "sort_order", "active", "cluster")
    snapshot = {model: {row.id: {c: getattr(row, c) for c in columns if hasattr(row, c)}
                        for row in db.session.scalars(select(model))} for model in (Jurisdiction, Industry)}
    yield
    db.session.rollback()
    for model, rows in snapshot.items():
        db.session.execute(delete(model).where(model.id.not_in(list(rows))))
        for row_id, values in rows.items():
            row = db.session.get(model, row_id)
            for key, value in values.items():
                setattr(row, key, value)
    db.session.commit()


def post(client, auth, path, data, page=None):
    """POST with a CSRF token taken from ``page`` (default: the path itself)."""
    return client.post(path, data={**data, "csrf_token": auth.csrf(page or path)})
