"""Planned, level-batched execution of read queries (see plan.py and run.py)."""

from memberdir.execution.planned.execution import PlannedExecution
from memberdir.execution.planned.plan import Planner, Unplannable

__all__ = ["PlannedExecution", "Planner", "Unplannable"]
