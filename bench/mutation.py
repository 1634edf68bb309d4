"""Mutation testing of the modules that hold rules: how many broken rules the tests catch.

The kill rate is over the mutants some selected test runs; `untested` counts mutants in
code those tests never reach (covered, if at all, by the stack layer, which is too slow
to run once per mutant).

`.venv/bin/python -m bench.mutation` (or `--module NAME` for one) runs mutmut on each
module below against the tests that pin its rules, each in a fresh copy of the tracked
tree, and prints killed / survived per module. Slow (minutes per module), so it is a
habit and a README figure, not part of CI. `--survivors` lists the mutants that lived.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")


@dataclass(frozen=True)
class Target:
    """One module with rules and the tests that must catch a break in them."""

    name: str
    source: str
    tests: tuple[str, ...]


TARGETS = (
    Target(
        "guide (hand-back, references)", "activities/agents/guide.py", ("tests/unit/test_guide.py",)
    ),
    Target("hub (offsets, feeds)", "api/hub.py", ("tests/unit/test_hub.py",)),
    Target("auth (tokens, identity)", "api/auth.py", ("tests/unit/test_auth_keys.py",)),
)


def run(target: Target, survivors: bool) -> dict[str, int]:
    """mutmut over `target` in a throwaway copy; its counts (and survivors, if asked)."""
    with tempfile.TemporaryDirectory(prefix="mutation-") as folder:
        copy = Path(folder)
        files = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        archive = subprocess.run(
            ["tar", "-cf", "-", "--null", "-T", "-"],
            cwd=ROOT,
            input=files,
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-xf", "-"], cwd=copy, input=archive, check=True)
        (copy / "setup.cfg").write_text(_config(target))
        subprocess.run([str(MUTMUT), "run"], cwd=copy, capture_output=True, check=False)
        subprocess.run(
            [str(MUTMUT), "export-cicd-stats"], cwd=copy, capture_output=True, check=True
        )
        stats: dict[str, int] = json.loads(
            (copy / "mutants" / "mutmut-cicd-stats.json").read_text()
        )
        if survivors:
            listing = subprocess.run(
                [str(MUTMUT), "results"], cwd=copy, capture_output=True, text=True, check=True
            ).stdout
            for line in listing.splitlines():
                name = line.strip().split(":")[0]
                shown = subprocess.run(
                    [str(MUTMUT), "show", name],
                    cwd=copy,
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout
                print(shown)
        return stats


def _config(target: Target) -> str:
    """mutmut's settings: the module to mutate, its tests, and the tree they import."""
    lines = [
        "[mutmut]",
        f"source_paths={target.source}",
        "pytest_add_cli_args_test_selection=" + "\n    ".join(target.tests),
        "pytest_add_cli_args=-p no:cacheprovider -q",
        "also_copy="
        + "\n    ".join(
            [
                "activities",
                "api",
                "models",
                "storage",
                "workflows",
                "settings.py",
                "launcher.py",
                "worker.py",
            ]
        ),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--module", help="only the target whose source path contains this")
    parser.add_argument("--survivors", action="store_true", help="show each surviving mutant")
    options = parser.parse_args()
    header = ("module", "mutants", "killed", "survived", "untested", "kill rate")
    print("{:32} {:>8} {:>7} {:>9} {:>9} {:>10}".format(*header))
    for target in TARGETS:
        if options.module and options.module not in target.source:
            continue
        stats = run(target, options.survivors)
        killed = stats["killed"] + stats["timeout"]
        tried = killed + stats["survived"]
        rate = killed / tried if tried else 0.0
        row = (target.name, stats["total"], killed, stats["survived"], stats["no_tests"], rate)
        print("{:32} {:>8} {:>7} {:>9} {:>9} {:>10.1%}".format(*row))


if __name__ == "__main__":
    main()
