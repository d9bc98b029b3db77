"""What visits plug into the floors below: visits hold their photos and signature, a visit assigned to someone
lets them see its client, and visits whose day went by without a check-in are marked missed."""

from __future__ import annotations

from saas.clients.access import sees_client_through
from saas.files.owners import register_owner
from saas.scheduling import periodic
from saas.visits.access import VisitFiles, client_seen_through_visits
from saas.visits.services import mark_missed

register_owner("visit", VisitFiles())
sees_client_through(client_seen_through_visits)
periodic("missed-visits", 3600, mark_missed)
