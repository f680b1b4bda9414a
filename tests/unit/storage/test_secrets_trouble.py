"""A keyring that can fail but never hangs or lies: every way of not reaching a backend is a
``SecretStoreUnavailable`` (exit 3) saying what to do, and a call that never returns costs one
timeout, once."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import keyring.backend
import keyring.core
import keyring.errors
import pytest

from jb_watchdesk.app import KeyringSecrets
from jb_watchdesk.connectors.base import ConnectorError
from jb_watchdesk.domain.errors import InputError, SecretStoreUnavailable
from jb_watchdesk.domain.models import Health
from jb_watchdesk.services import doctor
from jb_watchdesk.storage.secrets import (
    MAX_ABANDONED,
    MAX_SECRET_BYTES,
    SERVICE,
    TIMEOUT_ENV,
    MemoryKeyring,
    SecretStore,
    backend_name,
    secret_size,
)


class FakeKeyring(keyring.backend.KeyringBackend):
    """Stands in for a real backend; ``fail_with`` is raised by every call; counts calls."""

    priority = -5  # never chosen by discovery in these tests
    viable = False

    def __init__(self, fail_with: BaseException | None = None) -> None:
        super().__init__()
        self.fail_with = fail_with
        self.calls = 0
        self.threads: list[threading.Thread] = []
        self.items: dict[tuple[str, str], str] = {}

    def _enter(self) -> None:
        self.calls += 1
        self.threads.append(threading.current_thread())
        if self.fail_with is not None:
            raise self.fail_with

    def get_password(self, service: str, username: str) -> str | None:
        self._enter()
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._enter()
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._enter()
        self.items.pop((service, username), None)


class HungKeyring(FakeKeyring):
    """A Secret Service that stops answering: each call waits until ``release`` (or 30 s)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Event()
        self.left = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self._enter()
        self.entered.set()
        self.release.wait(30)
        self.left.set()
        return "late"


