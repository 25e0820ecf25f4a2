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


class Forbidden(GraphQLError):
    """A query the caller's role may not make (mutations answer FORBIDDEN in userErrors instead)."""

    def __init__(self, what: str):
        super().__init__(f"You may not {what}.", extensions={"code": "FORBIDDEN"})
