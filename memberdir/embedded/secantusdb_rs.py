"""SecantusDB's Rust server, `secantusd-rs` (the `secantus-mdb` crate, built
from crates.io by tools/install-secantusdb-rs.sh): the default engine.

The same project as the Python server (memberdir/embedded/secantusdb.py), the same
WiredTiger storage, command line and licence, GPL-2.0-only: it runs only as a
separate loopback process, the project's code never links or imports it, and
the production image never contains it. It reads `$in` lists of any length
by index, but like the Python server it reads the whole index range a find
names before applying `limit` (20 people of the range up to "ab": 4 ms; up
to "z": 96 ms), so pages are read by page windows (datastore/engines/secantusdb.py).
"""

from datastore.engines import SecantusDB
from memberdir.embedded.secantusdb import EmbeddedSecantusDB


class EmbeddedSecantusDBRust(EmbeddedSecantusDB):
    name = "secantusdb-rs"
    title = "SecantusDB (Rust)"
    traits = SecantusDB()
    # Its write-ahead log files are allocated whole; the default (128 MB) is the size of an empty store.
    options = ("--log-file-max=16MB",)
