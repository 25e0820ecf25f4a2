#!/usr/bin/env bash
# Install SecantusDB (a MongoDB-wire server on WiredTiger, from PyPI) into its
# own virtual environment, .tools/secantusdb, unless that version is there.
#
# Its own environment because SecantusDB is GPL-2.0-only: it runs beside the
# project as a separate loopback process and is never imported by the
# project's code nor put in the production image (README, "Database engines").
set -euo pipefail

VERSION=0.7.0b3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HOME_DIR="$ROOT/.tools/secantusdb"
PYTHON=${PYTHON:-python3}

if [ -x "$HOME_DIR/bin/secantusd-py" ] && [ "$("$HOME_DIR/bin/python" -c 'import importlib.metadata as m; print(m.version("secantusdb"))' 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
echo "Installing SecantusDB $VERSION into $HOME_DIR…"
rm -rf "$HOME_DIR"
"$PYTHON" -m venv "$HOME_DIR"
"$HOME_DIR/bin/pip" install --quiet --disable-pip-version-check "secantusdb==$VERSION"
