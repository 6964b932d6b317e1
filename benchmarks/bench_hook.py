"""Benchmarks of the cloudstatus response hook, printed as a Markdown table.

Run from the repository root with the ``bench`` extra installed::

    python benchmarks/bench_hook.py

What it measures, each against its target (issue 9), the alternatives in the same run:

a. raise + catch of a 409 with a Huawei JSON body through ``raise_for_status``, vs
   google-api-core's ``from_http_response`` + raise + catch and keystoneauth1's
   ``from_response`` + raise + catch (requests' and httpx's own ``raise_for_status``
   as references), all on the same pre-built response: <= 0.5x;
b. the same, then reading every field and ``str(e)``, vs google-api-core and
   keystoneauth1 reading theirs: <= 1.5x; and, as a reference row, the same for a
   request signed with AK/SK as Huawei's SDK signs every call, whose credentials the
   hook finds and masks in everything the server says (google-api-core masks nothing);
c. the success path: a 2xx through a session with the hook vs the same session
   without it, over an in-memory transport adapter (no sockets): <= 1.02x;
d. import time: ``import cloudstatus`` after ``import requests``, fresh interpreters:
   <= 5%;
e. bytes an exception keeps alive while nobody reads it, vs google-api-core's;
f. peak memory while raising on a streamed 1 GiB error body from a loopback server
   running in a child process (so that only the client's allocations are traced).

Times are the fastest of interleaved ``timeit`` runs: interleaving makes drifts of the
machine (frequency scaling) hit every variant alike, and the fastest run is the one
other processes disturbed least, as timeit's documentation recommends (on a shared
machine, noise only ever adds time); compare ratios.
"""

from __future__ import annotations

import gc
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import timeit
import tracemalloc
import venv
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

import cloudstatus

URL = "https://dms.example.com/v2/proj-1/instances"
HUAWEI_409 = json.dumps(
    {"error_code": "DMS.00409001", "error_msg": "Instance name already exists."}
).encode()
MIB = 2**20


# --- helpers ---------------------------------------------------------------------------


