#!/usr/bin/env python3
"""The BenchmarkDotNet figures in docs/algorithms.md and docs/benchmarks.md, written from results files only.

  bench/tools/microbench-docs.py            rewrite the generated blocks of both documents
  bench/tools/microbench-docs.py --check    exit 1 (and say which block) when a document differs from its results
  options: --results DIR (default bench/results/benchmarkdotnet)   --repo DIR (default: this script's repository)

The results are BenchmarkDotNet's JSON reports (`--exporters json`), one per benchmark class, found anywhere below
--results; when a class has several, the newest file wins. Make them on a quiet machine with (repository root):

  dotnet build -c Release bench/Ballast.Benchmarks
  dotnet bench/Ballast.Benchmarks/bin/Release/net10.0/Ballast.Benchmarks.dll --job short --inProcess \\
      --filter '*PickBenchmarks*' '*BuildBenchmarks*' --exporters json --artifacts bench/results/benchmarkdotnet

then run this script and commit the JSON files with the documents. A block is the text between
`<!-- microbench:NAME -->` and `<!-- /microbench -->`; everything outside the blocks is left alone. A block whose
results file does not exist yet says so instead of showing figures.
"""
import argparse
import glob
import json
import os
import re
import sys

RUN = ("dotnet bench/Ballast.Benchmarks/bin/Release/net10.0/Ballast.Benchmarks.dll --job short --inProcess "
       "--filter '*PickBenchmarks*' '*BuildBenchmarks*' --exporters json --artifacts bench/results/benchmarkdotnet")

# The order of PickBenchmarks' [Params]: the order of the selection guide.
ALGORITHMS = ["RoundRobin", "WeightedRoundRobin", "Random", "WeightedRandom", "LeastConnections",
              "WeightedLeastConnections", "PowerOfTwoChoices", "LeastResponseTime", "IpHash", "ConsistentHash",
              "Maglev", "ConsistentHashBoundedLoad"]
SIZES = [3, 100, 1000]

BLOCK = re.compile(r"(<!-- microbench:([\w-]+) -->\n)(.*?)(<!-- /microbench -->)", re.S)


def newest_report(results, benchmark_class):
    """The newest JSON report of a class (any of BenchmarkDotNet's json exporters), or None."""
    files = [f for f in glob.glob(os.path.join(results, "**", f"*.{benchmark_class}-report*.json"), recursive=True)]
    if not files:
        return None
    return max(files, key=lambda f: (os.path.getmtime(f), f))


def parameters(text, full_name=""):
    """BenchmarkDotNet's 'Algorithm=Maglev, Endpoints=100' (or '&'-joined) as a dict of strings. BenchmarkDotNet
    shortens long values there ('Weigh(...)tions [24]'); the full name's '(Algorithm: WeightedLeastConnections,
    Endpoints: 3)' has them whole, so it wins where it parses."""
    pairs = [p.split("=", 1) for p in re.split(r"[,&]\s*", text or "") if "=" in p]
    found = {k.strip(): v.strip() for k, v in pairs}
    whole = re.search(r"\(([^()]*)\)$", full_name or "")
    if whole:
        for part in whole.group(1).split(","):
            if ":" in part:
                k, v = part.split(":", 1)
                found[k.strip()] = v.strip()
    return found


def load(path, repo):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    rows = []
    for b in report.get("Benchmarks", []):
        stats = b.get("Statistics") or {}
        if stats.get("Median") is None:
            continue  # a benchmark that failed has no statistics: it gets no row
        rows.append({
            "method": b.get("Method", ""),
            "params": parameters(b.get("Parameters", ""), b.get("FullName", "")),
            "median_ns": stats["Median"],
            "mean_ns": stats.get("Mean"),
            "margin_ns": (stats.get("ConfidenceInterval") or {}).get("Margin"),
            "allocated": (b.get("Memory") or {}).get("BytesAllocatedPerOperation"),
        })
    env = report.get("HostEnvironmentInfo") or {}
    source = os.path.relpath(path, repo)
    machine = ", ".join(x for x in [env.get("ProcessorName"), f"{env.get('LogicalCoreCount')} logical cores"
                                    if env.get("LogicalCoreCount") else None, env.get("RuntimeVersion")] if x)
    return {"rows": rows, "source": source, "title": report.get("Title", ""), "machine": machine}


def ns(value, scale=True):
    """A time in ns; scaled to µs or ms unless the column compares ns (picks)."""
    if value is None:
        return "–"
    if not scale:
        return f"{value:,.2f} ns"
    if value >= 1e6:
        return f"{value / 1e6:,.2f} ms"
    if value >= 1e3:
        return f"{value / 1e3:,.2f} µs"
    return f"{value:,.2f} ns"


def size_bytes(value):
    if value is None:
        return "–"
    return f"{value:,} B" if value < 10_000 else f"{value / 1024:,.1f} KiB"


def provenance(data):
    return f"From `{data['source']}` (run `{data['title']}`; {data['machine']})."


def missing(benchmark_class):
    run = RUN if benchmark_class in ("PickBenchmarks", "BuildBenchmarks") else RUN.replace(
        "'*PickBenchmarks*' '*BuildBenchmarks*'", f"'*{benchmark_class}*'")
    return (f"No results file yet for `{benchmark_class}`: run `{run}` on a quiet machine, then "
            "`bench/tools/microbench-docs.py`.\n")


