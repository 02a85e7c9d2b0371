#!/bin/sh
# Rebuilds the disassembler's test binaries in test/fixtures/binaries/ from src/toolkit.c, the
# delay-import PEs from src/delay-import.c and the C++ ELFs from src/shapes.cpp.
# Needs Debian's gcc, g++, gcc-multilib (for -m32) and gcc-mingw-w64; for the delay imports clang,
# lld and llvm-dlltool (GNU ld writes no delay-load import directory; lld does); for the C++
# names LLVM 19's llvm-cxxfilt (the demangler follows LLVM 15 and later):
#   apt-get install -y gcc-mingw-w64 gcc-multilib clang-14 lld-14 llvm-14 llvm-19
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

# delay-importNN.exe: a stripped PE whose delay-load import directory names delayed.dll's functions
# (import library from src/delayed.def; the DLL itself is never built), and
# delay-importNN.exe.slots.txt: "hexaddress name" of each delay-load IAT slot (from nm).
llvm=/usr/lib/llvm-14/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for arch in i686:i386:32 x86_64:i386:x86-64:64; do
  target=${arch%%:*} bits=${arch##*:} machine=${arch#*:}
  machine=${machine%:*}
  "$llvm/llvm-dlltool" -m "$machine" -d src/delayed.def -l "$work/libdelayed.a"
  PATH="$llvm:$PATH" "$llvm/clang" --target="$target-w64-mingw32" -fuse-ld=lld -L"/usr/lib/gcc/$target-w64-mingw32/12-win32" \
    -O2 -o "$work/delay.exe" src/delay-import.c "$work/libdelayed.a" -Wl,--delayload=delayed.dll
  "$target-w64-mingw32-nm" "$work/delay.exe" | awk '$3 ~ /^__imp__?delayed_/ { sub(/^__imp__?/, "", $3); print $1, $3 }' | sort > "delay-import$bits.exe.slots.txt"
  "$target-w64-mingw32-strip" -s -o "delay-import$bits.exe" "$work/delay.exe"
done

# cxx64-LEVEL: C++ with symbols, NAME.functions.txt as above but of every defined FUNC symbol (C++
# inline and template instances are weak), and NAME.demangled.txt: every C++ symbol nm lists
# (versions such as @GLIBCXX_3.4 dropped) and, after a tab, LLVM's demangling.
for level in O0 O2; do
  g++ "-$level" -o "cxx64-$level" src/shapes.cpp
  strip --strip-debug "cxx64-$level"
  nm -f sysv --defined-only "cxx64-$level" | awk -F'|' '$4 ~ /FUNC/ { gsub(/ /, ""); print $2, $1 }' | sort -u > "cxx64-$level.functions.txt"
  nm "cxx64-$level" | awk '{ print $NF }' | sed 's/@.*//' | grep '^_Z' | sort -u > "$work/symbols"
  /usr/lib/llvm-19/bin/llvm-cxxfilt < "$work/symbols" | paste "$work/symbols" - > "cxx64-$level.demangled.txt"
done
ls -l "$here"
