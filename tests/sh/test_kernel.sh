#!/bin/sh
# The Jupyter kernel: `rdn kernel --install --prefix` writes a kernelspec, then
# tests/kernel/test_protocol.py drives it with Debian's jupyter_client (execute, streams, errors,
# completion, interrupt, bad signatures, plots, the sandbox, restart, shutdown); then
# examples/notebook.ipynb runs headless under nbconvert and its outputs are checked.
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

# examples/notebook.ipynb executed headless with the kernelspec above, then checked; its code
# cells exported as a script (rdn kernel --export) must rerun to the same accuracy line
mkdir -p "$t/nb"
cp "$here/examples/notebook.ipynb" "$t/nb/notebook.ipynb"
if ! (cd "$t/nb" && JUPYTER_PATH="$t/prefix/share/jupyter" timeout 300 /usr/bin/jupyter nbconvert \
        --to notebook --execute --ExecutePreprocessor.timeout=120 notebook.ipynb --output executed.ipynb) \
        >"$t/nbconvert.log" 2>&1; then
    tail -20 "$t/nbconvert.log"; echo "FAIL notebook-execute"; echo "test_kernel: FAILED"; exit 1
fi
echo "PASS notebook-execute"
# the executed notebook converts to HTML with its figure (an SVG with an XML declaration did not)
if (cd "$t/nb" && /usr/bin/jupyter nbconvert --to html executed.ipynb --output executed.html) >"$t/nbhtml.log" 2>&1 &&
        grep -q '<svg' "$t/nb/executed.html" && grep -q 'resnet, adaptive' "$t/nb/executed.html"; then
    echo "PASS notebook-html"
else
    tail -5 "$t/nbhtml.log"; echo "FAIL notebook-html"; echo "test_kernel: FAILED"; exit 1
fi
"$RDN" kernel --export "$t/nb/notebook.ipynb" >"$t/nb/notebook.rdn" || { echo "FAIL notebook-export"; exit 1; }
(cd "$t/nb" && "$RDN" notebook.rdn >"$t/nb/script.out" 2>/dev/null) || { echo "FAIL notebook-export-runs"; exit 1; }
out=$($PY "$here/tests/kernel/check_notebook.py" "$t/nb/executed.ipynb" "$t/nb/script.out" 2>&1)
rc=$?
echo "$out" | grep -E '^(PASS|FAIL) '
if [ $rc -ne 0 ] || echo "$out" | grep -q '^FAIL '; then
    echo "$out" | tail -5
    echo "test_kernel: FAILED"; exit 1
fi
echo "test_kernel: all passed"
