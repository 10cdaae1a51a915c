"""Mutation testing of the core pipelines with cosmic-ray, outside the normal CI run.

``make mutate`` (or ``.venv/bin/python scripts/mutate.py [module ...]``) mutates each
module in ``TARGETS`` in place, one mutant at a time, runs only that module's fast tests
against it, restores the source and prints a survivor report: module, operator, line.
Sessions are kept in ``test-artifacts/mutation/`` so an interrupted run resumes.

The store is mutated at whichever path exists: ``gisapp/store.py`` or the package
``gisapp/store/``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = ROOT / "test-artifacts" / "mutation"
PYTEST = f"{sys.executable} -m pytest -x -q -p no:cacheprovider"

# module path -> the fast tests that must kill its mutants
TARGETS: dict[str, list[str]] = {
    "layers/trafikdag.py": ["tests/layers/test_trafikdag_boundaries.py",
                            "tests/layers/test_trafikdag_properties.py"],
    "gisapp/web/jsonsafe.py": ["tests/gisapp/web/test_jsonsafe.py"],
    "gisapp/store": ["tests/gisapp/test_store_damage.py", "tests/gisapp/test_store_switch.py"],
    "layers/service.py": ["tests/layers/test_service_border.py",
                          "tests/layers/test_service_osm.py"],
    "layers/tillganglighet.py": ["tests/layers/test_tillganglighet.py"],
    "layers/accessibility.py": ["tests/layers/test_accessibility.py"],
}


def _module_path(name: str) -> str:
    """The path to mutate: ``gisapp/store`` resolves to the file or package that exists."""
    if name == "gisapp/store":
        return "gisapp/store" if (ROOT / "gisapp" / "store").is_dir() else "gisapp/store.py"
    return name


def _config(module: str, tests: list[str]) -> str:
    """A cosmic-ray session config mutating ``module`` and running ``tests``."""
    return "\n".join([
        "[cosmic-ray]",
        f'module-path = "{module}"',
        "timeout = 300.0",
        "excluded-modules = []",
        f'test-command = "{PYTEST} {" ".join(tests)}"',
        "[cosmic-ray.distributor]",
        'name = "local"',
        "",
    ])


def run(name: str) -> dict[str, object]:
    """Mutate one target and return its counts and survivors (operator, file, line)."""
    module = _module_path(name)
    SESSIONS.mkdir(parents=True, exist_ok=True)
    stem = module.replace("/", "_").removesuffix(".py")
    config, session = SESSIONS / f"{stem}.toml", SESSIONS / f"{stem}.sqlite"
    config.write_text(_config(module, TARGETS[name]))
    cosmic = [str(Path(sys.executable).parent / "cosmic-ray")]
    if not session.exists():
        subprocess.run([*cosmic, "init", str(config), str(session)], cwd=ROOT, check=True)
    subprocess.run([*cosmic, "exec", str(config), str(session)], cwd=ROOT, check=True)
    dump = subprocess.run([*cosmic, "dump", str(session)], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    counts = {"generated": 0, "killed": 0, "survived": 0, "incompetent": 0, "pending": 0}
    survivors = []
    for line in dump.splitlines():
        item, result = json.loads(line)
        counts["generated"] += 1
        outcome = (result or {}).get("test_outcome") or "pending"
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == "survived":
            for mutation in item["mutations"]:
                survivors.append((mutation["module_path"], mutation["operator_name"],
                                  mutation["start_pos"][0]))
    return {"module": module, **counts, "survivors": survivors}


def main(argv: list[str]) -> int:
    """Run the named targets (all by default) and print the survivor report."""
    names = argv or list(TARGETS)
    unknown = [name for name in names if name not in TARGETS]
    if unknown:
        print(f"unknown mutation target(s): {', '.join(unknown)}; choose from {list(TARGETS)}")
        return 2
    reports = [run(name) for name in names]
    for report in reports:
        print(f"{report['module']}: generated {report['generated']}, killed {report['killed']}, "
              f"survived {report['survived']}, incompetent {report['incompetent']}, "
              f"pending {report['pending']}")
        for path, operator, line in report["survivors"]:
            print(f"  survivor {path}:{line} {operator}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
