"""The shortcuts of cloudstatus._redact answer exactly as the general path does, on both sides."""

from __future__ import annotations

from collections import UserString

import pytest
from requests.structures import CaseInsensitiveDict

from cloudstatus import _redact
from cloudstatus._redact import clean_text, redact_url, scrub, scrub_value, secret_values

# --- clean_text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Instance name already exists.", "Instance name already exists.", id="ascii"),
        pytest.param("Komponenttia ei löydy", "Komponenttia ei löydy", id="non-ascii-clean"),
        pytest.param("in\u00advisible", "invisible", id="non-ascii-soft-hyphen"),
        pytest.param("zero\u200bwidth", "zerowidth", id="non-ascii-zero-width"),
        pytest.param("tab\there", "tab here", id="ascii-control"),
        pytest.param("two  spaces", "two spaces", id="ascii-double-space"),
        pytest.param(" padded", "padded", id="ascii-padded"),
        pytest.param("", "", id="empty"),
    ],
)
def test_clean_text_skips_the_invisible_search_only_for_ascii(text: str, expected: str) -> None:
    """ASCII text takes the shortcut, other text is still searched for invisible characters."""
    assert clean_text(text) == expected


def test_clean_text_shortcut_keeps_the_length_limit() -> None:
    """A clean ASCII line longer than the limit is still cut."""
    assert clean_text("a" * 20, 14) == "a… [+19 chars]"
    assert clean_text("a" * 14, 14) == "a" * 14


def test_clean_text_reads_what_is_not_an_exact_str_as_before() -> None:
    """None, other objects and str subclasses pass the exact-str test by its other side."""

    class Text(str):
        pass

    assert clean_text(None) == ""
    assert clean_text(409) == "409"
    kept = Text("Instance name already exists.")
    assert clean_text(kept) is kept
    assert clean_text(Text(" padded  text ")) == "padded text"


# --- redact_url and scrub --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://h/x", "https://h/x", id="str"),
        pytest.param(b"https://u:p@h/x", "https://***@h/x", id="bytes"),
        pytest.param(None, "", id="none"),
    ],
)
def test_redact_url_converts_only_what_is_not_a_str(url: object, expected: str) -> None:
    """A str is read as it is; bytes and None are converted first."""
    assert redact_url(url) == expected  # type: ignore[arg-type]


def test_scrub_with_an_empty_tuple_returns_the_text_itself() -> None:
    """No secrets (what secret_values gives without credentials): the same object comes back."""
    text = "a message with tok-123456 in it"
    assert scrub(text, ()) is text
    assert scrub(text, []) is text
    assert scrub_value({"m": text}, ()) == {"m": text}
    assert scrub(text, ("tok-123456",)) == "a message with *** in it"


# --- secret_values ---------------------------------------------------------------------

URL = "https://dms.example.com/v2/proj-1/instances"


def test_a_request_without_credentials_has_no_secrets() -> None:
    """Known harmless headers are skipped, and nothing found gives an empty tuple."""
    headers = CaseInsensitiveDict({"Content-Length": "13", "Content-Type": "application/json"})
    assert secret_values(URL, headers) == ()
    assert secret_values(URL, headers) == ()  # the names are known now
    assert secret_values(URL, {"short": "x"}, ("abc",)) == ()  # found, but too short


def test_a_header_name_known_harmless_is_still_read_as_bytes_or_secret() -> None:
    """The memo skips only exact str names it decided harmless."""
    secret_values(URL, {"accept": "text/plain"})
    assert secret_values(URL, {b"authorization": b"Bearer tok-abcdef"}) == (
        "Bearer tok-abcdef",
        "tok-abcdef",
    )
    assert secret_values(URL, {"x-auth-token": "tok-abcdef", "accept": "abcdefgh"}) == (
        "tok-abcdef",
    )


def test_short_values_are_dropped_from_the_end_of_the_longest_first_order() -> None:
    """Values under six characters go, whether some longer ones stay or none do."""
    assert secret_values("https://alice:pw-secret-1@h/", {}) == ("pw-secret-1",)
    assert secret_values("https://alice:pw@h/", {}) == ()
    assert secret_values(URL, {}, ("bb-long", "aa-long", "short", "x")) in (
        ("bb-long", "aa-long"),
        ("aa-long", "bb-long"),
    )


