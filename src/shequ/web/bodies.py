"""Every request body is bounded: a 413 with the reason before the app reads past its limit.

File uploads (``multipart/form-data``) may be as large as an import file
(`ingest.limits.Limits.max_file_bytes`, ``SHEQU_IMPORT_MAX_FILE_BYTES``) plus a little for
the form around it; any other body (JSON, a DHIS2 dataValueSet, a form post) at most
``Settings.max_body_bytes`` (``SHEQU_WEB_MAX_BODY_BYTES``). A declared ``Content-Length``
over the limit is refused before a byte is read; a chunked body is counted as it arrives
and cut off at the limit (the app then sees the client gone and its answer is dropped).
Routes that read bodies stay simple (``await request.body()``) and still cannot be made to
hold more than the limit. Plain ASGI: starlette has no body limit of its own.
"""

from __future__ import annotations

import json

from ..ingest.limits import Limits

MULTIPART_SLACK = 1024 * 1024  # form fields and part headers around the file


class BodyLimit:
    def __init__(self, app, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def limit_of(self, scope) -> int:
        headers = dict(scope.get("headers") or [])
        kind = headers.get(b"content-type", b"").decode("latin-1").lower()
        if kind.startswith("multipart/form-data"):
            return Limits.from_env().max_file_bytes + MULTIPART_SLACK
        return self.max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        seen = 0
        refused = False
        started = False

        async def counted():
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit and not refused:
                    refused = True
                    if not started:
                        await _refuse(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message) -> None:
            nonlocal started
            if refused:
                return  # the 413 went out; the app's own answer is dropped
            started = True
            await send(message)

        await self.app(scope, counted, guarded)


async def _refuse(send, limit: int) -> None:
    detail = (
        f"请求内容超过上限 {limit:,} 字节 / the request body is over the limit of {limit:,} bytes"
    )
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
