"""Which app imports which: every import statement of the apps' code, including those
inside functions (read with `ast`, nothing is imported)."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The apps from the top down: an app may import the apps below it, never one above.
LAYERS = ("procurement", "auctions", "audit", "suppliers", "accounts", "common")


def app_modules() -> Iterator[Path]:
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue  # tests may reach anywhere; migrations are generated
            yield path


def imported(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def upward_imports() -> set[tuple[str, str]]:
    """(module file, imported module) for every import of an app above the importer's."""
    rank = {app: i for i, app in enumerate(LAYERS)}
    found = set()
    for path in app_modules():
        source = path.relative_to(ROOT).as_posix()
        own = rank[source.split("/")[0]]
        for module in imported(path):
            target = module.split(".")[0]
            if target in rank and rank[target] < own:
                found.add((source, module))
    return found
