"""cloudstatus.huaweicloud against the real SDK packages and a loopback DMS / MPC."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Iterator

import pytest

pytest.importorskip("huaweicloudsdkcore")
pytest.importorskip("huaweicloudsdkkafka")
pytest.importorskip("huaweicloudsdkmpc")

import requests
from huawei_fake import (
    AK,
    INSTANCE,
    KAFKA_CREATE,
    KAFKA_LIST,
    KAFKA_SHOW,
    MPC_TRANSCODINGS,
    SK,
    FakeCloud,
    StallingServer,
    huawei_reply,
    problem_json,
)
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    SdkError,
    ServerResponseException,
)
from huaweicloudsdkkafka.v2 import (
    CreateInstanceByEngineReq,
    CreateInstanceByEngineRequest,
    DeleteInstanceRequest,
    ListInstancesRequest,
    ShowInstanceRequest,
)
from huaweicloudsdkmpc.v1 import ListTranscodingTaskRequest

import cloudstatus
from cloudstatus import huaweicloud
from cloudstatus._loopback import Reply, json_reply
from cloudstatus.services import dms, mpc

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def cloud() -> Iterator[FakeCloud]:
    with FakeCloud() as fake:
        yield fake
    assert fake.server.errors == []


@pytest.fixture(autouse=True)
def _fresh_routes(cloud: FakeCloud) -> None:
    cloud.reset()


@pytest.fixture(scope="module")
def kafka(cloud: FakeCloud):
    """A KafkaClient with cloudstatus installed for DMS, shared by the module."""
    client = huaweicloud.install(cloud.kafka(), service="dms")
    yield client
    huaweicloud.uninstall(client)
    client.close()


def create(client):
    body = CreateInstanceByEngineReq(name="orders", engine="kafka")
    return client.create_instance_by_engine(
        CreateInstanceByEngineRequest(engine="kafka", body=body)
    )


def list_instances(client):
    return client.list_instances(ListInstancesRequest())


def test_error_code_class_raised_from_create_instance_by_engine(cloud, kafka):
    """A user's error-code class is raised from the SDK call, also as the SDK's own exception."""

    class InstanceNameTaken(dms.ConflictError, error_code="DMS.00409001"):
        """The instance name is in use."""

    try:
        cloud.answer(
            KAFKA_CREATE,
            huawei_reply(409, "DMS.00409001", "Instance name exists.", request_id="5b4f0c1e"),
        )
        with pytest.raises(InstanceNameTaken) as info:
            create(kafka)
    finally:
        cloudstatus.default_registry.unregister(InstanceNameTaken)
    e = info.value
    assert isinstance(e, ClientRequestException)
    assert isinstance(e, dms.ConflictError)
    assert (e.status_code, e.error_code, e.request_id) == (409, "DMS.00409001", "5b4f0c1e")
    assert e.error_msg == e.error_message == "Instance name exists."
    assert e.encoded_auth_msg is None
    assert e.method == "POST"
    assert e.url.endswith(KAFKA_CREATE)
    assert e.retryable is False


def delete_instance(client):
    return client.delete_instance(DeleteInstanceRequest(instance_id=INSTANCE))


@pytest.mark.parametrize(
    ("path", "call"), [(KAFKA_LIST, list_instances), (KAFKA_SHOW, delete_instance)]
)
def test_429_on_get_or_delete_gives_too_many_requests_with_the_body(cloud, kafka, path, call):
    """A GET or DELETE answered 429 raises dms.TooManyRequestsError with code, id and delay."""
    reply = huawei_reply(
        429,
        "APIGW.0308",
        "Too many requests.",
        request_id="7c21aa09",
        headers=[("Retry-After", "2")],
    )
    cloud.answer(path, reply)
    with pytest.raises(dms.TooManyRequestsError) as info:
        call(kafka)
    e = info.value
    assert isinstance(e, ClientRequestException)
    assert (e.error_code, e.request_id, e.retry_after) == ("APIGW.0308", "7c21aa09", 2.0)
    assert e.retryable is True
    assert cloud.server.requests[-1].method == e.method


def test_the_sdk_alone_loses_a_429_on_get(cloud):
    """Measured: without install the SDK turns a GET's 429 into an error without the body."""
    client = cloud.kafka(exception_handler=huaweicloud.ExceptionHandler(service="dms"))
    cloud.answer(KAFKA_LIST, huawei_reply(429, "APIGW.0308", "slow", request_id="7c21aa09"))
    # Recent SDKs wrap requests' RetryError in a ClientRequestException; 3.1.150 did not.
    with pytest.raises((ClientRequestException, requests.exceptions.RetryError)) as info:
        list_instances(client)
    assert not isinstance(info.value, cloudstatus.CloudStatusError)
    assert "APIGW.0308" not in str(info.value)
    assert "7c21aa09" not in str(info.value)


