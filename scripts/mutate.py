"""Mutation testing of the core pipelines with cosmic-ray, outside the normal CI run.

``make mutate`` (or ``.venv/bin/python scripts/mutate.py [module ...]``) mutates each
module in ``TARGETS`` in place, one mutant at a time, runs only that module's fast tests
against it, restores the source and prints a survivor report: module, line, operator and
the ``cosmic-ray apply`` arguments that reproduce the mutant. Run it in a worktree of its
own (the mutants are written into the source tree), never two runs whose tests import
each other's module, and check ``git status`` after an interrupted run.

Sessions are kept in ``test-artifacts/mutation/``, named by the module path and a digest
of the module's source and the session config (without the interpreter's path, so another
checkout's venv resumes it): an interrupted run resumes, and a session of a changed module
or config is deleted, never reused. When only the tests changed, the
survivors are run again (the mutants they already killed stay killed); ``--fresh`` runs
every mutant again; ``--report`` runs nothing and prints a session as it stands (pending
mutants counted), e.g. after a run stopped at a time limit and its module restored.
Hypothesis tests run with the derandomised ``mutation`` profile (tests/conftest.py), so a
mutant is killed or not the same way on every run.
"""

from __future__ import annotations

import ast
import hashlib
import json
import shlex
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = ROOT / "test-artifacts" / "mutation"
PYTEST = (f"{sys.executable} -m pytest -x -q -p no:cacheprovider -p no:schemathesis "
          "-p tests.hypothesis_profiles --hypothesis-profile=mutation")


@dataclass(frozen=True)
class Target:
    """The fast tests that must kill a module's mutants, and which of them are in scope.

    ``definitions`` names the functions (cosmic-ray's innermost enclosing definition)
    whose mutants are run; empty means the whole module. Mutants elsewhere are marked
    skipped and counted as out of scope. ``conftest=False`` runs the tests without
    tests/conftest.py (``--noconftest``): its imports (the app, the build) take most of a
    short test run, and tests that need none of its fixtures do not need them.
    """

    tests: tuple[str, ...]
    definitions: tuple[str, ...] = ()
    timeout: float = 120.0
    conftest: bool = True

    @property
    def command(self) -> str:
        """The test command run against each mutant."""
        return " ".join([PYTEST, *([] if self.conftest else ["--noconftest"]), *self.tests])


