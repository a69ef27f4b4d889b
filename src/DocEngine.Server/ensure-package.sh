#!/bin/sh
# ensure-package.sh COMMAND PACKAGE PURPOSE: installs the Debian PACKAGE when COMMAND is missing, so the quick-start
# commands (dotnet run, dotnet test) need nothing but the .NET SDK. The server's build runs it for mutool (mupdf-tools:
# PDF previews and compression); the test project's build for qpdf (the tests' independent PDF checker). It installs
# only when this user may (root, or password-less sudo); otherwise it says how, and the build goes on.
# PACKAGE may name several packages, separated by spaces (one argument).
COMMAND="$1"; PACKAGE="$2"; PURPOSE="$3"
command -v "$COMMAND" >/dev/null 2>&1 && exit 0
[ "${DOCENGINE_SKIP_PACKAGE_INSTALL:-0}" = "1" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "DocEngine: $COMMAND not found; install it to enable $PURPOSE." >&2
    exit 0
fi
if [ "$(id -u)" = "0" ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "DocEngine: $COMMAND not found; run 'sudo apt-get install $PACKAGE' to enable $PURPOSE." >&2
    exit 0
fi
echo "DocEngine: installing $PACKAGE for $PURPOSE (once)..."
# Projects build in parallel: one install at a time (dpkg's own lock would make the second one fail, not wait).
LOCK="${TMPDIR:-/tmp}/docengine-apt.lock"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$LOCK"
    flock -w 1800 9
    command -v "$COMMAND" >/dev/null 2>&1 && exit 0 # installed while we waited
fi
$SUDO apt-get update -qq >/dev/null 2>&1
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq $PACKAGE >/dev/null 2>&1; then
    echo "DocEngine: could not install $PACKAGE; $PURPOSE stay off until it is installed." >&2
fi
exit 0
