#!/usr/bin/python3
"""tools/paper.py: the paper's studies and the note made from them (docs/paper.md).

    python3 tools/paper.py run  [--rdn ./rdn] [--runs DIR] [--scale full|small] [--quick]
    python3 tools/paper.py gen  [--runs DIR] [--doc docs/paper.md] [--figs docs/paper]

`run` runs every examples/paper/N_*.rdn as an `rdn sweep`: its grid is the file's `# grid:` line,
and with --scale small the file's `# small:` line adds --set's (a reduced size, stated in the
note). --quick runs the same studies at the scripts' quick size (quick=true) over two seeds.
Each sweep goes to DIR/NAME (resumed when it is already there); the time spent in each study is
added up in DIR/times.csv. `gen` writes the note from the studies' summary.csv files (and, for the
per-layer curves, from the CSV files of every run, averaged here with the same Student t interval
as summary.csv): no number in the note is typed by hand.
"""
import argparse
import csv
import glob
import json
import math
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def studies():
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "examples", "paper", "[0-9]_*.rdn"))):
        grid, small = None, []
        with open(path) as f:
            for line in f:
                m = re.match(r"#\s*grid:\s*(.*)", line)
                if m:
                    grid = m.group(1).split()
                m = re.match(r"#\s*small:\s*(.*)", line)
                if m:
                    small = m.group(1).split()
        if grid is None:
            sys.exit("%s: no '# grid:' line" % path)
        out.append((os.path.splitext(os.path.basename(path))[0], path, grid, small))
    return out


def read_times(runs):
    times = {}
    p = os.path.join(runs, "times.csv")
    if os.path.exists(p):
        with open(p) as f:
            for row in csv.DictReader(f):
                times[row["study"]] = float(row["seconds"])
    return times


def read_loads(runs):
    loads = {}
    p = os.path.join(runs, "loads.csv")
    if os.path.exists(p):
        with open(p) as f:
            for row in csv.DictReader(f):
                loads[row["study"]] = (float(row["load_start"]), float(row["load_end"]))
    return loads


def write_times(runs, times, loads):
    for name, rows, fmt_row in (("times.csv", times, lambda v: "%.1f" % v),
                                ("loads.csv", loads, lambda v: "%.2f,%.2f" % v)):
        p = os.path.join(runs, name)
        with open(p + ".tmp", "w") as f:
            f.write("study,seconds\n" if name == "times.csv" else "study,load_start,load_end\n")
            for k in sorted(rows):
                f.write("%s,%s\n" % (k, fmt_row(rows[k])))
        os.replace(p + ".tmp", p)


def cmd_run(a):
    os.makedirs(a.runs, exist_ok=True)
    status = 0
    only = set(a.only.split(",")) if a.only else None
    for name, path, grid, small in studies():
        if only and name not in only:
            continue
        cmd = [a.rdn, "sweep", path, "-j", "1", "--out", os.path.join(a.runs, name), "--quiet"]
        if a.threads:
            cmd += ["--threads", str(a.threads)]
        for g in grid:
            if a.quick and g.startswith("trial="):
                g = "trial=1..3"
            cmd += ["--grid", g]
        sets = []
        if a.quick:
            sets = ["quick=true"]
        elif a.scale == "small":
            sets = small
        if a.data:
            sets.append("data=" + a.data)
        for s in sets:
            cmd += ["--set", s]
        print("paper: " + " ".join(cmd[1:]), flush=True)
        t0 = time.time()
        load0 = os.getloadavg()[0]
        rc = subprocess.call(cmd)
        times = read_times(a.runs)
        times[name] = times.get(name, 0.0) + time.time() - t0
        loads = read_loads(a.runs)
        if time.time() - t0 > 5 or name not in loads:   # a resume with nothing to do keeps the old
            loads[name] = (load0, os.getloadavg()[0])
        write_times(a.runs, times, loads)
        if rc != 0:
            print("paper: %s: rdn sweep exited %d" % (name, rc), file=sys.stderr)
            status = 1
    return status