TARGETS: dict[str, Target] = {
    "layers/trafikdag.py": Target(
        ("tests/layers/test_trafikdag_boundaries.py", "tests/layers/test_trafikdag_properties.py"),
        conftest=False),
    "layers/stomlinjer.py": Target(("tests/layers/test_stomlinjer_rules.py",),
                                   definitions=("build",), conftest=False),
    "layers/hallplatser.py": Target(("tests/layers/test_hallplatser_rules.py",),
                                    definitions=("station_stats", "build"), conftest=False),
    "layers/forvantad_trafik.py": Target(("tests/layers/test_forvantad_trafik_rules.py",),
                                         conftest=False),
    "layers/stationsnyckel.py": Target(("tests/layers/test_stationsnyckel_rules.py",),
                                       conftest=False),
    "layers/bannat.py": Target(("tests/layers/test_bannat_rules.py",), conftest=False),
    "gisapp/web/jsonsafe.py": Target(("tests/gisapp/web/test_jsonsafe.py",)),
    "gisapp/store/files.py": Target(("tests/gisapp/store/test_files.py",), conftest=False),
    "gisapp/store/base.py": Target(("tests/gisapp/store/test_files.py",), conftest=False),
    "gisapp/store/postgis.py": Target(("tests/gisapp/store/test_postgis_rules.py",),
                                      conftest=False),
    "layers/service.py": Target(("tests/layers/test_service_rules.py",), conftest=False),
    "layers/tillganglighet.py": Target(("tests/layers/test_tillganglighet_rules.py",),
                                       conftest=False),
    "layers/accessibility.py": Target(("tests/layers/test_accessibility_rules.py",),
                                      conftest=False),
    "layers/tatort_stomlinje.py": Target(("tests/layers/test_tatort_stomlinje_rules.py",),
                                         definitions=("tatort_areas", "_nearest_straight",
                                                      "_anchors", "_nearest_network", "build",
                                                      "nearest", "utan_stomlinje"),
                                         conftest=False),
    "layers/indikatorer.py": Target(("tests/layers/test_indikatorer_rules.py",
                                     "tests/layers/test_indikatorer_producers_rules.py"),
                                    conftest=False),
    "layers/befolkningsruta.py": Target(("tests/layers/test_befolkningsruta_rules.py",),
                                        definitions=("year", "centres", "assign_kommun",
                                                     "_overlaps", "_fit", "_whole",
                                                     "_landsbygd_geometry", "allocate",
                                                     "population_by_area", "_inside_point",
                                                     "origins", "population_within",
                                                     "squares_layer"),
                                        conftest=False),
    "layers/upptagningsomraden.py": Target(("tests/layers/test_upptagningsomraden_rules.py",),
                                           definitions=("zone_id", "network_area", "_area",
                                                        "build", "_tatort_within", "_rows",
                                                        "_tatort_rows", "_grid_rows",
                                                        "indicators"),
                                           conftest=False),
    "layers/tackning.py": Target(("tests/layers/test_tackning_rules.py",),
                                 definitions=("expected_stations", "_status", "station_status",
                                              "kommun_coverage", "_operator_status",
                                              "operator_coverage", "coverage", "_listed",
                                              "_years", "display_name", "sentence",
                                              "blank_uncovered"),
                                 conftest=False),
    "layers/avgangar.py": Target(("tests/layers/test_avgangar_rules.py",),
                                 definitions=("_in_ranges", "trafikslag", "_expand_frequencies",
                                              "_directions", "_texts", "_codes_of",
                                              "departures", "_window_min", "window_counts",
                                              "rule_rank", "best_class", "joined_names",
                                              "main_mode", "profile_text"),
                                 conftest=False),
    "layers/tidtabeller.py": Target(("tests/layers/test_tidtabeller_rules.py",),
                                    definitions=("used", "route_operators", "feed_stations",
                                                 "_shape_lines", "_calls", "duplicate_trips",
                                                 "_stations", "_report", "merge", "_no_calls"),
                                    conftest=False),
    "layers/korridorer.py": Target(("tests/layers/test_korridorer_rules.py",),
                                   definitions=("_hops", "_cut", "_chains", "corridors",
                                                "_courses", "hourly", "classify",
                                                "segment_table", "station_classes"),
                                   conftest=False),
    "layers/tillganglighet_ruta.py": Target(("tests/layers/test_tillganglighet_ruta_rules.py",),
                                            definitions=("layer_id", "classify", "build"),
                                            conftest=False),
    "layers/scenario.py": Target(("tests/layers/test_scenario_rules.py",),
                                 definitions=("apply_changes", "touched_categories", "_summary",
                                              "_unserved", "_today", "run"),
                                 conftest=False),
    "layers/lan.py": Target(("tests/layers/test_lan_rules.py",), definitions=("build",),
                            conftest=False),
    "layers/kommuner.py": Target(("tests/layers/test_kommuner_rules.py",),
                                 definitions=("region_kommuner", "build"), conftest=False),
    "layers/befolkning.py": Target(("tests/layers/test_befolkning_rules.py",),
                                   definitions=("population_split",), conftest=False),
    "layers/bredband.py": Target(("tests/layers/test_bredband_rules.py",),
                                 definitions=("build",), conftest=False),
    "layers/kommunindikatorer.py": Target(("tests/layers/test_kommunindikatorer_rules.py",),
                                          definitions=("build",), conftest=False),
    "layers/region.py": Target(("tests/layers/test_region_rules.py",),
                               definitions=("is_valid", "lan_codes", "is_national"),
                               conftest=False),
    "layers/tatorter.py": Target(("tests/layers/test_tatorter_rules.py",),
                                 definitions=("link_points", "build", "points_outside_kommun"),
                                 conftest=False),
    "layers/roadnet.py": Target(("tests/layers/test_roadnet_rules.py",),
                                definitions=("parse_maxspeed", "speeds_kmh", "directed_edges"),
                                conftest=False),
}


