#!/bin/sh
# test_docs.sh: every ```rdn code block in README.md and docs/*.md runs without error.
# (Blocks fenced ```rdn-norun are shown, not run: REPL transcripts, error examples.)
set -u
RDN=${RDN:-./rdn}
case $RDN in /*) ;; *) RDN=$PWD/$RDN ;; esac   # the blocks run in their own folders
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for doc in README.md docs/*.md; do
  [ -f "$doc" ] || continue
  awk -v dir="$tmp" -v base="$(basename "$doc" .md)" '
    /^```rdn[ \t]*$/ { inb = 1; n++; f = sprintf("%s/%s_%d.rdn", dir, base, n); printf "" > f; line = NR; next }
    /^```/ && inb   { inb = 0; close(f); print f, line; next }
    inb             { print > f }
  ' "$doc" > "$tmp/list"
  while read -r f line; do
    out="$tmp/out_$(basename "$f" .rdn)"; mkdir -p "$out"
    if (cd "$out" && "$RDN" --quiet "$f" > "$out.log" 2>&1); then
      pass=$((pass + 1))
    else
      fail=$((fail + 1)); echo "FAIL $doc:$line (code block)"; sed 's/^/    /' "$out.log" | head -20
    fi
  done < "$tmp/list"
done
echo "docs code blocks: $pass passed, $fail failed"
[ "$fail" = 0 ]
