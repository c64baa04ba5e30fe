"""The layout matches docs/architecture.md: who imports altair, what the workbook and statistics may
import, module sizes, and no module named like the function its package exports."""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "equitylab"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """Absolute names of the modules a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[:len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found


def _layer(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def test_altair_is_imported_only_in_charts():
    outside = [str(p.relative_to(PACKAGE)) for p in MODULES
               if _layer(p) != "charts" and any(m.split(".")[0] == "altair" for m in _imports(p))]
    assert outside == []


def test_statistics_import_no_charts_widgets_or_reports_at_module_level():
    for p in MODULES:
        if _layer(p) in ("measures", "spc", "loaders"):
            bad = {m for m in _imports(p, top_level_only=True)
                   if m.startswith(("equitylab.charts", "equitylab.widgets", "equitylab.reports",
                                    "equitylab.findings", "altair", "papermill", "ipywidgets"))}
            assert not bad, f"{p.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_the_workbook_needs_no_charts_vl_convert_jupyter_or_findings():
    for p in MODULES:
        if _layer(p) == "workbook":
            bad = {m for m in _imports(p) if m.startswith(("equitylab.charts", "equitylab.findings",
                                                           "equitylab.reports", "equitylab.widgets",
                                                           "vl_convert", "altair", "ipywidgets", "IPython"))}
            assert not bad, f"{p.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_no_module_is_over_600_lines_and_reports_stay_under_1500():
    sizes = {str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines()) for p in MODULES}
    assert {k: v for k, v in sizes.items() if v > 600} == {}
    assert sum(v for k, v in sizes.items() if k.startswith("reports/")) <= 1500


@pytest.mark.parametrize("package", ["measures", "spc", "charts", "loaders", "findings", "workbook", "widgets",
                                     "reports"])
def test_exported_names_are_what_they_say_and_no_module_shadows_one(package):
    mod = importlib.import_module(f"equitylab.{package}")
    submodules = {p.stem for p in (PACKAGE / package).glob("*.py")}
    for name in mod.__all__:
        value = getattr(mod, name)
        assert not inspect.ismodule(value) or name in ("onepage",), f"equitylab.{package}.{name} is a module"
        if inspect.isfunction(value):
            assert name not in submodules, f"equitylab.{package}.{name}: a module shares the function's name"


def test_only_the_top_level_package_loads_names_lazily():
    lazy = [str(p.relative_to(PACKAGE)) for p in MODULES
            if p.name == "__init__.py" and "def __getattr__" in p.read_text(encoding="utf-8")]
    assert lazy == ["__init__.py"]