def test_the_header_name_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Made-up header names cannot grow the memo past its size; answers stay right."""
    monkeypatch.setattr(_redact, "_HARMLESS_HEADER_NAMES", set())
    monkeypatch.setattr(_redact, "_SECRET_HEADER_NAMES", set())
    monkeypatch.setattr(_redact, "_HEADER_NAMES_SIZE", 8)
    for index in range(50):
        assert secret_values(URL, {f"X-Name-{index}": "harmless-value"}) == ()
        assert len(_redact._HARMLESS_HEADER_NAMES) <= 8
        assert secret_values(URL, {f"X-Token-{index}": f"token-{index:06}"}) == (
            f"token-{index:06}",
        )
        assert len(_redact._SECRET_HEADER_NAMES) <= 8
    assert secret_values(URL, {"X-Api-Key": "key-123456"}) == ("key-123456",)
    assert _redact._is_secret_header("X-Name-1") is False
    assert _redact._is_secret_header(" Cookie ") is True
    assert _redact._is_secret_header(" Cookie ") is True  # now from the memo
    assert _redact._SECRET_HEADER_NAMES.isdisjoint({"key-123456", "harmless-value"})


class _OddName(str):
    """A header name that lowercases to a secret one: answered apart from the plain name."""

    def strip(self, chars: str | None = None) -> str:
        return "authorization"


def test_a_str_subclass_header_name_is_not_answered_from_the_plain_names_memo() -> None:
    """The memo holds exact str names only; a subclass equal to one gets its own answer."""
    assert _redact._is_secret_header("x-odd-name") is False
    assert _redact._is_secret_header(_OddName("x-odd-name")) is True
    assert _redact._is_secret_header("x-odd-name") is False


# --- secret_values: requests' headers read from their _store ----------------------------

BEARER = "Bearer tok-abcdefgh"
BEARER_SECRETS = ("Bearer tok-abcdefgh", "tok-abcdefgh")


def _requests_headers(**extra: str) -> CaseInsensitiveDict[str]:
    headers = CaseInsensitiveDict({"Content-Length": "13", "Content-Type": "application/json"})
    headers.update(extra)
    return headers


def test_requests_headers_are_learnt_and_read_like_any_mapping() -> None:
    """requests' class is remembered, and its headers give what a dict of them gives."""
    headers = _requests_headers(Authorization=BEARER, Accept="*/*")
    assert secret_values(URL, headers) == BEARER_SECRETS
    assert _redact._requests_headers is CaseInsensitiveDict
    assert secret_values(URL, headers) == secret_values(URL, dict(headers.lower_items()))
    assert secret_values(URL, _requests_headers()) == ()


class _RequestsSubclass(CaseInsensitiveDict):  # type: ignore[type-arg]
    def lower_items(self):  # type: ignore[no-untyped-def]
        return iter([("authorization", "Bearer from-the-subclass")])


def test_what_may_not_behave_like_requests_headers_is_read_through_lower_items() -> None:
    """A subclass, or an object of requests' class with its own lower_items, is asked."""
    secret_values(URL, _requests_headers())  # the class is learnt
    assert secret_values(URL, _RequestsSubclass({"Authorization": BEARER})) == (
        "Bearer from-the-subclass",
        "from-the-subclass",
    )
    headers = _requests_headers(Authorization=BEARER)
    headers.lower_items = lambda: iter([("x-auth-token", "own-token-1")])  # type: ignore[method-assign]
    assert secret_values(URL, headers) == ("own-token-1",)


@pytest.mark.parametrize(
    ("store", "expected"),
    [
        pytest.param({"authorization": ("A", BEARER)}, BEARER_SECRETS, id="plain-dict"),
        pytest.param([("authorization", ("A", BEARER))], (), id="not-a-dict"),
        pytest.param({b"authorization": ("A", BEARER)}, BEARER_SECRETS, id="bytes-name"),
        pytest.param({"authorization": ("A", BEARER.encode())}, BEARER_SECRETS, id="bytes-value"),
        pytest.param({"authorization": ("A", 5)}, (), id="int-value"),
        pytest.param({"authorization": ["A", BEARER]}, BEARER_SECRETS, id="list-pair"),
        pytest.param({"authorization": ("A", BEARER, "c")}, BEARER_SECRETS, id="three-tuple"),
        pytest.param(
            {
                "x-auth-token": ("X", "first-token"),
                "accept": ("only",),
                "cookie": ("C", "a=bcdefgh"),
            },
            ("first-token",),
            id="short-tuple-stops-the-reading",
        ),
        pytest.param({"accept": ("A", "*/*"), 5: ("N", BEARER)}, (), id="int-name"),
    ],
)
def test_a_changed_store_is_read_as_lower_items_reads_it(
    store: dict[object, object] | list[object], expected: tuple[str, ...]
) -> None:
    """Whatever _store holds, the answer is the one lower_items() leads to."""
    from collections import OrderedDict

    secret_values(URL, _requests_headers())  # the class is learnt
    headers = _requests_headers()
    headers._store = OrderedDict(store) if isinstance(store, dict) and len(store) > 1 else store
    assert secret_values(URL, headers) == expected
    if isinstance(store, dict) and len(store) == 1:
        headers._store = OrderedDict(store)  # the same through the fast path's guards
        assert secret_values(URL, headers) == expected


