# Sourced by the scripts: puts the pinned toolchain first on PATH.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/tools/node_modules/.bin:$PATH"
export DENO_NO_UPDATE_CHECK=1
export DENO_NO_PROMPT=1
export NO_COLOR=1
