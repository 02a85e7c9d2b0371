#!/bin/sh
# Rebuilds the disassembler's test binaries in test/fixtures/binaries/ from src/toolkit.c.
# Needs Debian's gcc, gcc-multilib (for -m32) and gcc-mingw-w64:
#   apt-get install -y gcc-mingw-w64 gcc-multilib
# For each build: NAME (symbols kept, debug info dropped to keep the files small), NAME.stripped
# (no symbols at all), and NAME.functions.txt (the function symbols, "hexaddress name" per line,
# from nm: the ground truth of the function-start tests).
set -eu
here=$(cd "$(dirname "$0")/../test/fixtures/binaries" && pwd)
source="$here/src/toolkit.c"
cd "$here"

build() { # name compiler nm strip flags...
  name=$1 cc=$2 nm=$3 strip=$4
  shift 4
  "$cc" "$@" -o "$name" "$source"
  "$strip" --strip-debug "$name"
  "$strip" -s -o "$name.stripped" "$name"
  # T/t: code symbols; drop mingw's section-start and absolute markers.
  "$nm" --defined-only "$name" | awk '($2 == "T" || $2 == "t") && $3 !~ /^\./ { print $1, $3 }' | sort -u > "$name.functions.txt"
}

for level in O0 O2; do
  build "elf64-$level" gcc nm strip "-$level"
  build "elf32-$level" gcc nm strip -m32 -fno-pie -no-pie "-$level"
  build "pe32-$level.exe" i686-w64-mingw32-gcc i686-w64-mingw32-nm i686-w64-mingw32-strip "-$level"
  build "pe64-$level.exe" x86_64-w64-mingw32-gcc x86_64-w64-mingw32-nm x86_64-w64-mingw32-strip "-$level"
done
ls -l "$here"
