"""Where the time of `make test` goes: a fresh install, the unit tests, nbval over the notebooks, the browser test.
Also times nbval and the whole suite spread over pytest-xdist workers, to show what that pays on this machine.
Each phase gets its wall time and the CPU its processes used (user + system): on two cores the CPU time
halved is the floor a phase can reach however it is spread. On Linux also the CPU the whole machine spent
meanwhile (/proc/stat): the CPU of Chromium's page processes never reaches the count of the processes the
tests wait for (measured: more than half of the browser test's), so it shows only there, along with
anything else the machine was doing.
The last phase is `make test` itself, with its environment, and prints its ten slowest items.

    python benchmarks/suite_times.py                  # fresh venv in a temp folder, then every phase in it
    python benchmarks/suite_times.py --reuse .venv    # skip the install, time the phases in an existing venv
    python benchmarks/suite_times.py --cold           # install without pip's cache, as a brand-new machine would
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PHASES = {  # name: pytest arguments (pyproject's addopts, nbval included, apply to each)
    "unit tests": ["tests", "--ignore=tests/browser/test_browser.py", "-m", "not site and not replay"],
    "nbval": ["notebooks"],
    "browser test": ["tests/browser/test_browser.py"],
    "site build and its browser test (make site-test)": ["tests/site/test_site.py", "-m", "site"],
}
XDIST = {  # the same work spread over pytest-xdist workers; loadfile keeps a notebook's cells in one kernel
    "nbval, -n 2 --dist loadfile": ["notebooks", "-n", "2", "--dist", "loadfile"],
    "nbval, -n 3 --dist loadfile": ["notebooks", "-n", "3", "--dist", "loadfile"],
    # make test's own selection: the site's and the replay check's tests are targets of their own
    "whole suite, -n 3 --dist loadfile": ["-n", "3", "--dist", "loadfile", "-m", "not site and not replay"],
    "whole suite, -n 5 --dist loadfile": ["-n", "5", "--dist", "loadfile", "-m", "not site and not replay"],
    "whole suite, -n 6 --dist loadfile (make test)": [
        "-n", "6", "--dist", "loadfile", "-m", "not site and not replay", "--durations=10",
    ],
}
SLOW_LINE = re.compile(r"^\s*\d+\.\d+s (call|setup|teardown) ")  # pytest --durations' lines
FAILED_LINE = re.compile(r"^(FAILED|ERROR) ")  # pytest's short summary: a phase's time means little if it failed
MAKE_TEST_ENV = {"LLM_CALLS_TOKENS_PER_SECOND": "40"}  # as the Makefile's RUN_TESTS sets it


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by every waited-for child process and its descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_cpu() -> float | None:
    """CPU seconds the whole machine has been busy since it started (every process, waited for or not)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = [int(field) for field in fields]  # user nice system idle iowait irq softirq steal ...
    return (sum(ticks[:3]) + sum(ticks[5:8])) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def timed(command: list[str], **kwargs) -> tuple[float, str]:
    """Seconds the command took, the CPU it used, and its last line of output (pytest's summary)."""
    start, cpu, machine = time.perf_counter(), children_cpu(), machine_cpu()
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - start
    machine_after = machine_cpu()
    lines = (result.stdout + result.stderr).strip().splitlines() or [""]
    busy = f" (machine {machine_after - machine:6.1f} s)" if machine is not None and machine_after is not None else ""
    last = f"CPU {children_cpu() - cpu:6.1f} s{busy}  {lines[-1].strip('= ')}"
    if result.returncode not in (0, 5):
        last = f"exit {result.returncode}: {last}"
    listed = [line for line in lines if SLOW_LINE.match(line) or FAILED_LINE.match(line)]
    if listed:
        last += "\n" + "\n".join(f"{'':<38}{line.strip()}" for line in listed)
    return seconds, last


def install(venv: Path, cold: bool) -> tuple[float, str]:
    """The Makefile's own install into `venv` (the lessons' and the maintainers' requirements, JupyterLab's
    settings and our extension, which the tests check), then the site's requirements for its phase."""
    start = time.perf_counter()
    env = dict(os.environ, **({"PIP_NO_CACHE_DIR": "1"} if cold else {}))
    steps = (["make", f"VENV={venv}", f"{venv}/.installed"],
             [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", "requirements-site.txt"])
    for step in steps:
        result = subprocess.run(step, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"{' '.join(step)} failed:\n{result.stdout}{result.stderr}")
    return time.perf_counter() - start, "cold pip cache" if cold else "with pip's cache as it is"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", type=Path, help="an existing venv: skip the install phase")
    parser.add_argument("--cold", action="store_true", help="install with --no-cache-dir")
    parser.add_argument("--no-xdist", action="store_true", help="skip the nbval-with-two-workers comparison")
    args = parser.parse_args()

    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="suite-times-") as scratch:
        if args.reuse:
            venv = args.reuse.resolve()
        else:
            venv = Path(scratch) / "venv"
            rows.append(("install", *install(venv, args.cold)))
            print(f"{rows[-1][0]:<36} {rows[-1][1]:7.1f} s  {rows[-1][2]}", flush=True)
        pytest = [str(venv / "bin" / "python"), "-m", "pytest", "-q"]
        env = dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", **MAKE_TEST_ENV)
        phases = dict(PHASES, **({} if args.no_xdist else XDIST))
        for name, selection in phases.items():
            rows.append((name, *timed(pytest + selection, env=env)))
            print(f"{rows[-1][0]:<36} {rows[-1][1]:7.1f} s  {rows[-1][2]}", flush=True)

    after_install = sum(seconds for name, seconds, _ in rows if name in PHASES)
    print(f"{'make test after install':<36} {after_install:7.1f} s  (unit + nbval + browser, one after another)")
    serial_nbval = next((seconds for name, seconds, _ in rows if name == "nbval"), 0.0)
    for name, seconds, _ in rows:
        if name.startswith("nbval,"):
            print(f"{'  ' + name:<36} {seconds:7.1f} s  (nbval alone: {serial_nbval:.1f} s)")
        elif name.startswith("whole suite,"):
            print(f"{'  ' + name:<36} {seconds:7.1f} s  (one after another: {after_install:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
