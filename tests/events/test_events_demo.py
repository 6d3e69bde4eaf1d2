"""The demo data holds an event with registrations, its grid, check-ins and outcomes, with demo-large and
demo-firm taking part, and one event open for registration."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tidu.events.demo import OPEN_TITLE, PAST_TITLE
from tidu.events.grid import Meeting as GridMeeting
from tidu.events.grid import conflicts
from tidu.events.models import EventStatus, MatchEvent, Meeting
from tidu.events.selectors import problem_of


@pytest.mark.django_db
def test_the_demo_event_has_a_valid_grid_check_ins_and_outcomes() -> None:
    call_command("seed_demo", verbosity=0)
    past = MatchEvent.objects.get(title=PAST_TITLE)
    assert past.status == EventStatus.FINISHED
    orgs = set(past.registrations.values_list("organisation__memberships__user__username", flat=True))
    assert {"demo-large", "demo-firm"} <= orgs
    meetings = list(Meeting.objects.filter(event=past))
    grid = [GridMeeting(m.slot, m.table, m.large_id, m.sme_id, m.score) for m in meetings]
    assert meetings and conflicts(grid, problem_of(past)) == []
    assert past.solve_report["must_honoured"] == past.solve_report["must_requested"] == 1
    assert past.registrations.filter(checked_in_at__isnull=False).count() == past.registrations.count() - 2
    assert any(m.held for m in meetings) and any(m.held is False for m in meetings)
    assert past.outcome.summary and past.outcome.needs.exists()
    upcoming = MatchEvent.objects.get(title=OPEN_TITLE)
    assert upcoming.status == EventStatus.OPEN and upcoming.registrations.count() == 5
    call_command("seed_demo", verbosity=0)  # idempotent
    assert MatchEvent.objects.filter(title=PAST_TITLE).count() == 1