def _samples(
    variants: dict[str, Callable[[], object]], number: int, repeat: int
) -> dict[str, list[float]]:
    """Seconds per call of each variant in each repeat, the variants' runs interleaved."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for fn in variants.values():  # warm caches and lazy imports before measuring
        timeit.timeit(fn, number=max(1, number // 10))
    for _ in range(repeat):
        for name, fn in variants.items():
            samples[name].append(timeit.timeit(fn, number=number) / number)
    return samples


def _interleaved(
    variants: dict[str, Callable[[], object]], number: int, repeat: int
) -> dict[str, float]:
    """Seconds per call of each variant: its fastest run."""
    samples = _samples(variants, number, repeat)
    return {name: min(values) for name, values in samples.items()}


def _raising(fn: Callable[[], object]) -> Callable[[], object]:
    """Wrap a call that raises so that raising and catching are both measured."""

    def call() -> object:
        try:
            fn()
        except requests.HTTPError as e:
            return e
        raise AssertionError("expected an exception")

    return call


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


# --- (a) success path ------------------------------------------------------------------


class MemoryAdapter(BaseAdapter):
    """A transport that answers every request with a fixed response, built in memory."""

    def __init__(self, status: int = 200, body: bytes = b'{"id": "i-1", "status": "RUNNING"}'):
        super().__init__()
        self.status = status
        self.body = body

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = requests.Response()
        response.status_code = self.status
        response.reason = "OK"
        response.headers = CaseInsensitiveDict(
            {"Content-Type": "application/json", "X-Request-Id": "r-1"}
        )
        response.raw = io.BytesIO(self.body)
        response.url = request.url or ""
        response.request = request
        response.connection = self
        return response

    def close(self) -> None:
        pass


def bench_success(number: int = 1000, repeat: int = 31) -> dict[str, float]:
    """Seconds per GET of a 2xx with and without the hook (fastest runs), and their ratio."""
    with requests.Session() as plain, requests.Session() as hooked:
        for s in (plain, hooked):
            s.mount("https://", MemoryAdapter())
        cloudstatus.install(hooked)
        assert plain.get(URL).status_code == hooked.get(URL).status_code == 200
        samples = _samples(
            {"hook": lambda: hooked.get(URL), "plain": lambda: plain.get(URL)}, number, repeat
        )
    ok = requests.Response()
    ok.status_code = 200
    direct = _interleaved({"direct": lambda: cloudstatus.raise_for_status(ok)}, 100_000, 5)
    hook, plain_time = min(samples["hook"]), min(samples["plain"])
    return {
        "hook": hook,
        "plain": plain_time,
        "ratio": hook / plain_time,
        "direct": direct["direct"],
    }


# --- (b) error mapping -----------------------------------------------------------------


def _error_response() -> requests.Response:
    """A 409 as it stands after requests read it: body in memory, request attached."""
    response = requests.Response()
    response.status_code = 409
    response.reason = "Conflict"
    response.headers = CaseInsensitiveDict(
        {
            "Content-Type": "application/json;charset=UTF-8",
            "X-Request-Id": "5b4c1e0a9d7f4e6a",
            "Retry-After": "5",
        }
    )
    response._content = HUAWEI_409
    response.url = URL
    response.request = requests.Request("POST", URL, json={"name": "x"}).prepare()
    response.encoding = "utf-8"
    return response


# What Huawei's SDK sends with every call (AK/SK signing): the secrets the hook masks.
SIGNED_HEADERS = {
    "Authorization": "SDK-HMAC-SHA256 Access=HPUABCDEFGHIJKLMN123, "
    "SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
    "Signature=5f2b0c7a9e1d4f3b8a6c2e0d9b7f5a3c1e8d6b4a2f0c9e7d5b3a1f8e6c4d2b0a",
    "X-Sdk-Date": "20261201T000000Z",
    "X-Project-Id": "proj-1",
    "User-Agent": "huaweicloud-usdk-python/3.0",
}


def _signed_error_response() -> requests.Response:
    """The 409 of :func:`_error_response` for a request signed as Huawei's SDK signs it."""
    response = _error_response()
    response.request = requests.Request(
        "POST", URL, json={"name": "x"}, headers=SIGNED_HEADERS
    ).prepare()
    return response


def _raised_by_ours(response: requests.Response) -> Callable[[], BaseException]:
    """Raise the mapped error for ``response`` through ``raise_for_status`` and catch it."""

    def call() -> BaseException:
        try:
            cloudstatus.raise_for_status(response)
        except cloudstatus.CloudStatusError as e:
            return e
        raise AssertionError("expected an exception")

    return call


def _caught(fn: Callable[[], BaseException]) -> Callable[[], BaseException]:
    """Raise what ``fn`` builds and catch it, as a caller's except clause would."""

    def call() -> BaseException:
        try:
            raise fn()
        except Exception as e:
            return e

    return call


def _read_ours(e: Any) -> tuple[Any, ...]:
    return (
        e.status_code,
        e.reason,
        e.method,
        e.url,
        e.service,
        e.error_code,
        e.error_message,
        e.request_id,
        e.details,
        e.retry_after,
        e.retryable,
        e.advice,
        e.retry_reason,
        e.rate_limit,
        e.error_info,
        str(e),
    )


def _read_google(e: Any) -> tuple[Any, ...]:
    return (
        e.code,
        e.message,
        e.errors,
        e.details,
        e.reason,
        e.domain,
        e.metadata,
        e.response,
        str(e),
    )


def _read_keystone(e: Any) -> tuple[Any, ...]:
    return (e.http_status, e.message, e.details, e.request_id, e.retry_after, e.url, str(e))


def _then(fn: Callable[[], Any], read: Callable[[Any], Any]) -> Callable[[], Any]:
    return lambda: read(fn())


