"""The embedded engines, chosen by `MEMBERDIR_ENGINE` (README, "Database engines")."""

from pathlib import Path
from typing import Literal

from memberdir.embedded.server import EmbeddedEngine
from memberdir.embedded.ferretdb import EmbeddedFerretDB
from memberdir.embedded.secantusdb import EmbeddedSecantusDB
from memberdir.embedded.secantusdb_rs import EmbeddedSecantusDBRust

EngineName = Literal["secantusdb-rs", "secantusdb", "ferretdb"]

ENGINES: dict[str, type[EmbeddedEngine]] = {
    "secantusdb-rs": EmbeddedSecantusDBRust,
    "secantusdb": EmbeddedSecantusDB,
    "ferretdb": EmbeddedFerretDB,
}


def embedded_engine(name: str, binary: Path, data_root: Path) -> EmbeddedEngine:
    """The engine `name` on its own folder under `data_root` (var/<engine>)."""
    engine = ENGINES[name]
    return engine(binary, data_root / engine.name)
