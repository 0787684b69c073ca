"""The API's OpenAPI 3.1 description, written by hand and kept honest by the tests
(tests/api/test_schema.py runs schemathesis over every operation against it)."""

from __future__ import annotations

PROBLEM = {"$ref": "#/components/responses/Problem"}
ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "Kroner, two decimals"}
DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
PAGE = {
    "name": "page",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1},
}


def _json(schema_name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}


def _page_of(item: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "has_next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "page": {"type": "integer"},
            "has_next": {"type": "boolean"},
        },
    }


def _read(
    summary: str, schema: str, parameters=(), not_found=False, bad_request=False, role=False
) -> dict:
    """A GET; ``role``: the token's owner needs a role for it (else 403)."""
    responses = {"200": {"description": "OK", "content": _json(schema)}, "401": PROBLEM}
    if role:
        responses["403"] = PROBLEM
    if not_found:
        responses["404"] = PROBLEM
    if bad_request:
        responses["400"] = PROBLEM
    return {
        "get": {
            "summary": summary,
            "security": [{"bearer": []}],
            "parameters": list(parameters),
            "responses": responses,
        }
    }


def document(server_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rejsetilskud API",
            "version": "1.0.0",
            "description": (
                "For the municipality's other systems. Authenticate with a bearer token an "
                "administrator issues (Administration > API-nøgler). Scopes: `read` (every "
                "GET) and `payments` (read, and marking a payment as made). A token reads "
                "with its owner's access rules: a case the owner may not see is 404. Errors "
                "are RFC 9457 problem details (application/problem+json). Their `title`, "
                "`detail` and field messages come in the language of the Accept-Language "
                "header (`da` or `en`), else the token owner's chosen language, else Danish; "
                "Content-Language says which."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/cases": _read(
                "Cases the token's owner may see",
                "CasePage",
                [PAGE],
                bad_request=True,
            ),
            "/cases/{case_id}": _read(
                "One case, with its decision",
                "Case",
                [{"name": "case_id", "in": "path", "required": True, "schema": ID}],
                not_found=True,
            ),
            "/decisions": _read(
                "Decided cases the token's owner may see", "CasePage", [PAGE], bad_request=True
            ),
            "/balances": _read(
                "The ledger's balance per fund for a year",
                "Balances",
                [
                    {
                        "name": "year",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
                    }
                ],
                bad_request=True,
                role=True,
            ),
            "/payments": _read("Payments due", "Payments", role=True),
            "/payments/made": _read(
                "Payments made (ledger PAYMENT entries)",
                "PaymentsMade",
                [PAGE],
                bad_request=True,
                role=True,
            ),
            "/trips": _read("Published trips", "TripPage", [PAGE], bad_request=True),
            "/payments/{case_id}/paid": {
                "post": {
                    "summary": "Mark (part of) a case's payment as made, with its voucher",
                    "description": (
                        "Never more than is due. A case whose payment was sent to the "
                        "finance system in a batch and not yet confirmed is paid that "
                        "line's whole amount, which confirms the line; another amount is "
                        "422."
                    ),
                    "security": [{"bearer": []}],
                    "parameters": [
                        {"name": "case_id", "in": "path", "required": True, "schema": ID},
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                            "description": (
                                "A repeat with the same key and body gets the first answer; "
                                "the same key with another body is 422."
                            ),
                        },
                    ],
                    "requestBody": {"required": True, "content": _json("PaymentMade")},
                    "responses": {
                        "201": {"description": "Recorded", "content": _json("PaymentEntry")},
                        "400": PROBLEM,
                        "401": PROBLEM,
                        "403": PROBLEM,
                        "404": PROBLEM,
                        "422": PROBLEM,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Problem": {
                    "description": "RFC 9457 problem details",
                    "content": {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    },
                }
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "errors": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
                "Case": {
                    "type": "object",
                    "required": ["id", "case_number", "title", "state", "fund", "decision"],
                    "properties": {
                        "id": {"type": "integer"},
                        "case_number": {"type": ["string", "null"]},
                        "title": {"type": "string"},
                        "state": {"type": "string"},
                        "fund": {"type": "string"},
                        "departure_date": NULLABLE_DATE,
                        "return_date": NULLABLE_DATE,
                        "amount_applied": MONEY,
                        "decision": {
                            "oneOf": [
                                {"type": "null"},
                                {
                                    "type": "object",
                                    "required": ["outcome", "granted_amount", "decided_at"],
                                    "properties": {
                                        "outcome": {"type": "string"},
                                        "granted_amount": {
                                            "oneOf": [MONEY, {"type": "null"}],
                                        },
                                        "decided_at": {
                                            "type": ["string", "null"],
                                            "format": "date-time",
                                        },
                                    },
                                },
                            ]
                        },
                    },
                },
                "CasePage": _page_of("Case"),
                "Balance": {
                    "type": "object",
                    "required": ["fund", "year", "budget", "granted", "spent", "available"],
                    "properties": {
                        "fund": {"type": "string"},
                        "year": {"type": "integer"},
                        "budget": MONEY,
                        "granted": MONEY,
                        "committed": MONEY,
                        "spent": MONEY,
                        "available": MONEY,
                    },
                },
                "Balances": {
                    "type": "object",
                    "required": ["items"],
                    "properties": {
                        "items": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Balance"},
                        }
                    },
                },
                "PaymentDue": {
                    "type": "object",
                    "required": ["case_id", "case_number", "recipient", "cvr", "fund", "due"],
                    "properties": {
                        "case_id": {"type": "integer"},
                        "case_number": {"type": "string"},
                        "recipient": {"type": "string"},
                        "cvr": {"type": "string"},
                        "fund": {"type": "string"},
                        "due": MONEY,
                        "paid": MONEY,
                        "outstanding": MONEY,
                        "due_date": NULLABLE_DATE,
                    },
                },
                "Payments": {
                    "type": "object",
                    "required": ["items"],
                    "properties": {
                        "items": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/PaymentDue"},
                        }
                    },
                },
                "PaymentEntry": {
                    "type": "object",
                    "required": ["id", "case_id", "amount", "paid_on", "voucher"],
                    "properties": {
                        "id": {"type": "integer"},
                        "case_id": {"type": "integer"},
                        "amount": MONEY,
                        "paid_on": DATE,
                        "voucher": {"type": "string"},
                    },
                },
                "PaymentsMade": _page_of("PaymentEntry"),
                "PaymentMade": {
                    "type": "object",
                    "required": ["amount", "paid_on", "voucher"],
                    "additionalProperties": False,
                    "properties": {
                        "amount": {
                            "type": "string",
                            "pattern": r"^\d{1,9}\.\d{2}$",
                            "description": "Kroner, two decimals, more than 0",
                        },
                        "paid_on": {
                            "type": "string",
                            "format": "date",
                            "pattern": r"^\d{4}-\d{2}-\d{2}$",
                        },
                        "voucher": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 60,
                            "pattern": r"\S",
                        },
                    },
                },
                "Trip": {
                    "type": "object",
                    "required": ["id", "title", "fund"],
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "fund": {"type": "string"},
                        "destination_city": {"type": "string"},
                        "destination_country": {"type": "string"},
                        "departure_date": NULLABLE_DATE,
                        "return_date": NULLABLE_DATE,
                    },
                },
                "TripPage": _page_of("Trip"),
            },
        },
    }