def _httpx_response() -> Any:
    try:
        import httpx
    except ImportError:
        return None
    request = httpx.Request("POST", URL, json={"name": "x"})
    return httpx.Response(
        409,
        headers={"Content-Type": "application/json", "X-Request-Id": "5b4c1e0a9d7f4e6a"},
        content=HUAWEI_409,
        request=request,
    )


def bench_error_mapping(number: int = 3000, repeat: int = 15) -> dict[str, float]:
    """Seconds per error raised and caught (a), and with every field read (b)."""
    from google.api_core import exceptions as google_exceptions
    from keystoneauth1 import exceptions as keystone_exceptions

    response = _error_response()
    e = cloudstatus.error_from_response(response)
    assert isinstance(e, cloudstatus.ConflictError)
    assert (e.error_code, e.error_message, e.request_id, e.retry_after) == (
        "DMS.00409001",
        "Instance name already exists.",
        "5b4c1e0a9d7f4e6a",
        5.0,
    )

    ours = _raised_by_ours(response)
    ours_signed = _raised_by_ours(_signed_error_response())
    google = _caught(lambda: google_exceptions.from_http_response(response))
    keystone = _caught(lambda: keystone_exceptions.from_response(response, "POST", URL))
    variants: dict[str, Callable[[], object]] = {
        "cloudstatus": ours,
        "google-api-core": google,
        "keystoneauth1": keystone,
        "requests": _raising(response.raise_for_status),
        "cloudstatus + fields": _then(ours, _read_ours),
        "google-api-core + fields": _then(google, _read_google),
        "keystoneauth1 + fields": _then(keystone, _read_keystone),
        "cloudstatus + fields, signed request": _then(ours_signed, _read_ours),
    }
    httpx_response = _httpx_response()
    if httpx_response is not None:
        import httpx

        def httpx_raise() -> BaseException:
            try:
                httpx_response.raise_for_status()
            except httpx.HTTPStatusError as e:
                return e
            raise AssertionError("expected an exception")

        variants["httpx"] = httpx_raise
    return _interleaved(variants, number, repeat)


def bench_retained(count: int = 2000) -> dict[str, float]:
    """Bytes each unread exception keeps alive, beyond the response it shares."""
    from google.api_core import exceptions as google_exceptions

    response = _error_response()

    def build_ours() -> Any:
        try:
            cloudstatus.raise_for_status(response)
        except cloudstatus.CloudStatusError as e:
            e.__traceback__ = None
            return e
        raise AssertionError("expected an exception")

    def build_google() -> Any:
        e = google_exceptions.from_http_response(response)
        e.__traceback__ = None
        return e

    result = {}
    for name, build in (("cloudstatus", build_ours), ("google-api-core", build_google)):
        build()
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        kept = [build() for _ in range(count)]
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        result[name] = (after - before) / len(kept)
        del kept
    return result


# --- (d) import time -------------------------------------------------------------------

_IMPORT_PROBE = (
    "import time\n"
    "t0 = time.perf_counter()\n"
    "import requests\n"
    "t1 = time.perf_counter()\n"
    "import cloudstatus\n"
    "t2 = time.perf_counter()\n"
    "print(t1 - t0, t2 - t1)\n"
)


