# tmux_repl.sh: the harness of the REPL tests that drive rdn through a real terminal (tmux),
# sourced by tests/sh/test_repl*.sh (it is not a test itself: shtests runs test_*.sh only).
# Before sourcing, set NAME (the test's name, for messages and the tmux socket) and RDN.
# Gives: $T (tmux on the test's own server), $h (a temporary HOME, removed at exit), pass/fail,
# screen, wait_for TEXT [SECONDS], check NAME TEXT, count TEXT. Skips the test without tmux.
case $RDN in /*) ;; *) RDN=$(pwd)/$RDN ;; esac
command -v tmux >/dev/null 2>&1 || { echo "SKIP $NAME: tmux is not installed"; exit 0; }
sock="rdn_${NAME}_$$"
h=$(mktemp -d "${TMPDIR:-/tmp}/rdn_$NAME.XXXXXX") || exit 2
T="tmux -L $sock"
trap '$T kill-server >/dev/null 2>&1; rm -rf "$h"' EXIT
pass=0; fail=0
screen() { $T capture-pane -t r -p -S -300 2>/dev/null; }
# wait_for TEXT [SECONDS]: until the screen shows TEXT (15 s unless told)
wait_for() {
  n=0; lim=$(( ${2:-15} * 10 ))
  while [ $n -lt $lim ]; do
    screen | grep -F -q -- "$1" && return 0
    sleep 0.1; n=$((n + 1))
  done
  return 1
}
check() {  # check NAME TEXT: the screen shows TEXT
  if wait_for "$2"; then pass=$((pass + 1)); echo "PASS $1"
  else fail=$((fail + 1)); echo "FAIL $1 (no '$2' on screen)"; screen | grep -v '^$' | tail -n 15 | sed 's/^/    /'; fi
}
count() { screen | grep -c -F -- "$1"; }
