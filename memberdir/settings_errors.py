"""A bad environment value as one line: which variable, and what is wrong with it.

pydantic's own report is a multi-line traceback naming model fields; an
operator wants the variable they set. The value itself is not repeated: it
may be a secret (a token, a URI with a password).
"""

import re

from pydantic import ValidationError
from pydantic_settings import SettingsError

from memberdir.settings import Settings

# pydantic-settings' words when a list or object variable is not valid JSON
_UNPARSED_FIELD = re.compile(r'error parsing value for field "(\w+)"')


def variable_of(field: str) -> str:
    info = Settings.model_fields.get(field)
    if info is not None and isinstance(info.validation_alias, str):
        return info.validation_alias
    if field in Settings.model_fields:
        return f"{Settings.model_config.get('env_prefix', '')}{field}".upper()
    return field  # already the alias (MONGODB_URI)


def describe(error: ValidationError | SettingsError) -> str:
    if isinstance(error, SettingsError):
        found = _UNPARSED_FIELD.search(str(error))
        name = variable_of(found.group(1)) if found else "a MEMBERDIR_ variable"
        return f"{name}: not valid JSON (lists are written like [\"a\",\"b\"])"
    problems = []
    for problem in error.errors():
        field, *inside = problem["loc"]
        where = variable_of(str(field)) + "".join(f"[{p}]" for p in inside)
        problems.append(f"{where}: {problem['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems)
