"""The mock server in a process of its own, for the benchmark: prints its port, then scripts each line
it reads on stdin as the next reply (and answers "ok"). It stops when stdin closes, i.e. with its parent."""

from __future__ import annotations

import sys

import helpers


def main() -> None:
    with helpers.MockServer(tokens_per_second=0, set_environment=False) as server:  # pacing off
        print(server.port, flush=True)
        for line in sys.stdin:
            server.script_reply(line.rstrip("\n"))
            print("ok", flush=True)


if __name__ == "__main__":
    main()