def _config(module: str, target: Target) -> str:
    """A cosmic-ray session config mutating ``module`` and running its tests."""
    return "\n".join([
        "[cosmic-ray]",
        f'module-path = "{module}"',
        f"timeout = {target.timeout}",
        "excluded-modules = []",
        f'test-command = "{target.command}"',
        "[cosmic-ray.distributor]",
        'name = "local"',
        "",
    ])


def _digest(texts: list[str], paths: list[Path]) -> str:
    """A short digest of ``texts`` and the bytes of ``paths``."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
    for path in sorted(paths):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _sources(module: str) -> list[Path]:
    """The Python files cosmic-ray mutates for ``module`` (a file or a package)."""
    path = ROOT / module
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _session(module: str, config_text: str, fresh: bool, *,
             prune: bool = True) -> tuple[Path, Path, bool]:
    """The config and session paths for ``module``, deleting stale sessions of it.

    Returns whether the session must be initialised. ``prune=False`` (a report) deletes and
    writes nothing: a module being mutated by a run elsewhere has another digest, and its
    running session must not go.
    """
    SESSIONS.mkdir(parents=True, exist_ok=True)
    slug = module.replace("/", "_").removesuffix(".py")
    # the digest leaves out the interpreter's path, so a session resumes from another
    # checkout's venv (same module source and config otherwise)
    portable = config_text.replace(sys.executable, "python")
    stem = f"{slug}-{_digest([portable], _sources(module))}"
    config, session = SESSIONS / f"{stem}.toml", SESSIONS / f"{stem}.sqlite"
    if prune:
        for old in SESSIONS.glob(f"{slug}-*"):
            if fresh or old.stem != stem:
                old.unlink()
        config.write_text(config_text)
    return config, session, not session.exists()


Span = tuple[tuple[int, int], tuple[int, int]]


def _annotation_spans(path: Path) -> list[Span]:
    """Where the annotations of ``path`` are, as (line, column) start and end.

    Empty unless the module has ``from __future__ import annotations``: then annotations
    are never evaluated, and a mutant inside one (``str | None`` → ``str >> None``) is
    equivalent by construction. Columns count characters, as cosmic-ray's positions do.
    """
    text = path.read_text("utf-8")
    tree = ast.parse(text)
    future = any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
                 and any(alias.name == "annotations" for alias in node.names)
                 for node in tree.body)
    if not future:
        return []
    lines = text.splitlines()

    def char_col(line: int, byte_col: int) -> int:
        return len(lines[line - 1].encode()[:byte_col].decode())

    annotations = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            annotations.append(node.returns)
        elif isinstance(node, ast.arg) and node.annotation:
            annotations.append(node.annotation)
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
    return [((a.lineno, char_col(a.lineno, a.col_offset)),
             (a.end_lineno, char_col(a.end_lineno, a.end_col_offset))) for a in annotations]


def _skip_unrun(session: Path, definitions: tuple[str, ...]) -> None:
    """Mark as skipped every pending mutant outside ``definitions`` or in an annotation.

    The skip reason is the result's output: ``out of scope`` or ``annotation``.
    """
    from cosmic_ray.work_db import use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    spans: dict[str, list[Span]] = {}
    with use_db(str(session)) as db:
        for item in list(db.pending_work_items):
            reason = None
            if definitions and all(m.definition_name not in definitions
                                   for m in item.mutations):
                reason = "out of scope"
            elif all(any(start <= tuple(m.start_pos) < end for start, end in
                         spans.setdefault(str(m.module_path),
                                          _annotation_spans(ROOT / m.module_path)))
                     for m in item.mutations):
                reason = "annotation"
            if reason:
                db.set_result(item.job_id, WorkResult(output=reason,
                                                      worker_outcome=WorkerOutcome.SKIPPED))


def _requeue_survivors_if_tests_changed(session: Path, target: Target) -> None:
    """Forget the survivors' results when the test files changed since they were run."""
    stamp = session.with_suffix(".tests")
    tests = _digest([], [ROOT / test for test in target.tests] + [ROOT / "tests/conftest.py"])
    if stamp.exists() and stamp.read_text() != tests:
        with sqlite3.connect(session) as db:
            db.execute("DELETE FROM work_results WHERE test_outcome = 'SURVIVED'")
    stamp.write_text(tests)


