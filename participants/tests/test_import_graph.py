"""The project's modules import each other one way: no import circles, and in ``participants`` no
function-level imports to hide one.

The import statements of every module of the project's apps are read from the source (``ast``),
including imports inside functions, so a circle hidden behind a function-level import is found
as well. No database and no Django set-up needed.
"""

import ast
import graphlib
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
# The apps whose modules are checked.
APPS = ("participants", "courses", "innovation_centre", "reporting")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(BASE_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for app in APPS
        if (BASE_DIR / app).is_dir()
        for path in sorted((BASE_DIR / app).rglob("*.py"))
        if "migrations" not in path.parts
    }


def resolve(name: str, modules) -> str | None:
    """The project module ``name`` loads: itself, or its nearest enclosing module (``from
    participants.reminders.scan import setting`` loads ``participants.reminders.scan``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imported_names(node: ast.AST, *, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            anchor = package[: len(package) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        return [f"{base}.{alias.name}" for alias in node.names]
    return []


def imports_of(module: str, path: Path, modules) -> list[tuple[str, int, str | None]]:
    """(imported project module, line, enclosing function or None) for every import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = child.name
            for name in imported_names(child, module=module, is_package=path.name == "__init__.py"):
                target = resolve(name, modules)
                if target and target != module:
                    found.append((target, child.lineno, inner))
            visit(child, inner)

    visit(tree, None)
    return found


def import_graph(modules) -> dict[str, set[str]]:
    return {
        module: {target for target, _line, _function in imports_of(module, path, modules)}
        for module, path in modules.items()
    }


def find_cycle(graph) -> list[str] | None:
    """A circle as [a, b, ..., a], each module importing the next; None when there is none."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return error.args[1][::-1]  # graphlib lists it from dependency to dependant
    return None


def test_the_modules_of_the_apps_import_each_other_without_a_circle():
    modules = project_modules()
    assert "participants.reminders.scan" in modules  # the walk found the apps' modules
    assert "reporting.report.pdf" in modules

    cycle = find_cycle(import_graph(modules))

    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_no_participants_module_imports_a_project_module_inside_a_function():
    """A function-level import is the usual way to hide a circle. In ``participants`` only
    ``AppConfig.ready`` may import (Django's place for connecting signals); tests may import
    where they like."""
    modules = project_modules()
    lazy = [
        f"{module}:{line} imports {target} inside {function}()"
        for module, path in modules.items()
        if module.startswith("participants") and ".tests" not in f".{module}."
        for target, line, function in imports_of(module, path, modules)
        if function not in (None, "ready")
    ]

    assert lazy == []


# --- the checks above can fail ----------------------------------------------------------------


def fake_modules(tmp_path, files: dict[str, str]) -> dict[str, Path]:
    modules = {}
    for name, source in files.items():
        path = tmp_path / (name.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        modules[name] = path
    return modules


@pytest.mark.parametrize(
    "scan_source",
    [
        "from pkg.tasks import send\n",
        "def queue():\n    from pkg import tasks\n",  # hidden inside a function
        "def queue():\n    from . import tasks\n",  # relative
        "import pkg.tasks.sub\n",  # a name inside the module
    ],
)
def test_a_circle_is_found_also_behind_a_function_level_import(tmp_path, scan_source):
    modules = fake_modules(
        tmp_path,
        {"pkg.scan": scan_source, "pkg.tasks": "from pkg.scan import record\n", "pkg.other": ""},
    )

    assert sorted(set(find_cycle(import_graph(modules)))) == ["pkg.scan", "pkg.tasks"]


def test_a_circle_is_reported_in_the_direction_of_the_imports(tmp_path):
    modules = fake_modules(
        tmp_path,
        {
            "pkg.a": "from pkg import b\n",
            "pkg.b": "from pkg import c\n",
            "pkg.c": "def later():\n    from pkg import a\n",
        },
    )

    cycle = find_cycle(import_graph(modules))

    assert " -> ".join(cycle) in {
        "pkg.a -> pkg.b -> pkg.c -> pkg.a",
        "pkg.b -> pkg.c -> pkg.a -> pkg.b",
        "pkg.c -> pkg.a -> pkg.b -> pkg.c",
    }


def test_imports_that_run_one_way_are_no_circle(tmp_path):
    modules = fake_modules(
        tmp_path,
        {
            "pkg.scan": "import logging\n",
            "pkg.delivery": "from pkg.scan import setting\n",
            "pkg.tasks": "from pkg import delivery, scan\n",
        },
    )

    assert find_cycle(import_graph(modules)) is None
