"""The loop runs by itself: scheduled evaluations, early warnings (预警) and their
follow-up. `calendar` says what is due when, `scheduler` claims and runs it, `warnings`
finds the conditions, `followup` turns a confirmed warning into a task, `events` is the
hook through which warnings reach people."""

from . import calendar as calendar
from . import events as events
from . import followup as followup
from . import scheduler as scheduler
from . import warnings as warnings
