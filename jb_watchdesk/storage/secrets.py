"""Account credentials, kept only in the operating system's keyring.

Only secure backends are accepted: Windows Credential Locker, macOS Keychain, the
Secret Service (GNOME Keyring, KWallet 5.97+) and KWallet itself. A plaintext backend
(``keyrings.alt`` installs one silently) or the ``fail`` backend is refused, and the
secret is written nowhere else.

A keyring can fail without warning: no backend at all on a headless machine, a
``PYTHON_KEYRING_BACKEND`` or ``keyringrc.cfg`` naming one that cannot start, a locked
login keyring, or a Secret Service that stops answering (jeepney waits on D-Bus with no
timeout). So every keyring call, choosing the backend included, runs on one dedicated
daemon thread (never asyncio's shared pool, which DNS lookups also use, and never one that
keeps the process from exiting), and its caller waits at most ``timeout`` seconds. After a
timeout the keyring is not asked again for ``cooloff`` seconds: calls fail at once with the
same reason. The thread that hung is left behind (a daemon) and the next call after the rest runs
on a fresh one, so a call that never returns costs one timeout per rest, not the keyring for
good; at most :data:`MAX_ABANDONED` such threads are left at once (then the keyring keeps resting).
A backend keyring chooses but the desk refuses (``fail``, plaintext: e.g. chosen at login before
the keyring service was up) is not kept either: the same answer is given for ``cooloff`` seconds,
then keyring chooses again. Every failure is a :class:`SecretStoreUnavailable` (exit 3) saying what
to do.

Backend selection: https://github.com/jaraco/keyring#configuring (``PYTHON_KEYRING_BACKEND``,
``keyringrc.cfg`` in ``keyring.util.platform_.config_root()``, which honours ``XDG_CONFIG_HOME``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

import keyring
import keyring.backend
import keyring.core
import keyring.errors
from keyring.backends.chainer import ChainerBackend
from keyring.compat import properties

from jb_watchdesk import APP_ID
from jb_watchdesk.domain.errors import InputError, SecretStoreUnavailable, WatchdeskError

log = logging.getLogger(__name__)

SERVICE = APP_ID
TIMEOUT_S = 10.0
"""How long one keyring call may take before the keyring counts as not answering (seconds)."""
COOLOFF_S = 300.0
"""How long the keyring is left alone after a call timed out, or a refused backend is not chosen
again (seconds)."""
MAX_ABANDONED = 4
"""Threads stuck in a keyring call that are left behind at once; beyond that the keyring rests on."""
TIMEOUT_ENV = "JB_WATCHDESK_KEYRING_TIMEOUT_S"
"""Overrides :data:`TIMEOUT_S` (seconds, > 0): for slow machines, and for tests of a hung keyring."""
MAX_SECRET_BYTES = 2560
"""Windows Credential Manager keeps at most 2,560 bytes of UTF-16 (``CRED_MAX_CREDENTIAL_BLOB_SIZE``,
https://learn.microsoft.com/windows/win32/api/wincred/ns-wincred-credentialw): 1,280 characters of
the Basic Multilingual Plane, fewer when a value holds characters outside it (4 bytes each)."""
_SECRET_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")

#: Backends trusted to keep secrets encrypted at rest, by module and class name.
SECURE_BACKENDS: frozenset[str] = frozenset(
    {
        "keyring.backends.Windows.WinVaultKeyring",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
    }
)

#: Windows errors (``pywintypes.error.winerror``) with their own advice.
_WINDOWS_NO_LOGON_SESSION = 1312  # ERROR_NO_SUCH_LOGON_SESSION: a service account or a scheduled task
_WINDOWS_TOO_BIG = 1783  # RPC_X_BAD_STUB_DATA: CredWrite's answer to a blob over the limit

T = TypeVar("T")


def backend_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def is_secure(backend: keyring.backend.KeyringBackend, *, trusted: frozenset[str] = SECURE_BACKENDS) -> bool:
    """True for an allow-listed backend, or a chain made only of allow-listed backends."""
    if isinstance(backend, ChainerBackend):
        members = list(backend.backends)
        return bool(members) and all(is_secure(member, trusted=trusted) for member in members)
    return backend_name(backend) in trusted


def validate_secret_name(name: str) -> str:
    """``name`` if it is lower-case ASCII letters, digits and ``_``, starting with a letter, at most
    40 characters; ``InputError("secret.bad_name")`` otherwise."""
    if not _SECRET_NAME.fullmatch(name):
        raise InputError("secret.bad_name", name=name)
    return name


def secret_size(value: str) -> int:
    """Bytes ``value`` takes in Windows Credential Manager (UTF-16LE: 2 per BMP character, 4 beyond)."""
    return len(value.encode("utf-16-le", "surrogatepass"))


def validate_secret_value(value: str) -> str:
    """``value`` if a keyring on every platform can keep it: not empty, text (no lone surrogate,
    which UTF-8 and UTF-16 both refuse), at most :data:`MAX_SECRET_BYTES` of UTF-16."""
    if not value:
        raise InputError("secret.empty")
    try:
        value.encode("utf-16-le")
    except UnicodeEncodeError:
        raise InputError("secret.not_text") from None
    size = secret_size(value)
    if size > MAX_SECRET_BYTES:
        raise InputError("secret.too_long", size=size, limit=MAX_SECRET_BYTES)
    return value


def key_for(account_id: int, name: str) -> str:
    """The keyring user name for one secret of one account: ``ACCOUNT_ID:NAME``."""
    return f"{account_id}:{validate_secret_name(name)}"


DESK_PREFIX = "desk"
PROBE_KEY = "desk:keyring_probe"
"""The keyring user name :meth:`SecretStore.check` reads to see the keyring answer; never written."""


def desk_key(name: str) -> str:
    """The keyring user name of one of the desk's own secrets (not an account's): ``desk:NAME``,
    e.g. ``desk:escalation_channels``. No account id is ``desk``, so the two never meet."""
    return f"{DESK_PREFIX}:{validate_secret_name(name)}"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Secrets held in this process only: the demo workspace and tests, always handed over explicitly.

    keyring registers every subclass of ``KeyringBackend`` as a candidate for its discovery, where
    a priority of 0 would tie with ``fail.Keyring`` and win by set order: a real run would then
    "store" secrets that vanish at exit. So it is never viable (``get_all_keyring()`` skips it),
    and naming it in ``PYTHON_KEYRING_BACKEND`` or ``keyringrc.cfg`` fails like any backend that
    cannot start (keyring reads ``priority``, which raises).
    """

    viable = False  # keyring declares a class property; a constant says "never"

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - a class property, as keyring declares it
        raise RuntimeError("the in-memory credential store is for the demo and tests only")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring's __init__ has no annotations
        self._items: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def __str__(self) -> str:
        return backend_name(self)

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            if self._items.pop((service, username), None) is None:
                raise keyring.errors.PasswordDeleteError(username)


