"""Is this machine ready for a learning session? (``equitylab check``)

Prints one line per requirement with OK or a plain-English problem, so a facilitator can
run it on a laptop before the session starts.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from ._paths import data_dir

REQUIRED = [
    ("pandas", "tables"),
    ("numpy", "numbers"),
    ("scipy", "statistics"),
    ("altair", "charts"),
    ("vl_convert", "charts without the internet"),
    ("anywidget", "charts in JupyterLab without the internet"),
    ("ipywidgets", "forms"),
    ("yaml", "the project file"),
    ("papermill", "reports"),
    ("fingertips_py", "live Fingertips data"),
]


def checks() -> list[tuple[str, bool, str]]:
    """(what, ok, detail) for each requirement; never raises."""
    results = [("Python 3.11 or newer", sys.version_info >= (3, 11), sys.version.split()[0])]
    for module, purpose in REQUIRED:
        try:
            mod = importlib.import_module(module)
            results.append((f"{module} ({purpose})", True, getattr(mod, "__version__", "")))
        except Exception as exc:  # any import failure is a finding, not a crash
            results.append((f"{module} ({purpose})", False, f"cannot be imported: {exc}"))
    try:
        folder = data_dir()
        ok = (folder / "MANIFEST.md").exists()
        results.append(("offline data snapshot", ok, str(folder) if ok else "not found: reinstall equitylab"))
    except Exception as exc:
        results.append(("offline data snapshot", False, str(exc)))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="equitylab check", description=__doc__.splitlines()[0])
    parser.parse_args(argv or [])
    failed = 0
    for what, ok, detail in checks():
        failed += not ok
        print(f"{'OK  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail else ""))
    print("Ready for the session." if not failed else f"{failed} problem(s): ask your facilitator.")
    return 1 if failed else 0
