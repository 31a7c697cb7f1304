"""Which module imports which: every import statement of the apps' code, including those
inside functions and relative ones (read with `ast`, nothing is imported)."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The apps from the top down, each with what it holds. An app imports the apps below it,
# never one above; a lower app tells the ones above that something happened by a hook.
LAYERS: tuple[tuple[str, str], ...] = (
    ("procurement", "the buyer's RFQ workflow: pages, API, open and close jobs, seed_demo"),
    ("oversight", "fairness reports, gaming detection, verification, compliance samples"),
    ("auctions", "the engine: who may see an RFQ, bids, rules, mechanisms, evaluation, awards, live"),
    ("suppliers", "companies, KYC, invitations"),
    ("accounts", "users, organisations, tokens"),
    ("audit", "the append-only, hash-chained, signed trail, and the records oversight keeps"),
    ("rfqs", "the RFQ's tables: every app's rows point at them"),
    ("common", "errors, money, FSM helpers, after-commit, live publisher, hooks"),
)
APPS = tuple(name for name, _ in LAYERS)


def layer_of(module: str) -> int | None:
    """The index in LAYERS of the app holding `module`; None outside the apps."""
    top = module.split(".")[0]
    return APPS.index(top) if top in APPS else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules() -> Iterator[Path]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue  # tests may reach anywhere; migrations are generated
            yield path


def imported(path: Path) -> Iterator[str]:
    """Absolute names of what `path` imports; `from x import y` yields `x.y` (y may be a module)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield from (f"{module}.{alias.name}" for alias in node.names)


def upward_imports() -> set[tuple[str, str]]:
    """(module file, imported module) for every import of a layer above the importer's."""
    found = set()
    for path in app_modules():
        own = layer_of(module_name(path))
        for module in imported(path):
            target = layer_of(module)
            if own is not None and target is not None and target < own:
                found.add((path.relative_to(ROOT).as_posix(), module))
    return found
