#!/bin/sh
# The addon built with clang under AddressSanitizer + UndefinedBehaviorSanitizer, into
# build/asan/waymark.node (the normal build/Release one is untouched). Use it with:
#   WAYMARK_ADDON=build/asan/waymark.node LD_PRELOAD=$(clang++ -print-file-name=libclang_rt.asan-x86_64.so) \
#   ASAN_OPTIONS=detect_leaks=0 node --test dist/test/<file>.test.js
# (node itself is not instrumented, so the runtime must be preloaded; leaks are checked by the
# fuzz targets instead, where the whole process is ours). `npm run test:asan` does all of it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cxx=${CXX_ASAN:-$(command -v clang++ || command -v clang++-19 || command -v clang++-16 || command -v clang++-14 || true)}
[ -n "$cxx" ] || { echo "build:asan: clang++ is missing (apt-get install clang libclang-rt-dev)" >&2; exit 1; }
napi=$(cd "$root" && node -p "require('node-addon-api').include_dir")
nodeinc=/usr/include/node
[ -f "$nodeinc/node_api.h" ] || nodeinc=$(dirname "$(command -v node)")/../include/node
out="$root/build/asan"
mkdir -p "$out/obj"
flags="-std=c++20 -O1 -g -fPIC -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -fexceptions -pthread -Wall -Wextra
  -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED -DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS
  -I$root/native -I$napi -I$nodeinc"
newest_header=$(find "$root/native" -name '*.h' -newer "$out/waymark.node" 2>/dev/null | head -1 || true)
objs=""
for src in $(cd "$root" && find native -name '*.cc' | sort); do
  obj="$out/obj/$(echo "$src" | tr '/' '_').o"
  if [ ! -f "$obj" ] || [ "$root/$src" -nt "$obj" ] || [ -n "$newest_header" ]; then
    $cxx $flags -c "$root/$src" -o "$obj"
  fi
  objs="$objs $obj"
done
$cxx -shared -fsanitize=address,undefined -shared-libasan -pthread $objs -o "$out/waymark.node"
echo "build:asan: $out/waymark.node" >&2
