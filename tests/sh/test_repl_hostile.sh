#!/bin/sh
# test_repl_hostile.sh: the REPL in a real terminal (tmux) keeps a net defined before two Ctrl-C
# presses at an idle prompt (seconds apart) and an out-of-memory line (under ulimit -v, so the
# allocation fails for sure and the machine is spared).
RDN=${RDN:-./rdn}
NAME=repl_hostile
. "$(dirname "$0")/tmux_repl.sh"
$T new-session -d -s r -x 160 -y 60 "ulimit -v 4000000; HOME='$h' TERM=xterm '$RDN'; echo REPL-EXITED \$?; sleep 30" \
  || { echo "FAIL cannot start tmux"; exit 1; }
check prompt "rdn>"
$T send-keys -t r 'net = resnet(width: 4, depth: 3, classes: 2)' Enter 'print("width", net.width)' Enter
check net-defined "width 4"
$T send-keys -t r C-c
sleep 1.5
$T send-keys -t r C-c
sleep 1
$T send-keys -t r 'x = zeros(30000, 30000)' Enter
check out-of-memory "out of memory"
$T send-keys -t r 'print("still", net.depth)' Enter
check net-survives "still 3"
screen | grep -q "REPL-EXITED" && { fail=$((fail + 1)); echo "FAIL the REPL exited"; } || { pass=$((pass + 1)); echo "PASS the session survived"; }
$T send-keys -t r C-d
check ctrl-d-exits "REPL-EXITED 0"
echo "test_repl_hostile: $pass passed, $fail failed"
[ $fail -eq 0 ]
