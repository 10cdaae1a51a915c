"""The ``bredband`` layer: kommuner shaded by broadband access (PTS bredbandskartläggning).

Built only when a PTS table is in the data directory; without one the layer is listed as
"saknar data" with instructions (never a made-up value).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from layers import palette
from layers.indikatorer import BREDBAND_IDS
from layers.spec import LayerSpec, PopupField

SPEC = LayerSpec(
    id="bredband",
    title_sv="Bredband (PTS)",
    title_en="Broadband (PTS)",
    theme="Digital",
    geometry_type="MultiPolygon",
    sources=("bredband_pts", "bredband"),
    id_column="kommunkod",
    style={"color": palette.BREDBAND_STROKE, "weight": 1, "fillColor": palette.BREDBAND_FILL,
           "fillOpacity": 0.3},
    legend=((palette.BREDBAND_FILL, "Kommun med PTS-statistik",
             "Municipality with PTS statistics"),),
    indicator_prefixes=("bredband_",),
    popup=(
        PopupField("kommunnamn", "Kommun", "Municipality"),
        PopupField("bredband_1gbit_hushall", "Hushåll ≥ 1 Gbit/s (%)", "Households ≥ 1 Gbit/s (%)"),
        PopupField("bredband_100mbit_hushall", "Hushåll ≥ 100 Mbit/s (%)",
                   "Households ≥ 100 Mbit/s (%)"),
        PopupField("bredband_1gbit_arbetsstallen", "Arbetsställen ≥ 1 Gbit/s (%)",
                   "Workplaces ≥ 1 Gbit/s (%)"),
        PopupField("ar", "År", "Year"),
    ),
    default_visible=False,
    how_to_add_sv="Ladda ned PTS tabellbilaga om hastighet per kommun (statistik.pts.se) och spara "
    "den som digital/pts_bredband_tabellbilaga.xlsx, eller fyll digital/bredband_pts_kommun.csv "
    "(kolumner kommunkod, ar, mottagare, omrade, hastighet, antal, andel), och bygg om.",
    how_to_add_en="Download PTS' table appendix on speed per kommun (statistik.pts.se) and save "
    "it as digital/pts_bredband_tabellbilaga.xlsx, or fill digital/bredband_pts_kommun.csv "
    "(columns kommunkod, ar, mottagare, omrade, hastighet, antal, andel), and rebuild.",
)


def build(kommuner: gpd.GeoDataFrame, rows: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the kommuner that have broadband rows, with their whole-kommun shares.

    ``rows`` are indicator rows from :func:`layers.indikatorer.broadband_rows`. Output
    columns: ``kommunkod, kommunnamn, ar``, one percent column per ``bredband_*`` id,
    ``geometry``.
    """
    whole = rows[rows["omrade"] == "hela_kommunen"]
    wide = whole.pivot_table(index="kommunkod", columns="indikator", values="varde",
                             aggfunc="first").reindex(columns=list(BREDBAND_IDS))
    years = whole.groupby("kommunkod")["ar"].agg(lambda s: "/".join(sorted(set(s))))
    wide = wide.assign(ar=years).reset_index()
    out = kommuner[["kommunkod", "kommunnamn", "geometry"]].merge(wide, on="kommunkod")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=kommuner.crs)
