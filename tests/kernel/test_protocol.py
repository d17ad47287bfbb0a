"""The rdn Jupyter kernel against Debian's jupyter_client: a KernelManager starts the kernelspec
that `rdn kernel --install --prefix` wrote, a BlockingKernelClient talks to it.
Usage: python3 test_protocol.py PREFIX WORKDIR (PREFIX/share/jupyter/kernels/rdn exists)."""
import hashlib
import hmac
import json
import os
import sys
import time
import uuid

prefix, workdir = sys.argv[1], sys.argv[2]
os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")

import zmq  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

failures = 0


def check(name, cond, detail=""):
    global failures
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)[:2000]))
    if not cond:
        failures += 1


def run(kc, code, timeout=60):
    """Executes code; returns (reply content, [iopub messages of this request up to idle])."""
    msg_id = kc.execute(code)
    msgs = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=timeout)
    assert reply["parent_header"]["msg_id"] == msg_id
    return reply["content"], msgs


def types(msgs):
    return [m["msg_type"] for m in msgs]


def stream_text(msgs, name):
    return "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream" and m["content"]["name"] == name)


km = KernelManager(kernel_name="rdn")
km.start_kernel(cwd=workdir)
try:
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=30)

    # kernel_info
    mid = kc.kernel_info()
    r = kc.get_shell_msg(timeout=10)
    check("kernel_info", r["content"]["protocol_version"] == "5.3" and r["content"]["language_info"]["name"] == "rdn", r["content"])

    # execute: a stream, in order busy, execute_input, stream, idle
    rep, msgs = run(kc, 'print("hello", 1 + 2)')
    check("stream-ok", rep["status"] == "ok" and stream_text(msgs, "stdout") == "hello 3\n", (rep, msgs))
    check("status-order", types(msgs)[0] == "status" and msgs[0]["content"]["execution_state"] == "busy"
          and types(msgs)[1] == "execute_input" and types(msgs)[-1] == "status", types(msgs))
    check("execution-count", rep["execution_count"] == 1 and msgs[1]["content"]["execution_count"] == 1, rep)

    # execute_result: the last expression
    rep, msgs = run(kc, "x = 41\nx + 1")
    res = [m for m in msgs if m["msg_type"] == "execute_result"]
    check("execute-result", rep["status"] == "ok" and len(res) == 1 and res[0]["content"]["data"]["text/plain"] == "42", msgs)

    # a table: text/html and text/plain
    rep, msgs = run(kc, 't = table(["a", "b"], [[1, 2.5], [2, 3]])\nt')
    res = [m for m in msgs if m["msg_type"] == "execute_result"]
    html = res[0]["content"]["data"].get("text/html", "") if res else ""
    check("table-html", "<table" in html and "<th>a</th>" in html and "<td>2.5</td>" in html and
          "text/plain" in res[0]["content"]["data"], msgs)

    # an error: reply, error message with the located message
    rep, msgs = run(kc, "y = 1\nz = y + nope")
    err = [m for m in msgs if m["msg_type"] == "error"]
    tb = "\n".join(rep.get("traceback", []))
    check("error-reply", rep["status"] == "error" and rep["ename"] and "nope" in rep["evalue"], rep)
    check("error-located", tb.startswith("cell[4]:2:9: error:") and "z = y + nope" in tb and "^^^^" in tb, tb)
    check("error-iopub", len(err) == 1 and err[0]["content"]["traceback"] == rep["traceback"], msgs)
    rep, msgs = run(kc, "print(y)")
    check("alive-after-error", rep["status"] == "ok" and stream_text(msgs, "stdout") == "1\n", (rep, msgs))

    # is_complete
    for code, want in [("x = 1", "complete"), ("fn f(a) {\n  a", "incomplete"), ("x = = 1", "invalid"),
                       ("print(1,", "incomplete")]:
        kc.is_complete(code)
        r = kc.get_shell_msg(timeout=10)
        check("is_complete " + repr(code), r["content"]["status"] == want, r["content"])

    # complete: builtins, names, keywords inside a call, members after '.'
    def complete(code, pos=None):
        kc.complete(code, len(code) if pos is None else pos)
        return kc.get_shell_msg(timeout=10)["content"]

    run(kc, "myvariable = 3\nnet = resnet(in: 2, width: 4, depth: 3, classes: 2)")
    c = complete("myvar")
    check("complete-name", c["matches"] == ["myvariable"] and c["cursor_start"] == 0 and c["cursor_end"] == 5, c)
    c = complete("resn")
    check("complete-builtin", "resnet" in c["matches"], c)
    c = complete("fit(net, d, epo")
    check("complete-keyword", "epochs: " in c["matches"] and c["cursor_start"] == 12, c)
    c = complete("net.dep")
    check("complete-member", "depth" in c["matches"] and c["cursor_start"] == 4, c)

    # inspect: help(name)
    kc.inspect("resnet(", 3)
    r = kc.get_shell_msg(timeout=10)["content"]
    check("inspect-builtin", r["found"] and "resnet(" in r["data"]["text/plain"], r)
    kc.inspect("fit(", 4)
    r = kc.get_shell_msg(timeout=10)["content"]
    check("inspect-callee", r["found"] and "epochs" in r["data"]["text/plain"], r)
    kc.inspect("nosuchthing", 3)
    r = kc.get_shell_msg(timeout=10)["content"]
    check("inspect-unknown", not r["found"], r)

    # interrupt during `while true {}` (SIGINT), then a variable defined before it
    run(kc, "kept = 17")
    mid = kc.execute("while true {}")
    time.sleep(1.0)
    km.interrupt_kernel()
    rep = kc.get_shell_msg(timeout=30)["content"]
    check("interrupt-signal", rep["status"] == "error" and "interrupt" in (rep["ename"] + rep["evalue"]).lower(), rep)
    rep, msgs = run(kc, "kept + 1")
    res = [m for m in msgs if m["msg_type"] == "execute_result"]
    check("variable-kept", res and res[0]["content"]["data"]["text/plain"] == "18", msgs)

    # interrupt_request on control
    mid = kc.execute("i = 0\nwhile true { i = i + 1 }")
    time.sleep(1.0)
    msg = kc.session.msg("interrupt_request", {})
    kc.control_channel.send(msg)
    cr = kc.get_control_msg(timeout=10)
    rep = kc.get_shell_msg(timeout=30)["content"]
    check("interrupt-control", cr["msg_type"] == "interrupt_reply" and rep["status"] == "error", (cr, rep))
    rep, msgs = run(kc, "i > 0")
    res = [m for m in msgs if m["msg_type"] == "execute_result"]
    check("variable-kept-control", res and res[0]["content"]["data"]["text/plain"] == "true", msgs)

    # a message with a bad signature is dropped: nothing runs, the kernel stays up
    info = km.get_connection_info()
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.IDENTITY, b"intruder")
    sock.connect("tcp://%s:%d" % (info["ip"], info["shell_port"]))
    header = json.dumps({"msg_id": str(uuid.uuid4()), "session": str(uuid.uuid4()), "username": "x",
                         "date": "2026-01-01T00:00:00.000000Z", "msg_type": "execute_request", "version": "5.3"}).encode()
    content = json.dumps({"code": 'write_csv(t, "pwned.csv")\nkept = 0', "silent": False}).encode()
    parts = [header, b"{}", b"{}", content]
    bad = hmac.new(b"not the key", b"".join(parts), hashlib.sha256).hexdigest().encode()
    sock.send_multipart([b"<IDS|MSG>", bad] + parts)
    badjson = [header, b"{not json", b"{}", b"{}"]
    sig = hmac.new(info["key"], b"".join(badjson), hashlib.sha256).hexdigest().encode()
    sock.send_multipart([b"<IDS|MSG>", sig] + badjson)
    sock.send_multipart([b"garbage"])
    time.sleep(1.0)
    check("bad-signature-no-reply", sock.poll(500) == 0)
    rep, msgs = run(kc, "kept")
    res = [m for m in msgs if m["msg_type"] == "execute_result"]
    check("bad-signature-not-run", res and res[0]["content"]["data"]["text/plain"] == "17"
          and not os.path.exists(os.path.join(workdir, "pwned.csv")), msgs)
    sock.close(0)
    ctx.term()

    # plot without to: an inline SVG (display_data), no file left behind in the folder or TMPDIR
    tmpdir = os.environ.get("TMPDIR") or "/tmp"
    before = set(f for f in os.listdir(tmpdir) if f.startswith("rdn-plot-"))
    rep, msgs = run(kc, 'plot([1, 4, 9, 16], title: "squares")')
    disp = [m for m in msgs if m["msg_type"] == "display_data"]
    svg = disp[0]["content"]["data"].get("image/svg+xml", "") if disp else ""
    check("plot-inline-svg", rep["status"] == "ok" and len(disp) == 1 and svg.startswith("<svg") and "squares" in svg
          and "text/plain" in disp[0]["content"]["data"], (rep, types(msgs)))
    check("plot-no-text-plot", stream_text(msgs, "stdout") == "" and not [m for m in msgs if m["msg_type"] == "execute_result"], msgs)
    after = set(f for f in os.listdir(tmpdir) if f.startswith("rdn-plot-"))
    check("plot-temp-removed", after <= before and not [f for f in os.listdir(workdir) if f.endswith(".svg")], (before, after))
    # plot with to: the file written (as in a script) and also shown
    rep, msgs = run(kc, 'plot(tensor([[1, 2, 3], [3, 2, 1]]), by: [0, 1], to: "figs/lines.svg")')
    disp = [m for m in msgs if m["msg_type"] == "display_data"]
    path = os.path.join(workdir, "figs", "lines.svg")
    shown = disp[0]["content"]["data"].get("image/svg+xml", "") if disp else ""
    check("plot-to-written-and-shown", rep["status"] == "ok" and os.path.exists(path) and len(disp) == 1
          and shown.startswith("<svg") and open(path, encoding="utf-8").read().endswith(shown), (rep, types(msgs)))
    # a PNG file is shown as image/png (base64)
    rep, msgs = run(kc, 'plot([3, 1, 2], to: "figs/line.png")')
    disp = [m for m in msgs if m["msg_type"] == "display_data"]
    png = disp[0]["content"]["data"].get("image/png", "") if disp else ""
    check("plot-to-png-shown", rep["status"] == "ok" and png.startswith("iVBORw0KGgo")
          and os.path.exists(os.path.join(workdir, "figs", "line.png")), (rep, types(msgs)))
    # a plot's error is an error reply, and nothing is shown
    rep, msgs = run(kc, "plot([])")
    check("plot-error", rep["status"] == "error" and "empty" in rep["evalue"] and
          not [m for m in msgs if m["msg_type"] == "display_data"], rep)

    # the sandbox: writes land below the working folder, escapes are refused
    rep, msgs = run(kc, 'write_csv(t, "out/copy.csv")')
    check("sandbox-write", rep["status"] == "ok" and os.path.exists(os.path.join(workdir, "out", "copy.csv")), rep)
    rep, msgs = run(kc, 'write_csv(t, "../escape.csv")')
    check("sandbox-refused", rep["status"] == "error" and not os.path.exists(os.path.join(workdir, "..", "escape.csv")), rep)

    # fit's progress: stderr stream, redrawn with carriage returns
    rep, msgs = run(kc, "seed(1)\nd = spirals(n: 400, classes: 2)\nh = fit(net, d, epochs: 2, batch: 8, lr: 0.05)\nh")
    err_text = stream_text(msgs, "stderr")
    res = [m for m in msgs if m["msg_type"] == "execute_result"]
    check("progress-stderr", rep["status"] == "ok" and "epoch 2/2" in err_text and "\x1b" not in err_text, (rep, err_text[:500]))
    check("history-text", res and "text/html" not in res[0]["content"]["data"] and "history" in res[0]["content"]["data"]["text/plain"], res)

    # restart: a new process, the variables gone, the kernel answers
    pid = km.provisioner.process.pid if km.provisioner else None
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=30)
    rep, msgs = run(kc, "print(1)")
    check("restart-alive", rep["status"] == "ok" and stream_text(msgs, "stdout") == "1\n", rep)
    rep, msgs = run(kc, "kept")
    check("restart-fresh", rep["status"] == "error" and rep["execution_count"] == 2, rep)
    newpid = km.provisioner.process.pid if km.provisioner else None
    check("restart-new-process", pid != newpid, (pid, newpid))

    # shutdown
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    check("shutdown", not km.is_alive())

finally:
    if km.is_alive():
        km.shutdown_kernel(now=True)

print("%d failure(s)" % failures)
sys.exit(1 if failures else 0)
