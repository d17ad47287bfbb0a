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


def write_times(runs, times):
    p = os.path.join(runs, "times.csv")
    with open(p + ".tmp", "w") as f:
        f.write("study,seconds\n")
        for k in sorted(times):
            f.write("%s,%.1f\n" % (k, times[k]))
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
        rc = subprocess.call(cmd)
        times = read_times(a.runs)
        times[name] = times.get(name, 0.0) + time.time() - t0
        write_times(a.runs, times)
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


RUNS_REL = None


def rel(p):
    return os.path.relpath(p, ROOT)


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
