"""Errors a client caused, reported with the argument at fault."""

from graphql import GraphQLError


class BadArgument(GraphQLError):
    """A client error naming its argument. Never masked: it holds no internals."""

    def __init__(self, argument: str, problem: str):
        super().__init__(
            f"Invalid argument '{argument}': {problem}",
            extensions={"code": "BAD_USER_INPUT", "argument": argument},
        )
        self.argument = argument
        self.problem = problem
