"""The live Fingertips path against a local stand-in server on 127.0.0.1 (no internet).

Checks: rows arrive live and are cached; each failure mode (slow, HTTP 500, malformed CSV,
web page, blackhole, stalled download, TLS failure) falls back to the snapshot with a warning
naming the reason, the request having asked for the shrunk deadline (no test reads the clock); no request is ever made with
``verify=False``; a second call with the server down returns the cached answer.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from equitylab.errors import SourceUnavailable
from equitylab.loaders import _http
from equitylab.loaders import fingertips as ft
from fingertips_server import FingertipsTestServer

HACKNEY_MALE_SUICIDE = 13.996202968791  # raw London export, line 15 (Hackney, Male, 2015 - 17)
DEADLINE = 0.5


def _recorder(monkeypatch, keyword, default):
    """Every value of ``keyword`` that any requests call used (fingertips_py included)."""
    seen = []
    original = requests.Session.request

    def recording(self, method, url, *args, **kwargs):
        seen.append(kwargs.get(keyword, default))
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", recording)
    return seen


@pytest.fixture
def verify_calls(monkeypatch):
    return _recorder(monkeypatch, "verify", "default")


@pytest.fixture
def timeouts(monkeypatch):
    return _recorder(monkeypatch, "timeout", None)


@pytest.fixture
def server(tmp_path, monkeypatch):
    srv = FingertipsTestServer().start()
    monkeypatch.setenv("EQUITYLAB_FINGERTIPS_URL", srv.url)
    monkeypatch.setenv("EQUITYLAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EQUITYLAB_FINGERTIPS_DATA", raising=False)
    monkeypatch.setattr(_http, "FIRST_BYTE_TIMEOUT", DEADLINE)
    monkeypatch.setattr(_http, "INACTIVITY_TIMEOUT", DEADLINE)
    yield srv
    srv.stop()


def _hackney(df):
    row = df[(df["Area Code"] == "E09000012") & (df["Indicator ID"] == 41001)]
    assert len(row) == 1
    return row["Value"].iloc[0]


def test_live_answer_is_normalised_labelled_and_cached(server, tmp_path, verify_calls):
    df = ft.fingertips_data(41001, 502)
    assert df.attrs["source"] == "live"
    assert df.attrs["licence"] == "Open Government Licence v3.0"
    assert _hackney(df) == pytest.approx(HACKNEY_MALE_SUICIDE, abs=1e-12)
    assert list(df.columns[: len(ft.CANONICAL_COLUMNS)]) == ft.CANONICAL_COLUMNS
    path, query = server.requests[-1]
    assert path == "/api/all_data/csv/by_indicator_id"
    assert query == {"indicator_ids": "41001", "child_area_type_id": "502", "parent_area_type_id": "15",
                     "include_sortable_time_periods": "yes"}
    cached = list((tmp_path / "cache" / "fingertips").iterdir())
    assert len(cached) == 2 and not any(p.name.endswith(".tmp") for p in cached)
    assert verify_calls and all(v is True for v in verify_calls)


def test_area_codes_filter_live(server):
    df = ft.fingertips_data([41001], "County & UA", area_codes=["E09000012"])
    assert set(df["Area Code"]) == {"E09000012"}


@pytest.mark.parametrize("mode, reason", [
    ("slow", r"no answer within 0.5 seconds \(timeout\)"),
    ("error500", "HTTP 500"),
    ("malformed", "malformed CSV"),
    ("html", r"web page, not a CSV \(malformed CSV\)"),
    ("blackhole", r"no answer within 0.5 seconds \(timeout\)"),
    ("stall", r"stopped sending data for 0.5 seconds \(timeout\)"),
])
def test_failures_fall_back_to_snapshot_within_deadline(server, mode, reason, verify_calls, timeouts):
    # the server stalls for 60 s: a request without the shrunk timeout would end in another reason
    server.mode = mode
    with pytest.warns(ft.FingertipsFallbackWarning, match=reason) as record:
        df = ft.fingertips_data(41001, 502)
    assert timeouts == [(DEADLINE, DEADLINE)]  # (connect, first byte), as the module constants say
    assert df.attrs["source"] == "snapshot"
    assert _hackney(df) == pytest.approx(HACKNEY_MALE_SUICIDE, abs=1e-12)
    assert "snapshot (built" in str(record[0].message)
    assert server.requests, "the live path was not tried"
    assert all(v is True for v in verify_calls)


def test_a_trickling_answer_ends_at_the_deadline_and_falls_back(server, monkeypatch):
    # one byte every 0.1 s never pauses long enough for the inactivity limit: only the
    # overall deadline (shrunk here; 30 s in use) ends it
    monkeypatch.setattr(_http, "DEADLINE", 1.0)
    server.mode = "trickle"
    with pytest.warns(ft.FingertipsFallbackWarning,
                      match=r"no complete answer within 1 seconds \(timeout: the server sent its answer too slowly\)"):
        df = ft.fingertips_data(41001, 502)
    assert df.attrs["source"] == "snapshot"
    assert _hackney(df) == pytest.approx(HACKNEY_MALE_SUICIDE, abs=1e-12)
    with pytest.warns(ft.FingertipsFallbackWarning):  # and later calls do not wait again
        ft.fingertips_data(93356, 502)
    assert len(server.requests) == 1


def test_an_endless_answer_is_cut_at_the_size_limit_and_falls_back(server, monkeypatch):
    monkeypatch.setattr(_http, "MAX_BYTES", 2**20)
    server.mode = "endless"
    with pytest.warns(ft.FingertipsFallbackWarning, match=r"larger than 1 MB \(too large\)"):
        df = ft.fingertips_data(41001, 502)
    assert df.attrs["source"] == "snapshot"
    assert _hackney(df) == pytest.approx(HACKNEY_MALE_SUICIDE, abs=1e-12)


def test_the_size_limit_and_deadline_are_parameters(server):
    url = _http.build_url("all_data/csv/by_indicator_id", {"indicator_ids": "41001", "child_area_type_id": "502",
                                                           "parent_area_type_id": "15"})
    assert len(_http.get(url)) > 1000
    with pytest.raises(_http.FetchFailed, match="larger than"):
        _http.get(url, max_bytes=100)
    server.mode = "trickle"
    with pytest.raises(_http.FetchFailed, match=r"within 0.3 seconds \(timeout"):
        _http.get(url, deadline=0.3)


def test_a_dead_connection_is_waited_for_once_not_per_indicator(server):
    server.mode = "blackhole"
    with pytest.warns(ft.FingertipsFallbackWarning):
        df = ft.fingertips_data([41001, 93356, 93553], 502)
    assert len(server.requests) == 1  # one wait for the timeout, not three
    assert set(df["Indicator ID"]) == {41001, 93356, 93553}


def test_tls_failure_never_downgrades(server, monkeypatch, verify_calls):
    # the server speaks plain HTTP; asking for https makes the TLS handshake fail
    monkeypatch.setenv("EQUITYLAB_FINGERTIPS_URL", server.url.replace("http://", "https://"))
    with pytest.warns(ft.FingertipsFallbackWarning, match="SSL") as record:
        df = ft.fingertips_data(41001, 502)
    assert "REQUESTS_CA_BUNDLE" in str(record[0].message)
    assert df.attrs["source"] == "snapshot"
    assert _hackney(df) == pytest.approx(HACKNEY_MALE_SUICIDE, abs=1e-12)
    assert len(verify_calls) == 1 and verify_calls[0] is True
    assert server.requests == []  # no plain request followed the failed handshake


def test_second_call_with_server_down_uses_the_cache(server):
    live = ft.fingertips_data(41001, 502)
    server.stop()
    with pytest.warns(ft.FingertipsFallbackWarning, match="cached answer from"):
        again = ft.fingertips_data(41001, 502)
    assert again.attrs["source"] == "cache"
    assert _hackney(again) == _hackney(live)
    assert again["Data source"].str.contains("cached answer").all()
    forced = ft.fingertips_data(41001, 502, source="cache")
    assert forced.attrs["source"] == "cache" and len(forced) == len(live)
    with pytest.raises(SourceUnavailable, match="could not be fetched live"):
        ft.fingertips_data(41001, 502, source="live")
    with pytest.raises(SourceUnavailable, match="no cached Fingertips answer"):
        ft.fingertips_data(41001, 402, source="cache")  # another URL: not cached


def test_live_unknown_to_server_and_snapshot_gives_empty_live_answer(server):
    df = ft.fingertips_data(90366, 502)  # the server answers with a header only: no data
    assert df.empty and df.attrs["source"] == "live"


def test_profiles_live_then_cached(server):
    df = ft.fingertips_profiles()
    assert df.attrs["source"] == "live"
    assert df.loc[df["id"] == 26, "key"].iloc[0] == "health-profiles"
    server.stop()
    with pytest.warns(ft.FingertipsFallbackWarning, match="cached"):
        again = ft.fingertips_profiles()
    assert again.attrs["source"] == "cache" and len(again) == len(df)


def test_cache_write_is_atomic_and_keyed_by_url(tmp_path):
    folder = tmp_path / "c"
    _http.cache_put("http://x/a?b=1", b"one", folder)
    _http.cache_put("http://x/a?b=2", b"two", folder)
    assert _http.cache_get("http://x/a?b=1", folder)[0] == b"one"
    assert _http.cache_get("http://x/a?b=2", folder)[0] == b"two"
    assert _http.cache_get("http://x/a?b=3", folder) is None
    body = next(p for p in folder.iterdir() if p.suffix == ".body" and p.read_bytes() == b"one")
    body.write_bytes(b"on")  # a torn body does not count as a cached answer
    assert _http.cache_get("http://x/a?b=1", folder) is None
    assert not list(Path(folder).glob("*.tmp"))


def test_base_url_from_environment(monkeypatch):
    monkeypatch.delenv("EQUITYLAB_FINGERTIPS_URL", raising=False)
    assert _http.base_url() == "https://fingertips.phe.org.uk/api/"
    monkeypatch.setenv("EQUITYLAB_FINGERTIPS_URL", "http://127.0.0.1:1/api")
    assert _http.build_url("profiles") == "http://127.0.0.1:1/api/profiles"


def test_after_a_dead_connection_later_calls_do_not_wait_again(server):
    server.mode = "blackhole"
    with pytest.warns(ft.FingertipsFallbackWarning):
        ft.fingertips_data(41001, 502)
    with pytest.warns(ft.FingertipsFallbackWarning, match="not retried for 5 minutes"):
        df = ft.fingertips_data(93356, 502)
    assert len(server.requests) == 1 and df.attrs["source"] == "snapshot"  # no second request to wait on
    server.mode = "normal"  # an explicit live request still tries
    assert ft.fingertips_data(41001, 502, source="live").attrs["source"] == "live"


def test_proxy_settings_from_the_environment_are_used(server, monkeypatch):
    # requests reads HTTP(S)_PROXY (trust_env): point the proxy at the stand-in server and ask
    # for a host that does not exist; the answer can only come through the proxy.
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
    monkeypatch.setenv("EQUITYLAB_FINGERTIPS_URL", "http://fingertips.example.invalid/api/")
    df = ft.fingertips_data(41001, 502)
    assert df.attrs["source"] == "live"
    assert _hackney(df) == pytest.approx(HACKNEY_MALE_SUICIDE, abs=1e-12)


def test_progress_bar_for_long_downloads(server, monkeypatch, capsys):
    monkeypatch.setattr(_http, "PROGRESS_MIN_BYTES", 1000)
    ft.fingertips_data(93014, 15)  # about 0.3 MB from the Active Lives export
    err = capsys.readouterr().err
    assert "Fingertips indicator 93014" in err
