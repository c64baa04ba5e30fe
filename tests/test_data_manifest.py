"""Every file shipped in data/ is listed, sourced and licensed in a MANIFEST.csv."""
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
COLUMNS = ["file", "source", "source_path", "retrieved", "licence", "description", "synthetic"]
NOT_DATA = {"MANIFEST.md", "MANIFEST.csv", ".gitkeep", ".DS_Store"}
TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}


def _manifests():
    return sorted(DATA.glob("*/MANIFEST.csv"))


def _rows() -> pd.DataFrame:
    frames = []
    for man in _manifests():
        df = pd.read_csv(man, dtype=str, keep_default_na=False)
        missing = [c for c in COLUMNS if c not in df.columns]
        assert not missing, f"{man.relative_to(DATA)} lacks columns {missing}"
        df["folder"] = man.parent.name
        # A row's file is named relative to its MANIFEST's folder.
        df["path"] = [str((man.parent / f.strip()).relative_to(DATA)) for f in df["file"]]
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def _data_files():
    for p in sorted(DATA.rglob("*")):
        if p.is_file() and p.name not in NOT_DATA and not p.name.upper().startswith("README") \
                and "__pycache__" not in p.parts:
            yield p


def test_there_are_manifests():
    assert (DATA / "population" / "MANIFEST.csv").exists()
    assert _manifests()


def test_every_data_file_is_listed():
    listed = set(_rows()["path"])
    unlisted = [str(p.relative_to(DATA)) for p in _data_files() if str(p.relative_to(DATA)) not in listed]
    assert not unlisted, f"files in data/ missing from every MANIFEST.csv: {unlisted}"


def test_every_listed_file_exists():
    rows = _rows()
    gone = [p for p in rows["path"] if not (DATA / p).is_file()]
    assert not gone, f"MANIFEST rows naming files that do not exist: {gone}"
    assert rows["path"].is_unique


@pytest.mark.parametrize("column", ["source", "licence", "retrieved", "description"])
def test_rows_have_source_and_licence(column):
    rows = _rows()
    empty = rows.loc[rows[column].str.strip() == "", "path"].tolist()
    assert not empty, f"MANIFEST rows with an empty {column}: {empty}"


def test_synthetic_flag_is_explicit_and_right():
    rows = _rows()
    flag = rows["synthetic"].str.strip().str.lower()
    bad = rows.loc[~flag.isin(TRUE | FALSE), "path"].tolist()
    assert not bad, f"synthetic must be true or false: {bad}"
    is_syn = flag.isin(TRUE)
    # Files that say they are synthetic, and everything in examples/, must be marked synthetic.
    looks_synthetic = rows["path"].str.contains("synthetic", case=False) | (rows["folder"] == "examples")
    wrong = rows.loc[looks_synthetic & ~is_syn, "path"].tolist()
    assert not wrong, f"synthetic files not marked synthetic: {wrong}"
    # Real snapshot folders hold no synthetic data.
    real = rows.loc[rows["folder"].isin(["population", "fingertips"]) & is_syn, "path"].tolist()
    assert not real, f"files marked synthetic inside a real-data folder: {real}"
    # A synthetic file says so in its description or licence, so a reader of the MANIFEST sees it.
    quiet = rows.loc[is_syn & ~(rows["description"] + rows["licence"]).str.contains("synthetic", case=False),
                     "path"].tolist()
    assert not quiet, f"synthetic files whose description does not say synthetic: {quiet}"


def test_real_population_files_are_ogl():
    rows = _rows()
    pop = rows[rows["folder"] == "population"]
    assert len(pop) >= 6
    assert pop["licence"].str.contains("Open Government Licence").all()
