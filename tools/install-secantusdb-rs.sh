#!/usr/bin/env bash
# Build SecantusDB's Rust server, secantusd-rs (the `secantus-mdb` crate from
# crates.io), into .tools/secantusdb-rs, unless that version is there.
#
# GPL-2.0-only, like the Python server: it runs beside the project as a separate
# loopback process, is never linked into or imported by the project's code, and
# is never put in the production image (README, "Database engines").
#
# It needs Rust and, for the WiredTiger it compiles, CMake and a C compiler:
# about nine minutes on two cores, once. `--locked` builds the crate's own
# Cargo.lock. `--ignore-rust-version`: the crate asks for Rust 1.98 but builds
# and passes the whole suite with this machine's 1.95, and no newer Rust can
# be installed here (rustup's downloads are not a package registry).
set -euo pipefail

VERSION=0.5.3-beta.196
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HOME_DIR="$ROOT/.tools/secantusdb-rs"
BIN="$HOME_DIR/bin/secantusd-rs"

# The version is read whole into a variable, never piped into `grep -q`
# (under pipefail the writer's SIGPIPE would fail the step now and then).
built_version() { "$BIN" --version 2>/dev/null || true; }
if [ -x "$BIN" ] && [[ "$(built_version)" == *"$VERSION"* ]]; then
  exit 0
fi
command -v cargo >/dev/null || { echo "Rust's cargo is needed to build SecantusDB's Rust server" >&2; exit 1; }
command -v cmake >/dev/null || { echo "CMake is needed to build SecantusDB's Rust server (its WiredTiger)" >&2; exit 1; }

echo "Building SecantusDB's Rust server $VERSION into $HOME_DIR (about nine minutes, once)…"
cargo install secantus-mdb --version "$VERSION" --locked --ignore-rust-version --root "$HOME_DIR" --force
[[ "$(built_version)" == *"$VERSION"* ]] || { echo "the built $BIN does not report version $VERSION" >&2; exit 1; }
