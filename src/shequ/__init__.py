"""shequ (社区): community development monitoring and evaluation for Chinese cities.

The notebook face: open a store, evaluate a period, and get pandas (or geopandas) frames.

>>> import shequ
>>> store = shequ.open("city.db")                      # doctest: +SKIP
>>> run = shequ.evaluate(store, period="2025")         # doctest: +SKIP
>>> run.results.head()                                 # doctest: +SKIP
>>> run.frame("composite")                             # doctest: +SKIP

The same functions back the ``shequ`` command and the web app, so a notebook sees the numbers
they show. Packages, in the order data flows through them: ``framework`` (what is measured and
aimed for), ``store`` (the system of record), ``ingest`` (files in), ``evaluate``, ``spatial``
and ``voice`` (indicator values, coverage, residents), ``report``, ``web`` and ``cli``.

Heavy libraries (Ibis, DuckDB, scipy) are imported by the functions that need them, so that
``import shequ`` stays cheap.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import os

    import pandas as pd

    from .evaluate.assessment import Assessment
    from .framework.models import Plan
    from .store.db import Store

try:
    __version__ = metadata.version("shequ")
except metadata.PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

__all__ = ["Run", "coverage", "evaluate", "open", "plan"]


def open(target: str | os.PathLike[str] | None = None, *, migrate: bool = True) -> Store:
    """Open the store of record, creating or upgrading its schema.

    Parameters
    ----------
    target : str or path-like, optional
        A SQLite file path (``"city.db"``), a SQLAlchemy URL, or a ``postgresql://`` URL.
        Default: ``$SHEQU_DB``, else ``shequ.db`` in the working directory.
    migrate : bool, default True
        Apply Alembic migrations up to the current schema first.

    Returns
    -------
    shequ.store.db.Store
        The store; pass it to `evaluate` and `coverage`.
    """
    from .store.db import open_store

    return open_store(target, migrate=migrate)


def plan(source: str | os.PathLike[str] | None = None) -> Plan:
    """Load an indicator plan: a built-in name (``"national"``, ``"example_city"``) or a YAML path.

    Parameters
    ----------
    source : str or path-like, optional
        The plan to load; default ``example_city`` (the example city's targets over the
        national ones).

    Returns
    -------
    shequ.framework.models.Plan
        Dimensions, data elements, indicators and targets, validated.
    """
    from .framework.loader import load_plan

    return load_plan(source)


def _plan_of(given: Plan | str | None) -> Plan:
    return plan(given) if given is None or isinstance(given, str) else given


@dataclass
class Run:
    """One evaluation: indicator results, composite scores and trends of one or more periods.

    Attributes
    ----------
    id : int or None
        The stored run's id (``None`` when evaluated with ``persist=False``).
    assessment : shequ.evaluate.assessment.Assessment
        Everything the run computed, for code that needs more than the frames.
    """

    id: int | None
    assessment: Assessment

    FRAMES = (
        "results",
        "composite",
        "coordination",
        "weights",
        "imputed",
        "availability",
        "left_out",
        "indicator_scores",
        "sensitivity",
        "trends",
        "history",
        "profile",
        "task_reviews",
    )

    @property
    def results(self) -> pd.DataFrame:
        """One row per indicator × org unit × period: value, target, status, reporting rate."""
        return self.assessment.evaluation.results

    def frame(self, name: str) -> pd.DataFrame:
        """Return a named table of the run as a pandas DataFrame.

        Parameters
        ----------
        name : str
            One of `Run.FRAMES`: ``results``; ``composite`` (scores and ranks with 90 % rank
            intervals per unit); ``coordination`` (coupling coordination degree);
            ``weights``; ``imputed``; ``availability`` (each unit's data and imputation
            share, and why a unit is not scored); ``left_out`` (dimensions left out by the
            data threshold, with the reason); ``indicator_scores``; ``sensitivity``; ``trends``
            (trend and projection per indicator and unit); ``history`` (earlier periods'
            values); ``profile`` (unit size and area); ``task_reviews`` (follow-up tasks
            re-checked by this run).

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        KeyError
            If ``name`` is not one of `Run.FRAMES` (the message lists them).
        """
        found = self.assessment
        tables = {
            "results": found.evaluation.results,
            "composite": found.composite.scores,
            "coordination": found.composite.coordination,
            "weights": found.composite.weights,
            "imputed": found.composite.imputed,
            "availability": found.composite.availability,
            "left_out": found.composite.left_out,
            "indicator_scores": found.composite.indicator_scores,
            "sensitivity": found.composite.sensitivity,
            "trends": found.trends,
            "history": found.evaluation.history,
            "profile": found.evaluation.profile,
            "task_reviews": found.evaluation.task_reviews,
        }
        if name not in tables:
            msg = f"没有名为 {name!r} 的表 / no frame named {name!r}; choose one of {', '.join(self.FRAMES)}"
            raise KeyError(msg)
        return tables[name]


def _evaluate(
    store: Store,
    *,
    period: str | Sequence[str],
    plan: Plan | str | None = None,
    level: str | None = None,
    engine: str | None = None,
    persist: bool = True,
    sensitivity: bool = False,
    actor: str = "notebook",
    unit: str | None = None,
) -> Run:
    """Evaluate every indicator for every org unit, score composites and project trends.

    Ratios roll up as ratio of sums (never mean of ratios); "no data" stays missing, never
    zero. Cost: one engine query over the data values of the period and its five earlier
    periods, then per-level composite scoring (a units × indicators matrix).

    Parameters
    ----------
    store : shequ.store.db.Store
        From `open`.
    period : str or sequence of str
        ``"2025"``, ``"2025Q3"``, ``"202507"``, or several.
    plan : Plan or str, optional
        A loaded plan or a name/path for `plan`; default ``example_city``.
    level : str, optional
        Only results of this level (``community``, ``street``, ``district``, ``city``).
    engine : str or EngineChoice, optional
        ``duckdb`` (embedded default), ``sqlite``, ``postgres`` or ``spark`` (local mode); for
        a cluster, ``shequ.evaluate.backends.EngineChoice("spark", {"master": URL,
        "parquet_dir": DIR})`` (see docs/spark.md).
    persist : bool, default True
        Save the run (results, scores, trends) in the store, as ``shequ evaluate`` does.
    sensitivity : bool, default False
        Also run the method-choice sensitivity analysis of the composite (slower).
    actor : str, default "notebook"
        Who the audit trail names.
    unit : str, optional
        Only this org unit and its descendants (targets scoped to an ancestor still apply;
        composite ranks are then among the subtree's units).

    Returns
    -------
    Run
        ``run.results`` and ``run.frame(name)``.
    """
    from .evaluate.assessment import assess

    periods = [period] if isinstance(period, str) else list(period)
    chosen = _plan_of(plan)
    found = assess(
        store,
        chosen,
        periods=periods,
        level=level,
        engine=engine,
        persist=persist,
        actor=actor,
        sensitivity=sensitivity,
        unit=unit,
    )
    return Run(found.evaluation.run_id, found)


def coverage(
    store: Store,
    *,
    facility_type: str = "service_centre",
    radius: float = 500.0,
    period: str | None = None,
    plan: Plan | str | None = None,
    network: str | None = "default",
    actor: str = "notebook",
    engine: str = "local",
) -> Any:
    """Residents within walking reach of a facility type, one row per population point.

    Distances are walking metres on the stored network (exactly ``radius`` counts as
    covered); without a network, straight-line metres × 1.3, labelled so in ``method``.

    Parameters
    ----------
    store : shequ.store.db.Store
        From `open`, with population points and facilities imported.
    facility_type : str, default "service_centre"
        A facility type code of the plan (e.g. ``culture_centre``).
    radius : float, default 500.0
        Walking radius in metres.
    period : str, optional
        With a period, the covered residents are also written as data values
        (``residents_within_<R>m_<type>``), as ``shequ coverage`` does; without one nothing
        is written.
    plan : Plan or str, optional
        Default ``example_city``.
    network : str or None, default "default"
        The stored walking network's name; ``None`` for straight lines.
    actor : str, default "notebook"
        Who the audit trail names when values are written.
    engine : str, default "local"
        ``"spark"`` covers the points city by city on Apache Spark (the process's session,
        ``local[2]`` by default), with the same results as ``"local"``.

    Returns
    -------
    geopandas.GeoDataFrame or pandas.DataFrame
        Points with ``point_id, org_unit, population, distance_m, facility, covered, reason``
        (``distance_m`` to the nearest facility up to 4 × the radius, else NaN with
        ``reason`` ``fragment`` or ``beyond_limit``) and the
        run's ``method`` and ``radius_m``; a GeoDataFrame of WGS-84 points (EPSG:4326) when
        geopandas is installed, else a DataFrame with ``lon``/``lat`` columns.
    """
    from .spatial.run import run_coverage

    chosen = _plan_of(plan)
    found = run_coverage(
        store,
        chosen,
        facility_type=facility_type,
        radius=radius,
        period=period,
        network_name=network,
        actor=actor,
        engine=engine,
    )
    points = found.result.points.assign(method=found.result.method, radius_m=found.result.radius)
    try:
        import geopandas
    except ImportError:
        return points
    geometry = geopandas.points_from_xy(points["lon"], points["lat"], crs="EPSG:4326")
    return geopandas.GeoDataFrame(points, geometry=geometry)


class _Entry:
    """A notebook function that is also the namespace of the subpackage of the same name.

    ``shequ.evaluate(store, period="2025")`` runs `_evaluate`; ``shequ.evaluate.run`` and
    ``import shequ.evaluate.run as run`` still reach the subpackage's modules.
    """

    def __init__(self, function: Any, package: str) -> None:
        functools.update_wrapper(self, function)
        self._function = function
        self._package = package

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module(self._package), name)

    def __repr__(self) -> str:
        return f"<shequ notebook function {self._package} (the subpackage is its namespace)>"


evaluate = _Entry(_evaluate, "shequ.evaluate")


class _Face(types.ModuleType):
    """The package module, keeping `evaluate` the notebook function when the subpackage loads.

    Python sets a subpackage as an attribute of its parent, which would replace the
    notebook's ``shequ.evaluate(...)``; the `_Entry` it keeps forwards attribute look-ups to
    the subpackage, so ``shequ.evaluate.run`` works too.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name == "evaluate" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Face