# ---- reading the studies back

def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return s


def load_csv(path):
    with open(path) as f:
        return [{k: num(v) for k, v in row.items()} for row in csv.DictReader(f)]


# t(0.975, n-1), as summary.csv uses
T975 = [float("nan"), 12.706204736174707, 4.302652729749464, 3.182446305284263,
        2.7764451051977934, 2.570581835636314, 2.446911851144969, 2.3646242515927844,
        2.306004135204172, 2.262157162798205, 2.2281388519862744]


def mean_ci(xs):
    xs = [x for x in xs if isinstance(x, float) and not math.isnan(x)]
    n = len(xs)
    if n == 0:
        return float("nan"), float("nan")
    m = sum(xs) / n
    if n < 2:
        return m, float("nan")
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    t = T975[n - 1] if n - 1 < len(T975) else 1.959963984540054
    return m, t * sd / math.sqrt(n)


def fmt(m, ci, digits=3):
    if isinstance(m, str):
        return m
    if math.isnan(m):
        return "nan"
    if abs(m) != 0 and (abs(m) < 1e-3 or abs(m) >= 1e5):
        s = "%.2g" % m
        c = "%.1g" % ci if not math.isnan(ci) else "nan"
    else:
        s = "%.*f" % (digits, m)
        c = "%.*f" % (digits, ci) if not math.isnan(ci) else "nan"
    return "%s ± %s" % (s, c)


class Study:
    def __init__(self, runs, name):
        self.name = name
        self.dir = os.path.join(runs, name)
        self.summary = load_csv(os.path.join(self.dir, "summary.csv"))
        self.sweep = load_csv(os.path.join(self.dir, "sweep.csv"))
        with open(os.path.join(self.dir, "sweep.run.json")) as f:
            self.manifest = json.load(f)

    def rows(self, **where):
        return [r for r in self.summary if all(r.get(k) == v for k, v in where.items())]

    def row(self, **where):
        r = self.rows(**where)
        if len(r) != 1:
            sys.exit("%s: %d summary rows for %r" % (self.name, len(r), where))
        return r[0]

    def cell(self, r, key, digits=3):
        return fmt(r[key + "_mean"], r[key + "_ci95"], digits)

    def run_dirs(self, **where):
        out = []
        for r in self.sweep:
            if r["status"] != "ok" or not all(r.get(k) == v for k, v in where.items()):
                continue
            gp = [g for g in self.grid_names()]
            folder = ",".join("%s=%s" % (g, fmt_param(r[g])) for g in gp)
            out.append(os.path.join(self.dir, "runs", folder))
        return out

    def grid_names(self):
        g = self.manifest.get("grids") or self.manifest.get("grid")
        if isinstance(g, dict):
            return list(g.keys())
        return [x["name"] for x in g]

    def curves(self, file, x, cols, **where):
        """Mean and 95% interval over the runs of each column, per x."""
        per = {}
        for d in self.run_dirs(**where):
            p = os.path.join(d, file)
            if not os.path.exists(p):
                continue
            for row in load_csv(p):
                per.setdefault(row[x], []).append(row)
        out = []
        for xv in sorted(per):
            rec = {x: xv, "n": len(per[xv])}
            for c in cols:
                rec[c] = mean_ci([r[c] for r in per[xv]])
            out.append(rec)
        return out

    def source(self):
        return "Study `%s` (`%s/summary.csv`, manifest `%s/sweep.run.json`; %s)" % (
            self.name, rel(self.dir), rel(self.dir), self.gridtext())

    def gridtext(self):
        g = self.manifest.get("grids") or self.manifest.get("grid")
        parts = []
        if isinstance(g, dict):
            for k, v in g.items():
                parts.append("%s = %s" % (k, ", ".join(str(x) for x in v)))
        else:
            for x in g:
                parts.append("%s = %s" % (x["name"], ", ".join(str(v) for v in x["values"])))
        sets = self.manifest.get("sets") or []
        s = "grid " + "; ".join(parts)
        if sets:
            s += "; --set " + " ".join(str(x) for x in sets)
        n_ok = sum(1 for r in self.sweep if r["status"] == "ok")
        s += "; %d of %d runs ok" % (n_ok, len(self.sweep))
        return s


