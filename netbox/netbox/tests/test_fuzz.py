"""
A short, bounded fuzz pass over every operation of the OpenAPI schema, in process (schemathesis on the WSGI app):
generated filters, bodies and IDs must never answer a 5xx, and every answer must match the schema. `scripts/fuzz`
runs the longer pass against a live server.
"""
import json
import re

import pytest
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, given, seed, settings

pytestmark = pytest.mark.django_db

EXAMPLES = 1
SEED = 1


@pytest.fixture
def keep_connection():
    """Requests through the bare WSGI handler would close the test's database connection (and transaction) when
    they finish, as in production; keep it open, as Django's test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_schema(superuser, keep_connection):
    import schemathesis
    from drf_spectacular.generators import SchemaGenerator

    from users.models import Token

    token = Token(user=superuser, version=1, write_enabled=True)
    token.set_token()
    token.save()
    raw = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = WSGIHandler()
    # The WSGI transport hands the fuzzer's checks the raw body, which they can't read gzipped (gzip itself is
    # tested in test_api_basics).
    return schema, {'Authorization': f'Token {token.plaintext}', 'Accept-Encoding': 'identity'}


def fuzz_operation(operation, headers, failures):
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    @seed(SEED)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance],
                                   headers=headers)
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f'{operation.label}: {str(exc)[:600]}')

    run()


def test_no_operation_answers_5xx_or_off_schema(fuzz_schema):
    schema, headers = fuzz_schema
    failures, tested = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        # Import takes a YAML body that schemathesis can only generate as noise; its tests cover it.
        if re.search(r'/import/$', operation.path):
            continue
        fuzz_operation(operation, headers, failures)
        tested += 1
    assert tested > 400
    assert not failures, '\n'.join(failures)
