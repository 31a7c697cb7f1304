"""Sizes: no module of the project's Python over 400 lines, no function over 60 (apps, tests,
bench and config alike; migrations are generated and left out). Read with `ast`, nothing is
imported. A long test is split by topic, a long journey into named steps."""
from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
SKIP_DIRS = {"migrations", "node_modules", "venv", "__pycache__", "static", "templates"}


def python_files(root: Path = ROOT) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".py"):
                yield Path(dirpath) / name


def oversized(path: Path, root: Path = ROOT) -> list[str]:
    """What in one file is over the limits, one line each."""
    source = path.read_text(encoding="utf-8")
    rel = path.relative_to(root).as_posix()
    found = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{rel}: module of {lines} lines (at most {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(source, filename=rel)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{rel}:{node.lineno}: function {node.name} of {length} lines "
                             f"(at most {MAX_FUNCTION_LINES})")
    return found


def test_no_module_over_400_lines_and_no_function_over_60():
    found = [problem for path in python_files() for problem in oversized(path)]
    assert not found, "Too long (split a module by topic, a function into named steps):\n" + "\n".join(found)


def test_the_walk_sees_the_apps_tests_and_bench_but_not_migrations_or_virtualenvs():
    seen = {path.relative_to(ROOT).as_posix() for path in python_files()}
    assert {"procurement/services.py", "tests/architecture/test_sizes.py", "conftest.py"} <= seen
    assert any(path.startswith("bench/") for path in seen)
    assert not any("/migrations/" in path or path.startswith((".venv/", "venv/")) for path in seen)


def test_the_check_names_long_modules_and_functions(tmp_path):
    long_function = "def long():\n" + "    x = 1\n" * 60
    (tmp_path / "ok.py").write_text("def short():\n    return 1\n")
    (tmp_path / "long_function.py").write_text(long_function)
    (tmp_path / "long_module.py").write_text("x = 1\n" * 401)
    found = [problem for path in python_files(tmp_path) for problem in oversized(path, tmp_path)]
    assert found == ["long_function.py:1: function long of 61 lines (at most 60)",
                     "long_module.py: module of 401 lines (at most 400)"]