def trusting(backend: keyring.backend.KeyringBackend, **kwargs: object) -> SecretStore:
    return SecretStore(backend, trusted=frozenset({backend_name(backend)}), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def undiscovered(monkeypatch: pytest.MonkeyPatch) -> None:
    """keyring chooses again, as in a fresh process (the session's memory keyring set aside)."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)


# --- the demo store is never chosen -----------------------------------------------------------


def test_discovery_never_offers_the_memory_store() -> None:
    assert MemoryKeyring not in {type(backend) for backend in keyring.backend.get_all_keyring()}
    assert MemoryKeyring not in set(keyring.backend.KeyringBackend.get_viable_backends())


def test_naming_the_memory_store_in_the_environment_is_refused(undiscovered: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "jb_watchdesk.storage.secrets.MemoryKeyring")
    store = SecretStore()
    with pytest.raises(SecretStoreUnavailable) as caught:
        store.set(1, "app_secret", "s3cr3t")
    assert caught.value.key == "secret.bad_env_backend"
    assert not store.is_memory


def test_no_backend_on_a_headless_machine(undiscovered: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # No D-Bus session (conftest), no keyringrc.cfg, no variable: keyring falls back to "fail".
    # (Fakes that other test modules define register themselves too: only installed backends count.)
    everything = keyring.backend.get_all_keyring
    monkeypatch.setattr(
        keyring.backend, "get_all_keyring", lambda: [b for b in everything() if type(b).__module__.startswith("keyring")]
    )
    store = SecretStore()
    with pytest.raises(SecretStoreUnavailable) as caught:
        store.set(1, "app_secret", "s3cr3t")
    assert caught.value.exit_code == 3
    assert caught.value.key == "secret.no_backend"
    assert "GNOME Keyring" in caught.value.message("en")
    assert not store.is_memory
    assert "in-memory" not in store.describe()


# --- a setting naming a backend that cannot start -----------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["", "no.such.Backend", "keyring.backends.NoSuch", "keyring.backends.SecretService.Keyring"],
    ids=["empty", "unknown-module", "unknown-class", "cannot-start"],
)
def test_bad_environment_setting_names_the_variable(undiscovered: None, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", value)
    store = SecretStore()
    with pytest.raises(SecretStoreUnavailable) as caught:
        store.get(1, "app_secret")
    assert caught.value.key == "secret.bad_env_backend"
    english = caught.value.message("en")
    assert "PYTHON_KEYRING_BACKEND" in english and "Remove the variable" in english
    assert "PYTHON_KEYRING_BACKEND" in caught.value.message("zh")


@pytest.mark.parametrize(
    "content",
    ["[backend]\ndefault-keyring=no.such.Backend\n", "default-keyring = no section header\n"],
    ids=["unknown-backend", "malformed"],
)
def test_bad_keyringrc_names_the_file(undiscovered: None, content: str) -> None:
    # keyring's config root on Linux is $XDG_CONFIG_HOME/python_keyring (a temporary dir: conftest)
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "python_keyring" / "keyringrc.cfg"
    config.parent.mkdir(parents=True)
    config.write_text(content, encoding="utf-8")
    with pytest.raises(SecretStoreUnavailable) as caught:
        SecretStore().check()
    assert caught.value.key == "secret.bad_config_backend"
    assert str(config) in caught.value.message("en")
    assert "Fix or remove that file" in caught.value.message("en")


# --- a backend that fails while reading or writing ----------------------------------------------


def _windows_error(code: int) -> Exception:
    error_type = type("error", (Exception,), {"__module__": "win32ctypes.pywin32.pywintypes"})
    error = error_type(code, "CredWrite", "some Windows text")
    error.winerror, error.funcname = code, "CredWrite"
    return error


@pytest.mark.parametrize(
    ("raised", "key", "advice"),
    [
        (keyring.errors.KeyringLocked("Failed to unlock the collection!"), "secret.locked", "Unlock the login keyring"),
        (keyring.errors.InitError("Failed to create the collection"), "secret.init_failed", "start GNOME Keyring or KWallet"),
        (keyring.errors.InitError("Failed to create the collection: Prompt dismissed.."), "secret.locked", "Unlock the login"),
        (keyring.errors.NoKeyringError("no backend"), "secret.no_backend", "GNOME Keyring"),
        (_windows_error(1312), "secret.windows_no_session", "signed-in duty user"),
        (_windows_error(1783), "secret.windows_too_big", "2560"),
        (_windows_error(5), "secret.windows_error", "error 5"),
        (ConnectionResetError("D-Bus went away"), "secret.backend_error", "is running"),
    ],
    ids=["locked", "init", "prompt-dismissed", "no-keyring", "win-no-session", "win-too-big", "win-other", "dbus-gone"],
)
def test_backend_failures_say_what_to_do(raised: Exception, key: str, advice: str) -> None:
    store = trusting(FakeKeyring(fail_with=raised))
    for call in (lambda: store.get(1, "app_secret"), lambda: store.set(1, "app_secret", "s3cr3t")):
        with pytest.raises(SecretStoreUnavailable) as caught:
            call()
        assert caught.value.key == key
        assert caught.value.exit_code == 3
        assert advice in caught.value.message("en")
        assert "s3cr3t" not in caught.value.message("en")
        assert "\n" not in caught.value.message("en")


# --- a backend that never answers ----------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_hung_call_costs_one_timeout_then_the_keyring_rests() -> None:
    backend, clock = HungKeyring(), FakeClock()
    store = trusting(backend, timeout=0.3, cooloff=300.0, clock=clock)
    with pytest.raises(SecretStoreUnavailable) as caught:
        store.get(1, "app_secret")
    assert caught.value.key == "secret.timeout"
    assert "5 min" in caught.value.message("en")
    assert backend.calls == 1
    # Resting: answered at once, and nothing is queued behind the hung call.
    for _ in range(20):
        with pytest.raises(SecretStoreUnavailable):
            store.get(2, "app_secret")
    assert backend.calls == 1
    assert store.retry_in() == pytest.approx(300.0)
    # It answers again: after the next rest, the keyring is used again.
    backend.release.set()
    clock.now += 301
    assert store.get(4, "app_secret") == "late"
    assert backend.calls == 2
    store.close()


class HangsOnce(FakeKeyring):
    """The first call never returns (a D-Bus call lost for good); later ones answer."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        first = self.calls == 0
        self._enter()
        if first:
            self.release.wait(30)
        return "answer"


def test_after_a_rest_the_keyring_is_asked_on_a_fresh_thread_though_the_hung_call_never_returned() -> None:
    backend, clock = HangsOnce(), FakeClock()
    store = trusting(backend, timeout=0.2, cooloff=300.0, clock=clock)
    with pytest.raises(SecretStoreUnavailable):
        store.get(1, "app_secret")
    clock.now += 301
    assert store.get(2, "app_secret") == "answer"  # not resting for good behind the stuck call
    assert backend.calls == 2
    stuck, fresh = backend.threads
    assert stuck is not fresh and stuck.is_alive() and fresh.daemon
    backend.release.set()
    store.close()


def test_a_cancelled_caller_of_the_hung_call_does_not_cost_a_timeout_per_rest() -> None:
    backend, clock = HangsOnce(), FakeClock()
    store = trusting(backend, timeout=0.2, cooloff=300.0, clock=clock)

    async def cancelled_then_timed_out() -> str:
        task = asyncio.create_task(store.get_async(1, "app_secret"))
        await asyncio.sleep(0.05)
        task.cancel()  # the poll that asked was stopped while the keyring hung
        with pytest.raises(SecretStoreUnavailable):
            await store.get_async(2, "app_secret")  # queued behind it: one timeout
        return "done"

    assert asyncio.run(cancelled_then_timed_out()) == "done"
    clock.now += 301
    assert store.get(3, "app_secret") == "answer"
    backend.release.set()
    store.close()


def test_threads_left_to_stuck_calls_are_bounded() -> None:
    backend, clock = HungKeyring(), FakeClock()
    store = trusting(backend, timeout=0.05, cooloff=300.0, clock=clock)
    for _ in range(MAX_ABANDONED + 3):
        with pytest.raises(SecretStoreUnavailable):
            store.get(1, "app_secret")
        clock.now += 301
    assert backend.calls == MAX_ABANDONED  # then the keyring rests on without a new thread
    backend.release.set()
    store.close()


def test_a_refused_choice_is_not_kept_for_the_process_life(undiscovered: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # At login the keyring service is not up yet: keyring chooses "fail"; a few minutes later it is.
    from keyring.backends import fail

    later = FakeKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    monkeypatch.setattr(keyring.core, "_detect_backend", lambda limit=None: later)
    clock = FakeClock()
    store = SecretStore(trusted=frozenset({backend_name(later)}), cooloff=300.0, clock=clock)
    with pytest.raises(SecretStoreUnavailable) as caught:
        store.get(1, "app_secret")
    assert caught.value.key == "secret.no_backend"
    with pytest.raises(SecretStoreUnavailable):  # the same answer at once while resting
        store.get(1, "app_secret")
    assert later.calls == 0
    clock.now += 301
    assert store.get(1, "app_secret") is None  # chosen again: the keyring that came up
    assert later.calls == 1
    store.close()


def test_calls_queued_behind_a_hung_one_fail_together() -> None:
    backend = HungKeyring()
    store = trusting(backend, timeout=0.5)
    results: list[str] = []

    def call(account_id: int) -> None:
        try:
            store.get(account_id, "app_secret")
            results.append("answered")
        except SecretStoreUnavailable as error:
            results.append(error.key)

    first = threading.Thread(target=call, args=(1,))
    first.start()
    assert backend.entered.wait(10)
    others = [threading.Thread(target=call, args=(n,)) for n in range(2, 6)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(20)
    assert results == ["secret.timeout"] * 5
    assert backend.calls == 1  # the queued ones were never handed to the backend
    backend.release.set()
    store.close()


def test_calls_run_on_one_daemon_thread_of_their_own() -> None:
    backend = FakeKeyring()
    store = trusting(backend)

    async def main() -> str | None:
        await store.set_async(1, "access_token", "t")
        return await store.get_async(1, "access_token")

    assert asyncio.run(main()) == "t"
    store.set(2, "access_token", "u")
    threads = set(backend.threads)
    assert len(threads) == 1
    (worker,) = threads
    assert worker.daemon and worker.name == "jb-keyring"
    assert worker is not threading.main_thread()
    store.close()


def test_the_event_loop_keeps_running_while_the_keyring_hangs() -> None:
    backend = HungKeyring()
    store = trusting(backend, timeout=0.5)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def main() -> str:
        task = asyncio.create_task(ticker())
        try:
            await KeyringSecrets(store).get(1, "app_secret")
        except ConnectorError as error:
            return error.code
        finally:
            task.cancel()
        return "answered"

    assert asyncio.run(main()) == "keyring.unavailable"
    assert ticks > 5  # other tasks ran while the keyring call was stuck
    backend.release.set()
    store.close()


def test_connectors_see_a_resting_keyring_as_degraded_and_none_as_failing() -> None:
    backend = HungKeyring()
    resting = trusting(backend, timeout=0.2)

    async def fetch(store: SecretStore) -> ConnectorError:
        with pytest.raises(ConnectorError) as caught:
            await KeyringSecrets(store).get(1, "app_secret")
        return caught.value

    hung = asyncio.run(fetch(resting))
    assert (hung.health, hung.code) == (Health.DEGRADED, "keyring.unavailable")
    assert hung.retry_after is not None and hung.retry_after > 60
    assert "did not answer" in SecretStoreUnavailable("secret.timeout", seconds=1, minutes=5).message("en")
    backend.release.set()
    refused = asyncio.run(fetch(SecretStore(FakeKeyring())))  # not on the allow-list
    assert (refused.health, refused.code) == (Health.FAILING, "keyring.unavailable")
    locked = asyncio.run(fetch(trusting(FakeKeyring(fail_with=keyring.errors.KeyringLocked("locked")))))
    assert locked.health is Health.DEGRADED
    resting.close()


def test_the_timeout_can_be_set_in_the_environment() -> None:
    assert SecretStore.from_environment({TIMEOUT_ENV: "1.5"}).timeout == 1.5
    assert SecretStore.from_environment({}).timeout == 10.0
    for bad in ("0", "-1", "soon", "99999"):
        store = SecretStore.from_environment({TIMEOUT_ENV: bad})  # made: doctor reports it as a check
        for call, args in ((store.check, ()), (store.get, (1, "app_secret")), (store.set, (1, "app_secret", "v4lue"))):
            with pytest.raises(InputError) as caught:
                call(*args)
            assert caught.value.key == "secret.bad_timeout"
            assert TIMEOUT_ENV in caught.value.message("en")
        check = doctor.check_keyring(store)
        assert check.level is doctor.Level.FAIL and TIMEOUT_ENV in check.advice


# --- doctor ---------------------------------------------------------------------------------------


def test_doctor_fails_the_keyring_check_with_advice_and_carries_on(undiscovered: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "")
    check = doctor.check_keyring(SecretStore())
    assert check.level is doctor.Level.FAIL
    assert "PYTHON_KEYRING_BACKEND" in check.advice
    assert "in-memory" not in check.detail


def test_doctor_on_a_hung_keyring_fails_and_waits_once() -> None:
    backend = HungKeyring()
    store = trusting(backend, timeout=0.2)
    # Choosing the backend works (the bus says it is there); only a real read shows it hangs.
    check = doctor.check_keyring(store)
    assert check.level is doctor.Level.FAIL and "0.2" in check.advice
    assert backend.calls == 1
    assert doctor.check_keyring(store).level is doctor.Level.FAIL  # resting: answered at once
    assert backend.calls == 1
    backend.release.set()
    store.close()


def test_doctor_on_a_locked_keyring_fails_with_the_unlock_advice() -> None:
    backend = FakeKeyring(fail_with=keyring.errors.KeyringLocked("Failed to unlock the collection!"))
    check = doctor.check_keyring(trusting(backend))
    assert check.level is doctor.Level.FAIL
    assert "Seahorse" in check.advice  # unlock the login keyring
    assert backend.calls == 1


def test_the_check_reads_a_probe_key_and_never_writes() -> None:
    backend = FakeKeyring()
    trusting(backend).check()
    assert backend.calls == 1 and not backend.items


# --- limits as the platforms count them ------------------------------------------------------------


def test_windows_limit_is_bytes_of_utf16() -> None:
    store = trusting(FakeKeyring())
    assert secret_size("x" * 1280) == MAX_SECRET_BYTES
    store.set(1, "app_secret", "x" * 1280)
    store.set(1, "app_secret", "令" * 1280)
    store.set(1, "app_secret", "😀" * 640)  # 640 characters outside the BMP: 2,560 bytes
    for too_long in ("x" * 1281, "😀" * 641, "😀" * 600 + "x" * 81):
        with pytest.raises(InputError) as caught:
            store.set(1, "app_secret", too_long)
        assert caught.value.key == "secret.too_long"
        assert caught.value.params["size"] == len(too_long.encode("utf-16-le"))
    with pytest.raises(InputError) as caught:
        store.set(1, "app_secret", "ab\ud83dcd")
    assert caught.value.key == "secret.not_text"


def test_memory_store_handed_over_explicitly_is_labelled() -> None:
    backend = MemoryKeyring()
    store = SecretStore(backend)
    store.set(1, "app_secret", "v")
    assert backend.get_password(SERVICE, "1:app_secret") == "v"
    assert store.is_memory
    check = doctor.check_keyring(store)
    assert check.level is doctor.Level.WARN


def test_a_closed_store_used_again_starts_a_new_worker() -> None:
    backend = FakeKeyring()
    store = trusting(backend, timeout=5.0)
    store.set(1, "app_secret", "v")
    store.close()
    assert store.get(1, "app_secret") == "v"  # answered, not a timeout on a worker that had ended
    store.close()
    assert len(set(backend.threads)) == 2


@pytest.mark.parametrize("backend", [FakeKeyring(), None], ids=["refused", "none"])
def test_no_usable_keyring_is_worded_for_a_read_as_well_as_a_write(
    undiscovered: None, monkeypatch: pytest.MonkeyPatch, backend: keyring.backend.KeyringBackend | None
) -> None:
    """doctor and a poll only read: the advice must not say a secret "was not stored"."""
    from keyring.backends import fail

    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    store = SecretStore(backend)
    check = doctor.check_keyring(store)

    async def poll_reason() -> str:
        with pytest.raises(ConnectorError) as caught:
            await KeyringSecrets(store).get(1, "app_secret")
        return str(caught.value)

    reason = asyncio.run(poll_reason())
    assert check.level is doctor.Level.FAIL
    for text in (check.advice, reason):
        assert "凭据未写入" not in text and "未写入任何位置" not in text
    error = SecretStoreUnavailable("secret.no_backend" if backend is None else "secret.refused_backend", backend="x")
    assert "was not stored" not in error.message("en") and "stored anywhere else" in error.message("en")
