"""Checks a notebook that `jupyter nbconvert --to notebook --execute` ran with the rdn kernel
(examples/notebook.ipynb): no error output, every code cell ran, and the outputs the notebook
exists to show are there: the accuracy line, the inline SVG figure, the HTML results table.
Usage: python3 check_notebook.py EXECUTED.ipynb [EXPORTED_RUN_OUTPUT]
With the second argument (the stdout of `rdn` running `rdn kernel --export` of the notebook), the
accuracy line must also be the same as the script's: the notebook and the script are one run."""
import json
import re
import sys

failures = 0


def check(name, cond, detail=""):
    global failures
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)[:2000]))
    if not cond:
        failures += 1


def text(v):
    return "".join(v) if isinstance(v, list) else v


nb = json.load(open(sys.argv[1], encoding="utf-8"))
code = [c for c in nb["cells"] if c["cell_type"] == "code"]
outs = [o for c in code for o in c["outputs"]]
errors = [o for o in outs if o["output_type"] == "error"]
check("notebook-no-error", not errors, errors)
check("notebook-all-ran", code and all(isinstance(c.get("execution_count"), int) for c in code),
      [c.get("execution_count") for c in code])
stdout = "".join(text(o["text"]) for o in outs if o["output_type"] == "stream" and o["name"] == "stdout")
acc = re.search(r"depth after adaptation: (\d+), test accuracy: ([0-9.]+)", stdout)
check("notebook-accuracy-line", acc and float(acc.group(2)) > 0.9, stdout[:500])
stderr = "".join(text(o["text"]) for o in outs if o["output_type"] == "stream" and o["name"] == "stderr")
check("notebook-progress", "epoch 20/20" in stderr and "adapt: epoch 5" in stderr, stderr[:500])
svgs = [text(o["data"]["image/svg+xml"]) for o in outs
        if o["output_type"] == "display_data" and "image/svg+xml" in o["data"]]
check("notebook-svg", len(svgs) == 1 and "<svg" in svgs[0] and "residual transients" in svgs[0]
      and "class 2" in svgs[0], [s[:200] for s in svgs])
html = [text(o["data"]["text/html"]) for o in outs if o["output_type"] == "execute_result" and "text/html" in o["data"]]
check("notebook-html-table", any("<table" in h and "resnet, adaptive" in h and "acc_noise_0.4" in h for h in html),
      [h[:200] for h in html])
check("notebook-changes-table", any("<th>new_depth</th>" in h for h in html), [h[:200] for h in html])
plain = "\n".join(text(o["data"]["text/plain"]) for o in outs if o["output_type"] == "execute_result")
check("notebook-values", "resnet: in 2, width 16, depth 20" in plain and "<recording of 300 inputs" in plain, plain[:800])
if len(sys.argv) > 2:
    script = open(sys.argv[2], encoding="utf-8").read()
    check("notebook-export-same-run", acc and acc.group(0) in script, (acc and acc.group(0), script[:300]))
print("%d failure(s)" % failures)
sys.exit(1 if failures else 0)
