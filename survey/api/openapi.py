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
                "Idempotent on (desk, dossier): 201 when opened, 200 when told before."
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
