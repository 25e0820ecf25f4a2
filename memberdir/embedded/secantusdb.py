"""SecantusDB: a MongoDB-wire server on WiredTiger, from PyPI (`secantusdb`).

GPL-2.0-only, so it runs only as a separate loopback process: `make secantusdb`
(or `make serve` with MEMBERDIR_ENGINE=secantusdb) installs it into its own
virtual environment (.tools/secantusdb), the project's code never imports it,
and the production image never contains it.
It sends no telemetry. Its configuration is an empty file of ours, so no
secantusd.toml in the working or home folder can change it.
"""

from datastore.engines import SecantusDB
from memberdir.embedded.server import EmbeddedEngine


class EmbeddedSecantusDB(EmbeddedEngine):
    name = "secantusdb"
    title = "SecantusDB"
    # It checks every fetched document against the whole `$in` list (1,000 ids
    # take 3.5 s in one list, 0.2 s as twenty lists of 50 sent together), and
    # reads the whole index range of a find before applying `limit`. Its bulk
    # loads were never measured against the Rust server's: it keeps MongoDB's way.
    traits = SecantusDB(in_batch=50, indexes_after_load=True)
    options: tuple[str, ...] = ()  # a server's own, after those both servers take

    def command(self, port: int) -> list[str]:
        config = self.data_dir / "secantusd.toml"
        if not config.exists():
            config.write_text("# memberdir passes every setting on the command line\n")
        return [
            str(self.binary),
            f"--config={config}",
            "--host=127.0.0.1",
            f"--port={port}",
            f"--storage-path={self.data_dir / 'wiredtiger'}",
            "--log-level=WARNING",
            # Journal every commit, so a write acknowledged with j=true survives kill -9.
            "--sync-on-commit",
            # A plain standalone: the directory needs no replica-set machinery.
            "--standalone",
            "--cache-size=256M",
            *self.options,
        ]