def fmt_param(v):
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


DOCDIR = [os.path.join(ROOT, "docs")]   # links in the note are relative to its folder


def rel(p):
    return os.path.relpath(p, ROOT)


# ---- figures (gnuplot, SVG, error bars or bands of the 95% interval)

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
          "#bcbd22", "#17becf"]


def gnuplot(figs, name, title, xlabel, ylabel, series, logy=False, bars=False):
    """series: a list of (label, [(x, mean, ci)]). Writes FIGS/NAME.svg."""
    dat = os.path.join(figs, name + ".dat")
    with open(dat, "w") as f:
        for label, pts in series:
            f.write("# %s\n" % label)
            for x, m, c in pts:
                if math.isnan(m):
                    continue
                c = 0.0 if math.isnan(c) else c
                lo, hi = m - c, m + c
                if logy and lo <= 0:
                    lo = m / 10
                f.write("%.9g %.9g %.9g %.9g\n" % (x, m, lo, hi))
            f.write("\n\n")
    plots, lines = [], []
    for i, (label, _) in enumerate(series):
        lt = i + 1
        col = COLORS[i % len(COLORS)]
        light = "#" + "".join("%02x" % (int(col[k:k + 2], 16) + (255 - int(col[k:k + 2], 16)) * 3 // 4)
                              for k in (1, 3, 5))
        t = label.replace('"', "'")
        if bars:
            plots.append('"%s" index %d using 1:2:3:4 with yerrorlines lw 1.5 lc rgb "%s" title "%s"' % (dat, i, col, t))
        else:
            plots.append('"%s" index %d using 1:3:4 with filledcurves fs solid 1 '
                         'noborder lc rgb "%s" notitle' % (dat, i, light))
            lines.append('"%s" index %d using 1:2 with lines lw 2 lc rgb "%s" title "%s"' % (dat, i, col, t))
    plots += lines     # the bands first, so no band hides a line
    gp = ["set terminal svg size 720,440 dynamic noenhanced font 'sans,12'",
          'set output "%s"' % os.path.join(figs, name + ".svg"),
          'set title "%s"' % title, 'set xlabel "%s"' % xlabel, 'set ylabel "%s"' % ylabel,
          "set key outside right", "set grid", "set offsets graph 0.02, graph 0.02, 0, 0"]
    if logy:
        gp.append("set logscale y")
    gp.append("plot " + ", \\\n     ".join(plots))
    subprocess.run(["gnuplot"], input="\n".join(gp) + "\n", text=True, check=True)
    os.remove(dat)
    return os.path.relpath(os.path.join(figs, name + ".svg"), DOCDIR[0])


def curve(rows, x, col):
    return [(r[x], r[col][0], r[col][1]) for r in rows]


CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
           "Bag", "Ankle boot"]