def test_a_str_subclass_value_in_requests_headers_is_read_as_before() -> None:
    """A value that is not an exact str leaves the fast path, and still counts."""

    class Value(str):
        pass

    headers = _requests_headers(Authorization=Value(BEARER))
    assert secret_values(URL, headers) == BEARER_SECRETS


def test_only_requests_own_class_is_learnt(monkeypatch: pytest.MonkeyPatch) -> None:
    """A class of the same name from elsewhere, or one whose attributes fail, is not learnt."""
    monkeypatch.setattr(_redact, "_requests_headers", None)

    class CaseInsensitiveDict(dict):  # type: ignore[type-arg]
        def lower_items(self):  # type: ignore[no-untyped-def]
            return iter(self.items())

    assert secret_values(URL, CaseInsensitiveDict(authorization=BEARER)) == BEARER_SECRETS
    assert _redact._requests_headers is None

    class Odd(type):
        def __getattribute__(cls, name: str) -> object:
            if name == "__qualname__":
                raise RuntimeError("no name")
            return super().__getattribute__(name)

    _redact._learn_requests_headers(Odd("X", (), {"__module__": "requests.structures"}))
    assert _redact._requests_headers is None


# --- _header_secrets: shortcuts for exact str values -----------------------------------


class _KeepStrip(str):
    """A value whose strip() keeps the subclass: the shortcuts must not be taken."""

    def strip(self, chars: str | None = None) -> _KeepStrip:
        return _KeepStrip(str.strip(self, chars))


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("Bearer tok-abcdefgh", id="bearer"),
        pytest.param("Bearer dG9rLWFiY2RlZmdo==", id="bearer-padded"),
        pytest.param("AWS AKIDEXAMPLE99:frJIUN8DYpKDtOLCwo", id="pair"),
        pytest.param("AWS AKIDEXAMPLE99:frJIUN8DYp=", id="pair-with-equals"),
        pytest.param(
            "SDK-HMAC-SHA256 Access=AKIDEXAMPLE12, SignedHeaders=host;x-sdk-date, "
            "Signature=abcdef0123456789",
            id="huawei",
        ),
        pytest.param('SDK-HMAC-SHA256 Access=AK%2BID+X,,Signature="quo+ted%41"', id="encoded"),
        pytest.param("SDK-HMAC-SHA256 Access=AKID+plus, Signature=abc+def/ghi", id="plus"),
        pytest.param(
            "SDK-HMAC-SHA256\u2003Access=AKIDwide\x1cSignature=sep-1c", id="unicode-space"
        ),
        pytest.param("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/r/s/aws4_request", id="aws"),
    ],
)
def test_exact_str_values_give_what_the_general_steps_give(value: str) -> None:
    """The shortcuts of an exact str value skip only what would add nothing new."""
    fast: set[str] = set()
    general: set[str] = set()
    _redact._header_secrets("authorization", value, fast)
    _redact._header_secrets("authorization", _KeepStrip(value), general)
    assert fast == general
    assert secret_values(URL, {"Authorization": value}) == secret_values(
        URL, {"Authorization": _KeepStrip(value)}
    )


def test_the_extras_are_read_unless_an_exact_empty_tuple() -> None:
    """An empty tuple adds nothing; an empty list, a lone string and a tuple are read."""
    assert secret_values(URL, {}, ()) == ()
    assert secret_values(URL, {}, []) == ()
    assert secret_values(URL, {}, ("pw-secret-1",)) == ("pw-secret-1",)
    assert secret_values(URL, {}, "pw-secret-1") == ("pw-secret-1",)


# --- scrub: the forms of a tuple of secrets, and the smallest forms ----------------------