def test_retries_the_sdk_was_told_to_make_still_happen(cloud):
    """With retry_times=1 the SDK repeats the 429 once, then the last one is raised."""
    client = huaweicloud.install(cloud.kafka(retry_times=1), service="dms")
    cloud.answer(
        KAFKA_LIST, huawei_reply(429, "APIGW.0308", "slow", headers=[("Retry-After", "0")])
    )
    before = len(cloud.server.requests)
    with pytest.raises(dms.TooManyRequestsError):
        list_instances(client)
    assert len(cloud.server.requests) - before == 2


def test_handler_from_the_builder_raises_the_bridged_class(cloud):
    """ExceptionHandler given to with_exception_handler maps a POST's error."""
    client = cloud.kafka(exception_handler=huaweicloud.ExceptionHandler(service="dms"))
    cloud.answer(KAFKA_CREATE, huawei_reply(409, "DMS.00409001", "exists", request_id="r1"))
    with pytest.raises(dms.ConflictError) as info:
        create(client)
    assert isinstance(info.value, ClientRequestException)
    assert info.value.request_id == "r1"


def test_problem_json_body(cloud, kafka):
    """An RFC 9457 body gives its title and detail, where the SDK kept the raw text."""
    cloud.answer(KAFKA_SHOW, problem_json(422, "Invalid spec", "partitions must be positive"))
    with pytest.raises(dms.UnprocessableContentError) as info:
        kafka.show_instance(ShowInstanceRequest(instance_id=INSTANCE))
    e = info.value
    assert e.error_code == "https://example.com/probs/x"
    assert "partitions must be positive" in e.error_msg
    assert "{" not in e.error_msg


def test_html_body(cloud, kafka):
    """An HTML error page becomes a short text message, not markup."""
    page = b"<html><head><title>502 Bad Gateway</title></head><body>" + b"<p>x</p>" * 500
    cloud.answer(KAFKA_LIST, Reply(502, headers=[("Content-Type", "text/html")], body=page))
    with pytest.raises(dms.BadGatewayError) as info:
        list_instances(kafka)
    e = info.value
    assert isinstance(e, ServerResponseException)
    assert "<" not in (e.error_msg or "")
    assert len(e.error_msg) <= 300


def test_five_megabyte_body_is_capped_and_not_held_in_memory(cloud):
    """A 5 MB error body is read at most max_body_bytes: message, content and memory stay small."""
    client = huaweicloud.install(cloud.kafka(), service="dms", max_body_bytes=4096)
    size = 5 * 1024 * 1024
    cloud.answer(KAFKA_LIST, Reply(400, headers=[("Content-Type", "text/plain")], stream_size=size))
    tracemalloc.start()
    try:
        with pytest.raises(dms.BadRequestError) as info:
            list_instances(client)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    e = info.value
    assert len(e.response.content) == 4096
    assert len(e.error_msg) <= 300
    assert peak < size // 4


