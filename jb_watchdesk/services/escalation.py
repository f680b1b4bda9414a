"""Escalation: nothing serious waits unseen.

Three things escalate when nobody acts on them in time:

- a **live high alert** still new ``after`` minutes (setting ``escalation_minutes``, default 10)
  after it was raised — backlog alerts never escalate, and deferring an alert hides its pop-up
  but does not stop this clock;
- a **public comment** not acknowledged by its deadline (one hour after it was written, §3.7),
  unless the desk found it already there (backlog, as for alerts);
- an **emergency plan activation** whose first related post did not follow within two hours (§3.6).

The rule (:class:`EscalationPolicy`, pure, time passed in): **step 1**, the sound at the
workstation, falls due when the deadline passes (the alert's ``after`` minutes, the comment's
hour, the plan's two hours); **step 2**, a message to the leader on duty through every
configured channel, falls due ``after`` minutes after step 1 was taken — so the officer always
has ``after`` minutes between the first sound and the leader's phone, even when the desk was
closed while the deadline passed. Each step is taken once per thing (the ``escalations``
table), recorded in the ledger, and acknowledging (a comment: acknowledging it; a plan: its
first post) stops everything further. The sound repeats until the alert or comment is
acknowledged; for a plan it stops once the leader was told (a plan has nothing to acknowledge).

Channels are Apprise URLs (WeCom group bots ``wecombot://``, DingTalk, Feishu/Lark, e-mail …).
They contain keys, so they live only in the OS keyring (``desk:escalation_channels``); they are
shown masked (scheme and host kept), and a failure's reason is scrubbed of the address's other
parts before it is reported or stored. Each channel is sent to separately, off the event loop,
with a bounded timeout: one failing channel is reported and the others still go out. Messages
carry no personal data (category, severity, account, platform and times only) and no secret.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from types import ModuleType
from typing import Any, Final, Protocol

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import EnvironmentProblem, InputError, WatchdeskError
from jb_watchdesk.domain.messages.times import Shape, show
from jb_watchdesk.domain.rules import ACK_WITHIN, EMERGENCY_FIRST_POST_WITHIN
from jb_watchdesk.services import redaction
from jb_watchdesk.storage import escalations as escalation_store
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.escalations import Open, StepRow
from jb_watchdesk.storage.secrets import SecretStore

log = logging.getLogger(__name__)

CHANNELS_SECRET: Final = "escalation_channels"
"""The keyring entry (``desk:escalation_channels``) holding the channel URLs, one per line."""
SEND_TIMEOUT_S: Final = 15.0
"""How long one channel may take before it counts as failed."""
MESSAGE_LINES: Final = 10
"""Things named in one message; the rest are counted ("and 3 more")."""
DEFAULT_MINUTES: Final = 10


class Clock(Protocol):
    def now(self) -> datetime: ...


class Subject(StrEnum):
    ALERT = escalation_store.ALERT
    COMMENT = escalation_store.COMMENT
    EMERGENCY = escalation_store.EMERGENCY


class Step(IntEnum):
    SOUND = 1
    """The sound at the workstation, repeating until the thing is acknowledged."""
    MESSAGE = 2
    """A message to the leader on duty through every configured channel."""


# -- the rule -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EscalationPolicy:
    """When each step falls due (see the module's docstring). Pure: time comes in as ``now``."""

    after: timedelta = timedelta(minutes=DEFAULT_MINUTES)
    sound: bool = True
    """Whether step 1 makes a sound (it is recorded, and starts step 2's clock, either way)."""

    def __post_init__(self) -> None:
        if self.after <= timedelta(0):
            raise ValueError("after must be positive")

    def deadline(self, thing: Open) -> datetime:
        """When step 1 falls due for ``thing``."""
        if thing.subject == Subject.ALERT:
            return thing.started + self.after
        if thing.subject == Subject.COMMENT:
            return thing.started + ACK_WITHIN
        return thing.started + EMERGENCY_FIRST_POST_WITHIN

    def next_step(self, thing: Open, *, now: datetime) -> Step | None:
        """The step ``thing`` needs at ``now``, if any; never two steps in one turn."""
        if thing.step <= 0:
            return Step.SOUND if now >= self.deadline(thing) else None
        if thing.step == Step.SOUND:
            started = thing.step_at or self.deadline(thing)
            return Step.MESSAGE if now >= started + self.after else None
        return None

    def due(self, things: Iterable[Open], *, now: datetime) -> list[tuple[Open, Step]]:
        """Every step due at ``now``, oldest thing first."""
        found = [(thing, step) for thing in things if (step := self.next_step(thing, now=now)) is not None]
        return sorted(found, key=lambda pair: (self.deadline(pair[0]), pair[0].subject, pair[0].ref_id))

    def sounds_for(self, thing: Open, *, step: int) -> bool:
        """Whether the workstation sounds for ``thing`` once it stands at ``step``."""
        if not self.sound or step < Step.SOUND:
            return False
        return thing.subject != Subject.EMERGENCY or step < Step.MESSAGE


# -- channels -----------------------------------------------------------------------------------


_HOST: Final = re.compile(
    r"(localhost|\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]|([A-Za-z0-9-]+\.)+[A-Za-z]{2,})(:\d{1,5})?"
)


def mask_channel(url: str) -> str:
    """A channel address as it may be shown: the scheme and a host name kept, everything that can
    hold a key (user, password, a host that is a token, path, query) masked."""
    scheme, sep, rest = url.strip().partition("://")
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        return "***"
    match = re.match(r"([^/?#]*)(.*)", rest, re.DOTALL)
    netloc, tail = (match.group(1), match.group(2)) if match else ("", rest)
    userinfo, at, host = netloc.rpartition("@")
    shown = host if _HOST.fullmatch(host) else (host[:2] + "***" if len(host) > 8 else "***")
    masked = f"{scheme.lower()}://" + ("***@" if at else "") + shown
    if tail.strip("/"):
        masked += "/***"
    return masked


def _secret_parts(url: str) -> list[str]:
    """The pieces of ``url`` that may be a key: everything but the scheme and a plain host name."""
    _, _, rest = url.partition("://")
    parts = [part for part in re.split(r"[/:@?&=#,]+", rest) if len(part) >= 4 and not _HOST.fullmatch(part)]
    return sorted(set(parts), key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """``text`` (a library's error message) with every key-like part of ``url`` masked."""
    for part in _secret_parts(url):
        text = text.replace(part, "***")
    return text


_APPRISE_LOCK: Final = threading.Lock()
_apprise_loaded: list[ModuleType] = []


def _apprise() -> ModuleType:
    """Apprise, imported when first needed (it loads ~100 plugins), its log kept to itself: its
    messages reach the officer only through :func:`scrub`."""
    with _APPRISE_LOCK:
        if not _apprise_loaded:
            # Its e-mail plugin imports the standard library's deprecated ``imghdr`` (Python 3.11/3.12).
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                import apprise  # noqa: PLC0415

                apprise.Apprise.instantiate("json://localhost")  # loads every plugin now, warnings muted
            logger = logging.getLogger("apprise")
            logger.propagate = False
            logger.addHandler(logging.NullHandler())
            _apprise_loaded.append(apprise)
        return _apprise_loaded[0]


def _instantiate(apprise: ModuleType, url: str) -> object:
    """Apprise's reading of ``url`` (None when it cannot use it). Apprise logs a refused URL in full
    (keys included) at ERROR: that log is muted here, the caller names the line, masked."""
    logger = logging.getLogger("apprise")
    with _APPRISE_LOCK:
        level = logger.level
        logger.setLevel(logging.CRITICAL + 1)
        try:
            return apprise.Apprise.instantiate(url)
        finally:
            logger.setLevel(level)


def parse_channels(text: str) -> list[str]:
    """Channel URLs from ``text``: one per line, blank lines and ``#`` comments skipped, each one
    checked by Apprise. ``InputError`` naming the first bad line (masked); nothing half-read."""
    apprise = _apprise()
    urls: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if _instantiate(apprise, line) is None:
            raise InputError("escalation.bad_channel", line=number, channel=mask_channel(line))
        if line not in urls:
            urls.append(line)
    if not urls:
        raise InputError("escalation.no_channels_given")
    return urls


def load_channels(secrets: SecretStore) -> list[str]:
    """The configured channel URLs (empty when none); ``SecretStoreUnavailable`` when the keyring
    cannot be read. Blocking: call it off the event loop."""
    stored = secrets.get_desk(CHANNELS_SECRET)
    urls = [line for line in (stored or "").splitlines() if line.strip()]
    for url in urls:
        redaction.register_url(url)  # a channel's key never reaches a log line or a stored reason
    return urls


def save_channels(secrets: SecretStore, urls: Sequence[str]) -> None:
    """Keep ``urls`` (already checked) in the keyring, replacing what was there."""
    secrets.check()
    for url in urls:
        redaction.register_url(url)
    secrets.set_desk(CHANNELS_SECRET, "\n".join(urls))


def masked_channels(secrets: SecretStore) -> list[str]:
    return [mask_channel(url) for url in load_channels(secrets)]


@dataclass(frozen=True, slots=True)
class ChannelOutcome:
    """What one channel did with one message: ``channel`` is masked, ``error`` scrubbed."""

    channel: str
    ok: bool
    error: str = ""

    def as_json(self) -> dict[str, object]:
        return {"channel": self.channel, "ok": self.ok, "error": self.error}

    def text(self, language: str | None = None) -> str:
        """``json://127.0.0.1:8080/***: connection refused`` for a report line."""
        if self.ok:
            return messages.text("escalation.channel_ok", language, channel=self.channel)
        return messages.text("escalation.channel_failed", language, channel=self.channel, reason=self.error or "—")


def _send_one(url: str, *, title: str, body: str, timeout_s: float) -> ChannelOutcome:
    apprise = _apprise()
    channel = mask_channel(url)
    notifier = apprise.Apprise()
    if not notifier.add(url):
        return ChannelOutcome(channel, ok=False, error=messages.text("escalation.unusable_channel"))
    problems: list[str] = []

    def keep(entry: Any, service: Any) -> None:
        if entry.level in ("WARNING", "ERROR", "CRITICAL"):
            problems.append(str(entry.message))

    try:
        result = notifier.notify(title=title, body=body, timeout=timeout_s, log_callback=keep)
    except Exception as error:  # noqa: BLE001 - a plugin's failure is this channel's failure, never the chain's
        return ChannelOutcome(channel, ok=False, error=scrub(type(error).__name__, url))
    if result:
        return ChannelOutcome(channel, ok=True)
    reason = "; ".join(dict.fromkeys(problems)) or str(getattr(getattr(result, "status", None), "name", "")).lower()
    return ChannelOutcome(channel, ok=False, error=scrub(reason, url)[:300])


def send_all(urls: Sequence[str], *, title: str, body: str, timeout_s: float = SEND_TIMEOUT_S) -> list[ChannelOutcome]:
    """Send one message through each channel, all at once, each bounded by ``timeout_s``; one
    outcome per channel in ``urls``' order. Blocking: call it off the event loop."""
    if not urls:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(urls)), thread_name_prefix="jb-escalate") as pool:
        futures = [pool.submit(_send_one, url, title=title, body=body, timeout_s=timeout_s) for url in urls]
        return [future.result() for future in futures]


