"""Schemathesis fuzzes the API through the WSGI app, from its own OpenAPI document, with a
valid token: no server error, and every response as the document says (status and body)."""

from __future__ import annotations

import itertools

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from quiz.accounts import limits

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Small and derandomized: the same cases every run, the whole fuzz in well under a minute.
FUZZ = settings(max_examples=15, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


def test_the_api_keeps_to_its_document_whatever_it_is_sent(app, api, monkeypatch):
    monkeypatch.setitem(limits.LIMITS, "api_per_token", "100000 per minute")
    # Something to find: a session with an answer (ids 1), so not every id is a 404.
    session_id = api.start()
    api.answer(session_id, api.shown(session_id), choice="Washington")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Werkzeug's test client does not decompress what Flask-Compress sends a real client.
    headers = {**api.headers(), "Accept-Encoding": "identity"}
    cases = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11

    # Positive cases fit the document; negative ones break it (each must be a clear 4xx).
    for operation, mode in itertools.product(operations, GenerationMode):
        @FUZZ
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case) -> None:
            response = case.call(headers=headers)
            cases.append((case.method, case.path, response.status_code))
            case.validate_response(response, checks=CHECKS)

        fuzz()
    statuses = {status for _method, _path, status in cases}
    print(f"schemathesis: {len(cases)} cases, statuses {sorted(statuses)}")
    assert len(cases) >= 200 and {200, 201, 404, 422} <= statuses
