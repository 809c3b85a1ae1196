"""Every domain app has one shape, and everything registered resolves (docs/adding-a-lever.md).

These tests read the source tree and the registries; they fail when a new app is missing a
part, a registry entry points at nothing, an app imports another app's views, or modules
import each other in a circle.
"""

import ast
import importlib
from pathlib import Path

import pytest
from django.template.loader import get_template
from django.urls import reverse

from becoming import registry
from becoming.apps import API_APPS, CLI_APPS, DOMAIN_APPS

SRC = Path(__file__).resolve().parents[1] / "src" / "becoming"
TESTS = Path(__file__).resolve().parent


def has_part(app: str, part: str) -> bool:
    return (SRC / app / f"{part}.py").is_file() or (SRC / app / part / "__init__.py").is_file()


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_domain_app_has_the_shape(app):
    missing = [p for p in ("models", "actions", "api", "cli", "views", "urls") if not has_part(app, p)]
    assert not missing, f"{app} lacks {', '.join(missing)} (see docs/adding-a-lever.md)"
    assert (SRC / app / "templates" / app).is_dir(), f"{app} has no templates/{app}/"
    assert (TESTS / app).is_dir(), f"{app} has no tests/{app}/"
    assert hasattr(importlib.import_module(f"becoming.{app}.api"), "router")
    assert hasattr(importlib.import_module(f"becoming.{app}.urls"), "urlpatterns")


def test_every_app_module_is_mounted():
    """The API and the CLI mount exactly the apps listed in becoming.apps."""
    for app in DOMAIN_APPS:
        assert app in API_APPS and app in CLI_APPS


def test_nav_items_resolve():
    assert registry.NAV, "no navigation registered"
    for item in registry.NAV:
        assert reverse(item.url_name, args=["some-workspace"]).startswith("/w/some-workspace/")
        assert item.menu in ("main", "settings")


def test_customer_sections_resolve():
    assert {s.key for s in registry.CUSTOMER_SECTIONS} >= {"standing", "signals"}
    for section in registry.CUSTOMER_SECTIONS:
        assert callable(registry.resolve(section.context)), section
        get_template(section.template)
        assert section.column in ("main", "side")


def test_job_kinds_resolve():
    assert {"assess", "import_customers", "import_events"} <= set(registry.JOB_KINDS)
    for name, target in registry.JOB_KINDS.items():
        assert callable(registry.resolve(target)), name


def test_import_kinds_resolve():
    for kind in registry.IMPORT_KINDS.values():
        assert callable(registry.resolve(kind.action)), kind.key
        assert hasattr(registry.resolve(kind.form), "action_kwargs"), kind.key
        assert f"import_{kind.key}" in registry.JOB_KINDS, f"import kind {kind.key} has no job"


# -- imports between modules -----------------------------------------------------------------

def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, top_level_only: bool) -> set[str]:
    """The becoming.* modules a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in found if m.startswith("becoming.") and _is_module(m)}


def _is_module(name: str) -> bool:
    path = SRC.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


SOURCES = [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]


def test_no_app_imports_another_apps_views():
    offenders = []
    for path in SOURCES:
        if path.parent == SRC:  # the project's own modules (urls, settings) wire apps together
            continue
        app = module_name(path).split(".")[1]
        for target in imports_of(path, top_level_only=False):
            parts = target.split(".")
            if len(parts) > 2 and parts[2] == "views" and parts[1] != app:
                offenders.append(f"{module_name(path)} imports {target}")
    assert not offenders, "apps plug in through becoming.registry: " + "; ".join(offenders)


def test_no_import_cycles():
    graph = {module_name(p): imports_of(p, top_level_only=True) for p in SOURCES}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_the_checker_sees_cycles_and_view_imports(tmp_path):
    """The import reader must resolve relative imports, or the two tests above prove nothing."""
    found = imports_of(SRC / "customers" / "views.py", top_level_only=True)
    assert "becoming.customers.actions" in found and "becoming.registry" in found


def test_views_api_and_cli_do_not_write():
    """Writes belong to actions: a view, API handler or command that saves is a rule out of place."""
    writes = (".save(", ".objects.create(", ".delete()", "bulk_create(", "bulk_update(",
              "get_or_create(", "update_or_create(")
    offenders = []
    for path in SOURCES:
        if path.stem in ("views", "api", "cli") or path.parent.name == "views":
            text = path.read_text(encoding="utf-8")
            offenders += [f"{module_name(path)}: {w}" for w in writes if w in text]
    assert not offenders, "; ".join(offenders)
