"""Fuzz the error mapping with a million generated responses and count what went wrong.

Run from the repository root::

    python benchmarks/fuzz_hook.py            # 1,000,000 responses
    python benchmarks/fuzz_hook.py --count 20000 --seed 7

Each response (a status, headers and a body built from real-world shapes, then
mutated at random: cut, flipped bytes, odd charsets, a request credential echoed
somewhere) goes through ``raise_for_status`` on a :class:`requests.Response`, and
every field, ``str``, ``repr`` and ``to_dict`` of the error is read; one in fifty is
pickled too. It prints four counts, each of which should be zero:

- escapes: anything raised other than the mapped error;
- wrong classes: a class whose status or family contradicts the response;
- slow calls: responses that took more than 100 ms to map and read;
- leaks: a credential of the request found in anything the error shows.

The generator is seeded, so a count that is not zero can be replayed.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import time

import requests
from requests.structures import CaseInsensitiveDict

import cloudstatus

TOKEN = "tok-Fz9w8v7u6t"
PASSWORD = "pw-Qx4r3e2w1"
FIELDS = (
    "status_code",
    "reason",
    "method",
    "url",
    "error_code",
    "error_message",
    "request_id",
    "details",
    "retry_after",
    "retryable",
    "advice",
    "retry_reason",
    "rate_limit",
    "error_info",
)
BODIES = [
    '{"error_code": "DMS.00409001", "error_msg": "exists"}',
    '{"error": {"code": 404, "message": "gone", "status": "NOT_FOUND", "details": '
    '[{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3s"}]}}',
    '{"type": "about:blank", "title": "t", "status": 409, "detail": "d"}',
    '{"errors": [{"status": 409, "code": "x.y", "title": "Conflict", "detail": "d"}]}',
    '{"faultcode": "Client", "faultstring": "Node could not be found.", "debuginfo": null}',
    '{"itemNotFound": {"message": "m", "code": 404}}',
    '{"error": "invalid_grant", "error_description": "expired"}',
    "<Error><Code>NoSuchKey</Code><Message>m</Message><RequestId>r</RequestId></Error>",
    "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
    "plain text failure",
    "",
    "[" * 700 + "]" * 700,
    '{"a": ' * 300 + "1" + "}" * 300,
]
CHARSETS = [
    "",
    "; charset=utf-8",
    "; charset=latin-1",
    "; charset=utf-16",
    "; charset=punycode",
    "; charset=nonsense",
    "; charset=gbk",
]
TYPES = [
    "application/json",
    "application/problem+json",
    "application/xml",
    "text/html",
    "text/plain",
    "",
    "application/octet-stream",
]
HEADER_POOL = [
    ("Retry-After", ["1", "1, 1", "soon", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999"]),
    ("X-Request-Id", ["req-1", "", "\x00\x1b[31m", TOKEN]),
    ("X-RateLimit-Remaining", ["0", "-1", "many"]),
    ("X-Apig-RateLimit-Api", ["remain:0,limit:10,time:1 minute", "garbage"]),
    ("Set-Cookie", [f"sid={TOKEN}"]),
]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    choice = rng.random()
    if choice < 0.5 or not data:
        return data
    if choice < 0.7:
        return data[: rng.randrange(len(data))]
    if choice < 0.9:
        raw = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return bytes(raw)
    return data + bytes(rng.randrange(256) for _ in range(rng.randint(1, 30)))


def _response(rng: random.Random) -> requests.Response:
    text = rng.choice(BODIES)
    if rng.random() < 0.3:  # the server echoes a credential of the request
        echo = rng.choice([TOKEN, PASSWORD, TOKEN[:5] + "\u200b" + TOKEN[5:]])
        text = text.replace("exists", echo).replace("gone", echo).replace("m<", echo + "<")
        text = text.replace("plain text", echo)
    response = requests.Response()
    response.status_code = rng.choice(
        [300, 301, 400, 401, 404, 409, 418, 420, 429, 499, 500, 503, 520, 599, 600, 999]
    )
    headers = {"Content-Type": rng.choice(TYPES) + rng.choice(CHARSETS)}
    for name, values in HEADER_POOL:
        if rng.random() < 0.3:
            headers[name] = rng.choice(values)
    response.headers = CaseInsensitiveDict(headers)
    response._content = _mutate(rng, text.encode("utf-8", "surrogatepass"))
    response.reason = rng.choice(["Conflict", "Komponenttia ei löydy", "", "x" * 500])
    url = f"https://alice:{PASSWORD}@dms.example.com/v2/i?token={TOKEN}"
    request = requests.Request(rng.choice(["GET", "POST", "HEAD"]), url)
    request.headers["Authorization"] = f"Bearer {TOKEN}"
    response.request = request.prepare()
    response.url = url
    return response


def _wrong_class(e: cloudstatus.CloudStatusError, status: int) -> bool:
    cls = type(e)
    if cls.status_code is not None:
        return cls.status_code != status
    return cls._family_digit is not None and cls._family_digit != status // 100


def _shown(e: cloudstatus.CloudStatusError, pickled: bool) -> str:
    parts = [repr(getattr(e, name)) for name in FIELDS]
    parts += [str(e), repr(e), json.dumps(e.to_dict())]
    if pickled:
        parts.append(pickle.dumps(e).decode("latin-1"))
    return "\n".join(parts)


def run(count: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    services = [None, "dms", "mpc"]
    counts = {
        "responses": 0,
        "raised": 0,
        "escapes": 0,
        "wrong classes": 0,
        "slow calls": 0,
        "leaks": 0,
    }
    for index in range(count):
        response = _response(rng)
        status = response.status_code
        service = services[index % 3]
        start = time.perf_counter()
        try:
            cloudstatus.raise_for_status(response, service=service)
        except cloudstatus.CloudStatusError as e:
            counts["raised"] += 1
            try:
                shown = _shown(e, pickled=index % 50 == 0)
            except Exception:  # reading a field failed: count it as an escape
                counts["escapes"] += 1
            else:
                if TOKEN in shown or PASSWORD in shown:
                    counts["leaks"] += 1
            if _wrong_class(e, status):
                counts["wrong classes"] += 1
        except Exception:
            counts["escapes"] += 1
        if time.perf_counter() - start > 0.1:
            counts["slow calls"] += 1
        counts["responses"] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="responses to generate")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generator")
    args = parser.parse_args()
    started = time.perf_counter()
    counts = run(args.count, args.seed)
    print(f"# fuzzing the error mapping: {args.count} responses, seed {args.seed}\n")
    print("| count | value |")
    print("|---|---:|")
    for name, value in counts.items():
        print(f"| {name} | {value} |")
    print(f"\n{time.perf_counter() - started:.0f} s")
    bad = counts["escapes"] + counts["wrong classes"] + counts["slow calls"] + counts["leaks"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