def _detail(error: BaseException) -> str:
    """``Class: message`` on one line, short. keyring's and D-Bus's messages name the backend,
    the setting or the operation, never a secret (the value is never part of an exception here)."""
    text = " ".join(str(error).split())
    name = type(error).__name__
    return f"{name}: {text[:160]}" if text else name


def _is_windows_error(error: BaseException) -> bool:
    """``pywintypes.error`` from pywin32 or pywin32-ctypes, recognised without importing either."""
    cls = type(error)
    return cls.__name__ == "error" and cls.__module__.rsplit(".", 1)[-1] == "pywintypes"


def _choice_failed(error: Exception) -> SecretStoreUnavailable:
    """keyring could not choose or start a backend: name the setting to fix, if one was used.

    keyring reads ``PYTHON_KEYRING_BACKEND`` first, then ``keyringrc.cfg``; a name it cannot
    import ends in ``ValueError``/``ImportError``/``AttributeError``, a backend that cannot start
    in ``RuntimeError`` (from its ``priority``), a malformed file in ``configparser.Error``.
    """
    setting = os.environ.get("PYTHON_KEYRING_BACKEND")
    if setting is not None:
        return SecretStoreUnavailable("secret.bad_env_backend", value=setting, detail=_detail(error))
    try:
        config = str(keyring.core._config_path())  # type: ignore[no-untyped-call]  # noqa: SLF001 - the file keyring reads
    except Exception:  # noqa: BLE001 - only to name the file; the error is reported either way
        config = "keyringrc.cfg"
    if os.path.exists(config):
        return SecretStoreUnavailable("secret.bad_config_backend", path=config, detail=_detail(error))
    return SecretStoreUnavailable("secret.no_backend", backend=_detail(error))


