"""The rules of docs/architecture.md as functions over a source tree (parsed with ``ast``, never imported).

Each checker takes the tree's root and returns the violations it finds as readable strings, so
``tests/test_architecture.py`` can run it on this repository and on a small synthetic tree that breaks the rule
on purpose (proof that the checker would notice).
"""
from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

#: Top to bottom: an app may import the apps after it in this list, never one before it.
APP_ORDER = ("fileproxy", "integrations", "entities", "monitoring", "erpintegration")

#: Pure engines and the project modules each may use (nothing from Django, DRF, Celery or other app code).
PURE_ENGINES = {
    "integrations/mapping": ("integrations.mapping",),
    "integrations/configuration": ("integrations.configuration", "integrations.mapping"),
    "erpintegration/lib/templating.py": (),
    "integrations/connectors/typegen": ("integrations.connectors.typegen",),
}
NOT_PURE = ("django", "rest_framework", "celery", "kombu", "psycopg")

#: Third-party or stdlib modules only one module may import.
HTTP_CLIENT = "erpintegration/lib/http.py"
HTTP_MODULES = ("requests", "urllib3", "httpx", "http.client", "urllib.request", "aiohttp")
XML_PARSER = "integrations/mapping/xml.py"
XML_MODULES = ("lxml", "xml.etree", "xml.dom", "xml.sax", "xml.parsers", "defusedxml")

#: Modules that only parse input, call a service or selector, and render: no ORM writes here.
def is_thin_module(path: Path) -> bool:
    return path.name in ("views.py", "tasks.py") or path.name.startswith("views_")


ORM_WRITES = frozenset({
    "save", "create", "update", "delete", "get_or_create", "update_or_create",
    "bulk_create", "bulk_update", "bulk_delete",
})

#: Where importing a project module inside a function is allowed (framework start-up hooks).
FUNCTION_IMPORT_ALLOWED = ("apps.py",)


@dataclass(frozen=True)
class Import:
    source: str  # importing module, dotted
    target: str  # imported module, dotted (a module of the tree when it is one, else as written)
    path: Path
    line: int
    in_function: bool
    commented: bool  # a comment on the import line or above it (inside its function, for function-level imports)


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_files(root: Path, apps=APP_ORDER) -> dict[str, Path]:
    """Every module of the apps, migrations left out (generated, and they only import Django)."""
    files: dict[str, Path] = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" not in path.relative_to(root).parts:
                files[module_name(root, path)] = path
    return files


@functools.lru_cache(maxsize=4096)
def _parsed(path: Path, mtime_ns: int) -> tuple[list[str], ast.Module]:
    text = path.read_text()
    return text.splitlines(), ast.parse(text, filename=str(path))


def parse(path: Path) -> tuple[list[str], ast.Module]:
    """The file's lines and syntax tree, parsed once per version of the file."""
    return _parsed(path, path.stat().st_mtime_ns)


def _import_nodes(tree: ast.Module):
    """Yield ``(import node, line of its innermost enclosing function or None)`` in one pass over the tree.
    Imports under ``if TYPE_CHECKING:`` are left out: they never run, so they cannot close a cycle."""
    stack: list[tuple[ast.AST, int | None]] = [(tree, None)]
    while stack:
        node, function_line = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, function_line
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function_line = node.lineno
        children = list(ast.iter_child_nodes(node))
        if isinstance(node, ast.If) and "TYPE_CHECKING" in (getattr(node.test, "id", None),
                                                            getattr(node.test, "attr", None)):
            children = node.orelse
        # imports are statements, and statements nest only in statements (and except/case clauses)
        stack.extend((child, function_line) for child in children
                     if isinstance(child, ast.stmt | ast.excepthandler | ast.match_case))


def imports_of(root: Path, modules: dict[str, Path]) -> list[Import]:
    found: list[Import] = []
    for name, path in modules.items():
        lines, tree = parse(path)
        is_package = path.name == "__init__.py"
        for node, function_line in _import_nodes(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join([*base, node.module] if node.module else base)
                else:
                    module = node.module or ""
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module for a in node.names]
            first = node.lineno - 1 if function_line is None else function_line
            commented = any("#" in line for line in lines[max(first - 1, 0): node.end_lineno])
            for target in dict.fromkeys(targets):
                found.append(Import(name, target, path, node.lineno, function_line is not None, commented))
    return found


