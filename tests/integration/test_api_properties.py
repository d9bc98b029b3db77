"""Property-based tests of the API, generated from its own OpenAPI document by schemathesis (PyPI): for every
operation, inputs valid and invalid, on real records of a seeded studio, as an admin token. Whatever is sent,
the API must never answer 5xx, must answer only statuses its document lists, and every answer must match the
schema the document gives for it. Bounded: a few examples per operation, no shrinking past a short deadline."""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _checked(operation, mode: GenerationMode, seeded: dict[str, str], statuses: Counter) -> list[str]:
    """Run one operation's generated cases; the failures found, described (the first of each case)."""
    names = [p.name for p in operation.path_parameters] if operation.path_parameters else []
    known = {name: seeded[name] for name in names if name in seeded}
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=known))
    def run(case) -> None:
        response = case.call_and_validate(headers={"Authorization": f"Bearer {seeded['token']}"}, checks=CHECKS)
        statuses[response.status_code] += 1

    try:
        run()
    except Exception as exc:  # one operation's failure (shrunk by hypothesis) is reported; the others still run
        failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:800]}")
    return failures


EXAMPLES = 6


def test_every_operation_keeps_to_its_contract_whatever_it_is_sent(app, seeded):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    statuses: Counter = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _checked(operation, mode, seeded, statuses)
    assert not failures, "\n\n".join(failures[:10])
    # The cases reached the rules: successes and refusals both, not only 404s.
    assert sum(statuses.values()) >= 3 * len(operations), statuses
    assert statuses[200] + statuses[201] + statuses[204] > len(operations) and statuses[422] > len(operations), statuses
