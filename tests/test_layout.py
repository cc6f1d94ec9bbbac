"""The house's floors, read from the source: an app imports only from apps on its own floor or
below, no two modules import each other in a circle (lazy imports inside functions count: they
hide a circle, they do not remove it), no module passes 600 lines, and a room's files carry no
other room's prefix. Plain `ast`, no extra tool; the checks are shown failing on a small tree
made in the test itself."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "flowcoach"

# Lower floors never import higher ones (docs/decisions.md, "Floors, no circles").
FLOORS: dict[str, int] = {
    "lib": 0,
    "accounts": 1,
    "clients": 2,
    "programs": 2,
    "outbox": 2,
    "coaching": 3,
    "portal": 4,
    "checkins": 4,
    "transcripts": 4,
    "insights": 4,
    "home": 4,
    "api": 5,
    "demo": 5,
}
MAX_LINES = 600
# Rooms of `coaching` that are packages now; a flat module named after one is a room in hiding.
ROOM_PREFIXES = ("runner_", "preparation_", "portal_", "client_", "export_", "summary_")


def _modules(root: Path, package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module of ours that `name` imports, at the top or inside a function."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(), filename=str(path))
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from a import b` imports the module a.b when there is one, else names of a.
            candidates = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                for alias in node.names
            ]
        else:
            continue
        for candidate in candidates:
            # The longest of our modules that the name starts with: `a.b.func` -> `a.b`.
            parts = candidate.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            if parts:
                targets.add(".".join(parts))
    # A package's own name reached through `from . import x` is not an import of itself.
    targets.discard(name)
    return targets


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def layout_problems(root: Path, package: str, floors: dict[str, int]) -> list[str]:
    modules = _modules(root, package)
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    problems = []
    for name, targets in sorted(graph.items()):
        source_app = _app(name)
        if source_app is None or source_app not in floors:
            # The project's own files (settings, urls, wsgi) sit above every floor.
            if source_app is not None and (modules[name].parent / "apps.py").exists():
                problems.append(f"{name}: app {source_app!r} has no floor in the layout")
            continue
        for target in sorted(targets):
            target_app = _app(target)
            if target_app in floors and floors[target_app] > floors[source_app]:
                problems.append(
                    f"{name} imports {target}: {source_app} (floor {floors[source_app]}) "
                    f"may not import {target_app} (floor {floors[target_app]})"
                )
    for component in _cycles(graph):
        problems.append("import circle: " + " <-> ".join(component))
    for name, path in modules.items():
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES:
            problems.append(f"{name}: {lines} lines (split it before {MAX_LINES})")
    return problems


def room_prefix_problems(root: Path, package: str) -> list[str]:
    folder = root / package / "coaching"
    return [
        f"{package}/coaching/{path.name}: a room in hiding, make its prefix a package"
        for path in sorted(folder.glob("*.py"))
        if path.name.startswith(ROOM_PREFIXES)
    ]


def test_it_keeps_every_app_on_its_floor_without_circles_or_long_modules():
    assert layout_problems(ROOT, PACKAGE, FLOORS) == []


def test_it_gives_every_room_of_coaching_its_own_package():
    assert room_prefix_problems(ROOT, PACKAGE) == []
    assert (ROOT / PACKAGE / "coaching" / "runner" / "services.py").exists()
    assert (ROOT / PACKAGE / "coaching" / "preparation" / "views.py").exists()
    assert (ROOT / PACKAGE / "portal" / "selectors.py").exists()


def test_it_knows_every_app_of_the_project():
    apps = {p.parent.name for p in (ROOT / PACKAGE).glob("*/apps.py")} | {"lib", "api"}
    assert apps <= set(FLOORS), f"apps without a floor: {sorted(apps - set(FLOORS))}"


# --- the checks fail on a deliberately wrong tree ---------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = tmp_path / "house" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for folder in (tmp_path / "house").rglob("*"):
        if folder.is_dir() and not (folder / "__init__.py").exists():
            (folder / "__init__.py").write_text("")
    (tmp_path / "house" / "__init__.py").write_text("")
    return tmp_path


FLOORS_OF_A_SMALL_HOUSE = {"lib": 0, "coaching": 3, "portal": 4}


def test_it_fails_on_an_import_from_a_higher_floor(tmp_path):
    root = _tree(
        tmp_path,
        {
            "lib/rows.py": "X = 1\n",
            "portal/selectors.py": "from house.lib.rows import X\n",
            # Wrong: coaching reaches up into the portal, even lazily inside a function.
            "coaching/services.py": "def f():\n    from house.portal import selectors\n",
        },
    )
    problems = layout_problems(root, "house", FLOORS_OF_A_SMALL_HOUSE)
    assert problems == [
        "house.coaching.services imports house.portal.selectors: coaching (floor 3) "
        "may not import portal (floor 4)"
    ]


def test_it_fails_on_an_import_circle_even_through_relative_and_lazy_imports(tmp_path):
    root = _tree(
        tmp_path,
        {
            "coaching/dispatch.py": "def f():\n    from . import tasks\n",
            "coaching/tasks.py": "from .dispatch import f\n",
            "coaching/runner/clock.py": "from ..tasks import *\n",
        },
    )
    problems = layout_problems(root, "house", FLOORS_OF_A_SMALL_HOUSE)
    assert problems == ["import circle: house.coaching.dispatch <-> house.coaching.tasks"]


def test_it_fails_on_a_long_module_and_a_room_in_hiding(tmp_path):
    root = _tree(
        tmp_path,
        {
            "coaching/views.py": "x = 1\n" * (MAX_LINES + 1),
            "coaching/runner_services.py": "",
            "coaching/services.py": "",
        },
    )
    assert layout_problems(root, "house", FLOORS_OF_A_SMALL_HOUSE) == [
        f"house.coaching.views: {MAX_LINES + 1} lines (split it before {MAX_LINES})"
    ]
    assert room_prefix_problems(root, "house") == [
        "house/coaching/runner_services.py: a room in hiding, make its prefix a package"
    ]


def test_it_fails_on_an_app_without_a_floor(tmp_path):
    root = _tree(tmp_path, {"reports/apps.py": "", "reports/views.py": ""})
    assert "house.reports: app 'reports' has no floor in the layout" in layout_problems(
        root, "house", FLOORS_OF_A_SMALL_HOUSE
    )
