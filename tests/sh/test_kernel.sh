#!/bin/sh
# The Jupyter kernel: `rdn kernel --install --prefix` writes a kernelspec, then
# tests/kernel/test_protocol.py drives it with Debian's jupyter_client (execute, streams, errors,
# completion, interrupt, bad signatures, the sandbox, restart, shutdown).
set -u
RDN=${RDN:-$(pwd)/rdn}
PY=/usr/bin/python3
here=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
if ! $PY -c "import jupyter_client, zmq" 2>/dev/null; then
    echo "FAIL kernel: python3-jupyter-client is not installed (make deps)"; exit 1
fi
"$RDN" kernel --install --prefix "$t/prefix" >/dev/null || { echo "FAIL kernel-install"; exit 1; }
[ -f "$t/prefix/share/jupyter/kernels/rdn/kernel.json" ] && echo "PASS kernel-install" || { echo "FAIL kernel-install: no kernel.json"; exit 1; }
mkdir -p "$t/work"
out=$(cd "$t/work" && timeout 600 $PY "$here/tests/kernel/test_protocol.py" "$t/prefix" "$t/work" 2>&1)
rc=$?
echo "$out" | grep -E '^(PASS|FAIL) '
if [ $rc -ne 0 ] || echo "$out" | grep -q '^FAIL ' || ! echo "$out" | grep -q '^0 failure(s)'; then
    echo "$out" | tail -20
    echo "test_kernel: FAILED"; exit 1
fi
echo "test_kernel: all passed"