def pick_medians(data):
    """algorithms.md: median per pick of every algorithm at 3 / 100 / 1,000 endpoints."""
    by = {(r["params"].get("Algorithm"), int(r["params"].get("Endpoints", 0))): r for r in data["rows"]}
    lines = [provenance(data), "",
             "| Algorithm | 3 endpoints | 100 endpoints | 1,000 endpoints | Allocated / pick |",
             "|---|---:|---:|---:|---:|"]
    for algorithm in ALGORITHMS:
        cells = [by.get((algorithm, n)) for n in SIZES]
        if not any(cells):
            continue
        allocated = max((c["allocated"] for c in cells if c and c["allocated"] is not None), default=None)
        lines.append(f"| `{algorithm}` | " + " | ".join(ns(c["median_ns"], scale=False) if c else "–" for c in cells)
                     + f" | {size_bytes(allocated)} |")
    return "\n".join(lines) + "\n"


def pick_details(data):
    """benchmarks.md: every PickBenchmarks row with its mean, 99.9% error and median."""
    order = {a: i for i, a in enumerate(ALGORITHMS)}
    rows = sorted(data["rows"], key=lambda r: (order.get(r["params"].get("Algorithm"), 99), int(r["params"].get("Endpoints", 0))))
    lines = [provenance(data), "",
             "| Algorithm | Endpoints | Mean / pick | Error (99.9% half-CI) | Median | Allocated / pick |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['params'].get('Algorithm', '?')} | {int(r['params'].get('Endpoints', 0)):,} | {ns(r['mean_ns'], False)} | "
                     f"{ns(r['margin_ns'], False)} | {ns(r['median_ns'], False)} | {size_bytes(r['allocated'])} |")
    return "\n".join(lines) + "\n"


def timed_rows(data, leading, cells, key):
    """A table of one row per benchmark: the `leading` columns (a header name and alignment each) filled by
    `cells(row)`, then median, mean, 99.9% error and allocation, rows sorted by `key`."""
    header = [name for name, _ in leading] + ["Median", "Mean", "Error (99.9% half-CI)", "Allocated"]
    align = [a for _, a in leading] + ["---:"] * 4
    lines = [provenance(data), "", "| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    for r in sorted(data["rows"], key=key):
        values = cells(r) + [ns(r["median_ns"]), ns(r["mean_ns"]), ns(r["margin_ns"]), size_bytes(r["allocated"])]
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines) + "\n"


def builds(data):
    """Both documents: the cost of building a balancer's table at 1,000 endpoints."""
    return timed_rows(data, [("Table", "---"), ("Endpoints", "---:")],
                      lambda r: [f"`{r['method']}`", f"{int(r['params'].get('Endpoints', 0)):,}"],
                      key=lambda r: r["method"])


def gateway_api(data):
    """benchmarks.md: compile time of N HTTPRoutes and one route lookup among their rules (flat: the route index)."""
    def routes(r):
        return int(r["params"].get("Routes", 0))
    return timed_rows(data, [("Operation", "---"), ("HTTPRoutes", "---:"), ("Rules", "---:")],
                      lambda r: [f"`{r['method']}`", f"{routes(r):,}", f"{routes(r) * int(r['params'].get('RulesPerRoute', 0)):,}"],
                      key=lambda r: (r["method"], routes(r)))


def by_method(data):
    """Any class without parameters: one row per method."""
    return timed_rows(data, [("Method", "---")], lambda r: [f"`{r['method']}`"], key=lambda r: r["method"])


# Block name -> (benchmark class, renderer).
BLOCKS = {
    "pick-medians": ("PickBenchmarks", pick_medians),
    "pick-details": ("PickBenchmarks", pick_details),
    "build": ("BuildBenchmarks", builds),
    "gateway-api": ("GatewayApiBenchmarks", gateway_api),
    "access-log-format": ("AccessLogFormatterBenchmarks", by_method),
}
DOCUMENTS = ["docs/algorithms.md", "docs/benchmarks.md"]


def render(name, results, repo):
    if name not in BLOCKS:
        raise SystemExit(f"microbench-docs: unknown block '{name}' (known: {', '.join(BLOCKS)})")
    benchmark_class, renderer = BLOCKS[name]
    path = newest_report(results, benchmark_class)
    return missing(benchmark_class) if path is None else renderer(load(path, repo))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", default=os.path.normpath(os.path.join(here, "..", "..")))
    parser.add_argument("--results")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    results = args.results or os.path.join(args.repo, "bench", "results", "benchmarkdotnet")

    stale = []
    for document in DOCUMENTS:
        path = os.path.join(args.repo, document)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new = BLOCK.sub(lambda m: m.group(1) + render(m.group(2), results, args.repo) + m.group(4), text)
        if new == text:
            continue
        if args.check:
            stale += [f"{document}: block {m.group(2)}" for m in BLOCK.finditer(text)
                      if m.group(3) != render(m.group(2), results, args.repo)]
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            print(f"microbench-docs: rewrote {document}")
    if stale:
        print("microbench-docs: out of date with the results files (run bench/tools/microbench-docs.py):\n  "
              + "\n  ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
