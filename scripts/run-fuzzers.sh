#!/bin/sh
# Builds the libFuzzer harnesses of tests/fuzz with clang in build-fuzz/
# (cmake -DORBIT_FUZZ=ON) and runs each for a bounded time, starting from
# its committed corpus. Fails if any harness crashes, leaks, times out or
# trips ASan or UBSan.
#   scripts/run-fuzzers.sh [--time SECONDS] [--jobs N] [TARGET...]
#     --time   seconds per target (default 30; ORBIT_FUZZ_SECONDS)
#     --jobs   targets run at once (default 2; ORBIT_FUZZ_JOBS)
#     TARGET   some of: frame number settings topology server_config moh
#              mirror client_config (default: all)
# Inputs that found new coverage stay in build-fuzz/corpus/TARGET. A
# failing input is saved as build-fuzz/artifacts/TARGET-crash-...: once
# fixed, commit it as tests/fuzz/corpus/TARGET/regress-WHAT so every test
# run replays it (ctest -L fuzz).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${ORBIT_FUZZ_SECONDS:-30}
jobs=${ORBIT_FUZZ_JOBS:-2}
all="frame number settings topology server_config moh mirror client_config"
while [ $# -gt 0 ]; do
    case "$1" in
    --time) seconds=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "run-fuzzers: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
    shift
done
targets=${*:-$all}
for t in $targets; do
    case " $all " in
    *" $t "*) ;;
    *) echo "run-fuzzers: no target $t (targets: $all)" >&2; exit 2 ;;
    esac
done
case "$seconds$jobs" in
*[!0-9]*) echo "run-fuzzers: --time and --jobs are whole numbers" >&2; exit 2 ;;
esac

"$top/scripts/ensure-deps.sh"
dir="$top/build-fuzz"
CC=clang cmake -S "$top" -B "$dir" -DORBIT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets_built=""
for t in $targets; do targets_built="$targets_built fuzz_$t"; done
# shellcheck disable=SC2086
cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" --target $targets_built >"$dir/build.log" 2>&1 || {
    grep -E 'error|warning' "$dir/build.log" | head -40 >&2
    echo "run-fuzzers: the fuzzing build failed; full log: $dir/build.log" >&2
    exit 1
}
mkdir -p "$dir/artifacts" "$dir/logs"

run_one() {
    t=$1
    mkdir -p "$dir/corpus/$t"
    # A crash, a leak, a sanitizer report, a 10 s input or 2 GiB of memory
    # ends the run with a non-zero status and saves the input.
    rc=0
    "$dir/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t-" \
        "$dir/corpus/$t" "$top/tests/fuzz/corpus/$t" >"$dir/logs/$t.log" 2>&1 || rc=$?
    echo "$rc" >"$dir/logs/$t.rc"
}

# shellcheck disable=SC2086
echo "run-fuzzers: $seconds s per target, $jobs at a time:$(printf ' %s' $targets)" >&2
running=0
for t in $targets; do
    rm -f "$dir/logs/$t.rc"
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait

failed=""
for t in $targets; do
    rc=$(cat "$dir/logs/$t.rc" 2>/dev/null || echo 1)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/logs/$t.log" | tail -1)
    if [ "$rc" -eq 0 ]; then
        printf 'run-fuzzers: %-14s ok      %s runs\n' "$t" "${runs:-?}" >&2
    else
        printf 'run-fuzzers: %-14s FAILED (exit %s); log %s\n' "$t" "$rc" "$dir/logs/$t.log" >&2
        grep -E 'ERROR|invariant broken|runtime error|SUMMARY|Test unit written' \
            "$dir/logs/$t.log" | head -12 >&2 || true
        failed="$failed $t"
    fi
done
if [ -n "$failed" ]; then
    echo "run-fuzzers: failed:$failed" >&2
    exit 1
fi
echo "run-fuzzers: every target ran $seconds s without a fault" >&2