def test_with_retry_repeats_a_503_through_the_bridged_error(cloud, kafka):
    """SyncInvoker.with_retry sees the bridged 503 as the SDK's error and repeats the call."""
    cloud.answer(
        KAFKA_LIST,
        huawei_reply(503, "DMS.00503001", "maintenance", headers=[("Retry-After", "1")]),
        huawei_reply(503, "DMS.00503001", "maintenance", headers=[("Retry-After", "1")]),
        then=json_reply(200, {"instance_num": 0, "instances": []}),
    )
    seen: list[BaseException] = []

    def condition(response, exc):
        if exc is not None:
            seen.append(exc)
        return isinstance(exc, ServerResponseException) and exc.status_code == 503

    invoker = kafka.list_instances_invoker(ListInstancesRequest())
    result = invoker.with_retry(condition, 3, _NoWait()).invoke()
    assert result.instance_num == 0
    assert len(seen) == 2
    assert all(isinstance(e, dms.ServiceUnavailableError) for e in seen)
    assert all(isinstance(e, ServerResponseException) for e in seen)


class _NoWait:
    def calculate_retry_delay_millis(self, retry_times: int) -> int:
        return 0


def test_mpc_client_with_service_mpc(cloud):
    """MPC's client resolves in the mpc namespace."""
    client = huaweicloud.install(cloud.mpc(), service="mpc")
    cloud.answer(
        MPC_TRANSCODINGS, huawei_reply(404, "MPC.10213", "task not found", request_id="3a9b7d11")
    )
    with pytest.raises(mpc.NotFoundError) as info:
        client.list_transcoding_task(ListTranscodingTaskRequest(task_id=[1]))
    assert (info.value.error_code, info.value.request_id) == ("MPC.10213", "3a9b7d11")
    assert isinstance(info.value, ClientRequestException)


def test_thread_pool_async_client_raises_from_result(cloud):
    """KafkaAsyncClient: the error is raised by the future's result(), bridged as well."""
    client = huaweicloud.install(cloud.kafka_async(), service="dms")
    cloud.answer(
        KAFKA_LIST,
        huawei_reply(429, "APIGW.0308", "slow", request_id="a1", headers=[("Retry-After", "3")]),
    )
    future = client.list_instances_async(ListInstancesRequest())
    with pytest.raises(dms.TooManyRequestsError) as info:
        future.result()
    assert (info.value.error_code, info.value.retry_after) == ("APIGW.0308", 3.0)
    assert isinstance(info.value, ClientRequestException)


def test_bridged_error_pickles(cloud, kafka):
    """A bridged error survives pickling: same class, same fields, SDK fields included."""
    cloud.answer(
        KAFKA_LIST,
        huawei_reply(
            403, "APIGW.0305", "denied", request_id="r9", encoded_authorization_message="ENC"
        ),
    )
    with pytest.raises(dms.ForbiddenError) as info:
        list_instances(kafka)
    e = info.value
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is type(e)
    assert isinstance(copy, ClientRequestException)
    fields = ("status_code", "error_code", "error_msg", "request_id", "encoded_auth_msg", "url")
    assert [getattr(copy, f) for f in fields] == [getattr(e, f) for f in fields]
    assert e.encoded_auth_msg == "ENC"


def test_credentials_echoed_by_the_server_are_masked(cloud, kafka):
    """The access key, the secret key and the signature never reach message, repr or dict."""
    cloud.server.route(
        KAFKA_LIST,
        lambda request: huawei_reply(
            401, "APIGW.0301", f"bad key {AK} {SK} {request.headers['authorization']}"
        ),
    )
    with pytest.raises(dms.UnauthorizedError) as info:
        list_instances(kafka)
    e = info.value
    signature = cloud.server.requests[-1].headers["authorization"].rsplit("=", 1)[1]
    texts = [str(e), repr(e), e.error_msg]
    if hasattr(e, "to_dict"):  # arrives with the core redesign (issue 9)
        texts.append(json.dumps(e.to_dict()))
    for text in texts:
        for secret in (AK, SK, signature):
            assert secret not in text


