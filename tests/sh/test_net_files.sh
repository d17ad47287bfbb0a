#!/bin/sh
# test_net_files.sh: model files through the rdn binary: round trip, a flipped byte and a truncated
# file are clear errors (exit 1, message naming the problem), writes stay inside --out.
set -u
RDN=${RDN:-./rdn}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rdn_net.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

cd "$tmp" || exit 2
"$RDN" --quiet --out out -e 'net = resnet(width: 3, depth: 4, classes: 2, seed: 1); save(net, "m.rdnm"); print(net.params)' >o 2>e
[ "$(cat o)" = "20" ] && [ -s out/m.rdnm ] && ok "save writes below --out" || { bad "save"; cat e; }
head -c 8 out/m.rdnm | grep -q RDNMODEL && ok "magic" || bad "magic"
ls out | grep -q '\.tmp' && bad "temporary file left behind" || ok "no temporary file left"

"$RDN" --quiet --out out -e 'n = load("m.rdnm"); print(n)' >o 2>e
grep -q "resnet: in 3, width 3, depth 4, classes 2, shared logistic, step 1, 20 params" o && ok "load from the output folder" || { bad "load"; cat o e; }

# flip one byte in the parameters
cp out/m.rdnm flipped.rdnm
printf '\377' | dd of=flipped.rdnm bs=1 seek=80 conv=notrunc 2>/dev/null
"$RDN" --quiet -e 'load("flipped.rdnm")' >o 2>e
st=$?
[ $st -eq 1 ] && grep -q "corrupted" e && ok "flipped byte: CRC error" || { bad "flipped byte (exit $st)"; cat e; }

# truncate
head -c 50 out/m.rdnm > short.rdnm
"$RDN" --quiet -e 'load("short.rdnm")' >o 2>e
st=$?
[ $st -eq 1 ] && grep -q "truncated" e && ok "truncated file" || { bad "truncated (exit $st)"; cat e; }

# sandbox: absolute path refused, nothing written
"$RDN" --quiet --out out -e 'save(resnet(width: 2), "/tmp/rdn_should_not_exist.rdnm")' >o 2>e
st=$?
[ $st -eq 1 ] && [ ! -e /tmp/rdn_should_not_exist.rdnm ] && ok "absolute path refused" || { bad "sandbox (exit $st)"; cat e; }

# the provenance record rides in the file
"$RDN" --quiet --out out -e 'n = load("m.rdnm"); print(n.provenance)' >o 2>e
grep -q '"script"' o && grep -q '"blas"' o && ok "provenance record" || { bad "provenance"; cat o e; }
# ... and it is the run's manifest record: script text and SHA-256, params, seed, init seed
printf 'param width = 3\nseed(11)\nsave(resnet(width: width, depth: 2), "p.rdnm")\n' > prov.rdn
"$RDN" --quiet --out out prov.rdn --set width=4 >o 2>e
"$RDN" --quiet --out out -e 'print(load("p.rdnm").provenance)' >o 2>e
grep -q '"width":4' o && grep -q '"seed":11' o && grep -q '"init_seed"' o && grep -q 'save(resnet(width: width' o \
  && grep -q '"sha256"' o && ok "provenance is the manifest record" || { bad "provenance fields"; cat o e; }
# Ctrl-C during fit: stops at a batch boundary, exit status 130, a message saying so
"$RDN" -e 'd = blobs(n: 20000, classes: 3, dim: 64, seed: 1)
net = resnet(width: 64, depth: 30, classes: 3)
fit(net, d, epochs: 1000)' >o 2>e &
pid=$!
sleep 2
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ] && grep -q "interrupted" e && ok "interrupt: exit 130" || { bad "interrupt (exit $st)"; tail -3 e; }
exit $fail
