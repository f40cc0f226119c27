"""Getting a message to a notification target: HTTP POST or SMTP, with retries, and secrets
that never leave the environment.

Webhook addresses and SMTP credentials are secrets (anyone who has a Slack webhook URL can post
to the channel), so they are read from the environment variable a target names, and every error
that could echo them is redacted before it is shown.

A message is sent exactly once when the target answers, and at least once when an answer is
lost: after a timeout or a 5xx the message may have got through, and the retry sends it again.
Every web request therefore carries an Idempotency-Key, the same on each attempt, by which a
receiver can recognise the repeat.

Each attempt has an overall deadline (``Retry.deadline``) across connecting, sending and reading
the answer, which a receiver that drips its reply cannot stretch, and reads at most
``MAX_ANSWER_BYTES`` of the answer; then the next target gets its turn.
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import re
import smtplib
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from functools import lru_cache
from http.client import HTTPException, InvalidURL
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, quote_plus, unquote, unquote_plus, urlsplit, urlunsplit

from statusgen import __version__, i18n
from statusgen.inputs import is_loopback
from statusgen.load.config import NotifyTarget
from statusgen.net import Deadline, bounded, opener

log = logging.getLogger(__name__)
ERROR_BODY_CHARS = 200
MAX_ANSWER_BYTES = 64 * 1024  # what is read of a receiver's answer; the rest is left unread


class DeliveryFailed(Exception):
    """A message did not get through; the text is safe to show (no secrets in it)."""


class AddressInvalid(DeliveryFailed):
    """The target's address cannot work as written: a configuration error, never retried."""


@dataclass(frozen=True)
class Retry:
    """How hard to try: ``attempts`` in all, waiting ``base_delay`` x 2^n between them (or what
    a 429 or 503 asks for in Retry-After, up to ``max_delay``); each attempt gives up after
    ``deadline`` seconds in all, and after ``timeout`` seconds without a byte."""

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 60.0
    timeout: float = 10.0  # for each read or write
    deadline: float = 30.0  # for a whole attempt: connect, send, and read the answer
    sleep: Callable[[float], Any] = field(default=time.sleep, compare=False)

    def delay(self, attempt: int, asked: float | None = None) -> float:
        """The wait after failed attempt number ``attempt`` (1-based)."""
        wait = asked if asked is not None else self.base_delay * 2 ** (attempt - 1)
        return max(0.0, min(wait, self.max_delay))


def target_key(target: NotifyTarget) -> str:
    """A name for the target that stays the same from run to run: the delivery record's key."""
    parts = [target.type, target.url_env or target.smtp_env or ""]
    if target.to:
        parts.append("to=" + ",".join(target.to))
    if target.components:
        parts.append("components=" + ",".join(sorted(target.components)))
    # Only when given: a target without one keeps the name it had before targets had languages.
    # As a tag, so that pt_BR and pt-BR name the same target.
    if target.language is not None:
        parts.append("language=" + i18n.language(target.language).tag)
    return ":".join(parts)


# The namespace of the keys below: any fixed value would do, but a new one would change every key.
_IDEMPOTENCY = uuid.UUID("5b0e6a43-53d4-4b8e-9a55-0d3c6e1f2a71")


def idempotency_key(target: NotifyTarget, update: str) -> str:
    """The Idempotency-Key header of every request delivering ``update`` to ``target``: a
    structured-field string holding a UUID derived from both, the same on every attempt."""
    name = f"{target_key(target)}\n{update}"
    return f'"{uuid.uuid5(_IDEMPOTENCY, name)}"'


def target_label(target: NotifyTarget) -> str:
    """The target as shown to people: its type and the variable holding its address."""
    details = [f"${target.url_env or target.smtp_env}"]
    if target.to:
        details.append("to " + ", ".join(target.to))
    if target.components:
        details.append("components " + ", ".join(target.components))
    if target.language is not None:
        details.append("language " + target.language)
    return f"{target.type} ({'; '.join(details)})"


def secret(target: NotifyTarget, environ: Mapping[str, str]) -> str:
    """The target's address from the environment variable it names."""
    name = target.url_env or target.smtp_env or ""
    value = environ.get(name, "").strip()
    if not value:
        raise DeliveryFailed(f"environment variable {name} is not set")
    with _known_lock:
        _known.add(value)
    return value


# A part of an address's path, query or fragment shorter than this is one of its words ("api",
# "hooks", "v1"), not a secret: tokens are longer. A user name or password is secret however short.
MIN_SECRET_CHARS = 8
_known: set[str] = set()  # every address read by secret(): the log filter blanks them all
_known_lock = threading.Lock()


