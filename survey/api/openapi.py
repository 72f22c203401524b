"""The OpenAPI 3 description of the API, served at ``/api/v1/openapi.json``."""

from __future__ import annotations

from typing import Any

from flask import url_for

_ERROR = {
    "type": "object",
    "required": ["error", "message", "status"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "status": {"type": "integer"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Hài lòng API",
            "version": "1",
            "description": (
                "Per-dossier survey links for one-stop software. Each unit receives an API token from "
                "Sở Nội vụ. The returned link and QR code (print it on the receipt) open the phone "
                "survey; one dossier is counted once, a second answer is thanked and not counted. "
                "The dossier code is never stored in clear, only as a keyed HMAC. "
                "Complaint tickets of the 1022 line are sent to /complaints, one per call, idempotent "
                "on ticket_id: 201 when stored, 200 when that ticket was stored before. "
                "When the officer closes a dossier, /desks/{service_point_code}/sessions tells the "
                "desk's kiosk which dossier it has just served: the kiosk greets the citizen with "
                "the procedure's name and its answer counts for that procedure and that dossier. "
                "Idempotent on (desk, dossier): 201 when opened, 200 when told before. "
                "An answer the software collected itself is sent to /responses (channel api), "
                "under the rules of the survey form, idempotent on idempotency_key; a dossier is "
                "counted once whichever channel answered it first. The dossiers a unit handled in "
                "a period are sent with PUT /volumes/{unit_code}/{period}, which replaces the "
                "earlier figure and is audited."
            ),
        },
        "servers": [{"url": url_for("api.openapi").removesuffix("/openapi.json")}],
        "paths": {
            "/dossier-links": {
                "post": {
                    "operationId": "createDossierLink",
                    "summary": "A signed survey link and QR SVG for one dossier",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/DossierLinkRequest"}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "The link",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/DossierLink"}}
                            },
                        },
                        "400": _error_response("The body is not a JSON object"),
                        "401": _error_response("Missing, unknown or revoked token"),
                        "422": _error_response("A field is missing or wrong, or an unknown code"),
                        "429": _error_response("Too many requests"),
                    },
                },
            },
            "/complaints": {
                "post": {
                    "operationId": "createComplaintTicket",
                    "summary": "A phản ánh, kiến nghị received by the 1022 line (idempotent on ticket_id)",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/ComplaintTicket"}}},
                    },
                    "responses": {
                        "200": {"description": "This ticket was stored before", "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ComplaintCase"}}}},
                        "201": {"description": "Stored", "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ComplaintCase"}}}},
                        "400": _error_response("The body is not a JSON object"),
                        "401": _error_response("Missing, unknown or revoked token"),
                        "422": _error_response("A field is missing or wrong, or an unknown code"),
                        "429": _error_response("Too many requests"),
                    },
                },
            },
            "/desks/{service_point_code}/sessions": {
                "post": {
                    "operationId": "openDeskSession",
                    "summary": "The dossier a desk has just served, for its kiosk's next answer",
                    "security": [{"bearer": []}],
                    "parameters": [{
                        "name": "service_point_code", "in": "path", "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 40},
                        "example": "DP-CT-P-NINHKIEU",
                    }],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/DeskSessionRequest"},
                            "example": {"dossier_code": "000.00.28.H10-251123-0001",
                                        "procedure_code": "1.001193"}}},
                    },
                    "responses": {
                        "200": {"description": "This dossier was told to this desk before", "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/DeskSession"}}}},
                        "201": {"description": "Opened", "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/DeskSession"}}}},
                        "400": _error_response("The body is not a JSON object"),
                        "401": _error_response("Missing, unknown or revoked token"),
                        "404": _error_response("No such desk in the token's unit"),
                        "409": _error_response("The dossier was told to this desk with another procedure"),
                        "422": _error_response("A field is missing or wrong, or an unknown procedure"),
                        "429": _error_response("Too many requests"),
                    },
                },
            },
            "/responses": {
                "post": {
                    "operationId": "recordResponse",
                    "summary": "An answer collected by one-stop software (idempotent on idempotency_key)",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/ResponseRequest"},
                            "example": {"idempotency_key": "mc-2026-05-12-000123",
                                        "instrument": "sipas-short",
                                        "service_point_code": "DP-CT-P-NINHKIEU",
                                        "procedure_code": "1.001193",
                                        "dossier_code": "000.00.28.H10-251123-0001",
                                        "ratings": {"overall": 4, "staff.courteous": 5},
                                        "respondent_type": "citizen",
                                        "submitted_at": "2026-05-12T09:30:00+07:00"}}},
                    },
                    "responses": {
                        "200": {"description": "Stored before under this key (duplicate), or the dossier "
                                "was already answered on some channel (dossier_used): nothing stored",
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/ResponseRecord"}}}},
                        "201": {"description": "Stored", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/ResponseRecord"}}}},
                        "400": _error_response("The body is not a JSON object"),
                        "401": _error_response("Missing, unknown or revoked token"),
                        "422": _error_response("A field is wrong, an unknown code, a rating outside 1-5, "
                                               "an item not in the instrument, or nothing given"),
                        "429": _error_response("Too many requests"),
                    },
                },
            },
            "/volumes/{unit_code}/{period}": {
                "put": {
                    "operationId": "putDossierVolume",
                    "summary": "The dossiers a unit handled in a period (replaces the earlier figure)",
                    "security": [{"bearer": []}],
                    "parameters": [
                        {"name": "unit_code", "in": "path", "required": True,
                         "schema": {"type": "string", "minLength": 1, "maxLength": 40},
                         "example": "CT-P-NINHKIEU"},
                        {"name": "period", "in": "path", "required": True,
                         "schema": {"type": "string", "minLength": 1, "maxLength": 20,
                                    "description": "2026, 2026-H1, 2026-Q3 or 2026-07"},
                         "example": "2026-Q2"},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/VolumeRequest"},
                            "example": {"dossiers": 1240, "dossiers_unsatisfied": 6}}},
                    },
                    "responses": {
                        "200": {"description": "Replaced", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Volume"}}}},
                        "201": {"description": "Stored", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Volume"}}}},
                        "400": _error_response("The body is not a JSON object"),
                        "401": _error_response("Missing, unknown or revoked token"),
                        "404": _error_response("No such unit within the token's unit"),
                        "422": _error_response("A bad period, or a count that is not a whole number >= 0, "
                                               "or more unsatisfied dossiers than dossiers"),
                        "429": _error_response("Too many requests"),
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": _ERROR,
                "DossierLinkRequest": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["dossier_code", "procedure_code", "service_point_code"],
                    "properties": {
                        "dossier_code": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 60,
                            "example": "000.00.28.H10-251123-0001",
                        },
                        "procedure_code": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 40,
                            "example": "1.001193",
                        },
                        "service_point_code": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 40,
                            "example": "DP-CT-P-NINHKIEU",
                        },
                    },
                },
                "ResponseRequest": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["idempotency_key", "instrument", "service_point_code"],
                    "properties": {
                        "idempotency_key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$",
                                            "example": "mc-2026-05-12-000123"},
                        "instrument": {"type": "string", "minLength": 1, "maxLength": 60,
                                       "description": "A key (its newest version) or key@version",
                                       "example": "sipas-short"},
                        "service_point_code": {"type": "string", "minLength": 1, "maxLength": 40,
                                               "example": "DP-CT-P-NINHKIEU"},
                        "procedure_code": {"type": "string", "maxLength": 40, "example": "1.001193"},
                        "dossier_code": {"type": "string", "maxLength": 60,
                                         "description": "Stored only as a keyed HMAC",
                                         "example": "000.00.28.H10-251123-0001"},
                        "ratings": {"type": "object", "maxProperties": 60,
                                    "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 5},
                                    "description": "Item key to 1-5; a skipped item is left out",
                                    "example": {"overall": 4, "staff.courteous": 5}},
                        "problems": {"type": "array", "maxItems": 60,
                                     "items": {"type": "string", "maxLength": 60},
                                     "description": "What went wrong: the instrument's problem codes"},
                        "comment": {"type": "string", "maxLength": 2000},
                        "respondent_type": {"type": "string", "enum": ["citizen", "organisation"]},
                        "submitted_at": {"type": "string", "format": "date-time",
                                         "example": "2026-05-12T09:30:00+07:00"},
                    },
                },
                "ResponseRecord": {
                    "type": "object",
                    "required": ["status", "counted", "instrument", "unit_code", "service_point_code"],
                    "properties": {
                        "status": {"type": "string", "enum": ["recorded", "duplicate", "dossier_used"]},
                        "counted": {"type": "boolean", "description": "Stored by this call"},
                        "instrument": {"type": "string", "example": "sipas-short@2"},
                        "unit_code": {"type": "string", "example": "CT-P-NINHKIEU"},
                        "service_point_code": {"type": "string", "example": "DP-CT-P-NINHKIEU"},
                    },
                },
                "VolumeRequest": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["dossiers"],
                    "properties": {
                        "dossiers": {"type": "integer", "minimum": 0, "maximum": 2147483647,
                                     "example": 1240},
                        "dossiers_unsatisfied": {"type": "integer", "minimum": 0, "maximum": 2147483647,
                                                 "nullable": True, "example": 6,
                                                 "description": "Not above dossiers"},
                    },
                },
                "Volume": {
                    "type": "object",
                    "required": ["unit_code", "period", "dossiers", "dossiers_unsatisfied", "created"],
                    "properties": {
                        "unit_code": {"type": "string"},
                        "period": {"type": "string", "example": "2026-Q2"},
                        "dossiers": {"type": "integer"},
                        "dossiers_unsatisfied": {"type": "integer", "nullable": True},
                        "created": {"type": "boolean"},
                    },
                },
                "DeskSessionRequest": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["dossier_code", "procedure_code"],
                    "properties": {
                        "dossier_code": {"type": "string", "minLength": 1, "maxLength": 60,
                                         "example": "000.00.28.H10-251123-0001"},
                        "procedure_code": {"type": "string", "minLength": 1, "maxLength": 40,
                                           "example": "1.001193"},
                    },
                },
                "DeskSession": {
                    "type": "object",
                    "required": ["service_point_code", "procedure_code", "procedure_name", "expires_at",
                                 "answered", "created"],
                    "properties": {
                        "service_point_code": {"type": "string", "example": "DP-CT-P-NINHKIEU"},
                        "procedure_code": {"type": "string", "example": "1.001193"},
                        "procedure_name": {"type": "string", "example": "Đăng ký khai sinh"},
                        "expires_at": {"type": "string", "format": "date-time"},
                        "answered": {"type": "boolean",
                                     "description": "The dossier has its answer (here or elsewhere)"},
                        "created": {"type": "boolean"},
                    },
                },
                "ComplaintTicket": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["ticket_id", "received_at", "unit_code", "text"],
                    "properties": {
                        "ticket_id": {"type": "string", "minLength": 1, "maxLength": 80,
                                      "example": "1022-2026-000123"},
                        "received_at": {"type": "string", "maxLength": 40,
                                        "example": "2026-05-12T09:30:00+07:00"},
                        "unit_code": {"type": "string", "minLength": 1, "maxLength": 40,
                                      "example": "CT-P-NINHKIEU"},
                        "kind": {"type": "string", "enum": ["phan_anh", "kien_nghi"]},
                        "text": {"type": "string", "minLength": 1, "maxLength": 4000},
                        "name": {"type": "string", "maxLength": 120},
                        "phone": {"type": "string", "maxLength": 30, "example": "0912345678"},
                        "email": {"type": "string", "maxLength": 200},
                        "sector_code": {"type": "string", "maxLength": 40},
                        "procedure_code": {"type": "string", "maxLength": 40},
                        "publish_consent": {"type": "boolean"},
                    },
                },
                "ComplaintCase": {
                    "type": "object",
                    "required": ["ref", "status", "unit_code", "due_on", "url", "created"],
                    "properties": {
                        "ref": {"type": "string", "example": "PA-7K3M-9QXH"},
                        "status": {"type": "string"},
                        "unit_code": {"type": "string"},
                        "due_on": {"type": "string", "format": "date"},
                        "url": {"type": "string", "format": "uri"},
                        "created": {"type": "boolean"},
                    },
                },
                "DossierLink": {
                    "type": "object",
                    "required": ["url", "qr_svg", "unit_code", "service_point_code", "procedure_code"],
                    "properties": {
                        "url": {"type": "string", "format": "uri"},
                        "qr_svg": {"type": "string", "description": "An SVG image of the link's QR code"},
                        "unit_code": {"type": "string"},
                        "service_point_code": {"type": "string"},
                        "procedure_code": {"type": "string"},
                    },
                },
            },
        },
    }