def bench_import(runs: int = 40) -> tuple[float, float]:
    """Median seconds of ``import requests`` and of ``import cloudstatus`` after it.

    Measured as a regular install sees it: a throwaway venv holds a byte-compiled copy
    of the package in its site-packages and reaches requests through a ``.pth`` line.
    A development checkout's editable install adds an import hook that costs time no
    user pays; it stays out of the measurement.
    """
    with tempfile.TemporaryDirectory() as tmp:
        venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(tmp)
        python = str(Path(tmp) / ("Scripts" if os.name == "nt" else "bin") / "python")
        purelib = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        shutil.copytree(
            Path(cloudstatus.__file__).resolve().parent,
            Path(purelib) / "cloudstatus",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        (Path(purelib) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        # pip compiles bytecode at install time; do the same, since the environment may
        # say PYTHONDONTWRITEBYTECODE and every run would then compile from source.
        subprocess.run(
            [python, "-m", "compileall", "-q", str(Path(purelib) / "cloudstatus")], check=True
        )
        command = [python, "-c", _IMPORT_PROBE]
        req, cs = [], []
        for _ in range(runs):
            # cwd=tmp: ``-c`` puts the working directory first on sys.path, and from
            # a checkout that would import the source tree instead of the copy.
            out = subprocess.run(
                command, check=True, capture_output=True, text=True, cwd=tmp
            ).stdout
            r, c = map(float, out.split())
            req.append(r)
            cs.append(c)
    return statistics.median(req), statistics.median(cs)


# --- (f) memory on a streamed 1 GiB error body -----------------------------------------

_SERVER = (
    "import sys\n"
    "from cloudstatus._loopback import LoopbackServer, Reply\n"
    "json = [('Content-Type', 'application/json')]\n"
    "routes = {\n"
    "    '/huge': Reply(409, json, stream_size=2**30),\n"
    '    \'/small\': Reply(409, json, body=b\'{"error_code": "E", "error_msg": "m"}\'),\n'
    "}\n"
    "with LoopbackServer(routes) as server:\n"
    "    print(server.url, flush=True)\n"
    "    sys.stdin.read()\n"
)


def _rss_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux only)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _measure_raise(session: requests.Session, url: str) -> tuple[int, int | None, float, int]:
    """Peak traced bytes, peak RSS growth (KiB), seconds, and bytes kept, for one raise."""
    gc.collect()
    rss_before = _rss_kib("VmRSS")
    rss_ok = _reset_peak_rss()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        session.get(url, stream=True, timeout=30)
    except cloudstatus.ConflictError as e:
        elapsed = time.perf_counter() - start
        kept = len(e.response.content)
        e.response.close()
    else:
        raise AssertionError("no ConflictError")
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    hwm = _rss_kib("VmHWM")
    rss = hwm - rss_before if rss_ok and hwm is not None and rss_before is not None else None
    return peak, rss, elapsed, kept


def bench_stream_memory(runs: int = 3) -> dict[str, Any]:
    """Peak memory raising on a 1 GiB streamed 409, and on a small one as the baseline."""
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        with requests.Session() as session:
            cloudstatus.install(session)
            _measure_raise(session, base_url + "/small")  # warm up imports and the pool
            small = [_measure_raise(session, base_url + "/small") for _ in range(runs)]
            huge = [_measure_raise(session, base_url + "/huge") for _ in range(runs)]
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()
    rss_small = [r[1] for r in small if r[1] is not None]
    rss_huge = [r[1] for r in huge if r[1] is not None]
    return {
        "traced_small": max(r[0] for r in small),
        "traced_huge": max(r[0] for r in huge),
        "rss_small_kib": max(rss_small) if rss_small else None,
        "rss_huge_kib": max(rss_huge) if rss_huge else None,
        "seconds": statistics.median(r[2] for r in huge),
        "kept": max(r[3] for r in huge),
    }


# --- report ----------------------------------------------------------------------------


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} us"


def _verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _row(
    key: str, what: str, ours: float, theirs: float, target: float | None, unit: str = "us"
) -> tuple[str, str, str, str, float, str, bool | None]:
    ratio = ours / theirs
    shown = (_us(ours), _us(theirs)) if unit == "us" else (f"{ours:.0f} B", f"{theirs:.0f} B")
    return (
        key,
        what,
        *shown,
        ratio,
        f"<= {target}x" if target else "(reference)",
        ratio <= target if target else None,
    )


