"""shequ (社区): community development monitoring and evaluation for Chinese cities.

Packages, in the order data flows through them: ``framework`` (what is measured and aimed
for), ``store`` (the system of record), ``ingest`` (files in), ``evaluate`` (indicator
values, roll-up, attainment) and ``demo`` (a reproducible sample city).
"""

__version__ = "0.1.0"
