"""``accounts import-secrets``: many secrets from standard input, checked first, reported per row,
values never echoed; and the keyring's failures as the command line reports them."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import pytest
from keyring.backends import fail

from jb_watchdesk.cli import main
from jb_watchdesk.paths import resources_dir
from jb_watchdesk.storage.secrets import SERVICE, MemoryKeyring

SHIPPED = str(resources_dir() / "accounts" / "jiangbei-2021.csv")
# The shipped register: 1 and 2 are WeChat (app_secret), 3 is Douyin (client_key, refresh_token).
GOOD_CSV = (
    "account,name,value\n1,app_secret,wx-secret-one\n2,app_secret,\"wx,secret two\"\n"
    "3,client_key,dy-key\n3,refresh_token,dy-refresh\n"
)
VALUES = ("wx-secret-one", "wx,secret two", "dy-key", "dy-refresh")


def run(*argv: str, stdin: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["--lang", "en", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def ws(tmp_path: Path) -> str:
    root = str(tmp_path / "ws")
    assert main(["--data-dir", root, "accounts", "import", SHIPPED], out=io.StringIO(), err=io.StringIO()) == 0
    return root


def secret_names(ws: str) -> dict[int, list[str]]:
    conn = sqlite3.connect(Path(ws, "watchdesk.sqlite3"))
    try:
        return {row[0]: json.loads(row[1]) for row in conn.execute("SELECT id, secret_names FROM accounts")}
    finally:
        conn.close()


def assert_no_value_anywhere(ws: str, *texts: str) -> None:
    for value in VALUES:
        for text in texts:
            assert value not in text
        for path in Path(ws).rglob("*"):
            if path.is_file():
                assert value.encode() not in path.read_bytes(), path


def test_csv_rows_are_stored_and_reported_per_row(ws: str, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> None:
    code, out, err = run("--data-dir", ws, "accounts", "import-secrets", stdin=GOOD_CSV, monkeypatch=monkeypatch)
    assert (code, err) == (0, "")
    assert memory_keyring.get_password(SERVICE, "1:app_secret") == "wx-secret-one"
    assert memory_keyring.get_password(SERVICE, "2:app_secret") == "wx,secret two"
    assert memory_keyring.get_password(SERVICE, "3:refresh_token") == "dy-refresh"
    lines = out.splitlines()
    assert lines[0].startswith("<stdin>:2: stored app_secret for account 1")
    assert lines[3].startswith("<stdin>:5: stored refresh_token for account 3")
    assert "stored 4 secrets" in lines[-1]
    names = secret_names(ws)
    assert names[1] == ["app_secret"] and names[3] == ["client_key", "refresh_token"]
    assert_no_value_anywhere(ws, out, err)


@pytest.mark.parametrize("flag", [(), ("--format", "json")], ids=["detected", "flag"])
def test_json_rows(ws: str, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring, flag: tuple[str, ...]) -> None:
    rows = json.dumps([{"account": 1, "name": "app_secret", "value": "wx-secret-one"}, ["3", "client_key", "dy-key"]])
    code, out, err = run("--data-dir", ws, "accounts", "import-secrets", *flag, stdin=rows, monkeypatch=monkeypatch)
    assert code == 0, err
    assert memory_keyring.get_password(SERVICE, "3:client_key") == "dy-key"
    assert out.splitlines()[1].startswith("<stdin>:2: stored client_key for account 3")


def test_json_given_as_csv_is_refused(ws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run("--data-dir", ws, "accounts", "import-secrets", "--format", "csv", stdin="[]", monkeypatch=monkeypatch)
    assert code == 2 and "account, name and value" in err


def test_any_bad_row_stores_nothing_and_names_each_row(
    ws: str, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    text = GOOD_CSV + (
        "1,app_secert,typo-value\n"  # line 6: a name the WeChat connector never reads
        "42,app_secret,orphan-value\n"  # line 7: no such account
        "one,app_secret,word-value\n"  # line 8: not an id
        "1,app_secret,again-value\n"  # line 9: given twice
        "2,app_secret,\n"  # line 10: empty (duplicate is not reached)
        f"3,client_key,{'😀' * 641}\n"  # line 11: 641 characters, 2,564 bytes of UTF-16
    )
    code, out, err = run("--data-dir", ws, "accounts", "import-secrets", stdin=text, monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert "<stdin>:6: the name column is not a secret account 1 uses (valid names: app_secret)" in err
    assert "<stdin>:7: no account with id 42" in err
    assert "<stdin>:8: the account column is not an account id" in err
    assert "<stdin>:9: account 1 app_secret is already given on line 2" in err
    assert "<stdin>:10: no secret was given" in err
    assert "<stdin>:11: the secret is too long: 2564 bytes" in err
    assert "6 bad row(s); nothing was imported" in err
    for value in ("typo-value", "orphan-value", "word-value", "again-value", *VALUES):
        assert value not in err
    assert memory_keyring._items == {}  # noqa: SLF001 - nothing at all was stored
    assert all(names == [] for names in secret_names(ws).values())


def test_a_row_wider_than_the_header_is_refused_not_cut(
    ws: str, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    # An unquoted comma in the value: storing the first part would keep a truncated secret.
    text = "account,name,value\n1,app_secret,Abc9Part,Def7Rest\n"
    code, out, err = run("--data-dir", ws, "accounts", "import-secrets", stdin=text, monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert "<stdin>:2: the row has 4 cells but the header 3 columns" in err
    assert "Abc9Part" not in err and "Def7Rest" not in err
    assert memory_keyring._items == {}  # noqa: SLF001


def test_a_secret_in_the_wrong_column_is_never_echoed(ws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from jb_watchdesk.services.redaction import redact

    text = "account,name,value\nS3cr3tV4lue9x,app_secret,x\n1,s3cr3tv4lue9y,x\n2,app_secret,Q7wrongplace\n2,x,y\n"
    code, out, err = run("--data-dir", ws, "accounts", "import-secrets", stdin=text, monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert "<stdin>:2: the account column" in err and "<stdin>:3: the name column" in err
    for value in ("S3cr3tV4lue9x", "s3cr3tv4lue9y"):
        assert value not in err
    # Every value cell is masked from then on (a later log line, a traceback).
    assert redact("echo Q7wrongplace") == "echo [redacted]"


def test_without_a_keyring_nothing_is_read(ws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_keyring(fail.Keyring())
    code, out, err = run("--data-dir", ws, "accounts", "import-secrets", stdin=GOOD_CSV, monkeypatch=monkeypatch)
    assert code == 3 and out == ""
    assert "GNOME Keyring" in err and err.count("\n") == 1
    assert sys.stdin.read() == GOOD_CSV  # refused before the input was read


class BreaksAfter(MemoryKeyring):
    """A keyring whose D-Bus connection drops after ``ok`` writes."""

    def __init__(self, ok: int) -> None:
        super().__init__()
        self.ok = ok

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.ok <= 0:
            raise ConnectionResetError("the bus went away")
        self.ok -= 1
        super().set_password(service, username, password)


def test_a_keyring_failing_part_way_says_what_was_stored(ws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = BreaksAfter(ok=2)
    keyring.set_keyring(backend)
    code, out, err = run("--data-dir", ws, "accounts", "import-secrets", stdin=GOOD_CSV, monkeypatch=monkeypatch)
    assert code == 3
    lines = out.splitlines()
    assert [line.split(":")[1] for line in lines[:4]] == ["2", "3", "4", "5"]
    assert "stored app_secret" in lines[1] and "not stored: client_key" in lines[2]
    assert "2 of 4 stored" in lines[4]
    assert "the credential store failed (ConnectionResetError" in err
    assert secret_names(ws)[2] == ["app_secret"] and secret_names(ws)[3] == []
    assert_no_value_anywhere(ws, out, err)


@pytest.mark.parametrize(
    ("variable", "expected"),
    [("", "PYTHON_KEYRING_BACKEND=''"), ("keyring.backends.NoSuch", "PYTHON_KEYRING_BACKEND='keyring.backends.NoSuch'")],
)
def test_a_bad_backend_setting_is_exit_3_not_an_internal_error(
    ws: str, monkeypatch: pytest.MonkeyPatch, variable: str, expected: str
) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", variable)
    code, out, err = run("--data-dir", ws, "accounts", "set-secret", "1", "app_secret", stdin="v", monkeypatch=monkeypatch)
    assert code == 3 and expected in err and "internal error" not in err
    code, out, err = run("--data-dir", ws, "doctor", stdin="", monkeypatch=monkeypatch)
    assert code == 1 and "internal error" not in out + err
    keyring_line = next(line for line in out.splitlines() if "credential store" in line)
    assert keyring_line.startswith("[fail]")
    assert "database" in out  # doctor carried on with its other checks


def test_a_bad_keyring_timeout_is_doctor_s_keyring_check_not_a_stop(ws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JB_WATCHDESK_KEYRING_TIMEOUT_S", "soon")
    code, out, err = run("--data-dir", ws, "doctor", stdin="", monkeypatch=monkeypatch)
    assert code == 1 and err == ""
    keyring_line = next(line for line in out.splitlines() if "credential store" in line)
    assert keyring_line.startswith("[fail]")
    assert "JB_WATCHDESK_KEYRING_TIMEOUT_S='soon'" in out
    assert "database" in out  # the other checks ran
    # A command that needs the keyring is still refused with the same line (exit 2).
    code, out, err = run("--data-dir", ws, "accounts", "set-secret", "1", "app_secret", stdin="v4lue", monkeypatch=monkeypatch)
    assert code == 2 and "JB_WATCHDESK_KEYRING_TIMEOUT_S='soon'" in err


@pytest.mark.parametrize("as_bytes", [True, False], ids=["stdin-bytes", "text"])
def test_input_over_8_mib_of_utf8_is_refused_whole_not_cut(
    ws: str, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring, as_bytes: bool
) -> None:
    # 3 million characters of Chinese: under 8 Mi characters, but 9 MB of UTF-8.
    text = "account,name,value\n1,app_secret,v4lue\n" + "3,client_key,\"" + "令" * 3_000_000 + "\"\n"
    if as_bytes:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8"))
        code = main(["--lang", "en", "--data-dir", ws, "accounts", "import-secrets"], out=out, err=err)
        out_text, err_text = out.getvalue(), err.getvalue()
    else:
        code, out_text, err_text = run("--data-dir", ws, "accounts", "import-secrets", stdin=text, monkeypatch=monkeypatch)
    assert code == 2 and out_text == ""
    assert "<stdin>: more than 8 MiB, no row was read" in err_text
    assert memory_keyring._items == {}  # noqa: SLF001
