"""What notify plugs into the floors below: the sweep that retries failed deliveries and takes over those whose
sender died."""

from __future__ import annotations

from saas.notify.delivery import sweep
from saas.scheduling import periodic

periodic("deliveries", 60, sweep)
