"""The memos in front of decide_safely and get_profile answer as the tables do, now and later."""

from __future__ import annotations

import pytest

from cloudstatus import Advice, _catalog, _policy
from cloudstatus._catalog import error_code_info, get_profile, load_builtin_profile
from cloudstatus._policy import decide, decide_safely
from cloudstatus.services import declare

ARGS = {
    "method": "POST",
    "has_retry_after": False,
    "override": None,
    "error_code": "MEMO.0001",
    "caller": None,
}


def test_decide_safely_sees_a_service_declared_after_it_was_asked() -> None:
    """The fallback for an unknown service is not kept, so declaring it changes the answer."""
    before = decide_safely(409, service="memo_late_svc", **ARGS)
    assert before == decide(409, **ARGS)
    assert decide_safely(409, service="memo_late_svc", **ARGS) == before
    declare(
        {
            "service": "memo_late_svc",
            "codes": [{"code": 409, "advice": "MAY_REPEAT"}],
            "error_codes": [{"error_code": "MEMO.0001", "status": 409, "advice": "DO_NOT_REPEAT"}],
        }
    )
    after = decide_safely(409, service="memo_late_svc", **ARGS)
    assert (after.retryable, after.advice) == (False, Advice.DO_NOT_REPEAT)
    assert "memo_late_svc error-code table (MEMO.0001)" in after.reason
    assert decide_safely(409, service="memo_late_svc", **ARGS) is after
    assert error_code_info("MEMO.0001", service="memo_late_svc") is not None


def test_decide_safely_gives_what_decide_gives_from_its_memo_too() -> None:
    """A second call answers from the memo with the same decision."""
    kwargs = {**ARGS, "service": "dms", "has_retry_after": True}
    first = decide_safely(429, **kwargs)  # type: ignore[arg-type]
    assert first == decide(429, **kwargs)  # type: ignore[arg-type]
    assert decide_safely(429, **kwargs) is first  # type: ignore[arg-type]


def test_the_decision_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many distinct arguments cannot grow the memo past its size."""
    monkeypatch.setattr(_policy, "_SAFE_DECISIONS", {})
    monkeypatch.setattr(_policy, "_SAFE_DECISIONS_SIZE", 4)
    for status in range(400, 430):
        assert decide_safely(status, method="GET") == decide(status, method="GET")
        assert len(_policy._SAFE_DECISIONS) <= 4


def test_an_unhashable_argument_still_fails_as_before() -> None:
    """decide's own cache rejected unhashable arguments; the memo does too."""
    with pytest.raises(TypeError):
        decide_safely(409, caller=(["not", "hashable"], True))  # type: ignore[arg-type]


class _Name(str):
    """A str subclass: it may compare its own way, so its answers are not kept."""


def test_builtin_profiles_are_kept_by_exact_name_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """get_profile keeps a built-in profile under an exact str, nothing under anything else."""
    monkeypatch.setattr(_catalog, "_builtin_profiles", {})
    assert get_profile(_Name("dms")) == load_builtin_profile("dms")
    assert _catalog._builtin_profiles == {}
    assert get_profile("dms") is load_builtin_profile("dms")
    assert get_profile("dms") is load_builtin_profile("dms")  # from the memo
    assert list(_catalog._builtin_profiles) == ["dms"]
    with pytest.raises(LookupError):
        get_profile("memo_never_declared")
    with pytest.raises(LookupError):
        get_profile(["dms"])  # type: ignore[arg-type]
    assert list(_catalog._builtin_profiles) == ["dms"]
