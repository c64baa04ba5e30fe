"""The package installs, imports cheaply, finds its data and keeps its two install files in step."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


HEAVY = ("pandas", "numpy", "altair", "scipy", "papermill", "ipywidgets", "vl_convert")


def _modules_loaded_after(statement: str) -> set[str]:
    """Every module a fresh interpreter holds after running ``statement``, and each one's top package."""
    code = f"import sys; {statement}; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    names = set(out.split())
    return names | {n.split(".")[0] for n in names}


def test_import_does_not_load_heavy_modules():
    # the time itself (target under 0.5 s) is measured by benchmarks/bench_import.py
    loaded = _modules_loaded_after("import equitylab; equitylab.DataError; equitylab.__version__")
    assert loaded.isdisjoint(HEAVY), f"import equitylab pulled in {sorted(loaded & set(HEAVY))}"
    eager = {m.split(".")[1] for m in loaded if m.startswith("equitylab.")}
    assert eager.isdisjoint({"measures", "spc", "charts", "loaders", "workbook", "widgets", "reports"}), eager


def test_public_functions_load_on_first_use():
    loaded = _modules_loaded_after("import equitylab; equitylab.proportion")
    assert "pandas" in loaded  # the lazy name really reached its module
    assert loaded.isdisjoint({"altair", "papermill", "ipywidgets"})  # and only what a proportion needs


def test_exceptions_are_one_hierarchy():
    import equitylab

    for name in ("DataError", "ProjectFileError", "SourceUnavailable"):
        assert issubclass(getattr(equitylab, name), equitylab.EquityLabError)


def test_data_error_names_file_rows_and_column():
    from equitylab import DataError

    err = DataError("Ethnicity code not recognised", file="extract.csv", column="ethnicity",
                    rows=[14, 2, 3], hint="Use NHS Data Dictionary codes A to Z")
    text = str(err)
    assert "extract.csv" in text and "'ethnicity'" in text and "rows 2, 3, 14" in text
    assert text.endswith("Use NHS Data Dictionary codes A to Z.")


def test_data_dir_found_from_any_working_directory(tmp_path):
    code = "from equitylab._paths import data_dir; print(data_dir())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=tmp_path).stdout.strip()
    assert (Path(out) / "MANIFEST.md").exists()


def _requirement_names(reqs):
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in reqs}


def test_environment_yml_installs_the_pyproject_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"] if isinstance(d, str))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    # the conda file installs this very project with pip, so it can never drift from pyproject
    assert any(re.fullmatch(r'-e \.?\[?.*', p) or p.startswith("-e .") for p in pip_section)
    required = _requirement_names(project["project"]["dependencies"])
    for name in ("jupyterlab", "ipywidgets", "pandas", "altair", "fingertips-py", "papermill",
                 "vl-convert-python", "anywidget", "pyarrow"):
        assert name in required, name
    test_extra = _requirement_names(project["project"]["optional-dependencies"]["test"])
    assert {"pytest", "nbval"} <= test_extra


def test_cli_help_lists_each_command_with_what_it_does():
    out = subprocess.run([sys.executable, "-m", "equitylab", "--help"], capture_output=True, text=True,
                         check=True).stdout
    listed = [line.split(None, 1) for line in out.split("commands:\n", 1)[1].split("\n\n")[0].splitlines()]
    assert listed == [
        ["data", "fetch, list or check population data"],
        ["project", "create, show, export or restore a team's project file"],
        ["cohort", "put learners in teams on a hub (root): add, move, remove, repair, list"],
        ["report", "build equity reports for an area or a batch"],
        ["forms", "serve the exercise forms without code"],
        ["curriculum", "run the curriculum notebooks headless into a folder"],
        ["check", "check that this machine has what a session needs"],
    ]
    assert "Run 'equitylab COMMAND --help' for a command's options." in out


# the options each command's --help must offer: the README's command table and docs/accessibility.md
@pytest.mark.parametrize("command,options", [
    ("data", ["refresh", "show"]),
    ("project", ["new", "show", "export", "restore"]),
    ("report", ["--area CODE", "--batch FILE.csv", "--out DIR", "--service PATH", "--project FILE",
                "--comparator CODE", "--jobs N"]),
    ("forms", ["PROJECT.yaml", "--port PORT", "--form NAME", "--no-browser", "--ip IP"]),
    ("curriculum", ["--out OUT", "--area AREA", "--project PROJECT", "--service SERVICE"]),
    ("check", []),
])
def test_cli_command_help_lists_its_options(command, options, capsys):
    from equitylab.cli import main

    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: equitylab {command} ")
    for option in options:
        assert re.search(rf"^\s+{re.escape(option)}(\s|$)", out, re.MULTILINE), f"{command}: no {option}"