@pytest.mark.parametrize(
    ("exc", "cls", "code", "message"),
    [
        (
            ClientRequestException(
                409, SdkError(request_id="r1", error_code="DMS.00409001", error_msg="exists")
            ),
            dms.ConflictError,
            "DMS.00409001",
            "exists",
        ),
        (
            ClientRequestException(
                422,
                SdkError(
                    error_code="422",
                    error_msg=json.dumps({"title": "Invalid", "detail": "bad partitions"}),
                ),
            ),
            dms.UnprocessableContentError,
            None,
            "bad partitions",
        ),
        (
            ServerResponseException(
                502, SdkError(error_code="502", error_msg="<html><title>Bad gateway</title></html>")
            ),
            dms.BadGatewayError,
            None,
            "Bad gateway",
        ),
        (
            ClientRequestException(
                429,
                SdkError(request_id="", error_code="429", error_msg="too many 429 error responses"),
            ),
            dms.TooManyRequestsError,
            None,
            "too many 429 error responses",
        ),
    ],
    ids=["huawei-pair", "problem-json-raw", "html-raw", "sdk-retry-error"],
)
def test_translate_hand_built_sdk_exceptions(exc, cls, code, message):
    """translate() gives the class, code and message, re-parsing a raw body in error_msg."""
    e = huaweicloud.translate(exc, service="dms")
    assert type(e).__mro__[1] is cls or type(e) is cls
    assert isinstance(e, type(exc))
    assert e.error_code == code
    assert message in e.error_message
    assert e.request_id == (exc.request_id or None)


def test_translate_keeps_request_id_and_auth_message():
    """translate() carries the request id and encoded_auth_msg over."""
    sdk_error = SdkError(
        request_id="r7", error_code="APIGW.0305", error_msg="no", encoded_auth_msg="E"
    )
    e = huaweicloud.translate(ClientRequestException(403, sdk_error))
    assert isinstance(e, cloudstatus.ForbiddenError)
    assert (e.request_id, e.encoded_auth_msg, e.error_code) == ("r7", "E", "APIGW.0305")


def test_translate_bad_input():
    """translate() refuses what is not an SDK response error, and a non-error status."""
    with pytest.raises(TypeError, match="ClientRequestException"):
        huaweicloud.translate(ValueError("x"))
    with pytest.raises(ValueError, match="400-599"):
        huaweicloud.translate(ClientRequestException(200, SdkError()))
    already = cloudstatus.ConflictError()
    assert huaweicloud.translate(already) is already


@pytest.mark.parametrize("target", [requests.Session(), object(), "kafka"])
def test_install_refuses_what_is_not_an_sdk_client(target):
    """install() on anything else raises TypeError naming what it takes."""
    assert huaweicloud.is_client(target) is False
    with pytest.raises(TypeError, match="huaweicloudsdkcore Client"):
        huaweicloud.install(target)
    with pytest.raises(TypeError, match="huaweicloudsdkcore Client"):
        huaweicloud.uninstall(target)


def test_install_needs_a_built_client():
    """A client not built by its builder is a ValueError saying to build it."""
    from huaweicloudsdkkafka.v2 import KafkaClient

    with pytest.raises(ValueError, match="build"):
        huaweicloud.install(KafkaClient())


def test_install_names_the_sdk_version_when_internals_change(cloud, monkeypatch):
    """When the SDK's HttpClient lacks what install() changes, RuntimeError names the version."""
    client = cloud.kafka()
    monkeypatch.setattr(client.get_http_client(), "_session", None)
    with pytest.raises(RuntimeError, match=huaweicloud.sdk_version().replace(".", r"\.")):
        huaweicloud.install(client)


def test_install_is_idempotent_and_uninstall_restores(cloud):
    """Installing twice keeps one handler with the new options; uninstall gives the SDK back."""
    client = cloud.kafka()
    session = client.get_http_client()._session
    adapters = dict(session.adapters)
    huaweicloud.install(client, service="dms")
    huaweicloud.install(client, service="mpc")
    assert huaweicloud.is_client(client)
    cloud.answer(KAFKA_LIST, huawei_reply(404, "X.1", "gone"))
    with pytest.raises(mpc.NotFoundError):
        list_instances(client)
    huaweicloud.uninstall(client)
    assert huaweicloud.uninstall(client) is client
    assert dict(session.adapters) == adapters
    with pytest.raises(ClientRequestException) as info:
        list_instances(client)
    assert not isinstance(info.value, cloudstatus.CloudStatusError)


