"""Government quality award (政府质量奖) nominations: rounds, eligibility, expert draw, scoring, notice, honours."""
