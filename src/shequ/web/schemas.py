"""Request and response models of the web app (the store's tables are in `store`)."""

from __future__ import annotations

from pydantic import BaseModel


class Cell(BaseModel):
    """One typed cell of the data-entry grid."""

    org_unit: str
    data_element: str
    value: str
    #: the cell was cleared: delete its stored value (needs the batch's ``reason``)
    deleted: bool = False
    #: the value's comment (DHIS2's ``comment``); None leaves a stored comment as it is
    comment: str | None = None


class CellBatch(BaseModel):
    """The cells of the data-entry grid sent to check or save, all of one period;
    ``reason`` says why cleared cells are deleted (kept in the audit trail)."""

    period: str
    cells: list[Cell]
    reason: str = ""


class DataValueIn(BaseModel):
    """One value written through the API."""

    data_element: str
    org_unit: str
    period: str
    value: str | float


class DataValuesIn(BaseModel):
    """Values written through the API in one transaction."""

    values: list[DataValueIn]
