"""The one colour palette of the map: every layer's colours, each used by one layer only.

Categorical layers take their classes from one colour-blind-safe qualitative set each, so
the classes of a layer stay apart for viewers with deuteranopia, protanopia or tritanopia:

- stomlinjenät (lines): Okabe & Ito (2008), vermilion / blue, grey for other lines;
- stations: Paul Tol's *bright* set (red-pink / blue / grey), so a station never takes the
  colour of the line through it (and its popup is not mistaken for the line's);
- service points: Paul Tol's *muted* set (made for up to ten categories);
- tätorternas närmaste stomlinje: Okabe & Ito bluish green / reddish purple / grey.

Ordered classes use sequential ramps that stay ordered in greyscale: population density
ColorBrewer *Purples*, access to service ColorBrewer *YlOrRd* (near = light, far = dark
red), the indicator choropleth *viridis*. Context (boundaries, tätorter, catchments) uses
neutral greys and pale fills. No hex value appears in two layers (tested over the whole
catalogue, :mod:`layers.catalog`), so a legend colour always names one layer.
"""

from __future__ import annotations

# Boundaries and context
KOMMUNGRANS = "#4d4d4d"
LANSGRANS = "#000000"
TATORT_FILL = "#ef8a62"
TATORT_STROKE = "#b2182b"
CATCHMENT_FILL = "#a6cee3"
CATCHMENT_STROKE = "#1f78b4"
BREDBAND_FILL = "#b2df8a"
BREDBAND_STROKE = "#33a02c"
INDIKATOR_OUTLINE = "#737373"
SYMBOL_STROKE = "#222222"  # outline of point symbols (not a legend colour)

# Stomlinjenät (lines), by class: Okabe–Ito
LINE_CLASSES = {"stark_stomlinje": "#D55E00", "stomlinje": "#0072B2", "ovrig": "#8c8c8c"}
# Stations, by the class of the lines they serve: Paul Tol bright
STATION_CLASSES = {"stark_stomlinje": "#EE6677", "stomlinje": "#4477AA", "ovrig": "#BBBBBB"}
STATION_NO_TIMETABLE = "#666666"  # the ring of a station without a timetable

# Service categories: Paul Tol muted (ten colours; the tenth for a category added later)
SERVICE = {
    "dagligvaror": "#117733",
    "apotek": "#44AA99",
    "vardcentral": "#CC6677",
    "grundskola": "#332288",
    "gymnasieskola": "#88CCEE",
    "drivmedel": "#999933",
    "post": "#DDCC77",
    "bankomat": "#AA4499",
    "bibliotek": "#882255",
}
SERVICE_SPARE = ("#DDDDDD",)

# Tätorternas närmaste stomlinje: Okabe–Ito
TATORT_STOMLINJE = {"inom": "#009E73", "utan": "#CC79A7", "okand": "#d9d9d9"}

# Population per km²: ColorBrewer Purples (5)
DENSITY = ("#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f")
DENSITY_STROKE = "#6a51a3"

# Access to service (km or min): ColorBrewer YlOrRd (5), then unreachable
ACCESS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
ACCESS_UNREACHABLE = "#525252"

# Indicator choropleth: viridis, light (low) to dark (high); kommuner without a value
CHOROPLETH = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
CHOROPLETH_NO_DATA = "#bdbdbd"

# The chosen kommun (not a legend colour): a dark outline on a white halo, the rest greyed
HIGHLIGHT = "#1a1a1a"
HIGHLIGHT_HALO = "#ffffff"
HIGHLIGHT_MASK = "#7a7a7a"

# The self-hosted background drawn from the data when tiles are off or fail
BACKGROUND_OUTSIDE = "#e8edf1"
BACKGROUND_LAND = "#faf8f2"
