"""settings.json: a value of the wrong type or shape is refused naming the key, never silently replaced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.services import settings


@pytest.fixture(autouse=True)
def _english() -> None:
    messages.set_language("en")  # what the value must be is said in the officer's language when the file is read


def _write(root: Path, data: object) -> None:
    (root / settings.FILENAME).write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("post_interval_s", "abc", "an integer 30–86400"),
        ("post_interval_s", 5, "an integer 30–86400"),
        ("max_concurrency", True, "an integer 1–500"),
        ("os_notifications", "yes", "true or false"),
        ("language", "fr", "one of zh, en"),
        ("officer", ["张三"], "text"),
        ("backup_days", 0, "an integer 1–3650"),
    ],
)
def test_a_wrong_value_names_the_key_what_it_must_be_and_what_it_is(tmp_path: Path, key: str, value: object, expected: str) -> None:
    _write(tmp_path, {"post_interval_s": 120, key: value})
    with pytest.raises(InputError) as caught:
        settings.load(tmp_path)
    line = caught.value.message("en")
    assert f"key {key}: expected {expected}, got {json.dumps(value, ensure_ascii=False)}" in line
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("proxy", ["http://proxy:port", "ftp://proxy.example:21", "http://", "proxy.example:3128"])
def test_a_malformed_proxy_is_refused_with_the_reason(tmp_path: Path, proxy: str) -> None:
    _write(tmp_path, {"proxy": proxy})
    with pytest.raises(InputError) as caught:
        settings.load(tmp_path)
    assert "key proxy: expected a proxy address" in caught.value.message("en")
    assert settings.proxy_problem(proxy)


def test_good_values_and_unknown_keys_load(tmp_path: Path) -> None:
    _write(tmp_path, {"post_interval_s": 120, "proxy": "socks5://10.1.2.3:1080", "backup_days": 30, "from_a_newer_desk": 1})
    loaded = settings.load(tmp_path)
    assert (loaded.post_interval_s, loaded.proxy, loaded.backup_days) == (120, "socks5://10.1.2.3:1080", 30)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]"])
def test_a_file_that_is_not_a_json_object_is_unreadable(tmp_path: Path, text: str) -> None:
    (tmp_path / settings.FILENAME).write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        settings.load(tmp_path)
    assert caught.value.key == "settings.unreadable"
    assert caught.value.message("zh") and caught.value.message("en")


def test_saved_settings_are_owner_only_and_keep_unknown_keys(tmp_path: Path) -> None:
    _write(tmp_path, {"from_a_newer_desk": 1})
    settings.save(tmp_path, settings.DeskSettings(officer="张三"))
    path = tmp_path / settings.FILENAME
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text(encoding="utf-8"))["from_a_newer_desk"] == 1
    assert settings.load(tmp_path).officer == "张三"


def test_every_expectation_is_said_in_both_languages() -> None:
    for key in ("settings.expect.int", "settings.expect.bool", "settings.expect.text", "settings.expect.choice", "settings.expect.proxy"):
        assert all(messages.CATALOGUE[key])


@pytest.mark.parametrize(
    "proxy",
    [
        "ftp://officeuser:Pa55wordSecret@proxy.example.org:8080",  # a scheme httpx cannot use
        "ftp://officeuser-with-a-long-name.of-the-office:Pa55wordSecretThatGoesOnAndOn@proxy.example.org:8080",
    ],
)
def test_a_bad_proxy_is_named_without_its_password_or_a_piece_of_it(tmp_path: Path, proxy: str) -> None:
    from jb_watchdesk.services import redaction

    _write(tmp_path, {"proxy": proxy})
    try:
        with pytest.raises(InputError) as raised:
            settings.load(tmp_path)
    finally:
        redaction.forget_all()
    text = str(raised.value)
    assert "key proxy" in text and ":***@proxy.example.org:8080" in text
    assert "Pa55" not in text


def test_saving_keeps_the_unknown_keys_of_a_file_with_a_bom(tmp_path: Path) -> None:
    (tmp_path / settings.FILENAME).write_text(json.dumps({"kept_by_a_newer_desk": 1}), encoding="utf-8-sig")
    settings.save(tmp_path, settings.DeskSettings(officer="张三"))
    saved = json.loads((tmp_path / settings.FILENAME).read_text(encoding="utf-8"))
    assert saved["kept_by_a_newer_desk"] == 1 and saved["officer"] == "张三"


def test_a_changed_backup_days_reaches_the_running_daily_backup(tmp_path: Path) -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from jb_watchdesk.app import reconfigure_watch
    from jb_watchdesk.services.alerts import NotificationPolicy
    from jb_watchdesk.services.backups import DailyBackup

    daily = DailyBackup(live=tmp_path / "db.sqlite3", folder=tmp_path / "backups", keep_days=14)
    watch = SimpleNamespace(
        poller=SimpleNamespace(
            connectors=SimpleNamespace(http=SimpleNamespace(reconfigure=lambda _http: None)),
            scheduler=SimpleNamespace(reconfigure=lambda _poll, now: None),
        ),
        alerts=SimpleNamespace(policy=NotificationPolicy()),
        monitor=None,
        escalation=None,
        after_cycle=[daily],
    )
    reconfigure_watch(watch, settings.DeskSettings(backup_days=30), now=datetime(2026, 11, 25, tzinfo=UTC))  # type: ignore[arg-type]
    assert daily.keep_days == 30
