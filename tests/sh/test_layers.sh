#!/bin/sh
# test_layers.sh: the layering the build enforces. runtime/ is compiled with -Iruntime only, so a
# runtime file that includes an interp/ header does not build; the runtime library is built
# without bison or flex; no runtime file reaches outside runtime/ by a relative path.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

# 1. the commands that build the runtime library: no -Iinterp, no generated folder, no bison/flex
make -s -n -B B="$tmp/b" "$tmp/b/librdnrt.a" > "$tmp/cmds" 2>&1 || { echo "FAIL make -n librdnrt.a"; cat "$tmp/cmds"; fail=1; }
grep -c -- "-c runtime/" "$tmp/cmds" > "$tmp/n"
[ "$(cat "$tmp/n")" -gt 10 ] || { echo "FAIL: make -n shows no runtime compile commands"; fail=1; }
if grep -E -- '-Iinterp|/gen\b|bison|flex' "$tmp/cmds" > "$tmp/bad"; then
    echo "FAIL: the runtime library's build sees interp/ or the generated parser:"
    head -3 "$tmp/bad"
    fail=1
fi

# 2. a runtime file including an interp header fails to build with the runtime's flags
cmd=$(grep -- "-c runtime/err.c" "$tmp/cmds" | head -1)
if [ -z "$cmd" ]; then
    echo "FAIL: no compile command for runtime/err.c"
    fail=1
else
    mkdir -p "$tmp/rt"
    # (the probe lives outside the tree: only the -I flags can find value.h for it)
    printf '#include "tensor.h"\n#include "value.h"\nint layers_probe;\n' > "$tmp/rt/probe.c"
    probe=$(echo "$cmd" | sed "s#runtime/err.c#$tmp/rt/probe.c#; s#-o [^ ]*#-o $tmp/rt/probe.o#")
    if sh -c "$probe" > "$tmp/probe.log" 2>&1; then
        echo "FAIL: a runtime file including interp/value.h built: $probe"
        fail=1
    fi
    grep -q "value.h" "$tmp/probe.log" || { echo "FAIL: the probe failed for another reason:"; cat "$tmp/probe.log"; fail=1; }
    # and the same command builds a runtime file that includes runtime headers only
    ok=$(echo "$cmd" | sed "s#-o [^ ]*#-o $tmp/rt/err.o#")
    sh -c "$ok" > "$tmp/ok.log" 2>&1 || { echo "FAIL: runtime/err.c does not build alone: $ok"; cat "$tmp/ok.log"; fail=1; }
fi

# 3. no runtime file includes a quoted header from outside runtime/
for f in runtime/*.c runtime/*.h; do
    grep -o '#include "[^"]*"' "$f" | sed 's/#include "//; s/"$//' | while read -r h; do
        [ -f "runtime/$h" ] || echo "FAIL: $f includes \"$h\", which is not in runtime/"
    done
done > "$tmp/inc"
[ -s "$tmp/inc" ] && { cat "$tmp/inc"; fail=1; }

[ $fail = 0 ] && echo "test_layers: runtime builds with -Iruntime only, no bison/flex, includes stay inside runtime/"
exit $fail
