"""Planned, level-batched execution of read queries (see plan.py and run.py)."""

from schema.planned.execution import PlannedExecution
from schema.planned.plan import Planner, Unplannable

__all__ = ["PlannedExecution", "Planner", "Unplannable"]
