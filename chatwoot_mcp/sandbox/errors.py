"""Chatwoot's error responses, raised as ApiError and rendered with the exact bodies Rails sends."""

from __future__ import annotations

from typing import Any

SIGN_IN = {"errors": ["You need to sign in or sign up before continuing."]}
INVALID_TOKEN = {"error": "Invalid Access Token"}
NOT_IN_ACCOUNT = {"error": "You are not authorized to access this account"}
BOT_ENDPOINT = {"error": "Access to this endpoint is not authorized for bots"}
BOT_ACCOUNT = {"error": "Bot is not authorized to access this account"}
NOT_AUTHORIZED = {"error": "You are not authorized to do this action"}
NOT_FOUND = {"error": "Resource could not be found"}
SERVER_ERROR = {"status": 500, "error": "Internal Server Error"}
ROUTE_NOT_FOUND_HTML = (
    "<!DOCTYPE html>\n<html>\n<head><title>The page you were looking for doesn't exist (404)</title></head>\n"
    "<body><h1>The page you were looking for doesn't exist.</h1></body>\n</html>\n"
)


class ApiError(Exception):
    """An error response: status plus the JSON body Chatwoot renders for it."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


def unauthorized(body: dict[str, Any]) -> ApiError:
    return ApiError(401, body)


def not_found() -> ApiError:
    return ApiError(404, NOT_FOUND)


def forbidden_action() -> ApiError:
    return ApiError(401, NOT_AUTHORIZED)


def unprocessable(message: str) -> ApiError:
    """422 `{"error": ...}`: ParameterMissing, StandardError in messages#create, filter errors."""
    return ApiError(422, {"error": message})


def record_invalid(messages: list[str], attributes: list[str]) -> ApiError:
    """422 from ActiveRecord::RecordInvalid (`render_record_invalid`)."""
    return ApiError(422, {"message": ", ".join(messages), "attributes": attributes})


def server_error() -> ApiError:
    """What Rails answers for an unrescued exception, e.g. an invalid enum value."""
    return ApiError(500, SERVER_ERROR)
