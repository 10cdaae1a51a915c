"""What the Lantmäteriet 1:1 miljon sources (kommuner, län, tätorter) have in common."""

from __future__ import annotations

from data_sources.base import SourceFile, SourceMeta


def sverigekartor_meta(
    *, name: str, title: str, path: str, layer: str, how: str, caveats: tuple[str, ...],
    publisher: str = "Lantmäteriet",
) -> SourceMeta:
    """Metadata of one layer of GSD-Sverigekartor vektor 1:1 miljon (2018, CC0, SWEREF 99 TM).

    ``layer`` is Lantmäteriet's layer name (``ak_riks``, ``an_riks``, ``mb_riks``); ``how``
    says how the downloaded layer becomes the GeoPackage at ``path``.
    """
    return SourceMeta(
        name=name,
        title=title,
        publisher=publisher,
        licence="CC0 1.0",
        reference_year="2018",
        native_crs="EPSG:3006",
        landing_page="https://www.lantmateriet.se/sv/geodata/vara-produkter/produktlista/"
        "sverigekartor/",
        files=(SourceFile(
            path=path,
            how_to_get="download GSD-Sverigekartor vektor 1:1 miljon from Lantmäteriet's "
            f"Geotorget (free account), layer {layer}; {how}",
        ),),
        caveats=caveats,
    )
