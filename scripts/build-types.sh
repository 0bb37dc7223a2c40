#!/bin/sh
# Builds orbit in every CMake build type (and at -O1, which none of them
# uses), each in its own directory under build-types/. gcc's warnings are
# errors at every level, and some (-Wformat-truncation) only fire once the
# optimiser knows buffer sizes, so a Debug-only build hides them.
#   scripts/build-types.sh [TYPE...]   default: all of them
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
types=${*:-"RelWithDebInfo Release MinSizeRel Debug O1"}
for t in $types; do
    dir="$top/build-types/$t"
    case "$t" in
    O1) set -- -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS=-O1 ;;
    *) set -- -DCMAKE_BUILD_TYPE="$t" ;;
    esac
    echo "== build type $t" >&2
    cmake -S "$top" -B "$dir" "$@" -DBUILD_TESTING=ON >/dev/null
    if ! cmake --build "$dir" -j "$jobs" >"$dir/build.log" 2>&1; then
        grep -E 'error|warning' "$dir/build.log" | head -40 >&2
        echo "build-types: the $t build failed; full log: $dir/build.log" >&2
        exit 1
    fi
done
echo "build-types: every build type built ($types)" >&2
