#!/bin/sh
# PDF previews need MuPDF's mutool (Debian package mupdf-tools). The server's build runs this, so both quick-start
# commands (dotnet run, dotnet test) install it when it is missing and this user may install packages. Otherwise it
# says how, and the build goes on: previews then report NOT_SERVING on health service "docengine.previews".
command -v mutool >/dev/null 2>&1 && exit 0
[ "${DOCENGINE_SKIP_MUPDF_INSTALL:-0}" = "1" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "DocEngine: mutool not found; install MuPDF's mutool to enable PDF previews." >&2
    exit 0
fi
if [ "$(id -u)" = "0" ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "DocEngine: mutool not found; run 'sudo apt-get install mupdf-tools' to enable PDF previews." >&2
    exit 0
fi
echo "DocEngine: installing mupdf-tools for PDF previews (once)..."
$SUDO apt-get update -qq >/dev/null 2>&1
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mupdf-tools >/dev/null 2>&1; then
    echo "DocEngine: could not install mupdf-tools; PDF previews stay off until it is installed." >&2
fi
exit 0
