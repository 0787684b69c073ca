"""The API for the municipality's other systems (/api/v1): bearer tokens, problem details,
an OpenAPI description kept honest by the tests (tests/api)."""