def _reference_scrub(text: str, secrets: tuple[str, ...]) -> str:
    """scrub without its shortcuts: every form searched, the forms built from the
    canonical key (the secrets sorted, deduplicated, the unusable ones left out)."""
    usable = tuple(sorted({s for s in secrets if isinstance(s, str) and s}))
    if not usable:
        return text
    forms = _redact._forms.__wrapped__(usable)
    visible = _redact._visible(text)
    folded = visible.lower() if visible.isascii() else visible.translate(_redact._ASCII_LOWER)
    spans = sorted(
        (start, start + len(form))
        for form in forms
        for start in range(len(folded))
        if folded.startswith(form, start)
    )
    if not spans:
        return text
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, position = [], 0
    for start, end in merged:
        pieces += (visible[position:start], _redact.REDACTED)
        position = end
    return "".join([*pieces, visible[position:]])


_SIGNED = secret_values(
    "https://dms.example.com/v2/p/instances?token=tok-123456789",
    {
        "Authorization": "SDK-HMAC-SHA256 Access=HPUABCDEFGHIJKLMN123, "
        "SignedHeaders=content-type;host;x-sdk-date, Signature=5f2b0c7a9e1d4f3b8a6c2e0d9b7f",
        "Cookie": "session=s3cr3t/value+1; theme=dark",
    },
    ("p@ss word/é",),
)


def _echoes(secrets: tuple[str, ...]) -> list[str]:
    """Texts echoing the secrets in each of their forms, in parts, overlapping, or not."""
    texts = ["Instance name already exists.", "", "nothing here, Ünïcödé", "*" * 40]
    for secret in secrets:
        for form in _redact._forms.__wrapped__((secret,)):
            texts += [
                f"bad {form}!",
                f"{form.upper()}{form}",
                f"half {form[: len(form) // 2]} only",
                f"split {form[:3]}\u200b{form[3:]} by an invisible character",
            ]
    texts.append(" ".join(secrets))  # neighbours that overlap once joined
    texts.append("".join(reversed(secrets)))
    return texts


@pytest.mark.parametrize("secrets", [_SIGNED, _SIGNED[::-1], ("abcdef", "defghi", "cdefgh")])
def test_scrub_with_its_shortcuts_masks_exactly_what_every_form_search_masks(
    secrets: tuple[str, ...],
) -> None:
    """The smallest-forms test and the tuple key change no result, echo or not."""
    for text in _echoes(secrets):
        assert scrub(text, secrets) == _reference_scrub(text, secrets), text


def test_every_form_contains_one_of_the_smallest() -> None:
    """What the prefilter relies on, for a real signed request's secrets."""
    forms = _redact._forms_of(_SIGNED)
    assert forms.smallest and set(forms.smallest) <= set(forms)
    assert len(forms.smallest) < len(forms)
    assert all(any(small in form for small in forms.smallest) for form in forms)
    assert list(forms) == sorted(forms, key=len, reverse=True)


@pytest.mark.parametrize(
    "secrets",
    [
        ("secret-one", 17, None, b"bytes-secret", "", "secret-two"),  # unusable members
        ("secret-two", "secret-one", "secret-one"),  # another order, a repeat
        (["unhashable"], "secret-one", "secret-two"),
    ],
)
def test_a_tuple_of_secrets_gives_the_forms_of_its_usable_strings(
    secrets: tuple[object, ...],
) -> None:
    """Whatever else a tuple holds, its usable strings decide the forms."""
    usable = tuple(sorted({s for s in secrets if isinstance(s, str) and s}))
    expected = _redact._forms.__wrapped__(usable)
    forms = _redact._forms_of(secrets)  # type: ignore[arg-type]
    assert set(forms) == set(expected)
    assert set(forms.smallest) == set(expected.smallest)
    text = "echo of secret-one and Secret-Two%0A"
    assert scrub(text, secrets) == scrub(text, usable) == "echo of *** and ***%0A"  # type: ignore[arg-type]


def test_secret_values_marks_exact_strings_as_their_own_key() -> None:
    """Only secret_values' tuple of exact strings is read as a key as it stands."""
    found = secret_values("https://h/p?token=tok-123456789", {}, ())
    assert type(found) is _redact._Secrets and found == ("tok-123456789",)

    class Text(str):
        pass

    with_subclass = secret_values(None, {}, (Text("pw-Hunter2-9Z"),))  # copied as text
    assert type(with_subclass) is _redact._Secrets and with_subclass == ("pw-Hunter2-9Z",)
    assert all(type(secret) is str for secret in with_subclass)
    assert scrub("bad pw-Hunter2-9Z", with_subclass) == "bad ***"
    as_given = ("pw-Hunter2-9Z", Text("tok-123456789"))  # not secret_values' own
    assert scrub("bad tok-123456789", as_given) == "bad ***"
    assert type(secret_values(None, {}, ())) is tuple