def run(module: str, *, fresh: bool = False, execute: bool = True) -> dict[str, object]:
    """Mutate one target and return its counts and survivors.

    ``execute=False`` (``--report``) runs nothing and returns the session as it stands, its
    pending mutants counted as such (a run stopped at a time limit).
    """
    target = TARGETS[module]
    config, session, new = _session(module, _config(module, target), fresh, prune=execute)
    cosmic = [str(Path(sys.executable).parent / "cosmic-ray")]
    if not execute and new:
        msg = (f"{module}: no session of this source and config to report (is a run mutating "
               "it right now?)")
        raise SystemExit(msg)
    if execute:
        # An unmutated run first: if the tests fail as they are, every mutant would be killed.
        subprocess.run(shlex.split(target.command), cwd=ROOT, check=True)
        if new:
            subprocess.run([*cosmic, "init", str(config), str(session)], cwd=ROOT, check=True)
        _skip_unrun(session, target.definitions)
        _requeue_survivors_if_tests_changed(session, target)
        subprocess.run([*cosmic, "exec", str(config), str(session)], cwd=ROOT, check=True)
    dump = subprocess.run([*cosmic, "dump", str(session)], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    counts = {"generated": 0, "killed": 0, "survived": 0, "incompetent": 0, "pending": 0,
              "annotation": 0, "out of scope": 0}
    survivors = []
    for line in dump.splitlines():
        item, result = json.loads(line)
        result = result or {}
        counts["generated"] += 1
        if result.get("worker_outcome") == "skipped":
            counts[result["output"]] += 1
            continue
        outcome = result.get("test_outcome") or "pending"
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == "survived":
            changed = [row[1:].strip() for row in (result.get("diff") or "").splitlines()
                       if row.startswith("+") and not row.startswith("+++")]
            for mutation in item["mutations"]:
                survivors.append((mutation["start_pos"][0], mutation["operator_name"],
                                  mutation["occurrence"], " | ".join(changed)))
    return {"module": module, **counts, "survivors": sorted(survivors)}


def main(argv: list[str]) -> int:
    """Run the named targets (all by default) and print the survivor report."""
    fresh, execute = "--fresh" in argv, "--report" not in argv
    names = [arg for arg in argv if arg not in ("--fresh", "--report")] or list(TARGETS)
    unknown = [name for name in names if name not in TARGETS]
    if unknown:
        print(f"unknown mutation target(s): {', '.join(unknown)}; choose from {list(TARGETS)}")
        return 2
    reports = [run(name, fresh=fresh, execute=execute) for name in names]
    for report in reports:
        print(f"{report['module']}: generated {report['generated']}; not run: "
              f"{report['annotation']} in annotations (equivalent), {report['out of scope']} "
              f"out of scope; run: killed {report['killed']}, survived {report['survived']}, "
              f"incompetent {report['incompetent']}, pending {report['pending']}")
        for line, operator, occurrence, changed in report["survivors"]:
            print(f"  survivor line {line} {operator} (apply: {report['module']} {operator} "
                  f"{occurrence}): {changed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
