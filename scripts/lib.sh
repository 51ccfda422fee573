# Shared by scripts/run and scripts/test: find or install what Pint needs on Debian 12.
# Sourced, not run. Installs with apt-get when root; otherwise stops with the exact
# command to run.

set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The cargo target directory lives outside the clone, so a fresh clone builds
# incrementally on a machine that has built Pint before.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pint/target}"

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf '\nerror: %s\n' "$*" >&2; exit 1; }

# Packages to build and run the desktop app, and to drive its window in tests.
RUN_PACKAGES=(libwebkit2gtk-4.1-dev pkg-config)
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver dbus-x11 gnome-keyring keyutils chromium xdotool libimage-exiftool-perl)

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s ' "$pkg"
  done
}

ensure_packages() {
  local missing
  missing="$(missing_packages "$@")"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    say "installing system packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null
  else
    die "missing system packages. Run: sudo apt-get install -y --no-install-recommends $missing"
  fi
}

ensure_toolchain() {
  command -v cargo >/dev/null || die "Rust is not installed. Run: curl https://sh.rustup.rs -sSf | sh"
  command -v node >/dev/null && command -v npm >/dev/null \
    || die "Node.js 20.19+ and npm are needed. Install them from https://nodejs.org or your package manager"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || die "Node.js $(node -v) is too old; Pint's front end needs 20.19 or newer"
}

# npm packages of the front end, at the versions of package-lock.json. (`npm install
# --no-save` rather than `npm ci`: the lock holds only the Linux build of tauri-driver's
# platform packages, which `npm ci` refuses as out of sync.)
ensure_npm() {
  # The front end, the stock automerge-repo client of the server's interop test, and
  # Playwright for the blog's browser test (it drives Debian's chromium).
  local dir stamp
  for dir in "$REPO/src-ui" "$REPO/sync-server/tests/interop" "$REPO/sync-server/tests/browser"; do
    stamp="$dir/node_modules/.pint-lock-stamp"
    if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
      say "installing npm packages in ${dir#"$REPO"/} (npm install)"
      (cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error)
      cp "$dir/package-lock.json" "$stamp"
    fi
  done
}

# A Python with aiosmtpd and schemathesis: the server's tests deliver mail to a real SMTP
# server on 127.0.0.1, and fuzz the API from its OpenAPI document. Kept in a venv beside
# the cargo cache; PINT_TEST_PYTHON points the tests at it.
SCHEMATHESIS_VERSION=4.32.5
# moto in server mode: a real S3-compatible server for the media store's S3 backend.
MOTO_VERSION=5.2.6
ensure_test_python() {
  local venv="$HOME/.cache/pint/venv"
  if ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null \
    || [ "$("$venv/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null)" != "$MOTO_VERSION" ] \
    || [ "$("$venv/bin/st" --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1)" != "$SCHEMATHESIS_VERSION" ]; then
    command -v python3 >/dev/null || ensure_packages python3
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
      ensure_packages python3-venv
    fi
    say "installing aiosmtpd (the tests' SMTP server), schemathesis and moto (an S3 server) into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check aiosmtpd \
      "schemathesis==$SCHEMATHESIS_VERSION" "moto[server]==$MOTO_VERSION"
  fi
  export PINT_TEST_PYTHON="$venv/bin/python"
}

# Build the front end into src-ui/dist, only when its sources changed since the last
# build: a new dist makes cargo rebuild pint-desktop (it embeds the files), which is most
# of the time to a window when nothing else changed.
build_ui() {
  local ui="$REPO/src-ui" stamp sum
  stamp="$ui/node_modules/.pint-ui-stamp"
  sum="$(cd "$ui" && find src index.html package-lock.json vite.config.ts tsconfig.json \
    -type f ! -name '*.test.ts' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
  if [ -f "$ui/dist/index.html" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    say "the front end is up to date (src-ui/dist)"
    return 0
  fi
  say "building the front end (src-ui)"
  # A failed build leaves no stamp, so the next run builds again.
  (cd "$ui" && npm run --silent build) || return 1
  printf '%s' "$sum" >"$stamp"
}

# Run "$@" in a private D-Bus session with a fresh, unlocked gnome-keyring (its keyring
# files in a temporary directory), so tests use the real OS keychain without touching
# the user's own.
in_keyring_session() {
  local data rc=0
  data=$(mktemp -d)
  XDG_DATA_HOME="$data" dbus-run-session -- bash -c \
    'echo -n pint-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"' \
    _ "$@" || rc=$?
  rm -rf "$data"
  return $rc
}
