"""Tillväxtverket's kommuntyper: "saknar data" with how to add them, and, with the table
supplied (a fixture in Tillväxtverket's layout, see tests/fixtures/tillvaxtverket), every
page and API compares by them."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from data_sources.klassning import TILLVAXTVERKET
from gisapp import create_app
from gisapp.build import run_build
from gisapp.config import DataDir
from gisapp.store import FileStore
from tests.conftest import data_dir_without
from tests.fixtures.tillvaxtverket.kommuntyper_workbook import FIXTURE_TYPES, write

BROWSER = {"Accept": "text/html,*/*;q=0.8"}


def test_without_the_table_the_class_is_listed_as_saknar_data_with_how_to_add(client):
    html = client.get("/jamfor?klassning=tillvaxtverket").get_data(as_text=True)
    assert "Tillväxtverkets kommuntyper (stad och land) – saknar data</option>" in html
    assert "admin/kommuntyper_tillvaxtverket.xlsx" in html and 'role="status"' in html
    assert "<svg" not in html  # no groups drawn from a table that is not there
    english = client.get("/jamfor?klassning=tillvaxtverket&sprak=en").get_data(as_text=True)
    assert "no data" in english and "and rebuild" in english
    kommun = client.get("/kommun/1780?klassning=tillvaxtverket").get_data(as_text=True)
    assert "Tillväxtverkets kommuntyper saknar data" in kommun
    api = client.get("/api/indikatorer?klassning=tillvaxtverket")
    assert api.status_code == 400 and "kommuntyper_tillvaxtverket.xlsx" in api.get_json()["detail"]


@pytest.fixture(scope="module")
def typed_client(tmp_path_factory, data_dir):
    root = tmp_path_factory.mktemp("kommuntyper")
    data = data_dir_without(root, data_dir, "admin")
    (data / "admin").mkdir()
    for part in (data_dir / "admin").iterdir():
        (data / "admin" / part.name).symlink_to(part)
    write(data / TILLVAXTVERKET.files[0].path)
    run_build(DataDir(data, "test"), FileStore(root / "builds"))
    return create_app({"BUILD_DIR": str(root / "builds"), "TESTING": True}).test_client()


def test_with_the_table_the_comparison_groups_by_kommuntyp(typed_client):
    html = typed_client.get("/jamfor?klassning=tillvaxtverket&indikator=andel_i_tatort"
                            ).get_data(as_text=True)
    for kind in ("Täta blandade kommuner", "Glesa blandade kommuner",
                 "Tätortsnära landsbygdskommuner", "Glesa landsbygdskommuner"):
        assert f'<tr class="group"><th colspan="2">{kind}</th>' in html
    assert "Karlstad är ensam i gruppen Täta blandade kommuner" in html
    assert "saknar data</option>" not in html


def test_with_the_table_the_api_and_the_kommun_page_compare_by_it(typed_client):
    csv = typed_client.get("/api/indikatorer?klassning=tillvaxtverket&format=csv"
                           "&indikator=andel_i_tatort")
    frame = pd.read_csv(io.StringIO(csv.get_data(as_text=True)), dtype={"kommunkod": str})
    groups = frame.loc[frame["niva"] == "klass"].set_index(["grupp", "omrade"])
    # the group share is summed numerators over summed denominators, from the kommun rows
    kommuner = frame[(frame["niva"] == "kommun") & (frame["omrade"] == "hela_kommunen")]
    glesa = kommuner[kommuner["kommunkod"].map(FIXTURE_TYPES).str.endswith(
        "Glesa landsbygdskommuner")]
    expected = 100 * glesa["teljare"].sum() / glesa["namnare"].sum()
    assert groups.loc[("Glesa landsbygdskommuner", "hela_kommunen"), "varde"] == \
        pytest.approx(expected)
    body = typed_client.get("/api/indikatorer?klassning=tillvaxtverket&kommun=1715").get_json()
    assert "tillvaxtverket" in body["klassningar"]
    page = typed_client.get("/kommun/1715?klassning=tillvaxtverket").get_data(as_text=True)
    assert "<strong>Tätortsnära landsbygdskommuner</strong>" in page
