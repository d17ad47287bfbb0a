#!/bin/sh
# test_lang_cli.sh: the command line and hostile input. $RDN is the rdn binary.
# check (every error, nothing run), -e, stdin programs, --set, exit statuses, --version/--help,
# 100,000 nested brackets, unbounded recursion, a 10 MB string literal, invalid UTF-8, NUL bytes.
RDN=${RDN:-./rdn}
PY=/usr/bin/python3
t=$(mktemp -d "${TMPDIR:-/tmp}/rdn_cli.XXXXXX") || exit 2
trap 'rm -rf "$t"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$t/err" ] && head -n 15 "$t/err" | sed 's/^/    /'; }
# expect NAME STATUS CMD...: runs CMD (stdout to $t/out, stderr to $t/err) and checks the status
expect() {
  name=$1; want=$2; shift 2
  "$@" >"$t/out" 2>"$t/err" </dev/null; got=$?
  if grep -q -E 'Sanitizer|runtime error:' "$t/err"; then echo "    sanitizer report"; bad "$name"
  elif [ "$got" -eq "$want" ]; then ok "$name"; else echo "    status $got, expected $want"; bad "$name"; fi
}
has() {  # has NAME FILE TEXT
  if grep -F -q -- "$3" "$2"; then ok "$1"; else echo "    no '$3' in:"; bad "$1"; fi
}

expect version 0 "$RDN" --version
has version-text "$t/out" "rdn "
expect help 0 "$RDN" --help
has help-text "$t/out" "rdn check FILE.rdn"
expect bad-option 2 "$RDN" --frobnicate
expect e-run 0 "$RDN" -e 'print(6 * 7)'
has e-output "$t/out" "42"
expect e-error 1 "$RDN" -e 'print(nope)'
has e-error-text "$t/err" "<-e>:1:7: error: unknown name 'nope'"
expect missing-file 2 "$RDN" "$t/does_not_exist.rdn"
expect folder-as-script 2 "$RDN" "$t"
has folder-text "$t/err" "it is a folder"

printf 'print("from stdin")\n' > "$t/p.rdn"
"$RDN" < "$t/p.rdn" > "$t/out" 2>"$t/err"; s=$?
[ $s -eq 0 ] && grep -q "from stdin" "$t/out" && ok stdin-program || bad stdin-program

# the builtin table: no name twice, every row documented
"$RDN" --reference > "$t/ref.md"
dups=$(grep '^## ' "$t/ref.md" | sort | uniq -d)
[ -z "$dups" ] && ok builtin-names-unique || { echo "    twice: $dups"; bad builtin-names-unique; }
grep -q '(undocumented)' "$t/ref.md" && bad builtins-documented || ok builtins-documented

# options after FILE and --set in both spellings
printf 'param n = 1\nparam name = "a"\nprint(n * 2, name)\n' > "$t/set.rdn"
expect set-after 0 "$RDN" "$t/set.rdn" --set n=21 --set=name=b --quiet
has set-value "$t/out" "42 b"
expect set-before 0 "$RDN" --set n=2 "$t/set.rdn"
has set-value2 "$t/out" "4 a"
expect set-bad-type 2 "$RDN" "$t/set.rdn" --set n=abc
has set-bad-type-text "$t/err" "expected a number"
expect set-unknown 2 "$RDN" "$t/set.rdn" --set m=3
has set-unknown-text "$t/err" "has no param 'm'"

