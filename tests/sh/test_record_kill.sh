#!/bin/sh
# test_record_kill.sh: record(..., to: DIR) replaces a recording as a whole. A loop rewrites one
# folder with the recordings of two nets, A and B, and is killed with SIGKILL at many moments:
# afterwards states.npy and residuals.npy are both A's or both B's (never a mix of two valid
# files, as when each file was renamed on its own), and a file of the user's in DIR survives.
RDN=${RDN:-./rdn}
case $RDN in /*) ;; *) RDN=$(pwd)/$RDN ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/rdn-test-reckill-XXXXXX") || exit 2
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$T"' EXIT
cd "$T" || exit 2
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

cat > nets.rdn <<'R'
seed(1)
d = blobs(n: 3000, classes: 2, dim: 32)
a = resnet(in: 32, width: 32, depth: 8, classes: 2)
b = resnet(in: 32, width: 32, depth: 8, classes: 2)
R
{ cat nets.rdn; printf 'ra = record(a, d, to: "A")\nrb = record(b, d, to: "B")\n'; } > ref.rdn
"$RDN" --quiet --out ref ref.rdn || { echo "FAIL reference run"; exit 1; }
sa=$(sha256sum < ref/A/states.npy); ra=$(sha256sum < ref/A/residuals.npy)
sb=$(sha256sum < ref/B/states.npy); rb=$(sha256sum < ref/B/residuals.npy)
[ "$sa" != "$sb" ] && [ "$ra" != "$rb" ] || { echo "FAIL the two nets record the same"; exit 1; }
{ cat nets.rdn; printf 'for i in 0..1000000 {\n    r = record(a, d, to: "rec")\n    r = record(b, d, to: "rec")\n}\n'; } > loop.rdn

mkdir -p out/rec
echo "keep me" > out/rec/notes.txt
kills=0 mixed=0 seen=0
for delay in 0.3 0.35 0.4 0.45 0.5 0.55 0.6 0.65 0.7 0.75 0.8 0.85 0.9 0.95 1.0 1.1 1.2 1.3 1.4 1.5; do
    "$RDN" --quiet --out out loop.rdn > /dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    pid=
    kills=$((kills + 1))
    [ -f out/rec/states.npy ] || continue
    seen=$((seen + 1))
    s=$(sha256sum < out/rec/states.npy); r=$(sha256sum < out/rec/residuals.npy 2>/dev/null)
    if { [ "$s" = "$sa" ] && [ "$r" = "$ra" ]; } || { [ "$s" = "$sb" ] && [ "$r" = "$rb" ]; }; then :; else
        mixed=$((mixed + 1))
    fi
    [ "$(cat out/rec/notes.txt 2>/dev/null)" = "keep me" ] || bad "after kill $kills: the user's notes.txt is gone"
done
[ $mixed -eq 0 ] && ok "$kills SIGKILLs, $seen recordings left behind: none mixed" || bad "$mixed of $seen recordings were mixed"
[ $seen -gt 0 ] || echo "note: no kill landed after a first recording (loaded machine?)"
# an uninterrupted run ends with B's recording and the notes
"$RDN" --quiet --out out2 ref.rdn && mkdir -p out2/B && echo n > out2/B/x.txt \
  && { cat nets.rdn; printf 'r = record(a, d, to: "B")\n'; } > again.rdn && "$RDN" --quiet --out out2 again.rdn
[ "$(sha256sum < out2/B/states.npy)" = "$sa" ] && [ "$(sha256sum < out2/B/residuals.npy)" = "$ra" ] && [ -f out2/B/x.txt ] \
  && ok "a second record(to:) replaces the set and keeps other files" || bad "second record(to:)"
# keep: "states" after keep: "both": the old residuals.npy goes (it is not the new recording's)
{ cat nets.rdn; printf 'r = record(b, d, keep: "states", to: "B")\n'; } > st.rdn && "$RDN" --quiet --out out2 st.rdn
[ "$(sha256sum < out2/B/states.npy)" = "$sb" ] && [ ! -f out2/B/residuals.npy ] && ok "keep: \"states\": no stale residuals.npy" \
  || bad "stale residuals.npy after keep: \"states\""
ls -a out2 | grep -q '\.set\.' && bad "a staging folder was left: $(ls -a out2)" || ok "no staging folder left"
[ $fail -eq 0 ] && echo "test_record_kill: all passed"
exit $fail
