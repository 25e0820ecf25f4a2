#!/usr/bin/env bash
# Build FerretDB v1.24.2 (SQLite backend) into .tools/bin, unless it is already there.
#
# Why not `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: the
# binary it makes panics at start, because the module as published lacks the
# generated build/version/version.txt that FerretDB's own build writes
# (FerretDB's docs: "create this file manually"). So we fetch the exact module
# version from the Go module proxy, copy its source to .tools/src, write that
# one file, and build it there with its own go.mod and go.sum.
set -euo pipefail

VERSION=v1.24.2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/.tools/bin/ferretdb"
SRC="$ROOT/.tools/src/ferretdb-$VERSION"

# The version is read whole into a variable, never piped into `grep -q`: grep
# exits at its first match, and under pipefail the writer's SIGPIPE (exit 141)
# would fail the step about one run in five.
built_version() { "$BIN" --version 2>/dev/null || true; }
has_version() { [[ $'\n'"$(built_version)"$'\n' == *$'\n'"version: $VERSION"$'\n'* ]]; }

if [ -x "$BIN" ] && has_version; then
  exit 0
fi
command -v go >/dev/null || { echo "Go is needed to build FerretDB" >&2; exit 1; }

echo "Building FerretDB $VERSION into $BIN (a minute or two, once)…"
module_dir=$(cd "$(mktemp -d)" && go mod download -json "github.com/FerretDB/FerretDB@$VERSION" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
rm -rf "$SRC"
mkdir -p "$(dirname "$SRC")" "$(dirname "$BIN")"
cp -R "$module_dir" "$SRC"
chmod -R u+w "$SRC"
echo "$VERSION" > "$SRC/build/version/version.txt"
(cd "$SRC" && CGO_ENABLED=0 go build -trimpath -o "$BIN" ./cmd/ferretdb)
has_version || { echo "the built $BIN does not report version $VERSION" >&2; exit 1; }