# rdn check: every error, nothing run
cat > "$t/c.rdn" <<'R'
print("ran")
x = 1
y = x + wdith
resnet(depht: 3)
fn f(a) { return a + b }
z = (1 +
w = 2 3
R
expect check-errors 2 "$RDN" check "$t/c.rdn"
has check-syntax "$t/err" "c.rdn:7:3: error: unexpected '='"
has check-names-after-syntax "$t/err" "c.rdn:3:9: error: unknown name 'wdith'"
has check-names-after-syntax2 "$t/err" "c.rdn:5:22: error: unknown name 'b'"
if grep -q ran "$t/out"; then bad check-runs-nothing; else ok check-runs-nothing; fi
cat > "$t/c2.rdn" <<'R'
print("ran")
width = 1
y = width + wdith
print(1, sepp: 2)
fn f(a) { return a + b }
for i in 0..3 { total = i }
print(total)
R
expect check-names 2 "$RDN" check "$t/c2.rdn"
has check-name "$t/err" "c2.rdn:3:13: error: unknown name 'wdith' (did you mean 'width'?)"
has check-keyword "$t/err" "c2.rdn:4:10: error: print: unknown keyword 'sepp' (did you mean 'sep'?)"
has check-fn-name "$t/err" "c2.rdn:5:22: error: unknown name 'b'"
has check-block-scope "$t/err" "c2.rdn:7:7: error: unknown name 'total'"
if grep -q ran "$t/out"; then bad check-runs-nothing2; else ok check-runs-nothing2; fi
printf 'fn f(a, b: 1) { return a + b }\nf(1, c: 2)\nf()\nf(1, 2, 3)\nf(1, b: 3)\n' > "$t/c3.rdn"
expect check-fn-calls 2 "$RDN" check "$t/c3.rdn"
has check-fn-keyword "$t/err" "c3.rdn:2:6: error: f: unknown keyword 'c'"
has check-fn-missing "$t/err" "c3.rdn:3:1: error: f: missing argument 'a'"
has check-fn-surplus "$t/err" "c3.rdn:4:9: error: f: expected at most 2 arguments"
if grep -q "c3.rdn:5" "$t/err"; then bad check-fn-good-call; else ok check-fn-good-call; fi
mkdir -p "$t/lib"; printf 'fn twice(x) { return 2 * x }\n' > "$t/lib/h.rdn"
printf 'import stats\nimport "lib/h.rdn"\nimport nosuch\nimport "lib/none.rdn"\nprint(stats.meen([1]), h.twice(1), h.twise(2))\n' > "$t/c4.rdn"
expect check-modules 2 "$RDN" check "$t/c4.rdn"
has check-module-member "$t/err" "c4.rdn:5:13: error: module 'stats' has no member 'meen' (did you mean 'mean'?)"
has check-file-module-member "$t/err" "c4.rdn:5:38: error: module 'h' has no member 'twise' (did you mean 'twice'?)"
has check-stdlib-missing "$t/err" "c4.rdn:3:1: error: import: no module 'nosuch'"
has check-file-missing "$t/err" "c4.rdn:4:1: error: import: cannot open"
printf 'fn f(x) { return x }\nprint(f(2))\n' > "$t/good.rdn"
expect check-clean 0 "$RDN" check "$t/good.rdn"

# hostile input
$PY -c "print('x = ' + '('*100000 + '1' + ')'*100000)" > "$t/deep.rdn"
expect deep-parens 2 "$RDN" "$t/deep.rdn"
has deep-parens-text "$t/err" "nesting too deep"
$PY -c "print('x = ' + '['*100000 + ']'*100000)" > "$t/deep2.rdn"
expect deep-brackets 2 "$RDN" "$t/deep2.rdn"
$PY -c "print('x = ' + '1 + '*200000 + '1')" > "$t/long.rdn"
expect long-sum 2 "$RDN" "$t/long.rdn"
has long-sum-text "$t/err" "nesting too deep"
printf 'fn f(n) { return f(n + 1) }\nf(0)\n' > "$t/rec.rdn"
expect recursion 1 "$RDN" "$t/rec.rdn"
has recursion-text "$t/err" "rec.rdn:1:18: error: too many nested calls"
has recursion-trace "$t/err" "more calls ..."
printf 'fn f(n) {\n  if n == 0 { return 0 }\n  return 1 + f(n - 1)\n}\nprint(f(5000))\n' > "$t/rec2.rdn"
expect deep-legit-recursion 0 "$RDN" "$t/rec2.rdn"
has deep-legit-recursion-value "$t/out" "5000"
$PY -c "print('s = \"' + 'ab'*5000000 + '\"'); print('print(len(s))')" > "$t/big.rdn"
expect big-string 0 "$RDN" "$t/big.rdn"
has big-string-len "$t/out" "10000000"
printf 'x = "caf\303\251"\nprint(x)\n' > "$t/utf8.rdn"
expect utf8-ok 0 "$RDN" "$t/utf8.rdn"
printf 'x = "a\377b"\n' > "$t/badutf8.rdn"
expect bad-utf8-string 2 "$RDN" "$t/badutf8.rdn"
has bad-utf8-text "$t/err" "badutf8.rdn:1:5: error: invalid UTF-8 in string"
printf 'x = 1 \377\n' > "$t/badutf8b.rdn"
expect bad-utf8-code 2 "$RDN" "$t/badutf8b.rdn"
printf 'x = 1\r\nprint(x + 1)\r\nprint(y)\r\n' > "$t/crlf.rdn"
expect crlf 1 "$RDN" "$t/crlf.rdn"
has crlf-run "$t/out" "2"
has crlf-error "$t/err" "crlf.rdn:3:7: error: unknown name 'y'"
printf 'x = 1\000\nprint(x)\n' > "$t/nul.rdn"
expect nul-byte 2 "$RDN" "$t/nul.rdn"
has nul-text "$t/err" "nul.rdn:1:6: error: unexpected NUL byte"
printf 'x = "a\000b"\n' > "$t/nul2.rdn"
expect nul-in-string 2 "$RDN" "$t/nul2.rdn"
head -c 100000 /dev/urandom > "$t/random.rdn"
"$RDN" "$t/random.rdn" >/dev/null 2>&1; s=$?
[ $s -eq 2 ] || [ $s -eq 1 ] || [ $s -eq 0 ] && ok random-bytes || { echo "    status $s"; bad random-bytes; }
printf 'l = []\nfor i in 0..200000 { l = [l] }\nprint(len(l))\n' > "$t/nest.rdn"
expect nested-list-free 0 "$RDN" "$t/nest.rdn"
printf 'while true {}\n' > "$t/loop.rdn"
"$RDN" "$t/loop.rdn" >/dev/null 2>"$t/err" & pid=$!
sleep 1; kill -INT $pid; wait $pid; s=$?
[ $s -eq 130 ] && ok interrupt-exit-130 || { echo "    status $s"; bad interrupt-exit-130; }
has interrupt-text "$t/err" "loop.rdn:1:1: error: interrupted"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