def _call_failed(error: Exception) -> SecretStoreUnavailable:
    """A backend that was chosen failed while reading or writing: say what to do about it."""
    if isinstance(error, keyring.errors.KeyringLocked) or (
        # GNOME Keyring asked for the login password and nobody answered (no display, or cancelled)
        isinstance(error, keyring.errors.InitError) and "prompt dismissed" in str(error).lower()
    ):
        return SecretStoreUnavailable("secret.locked")
    if isinstance(error, keyring.errors.NoKeyringError):
        return SecretStoreUnavailable("secret.no_backend", backend=_detail(error))
    if isinstance(error, keyring.errors.InitError):
        return SecretStoreUnavailable("secret.init_failed", detail=_detail(error))
    if _is_windows_error(error):
        code = getattr(error, "winerror", None)
        if code == _WINDOWS_NO_LOGON_SESSION:
            return SecretStoreUnavailable("secret.windows_no_session")
        if code == _WINDOWS_TOO_BIG:
            return SecretStoreUnavailable("secret.windows_too_big", limit=MAX_SECRET_BYTES)
        return SecretStoreUnavailable("secret.windows_error", code=code, detail=getattr(error, "funcname", "") or "")
    return SecretStoreUnavailable("secret.backend_error", detail=_detail(error))


class _Worker:
    """One daemon thread that runs keyring calls one at a time, in order.

    A daemon thread: one stuck in a D-Bus call that never returns does not keep the process from
    exiting (a ``ThreadPoolExecutor`` thread would: its threads are joined at exit).
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, args=(self._queue,), name=self._name, daemon=True)
                self._thread.start()
            self._queue.put((future, fn))
        return future

    def fail_waiting(self, error: BaseException) -> None:
        """Fail every call still queued (not the one running) with ``error``, at once."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is None:
                self._queue.put(None)
                return
            future, _ = item
            if future.set_running_or_notify_cancel():
                future.set_exception(error)

    def close(self) -> None:
        """Let the thread end once it is free; never waits for it. A later call starts a new one."""
        self.abandon(None)

    def abandon(self, error: BaseException | None) -> threading.Thread | None:
        """Fail every call still queued with ``error`` (when given) and leave the thread to end once
        its current call returns, if ever; the next call starts a new thread. Returns the old thread."""
        with self._start:
            if error is not None:
                self.fail_waiting(error)
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(None)
                self._queue = queue.SimpleQueue()
            return thread

    def _run(self, calls: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None]) -> None:
        while True:
            item = calls.get()
            if item is None:
                return
            future, fn = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn()
            except BaseException as error:  # noqa: BLE001 - handed to the caller, who maps it
                future.set_exception(error)
            else:
                future.set_result(result)
            del future, fn, item


def _setter(key: str, secret: str) -> Callable[[keyring.backend.KeyringBackend], None]:
    return lambda backend: backend.set_password(SERVICE, key, secret)


