"""Request and response models of the web app (the store's tables are in `store`)."""

from __future__ import annotations

from pydantic import BaseModel


class Cell(BaseModel):
    """One typed cell of the data-entry grid."""

    org_unit: str
    data_element: str
    value: str


class CellBatch(BaseModel):
    """The cells of the data-entry grid sent to check or save, all of one period."""

    period: str
    cells: list[Cell]


class DataValueIn(BaseModel):
    """One value written through the API."""

    data_element: str
    org_unit: str
    period: str
    value: str | float


class DataValuesIn(BaseModel):
    """Values written through the API in one transaction."""

    values: list[DataValueIn]
