"""The directory's records: what an organisation, a person, a group, a tenure,
a role contact and a change are, the vocabularies they use, and the limits on
values as they arrive. Frozen dataclasses and enums, one module per domain.

Every layer may read these; they import nothing but each other, the standard
library and pure libraries (no pymongo, no query module of the datastore: the
import-linter contracts in pyproject.toml hold this), so the schema can name
a record without knowing how it is stored.
"""
