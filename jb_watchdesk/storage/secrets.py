"""Account credentials, kept only in the operating system's keyring.

Only secure backends are accepted: Windows Credential Locker, macOS Keychain, the
Secret Service (GNOME Keyring, KWallet 5.97+) and KWallet itself. A plaintext backend
(``keyrings.alt`` installs one silently) or the ``fail`` backend is refused, and the
secret is written nowhere else. Keyring calls may block (an unlock prompt, a hung D-Bus),
so they run on a worker thread with a timeout; the event loop never waits on them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

import keyring
import keyring.backend
import keyring.errors
from keyring.backends.chainer import ChainerBackend

from jb_watchdesk import APP_ID
from jb_watchdesk.domain.errors import InputError, SecretStoreUnavailable

SERVICE = APP_ID
TIMEOUT_S = 10.0
MAX_SECRET_CHARS = 1280  # Windows Credential Manager: 2,560 bytes of UTF-16
_SECRET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

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

T = TypeVar("T")


def backend_name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def is_secure(backend: keyring.backend.KeyringBackend, *, trusted: frozenset[str] = SECURE_BACKENDS) -> bool:
    """True for an allow-listed backend, or a chain made only of allow-listed backends."""
    if isinstance(backend, ChainerBackend):
        members = list(backend.backends)
        return bool(members) and all(is_secure(member, trusted=trusted) for member in members)
    return backend_name(backend) in trusted


def validate_secret_name(name: str) -> str:
    if not _SECRET_NAME.match(name):
        raise InputError("secret.bad_name", name=name)
    return name


def validate_secret_value(value: str) -> str:
    if not value:
        raise InputError("secret.empty")
    if len(value) > MAX_SECRET_CHARS:
        raise InputError("secret.too_long", length=len(value), limit=MAX_SECRET_CHARS)
    return value


def key_for(account_id: int, name: str) -> str:
    """The keyring user name for one secret of one account: ``ACCOUNT_ID:NAME``."""
    return f"{account_id}:{validate_secret_name(name)}"


DESK_PREFIX = "desk"


def desk_key(name: str) -> str:
    """The keyring user name of one of the desk's own secrets (not an account's): ``desk:NAME``,
    e.g. ``desk:escalation_channels``. No account id is ``desk``, so the two never meet."""
    return f"{DESK_PREFIX}:{validate_secret_name(name)}"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Secrets held in this process only: the demo workspace and tests. Never chosen automatically."""

    priority = 0

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring's __init__ has no annotations
        self._items: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

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


class SecretStore:
    """Reads and writes account secrets in a vetted keyring backend.

    ``backend`` defaults to what ``keyring`` selects for this machine. A
    ``MemoryKeyring`` passed explicitly is accepted and labelled (demo, tests).
    """

    def __init__(
        self,
        backend: keyring.backend.KeyringBackend | None = None,
        *,
        timeout: float = TIMEOUT_S,
        trusted: frozenset[str] = SECURE_BACKENDS,
    ) -> None:
        self._backend = backend
        self._timeout = timeout
        self._trusted = trusted
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jb-keyring")

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        if self._backend is None:
            self._backend = keyring.get_keyring()
        return self._backend

    @property
    def is_memory(self) -> bool:
        return isinstance(self.backend, MemoryKeyring)

    def describe(self) -> str:
        if self.is_memory:
            return "in-memory (demo: secrets vanish when the program exits)"
        return backend_name(self.backend)

    def check(self) -> None:
        """Raise SecretStoreUnavailable unless the backend is secure (or the explicit memory store)."""
        backend = self.backend
        if self.is_memory:
            return
        name = backend_name(backend)
        if name == "keyring.backends.fail.Keyring" or (
            isinstance(backend, ChainerBackend) and not list(backend.backends)
        ):
            raise SecretStoreUnavailable("secret.no_backend", backend=name)
        if not is_secure(backend, trusted=self._trusted):
            raise SecretStoreUnavailable("secret.refused_backend", backend=name)

    def _call(self, fn: Callable[[], T]) -> T:
        self.check()
        future = self._executor.submit(fn)
        try:
            return future.result(timeout=self._timeout)
        except FutureTimeout:
            raise SecretStoreUnavailable("secret.timeout", seconds=self._timeout) from None
        except keyring.errors.KeyringError as error:
            # keyring's messages name the backend and operation, never the secret itself.
            raise SecretStoreUnavailable("secret.backend_error", detail=type(error).__name__) from error

    def set(self, account_id: int, name: str, value: str) -> None:
        key = key_for(account_id, name)
        secret = validate_secret_value(value)
        self._call(lambda: self.backend.set_password(SERVICE, key, secret))

    def get(self, account_id: int, name: str) -> str | None:
        key = key_for(account_id, name)
        return self._call(lambda: self.backend.get_password(SERVICE, key))

    def delete(self, account_id: int, name: str) -> None:
        key = key_for(account_id, name)

        def _delete() -> None:
            try:
                self.backend.delete_password(SERVICE, key)
            except keyring.errors.PasswordDeleteError:
                pass

        self._call(_delete)

    def get_desk(self, name: str) -> str | None:
        """One of the desk's own secrets (:func:`desk_key`); None when not set."""
        key = desk_key(name)
        return self._call(lambda: self.backend.get_password(SERVICE, key))

    def set_desk(self, name: str, value: str) -> None:
        key = desk_key(name)
        secret = validate_secret_value(value)
        self._call(lambda: self.backend.set_password(SERVICE, key, secret))

    def delete_desk(self, name: str) -> None:
        key = desk_key(name)

        def _delete() -> None:
            try:
                self.backend.delete_password(SERVICE, key)
            except keyring.errors.PasswordDeleteError:
                pass

        self._call(_delete)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
