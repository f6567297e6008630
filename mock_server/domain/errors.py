"""ApiError: a domain failure that the HTTP layer renders as the structured error body."""

from __future__ import annotations

from collections.abc import Mapping


class ApiError(Exception):
    """An error the API answers with: status, snake_case code, title and message."""

    def __init__(
        self,
        status: int,
        code: str | None,
        title: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        rules: tuple[str, ...] = (),
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.title = title
        self.message = message
        self.headers = dict(headers or {})
        #: Ledger rules that decided this answer, beyond those its code names.
        self.rules = rules


def bad_request(message: str, code: str = "invalid_request") -> ApiError:
    return ApiError(400, code, "Invalid request", message)


def not_found(message: str, code: str = "not_found") -> ApiError:
    return ApiError(404, code, "Not found", message)


def method_not_allowed(method: str, path: str, allowed: list[str]) -> ApiError:
    """405 naming the methods the path does take (the ``Allow`` header too)."""
    return ApiError(
        405,
        "method_not_allowed",
        "Method not allowed",
        f"{method} is not allowed on {path}; use {', '.join(allowed)}.",
        headers={"allow": ", ".join(allowed)},
    )
