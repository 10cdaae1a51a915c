"""The stomlinjenät on the kommun page and the tätort table API."""

from __future__ import annotations

import io

import pandas as pd

from tests.raw import TATORTER_2020, csv_rows


def test_kommun_page_states_coverage_and_lists_tatorter_without_stomlinje(client, built):
    page = client.get("/kommun/1737").get_data(as_text=True)
    assert "Stomlinjenät</h2>" in page
    assert "Tidtabeller: SJ och Tågab 2023–2024" in page
    assert "Tågtrafiken i kommunen täcks inte av tidtabellerna här" in page
    assert "Tätorter utan stomlinje inom 2\u00a0000 m" in page
    table = built.layer("tatort_stomlinje")
    torsby = table[table["kommunkod"] == "1737"]
    for name in torsby.loc[torsby["status"] != "inom", "tatort"]:
        assert f"<td>{name}</td>" in page
    english = client.get("/kommun/1737?sprak=en").get_data(as_text=True)
    assert "Urban areas without a trunk line within 2,000 m" in english.replace("\u00a0", ",")


def test_tatort_api_serves_the_table_as_json_and_csv(client, built):
    table = built.layer("tatort_stomlinje")
    answer = client.get("/api/tatorter?kommun=1761").get_json()
    assert answer["grans_m"] == 2000 and answer["trafikdag"]["sv"] == "2023-11-07"
    rows = pd.DataFrame(answer["rader"])
    expected = table[table["kommunkod"] == "1761"]
    assert rows["tatort"].tolist() == expected["tatort"].tolist()
    assert rows["avstand_m"].tolist() == expected["avstand_m"].tolist()
    assert rows["lon"].between(10, 25).all() and rows["lat"].between(55, 70).all()
    csv = client.get("/api/tatorter?format=csv")
    assert csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    whole = pd.read_csv(io.StringIO(csv.get_data(as_text=True)), dtype={"kommunkod": str})
    assert len(whole) == len(table) and set(whole["status"]) <= {"inom", "utan", "okand"}


def test_tatort_api_refuses_bad_parameters(client):
    assert client.get("/api/tatorter?kommun=9999").status_code == 400
    assert client.get("/api/tatorter?format=xlsx").status_code == 400
    assert client.get("/api/tatorter?sprak=sv").status_code == 400


def test_the_table_is_an_ogc_collection_too(client, data_dir):
    answer = client.get("/ogc/collections/tatort_stomlinje/items?limit=100").get_json()
    assert answer["numberReturned"] == len(csv_rows(data_dir / TATORTER_2020))  # raw SCB table
