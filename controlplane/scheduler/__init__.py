"""The pure scheduler: task placement and the ECS cluster query language.

`place()` picks container instances for the copies of a task (filters, then placement strategies, as
ECS does) and explains the copies that did not fit; `choose_to_stop()` picks the tasks a service
scale-in stops. `query` parses and evaluates cluster query language expressions, for `memberOf`
constraints and for the ListContainerInstances filter. No I/O, no clock: callers pass in the
instances, the task and a `random.Random`, and write the decisions themselves.
"""

from controlplane.scheduler.placement import (
    RUN_TASK_DEFAULT_STRATEGIES,
    SERVICE_DEFAULT_STRATEGIES,
    Constraint,
    Instance,
    Placement,
    PlacementFailure,
    Reason,
    RunningTask,
    Strategy,
    TaskRequest,
    booked,
    choose_to_stop,
    place,
    validate_placement,
)
from controlplane.scheduler.query import Expr, QueryError, QuerySubject, Subject, parse, validate

__all__ = [
    "RUN_TASK_DEFAULT_STRATEGIES",
    "SERVICE_DEFAULT_STRATEGIES",
    "Constraint",
    "Expr",
    "Instance",
    "Placement",
    "PlacementFailure",
    "QueryError",
    "QuerySubject",
    "Reason",
    "RunningTask",
    "Strategy",
    "Subject",
    "TaskRequest",
    "booked",
    "choose_to_stop",
    "parse",
    "place",
    "validate",
    "validate_placement",
]