# -- messages -----------------------------------------------------------------------------------


def describe(thing: Open, *, policy: EscalationPolicy, language: str | None = None) -> str:
    """One line naming ``thing`` for the leader and the window: what, where, since when. No personal
    data: an alert by category and account, a comment by account and time, a plan by its title."""
    if thing.subject == Subject.ALERT:
        return messages.text(
            "escalation.line.alert",
            language,
            severity=messages.label("severity", thing.severity, language),
            category=messages.label("category", thing.what, language),
            account=thing.account,
            platform=messages.label("platform", thing.platform, language),
            published=show(thing.since),
            raised=show(thing.started),
        )
    if thing.subject == Subject.COMMENT:
        return messages.text(
            "escalation.line.comment",
            language,
            account=thing.account,
            platform=messages.label("platform", thing.platform, language),
            created=show(thing.since),
            due=show(policy.deadline(thing)),
        )
    return messages.text(
        "escalation.line.emergency", language, title=thing.what, activated=show(thing.since), due=show(policy.deadline(thing))
    )


def compose(things: Sequence[Open], *, policy: EscalationPolicy, language: str | None = None) -> tuple[str, str]:
    """The title and body of one message to the leader about ``things`` (at most
    :data:`MESSAGE_LINES` named, the rest counted)."""
    title = messages.text("escalation.title", language, count=len(things))
    lines = [f"{n}. {describe(thing, policy=policy, language=language)}" for n, thing in enumerate(things[:MESSAGE_LINES], start=1)]
    if len(things) > MESSAGE_LINES:
        lines.append(messages.text("escalation.more", language, count=len(things) - MESSAGE_LINES))
    lines.append(messages.text("escalation.waiting", language))
    return title, "\n".join(lines)


