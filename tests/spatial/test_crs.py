"""GCJ-02 and BD-09 offsets against published reference points, both directions."""

from __future__ import annotations

import numpy as np
import pytest

from shequ.spatial import crs

# WGS-84 → GCJ-02 reference points (lon, lat) from the test suite of googollee/eviltransform
# (shanghai, shenzhen, beijing), the widely used public implementation of the formula.
WGS_GCJ = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
]
# One point through all three systems, from the tests of the Rust tool "geotool"
# (WGS-84 → GCJ-02 → BD-09); and GCJ-02 → BD-09 of (116.404, 39.915) from
# wandergis/coordtransform as quoted by hutool's CoordinateUtilTest.
CHAIN = ((121.0917077, 30.6107779), (121.09626935575027, 30.608604331756705),
         (121.10271732371203, 30.61484572185035))  # fmt: skip
GCJ_BD = ((116.404, 39.915), (116.41036949371029, 39.92133699351021))


@pytest.mark.parametrize(("wgs", "gcj"), WGS_GCJ)
def test_wgs84_to_gcj02_matches_published_points(wgs, gcj):
    lon, lat = crs.wgs84_to_gcj02(*wgs)
    assert (float(lon), float(lat)) == pytest.approx(gcj, abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), WGS_GCJ)
def test_gcj02_to_wgs84_recovers_the_published_point_within_1e_6_degrees(wgs, gcj):
    lon, lat = crs.gcj02_to_wgs84(*gcj)
    assert (float(lon), float(lat)) == pytest.approx(wgs, abs=1e-6)


def test_bd09_both_directions():
    wgs, gcj, bd = CHAIN
    # geotool rounds its constants differently (8th decimal, < 1 cm): compare to 1e-6°
    assert tuple(map(float, crs.wgs84_to_bd09(*wgs))) == pytest.approx(bd, abs=1e-6)
    assert tuple(map(float, crs.wgs84_to_gcj02(*wgs))) == pytest.approx(gcj, abs=1e-6)
    assert tuple(map(float, crs.gcj02_to_bd09(*GCJ_BD[0]))) == pytest.approx(GCJ_BD[1], abs=1e-9)
    assert tuple(map(float, crs.bd09_to_wgs84(*bd))) == pytest.approx(wgs, abs=1e-6)
    assert tuple(map(float, crs.bd09_to_gcj02(*bd))) == pytest.approx(gcj, abs=1e-6)
    assert tuple(map(float, crs.bd09_to_gcj02(*GCJ_BD[1]))) == pytest.approx(GCJ_BD[0], abs=1e-6)


def test_outside_china_no_offset_is_applied():
    # Helsinki (24.94°E, 60.17°N) is outside the GCJ-02 area: unchanged
    lon, lat = crs.wgs84_to_gcj02(24.94, 60.17)
    assert (float(lon), float(lat)) == (24.94, 60.17)


def test_declared_systems_become_stored_wgs84():
    wgs, gcj, bd = CHAIN
    for name, xy in (("gcj02", gcj), ("bd09", bd), ("wgs84", wgs), ("cgcs2000", wgs)):
        lon, lat = crs.to_stored(np.array([xy[0]]), np.array([xy[1]]), name)
        assert (lon[0], lat[0]) == pytest.approx(wgs, abs=1e-6)
    with pytest.raises(crs.CrsError, match="unknown coordinate system"):
        crs.normalise("EPSG:999999")


def test_the_metric_crs_is_chosen_from_the_data():
    # Beijing 116.4°E rounds to CM 117°E: CGCS2000 GK zone EPSG:4548 (4534 + (117-75)/3)
    assert crs.metric_crs([116.4], [39.9]) == "EPSG:4548"
    # Helsinki 24.9°E, outside China: UTM zone 35N (24-30°E)
    assert crs.metric_crs([24.9], [60.2]) == "EPSG:32635"
    _x, y = crs.project([116.4, 116.4], [39.9, 39.9 + 1 / 60], "EPSG:4548")
    # one minute of latitude is about 1 851 m at 40°N
    assert y[1] - y[0] == pytest.approx(1851, abs=5)