def main() -> int:
    started = time.perf_counter()
    print("# cloudstatus hook benchmarks\n")
    print(
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs ({_cpu_model()}), "
        f"{platform.python_implementation()} {platform.python_version()}"
    )
    print(
        f"- versions: cloudstatus {cloudstatus.__version__}, requests {_version('requests')}, "
        f"urllib3 {_version('urllib3')}, httpx {_version('httpx')}, "
        f"google-api-core {_version('google-api-core')}, "
        f"keystoneauth1 {_version('keystoneauth1')}"
    )
    print(
        "- times are the fastest of interleaved timeit runs (a, b: 15 runs; c: 31 runs);"
        " import times: median of 40 fresh processes\n"
    )

    mapping = bench_error_mapping()
    success = bench_success()
    req_import, cs_import = bench_import()
    retained = bench_retained()
    memory = bench_stream_memory()

    ours = mapping["cloudstatus"]
    rows = [
        _row(
            "a", "409 raised and caught vs google-api-core", ours, mapping["google-api-core"], 0.5
        ),
        _row("a", "409 raised and caught vs keystoneauth1", ours, mapping["keystoneauth1"], 0.5),
        _row(
            "a",
            "409 raised and caught vs requests raise_for_status",
            ours,
            mapping["requests"],
            None,
        ),
    ]
    if "httpx" in mapping:
        rows.append(
            _row(
                "a", "409 raised and caught vs httpx raise_for_status", ours, mapping["httpx"], None
            )
        )
    full = mapping["cloudstatus + fields"]
    rows += [
        _row(
            "b",
            "the same + every field + str(e) vs google-api-core's",
            full,
            mapping["google-api-core + fields"],
            1.5,
        ),
        _row(
            "b",
            "the same + every field + str(e) vs keystoneauth1's",
            full,
            mapping["keystoneauth1 + fields"],
            1.5,
        ),
        _row(
            "b",
            "the same for a request signed with AK/SK (its credentials masked) vs"
            " google-api-core's",
            mapping["cloudstatus + fields, signed request"],
            mapping["google-api-core + fields"],
            None,
        ),
        (
            "c",
            "2xx GET through a session, hook vs no hook (in-memory adapter)",
            _us(success["hook"]),
            _us(success["plain"]),
            success["ratio"],
            "<= 1.02x",
            success["ratio"] <= 1.02,
        ),
    ]
    share = cs_import / req_import
    rows.append(
        (
            "d",
            "`import cloudstatus` added to `import requests` (fresh processes)",
            f"+{cs_import * 1e3:.1f} ms",
            f"{req_import * 1e3:.1f} ms",
            share,
            "<= 0.05x (5%)",
            share <= 0.05,
        )
    )
    rows.append(
        _row(
            "e",
            "bytes kept alive per unread exception vs google-api-core's",
            retained["cloudstatus"],
            retained["google-api-core"],
            1.0,
            unit="B",
        )
    )
    delta = memory["traced_huge"] - memory["traced_small"]
    rows.append(
        (
            "f",
            "peak traced memory raising on a streamed 1 GiB 409, over a small 409",
            f"{memory['traced_huge'] / MIB:.2f} MiB",
            f"{memory['traced_small'] / MIB:.2f} MiB",
            None,
            "<= +2 MiB",
            delta <= 2 * MIB,
        )
    )

    print("| | measurement | cloudstatus | baseline | ratio | target | met |")
    print("|---|---|---:|---:|---:|---|---|")
    for key, what, measured, baseline, ratio, target, ok in rows:
        shown = f"{ratio:.3f}x" if ratio is not None else "-"
        verdict = _verdict(ok) if ok is not None else "-"
        print(f"| {key} | {what} | {measured} | {baseline} | {shown} | {target} | {verdict} |")
    print()
    print(
        f"The hook itself on a 2xx (raise_for_status called directly): "
        f"{success['direct'] * 1e9:.0f} ns.\n"
    )
    print("Each variant (fastest run):")
    for name, seconds in mapping.items():
        print(f"- {name}: {_us(seconds)}")
    print(
        f"\n1 GiB streamed 409: raised in {memory['seconds'] * 1e3:.1f} ms (median), "
        f"{memory['kept']} bytes kept in e.response.content, "
        f"+{delta / 1024:.0f} KiB traced over the small body."
    )
    print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
