#!/usr/bin/env bash
# Create .venv and install the package with its dev extras (what `make install` runs; see the Makefile).
# uv is ~10x faster than pip: use it when it is on PATH or can be pip-installed, else fall back to venv + pip.
# NO_UV=1 forces the pip path. PYTHON picks the interpreter (default python3). Never writes a lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
venv=.venv
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore UV_PYTHON_DOWNLOADS=never

if ! command -v "$python" >/dev/null 2>&1; then
  echo "$python not found: install Python 3.11 or newer (Debian: apt-get install python3 python3-venv)" >&2
  exit 1
fi

uv=()
if [ "${NO_UV:-}" != 1 ]; then
  if command -v uv >/dev/null 2>&1; then
    uv=(uv)
  elif "$python" -m uv --version >/dev/null 2>&1; then
    uv=("$python" -m uv)
  elif "$python" -m pip install -q uv >/dev/null 2>&1 && "$python" -m uv --version >/dev/null 2>&1; then
    uv=("$python" -m uv)
  else
    echo "uv is not available (pip could not install it); using venv + pip, which is slower" >&2
  fi
fi

if [ ${#uv[@]} -gt 0 ]; then
  echo "== .venv: installing with uv"
  "${uv[@]}" venv -q --allow-existing --python "$python" "$venv"
  "${uv[@]}" pip install -q --python "$venv/bin/python" -e '.[dev]'
else
  echo "== .venv: installing with pip"
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e '.[dev]'
fi
