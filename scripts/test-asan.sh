#!/bin/sh
# Runs the native-heavy tests against the ASan + UBSan addon (scripts/build-asan.sh), with the
# sanitizer runtime preloaded into node. Any report aborts the test process and fails the run.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sh "$root/scripts/build-asan.sh"
cxx=$(command -v clang++ || command -v clang++-19 || command -v clang++-16 || command -v clang++-14)
runtime=$($cxx -print-file-name=libclang_rt.asan-x86_64.so)
cd "$root"
WAYMARK_ADDON="$root/build/asan/waymark.node" LD_PRELOAD="$runtime" \
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  node --test --test-concurrency=1 ${*:-dist/test/route.test.js dist/test/matrix.test.js dist/test/import.test.js dist/test/vrp.test.js dist/test/properties.test.js}