class SecretStore:
    """Reads and writes account secrets in a vetted keyring backend, never blocking its caller
    for more than ``timeout`` seconds.

    ``backend`` defaults to what ``keyring`` selects for this machine (chosen on the worker, on
    first use). A ``MemoryKeyring`` passed explicitly is accepted and labelled (demo, tests).
    ``cooloff`` is how long the keyring is not asked again after a call timed out (seconds);
    ``clock`` is a monotonic clock in seconds. Every keyring failure is ``SecretStoreUnavailable``.
    """

    def __init__(
        self,
        backend: keyring.backend.KeyringBackend | None = None,
        *,
        timeout: float = TIMEOUT_S,
        cooloff: float = COOLOFF_S,
        trusted: frozenset[str] = SECURE_BACKENDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._backend = backend
        self._keep_choice = backend is not None  # handed over: never chosen again
        self._refused: tuple[float, SecretStoreUnavailable] | None = None  # (until, why) for a refused choice
        self._chosen_once = False
        self._timeout = timeout
        self._cooloff = cooloff
        self._trusted = trusted
        self._clock = clock
        self._worker = _Worker("jb-keyring")
        self._lock = threading.Lock()
        self._unavailable_until: float | None = None
        self._abandoned: list[threading.Thread] = []
        self._misconfigured: InputError | None = None  # a bad setting: every call refused with it

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> SecretStore:
        """The store of a real run: the system's keyring, ``timeout`` from :data:`TIMEOUT_ENV` if set.
        When the variable is not a number of seconds in (0, 3600], the store is still made, but every
        call (``check()`` included) raises ``InputError("secret.bad_timeout")`` naming it, without
        asking the keyring: ``doctor`` reports it as its keyring check and goes on with the others."""
        raw = (os.environ if environ is None else environ).get(TIMEOUT_ENV, "").strip()
        if not raw:
            return cls()
        try:
            timeout = float(raw)
        except ValueError:
            timeout = 0.0
        if not 0 < timeout <= 3600:
            store = cls()
            store._misconfigured = InputError("secret.bad_timeout", variable=TIMEOUT_ENV, value=raw)
            return store
        return cls(timeout=timeout)

    @property
    def timeout(self) -> float:
        return self._timeout

    # --- where the secrets go ----------------------------------------------------------------

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        """The backend in use, chosen on first use; ``SecretStoreUnavailable`` when none can be."""
        return self._wait(self._submit(lambda backend: backend))

    @property
    def is_memory(self) -> bool:
        """True only for a ``MemoryKeyring`` handed over explicitly (keyring never chooses one)."""
        backend = self._backend
        if backend is None:
            try:
                backend = self.backend
            except WatchdeskError:
                return False
        return isinstance(backend, MemoryKeyring)

    def describe(self) -> str:
        """The backend's name for the officer; ``"-"`` when none could be chosen."""
        if self.is_memory:
            return "in-memory (demo: secrets vanish when the program exits)"
        try:
            return backend_name(self.backend)
        except WatchdeskError:
            return "-"

    def check(self) -> None:
        """Raise SecretStoreUnavailable unless a secure backend (or the explicit memory store) can be
        chosen and answers a read: the backend is chosen now, on the worker, and asked for
        :data:`PROBE_KEY` (a name never stored) within the timeout. Choosing alone is not enough: a
        Secret Service that hangs, or a login keyring that is locked, is only seen on a real call."""
        self._wait(self._submit(lambda backend: backend.get_password(SERVICE, PROBE_KEY)))

    def retry_in(self) -> float:
        """Seconds until the keyring is asked again after a timeout (0 when it is not resting)."""
        with self._lock:
            if self._unavailable_until is None:
                return 0.0
            return max(0.0, self._unavailable_until - self._clock())

    def _chosen(self) -> keyring.backend.KeyringBackend:
        """On the worker: the backend in use, choosing it when there is none, and refusing an insecure
        one. A choice is kept only when accepted; a refused one is remembered for ``cooloff`` seconds,
        then keyring detects again (its own cached choice may be the ``fail`` backend it chose at
        login, before the keyring service was up)."""
        backend = self._backend
        if backend is None:
            try:
                if self._chosen_once:
                    keyring.core.init_backend()  # keyring's own detection, again
                self._chosen_once = True
                backend = keyring.get_keyring()
                self._vet(backend)
            except SecretStoreUnavailable as refused:
                self._refuse(refused)
                raise
            except Exception as error:  # noqa: BLE001 - keyring raises anything from a bad setting
                failed = _choice_failed(error)
                self._refuse(failed)
                raise failed from error
            self._backend = backend
            return backend
        if not self._keep_choice or isinstance(backend, MemoryKeyring):
            return backend
        self._vet(backend)
        return backend

    def _refuse(self, refusal: SecretStoreUnavailable) -> None:
        with self._lock:
            self._refused = (self._clock() + self._cooloff, refusal)

    def _vet(self, backend: keyring.backend.KeyringBackend) -> None:
        """Refuse the ``fail`` backend, an empty chain and any backend not on the allow-list."""
        if isinstance(backend, MemoryKeyring):
            return
        name = backend_name(backend)
        if name == "keyring.backends.fail.Keyring" or (
            isinstance(backend, ChainerBackend) and not list(backend.backends)
        ):
            raise SecretStoreUnavailable("secret.no_backend", backend=name)
        if not is_secure(backend, trusted=self._trusted):
            raise SecretStoreUnavailable("secret.refused_backend", backend=name)

    # --- running calls on the worker ---------------------------------------------------------

    def _timed_out_error(self) -> SecretStoreUnavailable:
        return SecretStoreUnavailable(
            "secret.timeout", seconds=f"{self._timeout:g}", minutes=f"{max(1, round(self._cooloff / 60)):d}"
        )

    def _submit(self, op: Callable[[keyring.backend.KeyringBackend], T]) -> Future[T]:
        """Queue ``op(backend)`` on the worker, or fail at once while the keyring is resting."""
        if self._misconfigured is not None:
            raise InputError(self._misconfigured.key, **self._misconfigured.params)
        with self._lock:
            now = self._clock()
            if self._unavailable_until is not None and now < self._unavailable_until:
                raise self._timed_out_error()
            if self._refused is not None:
                until, refusal = self._refused
                if now < until:
                    raise SecretStoreUnavailable(refusal.key, **refusal.params)
                self._refused = None
            self._abandoned = [thread for thread in self._abandoned if thread.is_alive()]
            if len(self._abandoned) >= MAX_ABANDONED:
                # Rested, but that many calls are still stuck: another thread would only join them.
                self._unavailable_until = now + self._cooloff
                raise self._timed_out_error()
            self._unavailable_until = None

        def job() -> T:
            backend = self._chosen()
            try:
                return op(backend)
            except WatchdeskError:
                raise
            except Exception as error:  # noqa: BLE001 - any backend failure is the store's to explain
                raise _call_failed(error) from error

        return self._worker.submit(job)

    def _timed_out(self, future: Future[Any]) -> SecretStoreUnavailable:
        """``future`` did not finish in time: rest the keyring, fail everything queued behind it, and
        leave the worker's thread to its stuck call (the next call after the rest gets a new one)."""
        error = self._timed_out_error()
        with self._lock:
            self._unavailable_until = self._clock() + self._cooloff
        stuck = self._worker.abandon(error)
        if stuck is not None:  # the first caller to time out on this thread (others queued behind it)
            with self._lock:
                self._abandoned.append(stuck)
            log.warning("the keyring did not answer within %g s; it is not asked again for %g s", self._timeout, self._cooloff)
        return error

    def _wait(self, future: Future[T]) -> T:
        try:
            return future.result(timeout=self._timeout)
        except FutureTimeout:
            raise self._timed_out(future) from None

    async def _wait_async(self, future: Future[T]) -> T:
        """Await the worker without a thread of asyncio's own pool; the event loop stays free."""
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self._timeout)
        except TimeoutError:
            raise self._timed_out(future) from None

    # --- account and desk secrets --------------------------------------------------------------

    def set(self, account_id: int, name: str, value: str) -> None:
        key = key_for(account_id, name)
        secret = validate_secret_value(value)
        self._wait(self._submit(lambda backend: backend.set_password(SERVICE, key, secret)))

    def get(self, account_id: int, name: str) -> str | None:
        key = key_for(account_id, name)
        return self._wait(self._submit(lambda backend: backend.get_password(SERVICE, key)))

    async def get_async(self, account_id: int, name: str) -> str | None:
        """:meth:`get` for a coroutine: the event loop never waits on the keyring."""
        key = key_for(account_id, name)
        return await self._wait_async(self._submit(lambda backend: backend.get_password(SERVICE, key)))

    async def set_async(self, account_id: int, name: str, value: str) -> None:
        """:meth:`set` for a coroutine (a refreshed token)."""
        key = key_for(account_id, name)
        secret = validate_secret_value(value)
        await self._wait_async(self._submit(lambda backend: backend.set_password(SERVICE, key, secret)))

    def set_many(self, items: list[tuple[int, str, str]], *, stored: Callable[[int], None] | None = None) -> None:
        """Store ``(account_id, name, value)`` items in order on the one worker (already validated
        by the caller, or refused here before anything is stored). ``stored(i)`` is called after
        item ``i`` is kept; the first failure stops the run and is raised."""
        keyed = [(key_for(account_id, name), validate_secret_value(value)) for account_id, name, value in items]
        for index, (key, secret) in enumerate(keyed):
            self._wait(self._submit(_setter(key, secret)))
            if stored is not None:
                stored(index)

    def delete(self, account_id: int, name: str) -> None:
        self._delete(key_for(account_id, name))

    def get_desk(self, name: str) -> str | None:
        """One of the desk's own secrets (:func:`desk_key`); None when not set."""
        key = desk_key(name)
        return self._wait(self._submit(lambda backend: backend.get_password(SERVICE, key)))

    def set_desk(self, name: str, value: str) -> None:
        key = desk_key(name)
        secret = validate_secret_value(value)
        self._wait(self._submit(lambda backend: backend.set_password(SERVICE, key, secret)))

    def delete_desk(self, name: str) -> None:
        self._delete(desk_key(name))

    def _delete(self, key: str) -> None:
        def delete(backend: keyring.backend.KeyringBackend) -> None:
            try:
                backend.delete_password(SERVICE, key)
            except keyring.errors.PasswordDeleteError:
                pass

        self._wait(self._submit(delete))

    def close(self) -> None:
        """Let the worker end; never waits for a call in progress (a hung one cannot block exit)."""
        self._worker.close()
