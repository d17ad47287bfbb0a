#!/bin/sh
# run_lang.sh RDN [TEST.rdn|DIR ...]: runs rdn language tests (default: every tests/lang/**/*.rdn).
# A test carries its expectations in comments:
#   print(1 + 2)              # expect: 3            (stdout, line by line, in order; exact)
#   # expect error: 3:7: unknown name 'x'            (stderr has FILE:3:7: error: ...unknown name 'x'...)
#   # expect exit: 1                                  (exit status; default 0, or nonzero with errors)
#   # args: --set depth=5                             (extra command-line arguments)
# Each test runs in its own folder as the working directory with --out set to a fresh temporary
# folder. With RDN_SAN=1 (the sanitizer build) any sanitizer report on stderr fails the test.
# Prints PASS/FAIL per test and, last, "N passed, N failed"; exits nonzero on any failure.

RDN=${1:-./rdn}
[ $# -gt 0 ] && shift
case "$RDN" in /*) ;; *) RDN="$(pwd)/$RDN" ;; esac
if [ ! -x "$RDN" ]; then echo "run_lang.sh: no rdn binary at $RDN"; exit 2; fi

if [ $# -eq 0 ]; then set -- tests/lang; fi
list=$(for a in "$@"; do
  if [ -d "$a" ]; then find "$a" -name '*.rdn' -type f; else echo "$a"; fi
done | sort)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rdn_lang.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
TO=""
command -v timeout >/dev/null 2>&1 && TO="timeout 120"

pass=0
fail=0
for f in $list; do
  dir=$(cd "$(dirname "$f")" && pwd)
  abs="$dir/$(basename "$f")"
  out="$tmp/out.d"
  rm -rf "$out" && mkdir -p "$out"
  sed -n 's/.*# expect:\(.*\)$/\1/p' "$f" | sed 's/^ //' > "$tmp/exp_out"
  sed -n 's/.*# expect error: *\(.*\)$/\1/p' "$f" > "$tmp/exp_err"
  want_exit=$(sed -n 's/.*# expect exit: *\([0-9][0-9]*\).*/\1/p' "$f" | tail -n 1)
  args=$(sed -n 's/.*# args: *\(.*\)$/\1/p' "$f" | head -n 1)
  ( cd "$dir" && eval "$TO \"\$RDN\" --out \"\$out\" \"\$abs\" $args" ) >"$tmp/out" 2>"$tmp/err" </dev/null
  status=$?
  why=""
  if ! cmp -s "$tmp/exp_out" "$tmp/out"; then
    why="stdout differs (expected vs actual):
$(diff "$tmp/exp_out" "$tmp/out" | head -n 20)"
  fi
  while IFS= read -r e; do
    [ -n "$e" ] || continue
    lc=${e%%: *}
    text=${e#*: }
    if ! grep -F ":$lc: error: " "$tmp/err" | grep -F -q -- "$text"; then
      why="$why
missing error $lc: $text"
    fi
  done < "$tmp/exp_err"
  if [ -n "$want_exit" ]; then
    [ "$status" -eq "$want_exit" ] || why="$why
exit status $status, expected $want_exit"
  elif [ -s "$tmp/exp_err" ]; then
    [ "$status" -ne 0 ] || why="$why
exit status 0, expected an error"
  else
    [ "$status" -eq 0 ] || why="$why
exit status $status, expected 0"
  fi
  if [ "${RDN_SAN:-0}" = 1 ] && grep -q -E 'Sanitizer|runtime error:' "$tmp/err"; then
    why="$why
sanitizer report"
  fi
  if [ -n "$why" ]; then
    fail=$((fail + 1))
    echo "FAIL $f"
    printf '%s\n' "$why" | sed 's/^/    /'
    echo "    --- stderr:"
    head -n 20 "$tmp/err" | sed 's/^/    /'
  else
    pass=$((pass + 1))
    echo "PASS $f"
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
