#!/bin/sh
# Builds the libFuzzer targets in fuzz/ with clang (ASan + UBSan + libFuzzer) into build/fuzz/.
# Not node-gyp: the addon stays a normal build. Usage: fuzz/build.sh [target...] (default: every
# *_fuzz.cc; `leak_check` builds the LeakSanitizer driver of scripts/leak-check.mjs)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cxx=${CXX_FUZZ:-$(command -v clang++ || command -v clang++-19 || command -v clang++-16 || command -v clang++-14 || true)}
[ -n "$cxx" ] || { echo "fuzz: clang++ is missing (apt-get install clang libclang-rt-dev)" >&2; exit 1; }
out="$root/build/fuzz"
mkdir -p "$out/obj"
flags="-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -I$root/native"
# The core without the N-API seam, compiled once with coverage for libFuzzer.
objs=""
for src in $(cd "$root" && find native -name '*.cc' ! -path 'native/binding/*' | sort); do
  obj="$out/obj/$(echo "$src" | tr '/' '_').o"
  if [ ! -f "$obj" ] || [ "$root/$src" -nt "$obj" ] || [ -n "$(find "$root/native" -name '*.h' -newer "$obj" | head -1)" ]; then
    $cxx $flags -fsanitize=fuzzer-no-link -c "$root/$src" -o "$obj"
  fi
  objs="$objs $obj"
done
targets=${*:-$(cd "$root/fuzz" && ls *_fuzz.cc | sed 's/\.cc$//')}
for t in $targets; do
  if [ ! -f "$out/$t" ] || [ "$root/fuzz/$t.cc" -nt "$out/$t" ] || [ -n "$(find "$out/obj" -newer "$out/$t" | head -1)" ]; then
    # leak_check is a plain driver with its own main (scripts/leak-check.mjs); the rest are libFuzzer targets.
    case $t in
      *_fuzz) $cxx $flags -fsanitize=fuzzer "$root/fuzz/$t.cc" $objs -lpthread -o "$out/$t" ;;
      *) $cxx $flags -Wall -Wextra "$root/fuzz/$t.cc" $objs -lpthread -o "$out/$t" ;;
    esac
  fi
done
echo "fuzz: built $targets in $out" >&2