def test_message(language: str | None = None, *, now: datetime) -> tuple[str, str]:
    return messages.text("escalation.test_title", language), messages.text("escalation.test_body", language, at=show(now, Shape.SECONDS))


# -- the service --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Taken:
    """One step taken this turn: on what, which, when, and (a message) each channel's outcome."""

    subject: Subject
    ref_id: int
    step: Step
    at: datetime
    line: str
    outcomes: tuple[ChannelOutcome, ...] = ()


@dataclass(frozen=True, slots=True)
class EscalationReport:
    """What one escalation check did, and what the workstation should sound for now."""

    taken: tuple[Taken, ...] = ()
    failures: tuple[ChannelOutcome, ...] = ()
    """Channels that failed this turn (masked, reasons scrubbed)."""
    problem: str = ""
    """Set when a message was due but could not go anywhere (no channel, the keyring unreadable)."""
    sounding: tuple[tuple[Subject, int], ...] = ()
    """The things the workstation sounds for now (empty: silence)."""

    @property
    def news(self) -> bool:
        """Whether there is something to show (a step taken, a failure)."""
        return bool(self.taken or self.failures or self.problem)

    def lines(self, language: str | None = None) -> list[str]:
        """What the window's banner and the log say about this turn, one line each."""
        shown: list[str] = []
        for taken in self.taken:
            key = "escalation.report.sound" if taken.step is Step.SOUND else "escalation.report.message"
            shown.append(messages.text(key, language, what=taken.line))
        shown += [failure.text(language) for failure in self.failures]
        if self.problem:
            shown.append(self.problem)
        return shown


