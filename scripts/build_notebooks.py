"""Build the curriculum notebooks from their reviewable sources.

The text and code of each notebook live in ``notebooks/src/NN_name.py`` (jupytext
"percent" format), which reads well in a diff. This script writes
``notebooks/NN_name.ipynb`` with no outputs, the ``parameters`` tag kept and plumbing
cells hidden. ``tests/test_notebooks_static.py`` checks the two stay in step.

    python scripts/build_notebooks.py          # write the notebooks
    python scripts/build_notebooks.py --check  # exit 1 if any notebook is out of date
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "notebooks" / "src"
OUT = ROOT / "notebooks"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def build(source: Path) -> str:
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    for i, cell in enumerate(nb.cells):
        cell.id = str(i)  # stable ids, numbered as nbstripout numbers them
        cell.metadata.pop("lines_to_next_cell", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if cell.source.lstrip().startswith("# setup:"):
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    return nbformat.writes(nbformat.from_dict(nb), version=4) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that notebooks are up to date")
    args = parser.parse_args(argv)
    stale = []
    for source in sorted(SRC.glob("*.py")):
        target = OUT / (source.stem + ".ipynb")
        text = build(source)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            stale.append(target.name)
            if not args.check:
                target.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("out of date: " + ", ".join(stale) + " (run python scripts/build_notebooks.py)")
        return 1
    print(("rebuilt: " + ", ".join(stale)) if stale else "notebooks up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
