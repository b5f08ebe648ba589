"""A task's code hash follows the code that is loaded: stable across processes, blind to
the file being saved again after the import, changed by an edit to the body."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

MODULE = """
from workbench.dag import task

@task
def label(value: str) -> str:
    return "known" if value in {"alpha", "beta", "gamma", "delta"} else "other"
"""

PRINT_HASH = (
    "import importlib.util, sys; "
    "spec = importlib.util.spec_from_file_location('m', sys.argv[1]); "
    "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
    "print(m.label.code_hash)"
)


def _hash_in_process(path: Path, seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", PRINT_HASH, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def test_the_hash_is_the_same_in_every_process_whatever_the_string_hash_seed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tasks.py"
    path.write_text(MODULE)
    assert len({_hash_in_process(path, seed) for seed in ("0", "1", "2", "12345")}) == 1


def test_saving_the_file_after_import_does_not_change_the_loaded_tasks_hash(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tasks.py"
    path.write_text(MODULE)
    spec = importlib.util.spec_from_file_location("tasks_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path.write_text(MODULE.replace('"other"', '"something else"'))
    original = tmp_path / "original.py"
    original.write_text(MODULE)
    assert module.label.code_hash == _hash_in_process(original, "0")
    assert module.label.code_hash != _hash_in_process(path, "0"), "an edit to the body counts"


def test_a_comment_or_a_moved_function_keeps_the_hash(tmp_path: Path) -> None:
    plain, moved = tmp_path / "plain.py", tmp_path / "moved.py"
    plain.write_text(MODULE)
    moved.write_text("# a comment\n\n\n" + MODULE.replace("@task", "# decorated\n@task"))
    assert _hash_in_process(plain, "0") == _hash_in_process(moved, "0")
