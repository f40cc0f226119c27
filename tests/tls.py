"""A TLS server on 127.0.0.1 whose certificate no client trusts, for the tests of what a client
does with a certificate that does not verify."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# A self-signed certificate for 127.0.0.1, valid until 2126, that no client trusts.
UNTRUSTED = """\
-----BEGIN CERTIFICATE-----
MIIBjzCCATagAwIBAgIUGlEArT780T3NqRVQmtWEoRTBmrwwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMzE1MjQ1OVoYDzIxMjYxMDMw
MTUyNDU5WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASLWZL5ONZU4rfRcYQbD5Sduci1L9eT+WoCAmL9Zd7vchfl2hM06bsQ
DWAjhaENVAMhIsTqrudgJETGfC+YEcW2o2QwYjAdBgNVHQ4EFgQUFsEKfM1R1iLg
SDZSF+pw4ETu0UwwHwYDVR0jBBgwFoAUFsEKfM1R1iLgSDZSF+pw4ETu0UwwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC
IExtcf0LrwX8K6bvjmSzTrZyif/+xd9eJ8MOBWCJes2HAiBy6rlcFOjRcVqvxTgS
i4yZLg4wSCS26tcRcAhEnbuLvA==
-----END CERTIFICATE-----
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgEo0pjj9UkaxaKAU6
CQMK8etORrMpSQshjdt+HvOMax2hRANCAASLWZL5ONZU4rfRcYQbD5Sduci1L9eT
+WoCAmL9Zd7vchfl2hM06bsQDWAjhaENVAMhIsTqrudgJETGfC+YEcW2
-----END PRIVATE KEY-----
"""


@contextmanager
def tls_server(folder: Path) -> Iterator[tuple[int, list[str]]]:
    """Serve TLS showing ``UNTRUSTED`` (written into ``folder``); its port, and a note of each
    connection, made before the handshake."""
    (folder / "untrusted.pem").write_text(UNTRUSTED, encoding="ascii")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "untrusted.pem")
    listener = socket.create_server(("127.0.0.1", 0))
    connections: list[str] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connections.append("connected")  # before the handshake: the client cannot fail before this
            with connection:
                try:
                    context.wrap_socket(connection, server_side=True).close()
                except OSError:
                    pass  # the client refused the certificate

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], connections
    finally:
        listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(5)
