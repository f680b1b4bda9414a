"""The one error classifier and each platform's error table, on saved error payloads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from jb_watchdesk.connectors import douyin, wechat_mp, weibo
from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.errors import CodeField, ErrorRule, ErrorTable, classify, raise_for_error
from jb_watchdesk.connectors.registry import SPECS

DATA = Path(__file__).resolve().parents[2] / "data"
WECHAT, WEIBO, DOUYIN = wechat_mp, weibo, douyin

# platform module, saved payload, kind, stable code, refresh the token once, log id, retry after (s)
CASES: list[tuple[ModuleType, str, ErrorKind, str, bool, str | None, float | None]] = [
    (WECHAT, "wechat/error_40001_invalid_credential.json", ErrorKind.AUTH_EXPIRED, "wechat.40001", True, None, None),
    (WECHAT, "wechat/error_42001_token_expired.json", ErrorKind.AUTH_EXPIRED, "wechat.42001", True, None, None),
    (WECHAT, "wechat/error_45009_quota.json", ErrorKind.QUOTA, "wechat.45009", False, None, None),
    (WECHAT, "wechat/error_45011_frequency.json", ErrorKind.QUOTA, "wechat.45011", False, None, 60.0),
    (WECHAT, "wechat/error_minus1_busy.json", ErrorKind.TRANSIENT, "wechat.-1", False, None, None),
    (WECHAT, "wechat/error_40164_ip_whitelist.json", ErrorKind.CONFIG, "wechat.40164", False, None, None),
    (WECHAT, "wechat/error_40125_appsecret.json", ErrorKind.CONFIG, "wechat.40125", False, None, None),
    (WECHAT, "wechat/error_40013_appid.json", ErrorKind.CONFIG, "wechat.40013", False, None, None),
    (WECHAT, "wechat/error_48001_unauthorized.json", ErrorKind.CONFIG, "wechat.48001", False, None, None),
    (WECHAT, "wechat/error_unknown_code.json", ErrorKind.TRANSIENT, "wechat.61451", False, None, None),
    (WEIBO, "weibo/error_21327_expired_token.json", ErrorKind.AUTH_EXPIRED, "weibo.21327", False, None, None),
    (WEIBO, "weibo/error_21332_invalid_token_string_code.json", ErrorKind.AUTH_EXPIRED, "weibo.21332", False, None, None),
    (WEIBO, "weibo/error_10023_rate_limit.json", ErrorKind.RATE_LIMITED, "weibo.10023", False, None, None),
    (WEIBO, "weibo/error_10022_ip_rate_limit.json", ErrorKind.RATE_LIMITED, "weibo.10022", False, None, None),
    (WEIBO, "weibo/error_10001_system.json", ErrorKind.TRANSIENT, "weibo.10001", False, None, None),
    (DOUYIN, "douyin/error_2190008_access_expired.json", ErrorKind.AUTH_EXPIRED, "douyin.2190008", True,
     "202405021015300101980821035705926A", None),
    (DOUYIN, "douyin/error_10008_access_expired_old.json", ErrorKind.AUTH_EXPIRED, "douyin.10008", True, None, None),
    (DOUYIN, "douyin/error_new_style_err_no.json", ErrorKind.AUTH_EXPIRED, "douyin.28001008", True,
     "202405291440576E078D8757B9", None),
    (DOUYIN, "douyin/error_10010_refresh_expired.json", ErrorKind.AUTH_EXPIRED, "douyin.10010", False, None, None),
    (DOUYIN, "douyin/error_28003018_rate.json", ErrorKind.RATE_LIMITED, "douyin.28003018", False,
     "202405021016000101980821035705999B", None),
    (DOUYIN, "douyin/error_2190001_quota.json", ErrorKind.QUOTA, "douyin.2190001", False,
     "2024050210170001019808210357059CCC", None),
    (DOUYIN, "douyin/error_2190004_no_capability.json", ErrorKind.CONFIG, "douyin.2190004", False,
     "2024050210180001019808210357059DDD", None),
    (DOUYIN, "douyin/error_unknown_code.json", ErrorKind.TRANSIENT, "douyin.2199999", False,
     "2024050210190001019808210357059EEE", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("module", "name", "kind", "code", "refresh", "log_id", "retry_after"),
    CASES,
    ids=[case[1] for case in CASES],
)
def test_saved_errors_are_classified_through_the_platforms_table(
    module: ModuleType,
    name: str,
    kind: ErrorKind,
    code: str,
    refresh: bool,
    log_id: str | None,
    retry_after: float | None,
) -> None:
    payload = (DATA / name).read_bytes()

    error = module.classify_error(payload)

    assert error is not None
    assert (error.kind, error.code, error.refresh_token_once, error.log_id, error.retry_after) == (
        kind,
        code,
        refresh,
        log_id,
        retry_after,
    )
    # the shared classifier over the spec's table says the same
    assert repr(classify(module.SPEC.errors, payload)) == repr(error)
    assert "{" not in error.reason and "}" not in error.reason  # every placeholder was filled


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.platform.value)
def test_every_rule_of_every_table_formats(spec) -> None:  # type: ignore[no-untyped-def]
    table = spec.errors
    extra = table.placeholders("") if table.placeholders else {}
    for code, rule in table.rules.items():
        reason = rule.reason.format_map({"code": str(code), "detail": "d", "name": table.name, **extra})
        assert reason and "{" not in reason, code
        assert not (rule.refresh_token_once and rule.kind is not ErrorKind.AUTH_EXPIRED), code
    assert table.docs.startswith("https://")


@pytest.mark.parametrize(
    ("classify_error", "payload"),
    [
        (wechat_mp.classify_error, {"errcode": 0, "errmsg": "ok"}),
        (wechat_mp.classify_error, {"total_count": 0}),
        (weibo.classify_error, {"error_code": 0}),
        (weibo.classify_error, {"statuses": []}),
        (douyin.classify_error, {"data": {"error_code": 0}, "extra": {"error_code": 0}}),
        (douyin.classify_error, {"err_no": 0, "data": {}}),
    ],
)
def test_success_is_no_error(classify_error: Callable[[object], ConnectorError | None], payload: object) -> None:
    assert classify_error(payload) is None


# ---------------------------------------------------------------- the classifier on a made-up table

TABLE = ErrorTable(
    platform="demo",
    name="Demo",
    fields=(CodeField(("outer", "inner"), "code", ("text", "more")), CodeField((), "err", ("msg",))),
    rules={
        7: ErrorRule(ErrorKind.QUOTA, "quota {code} of {name}: {detail}", retry_after=5.0),
        8: ErrorRule(ErrorKind.AUTH_EXPIRED, "token {who}", refresh_token_once=True),
    },
    log_ids=(("outer", "log"), ("request_id",)),
    placeholders=lambda message: {"who": message.split(" ")[0]},
)


def test_a_known_code_fills_its_template_and_keeps_the_log_id() -> None:
    error = classify(TABLE, {"outer": {"inner": {"code": "7", "text": "", "more": "over"}, "log": "L1"}})

    assert error is not None
    assert (error.kind, error.code, error.reason, error.retry_after, error.log_id) == (
        ErrorKind.QUOTA,
        "demo.7",
        "quota 7 of Demo: over",
        5.0,
        "L1",
    )


def test_the_first_field_with_a_non_zero_code_wins() -> None:
    error = classify(TABLE, {"outer": {"inner": {"code": 0}}, "err": 8, "msg": "alice here", "request_id": "R"})

    assert error is not None
    assert (error.code, error.reason, error.refresh_token_once, error.log_id) == ("demo.8", "token alice", True, "R")


def test_an_unknown_code_is_transient_with_the_platforms_own_text_redacted() -> None:
    token = "tok_" + "x" * 60
    error = classify(TABLE, {"err": 99, "msg": f"weird\r\nthing {token}"})

    assert error is not None
    assert error.kind is ErrorKind.TRANSIENT
    assert error.code == "demo.99"
    assert error.reason == "Demo returned error 99 (weird thing [redacted]); it will be retried"
    assert token not in str(error)


@pytest.mark.parametrize("payload", [b'{"err": 4', b"[1]", {"err": "x1"}, {"outer": {"inner": {"code": None}}}])
def test_malformed_payloads_and_codes_are_bad_payload(payload: object) -> None:
    error = classify(TABLE, payload)  # type: ignore[arg-type]

    assert error is not None
    assert (error.kind, error.code) == (ErrorKind.BAD_PAYLOAD, "demo.bad_payload")


def test_raise_for_error_gives_back_the_object_or_raises() -> None:
    assert raise_for_error(TABLE, b'{"err": 0, "x": 1}') == {"err": 0, "x": 1}
    with pytest.raises(ConnectorError) as caught:
        raise_for_error(TABLE, {"err": 7})
    assert caught.value.code == "demo.7"
