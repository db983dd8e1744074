"""Sweden's boundaries as SVG paths, drawn on the server so the map works without JavaScript.

The boundary file (geo/sweden-municipalities.topojson, source and licence in geo/SOURCE.md) is
TopoJSON: shared arcs, quantized to integers and delta-encoded. This module decodes it (a small
decoder instead of a dependency), projects lon/lat with a spherical transverse Mercator around
15° E (the meridian of SWEREF 99 TM, so Sweden is drawn upright and undistorted enough for a
choropleth), fits it into a box and writes one SVG path per area. Paths are cached per level and
size: the work is done once per process.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from esfgraph.resources import package_path

#: object name in the TopoJSON for each map level
LEVEL_OBJECTS = {"municipality": "municipalities", "county": "counties", "region": "regions"}
CENTRAL_MERIDIAN = 15.0
PAD = 4.0


@dataclass(frozen=True)
class Area:
    """One drawn area: its code (SCB code, county code or NUTS 2), name and SVG path."""

    code: str
    name: str
    path: str


@dataclass(frozen=True)
class Layer:
    """All areas of one level fitted into a `width` × `height` box."""

    level: str
    width: int
    height: int
    areas: tuple[Area, ...]


def load_topology() -> dict[str, Any]:
    """The shipped TopoJSON document."""
    path = package_path("explore", "web", "geo", "sweden-municipalities.topojson")
    return json.loads(path.read_text("utf-8"))


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat points of every arc (undoing delta encoding and quantization).

    Raises:
        ValueError: the document is not a quantized TopoJSON topology.
    """
    if topology.get("type") != "Topology" or "arcs" not in topology:
        raise ValueError("not a TopoJSON Topology (no 'type': 'Topology' with 'arcs')")
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in (p[:2] for p in arc):
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def ring_points(indexes: list[int], arcs: list[list[tuple[float, float]]]
                ) -> list[tuple[float, float]]:
    """Join the arcs of one ring; `~i` (a negative index) is arc i walked backwards."""
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


def polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    """The rings (as arc index lists) of each polygon of a Polygon or MultiPolygon."""
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def project(lon: float, lat: float) -> tuple[float, float]:
    """Spherical transverse Mercator around 15° E: (x east, y north) on the unit sphere."""
    lam = math.radians(lon - CENTRAL_MERIDIAN)
    phi = math.radians(lat)
    b = math.cos(phi) * math.sin(lam)
    x = 0.5 * math.log((1 + b) / (1 - b))
    y = math.atan2(math.tan(phi), math.cos(lam))
    return x, y


def _path(rings: list[list[tuple[int, int]]]) -> str:
    """SVG path data with relative moves (short): `M x y l dx dy … z` per ring."""
    out = []
    for ring in rings:
        x0, y0 = ring[0]
        parts = [f"M{x0} {y0}l"]
        px, py = x0, y0
        steps = []
        for x, y in ring[1:]:
            steps.append(f"{x - px} {y - py}")
            px, py = x, y
        parts.append(" ".join(steps))
        out.append("".join(parts) + "z")
    return "".join(out)


@lru_cache(maxsize=16)
def layer(level: str, width: int = 500) -> Layer:
    """Every area of `level` as SVG paths fitted into `width` pixels (height follows).

    Coordinates are rounded to whole units of a 10× finer grid (the path is drawn in a viewBox
    of 10 × width), so shared borders stay identical between neighbours.

    Raises:
        ValueError: an unknown level.
    """
    if level not in LEVEL_OBJECTS:
        raise ValueError(f"unknown map level {level!r}; use one of {', '.join(LEVEL_OBJECTS)}")
    topology = load_topology()
    arcs = decode_arcs(topology)
    projected = [[project(lon, lat) for lon, lat in arc] for arc in arcs]
    xs = [p[0] for arc in projected for p in arc]
    ys = [p[1] for arc in projected for p in arc]
    grid = 10 if width >= 400 else 1  # small locator maps need no sub-pixel precision
    inner = (width - 2 * PAD) * grid
    scale = inner / (max(xs) - min(xs))
    height = math.ceil((max(ys) - min(ys)) * scale / grid + 2 * PAD)
    left, top = min(xs), max(ys)
    offset = PAD * grid
    fitted = [[(round((x - left) * scale + offset), round((top - y) * scale + offset))
               for x, y in arc] for arc in projected]
    areas = []
    for geometry in topology["objects"][LEVEL_OBJECTS[level]]["geometries"]:
        props = geometry.get("properties", {})
        rings = []
        for polygon in polygons(geometry):
            for ring_arcs in polygon:
                ring = _dedupe(ring_points(ring_arcs, fitted))
                if len(ring) >= 3:
                    rings.append(ring)
        if not rings:  # a speck at this size: keep one point so the area is still drawn
            first = ring_points(polygons(geometry)[0][0], fitted)
            rings = [first[:1] * 3]
        areas.append(Area(str(props.get("code") or geometry.get("id")),
                          str(props.get("name", "")), _path(rings)))
    return Layer(level, width, height, tuple(areas))


def _dedupe(ring: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for point in ring:
        if not out or out[-1] != point:
            out.append(point)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()  # `z` closes the ring
    return out


__all__ = [
    "LEVEL_OBJECTS",
    "Area",
    "Layer",
    "decode_arcs",
    "layer",
    "load_topology",
    "polygons",
    "project",
    "ring_points",
]
