"""Run the mock OpenAI server on its own, for curl or any OpenAI client:

    python -m helpers.mock --port 8000
    python -m helpers.mock --record class.jsonl --upstream https://api.openai.com/v1   # key: OPENAI_API_KEY
    python -m helpers.mock --replay class.jsonl
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
import threading

from .http import Limits
from .profiles import PROFILES
from .rate_limits import RateLimit
from .server import DEFAULT_TOKENS_PER_SECOND, MOCK_API_KEY, MockServer

PUBLIC_KEY_ON_NETWORK = (
    "Refusing to listen on {host} with the default key: {key} is printed in this project's README, so "
    "anyone who can reach this machine could use the server. "
    "Pass a key of your own, for example --api-key \"$(python -c 'import secrets; "
    "print(\"sk-\" + secrets.token_hex(16))')\", or keep the default host 127.0.0.1."
)

REACHABLE_FROM_NETWORK = (
    "Warning: listening on {host}, which is not this machine's loopback: the mock is reachable from other "
    "machines on the network, whatever the key (a key keeps strangers from using it, not from reaching it). "
    "Use --host 127.0.0.1 unless others are meant to connect."
)


def is_loopback(host: str) -> bool:
    """True if every address `host` names is this machine's own (127.0.0.0/8, ::1)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses)


def main(argv: list[str] | None = None) -> None:
    defaults = Limits()
    parser = argparse.ArgumentParser(prog="python -m helpers.mock", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default: loopback only; any other needs --api-key)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--api-key", default=MOCK_API_KEY, help="the only key accepted (default: %(default)s)")
    parser.add_argument("--tokens-per-second", type=float, default=DEFAULT_TOKENS_PER_SECOND,
                        help="stream pacing; 0 sends every token at once (default: %(default)s)")
    parser.add_argument("--max-body-bytes", type=int, default=defaults.max_body_bytes,
                        help="largest request body accepted, else 413 (default: %(default)s)")
    parser.add_argument("--max-connections", type=int, default=defaults.max_connections,
                        help="requests served at once; more wait their turn (default: %(default)s)")
    parser.add_argument("--max-open-connections", type=int, default=defaults.max_open_connections,
                        help="connections open at once, idle ones included; more wait in the kernel's queue "
                             "(default: %(default)s)")
    for step, meaning in (("idle", "close a kept-alive connection after this long without a request"),
                          ("head", "seconds to send a request's line and headers, else 408"),
                          ("body", "seconds to send a request's body, else 408"),
                          ("write", "close a connection whose client reads nothing for this long")):
        parser.add_argument(f"--{step}-timeout", type=float, default=getattr(defaults, f"{step}_timeout"),
                            help=f"{meaning} (default: %(default)s s)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS",
                        help="wait before the first byte of every answer (default: %(default)s)")
    parser.add_argument("--rpm", type=int, help="switch on a rate limit: requests per minute")
    parser.add_argument("--tpm", type=int, help="switch on a rate limit: tokens per minute")
    parser.add_argument("--profile", choices=list(PROFILES), default="openai",
                        help="openai: the real service in every detail; the others play servers that call "
                             "themselves OpenAI-compatible (helpers/mock/profiles.py) (default: %(default)s)")
    parser.add_argument("--record", metavar="FILE", help="forward every request to --upstream and append each "
                        "exchange to FILE (the provider's key comes from OPENAI_API_KEY, never from here)")
    parser.add_argument("--upstream", metavar="URL", help="the provider to record, e.g. https://api.openai.com/v1")
    parser.add_argument("--replay", metavar="FILE", help="answer from a recorded cassette instead of the mock's "
                        "own replies")
    parser.add_argument("--replay-timing", choices=["recorded", "mock"], default="recorded",
                        help="replayed streams keep their recorded pauses, or take --tokens-per-second's "
                             "(default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="do not print a line per request")
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        if args.api_key == MOCK_API_KEY:
            parser.exit(2, PUBLIC_KEY_ON_NETWORK.format(host=args.host, key=MOCK_API_KEY) + "\n")
        print(REACHABLE_FROM_NETWORK.format(host=args.host), file=sys.stderr, flush=True)
    if args.latency < 0:
        parser.error("--latency must not be negative")
    try:
        rate_limit = _rate_limit(args.rpm, args.tpm)
    except ValueError as problem:
        parser.error(str(problem))
    if args.record and args.upstream and not os.environ.get("OPENAI_API_KEY"):
        parser.exit(2, "--record needs the provider's key in OPENAI_API_KEY (never on the command line).\n")
    try:
        server = _server(args, rate_limit)
    except (ValueError, OSError) as problem:  # a bad cassette names its line
        parser.exit(2, f"{problem}\n")
    # The default key is public; a key given on the command line is not repeated, even here.
    key = MOCK_API_KEY if args.api_key == MOCK_API_KEY else "the one given with --api-key"
    with server:
        if not server.profile.checks_key:
            key = f"any (the {args.profile} profile checks none)"
        print(f"Mock OpenAI server on {server.base_url}, key: {key} (Ctrl+C stops it)", flush=True)
        if args.record:
            print(f"Recording: every request goes to {args.upstream}; exchanges are appended to {args.record}",
                  flush=True)
        if args.replay:
            print(f"Replaying {args.replay}: a request that was not recorded gets a 400 naming the nearest one",
                  flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopped.")


def _server(args: argparse.Namespace, rate_limit: RateLimit | None) -> MockServer:
    limits = Limits(max_body_bytes=args.max_body_bytes, max_connections=args.max_connections,
                    idle_timeout=args.idle_timeout, head_timeout=args.head_timeout,
                    body_timeout=args.body_timeout, write_timeout=args.write_timeout)
    return MockServer(host=args.host, port=args.port, api_key=args.api_key, set_environment=False,
                      tokens_per_second=args.tokens_per_second, verbose=not args.quiet, limits=limits,
                      latency_seconds=args.latency, rate_limit=rate_limit, profile=args.profile,
                      record=args.record, upstream=args.upstream, replay=args.replay,
                      replay_timing=args.replay_timing)


def _rate_limit(rpm: int | None, tpm: int | None) -> RateLimit | None:
    """No limit unless --rpm or --tpm is given; the one not given keeps the generous default."""
    if rpm is None and tpm is None:
        return None
    default = RateLimit()
    return RateLimit(requests_per_minute=default.requests_per_minute if rpm is None else rpm,
                     tokens_per_minute=default.tokens_per_minute if tpm is None else tpm)


if __name__ == "__main__":
    main()
