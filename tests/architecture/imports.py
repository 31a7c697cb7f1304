"""Which module imports which: every import statement of the apps' code, including those
inside functions and relative ones (read with `ast`, nothing is imported)."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("procurement", "auctions", "audit", "suppliers", "accounts", "common")

# The layers from the top down, each with the modules it holds; a module belongs to the layer
# of the longest prefix naming it. A module may import its own layer and the layers below,
# never one above. Two apps span layers, because their parts are read at different heights:
# procurement's tables are what every app's rows point at, and who may see an RFQ is asked by
# the engine; audit's chain is appended to by every app, its analyses read the engine's records.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("workflow", ("procurement",)),  # the buyer's RFQ workflow: pages, API, close/open jobs
    ("oversight", ("audit",)),  # fairness reports, gaming alerts, verification, compliance samples
    ("engine", ("auctions",)),  # bids, rules, mechanisms, evaluation, awards, live events
    ("access", ("procurement.access",)),  # who may see which RFQ
    ("suppliers", ("suppliers",)),
    ("accounts", ("accounts",)),
    ("audit chain", ("audit.models", "audit.chain", "audit.services", "audit.types", "audit.anchoring",
                     "audit.checks")),  # the append-only, signed event chain
    ("rfq tables", ("procurement.models",)),
    ("common", ("common",)),
)


def layer_of(module: str) -> int | None:
    """The index in LAYERS of the layer holding `module`; None outside the apps."""
    best: tuple[int, int] | None = None
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    return best[0] if best else None


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
