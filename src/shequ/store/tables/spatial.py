"""Store tables of the spatial part: facilities, population points, org-unit boundaries
and walking networks. Coordinates are stored in one system: WGS-84 longitude/latitude
(identical to CGCS2000 at the metre level); imports convert GCJ-02, BD-09 and projected
coordinates on the way in.

Boundaries are WKT text in lon/lat, so they work on SQLite and on PostgreSQL without
PostGIS. A walking network is stored whole as one compressed array blob (nodes in metres
of its metric CRS, edges, lengths) with the source file's name and SHA-256: the store
stays self-contained (coverage still works when the source file is moved or deleted,
and a backup of the store holds it), loading is one read instead of millions of rows,
and re-importing an unchanged file is recognised by its digest.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .core import SINCE_EVER, UNTIL_FURTHER, Base, utcnow

#: how a population point got its org unit
ORG_UNIT_SOURCES = ("given", "boundary", "nearest_centroid")


class Facility(Base):
    """A public service facility: open on day D when ``opened <= D < closed``."""

    __tablename__ = "facility"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    capacity: Mapped[float | None] = mapped_column(Float)
    opened: Mapped[dt.date] = mapped_column(Date, default=SINCE_EVER)
    closed: Mapped[dt.date] = mapped_column(Date, default=UNTIL_FURTHER)
    org_unit: Mapped[str | None] = mapped_column(String(32), index=True)
    org_unit_source: Mapped[str] = mapped_column(String(16), default="given")
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PopulationPoint(Base):
    """Residents at one place (a building, a grid cell or a community centroid)."""

    __tablename__ = "population_point"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    point_id: Mapped[str] = mapped_column(String(64), unique=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    population: Mapped[float] = mapped_column(Float)
    org_unit: Mapped[str] = mapped_column(String(32), index=True)
    org_unit_source: Mapped[str] = mapped_column(String(16))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OrgUnitBoundary(Base):
    """The polygon of an org unit (WKT, lon/lat) and its centroid."""

    __tablename__ = "org_unit_boundary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit: Mapped[str] = mapped_column(String(32), unique=True)
    wkt: Mapped[str] = mapped_column(Text)
    centroid_lon: Mapped[float] = mapped_column(Float)
    centroid_lat: Mapped[float] = mapped_column(Float)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WalkNetworkRecord(Base):
    """A walking network: its source, metric CRS, size, fragments and the arrays (npz)."""

    __tablename__ = "walk_network"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    source_file: Mapped[str] = mapped_column(String(500))
    source_sha256: Mapped[str] = mapped_column(String(64))
    crs: Mapped[str] = mapped_column(String(32))
    n_nodes: Mapped[int] = mapped_column(Integer)
    n_edges: Mapped[int] = mapped_column(Integer)
    fragments_json: Mapped[str] = mapped_column(Text)
    arrays: Mapped[bytes] = mapped_column(LargeBinary)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
