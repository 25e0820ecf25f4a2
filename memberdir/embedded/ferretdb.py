"""FerretDB 1.24 with its SQLite backend (built by tools/build-ferretdb.sh).

Apache-2.0. Its SQLite backend pushes down only `_id` equality and does not
make a single-document update atomic (README, "Database engines").
"""

from datastore.engines import FerretDB
from memberdir.embedded.server import EmbeddedEngine, EngineError

FERRETDB_VERSION = "v1.24.2"

FerretDBError = EngineError  # its name in code written when FerretDB was the only engine


class EmbeddedFerretDB(EmbeddedEngine):
    name = "ferretdb"
    title = "FerretDB"
    traits = FerretDB()

    def command(self, port: int) -> list[str]:
        sqlite_dir = self.data_dir / "sqlite"
        state_dir = self.data_dir / "state"
        for folder in (sqlite_dir, state_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return [
            str(self.binary),
            "--handler=sqlite",
            f"--sqlite-url=file:{sqlite_dir}/",
            f"--state-dir={state_dir}",
            f"--listen-addr=127.0.0.1:{port}",
            "--debug-addr=-",
            "--telemetry=disable",
            "--log-level=warn",
        ]