def test_unknown_option_and_service_are_refused(cloud):
    """Options are validated as for the requests hook."""
    with pytest.raises(TypeError, match="unknown option"):
        huaweicloud.ExceptionHandler(colour="red")
    with pytest.raises(LookupError):
        huaweicloud.install(cloud.kafka(), service="nope")


def test_untested_sdk_version_warns_once(monkeypatch):
    """An SDK version outside the tested range gives one RuntimeWarning naming it."""
    monkeypatch.setattr(huaweicloud, "_version_checked", False)
    monkeypatch.setattr(huaweicloud, "sdk_version", lambda: "3.0.1")
    with pytest.warns(RuntimeWarning, match=r"huaweicloudsdkcore 3\.0\.1"):
        huaweicloud.ExceptionHandler()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huaweicloud.ExceptionHandler()


def test_installed_sdk_is_in_the_tested_range():
    """The SDK the suite runs with is inside TESTED_SDK_VERSIONS."""
    low, below = huaweicloud.TESTED_SDK_VERSIONS
    key = huaweicloud._version_key
    assert key(low) <= key(huaweicloud.sdk_version()) < key(below)


def test_cloudstatus_install_dispatches_to_the_sdk_adapter(cloud):
    """cloudstatus.install(client, service="dms") installs this module's handler."""
    client = cloudstatus.install(cloud.kafka(), service="dms")
    cloud.answer(KAFKA_LIST, huawei_reply(429, "APIGW.0308", "slow"))
    with pytest.raises(dms.TooManyRequestsError):
        list_instances(client)


