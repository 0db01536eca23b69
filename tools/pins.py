"""Write the two pin files from what .venv holds after `make upgrade` installed the newest releases:
requirements-lessons.txt (what the lessons need: `make lab`, Binder) and requirements.txt (the maintainers' tools
on top: `make test`). pip's resolver says which installed packages the lessons' own list pulls in.

    python -m tools.pins
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.catalogue import REPO_ROOT

LESSONS_IN = REPO_ROOT / "requirements-lessons.in"
LESSONS_TXT = REPO_ROOT / "requirements-lessons.txt"
ALL_TXT = REPO_ROOT / "requirements.txt"
SITE_TXT = REPO_ROOT / "requirements-site.txt"
LESSONS_HEADER = ("# Exact versions of what the lessons need (make lab, Binder); `make upgrade` regenerates them.\n"
                  "# The maintainers' tools are pinned on top of these in requirements.txt.\n-e .\n")
ALL_HEADER = ("# Exact versions the stored notebook outputs were made with: the lessons' pins, and the maintainers' "
              "tools\n# (tests, lint, browser) on top. Regenerate both files with `make upgrade`.\n"
              "-r requirements-lessons.txt\n")


def name(pin: str) -> str:
    """A requirement's name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", pin.split("==")[0]).lower()


def pip(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "pip", *args], check=True, capture_output=True, text=True).stdout


def main() -> int:
    site = {name(line) for line in SITE_TXT.read_text().splitlines() if "==" in line} if SITE_TXT.exists() else set()
    installed = [line for line in pip("freeze", "--exclude-editable").splitlines()
                 if "==" in line and name(line) not in site and name(line) != "llm-calls-three-ways"]
    with tempfile.TemporaryDirectory() as folder:
        constraints, report = Path(folder) / "constraints.txt", Path(folder) / "report.json"
        constraints.write_text("\n".join(installed) + "\n")
        pip("install", "--quiet", "--dry-run", "--ignore-installed", "-r", str(LESSONS_IN), "-c", str(constraints),
            "--report", str(report))
        needed = {name(item["metadata"]["name"]) for item in json.loads(report.read_text())["install"]}
    LESSONS_TXT.write_text(LESSONS_HEADER + "".join(f"{pin}\n" for pin in installed if name(pin) in needed))
    ALL_TXT.write_text(ALL_HEADER + "".join(f"{pin}\n" for pin in installed if name(pin) not in needed))
    print(f"pins: {len(needed)} for the lessons, {len(installed) - len(needed)} more for the maintainers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
