"""Schema extensions' hooks, wrapped once per extension class rather than per request.

For every stage of every request (operation, parsing, validation, execution)
Strawberry inspects each extension's hook and wraps it in a new
`contextlib.contextmanager`, copying the method's name and docstring onto the
wrapper (`functools.wraps`). With our seven extensions that is eleven wraps
per request, about a tenth of the CPU of `{ __typename }`. The wrap depends
only on the extension's class, so here a generator hook is wrapped once, as
the plain function, and each request calls it with its own extension. Entering
and leaving the hooks stays Strawberry's (an `ExitStack` per stage), so their
order and the exceptions they see are unchanged; a hook of any other kind
(a plain or async function, an async generator) is left to Strawberry.
"""

import contextlib
import inspect
from collections.abc import Callable
from functools import cache, partial
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner

_LEFT_TO_STRAWBERRY: Any = object()


# Cached per (hook name, extension class): extension classes are defined once
# (an app makes instances per request, never classes), so the cache stays small.
@cache
def _wrapped(hook_name: str, extension_class: type) -> Callable[[SchemaExtension], Any] | None:
    """The hook wrapped as a context manager, None where the class does not
    override it, or _LEFT_TO_STRAWBERRY for a hook of another kind."""
    hook = getattr(extension_class, hook_name)
    if hook is getattr(SchemaExtension, hook_name):
        return None
    if inspect.isgeneratorfunction(hook):
        return contextlib.contextmanager(hook)
    return _LEFT_TO_STRAWBERRY


class _WrappedOnce(ExtensionContextManagerBase):
    def get_hook(self, extension: SchemaExtension) -> WrappedHook | None:
        wrapped = _wrapped(self.HOOK_NAME, type(extension))
        if wrapped is _LEFT_TO_STRAWBERRY:
            return super().get_hook(extension)
        if wrapped is None:
            return None
        return WrappedHook(extension=extension, hook=partial(wrapped, extension), is_async=False)


class _Operation(_WrappedOnce, OperationContextManager):
    pass


class _Parsing(_WrappedOnce, ParsingContextManager):
    pass


class _Validation(_WrappedOnce, ValidationContextManager):
    pass


class _Executing(_WrappedOnce, ExecutingContextManager):
    pass


class ExtensionsRunner(SchemaExtensionsRunner):
    """Strawberry's runner, with each stage's generator hooks wrapped once per class."""

    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)
