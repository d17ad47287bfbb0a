#!/bin/sh
# test_repl_lang.sh: the language in a real terminal (tmux): `else` on the line after `}` as in
# scripts, a multi-line statement read back from the history file as one entry, help of a
# statement word, of a module and of a table.
RDN=${RDN:-./rdn}
NAME=repl_lang
. "$(dirname "$0")/tmux_repl.sh"
start() { $T new-session -d -s r -x 160 -y 60 "HOME='$h' TERM=xterm '$RDN'; sleep 30" || { echo "FAIL cannot start tmux"; exit 1; }; }

start
check prompt "rdn>"
# `else` on its own line after `}` continues the `if`
$T send-keys -t r 'if 1 < 0 {' Enter 'print("then-branch")' Enter '}' Enter 'else {' Enter 'print("else-branch")' Enter '}' Enter
check else-next-line "else-branch"
# a line that is not `else` runs the `if` first, then itself
$T send-keys -t r 'if 1 > 0 { print("if-ran") }' Enter 'zz = 40 + 2' Enter 'zz' Enter
check if-then-next "if-ran"
check next-line-ran "42"
# help of a word, a module, a table
$T send-keys -t r 'help("while")' Enter
check help-word "Runs the block as long as the condition is true"
$T send-keys -t r 'import stats' Enter 'help(stats)' Enter
check help-module "<fn median(xs)>"
$T send-keys -t r C-d
sleep 0.5
$T kill-server >/dev/null 2>&1
sock="${sock}_2"; T="tmux -L $sock"

# the history file keeps the multi-line `if` as one entry: recalled with one Up after a restart
start
check prompt-again "rdn>"
$T send-keys -t r Up Up Up Up Up Up Up
sleep 0.3
if screen | grep -v "^$" | tail -n 8 | grep -F -q 'print("then-branch")'; then pass=$((pass + 1)); echo "PASS history-one-entry"
else fail=$((fail + 1)); echo "FAIL history-one-entry"; screen | tail -n 8 | sed 's/^/    /'; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
