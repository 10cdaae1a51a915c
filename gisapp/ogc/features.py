"""Framework-free core: a build's layer as pre-serialised GeoJSON features, paged and filtered.

A :class:`FeatureSet` is one layer of one build in one served CRS. Each feature is serialised
to a GeoJSON string once; a page of items is then a slice joined into a FeatureCollection,
so serving does no per-request geometry work. :class:`MemorySource` serves the collections
of file-store builds from these sets, keeping the serving build's only (a new build id clears
the old build's sets); :mod:`gisapp.ogc.sql` serves PostGIS builds with the same methods.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data_sources.errors import NotFoundError
from gisapp.ogc.crs import CRS84, ServedCrs
from gisapp.ogc.params import ItemsQuery
from gisapp.store import Build
from gisapp.web.geojson import geometry_text
from gisapp.web.jsonsafe import dumps, json_value
from layers.spec import LayerSpec


@dataclass(frozen=True)
class FeatureSet:
    """One layer in one CRS: geometries (x, y order) for bbox tests, ids, texts and features.

    ``frame`` is the layer in ``crs`` with geometries in x/y order (for spatial filters);
    ``text`` holds every property as a string (for ``name=value`` filters); ``features`` is
    the list of serialised GeoJSON features (coordinates in the CRS's axis order); ``position``
    maps a feature id to its row.
    """

    layer_id: str
    crs: ServedCrs
    frame: gpd.GeoDataFrame
    text: pd.DataFrame
    features: list[str]
    position: dict[str, int]

    @property
    def properties(self) -> list[str]:
        """Names of the feature properties (filterable with ``name=value``)."""
        return list(self.text.columns)


@dataclass(frozen=True)
class Page:
    """One page of items: serialised features and the paging facts for links and counts."""

    features: list[str]
    number_matched: int
    offset: int
    limit: int

    @property
    def number_returned(self) -> int:
        """How many features this page holds."""
        return len(self.features)

    @property
    def has_next(self) -> bool:
        """Whether features follow this page."""
        return self.offset + self.number_returned < self.number_matched


def _feature_ids(frame: gpd.GeoDataFrame, spec: LayerSpec | None) -> list[str]:
    """Feature ids: the spec's ``id_column`` (unique), else the row number."""
    if spec is not None and spec.id_column in frame.columns:
        ids = frame[spec.id_column].astype(str)
        if ids.is_unique:
            return ids.tolist()
    return [str(i) for i in range(len(frame))]


def _serialise(frame: gpd.GeoDataFrame, ids: list[str], crs: ServedCrs) -> list[str]:
    """Serialise each row as a GeoJSON feature string, coordinates rounded in axis order.

    Polygon exteriors run counter-clockwise and holes clockwise in the served axis order
    (RFC 7946 §3.1.6), oriented after rounding so that rounding cannot turn a ring.
    """
    decimals = crs.decimals
    if crs.swap_axes:
        geoms = shapely.transform(frame.geometry.values, lambda xy: np.round(xy[:, ::-1], decimals))
    else:
        geoms = shapely.transform(frame.geometry.values, lambda xy: np.round(xy, decimals))
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    geometry_json = [geometry_text(geom, decimals) for geom in geoms]
    records = frame.drop(columns=frame.geometry.name).to_dict(orient="records")
    out = []
    for fid, geometry, record in zip(ids, geometry_json, records, strict=True):
        properties = dumps({k: json_value(v) for k, v in record.items()})
        out.append(f'{{"type":"Feature","id":{dumps(fid)},'
                   f'"geometry":{geometry},"properties":{properties}}}')
    return out


def make_feature_set(layer_id: str, frame: gpd.GeoDataFrame, spec: LayerSpec | None,
                     crs: ServedCrs) -> FeatureSet:
    """Return the :class:`FeatureSet` of ``frame`` (any CRS) served in ``crs``."""
    served = frame.to_crs(crs.name).reset_index(drop=True)
    ids = _feature_ids(served, spec)
    text = served.drop(columns=served.geometry.name).astype("string")
    # filters compare with the text of the served JSON value: booleans read true / false
    for column in served.columns:
        if pd.api.types.is_bool_dtype(served[column]):
            text[column] = text[column].str.lower()
    return FeatureSet(layer_id, crs, served, text, _serialise(served, ids, crs),
                      {fid: i for i, fid in enumerate(ids)})


def select(feature_set: FeatureSet, *, bbox_set: FeatureSet | None = None,
           bbox: tuple[float, float, float, float] | None = None,
           filters: dict[str, str] | None = None) -> np.ndarray:
    """Return the row positions matching ``bbox`` (x/y order, in ``bbox_set``'s CRS) and filters.

    Property filters compare the property's text with the value exactly (``kommunkod=1780``,
    ``i_regionen=true``).
    """
    mask = np.ones(len(feature_set.features), dtype=bool)
    if bbox is not None and bbox_set is not None:
        hits = bbox_set.frame.sindex.query(shapely.box(*bbox), predicate="intersects")
        in_box = np.zeros_like(mask)
        in_box[hits] = True
        mask &= in_box
    for name, value in (filters or {}).items():
        mask &= (feature_set.text[name] == value).fillna(False).to_numpy(dtype=bool)
    return np.flatnonzero(mask)


def page(feature_set: FeatureSet, positions: np.ndarray, *, offset: int, limit: int) -> Page:
    """Return the page ``[offset, offset + limit)`` of the matching ``positions``."""
    chosen = positions[offset:offset + limit]
    return Page([feature_set.features[i] for i in chosen], len(positions), offset, limit)


def feature(feature_set: FeatureSet, feature_id: str) -> str:
    """Return the serialised feature ``feature_id``; raise ``NotFoundError`` when absent."""
    if feature_id not in feature_set.position:
        msg = f"feature {feature_id[:80]!r} is not in collection {feature_set.layer_id!r}"
        raise NotFoundError(msg)
    return feature_set.features[feature_set.position[feature_id]]


def extent_of(feature_set: FeatureSet) -> list[float] | None:
    """The bounds of a CRS84 feature set, rounded to 6 decimals (``None`` when empty)."""
    if not len(feature_set.frame):
        return None
    return [round(float(v), 6) for v in feature_set.frame.total_bounds]


class MemorySource:
    """Collections of file-store builds: feature sets made on first use; thread-safe."""

    def __init__(self) -> None:
        self._build_id: str | None = None
        self._sets: dict[tuple[str, str], FeatureSet] = {}
        self._lock = threading.Lock()

    def feature_set(self, build: Build, spec: LayerSpec, crs: ServedCrs) -> FeatureSet:
        """Return the feature set of ``spec``'s layer of ``build`` in ``crs``."""
        key = (spec.id, crs.uri)
        with self._lock:
            if self._build_id != build.id:
                self._build_id, self._sets = build.id, {}
            if key not in self._sets:
                self._sets[key] = make_feature_set(spec.id, build.layer(spec.id), spec, crs)
            return self._sets[key]

    def properties(self, build: Build, spec: LayerSpec) -> list[str]:
        """Names of the layer's feature properties."""
        return self.feature_set(build, spec, CRS84).properties

    def extent(self, build: Build, spec: LayerSpec) -> list[float] | None:
        """The layer's CRS84 bounds, rounded to 6 decimals (``None`` when it is empty)."""
        return extent_of(self.feature_set(build, spec, CRS84))

    def items(self, build: Build, spec: LayerSpec, query: ItemsQuery) -> Page:
        """One page of the features matching ``query``'s bbox and property filters."""
        served = self.feature_set(build, spec, query.crs)
        positions = select(served, bbox_set=self.feature_set(build, spec, query.bbox_crs),
                           bbox=query.bbox, filters=query.filters)
        return page(served, positions, offset=query.offset, limit=query.limit)

    def feature(self, build: Build, spec: LayerSpec, feature_id: str, crs: ServedCrs) -> str:
        """The feature ``feature_id`` as GeoJSON text; ``NotFoundError`` when absent."""
        return feature(self.feature_set(build, spec, crs), feature_id)