def table_md(head, rows, align=None):
    out = ["| " + " | ".join(head) + " |",
           "| " + " | ".join(align or (["---"] + ["---:"] * (len(head) - 1))) + " |"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def overlap(a, b):
    """Do the 95% intervals (mean, ci) a and b overlap?"""
    return abs(a[0] - b[0]) <= (0 if math.isnan(a[1]) else a[1]) + (0 if math.isnan(b[1]) else b[1])


def copy_study(st, figs):
    d = os.path.join(figs, st.name)
    os.makedirs(d, exist_ok=True)
    for f in ("summary.csv", "sweep.csv", "sweep.run.json"):
        with open(os.path.join(st.dir, f), "rb") as src, open(os.path.join(d, f), "wb") as dst:
            dst.write(src.read())
    return os.path.relpath(d, DOCDIR[0])


def source_line(st, figs):
    d = copy_study(st, figs)
    return ("Source: study `%s` (`%s/summary.csv`, manifest `%s/sweep.run.json`; copies in "
            "[%s/summary.csv](%s/summary.csv) and [%s/sweep.run.json](%s/sweep.run.json)); %s." %
            (st.name, rel(st.dir), rel(st.dir), d, d, d, d, st.gridtext()))


def mc(r, key):
    return (r[key + "_mean"], r[key + "_ci95"])


def cmd_gen(a):
    figs = a.figs
    os.makedirs(figs, exist_ok=True)
    DOCDIR[0] = os.path.dirname(os.path.abspath(a.doc))
    S = {}
    for name, path, grid, small in studies():
        if os.path.exists(os.path.join(a.runs, name, "summary.csv")):
            S[name] = Study(a.runs, name)
    times = read_times(a.runs)
    loads = read_loads(a.runs)
    L = []
    w = L.append
    w("# The paper's claims as studies\n")
    w("<!-- generated by tools/paper.py gen from the studies in %s: do not edit; `make paper` "
      "regenerates it -->\n" % rel(a.runs))
    w("Lagzi (2021), \"Residual networks classify inputs based on their neural transient dynamics\", "
      "makes five claims. Each is a study here: a script under `examples/paper/` whose `# grid:` "
      "line is its grid (a `param trial` for the seed, and what else varies), run by `rdn sweep` "
      "(docs/studies.md) into its own folder. `make paper` runs every study (resuming what is "
      "done) and regenerates this note, its tables and figures from the studies' `summary.csv` "
      "(and, for the curves per layer, from every run's CSV files, averaged with the same "
      "Student t interval): no number below is typed by hand. Each number is the mean over the "
      "seeds ± the half-width of its 95% interval (t(0.975, n-1) sd / sqrt(n)); figures show "
      "the interval as error bars or bands.\n")
    w("`make paper` runs the scripts at their full size (all 60,000 training and 10,000 test "
      "images of Fashion-MNIST, 3 epochs); `make paper SCALE=small` at the reduced size of each "
      "script's `# small:` line; `make paper QUICK=1` the same pipeline at the scripts' quick size "
      "over two seeds (tests/sh/test_paper.sh). `make paper DATA=DIR` uses any folder of "
      "MNIST-named IDX files (the real MNIST digits) instead of Fashion-MNIST.\n")
    w("## What ran here\n")
    rows = []
    total = 0.0
    for name in sorted(S):
        st = S[name]
        n_ok = sum(1 for r in st.sweep if r["status"] == "ok")
        sets = " ".join(st.manifest.get("sets") or []) or "(full size)"
        t = times.get(name, float("nan"))
        total += 0 if math.isnan(t) else t
        ld = loads.get(name)
        ldt = "%.1f - %.1f" % ld if ld else "not recorded"
        rows.append([name, "%d" % len(st.sweep), "%d" % n_ok, sets, "%.0f" % t, ldt])
    w(table_md(["study", "runs", "ok", "size (--set)", "time (s)", "load average (start - end)"], rows,
               ["---", "---:", "---:", "---", "---:", "---"]))
    w("\nTotal time of the studies: %.0f s (%.1f min), one run at a time (`-j 1`) on a 2-core "
      "machine shared with other builds and tests (the load averages above are the machine's, "
      "not this pipeline's alone). Times are the sum over every `make paper` that worked on the "
      "study (`%s/times.csv`).\n" % (total, total / 60, rel(a.runs)))
    for name, fn in (("1_transients", gen1), ("2_regimes", gen2), ("3_integration", gen3),
                     ("4_noise", gen4), ("5_depth", gen5)):
        if name in S:
            fn(S[name], figs, w)
        else:
            w("## %s\n\nNot run yet (`%s/%s/summary.csv` is missing).\n" % (name, rel(a.runs), name))
    text = "\n".join(L).rstrip("\n") + "\n"
    with open(a.doc + ".tmp", "w") as f:
        f.write(text)
    os.replace(a.doc + ".tmp", a.doc)
    print("paper: wrote %s" % rel(a.doc))
    return 0


def gen1(st, figs, w):
    r = st.summary[0]
    w("## 1. Transients: classes trace different residual curves\n")
    w("    rdn sweep examples/paper/1_transients.rdn --grid trial=1..6   # shared-weight ResNet, depth 20, eta 0.5\n")
    w(source_line(st, figs) + "\n")
    w("Test accuracy %s. Mean residual norm ||r_t|| per class on the "
      "probe images, mean over seeds with its 95%% band:\n" % st.cell(r, "acc"))
    cols = ["class_%d" % c for c in range(10)]
    cur = st.curves("1_residual_norms.csv", "layer", cols)
    if cur:
        f = gnuplot(figs, "1_residual_norms", "residual norm per layer, mean per class (95% band over seeds)",
                    "layer t", "||r_t||", [(CLASSES[c], curve(cur, "layer", cols[c])) for c in range(10)])
        w("![residual norms per class](%s)\n" % f)
        first, last = cur[0], cur[-1]
        rows = [[CLASSES[c], fmt(*first[cols[c]]), fmt(*last[cols[c]])] for c in range(10)]
        w(table_md(["class", "norm of r_0", "norm of r_%d" % int(last["layer"])], rows))
        w("")
    rows = [["states (h_t)", st.cell(r, "states_ncm_first"), st.cell(r, "states_ncm_last"),
             st.cell(r, "states_fisher_first"), st.cell(r, "states_fisher_last")],
            ["residuals (r_t)", st.cell(r, "residuals_ncm_first"), st.cell(r, "residuals_ncm_last"),
             st.cell(r, "residuals_fisher_first"), st.cell(r, "residuals_fisher_last")]]
    w("Separability along the transient (nearest-class-mean accuracy and Fisher ratio "
      "trace(S_b)/trace(S_w), first and last layer):\n")
    w(table_md(["of", "NCM acc first", "NCM acc last", "Fisher first", "Fisher last"], rows,
               ["---", "---:", "---:", "---:", "---:"]))
    cur = st.curves("1_separability.csv", "layer", ["states_fisher", "residuals_fisher"])
    if cur:
        f = gnuplot(figs, "1_separability", "Fisher ratio per layer (95% band over seeds)", "layer t",
                    "trace(S_b) / trace(S_w)",
                    [("states", curve(cur, "layer", "states_fisher")),
                     ("residuals", curve(cur, "layer", "residuals_fisher"))])
        w("\n![separability per layer](%s)\n" % f)
    sf = (mc(r, "states_fisher_first"), mc(r, "states_fisher_last"))
    rf = (mc(r, "residuals_fisher_first"), mc(r, "residuals_fisher_last"))
    sn = (mc(r, "states_ncm_first"), mc(r, "states_ncm_last"))
    w("Read from the numbers: the Fisher ratio of the states %s along the transient (%s -> %s%s); "
      "that of the residuals %s (%s -> %s%s); the nearest-class-mean accuracy of the states "
      "goes %s -> %s%s.\n" % (
          "grows" if sf[1][0] > sf[0][0] else "does not grow", fmt(*sf[0]), fmt(*sf[1]),
          ", intervals overlapping" if overlap(*sf) else "",
          "grows" if rf[1][0] > rf[0][0] else "does not grow", fmt(*rf[0]), fmt(*rf[1]),
          ", intervals overlapping" if overlap(*rf) else "",
          fmt(*sn[0]), fmt(*sn[1]),
          " (the intervals overlap: no change shown)" if overlap(*sn) else ""))


def gen2(st, figs, w):
    w("## 2. Regimes: attractors against residuals that keep moving\n")
    w("    rdn sweep examples/paper/2_regimes.rdn --grid act=logistic,tanh,relu --grid trial=1..6\n")
    w(source_line(st, figs) + "\n")
    w("One shared-weight ResNet per activation and seed (relu at lr 0.001: at 0.01 its loss becomes "
      "NaN). Each trained map is iterated past its depth on the probe images and each input "
      "classified as reaching a fixed point, a cycle, or still moving (`attractors`); the "
      "columns are fractions of the probe set:\n")
    rows = []
    series = []
    for act in ("logistic", "tanh", "relu"):
        rr = st.rows(act=act)
        if not rr:
            continue
        r = rr[0]
        rows.append([act, "%g" % r["lr_mean"], "%d" % r["runs"], st.cell(r, "acc"), st.cell(r, "fixed"),
                     st.cell(r, "cycle"), st.cell(r, "moving"), st.cell(r, "attractors", 1),
                     st.cell(r, "change_trained"), st.cell(r, "change_end")])
        cur = st.curves("2_residual_change.csv", "layer", ["change"], act=act)
        series.append((act, curve(cur, "layer", "change")))
    w(table_md(["act", "lr", "seeds", "test accuracy", "fixed point", "cycle", "still moving",
                "attractors", "change at trained depth", "change at the end"], rows,
               ["---"] + ["---:"] * 9))
    if series:
        f = gnuplot(figs, "2_residual_change", "mean residual change; trained depth, then the map iterated",
                    "layer t", "||r_{t+1} - r_t|| / sqrt(d)", series, logy=True)
        w("\n![residual change, trained depth then iterated](%s)\n" % f)
    w("The regime of each activation is read from the fractions: the net is an attractor network "
      "where the fixed-point fraction is near 1 and its residual change keeps falling past the "
      "trained depth; the residuals keep moving where the still-moving fraction is near 1.\n")


def gen3(st, figs, w):
    r = st.summary[0]
    w("## 3. Integration: the output is the integral of the transient\n")
    w("    rdn sweep examples/paper/3_integration.rdn --grid trial=1..6   # depth 20, eta 0.5\n")
    w(source_line(st, figs) + "\n")
    w(table_md(["test accuracy", "integral error max \\|h_T - h_0 - sum_t r_t\\|", "head on h_0",
                "head on h_T/2", "head on h_T", "NCM on h_0", "NCM on h_T"],
               [[st.cell(r, "acc"), st.cell(r, "integral_error"), st.cell(r, "head_first"),
                 st.cell(r, "head_middle"), st.cell(r, "head_last"), st.cell(r, "ncm_first"),
                 st.cell(r, "ncm_last")]], ["---:"] * 7))
    cur = st.curves("3_accuracy_by_layer.csv", "layer", ["head_accuracy", "ncm_accuracy"])
    if cur:
        f = gnuplot(figs, "3_accuracy_by_layer", "accuracy read out from h_t (95% band over seeds)",
                    "layer t", "accuracy", [("trained head on h_t", curve(cur, "layer", "head_accuracy")),
                                            ("nearest class mean of h_t", curve(cur, "layer", "ncm_accuracy"))])
        w("\n![accuracy by layer](%s)\n" % f)
    hf, hl = mc(r, "head_first"), mc(r, "head_last")
    w("The integral identity holds to float rounding (%s). The trained head's accuracy on h_t "
      "goes from %s on the input to %s on h_T%s.\n" % (
          fmt(*mc(r, "integral_error")), fmt(*hf), fmt(*hl),
          ": the decision is built up along the transient" if hl[0] > hf[0] and not overlap(hf, hl)
          else " (no gain shown)"))


NETS = ["resnet10", "resnet20", "mlp1", "mlp2", "mlp3", "mlp10"]
GAUSS = [("acc", 0.0), ("gauss_0_1", 0.1), ("gauss_0_2", 0.2), ("gauss_0_3", 0.3), ("gauss_0_5", 0.5)]
FGSM = [("acc", 0.0), ("fgsm_0_01", 0.01), ("fgsm_0_02", 0.02), ("fgsm_0_05", 0.05), ("fgsm_0_1", 0.1)]


def gen4(st, figs, w):
    w("## 4. Noise: ResNets against MLPs, each at its best rate\n")
    w("    rdn sweep examples/paper/4_noise.rdn --grid net=resnet10,resnet20,mlp1,mlp2,mlp3,mlp10 --grid trial=1..6\n")
    w(source_line(st, figs) + "\n")
    w("ResNets (shared weights, width 784, eta 0.5, SGD lr 0.01 momentum 0.9) at depths 10 and 20 "
      "against MLPs of width 784 at depths 1, 2, 3 and 10 with Glorot's initialisation for "
      "logistic units, each trained with Adam at the rate of {1e-4, 3e-4, 1e-3} that did best on a "
      "10% validation split of the training images (per seed; the `lr` column is the mean of the "
      "chosen rates), then retrained on all of them. Gaussian noise uses the same streams for "
      "every net of a seed; FGSM is the first-order worst case of each net's own loss. Accuracy "
      "on the noise probe images (clean: the full test set):\n")
    nets = [n for n in NETS if st.rows(net=n)]
    rows = []
    for n in nets:
        r = st.row(net=n)
        rows.append([n, "%d" % r["runs"], "%.2g" % r["lr_mean"]] + [st.cell(r, k) for k, _ in GAUSS])
    w(table_md(["net", "seeds", "lr", "clean"] + ["sigma %g" % s for _, s in GAUSS[1:]], rows))
    rows = []
    for n in nets:
        r = st.row(net=n)
        rows.append([n] + [st.cell(r, k) for k, _ in FGSM[1:]] +
                    [st.cell(r, "amplification_last")])
    w("\nUnder FGSM (eps per input entry) and the noise amplification e_T / e_0 at the last "
      "layer (Gaussian sigma 0.1):\n")
    w(table_md(["net"] + ["FGSM eps %g" % e for _, e in FGSM[1:]] + ["e_T / e_0"], rows))
    for key, name, xs, xl in (("gauss", "4_robustness", GAUSS, "noise sigma"),
                              ("fgsm", "4_fgsm", FGSM, "FGSM eps")):
        series = []
        for n in nets:
            r = st.row(net=n)
            series.append((n, [(x, r[k + "_mean"], r[k + "_ci95"]) for k, x in xs]))
        f = gnuplot(figs, name, "accuracy under %s (95%% interval over seeds)" %
                    ("Gaussian input noise" if key == "gauss" else "FGSM"),
                    xl, "accuracy", series, bars=True)
        w("\n![%s](%s)\n" % (name, f))
    series = []
    for n in nets:
        cur = st.curves("4_noise_evolution.csv", "layer", ["distance"], net=n)
        series.append((n, curve(cur, "layer", "distance")))
    f = gnuplot(figs, "4_noise_evolution", "noise through the layers (sigma 0.1, 95% band over seeds)",
                "layer t", "mean ||h~_t - h_t||", series, logy=True)
    w("![noise evolution](%s)\n" % f)
    # the verdict, from the numbers
    res = [n for n in nets if n.startswith("resnet")]
    mlps = [n for n in nets if n.startswith("mlp")]
    if res and mlps:
        out = []
        for k, label in (("acc", "clean"), ("gauss_0_3", "Gaussian sigma 0.3"),
                         ("gauss_0_5", "Gaussian sigma 0.5"), ("fgsm_0_05", "FGSM eps 0.05")):
            br = max(res, key=lambda n: st.row(net=n)[k + "_mean"])
            bm = max(mlps, key=lambda n: st.row(net=n)[k + "_mean"])
            a, b = mc(st.row(net=br), k), mc(st.row(net=bm), k)
            if overlap(a, b):
                verdict = "a tie within the intervals"
            elif a[0] > b[0]:
                verdict = "the ResNet ahead"
            else:
                verdict = "the MLP ahead"
            out.append("%s: best ResNet %s %s against best MLP %s %s, %s" %
                       (label, br, fmt(*a), bm, fmt(*b), verdict))
        w("Which way it comes out (best ResNet against best MLP at each noise level, 95% "
          "intervals over seeds):\n")
        for o in out:
            w("- " + o)
        w("")


def gen5(st, figs, w):
    r = st.summary[0]
    w("## 5. Depth: a ResNet that finds its own depth\n")
    w("    rdn sweep examples/paper/5_depth.rdn --grid trial=1..4   # from depth 50, eta 0.1, tol 1e-4\n")
    w(source_line(st, figs) + "\n")
    w("Two nets per seed with the same initial weights, data and batch order: one at the fixed "
      "depth 50, one with `adaptive(tol: 1e-4, every: 1)`. Training times are clock time on the "
      "shared machine (the only results `rdn verify` cannot reproduce).\n")
    w(table_md(["fixed depth accuracy", "adaptive accuracy", "adaptive final depth",
                "fixed training time (s)", "adaptive training time (s)", "speed-up"],
               [[st.cell(r, "acc_fixed"), st.cell(r, "acc_adaptive"), st.cell(r, "final_depth", 1),
                 st.cell(r, "time_fixed", 1), st.cell(r, "time_adaptive", 1), st.cell(r, "speedup", 2)]],
               ["---:"] * 6))
    cur = st.curves("5_history.csv", "epoch", ["fixed_val_acc", "adaptive_val_acc", "adaptive_depth"])
    if cur:
        f = gnuplot(figs, "5_history", "accuracy per epoch on the curve's test images (95% band)",
                    "epoch", "accuracy", [("fixed depth", curve(cur, "epoch", "fixed_val_acc")),
                                          ("adaptive", curve(cur, "epoch", "adaptive_val_acc"))], bars=True)
        w("\n![accuracy per epoch](%s)\n" % f)
        w(table_md(["epoch"] + ["%d" % c["epoch"] for c in cur],
                   [["adaptive depth"] + [fmt(*c["adaptive_depth"], 1) for c in cur]]))
        w("")
    a, b = mc(r, "acc_fixed"), mc(r, "acc_adaptive")
    w("The adaptive net ends at depth %s, %s the fixed-depth one (%s against %s), with a speed-up "
      "of %s in training time.\n" % (fmt(*mc(r, "final_depth"), 1),
                                     "as accurate as" if overlap(a, b) else
                                     ("more accurate than" if b[0] > a[0] else "less accurate than"),
                                     fmt(*b), fmt(*a), fmt(*mc(r, "speedup"), 2)))


def main():
    p = argparse.ArgumentParser(prog="tools/paper.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--rdn", default=os.path.join(ROOT, "rdn"))
    r.add_argument("--runs", default=os.path.join(ROOT, "paper-runs"))
    r.add_argument("--scale", choices=["full", "small"], default="full")
    r.add_argument("--quick", action="store_true")
    r.add_argument("--threads", type=int, default=0)
    r.add_argument("--data", default="")
    r.add_argument("--only", default="", help="comma-separated study names")
    g = sub.add_parser("gen")
    g.add_argument("--runs", default=os.path.join(ROOT, "paper-runs"))
    g.add_argument("--doc", default=os.path.join(ROOT, "docs", "paper.md"))
    g.add_argument("--figs", default=os.path.join(ROOT, "docs", "paper"))
    a = p.parse_args()
    if a.cmd == "run":
        return cmd_run(a)
    return cmd_gen(a)


if __name__ == "__main__":
    sys.exit(main())
