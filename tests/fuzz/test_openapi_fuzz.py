"""Fuzz the API from its own OpenAPI description (schemathesis): no input makes it answer 5xx.

Every operation gets generated bodies, paths and queries (schemathesis's strategies driven by
Hypothesis), sent with a real organisation's key through the app in-process against real
PostgreSQL and Redis. A 5xx is a failure; so is an error that is not problem+json.
(schemathesis's own pytest plugin does not load under pytest 9, so the loop is written out.)
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

EXAMPLES_PER_OPERATION = 40


def test_no_generated_request_makes_the_api_fail(app, org, make_staff):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    admin = {"Authorization": make_staff("fuzz-admin", "admin")["Authorization"]}
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 8, [op.label for op in operations]
    tried: dict[str, int] = {}
    statuses: dict[int, int] = {}

    for op in operations:
        for who, headers in (("org", org.headers), ("admin", admin)):
            @settings(max_examples=EXAMPLES_PER_OPERATION // 2, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy())
            def run(case):
                response = case.call(headers=headers)
                tried[op.label] = tried.get(op.label, 0) + 1
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                case.validate_response(response, checks=[not_a_server_error])
                if response.status_code >= 400:
                    ctype = response.headers.get("content-type") or [""]
                    ctype = ctype[0] if isinstance(ctype, list) else ctype  # schemathesis keeps header lists
                    assert ctype.startswith("application/problem+json"), \
                        (who, case.method, case.formatted_path, response.status_code, response.text[:200])

            run()
    print(f"fuzzed {sum(tried.values())} requests over {len(tried)} operations; statuses {dict(sorted(statuses.items()))}")
    assert len(tried) == len(operations) and tried["POST /v1/items"] >= 20, tried  # (bare GETs have one example)
    assert sum(tried.values()) >= 150
    assert max(statuses) < 500