def test_import_cloudstatus_does_not_import_the_sdk():
    """The SDK stays optional: importing cloudstatus loads no huaweicloudsdk module."""
    code = (
        "import sys, cloudstatus, cloudstatus.services.dms\n"
        "print(sorted(m for m in sys.modules if m.startswith('huaweicloudsdk')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_install_gives_up_on_a_stalled_body_at_the_deadline(cloud):
    """A body that stalls mid-way is abandoned after max_body_seconds, with what arrived."""
    with StallingServer(503) as stall:
        client = huaweicloud.install(
            cloud.kafka(endpoint=stall.url), service="dms", max_body_seconds=0.3
        )
        start = time.monotonic()
        with pytest.raises(dms.ServiceUnavailableError) as info:
            list_instances(client)
        elapsed = time.monotonic() - start
    assert elapsed < 5  # the server holds the connection for 10 s
    assert info.value.response.content == b'{"error_code": "DMS.'


def test_handler_reads_an_unread_body_bounded():
    """Given a streamed response nobody read, the handler reads at most max_body_bytes."""
    with StallingServer(502, sent=b"x" * 5000) as stall:
        response = requests.get(stall.url + "/v2", stream=True, timeout=10)
        handler = huaweicloud.ExceptionHandler(max_body_bytes=1000, max_body_seconds=0.3)
        with pytest.raises(cloudstatus.BadGatewayError) as info:
            handler.handle_exception(response.request, response)
    assert info.value.response.content == b"x" * 1000
    assert isinstance(info.value, ServerResponseException)


def test_corrupt_gzip_body_still_raises_the_class(cloud, kafka):
    """A body that fails to decode gives the mapped class without the body's fields."""
    cloud.answer(KAFKA_LIST, Reply(400, body=b"{}", corrupt_gzip=True))
    with pytest.raises(dms.BadRequestError) as info:
        list_instances(kafka)
    assert info.value.error_code is None
    assert info.value.error_msg == "Bad Request"


def test_security_token_echo_is_masked(cloud):
    """Temporary credentials: an echoed X-Security-Token is masked in the message."""
    token = "temporary-security-token-0123456789"
    credentials = cloud.credentials().with_security_token(token)
    client = huaweicloud.install(cloud.kafka().with_credentials(credentials), service="dms")
    cloud.server.route(
        KAFKA_LIST,
        lambda request: huawei_reply(
            401, "APIGW.0307", f"token {request.headers['x-security-token']} expired"
        ),
    )
    with pytest.raises(dms.UnauthorizedError) as info:
        list_instances(client)
    assert cloud.server.requests[-1].headers["x-security-token"] == token
    assert token not in str(info.value)
    assert token not in info.value.error_msg


class _OddResponse:
    status_code = 500
    reason = "Broken"

    @property
    def headers(self):
        raise RuntimeError("no headers today")


def test_handler_never_raises_anything_but_the_mapped_error():
    """A response object that fails on every read still gives the class for its status."""
    handler = huaweicloud.ExceptionHandler(service="dms")
    with pytest.raises(dms.InternalServerError) as info:
        handler.handle_exception(None, _OddResponse())
    assert isinstance(info.value, ServerResponseException)
    assert repr(handler) == "<cloudstatus.huaweicloud.ExceptionHandler service='dms'>"


@pytest.mark.parametrize("status", [200, 302, "500", None])
def test_handler_ignores_what_is_not_an_error_status(status):
    """Below 400, or without an int status, the handler returns without raising."""
    response = requests.Response()
    response.status_code = status
    assert huaweicloud.ExceptionHandler().handle_exception(None, response) is None


def test_sdk_fields_can_be_set_like_the_sdks():
    """error_msg, encoded_auth_msg and request_id take assignments as the SDK's do."""
    e = huaweicloud.translate(ClientRequestException(404, SdkError(error_msg="gone")))
    e.error_msg = "replaced"
    e.encoded_auth_msg = "ENC"
    e.request_id = "r2"
    assert (e.error_msg, e.encoded_auth_msg, e.request_id) == ("replaced", "ENC", "r2")
    bare = huaweicloud._ClientRequestError.__new__(huaweicloud._ClientRequestError)
    with pytest.raises(AttributeError):
        bare.request_id  # noqa: B018
    assert (
        huaweicloud._ClientRequestError.request_id
        is vars(huaweicloud._ClientRequestError)["request_id"]
    )


def test_translate_accepts_a_text_status_and_bytes_message():
    """A status given as text and a body given as bytes are taken as the SDK would."""
    body = b'{"error_code": "DMS.00404001", "error_msg": "gone"}'
    e = huaweicloud.translate(ClientRequestException("404", SdkError(error_msg=body)))
    assert isinstance(e, cloudstatus.NotFoundError)
    assert (e.error_code, e.error_message) == ("DMS.00404001", "gone")


def test_no_warning_without_package_metadata(monkeypatch):
    """Run from a source tree without metadata, the version check stays silent."""

    def missing():
        raise huaweicloud.metadata.PackageNotFoundError("huaweicloudsdkcore")

    monkeypatch.setattr(huaweicloud, "_version_checked", False)
    monkeypatch.setattr(huaweicloud, "sdk_version", missing)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huaweicloud.ExceptionHandler()
    assert huaweicloud._version_checked is True


def test_other_adapters_are_left_alone_and_close_reaches_the_sdks(cloud):
    """install() wraps only the SDK's HTTP adapter; closing the client closes it."""
    client = cloud.kafka()
    session = client.get_http_client()._session
    other = requests.adapters.BaseAdapter()
    session.mount("mock://", other)
    sdk_adapter = session.adapters["http://"]
    huaweicloud.install(client)
    assert session.adapters["mock://"] is other
    assert session.adapters["http://"] is not sdk_adapter
    list_instances(client)
    assert len(sdk_adapter.poolmanager.pools) == 1
    client.close()
    assert len(sdk_adapter.poolmanager.pools) == 0


@pytest.mark.parametrize(
    ("body", "expected", "complete"),
    [(b"abc", b"abc", True), (b"x" * 40_000, b"x" * 1000, False)],
)
def test_read_capped_on_a_response_without_a_connection(body, expected, complete):
    """A response over a plain file object is read and capped the same way."""
    response = requests.Response()
    response.status_code = 500
    response.raw = io.BytesIO(body)
    assert huaweicloud.read_capped(response, 1000, 5.0) == (expected, complete)
    assert response.content == expected
