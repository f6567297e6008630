"""Reading a request's body off the connection, bounded, before the handler parses it."""

from __future__ import annotations

from starlette.requests import Request

from mock_server.domain.errors import ApiError
from mock_server.http.head import head_of


async def read_body(request: Request, limit: int) -> bytes:
    declared = head_of(request).content_length
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    while True:  # the ASGI messages themselves: cheaper than Request.stream()'s generator
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ApiError(
                400,
                "client_disconnected",
                "Client disconnected",
                "The client went away before sending the whole body.",
            )
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def prefetch(request: Request, limit: int) -> bytes | ApiError:
    """The raw body, read on the serving loop before the request goes to a worker loop (the worker
    loop cannot read the connection); a read error is kept for the pipeline to answer in
    its usual place."""
    try:
        return await read_body(request, limit)
    except ApiError as error:
        return error


def in_hand(body: bytes, limit: int) -> bytes | ApiError:
    """A body the caller already holds whole (the sync in-process door), bounded as if read."""
    return body if len(body) <= limit else _too_large(limit)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        400, "body_too_large", "Request body too large", f"The body is over {limit} bytes."
    )


def check_content_type(request: Request) -> None:
    ctype = head_of(request).content_type
    if ctype is None:
        return
    media = ctype.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise ApiError(
            400,
            "unsupported_content_type",
            "Unsupported content type",
            f"Content-Type {media!r} is not accepted; send application/json.",
        )