@functools.lru_cache(maxsize=64)
def tree_imports(root: Path, order=APP_ORDER) -> tuple[Import, ...]:
    """Every import of the apps' modules (parsed once per tree and app order)."""
    return tuple(imports_of(root, source_files(root, order)))


def _top(module: str) -> str:
    return module.split(".")[0]


def _where(root: Path, imp: Import) -> str:
    return f"{imp.path.relative_to(root)}:{imp.line} imports {imp.target}"


def upward_imports(root: Path, order=APP_ORDER) -> list[str]:
    """An app imports only itself and the apps below it in ``order``."""
    rank = {app: index for index, app in enumerate(order)}
    return sorted(
        _where(root, imp)
        for imp in tree_imports(root, order)
        if _top(imp.target) in rank and rank[_top(imp.target)] < rank[_top(imp.source)]
    )


def app_imports(root: Path, app: str, order=APP_ORDER) -> list[str]:
    """Every import of another app by ``app`` (for the app at the bottom, which imports none)."""
    return sorted(
        _where(root, imp)
        for imp in tree_imports(root, order)
        if _top(imp.source) == app and _top(imp.target) in order and _top(imp.target) != app
    )


def import_cycles(root: Path, order=APP_ORDER) -> list[list[str]]:
    """Strongly connected components of the module import graph (any import, at any level) with a cycle."""
    modules = source_files(root, order)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for imp in tree_imports(root, order):
        if imp.target in modules and imp.target != imp.source:
            graph[imp.source].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:  # Tarjan's algorithm, iterative (deep graphs would hit the recursion limit)
        nonlocal counter
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
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
                    cycles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(cycles)


def function_level_imports(root: Path, order=APP_ORDER) -> list[str]:
    """Project modules imported inside a function: allowed only in framework hooks (apps.py), with a comment."""
    project = set(order)
    return sorted(
        _where(root, imp) + ("" if imp.path.name in FUNCTION_IMPORT_ALLOWED else " (not a framework hook)")
        for imp in tree_imports(root, order)
        if imp.in_function and _top(imp.target) in project
        and (imp.path.name not in FUNCTION_IMPORT_ALLOWED or not imp.commented)
    )


def impure_engine_imports(root: Path, engines=PURE_ENGINES, order=APP_ORDER) -> list[str]:
    """Pure engines import nothing from Django, DRF, Celery or app code outside what they are allowed."""
    offenders = []
    for relative, allowed in engines.items():
        path = root / relative
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        modules = {module_name(root, file): file for file in files}
        for imp in imports_of(root, modules):
            target = imp.target
            if _top(target) in NOT_PURE or (
                _top(target) in order and not any(target == a or target.startswith(a + ".") for a in allowed)
            ):
                offenders.append(_where(root, imp))
    return sorted(offenders)


def _matches(target: str, banned: tuple[str, ...]) -> bool:
    return any(target == name or target.startswith(name + ".") for name in banned)


def banned_imports(root: Path, banned: tuple[str, ...], allowed_file: str, order=APP_ORDER) -> list[str]:
    """Modules of ``banned`` imported anywhere in the apps but ``allowed_file``."""
    offenders = []
    for path in source_files(root, order).values():
        if path == root / allowed_file:
            continue
        _, tree = parse(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            hits = [target for target in targets if _matches(target, banned)]
            if hits:
                offenders.append(f"{path.relative_to(root)}:{node.lineno} imports {hits[0]}")
    return sorted(offenders)


def orm_writes_in_thin_modules(root: Path, order=APP_ORDER) -> list[str]:
    """``.save(``, ``.create(``, ``.update(``, ``.delete(``, ``bulk_*`` calls in views, API views and tasks."""
    offenders = []
    for path in source_files(root, order).values():
        if not is_thin_module(path):
            continue
        _, tree = parse(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ORM_WRITES:
                offenders.append(f"{path.relative_to(root)}:{node.lineno} calls .{node.func.attr}()")
    return sorted(set(offenders))
