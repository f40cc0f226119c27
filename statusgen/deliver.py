"""Getting a message to a notification target: HTTP POST or SMTP, with retries, and secrets
that never leave the environment.

Webhook addresses and SMTP credentials are secrets (anyone who has a Slack webhook URL can post
to the channel), so they are read from the environment variable a target names, and every error
that could echo them is redacted before it is shown.

A message is sent exactly once when the target answers, and at least once when an answer is
lost: after a timeout or a 5xx the message may have got through, and the retry sends it again.
Every web request therefore carries an Idempotency-Key, the same on each attempt, by which a
receiver can recognise the repeat.
"""

from __future__ import annotations

import email.utils
import json
import logging
import smtplib
import ssl
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from http.client import HTTPException, InvalidURL
from ipaddress import ip_address
from typing import Any
from urllib.parse import unquote, urlsplit

from statusgen import __version__
from statusgen.config import NotifyTarget

log = logging.getLogger(__name__)
ERROR_BODY_CHARS = 200


class DeliveryFailed(Exception):
    """A message did not get through; the text is safe to show (no secrets in it)."""


@dataclass(frozen=True)
class Retry:
    """How hard to try: ``attempts`` in all, waiting ``base_delay`` x 2^n between them (or what
    a 429 or 503 asks for in Retry-After, up to ``max_delay``)."""

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 60.0
    timeout: float = 10.0
    sleep: Callable[[float], Any] = field(default=time.sleep, compare=False)

    def delay(self, attempt: int, asked: float | None = None) -> float:
        """The wait after failed attempt number ``attempt`` (1-based)."""
        wait = asked if asked is not None else self.base_delay * 2 ** (attempt - 1)
        return max(0.0, min(wait, self.max_delay))


# Read when a delivery starts, so tests can swap in a Retry whose sleep does not wait.
RETRY = Retry()


def target_key(target: NotifyTarget) -> str:
    """A name for the target that stays the same from run to run: the delivery record's key."""
    parts = [target.type, target.url_env or target.smtp_env or ""]
    if target.to:
        parts.append("to=" + ",".join(target.to))
    if target.components:
        parts.append("components=" + ",".join(sorted(target.components)))
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
    return f"{target.type} ({'; '.join(details)})"


def secret(target: NotifyTarget, environ: Mapping[str, str]) -> str:
    """The target's address from the environment variable it names."""
    name = target.url_env or target.smtp_env or ""
    value = environ.get(name, "").strip()
    if not value:
        raise DeliveryFailed(f"environment variable {name} is not set")
    return value


def redact(text: str, secret_value: str) -> str:
    """``text`` with the secret and its parts (user, password, path) blanked out."""
    parts = urlsplit(secret_value)
    pieces = [secret_value, parts.password, parts.username, parts.path if len(parts.path) > 1 else None,
              parts.query]
    for piece in sorted((p for p in pieces if p), key=len, reverse=True):
        text = text.replace(piece, "***").replace(unquote(piece), "***")
    return text


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A webhook that answers with a redirect is misconfigured; following it would quietly turn
    # the POST into a GET that delivers nothing.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects())


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


def _error_body(error: urllib.error.HTTPError) -> str:
    """The start of an error response, which often says what was wrong (``invalid_payload``)."""
    try:
        return error.read(ERROR_BODY_CHARS * 4).decode("utf-8", "replace")
    except (OSError, HTTPException):
        return ""


def post_json(url: str, document: dict[str, Any], retry: Retry, *, idempotency_key: str | None = None) -> int:
    """POST ``document`` as JSON to ``url``; returns the number of attempts it took. Every
    attempt carries the same ``idempotency_key``, when there is one."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise DeliveryFailed("the address is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryFailed("the address is not an http:// or https:// URL")
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": f"statusgen/{__version__}"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    for attempt in range(1, retry.attempts + 1):
        asked: float | None = None
        try:
            request = urllib.request.Request(url, data=data, headers=headers, method="POST")
            with _opener.open(request, timeout=retry.timeout) as response:
                response.read()
            return attempt
        except (ValueError, InvalidURL):  # said without repeating the address
            raise DeliveryFailed("the address is not a valid URL") from None
        except urllib.error.HTTPError as exc:
            body = " ".join(_error_body(exc).split())[:ERROR_BODY_CHARS]
            reason = f"HTTP {exc.code} {exc.reason}" + (f": {body}" if body else "")
            if exc.code != 429 and exc.code < 500:
                raise DeliveryFailed(redact(reason, url)) from None
            asked = _retry_after(exc.headers.get("Retry-After"))
        except (urllib.error.URLError, TimeoutError, ConnectionError, HTTPException) as exc:
            cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            reason = str(cause) or type(cause).__name__
            if isinstance(cause, ssl.SSLCertVerificationError):  # the same answer every time
                raise DeliveryFailed(redact(reason, url)) from None
            if isinstance(cause, TimeoutError):
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
    return SmtpServer(parts.hostname, port or (465 if implicit else 25), implicit,
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None)


def _loopback(host: str) -> bool:
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _send_once(server: SmtpServer, message: EmailMessage, timeout: float) -> None:
    context = ssl.create_default_context()
    client: smtplib.SMTP
    try:
        if server.implicit_tls:
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=timeout)
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
            if not encrypted and not _loopback(server.host):
                raise DeliveryFailed("the SMTP server does not offer STARTTLS; refusing to send the "
                                     "password unencrypted (use smtps:// for implicit TLS)")
            try:
                client.login(server.user, server.password or "")
            except UnicodeEncodeError:
                raise DeliveryFailed("the SMTP user name or password has characters other than ASCII, "
                                     "which SMTP login cannot send") from None
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
            _send_once(server, message, retry.timeout)
            return attempt
        except DeliveryFailed as exc:
            raise DeliveryFailed(redact(str(exc), url)) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            reason = "recipients refused: " + ", ".join(
                f"{who} ({code} {_text(text)})" for who, (code, text) in exc.recipients.items())
            if not all(400 <= code < 500 for code in codes):
                raise DeliveryFailed(redact(reason, url)) from None
        except smtplib.SMTPResponseException as exc:
            reason = f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}"
            if not 400 <= exc.smtp_code < 500:
                raise DeliveryFailed(redact(reason, url)) from None
        except ValueError as exc:  # from the URL (certificate errors are ValueErrors too): the same next time
            raise DeliveryFailed(redact(str(exc) or type(exc).__name__, url)) from None
        except (OSError, smtplib.SMTPException) as exc:
            reason = f"no answer within {retry.timeout:g} s" if isinstance(exc, TimeoutError) else (
                str(exc) or type(exc).__name__)
        reason = redact(reason, url)
        if attempt == retry.attempts:
            raise DeliveryFailed(f"{reason} (after {attempt} attempts)")
        retry.sleep(retry.delay(attempt))
    raise AssertionError("unreachable")
