"""What an adapter tells the core about one HTTP response: plain, client-neutral facts.

Every client adapter (requests, httpx, aiohttp, Huawei's SDK) turns its client's
response into a :class:`Facts` and hands it to the core, which resolves the class and
builds the exception. Nothing here knows any client library.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Facts"]


class Facts:
    """One response, as far as the core needs to know it; treat it as read-only.

    A plain class with slots rather than a dataclass: it is built on every error, and
    ``import cloudstatus`` should not pay for the dataclasses module.

    :ivar status_code: the HTTP status code.
    :ivar reason: the reason phrase as the client reported it (``bytes`` are decoded
        as requests does: UTF-8, then Latin-1), or None.
    :ivar method: the request method, or None.
    :ivar url: the request URL as sent, credentials and all (the exception shows it
        redacted), or None.
    :ivar headers: the response headers, any mapping of str to str (names in any
        case), or None.
    :ivar body: the bytes of the body that were read, at most ``max_body_bytes``
        (after content decoding).
    :ivar body_complete: False when the body was cut short: by the byte cap, by the
        ``max_body_seconds`` deadline, or by a broken connection or corrupt encoding.
    :ivar request_headers: the request's headers, so that their credentials can be
        masked wherever the server echoes them; None when unknown.
    :ivar credentials: further secret strings the request carried that are in neither
        the URL nor the headers (the password of an ``auth=`` pair, an SDK's secret
        key), masked the same way.
    :ivar attempts: how many times the request was sent, retries below the adapter
        (urllib3's) included.
    """

    __slots__ = (
        "attempts",
        "body",
        "body_complete",
        "credentials",
        "headers",
        "method",
        "reason",
        "request_headers",
        "status_code",
        "url",
    )

    def __init__(
        self,
        status_code: int,
        reason: str | bytes | None = None,
        method: str | None = None,
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        body_complete: bool = True,
        request_headers: Mapping[str, str] | None = None,
        credentials: tuple[str, ...] = (),
        attempts: int = 1,
    ) -> None:
        self.status_code = status_code
        self.reason = reason
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.body_complete = body_complete
        self.request_headers = request_headers
        self.credentials = credentials
        self.attempts = attempts

    def __repr__(self) -> str:
        # No URL, headers or body: they may hold the request's credentials.
        return (
            f"<Facts {self.status_code} {self.method or '-'} body={len(self.body)} bytes"
            f"{'' if self.body_complete else ' (cut short)'}>"
        )