@dataclass
class EscalationService:
    """The watch loop's escalation check: read what waits, take the steps due, report."""

    store: Store
    clock: Clock
    channels: Callable[[], list[str]]
    """The channel URLs (blocking; raises ``WatchdeskError`` when the keyring cannot be read)."""
    policy: EscalationPolicy = field(default_factory=EscalationPolicy)
    language: str | None = None
    timeout_s: float = SEND_TIMEOUT_S
    _sounding: tuple[tuple[Subject, int], ...] = field(default=(), init=False, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    _retry_at: dict[tuple[str, int], datetime] = field(default_factory=dict, init=False, repr=False)
    """When a message no channel took is tried again (in memory: a restart tries at once)."""

    @property
    def sounding(self) -> tuple[tuple[Subject, int], ...]:
        """What the workstation sounded for after the last check."""
        return self._sounding

    async def check(self) -> EscalationReport:
        """Take every step due now; one message for all the things whose message step fell due.

        One check at a time (a forced cycle beside the loop's tick must not message the leader
        twice). A message no channel took is tried again every ``policy.after`` while the thing
        stays open; each try is in the ledger and the window."""
        async with self._lock:
            return await self._check()

    async def _check(self) -> EscalationReport:
        now = self.clock.now()
        things = await self.store.run(escalation_store.open_subjects, now=now, after=self.policy.after)
        steps: dict[tuple[str, int], int] = {(thing.subject, thing.ref_id): thing.step for thing in things}
        taken: list[Taken] = []
        messages_due: list[Open] = []
        for thing, step in self.policy.due(things, now=now):
            if step is Step.MESSAGE:
                messages_due.append(thing)
                continue
            if await self._record(thing, step, outcomes=(), now=now):
                steps[(thing.subject, thing.ref_id)] = step
                taken.append(self._taken(thing, step, (), now=now))
        undelivered = await self.store.run(escalation_store.undelivered_messages)
        retries = [
            thing
            for thing in things
            if (thing.subject, thing.ref_id) in undelivered and self._retry_at.get((thing.subject, thing.ref_id), now) <= now
        ]
        failures: tuple[ChannelOutcome, ...] = ()
        problem = ""
        open_now = [thing for thing in messages_due if await self.store.run(escalation_store.still_open, thing.subject, thing.ref_id)]
        if open_now or retries:
            outcomes, problem = await self._send([*open_now, *retries])
            failures = tuple(outcome for outcome in outcomes if not outcome.ok)
            stored = outcomes or [ChannelOutcome("", ok=False, error=problem)]
            for thing in open_now:
                if await self._record(thing, Step.MESSAGE, outcomes=stored, now=now):
                    steps[(thing.subject, thing.ref_id)] = Step.MESSAGE
                    taken.append(self._taken(thing, Step.MESSAGE, outcomes, now=now))
            for thing in retries:
                outcome_json = [outcome.as_json() for outcome in stored]
                await self.store.run(
                    escalation_store.record_retry, subject=thing.subject, ref_id=thing.ref_id, outcome=outcome_json, now=now
                )
            delivered = any(outcome.ok for outcome in outcomes)
            for thing in [*open_now, *retries]:
                key = (thing.subject, thing.ref_id)
                if delivered:
                    self._retry_at.pop(key, None)
                else:
                    self._retry_at[key] = now + self.policy.after
        self._sounding = tuple(
            (Subject(thing.subject), thing.ref_id)
            for thing in things
            if self.policy.sounds_for(thing, step=steps[(thing.subject, thing.ref_id)])
        )
        report = EscalationReport(taken=tuple(taken), failures=failures, problem=problem, sounding=self._sounding)
        for line in report.lines(self.language):
            log.warning("escalation: %s", line)
        return report

    def _taken(self, thing: Open, step: Step, outcomes: Sequence[ChannelOutcome], *, now: datetime) -> Taken:
        line = describe(thing, policy=self.policy, language=self.language)
        return Taken(subject=Subject(thing.subject), ref_id=thing.ref_id, step=step, at=now, line=line, outcomes=tuple(outcomes))

    async def _record(self, thing: Open, step: Step, *, outcomes: Sequence[ChannelOutcome], now: datetime) -> bool:
        details = {"deadline": self.policy.deadline(thing).isoformat(), "minutes": int(self.policy.after / timedelta(minutes=1))}
        return await self.store.run(
            escalation_store.record_step,
            subject=thing.subject,
            ref_id=thing.ref_id,
            step=int(step),
            outcome=[outcome.as_json() for outcome in outcomes],
            details=details,
            now=now,
        )

    async def _send(self, things: Sequence[Open]) -> tuple[list[ChannelOutcome], str]:
        """Send one message about ``things`` through every channel; the outcomes, or why none was tried."""
        try:
            urls = await asyncio.to_thread(self.channels)
        except WatchdeskError as error:
            return [], messages.text("escalation.keyring_unreadable", self.language, detail=str(error))
        if not urls:
            return [], messages.text("escalation.no_channels", self.language)
        title, body = compose(things, policy=self.policy, language=self.language)
        return await asyncio.to_thread(send_all, urls, title=title, body=body, timeout_s=self.timeout_s), ""


# -- what the command line, the handover and the doctor read -----------------------------------------


def store_channels(secrets: SecretStore, text: str) -> list[str]:
    """``escalation channels``: check every line of ``text``, then keep them all in the keyring (or
    none, on the first bad line). Returns the channels, masked."""
    urls = parse_channels(text)
    save_channels(secrets, urls)
    return [mask_channel(url) for url in urls]


def test_channels(
    secrets: SecretStore, *, now: datetime, language: str | None = None, timeout_s: float = SEND_TIMEOUT_S
) -> list[ChannelOutcome]:
    """``escalation test``: a test message through each channel; ``InputError`` when none is configured."""
    secrets.check()
    urls = load_channels(secrets)
    if not urls:
        raise EnvironmentProblem("escalation.none_configured")
    title, body = test_message(language, now=now)
    return send_all(urls, title=title, body=body, timeout_s=timeout_s)


def list_steps(store: Store, *, start: datetime | None = None, end: datetime | None = None) -> list[StepRow]:
    """The escalation steps taken in ``[start, end)``, oldest first (the handover's list)."""
    return store.query(escalation_store.list_steps, start=start, end=end)


def last_message(store: Store) -> StepRow | None:
    """The newest message step (with each channel's outcome), if there ever was one."""
    return store.query(escalation_store.last_message)


__all__ = [
    "CHANNELS_SECRET",
    "ChannelOutcome",
    "EscalationPolicy",
    "EscalationReport",
    "EscalationService",
    "Step",
    "Subject",
    "Taken",
    "compose",
    "describe",
    "last_message",
    "list_steps",
    "load_channels",
    "mask_channel",
    "masked_channels",
    "parse_channels",
    "scrub",
    "send_all",
    "store_channels",
    "test_channels",
]