def _forms(piece: str) -> set[str]:
    """A piece as written and as a receiver might echo it: percent-decoded and percent-encoded,
    and the base64 and hex of it (matched whatever the case, see ``redact``)."""
    plain = {piece, unquote(piece), unquote_plus(piece)}
    encoded = {f(p, safe=s) for p in plain for f in (quote, quote_plus) for s in ("", "/")}
    binary = {f for p in plain if len(p) >= MIN_SECRET_CHARS for f in _encodings(p.encode("utf-8"))}
    return plain | encoded | binary


def _encodings(data: bytes) -> set[str]:
    """``data`` in hex, and in base64 (standard and URL-safe, padded or not) as it appears inside
    the base64 of a longer text at each of the three byte alignments: only the characters that
    come from ``data`` alone, none shared with the bytes around it."""
    forms = {data.hex()}
    padded = base64.b64encode(data).decode("ascii")
    forms |= {padded, padded.rstrip("=")}
    for offset in range(3):
        # The offset bytes before fill the first group; the characters they share with data are
        # skipped, and the last group, which shares characters with the bytes after, is dropped.
        framed = bytes(offset) + data
        whole = framed[: len(framed) // 3 * 3]
        text = base64.b64encode(whole).decode("ascii")[(0, 2, 3)[offset] :]
        if len(text) >= MIN_SECRET_CHARS:
            forms.add(text)
    forms |= {f.replace("+", "-").replace("/", "_") for f in forms}
    return forms


def secret_parts(address: str) -> list[str]:
    """Every part of an address that can let someone use it, in every form it may be echoed in,
    longest first: the whole address; its user name and password, and the Basic credentials
    made of them; its path, query and fragment, and each path segment, name=value pair and
    value of eight characters or more. The scheme, host and port are not secret."""
    try:
        parts = urlsplit(address)
    except ValueError:  # not even a URL: blank it, and every run of characters a URL would split
        pieces = [address, *re.split(r"[/?#&=@:;]", address)]
        return _longest_first(f for p in pieces if len(p) >= MIN_SECRET_CHARS for f in _forms(p))
    always = [address, parts.netloc.rpartition("@")[0], parts.username, parts.password]
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        always += [credentials, base64.b64encode(credentials.encode("utf-8")).decode("ascii")]
    long = [parts.path, parts.query, parts.fragment, *parts.path.split("/"), *parts.query.split("&")]
    long += [v for pair in parse_qsl(parts.query, keep_blank_values=True) for v in pair]
    found = {f for p in always if p for f in _forms(p)}
    found |= {f for p in long if p for f in _forms(p) if len(f) >= MIN_SECRET_CHARS}
    return _longest_first(found)


def _longest_first(pieces: Iterable[str]) -> list[str]:
    return sorted(set(pieces), key=lambda p: (-len(p), p))


@lru_cache(maxsize=64)
def _pattern(values: tuple[str, ...]) -> re.Pattern[str]:
    """One expression for every secret part of ``values``, longest first, whatever the case: a
    receiver may echo a path upper-cased, and the percent-escapes may come back either way."""
    pieces = _longest_first(p for value in values for p in secret_parts(value))
    # A short user name or password only where it stands alone: "bot" leaves "robot" be.
    alternatives = [
        re.escape(p) if len(p) >= MIN_SECRET_CHARS else rf"(?<![A-Za-z0-9]){re.escape(p)}(?![A-Za-z0-9])"
        for p in pieces
    ]
    return re.compile("|".join(alternatives) or r"(?!)", re.IGNORECASE)


def redact(text: str, secret_value: str | Iterable[str]) -> str:
    """``text`` with each secret (an address, or several) and every part of it blanked out."""
    values = [secret_value] if isinstance(secret_value, str) else list(secret_value)
    # Repeated until nothing changes: blanking one form can join the pieces of another.
    pattern = _pattern(tuple(sorted(set(values))))
    for _ in range(4):
        clean = pattern.sub("***", text)
        if clean == text:
            break
        text = clean
    return text


def redact_known(text: str) -> str:
    """``text`` with every address read from the environment so far blanked out."""
    with _known_lock:
        values = sorted(_known)
    return redact(text, values) if values else text


class RedactSecrets(logging.Filter):
    """Blanks every known address out of a log record, its message, arguments and traceback, at
    every level, before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_known(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_known(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_known(record.stack_info)
        return True


log.addFilter(RedactSecrets())


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - datetime.now(UTC)).total_seconds()


def _error_body(error: urllib.error.HTTPError, url: str) -> str:
    """The start of an error response, which often says what was wrong (``invalid_payload``),
    with the address and its parts blanked out."""
    pieces = secret_parts(url)
    limit = ERROR_BODY_CHARS * 4 + len(pieces[0])
    try:
        raw = error.read(limit)
    except (OSError, HTTPException):
        return ""
    if len(raw) == limit:  # cut short: a secret cut in two at the end would not be recognised
        raw = raw[: -len(pieces[0])]
    text = " ".join(raw.decode("utf-8", "replace").split())
    return redact(text, url)[:ERROR_BODY_CHARS]


@dataclass(frozen=True)
class WebAddress:
    """A webhook address as sent: the URL without user name and password, which go in an
    Authorization header (HTTP Basic) instead."""

    url: str
    authorization: str | None


def web_address(url: str) -> WebAddress:
    """The address to POST to; AddressInvalid (never retried) when it cannot work as written."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise AddressInvalid("the address is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressInvalid("the address is not an http:// or https:// URL")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise AddressInvalid("the address is not a valid URL")
    try:
        parts.hostname.encode("idna")
    except UnicodeError:
        raise AddressInvalid("the address's host name is not a valid host name") from None
    host = parts.netloc.rpartition("@")[2]
    authorization = None
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(credentials.encode("utf-8")).decode("ascii")
    return WebAddress(urlunsplit((parts.scheme, host, parts.path, parts.query, "")), authorization)


@dataclass(frozen=True)
class _Refusal:
    """An answer other than 2xx: its status, what it asks of the wait, and its body's start."""

    code: int
    reason: str
    retry_after: str | None
    body: str


def _post_once(url: str, address: WebAddress, data: bytes, headers: dict[str, str], retry: Retry) -> _Refusal | None:
    """One attempt, all within ``retry.deadline``: None when the receiver took the message."""
    with Deadline(retry.deadline) as deadline:
        request = urllib.request.Request(address.url, data=data, headers=headers, method="POST")
        try:
            with opener(deadline).open(request, timeout=retry.timeout) as response:
                response.read(MAX_ANSWER_BYTES)
            # A socket shut down at the deadline reads as the end of the answer, which may look whole.
            deadline.left()
            return None
        except urllib.error.HTTPError as exc:
            with exc:
                return _Refusal(exc.code, str(exc.reason), exc.headers.get("Retry-After"), _error_body(exc, url))
        except Exception:
            if deadline.expired:
                raise TimeoutError(f"no complete answer within {retry.deadline:g} s") from None
            raise


def post_json(url: str, document: dict[str, Any], retry: Retry, *, idempotency_key: str | None = None) -> int:
    """POST ``document`` as JSON to ``url``; returns the number of attempts it took. Every
    attempt carries the same ``idempotency_key``, when there is one. A user name and password
    in the URL are sent as HTTP Basic credentials."""
    address = web_address(url)
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": f"statusgen/{__version__}"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    if address.authorization is not None:
        headers["Authorization"] = address.authorization
    for attempt in range(1, retry.attempts + 1):
        asked: float | None = None
        try:
            refusal = _post_once(url, address, data, headers, retry)
            if refusal is None:
                return attempt
            reason = f"HTTP {refusal.code} {refusal.reason}" + (f": {refusal.body}" if refusal.body else "")
            if refusal.code != 429 and refusal.code < 500:
                raise DeliveryFailed(redact(reason, url))
            asked = _retry_after(refusal.retry_after)
        except (ValueError, InvalidURL):  # said without repeating the address
            raise AddressInvalid("the address is not a valid URL") from None
        except (urllib.error.URLError, OSError, HTTPException) as exc:
            cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            reason = str(cause) or type(cause).__name__
            if isinstance(cause, ssl.SSLCertVerificationError):  # the same answer every time
                raise DeliveryFailed(redact(reason, url)) from None
            if isinstance(cause, TimeoutError) and not reason.startswith("no complete answer"):
                reason = f"no answer within {retry.timeout:g} s"
        reason = redact(reason, url)
        if attempt == retry.attempts:
            raise DeliveryFailed(f"{reason} (after {attempt} attempts)")
        wait = retry.delay(attempt, asked)
        log.info("attempt %d failed (%s); retrying in %.1f s", attempt, reason, wait)
        retry.sleep(wait)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool
    user: str | None
    password: str | None


def smtp_server(url: str) -> SmtpServer:
    """The server an ``smtp://user:pass@host:port`` (or ``smtps://``) URL names."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DeliveryFailed("the SMTP URL is malformed") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise DeliveryFailed("the SMTP URL must look like smtp://user:password@host:port (or smtps://)")
    implicit = parts.scheme == "smtps"
    return SmtpServer(
        parts.hostname,
        port or (465 if implicit else 25),
        implicit,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
    )


_Client = TypeVar("_Client", bound=smtplib.SMTP)


def _watched(base: type[_Client], deadline: Deadline) -> type[_Client]:
    """``base`` with every socket it opens shut when ``deadline`` passes: a server dripping its
    replies a byte at a time beats a per-read timeout, never the deadline."""

    class Watched(base):  # type: ignore[valid-type,misc]
        def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
            deadline.watch(lambda: self.sock)
            opened: socket.socket = super()._get_socket(host, port, bounded(timeout, deadline))
            return opened

    return Watched


def _send_once(server: SmtpServer, message: EmailMessage, retry: Retry) -> None:
    with Deadline(retry.deadline) as deadline:
        try:
            _exchange(server, message, retry.timeout, deadline)
        except (OSError, smtplib.SMTPException):
            if deadline.expired:
                raise TimeoutError(f"no complete answer within {retry.deadline:g} s") from None
            raise


def _exchange(server: SmtpServer, message: EmailMessage, timeout: float, deadline: Deadline) -> None:
    context = ssl.create_default_context()
    client: smtplib.SMTP
    try:
        if server.implicit_tls:
            client = _watched(smtplib.SMTP_SSL, deadline)(server.host, server.port, timeout=timeout, context=context)
        else:
            client = _watched(smtplib.SMTP, deadline)(server.host, server.port, timeout=timeout)
    except UnicodeError:  # a name no lookup can take, such as one with an empty label
        raise DeliveryFailed(f"the SMTP server's name {server.host!r} is not a valid host name") from None
    with client:
        client.ehlo()
        encrypted = server.implicit_tls
        if not encrypted and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
            encrypted = True
        if server.user:
            if not encrypted and not is_loopback(server.host):
                raise DeliveryFailed(
                    "the SMTP server does not offer STARTTLS; refusing to send the "
                    "password unencrypted (use smtps:// for implicit TLS)"
                )
            try:
                client.login(server.user, server.password or "")
            except UnicodeEncodeError:
                raise DeliveryFailed(
                    "the SMTP user name or password has characters other than ASCII, which SMTP login cannot send"
                ) from None
        client.send_message(message)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def send_email(url: str, message: EmailMessage, retry: Retry) -> int:
    """Send ``message`` through the SMTP server ``url`` names; returns the attempts it took.

    STARTTLS is used whenever a plain ``smtp://`` server offers it. Temporary failures (4xx
    replies, lost connections) are retried; permanent ones (5xx replies, and what the URL itself
    makes impossible: a name no lookup can take, a certificate that does not verify) are not.
    """
    server = smtp_server(url)
    for attempt in range(1, retry.attempts + 1):
        try:
            _send_once(server, message, retry)
            return attempt
        except DeliveryFailed as exc:
            raise DeliveryFailed(redact(str(exc), url)) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            reason = "recipients refused: " + ", ".join(
                f"{who} ({code} {_text(text)})" for who, (code, text) in exc.recipients.items()
            )
            if not all(400 <= code < 500 for code in codes):
                raise DeliveryFailed(redact(reason, url)) from None
        except smtplib.SMTPResponseException as exc:
            reason = f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}"
            if not 400 <= exc.smtp_code < 500:
                raise DeliveryFailed(redact(reason, url)) from None
        except ValueError as exc:  # from the URL (certificate errors are ValueErrors too): the same next time
            raise DeliveryFailed(redact(str(exc) or type(exc).__name__, url)) from None
        except (OSError, smtplib.SMTPException) as exc:
            reason = str(exc) or type(exc).__name__
            if isinstance(exc, TimeoutError) and not reason.startswith("no complete answer"):
                reason = f"no answer within {retry.timeout:g} s"
        reason = redact(reason, url)
        if attempt == retry.attempts:
            raise DeliveryFailed(f"{reason} (after {attempt} attempts)")
        retry.sleep(retry.delay(attempt))
    raise AssertionError("unreachable")
