#!/bin/sh
# test_manifest_status.sh: a run that fails after writing files still writes its manifest, with
# the exit status; verify reruns it, expects the same status, and still checks every output.
RDN=${RDN:-./rdn}
t=$(mktemp -d "${TMPDIR:-/tmp}/rdn_status.XXXXXX") || exit 2
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 2
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

cat > late.rdn <<'R'
write_csv(table(["a", "b"], [[1, 2], [3, 4]]), "t.csv")
x = undefined_name + 1
R
"$RDN" --quiet --out out late.rdn >o 2>e
st=$?
[ $st -eq 1 ] && grep -q "unknown name" e && ok "the run fails (exit 1)" || { bad "run (exit $st)"; cat e; }
[ -f out/late.run.json ] && grep -q '"exit_status": 1' out/late.run.json && grep -q '"t.csv"' out/late.run.json \
  && ok "manifest written with exit_status 1 and the file written" || { bad "manifest"; cat out/late.run.json; }
"$RDN" verify out/late.run.json >o 2>e
st=$?
[ $st -eq 0 ] && grep -q "exit status 1" o && ok "verify: same status, same outputs" || { bad "verify (exit $st)"; cat o e; }
printf 'a,b\n9,9\n' > out/t.csv
"$RDN" verify out/late.run.json >o 2>e
st=$?
[ $st -eq 1 ] && grep -q "t.csv" o && ok "verify: a changed output of a failed run is found" || { bad "verify changed (exit $st)"; cat o e; }

# a successful run records exit_status 0
printf 'write_csv(table(["a"], [[1]]), "u.csv")\n' > good.rdn
"$RDN" --quiet --out out2 good.rdn && grep -q '"exit_status": 0' out2/good.run.json \
  && ok "exit_status 0 on success" || bad "exit_status 0"
[ $fail -eq 0 ] && echo "test_manifest_status: all passed"
exit $fail
