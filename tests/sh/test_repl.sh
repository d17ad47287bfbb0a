#!/bin/sh
# test_repl.sh: drives the REPL through a real terminal (tmux): multi-line input, completion of
# names, keywords and members, echo, help, Ctrl-C during a computation and while typing (both
# keep every variable), a runtime error keeps the session, Ctrl-D exits, history is saved.
RDN=${RDN:-./rdn}
NAME=repl
. "$(dirname "$0")/tmux_repl.sh"

$T new-session -d -s r -x 160 -y 60 "HOME='$h' TERM=xterm '$RDN'; sleep 30" || { echo "FAIL cannot start tmux"; exit 1; }
check prompt "rdn>"

# multi-line input: an open brace asks for more with the continuation prompt
$T send-keys -t r 'fn add1(a) {' Enter
check continuation "...>"
$T send-keys -t r '  return a + 1' Enter '}' Enter 'x = 41' Enter 'add1(x)' Enter
check multi-line-and-echo "42"
$T send-keys -t r 'y = [1,' Enter '2, 3]' Enter 'y' Enter
check multi-line-list "[1, 2, 3]"

# completion: a builtin name, a keyword inside a call, a member after '.'
$T send-keys -t r 'str_val = form' Tab
sleep 0.3
$T send-keys -t r '("%d-%d", 3, 4)' Enter 'str_val' Enter
check complete-builtin '"3-4"'
$T send-keys -t r 'print(5, 6, se' Tab
sleep 0.3
$T send-keys -t r '"+")' Enter
check complete-keyword 'print(5, 6, sep: "+")'
check complete-keyword-result "5+6"
$T send-keys -t r 'import stats' Enter 'stats.med' Tab
sleep 0.3
$T send-keys -t r '([9, 1, 5])' Enter
check complete-member 'stats.median([9, 1, 5])'
check complete-member-result "5"
$T send-keys -t r 'longname_for_test = 7' Enter 'longname_f' Tab
sleep 0.3
$T send-keys -t r Enter
check complete-scope-name "longname_for_test"

# help prints the builtin's documentation from the table
$T send-keys -t r 'help(seed)' Enter
check help "Reseeds the one random generator"

# a runtime error keeps the session and the variables
$T send-keys -t r 'x + nope' Enter
check runtime-error "<repl>:1:5: error: unknown name 'nope'"
$T send-keys -t r 'x * 2' Enter
check vars-after-error "82"

# Ctrl-C during a long computation returns to the prompt with variables intact
$T send-keys -t r 'n = 0' Enter 'while true { n += 1 }' Enter
sleep 2
$T send-keys -t r C-c
check interrupt "error: interrupted"
$T send-keys -t r 'n > 0 and x == 41' Enter
check vars-after-interrupt "true"
# Ctrl-C while typing cancels the line
$T send-keys -t r 'this line is abandoned'
sleep 0.2
$T send-keys -t r C-c
sleep 0.2
$T send-keys -t r 'x + 1000' Enter
check cancel-line "1041"
if screen | grep -q "unknown name 'this'"; then fail=$((fail + 1)); echo "FAIL cancelled line ran"; else pass=$((pass + 1)); echo "PASS cancelled line did not run"; fi

# Ctrl-D exits; the history is saved
$T send-keys -t r C-d
sleep 0.5
if grep -q "add1(x)" "$h/.rdn_history" 2>/dev/null; then pass=$((pass + 1)); echo "PASS history-saved"
else fail=$((fail + 1)); echo "FAIL history-saved"; fi
panepid=$($T list-panes -t r -F '#{pane_pid}' 2>/dev/null | head -n 1)
n=0
while [ $n -lt 30 ] && [ -n "$panepid" ] && pgrep -P "$panepid" -x rdn >/dev/null 2>&1; do sleep 0.1; n=$((n + 1)); done
if [ -z "$panepid" ] || pgrep -P "$panepid" -x rdn >/dev/null 2>&1; then
  fail=$((fail + 1)); echo "FAIL ctrl-d-exits"
else pass=$((pass + 1)); echo "PASS ctrl-d-exits"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
