"""What a region's timetables are expected to cover: passenger stations and operators per län.

Trafikverket's station register has no passenger flag (it also lists junctions and other
operational places), and no timetable here says what is *missing* from it. So the stations
that have passenger trains, and the operators that run a region's traffic, are a documented
setting per län (:data:`EXPECTED`), edited here and checked against the register by the
tests. A station or operator listed here and absent from every timetable of a build is
reported as "saknar tidtabell"; an indicator of a kommun with such a station is left empty.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Operator:
    """An operator a region's timetables should include.

    Attributes
    ----------
    namn
        The name said on the map, e.g. ``"Värmlandstrafik"``.
    agency_names
        Names by which GTFS ``agency.txt`` calls this operator; an agency matches when its
        name, case-insensitively, equals one or starts with one followed by a space (so
        ``"SJ"`` matches ``"SJ AB"`` but not ``"SJöfart"``).
    trafikslag
        Modes expected from it: ``"tag"`` and/or ``"buss"``.
    """

    namn: str
    agency_names: tuple[str, ...]
    trafikslag: tuple[str, ...]

    def matches(self, agency_name: str) -> bool:
        """Return whether ``agency_name`` (from ``agency.txt``) is this operator."""
        name = agency_name.strip().casefold()
        return any(name == n.casefold() or name.startswith(n.casefold() + " ")
                   for n in self.agency_names)


@dataclass(frozen=True)
class RegionTraffic:
    """The expected passenger stations and operators of one län.

    Attributes
    ----------
    lanskod
        The län (2-digit länskod).
    stations
        Trafikverket ``LocationSignature`` of every station with passenger trains.
    operators
        The operators whose timetables the region's stomlinjenät needs.
    basis
        Where the lists come from (shown in the provenance).
    """

    lanskod: str
    stations: tuple[str, ...]
    operators: tuple[Operator, ...]
    basis: str


VARMLAND = RegionTraffic(
    lanskod="17",
    stations=(
        # Värmlandsbanan and Bergslagsbanan through Karlstad
        "Ks", "Kvä", "Ve", "Khn",
        # Norge/Vänerbanan (Göteborg trains)
        "Gms", "Sfl",
        # Värmlandsbanan west: Kil – Arvika – Charlottenberg
        "Kil", "Len", "Hbd", "Buk", "En", "Ar", "Ot", "Åt", "Cg",
        # Kristinehamn – Storfors – Nykroppa (Tågab's Kristinehamn–Falun trains)
        "Sf", "Nka",
        # Fryksdalsbanan: Kil – Sunne – Torsby
        "Fgå", "Tlt", "Frå", "Bäb", "Vät", "Öjr", "Rts", "Kns", "Sun", "Ebk", "Lyv", "Ol", "Toy",
    ),
    operators=(
        Operator("Värmlandstrafik", ("Värmlandstrafik",), ("tag", "buss")),
        Operator("SJ", ("SJ",), ("tag",)),
        Operator("Tågab", ("Tågab", "Tågåkeriet i Bergslagen"), ("tag",)),
        Operator("Vy", ("Vy", "Vy Tåg"), ("tag",)),
    ),
    basis=(
        "Stations: the Värmland stops of the GTFS Sverige 2 rail timetable of August 2025 "
        "(transport_osm/rail/gtfs_sverige2_rail_stops_2025.csv, 28 stations, Fryksdalsbanan's "
        "included) and the SJ/Tågab timetable of 2023 (adds Storfors and Nykroppa), by their "
        "signatures in Trafikverket's register. Operators: Värmlandstrafik (regional trains "
        "and buses), SJ, Tågab and Vy, who run Värmland's passenger traffic."
    ),
)


def expected_for(regions: tuple[RegionTraffic, ...], lanskod: str) -> RegionTraffic | None:
    """The expectations of ``lanskod`` among ``regions``, or ``None`` when none are set."""
    return next((r for r in regions if r.lanskod == lanskod), None)
