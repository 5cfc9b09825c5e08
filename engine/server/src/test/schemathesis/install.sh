#!/usr/bin/env bash
# Installs the API schema fuzzer (schemathesis, from PyPI) into a virtualenv under ~/.cache/aion once, and prints
# the path of its executable on the last line. ApiSchemaFuzzIT runs this before fuzzing (so does bin/api-fuzz).
# Needs Python >= 3.10 with venv (python3.11 and newer are tried first); AION_PYTHON names another interpreter.
set -euo pipefail
VERSION=4.32.5
DIR="${AION_CACHE:-$HOME/.cache/aion}/schemathesis-$VERSION"
BIN="$DIR/bin/schemathesis"
if [ -f "$DIR/.installed" ] && [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi
PY="${AION_PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.13 python3.12 python3.11 python3.10 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      PY="$candidate"
      break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "error: the API schema fuzzer needs Python >= 3.10 with venv (e.g. apt-get install python3 python3-venv)" >&2
  exit 1
fi
echo "Installing schemathesis $VERSION into $DIR (with $PY)..." >&2
rm -rf "$DIR"
mkdir -p "$(dirname "$DIR")"
"$PY" -m venv "$DIR"
"$DIR/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
"$BIN" --version >&2
touch "$DIR/.installed"
echo "$BIN"