class _Hashless:
    def __hash__(self) -> int:
        raise ValueError("no hash")


@pytest.mark.parametrize("odd", [UserString("tok-Zq81sEcret"), _Hashless()])
def test_an_odd_secret_neither_raises_nor_poisons_the_forms_of_a_string(odd: object) -> None:
    """An object equal to a secret's text (UserString) or one whose hash raises, passed
    to scrub directly, is skipped; the string's own forms still mask it afterwards."""
    token = "tok-Zq81sEcret"
    _redact._forms.cache_clear()
    assert scrub("anything", (odd,)) == "anything"  # type: ignore[arg-type]
    assert scrub(f"echo {token}", (odd, token)) == "echo ***"  # type: ignore[arg-type]
    assert scrub(f"echo {token}", (token,)) == "echo ***"
    assert _redact.scrub_is_stable((odd,))  # type: ignore[arg-type]
    assert scrub_value({"m": f"echo {token}"}, (odd, token)) == {"m": "echo ***"}  # type: ignore[arg-type]
    found = secret_values(None, {"X-Auth-Token": token}, ())
    assert scrub(f"echo {token}", found) == "echo ***"


def test_no_secrets_have_no_forms() -> None:
    """An empty tuple, only unusable members, or no iterable at all: nothing is masked."""
    for secrets in [(), ("",), (None, 3), 42, iter(())]:
        forms = _redact._forms_of(secrets)  # type: ignore[arg-type]
        assert forms == () and forms.smallest == ()
        assert scrub("some text", secrets) == "some text"  # type: ignore[arg-type]


# --- scrub_is_stable ---------------------------------------------------------------------


@pytest.mark.parametrize("secrets", [_SIGNED, ("abcdef", "defghi", "cdefgh"), ("pass%word",)])
def test_stable_secrets_mask_nothing_more_the_second_time(secrets: tuple[str, ...]) -> None:
    """What scrub_is_stable promises: scrubbing a scrubbed text gives it back."""
    assert _redact.scrub_is_stable(secrets)
    for text in _echoes(secrets):
        once = scrub(text, secrets)
        assert scrub(once, secrets) == once, text


def test_a_secret_with_a_star_is_not_stable() -> None:
    """A masked neighbour can complete a form holding "*": a second scrub masks more."""
    secrets = ("Secret1xyz", "ab***c")
    once = scrub("abSecret1xyzc", secrets)
    assert once == "ab***c"
    assert scrub(once, secrets) == "***"
    assert not _redact.scrub_is_stable(secrets)
    assert _redact.scrub_is_stable(secrets[:1])


# --- scrub_value_with ----------------------------------------------------------------------


def test_scrub_value_with_reads_and_fills_the_texts_scrubbed_already() -> None:
    """Exact strs are answered from ``scrubbed`` and added to it; the result is scrub_value's."""
    secrets = ("Secret1xyz",)
    details = {"code": "E.1", "msg": "bad Secret1xyz", "list": ["bad Secret1xyz", 7]}
    scrubbed: dict[str, str] = {}
    result = _redact.scrub_value_with(details, secrets, scrubbed)
    assert result == scrub_value(details, secrets)
    assert result == {"code": "E.1", "msg": "bad ***", "list": ["bad ***", 7]}
    assert scrubbed == {"E.1": "E.1", "bad Secret1xyz": "bad ***"}
    # What is there is taken as it stands: the table is consulted, not recomputed.
    assert _redact.scrub_value_with(["E.1"], secrets, {"E.1": "given"}) == ["given"]


def test_scrub_value_with_leaves_str_subclasses_out_of_the_table() -> None:
    """A str subclass may compare or hash as it likes: it is scrubbed on its own."""

    class Text(str):
        pass

    secrets = ("Secret1xyz",)
    scrubbed = {"bad Secret1xyz": "wrong"}
    assert _redact.scrub_value_with([Text("bad Secret1xyz")], secrets, scrubbed) == ["bad ***"]
    assert scrubbed == {"bad Secret1xyz": "wrong"}
    assert _redact.scrub_value_with("x", (), scrubbed) == "x"  # no secrets: as given


# --- secrets that are str subclasses with methods of their own -------------------------


