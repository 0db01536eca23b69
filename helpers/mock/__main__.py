"""Run the mock OpenAI server on its own, for curl or any OpenAI client:

    python -m helpers.mock --port 8000
"""

from __future__ import annotations

import argparse
import threading

from .profiles import PROFILES
from .server import DEFAULT_TOKENS_PER_SECOND, MOCK_API_KEY, MockServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m helpers.mock", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--api-key", default=MOCK_API_KEY, help="the only key accepted (default: %(default)s)")
    parser.add_argument("--tokens-per-second", type=float, default=DEFAULT_TOKENS_PER_SECOND,
                        help="stream pacing; 0 sends every token at once (default: %(default)s)")
    parser.add_argument("--profile", choices=list(PROFILES), default="openai",
                        help="openai: the real service in every detail; minimal: a plain OpenAI-compatible "
                             "server (any key, no OpenAI-only headers, plainer errors) (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="do not print a line per request")
    args = parser.parse_args(argv)
    server = MockServer(host=args.host, port=args.port, api_key=args.api_key, set_environment=False,
                        tokens_per_second=args.tokens_per_second, verbose=not args.quiet,
                        profile=args.profile)
    # The default key is public; a key given on the command line is not repeated, even here.
    key = MOCK_API_KEY if args.api_key == MOCK_API_KEY else "the one given with --api-key"
    with server:
        print(f"Mock OpenAI server on {server.base_url}, key: {key} (Ctrl+C stops it)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopped.")


if __name__ == "__main__":
    main()
