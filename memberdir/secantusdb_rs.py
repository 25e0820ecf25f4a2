"""SecantusDB's Rust server, `secantusd-rs` (the `secantus-mdb` crate, built
from crates.io by tools/install-secantusdb-rs.sh): the default engine.

The same project as the Python server (memberdir/secantusdb.py), the same
WiredTiger storage and the same licence, GPL-2.0-only: it runs only as a
separate loopback process, the project's code never links or imports it, and
the production image never contains it. It reads `$in` lists of any length
by index, but like the Python server it reads the whole index range a find
names before applying `limit` (20 people of the range up to "ab": 4 ms; up
to "z": 96 ms), so pages are read by windows (datastore/windows.py).
"""

from datastore.client import ServerTraits
from memberdir.engine import EmbeddedEngine


class EmbeddedSecantusDBRust(EmbeddedEngine):
    name = "secantusdb-rs"
    title = "SecantusDB (Rust)"
    traits = ServerTraits(windows=True)

    def command(self, port: int) -> list[str]:
        # An empty configuration of ours, so no secantusd.toml in the working
        # or home folder can change it; every setting is on the command line.
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
            # Its write-ahead log files are allocated whole; the default (128 MB) is the size of an empty store.
            "--log-file-max=16MB",
        ]
