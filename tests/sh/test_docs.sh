#!/bin/sh
# test_docs.sh: every ```rdn code block in README.md and docs/*.md runs without error, and every
# relative markdown link there ([text](path), ![alt](path)) names a file or folder of the tree.
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

# ---- the README's promise: the line it says the ten-line example prints is the line it prints ----
want=$(tr '\n' ' ' < README.md | sed -n 's/.*It prints `\([^`]*\)`.*/\1/p')
if [ -z "$want" ]; then
  fail=$((fail + 1)); echo "FAIL README.md: no 'It prints \`...\`' after the ten-line example"
elif grep -qxF "$want" "$tmp/out_README_1.log"; then
  echo "README's ten lines print: $want"
else
  fail=$((fail + 1)); echo "FAIL README.md: the ten-line example does not print: $want"
  sed 's/^/    /' "$tmp/out_README_1.log" | tail -3
fi

# ---- relative links: outside code fences; URLs (scheme:) and #anchors skipped, #fragments cut ----
links=0 broken=0
for doc in README.md docs/*.md; do
  [ -f "$doc" ] || continue
  awk '
    /^```/ { inb = !inb; next }
    inb    { next }
    {
      s = $0
      while (match(s, /\]\([^) \t]+\)/)) {
        l = substr(s, RSTART + 2, RLENGTH - 3); s = substr(s, RSTART + RLENGTH)
        if (l ~ /^[a-zA-Z][a-zA-Z0-9+.-]*:/ || l ~ /^#/) continue
        sub(/#.*/, "", l); print FNR, l
      }
    }
  ' "$doc" > "$tmp/links"
  while read -r line l; do
    links=$((links + 1))
    if [ ! -e "$(dirname "$doc")/$l" ]; then
      broken=$((broken + 1)); echo "FAIL $doc:$line: broken link '$l'"
    fi
  done < "$tmp/links"
done
echo "docs links: $links checked, $broken broken"

# ---- the tree stands alone: no doc or source refers to specification files outside it ----
outside=$(grep -rnE 'shared/spec|(MODEL|LANGUAGE)[.]md' README.md Makefile docs grammar interp runtime \
  stdlib examples bench tests 2>/dev/null | grep -v '^tests/sh/test_docs.sh:')
if [ -n "$outside" ]; then
  broken=$((broken + 1)); echo "FAIL references to files outside the repository:"; echo "$outside" | sed 's/^/    /'
fi
[ "$fail" = 0 ] && [ "$broken" = 0 ]
