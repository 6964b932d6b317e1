"""A loopback stand-in for DMS (Kafka) and MPC, and SDK clients pointed at it.

The server is the project's :class:`~cloudstatus._loopback.LoopbackServer`: the SDK
signs every request with fake credentials, and the server never checks the
signature. Each test scripts the replies of the paths it calls with
:meth:`FakeCloud.answer`; everything else gets a 200 with an empty JSON object.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Sequence

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkkafka.v2 import KafkaAsyncClient, KafkaClient
from huaweicloudsdkmpc.v1 import MpcClient

from cloudstatus._loopback import LoopbackServer, Reply, json_reply

#: Fake credentials: long enough to count as secrets, never valid anywhere.
AK = "FAKEACCESSKEYID0000"
SK = "fakeSecretKey/0123456789abcdefghijklmnop"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
INSTANCE = "7a3e5c1d-0000-4a1b-9c2d-3e4f5a6b7c8d"

#: The paths the SDK calls, with the fake project id filled in.
KAFKA_CREATE = f"/v2/kafka/{PROJECT}/instances"
KAFKA_LIST = f"/v2/{PROJECT}/instances"
KAFKA_SHOW = f"/v2/{PROJECT}/instances/{INSTANCE}"
MPC_TRANSCODINGS = f"/v1/{PROJECT}/transcodings"


def huawei_reply(
    status: int,
    error_code: str,
    error_msg: str,
    *,
    request_id: str | None = None,
    headers: Sequence[tuple[str, str]] = (),
    **extra: object,
) -> Reply:
    """A Huawei-style JSON error body (``error_code`` / ``error_msg``)."""
    doc: dict[str, object] = {"error_code": error_code, "error_msg": error_msg, **extra}
    all_headers = list(headers)
    if request_id is not None:
        all_headers.append(("X-Request-Id", request_id))
    return json_reply(status, doc, all_headers)


class FakeCloud:
    """A started loopback server plus a factory for SDK clients aimed at it."""

    def __init__(self) -> None:
        self.server = LoopbackServer(default=json_reply(200, {}))

    def __enter__(self) -> FakeCloud:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    @property
    def endpoint(self) -> str:
        return self.server.url

    def answer(self, path: str, *replies: Reply, then: Reply | None = None) -> None:
        """Answer ``path`` with ``replies`` in order, then with ``then`` (default: the last)."""
        self.server.sequence(path, list(replies), then=then)

    def reset(self) -> None:
        """Forget the scripted replies; every path answers 200 again."""
        self.server._routes.clear()  # the test helper owns this server

    def credentials(self) -> BasicCredentials:
        return BasicCredentials(AK, SK, PROJECT)

    def config(self, retry_times: int = 0) -> HttpConfig:
        config = HttpConfig.get_default_config()
        config.retry_times = retry_times
        config.timeout = (5, 10)
        return config

    def kafka(
        self,
        *,
        retry_times: int = 0,
        exception_handler: object = None,
        endpoint: str | None = None,
    ) -> KafkaClient:
        builder = (
            KafkaClient.new_builder()
            .with_credentials(self.credentials())
            .with_endpoints([endpoint or self.endpoint])
            .with_http_config(self.config(retry_times))
        )
        if exception_handler is not None:
            builder = builder.with_exception_handler(exception_handler)
        return builder.build()

    def kafka_async(self) -> KafkaAsyncClient:
        return (
            KafkaAsyncClient.new_builder()
            .with_credentials(self.credentials())
            .with_endpoints([self.endpoint])
            .with_http_config(self.config())
            .build()
        )

    def mpc(self) -> MpcClient:
        return (
            MpcClient.new_builder()
            .with_credentials(self.credentials())
            .with_endpoints([self.endpoint])
            .with_http_config(self.config())
            .build()
        )


def problem_json(status: int, title: str, detail: str) -> Reply:
    """An RFC 9457 problem details body."""
    doc = {
        "type": "https://example.com/probs/x",
        "title": title,
        "status": status,
        "detail": detail,
    }
    return Reply(
        status,
        headers=[("Content-Type", "application/problem+json")],
        body=json.dumps(doc).encode(),
    )


class StallingServer:
    """Answers one error with a Content-Length it never finishes sending, then waits.

    The body's first bytes arrive, the rest never does: the reader has to give up on
    its own. :meth:`stop` releases the waiting connection.
    """

    def __init__(self, status: int = 503, sent: bytes = b'{"error_code": "DMS.') -> None:
        self._status = status
        self._sent = sent
        self._release = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> StallingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._listener.close()
        self._thread.join(5)

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            conn, _ = self._listener.accept()
            with conn:
                conn.settimeout(10)
                conn.recv(65536)
                head = (
                    f"HTTP/1.1 {self._status} Stalled\r\nContent-Type: application/json\r\n"
                    f"Content-Length: 100000\r\n\r\n"
                ).encode()
                conn.sendall(head + self._sent)
                self._release.wait(10)
