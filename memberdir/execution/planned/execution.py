"""graphql-core's executor, with planned execution for the queries it covers.

Parsing, validation, variables, extensions and error masking stay Strawberry's
and graphql-core's; only the step that walks the fields changes. An operation
the plan does not cover, or an answer that would carry an error, is executed
by graphql-core from the start (reads only: nothing is done twice that a
caller could see), on fresh loaders (Context.start_again), so errors, their
paths and partial data are those graphql-core gives the request alone.
"""

import asyncio
import logging
from collections import Counter
from typing import Any

from graphql import OperationDefinitionNode
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from memberdir.execution.memo import Memo
from memberdir.execution.planned.plan import Info, Planner, Selection
from memberdir.execution.planned.run import run

log = logging.getLogger(__name__)

# How operations ran since start-up: "planned", "not planned" (graphql-core from
# the start) and "left to graphql-core" (a planned run that met an error).
# Exported on /metrics as memberdir_graphql_executions_total (memberdir.edge.metrics).
PLANNED, NOT_PLANNED, LEFT_TO_GRAPHQL_CORE = "planned", "not planned", "left to graphql-core"
outcomes: Counter[str] = Counter()


class KnownPlans:
    """Plans by (operation, variables).

    Planning a small query is a tenth of its CPU (py-spy, counts by country),
    and clients send the same few operations again and again. Operations come
    from the parsed documents memberdir.execution.document_cache keeps, so one is the same
    object each time its text is sent; an entry holds its operation, so the
    object's id stays its own while the entry lasts.
    """

    def __init__(self, size: int = 256):
        self._known: Memo[tuple[OperationDefinitionNode, Selection]] = Memo(size)

    def plan(self, executor: "PlannedExecution") -> Selection:
        operation = executor.operation
        key = id(operation), repr(executor.variable_values.coerced)
        return self._known.get(key, lambda: (operation, Planner(executor).plan()))[1]


known_plans = KnownPlans()


class PlannedExecution(StrawberryGraphQLCoreExecutionContext):
    def execute_operation(self, serially: bool | None = None) -> Any:
        if serially is not None or self.middleware_manager_in_use() or asyncio._get_running_loop() is None:
            outcomes[NOT_PLANNED] += 1
            return super().execute_operation(serially)
        try:
            selection = known_plans.plan(self)
        except Exception as reason:  # noqa: BLE001 - anything not covered goes to graphql-core
            log.debug("not planned: %s", reason)
            outcomes[NOT_PLANNED] += 1
            return super().execute_operation(serially)
        return self._run_planned(selection)

    async def _run_planned(self, selection: Any) -> Any:
        try:
            data = await run(selection, self.root_value, Info(self.context_value))
        except Exception as reason:  # noqa: BLE001 - graphql-core reports what went wrong
            log.debug("planned run left to graphql-core: %r", reason)
            outcomes[LEFT_TO_GRAPHQL_CORE] += 1
            # graphql-core answers as on a fresh request, not on what the attempt loaded halfway.
            start_again = getattr(self.context_value, "start_again", None)
            if start_again is not None:
                await start_again()
            result = super().execute_operation()
            return await result if self.is_awaitable(result) else result
        outcomes[PLANNED] += 1
        return self.finish(self.build_response(data))

    def middleware_manager_in_use(self) -> bool:
        # Field middleware wraps every resolver call, which a plan does not make one by one.
        manager = self.middleware_manager
        return manager is not None and bool(manager.middlewares)