class _ContainsTrue(str):
    """Lowers to itself and claims to contain anything."""

    def translate(self, table: object) -> str:  # type: ignore[override]
        return self

    def __contains__(self, other: object) -> bool:
        return str.__contains__(self, other) if other == " " else True  # type: ignore[arg-type]


class _ContainsRaises(str):
    def translate(self, table: object) -> str:  # type: ignore[override]
        return self

    def __contains__(self, other: object) -> bool:
        if other == " ":
            return str.__contains__(self, other)
        raise RuntimeError("contains")


class _HashAs(str):
    """Hashes and compares like another text."""

    other: str

    def __new__(cls, text: str, other: str) -> _HashAs:
        self = super().__new__(cls, text)
        self.other = other
        return self

    def __hash__(self) -> int:
        return hash(self.other)

    def __eq__(self, other: object) -> bool:
        return str(other) == self.other if isinstance(other, str) else NotImplemented


@pytest.mark.parametrize("kind", [_ContainsTrue, _ContainsRaises])
def test_a_secret_subclass_is_searched_by_its_text_alone(kind: type[str]) -> None:
    """The forms are exact strings: a secret's own methods decide no search, raise nothing."""
    secret = kind("secret xyz1")
    assert scrub("bad secret xyz1 here", (secret, "Secret1xyz")) == "bad *** here"
    assert scrub("bad secret xyz1 here", [secret]) == "bad *** here"
    assert scrub_value({"k": "secret xyz1"}, [secret]) == {"k": "***"}
    assert _redact.scrub_cut_end("bad secret x", [secret]) == "bad ***"
    assert _redact.scrub_is_stable([secret])
    assert all(type(form) is str for form in _redact._forms_of([secret]))


@pytest.mark.parametrize(
    "odd",
    [
        ("zzzzzzzzzz", _HashAs("zzzzzzzzzzzz", "aaaaaaa")),
        (_HashAs("aaaaaaa", "zzzzzzzzzz"), _HashAs("bbbbbbb", "aaaaaaa")),
        (_HashAs("zzzzzzzzzz", "aaaaaaa"), _HashAs("zzzzzzzzzzzz", "zzzzzzzzzz")),
        (_HashAs("zzzzzzzz", "aaaaaaa"),),
    ],
)
def test_secrets_that_hash_as_others_do_not_take_their_entry(odd: tuple[str, ...]) -> None:
    """A direct call with subclasses hashing and comparing as other texts sets no entry
    that a later request's own secrets would find."""
    _redact._forms.cache_clear()
    scrub("x", odd)
    found = secret_values(None, {"X-Auth-Token": "zzzzzzzzzz"}, ("aaaaaaa",))
    assert scrub("key aaaaaaa tok zzzzzzzzzz", found) == "key *** tok ***"
    assert scrub("key aaaaaaa tok zzzzzzzzzz", ("aaaaaaa", "zzzzzzzzzz")) == "key *** tok ***"


class _NoContains(str):
    def __contains__(self, other: object) -> bool:
        return False


class _NoFind(str):
    def find(self, *args: object) -> int:  # type: ignore[override]
        return -1


class _LowersToNoContains(str):
    def lower(self) -> str:
        return _NoContains(str.lower(self))


class _LowersToNoFind(str):
    def lower(self) -> str:
        return _NoFind(str.lower(self))


@pytest.mark.parametrize("kind", [_LowersToNoContains, _LowersToNoFind, _NoContains, _NoFind])
def test_a_text_subclass_is_searched_by_its_text_alone(kind: type[str]) -> None:
    """A text (from a user's parser, say) whose methods lie is masked by what it says."""
    text = kind("bad token Secret1xyz here")
    assert scrub(text, ("Secret1xyz",)) == "bad token *** here"
    assert scrub_value([text], ("Secret1xyz",)) == ["bad token *** here"]
    clean = kind("nothing to mask")
    assert scrub(clean, ("Secret1xyz",)) is clean  # given back as it came


class _EqRaises(str):
    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq")

    __hash__ = str.__hash__


def test_an_extra_that_cannot_compare_hides_no_other_secret() -> None:
    """Extras are read as copies of their text: a member whose __eq__ raises neither
    stops the reading of the others nor escapes."""
    found = secret_values(None, {}, (_EqRaises("user-key-123"), "Passw0rd-99"))
    assert set(found) == {"user-key-123", "Passw0rd-99"}
    assert all(type(secret) is str for secret in found)
    assert scrub("bad user-key-123 and Passw0rd-99", found) == "bad *** and ***"
