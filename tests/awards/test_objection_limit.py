"""The public objection form (no account) is rate-limited per client address (OBJECTION_RATE_LIMIT): the limit counts
what reaches a published notice; a post to a notice that does not exist is a 404 and counts for nothing (the
security walk's posts to missing ids met a 429 before)."""
from __future__ import annotations

import datetime as dt

from registry import clock
from registry.awards import rounds
from registry.extensions import db, limiter
from tests.conftest import csrf_token_from

LIMIT = "3 per hour"


def test_the_limit_counts_posts_to_a_published_notice_only(app, bureau, monkeypatch):
    monkeypatch.setitem(app.config, "OBJECTION_RATE_LIMIT", LIMIT)
    limiter.reset()
    found = rounds.open_round(bureau, name="第五届临海市政府质量奖", level="linhai", year=2026,
                              call_opens_on=dt.date(2026, 3, 1), call_closes_on=dt.date(2026, 3, 31),
                              quotas={"quality_award": 2}, issuer="临海市人民政府")
    found.status, found.notice_ends_at = "notice", clock.now() + dt.timedelta(days=5)
    db.session.commit()
    visitor = app.test_client()
    token = csrf_token_from(visitor.get(f"/awards/notices/{found.id}").get_data(as_text=True))
    form = {"csrf_token": token, "name": "张三"}  # incomplete: the form answers with its errors
    for _ in range(10):  # missing notices: 404, never counted
        assert visitor.post("/awards/notices/999999", data=form).status_code == 404
    answers = [visitor.post(f"/awards/notices/{found.id}", data=form).status_code for _ in range(4)]
    assert answers[:3] != [429] * 3 and answers[3] == 429, answers
    assert visitor.get(f"/awards/notices/{found.id}").status_code == 200  # reading is never limited
