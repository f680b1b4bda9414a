"""How long opening one TLS client connection's state (``wrap_bio``, what asyncio does for each
connection, on the event loop thread) takes with the desk's trust context against truststore's.

    .venv/bin/python benchmarks/tls_context_bench.py [N]

truststore on Linux reloads the system's CA file for every connection; the desk's context loads
it once (see jb_watchdesk.connectors.http.verify_context). Prints milliseconds per wrap_bio.
"""

from __future__ import annotations

import ssl
import sys
import time

import truststore

from jb_watchdesk.connectors.http import HttpSettings, verify_context


def per_wrap_ms(context: ssl.SSLContext, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="api.weibo.com")
    return (time.perf_counter() - started) * 1000 / n


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    print(f"truststore.SSLContext: {per_wrap_ms(truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT), n):.3f} ms per connection")
    print(f"verify_context:        {per_wrap_ms(verify_context(HttpSettings()), n):.3f} ms per connection")


if __name__ == "__main__":
    main()
