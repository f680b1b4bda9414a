from __future__ import annotations

import threading

import keyring.backend
import pytest
from keyring.backends import fail
from keyring.backends.chainer import ChainerBackend

from jb_watchdesk.domain.errors import InputError, SecretStoreUnavailable
from jb_watchdesk.storage.secrets import SERVICE, MemoryKeyring, SecretStore, backend_name, is_secure


class PlaintextKeyring(keyring.backend.KeyringBackend):
    """Stands in for keyrings.alt's plaintext file backend."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


class HangingKeyring(PlaintextKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(5)
        return None


def test_memory_store_round_trip_under_the_service_and_key() -> None:
    backend = MemoryKeyring()
    store = SecretStore(backend)
    store.set(7, "app_secret", "s3cr3t")
    assert store.get(7, "app_secret") == "s3cr3t"
    assert backend.get_password(SERVICE, "7:app_secret") == "s3cr3t"
    store.delete(7, "app_secret")
    assert store.get(7, "app_secret") is None
    store.close()


def test_plaintext_backend_is_refused_and_nothing_written() -> None:
    backend = PlaintextKeyring()
    store = SecretStore(backend)
    with pytest.raises(SecretStoreUnavailable) as caught:
        store.set(1, "app_secret", "s3cr3t")
    assert caught.value.exit_code == 3
    assert caught.value.key == "secret.refused_backend"
    assert "s3cr3t" not in str(caught.value)
    assert backend.items == {}


def test_fail_backend_says_what_to_install() -> None:
    store = SecretStore(fail.Keyring())
    with pytest.raises(SecretStoreUnavailable) as caught:
        store.check()
    assert caught.value.key == "secret.no_backend"
    assert "GNOME Keyring" in caught.value.message("en")


def test_allow_listed_backend_is_accepted() -> None:
    backend = PlaintextKeyring()
    store = SecretStore(backend, trusted=frozenset({backend_name(backend)}))
    store.set(2, "access_token", "t")
    assert backend.items == {(SERVICE, "2:access_token"): "t"}


def test_chainer_is_secure_only_if_every_member_is() -> None:
    secure_name = backend_name(PlaintextKeyring())

    def chain_of(*members: keyring.backend.KeyringBackend) -> ChainerBackend:
        return type("Chain", (ChainerBackend,), {"backends": list(members)})()

    assert is_secure(chain_of(PlaintextKeyring()), trusted=frozenset({secure_name}))
    assert not is_secure(chain_of(PlaintextKeyring(), fail.Keyring()), trusted=frozenset({secure_name}))
    assert not is_secure(chain_of(), trusted=frozenset({secure_name}))


def test_a_hanging_keyring_times_out() -> None:
    backend = HangingKeyring()
    store = SecretStore(backend, timeout=0.2, trusted=frozenset({backend_name(backend)}))
    with pytest.raises(SecretStoreUnavailable) as caught:
        store.get(1, "app_secret")
    assert caught.value.key == "secret.timeout"
    backend.release.set()
    store.close()


@pytest.mark.parametrize("name", ["", "App_Secret", "a b", "x" * 41, "1abc", "../x"])
def test_bad_secret_names(name: str) -> None:
    with pytest.raises(InputError):
        SecretStore(MemoryKeyring()).set(1, name, "v")


def test_secret_size_limits() -> None:
    store = SecretStore(MemoryKeyring())
    with pytest.raises(InputError):
        store.set(1, "app_secret", "")
    with pytest.raises(InputError):
        store.set(1, "app_secret", "x" * 1281)
    store.set(1, "app_secret", "x" * 1280)


def test_access_from_a_worker_thread() -> None:
    """The connectors read and refresh tokens from the event loop through a worker thread."""
    import asyncio

    store = SecretStore(MemoryKeyring())

    async def main() -> str | None:
        await asyncio.to_thread(store.set, 3, "refresh_token", "r")
        return await asyncio.to_thread(store.get, 3, "refresh_token")

    assert asyncio.run(main()) == "r"
