"""``equitylab data refresh`` and ``equitylab data show`` against the local stand-in server."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from equitylab import cli
from equitylab.loaders import _http, refresh
from equitylab.loaders import fingertips as ft
from fingertips_server import FingertipsTestServer


@pytest.fixture
def server(tmp_path, monkeypatch):
    srv = FingertipsTestServer().start()
    monkeypatch.setenv("EQUITYLAB_FINGERTIPS_URL", srv.url)
    monkeypatch.setenv("EQUITYLAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EQUITYLAB_FINGERTIPS_DATA", raising=False)
    monkeypatch.setattr(_http, "FIRST_BYTE_TIMEOUT", 0.5)
    monkeypatch.setattr(_http, "INACTIVITY_TIMEOUT", 0.5)
    yield srv
    srv.stop()
    ft._load_snapshot.cache_clear()


def _data_requests(srv):
    return [q["indicator_ids"] + "-" + q["child_area_type_id"] for p, q in srv.requests
            if p.endswith("by_indicator_id")]


def test_refresh_writes_files_manifest_and_state_then_skips(server, tmp_path, monkeypatch):
    out = tmp_path / "data"
    code = refresh.main(["refresh", "--out", str(out), "--indicators", "41001,93356", "--area-types", "502",
                         "--no-progress"])
    assert code == 0
    folder = out / "fingertips"
    manifest = pd.read_csv(folder / "MANIFEST.csv", dtype=str, keep_default_na=False)
    assert sorted(manifest["file"]) == ["live_41001_at502.parquet", "live_93356_at502.parquet"]
    assert (manifest["licence"] == "Open Government Licence v3.0").all()
    assert manifest["source_path"].str.contains("by_indicator_id").all()
    state = json.loads((folder / "refresh_state.json").read_text())
    assert set(state["done"]) == {"41001-502", "93356-502"}
    assert sorted(_data_requests(server)) == ["41001-502", "93356-502"]
    # a second run fetches nothing
    assert refresh.main(["refresh", "--out", str(out), "--indicators", "41001,93356", "--area-types", "502",
                         "--no-progress"]) == 0
    assert len(_data_requests(server)) == 2
    # the refreshed rows are used by fingertips_data when the folder is named
    monkeypatch.setenv("EQUITYLAB_FINGERTIPS_DATA", str(out))
    ft._load_snapshot.cache_clear()
    df = ft.fingertips_data(93356, 502, source="snapshot")
    assert df["Data source"].str.contains("live").all()
    assert len(df) == 852  # every record of the served export, category rows included


def test_refresh_resumes_after_a_failure(server, tmp_path, capsys):
    out = tmp_path / "data"
    server.mode = "error500"
    assert refresh.main(["refresh", "--out", str(out), "--indicators", "41001,93356", "--area-types", "502",
                         "--no-progress"]) == 1
    assert "HTTP 500" in capsys.readouterr().err
    server.mode = "normal"
    assert refresh.main(["refresh", "--out", str(out), "--indicators", "41001", "--area-types", "502",
                         "--no-progress"]) == 0
    before = len(_data_requests(server))
    assert refresh.main(["refresh", "--out", str(out), "--indicators", "41001,93356", "--area-types", "502",
                         "--no-progress"]) == 0
    assert _data_requests(server)[before:] == ["93356-502"]  # only what was missing


def test_refresh_stops_early_when_the_connection_fails(server, tmp_path):
    server.mode = "blackhole"
    summary = refresh.refresh(tmp_path / "d", indicator_ids=[41001, 93356], area_types=[15, 502],
                              progress=False)
    assert len(summary["failed"]) == 1 and "timeout" in next(iter(summary["failed"].values()))
    assert len(server.requests) == 1


def test_refresh_default_uses_profile_indicator_lists(server, tmp_path):
    summary = refresh.refresh(tmp_path / "d", area_types=[502], progress=False)
    # the stand-in lists 41001 and 93356 under profile 26 and 93014 under its Marmot profile
    assert sorted(summary["fetched"]) == ["live_41001_at502.parquet", "live_93014_at502.parquet",
                                          "live_93356_at502.parquet"]
    asked = {q.get("profile_id") for p, q in server.requests if "by_profile_id" in p}
    assert asked == {"26", "9001"}


def test_show_lists_the_snapshot():
    stream = io.StringIO()
    contents = refresh.show(stream=stream)
    text = stream.getvalue()
    assert "93553" in text and "Deprivation score (IMD 2019)" in text
    assert len(contents) >= 35
    one = io.StringIO()
    refresh.show(92033, stream=one)
    assert "E08000003 Manchester" in one.getvalue() and "Ethnic groups" in one.getvalue()
    missing = io.StringIO()
    refresh.show(90366, stream=missing)
    assert "not in the offline snapshot" in missing.getvalue()


def test_cli_dispatches_data_show(capsys):
    assert cli.main(["data", "show"]) == 0
    assert "41001" in capsys.readouterr().out
