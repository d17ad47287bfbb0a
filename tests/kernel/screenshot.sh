#!/bin/sh
# screenshot.sh: docs/notebook.png, the look of examples/notebook.ipynb as a person sees it: the
# notebook opened in Debian's jupyter-notebook (the rdn kernelspec installed in a temporary
# prefix) and drawn by headless Chromium. Not part of `make test` (it takes a browser and a few
# seconds); rerun it after changing the notebook: sh tests/kernel/screenshot.sh [OUT.png]
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
RDN=${RDN:-$here/rdn}
out=${1:-$here/docs/notebook.png}
PY=/usr/bin/python3
t=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then                 # the server stops its kernel on SIGTERM
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$t"
}
trap cleanup EXIT
mkdir -p "$t/work"
cp "$here/examples/notebook.ipynb" "$t/work/"
"$RDN" kernel --install --prefix "$t/prefix" >/dev/null
export JUPYTER_PATH="$t/prefix/share/jupyter" JUPYTER_DATA_DIR="$t/data" JUPYTER_CONFIG_DIR="$t/config" \
       JUPYTER_RUNTIME_DIR="$t/runtime"
# trusted, so the notebook shows its saved outputs as they are
(cd "$t/work" && $PY -c "import nbformat; from nbformat.sign import NotebookNotary as N; N().sign(nbformat.read('notebook.ipynb', 4))")
port=$($PY -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
token=$($PY -c "import secrets; print(secrets.token_hex(16))")
(cd "$t/work" && exec /usr/bin/jupyter notebook --no-browser --ip=127.0.0.1 --port="$port" \
    --NotebookApp.token="$token" --allow-root >"$t/server.log" 2>&1) &
pid=$!
url="http://127.0.0.1:$port/notebooks/notebook.ipynb?token=$token"
i=0
until curl -sf -o /dev/null "$url"; do
    i=$((i + 1))
    [ $i -lt 60 ] || { tail -20 "$t/server.log"; echo "screenshot: the notebook server did not start"; exit 1; }
    sleep 0.5
done
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,2480 \
    --virtual-time-budget=15000 --screenshot="$t/shot.png" "$url" 2>/dev/null
# a palette image: a tenth of the bytes, the same look
$PY -c "from PIL import Image; Image.open('$t/shot.png').convert('RGB').quantize(colors=256, method=Image.Quantize.MEDIANCUT).save('$out', optimize=True)"
echo "wrote $out"
