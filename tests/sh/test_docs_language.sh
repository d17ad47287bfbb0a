#!/bin/sh
# test_docs_language.sh: every ```rdn code block of docs/language.md runs without error.
RDN=${RDN:-./rdn}
doc=$(dirname "$0")/../../docs/language.md
t=$(mktemp -d "${TMPDIR:-/tmp}/rdn_doc.XXXXXX") || exit 2
trap 'rm -rf "$t"' EXIT
awk -v dir="$t" '
  /^```rdn$/ { n++; f = sprintf("%s/block%02d.rdn", dir, n); inb = 1; next }
  /^```$/ { inb = 0; next }
  inb { print > f }
' "$doc"
pass=0; fail=0
for f in "$t"/block*.rdn; do
  [ -f "$f" ] || continue
  if (cd "$t" && "$RDN" --out "$t" "$f") >"$t/out" 2>"$t/err"; then
    pass=$((pass + 1)); echo "PASS $(basename "$f")"
  else
    fail=$((fail + 1)); echo "FAIL $(basename "$f")"; sed 's/^/    /' "$f"; sed 's/^/    /' "$t/err"
  fi
done
[ $pass -gt 0 ] || { echo "FAIL no rdn blocks found in $doc"; exit 1; }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
