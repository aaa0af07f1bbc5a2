"""DHIS2 identifiers: which DHIS2 UID stands for which shequ code.

shequ names data elements, org units and category option combos by code; a DHIS2
instance names them by 11-character UIDs. One row maps one UID of one kind to one code, so
a dataValueSet sent with ``idScheme=UID`` can be read, and an export can be written with
the instance's own UIDs (`shequ.store.dhis2_ids`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .core import Base, utcnow

KINDS = ("data_element", "org_unit", "category_option_combo")


class Dhis2Id(Base):
    """A DHIS2 UID of a data element, org unit or category option combo and its shequ code."""

    __tablename__ = "dhis2_id"
    __table_args__ = (
        UniqueConstraint("kind", "uid", name="uq_dhis2_id_uid"),
        UniqueConstraint("kind", "code", name="uq_dhis2_id_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    uid: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
