#!/usr/bin/env python3
"""Parsing and reporting for bench/run.

  report.py parse wrk FILE PROXY SCENARIO ROUND CPU_TICKS CLK_TCK     -> TSV rows on stdout
  report.py parse h2load FILE PROXY SCENARIO ROUND CPU_TICKS CLK_TCK  -> TSV rows on stdout
  report.py parse ws FILE PROXY SCENARIO ROUND                        -> TSV rows on stdout
  report.py parse iperf3 FILE PROXY SCENARIO ROUND CPU_TICKS CLK_TCK  -> TSV rows on stdout (iperf3 -J output)
  report.py report --tsv F --json F [--docs F] ...                    -> JSON file, Markdown on stdout
            (--tsv may name an earlier results .json to regenerate its Markdown)

A TSV row is: proxy, scenario, round, metric, value.
"""
import argparse
import datetime
import json
import os
import re
import statistics
import sys

PROXIES = ["ballast", "haproxy", "nginx", "yarp-stock", "yarp-tuned"]
LABEL = {"ballast": "Ballast", "haproxy": "HAProxy", "nginx": "nginx",
         "yarp-stock": "bare YARP (stock)", "yarp-tuned": "bare YARP (tuned)"}
SECTION = "## Whole proxy (bench/run)"
TCP_SECTION = "## TCP proxy, Layer 4 (bench/run)"
TCP_PROXIES = ["ballast", "haproxy", "nginx"]
TCP_LABEL = {"ballast": "Ballast (TCP listener)", "haproxy": "HAProxy `mode tcp`", "nginx": "nginx `stream`"}


def duration_us(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if not m:
        return None
    return float(m.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6, "m": 6e7}[m.group(2)]


def rows(proxy, scen, rnd, metrics):
    for k, v in metrics.items():
        if v is not None:
            print(f"{proxy}\t{scen}\t{rnd}\t{k}\t{v}")


def cpu_per_request(ticks, clk_tck, requests):
    if not requests or ticks <= 0:
        return None
    return round(ticks / clk_tck * 1e6 / requests, 2)


def parse_wrk(path, proxy, scen, rnd, ticks, clk_tck):
    text = open(path, errors="replace").read()
    m = {}
    r = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    m["rps"] = float(r.group(1)) if r else 0.0
    r = re.search(r"(\d+) requests in", text)
    requests = int(r.group(1)) if r else 0
    m["requests"] = requests
    errors = 0
    r = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if r:
        errors += int(r.group(1))
    r = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if r:
        errors += sum(int(x) for x in r.groups())
    m["errors"] = errors
    for pct, key in (("50%", "p50_us"), ("99%", "p99_us")):
        r = re.search(rf"^\s+{re.escape(pct)}\s+(\S+)", text, re.M)
        if r:
            m[key] = duration_us(r.group(1))
    m["cpu_us_per_req"] = cpu_per_request(int(ticks), int(clk_tck), requests)
    if requests == 0:
        print(f"bench/run: {path} has no requests:\n{text}", file=sys.stderr)
    rows(proxy, scen, rnd, m)


def parse_h2load(path, proxy, scen, rnd, ticks, clk_tck):
    text = open(path, errors="replace").read()
    m = {}
    r = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text)
    m["rps"] = float(r.group(1)) if r else 0.0
    r = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", text)
    succeeded = int(r.group(4)) if r else 0
    m["requests"] = succeeded
    m["errors"] = (int(r.group(5)) + int(r.group(6))) if r else None
    m["cpu_us_per_req"] = cpu_per_request(int(ticks), int(clk_tck), succeeded)
    if succeeded == 0:
        print(f"bench/run: {path} has no requests:\n{text}", file=sys.stderr)
    rows(proxy, scen, rnd, m)


def parse_iperf3(path, proxy, scen, rnd, ticks, clk_tck):
    m = {"gbit_s": 0.0, "bytes": 0, "errors": 1}
    try:
        doc = json.load(open(path))
        received = doc["end"]["sum_received"]
        m = {"gbit_s": round(received["bits_per_second"] / 1e9, 3), "bytes": int(received["bytes"]), "errors": 0}
        if int(ticks) > 0 and m["bytes"]:
            m["cpu_s_per_gib"] = round(int(ticks) / int(clk_tck) / (m["bytes"] / 2**30), 3)
    except (OSError, ValueError, KeyError) as e:
        print(f"bench/run: {path} is not a finished iperf3 run ({e}):\n{open(path, errors='replace').read()[:2000]}", file=sys.stderr)
    rows(proxy, scen, rnd, m)


def parse_ws(path, proxy, scen, rnd):
    text = open(path, errors="replace").read().strip().splitlines()
    try:
        state = json.loads(text[-1])
    except (IndexError, ValueError):
        print(f"bench/run: no WebSocket result in {path}", file=sys.stderr)
        return
    rows(proxy, scen, rnd, {"ws_opened": state["opened"], "ws_refused": state["refused"],
                            "ws_closed": state["closed"], "ws_alive": state["alive"]})


# ------------------------------------------------------------------------------------------ report

def load(tsv):
    data = {}
    for line in open(tsv):
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 5:
            continue
        proxy, scen, rnd, metric, value = parts
        try:
            value = float(value)
        except ValueError:
            pass
        data.setdefault(proxy, {}).setdefault(scen, {}).setdefault(metric, []).append(value)
    return data


def med(data, proxy, scen, metric):
    vals = [v for v in data.get(proxy, {}).get(scen, {}).get(metric, []) if isinstance(v, float)]
    return statistics.median(vals) if vals else None


def one(data, proxy, scen, metric):
    vals = data.get(proxy, {}).get(scen, {}).get(metric, [])
    return vals[-1] if vals else None


def fmt(v, digits=0):
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    return f"{v:,.{digits}f}"


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


def section_head(heading):
    return [heading, "", "<!-- Written by bench/run; rerun it rather than editing figures by hand. -->", ""]


HEADLINE_SCENARIOS = [("h1-small-64", "HTTP/1.1, 64 conns"), ("h1-small-1", "HTTP/1.1, 1 conn"),
                      ("h2c-small", "h2c 16×10"), ("h1-10k-64", "HTTP/1.1 10 KiB, 64 conns"),
                      ("h1-1m-64", "HTTP/1.1 1 MiB, 64 conns")]
CLIENT_CORE_LIMIT = 90.0    # % busy: above it the load generators, not the proxy, may cap a round
SPREAD_LIMIT = 0.10         # (max - min) / median of a ratio over rounds
QUIET_LIMIT = 5.0           # % of core 0 spent outside the proxy under test


def per_round(data, proxy, scen, metric):
    """{round: value} for one proxy and scenario. Each round appends one value per metric, in round order, and
    rounds are interleaved, so round r of two proxies ran close in time."""
    values = data.get(proxy, {}).get(scen, {}).get(metric, [])
    return {i + 1: v for i, v in enumerate(values) if isinstance(v, float)}


def per_core(data, proxy, scen):
    """Requests per proxy CPU-second, per round: 1e6 / (CPU µs per request)."""
    return {r: 1e6 / v for r, v in per_round(data, proxy, scen, "cpu_us_per_req").items() if v > 0}


def spread(values):
    """'median (min..max)' and the relative spread, or (None, None)."""
    if not values:
        return None, None
    m = statistics.median(values)
    return (m, min(values), max(values)), ((max(values) - min(values)) / m if m else None)


def fmt_spread(s, digits=2, suffix="×"):
    if s is None:
        return "–"
    m, lo, hi = s
    if lo == hi:
        return f"{m:.{digits}f}{suffix}"
    return f"{m:.{digits}f}{suffix} ({lo:.{digits}f}..{hi:.{digits}f})"


def busy_rounds(data, proxies, scen, metric, limit):
    """Rounds in which any of the proxies' runs saw metric above limit."""
    return sorted({r for p in proxies for r, v in per_round(data, p, scen, metric).items() if v > limit})


def headline(data, present):
    """The per-core headline: requests per proxy CPU-second, and Ballast's ratio to each peer computed round by
    round (median and min..max over rounds), with flags where a round cannot be trusted."""
    if "ballast" not in present:
        return []
    out = ["**Headline, per proxy core** (requests per CPU-second of the proxy's own processes, from /proc; "
           "Ballast's ratio to each peer computed round by round, median and min..max over rounds). "
           f"Flags: ⚑client = in that round the load generators' core was over {CLIENT_CORE_LIMIT:.0f}% busy, "
           f"so the client may have capped the peer; ⚑spread = min..max over {SPREAD_LIMIT:.0%} of the median; "
           f"⚑noisy = over {QUIET_LIMIT:.0f}% of the proxy's core went to other work.", ""]
    peers = [p for p in ("nginx", "haproxy", "yarp-tuned", "yarp-stock") if p in present]
    out.append("| scenario | Ballast req per CPU-s | " + " | ".join(f"/ {LABEL[p]}" for p in peers) + " | flags |")
    out.append("|---|---:|" + "---:|" * len(peers) + "---|")
    for scen, title in HEADLINE_SCENARIOS:
        own = per_core(data, "ballast", scen)
        if not own:
            continue
        own_s, _ = spread(list(own.values()))
        cells, flags = [], set()
        for peer in peers:
            theirs = per_core(data, peer, scen)
            ratios = [own[r] / theirs[r] for r in own if r in theirs and theirs[r] > 0]
            s, rel = spread(ratios)
            cells.append(fmt_spread(s))
            if rel is not None and rel > SPREAD_LIMIT:
                flags.add("⚑spread")
        if len(own) < 2:
            flags.add("⚑1 round (no spread)")
        involved = ["ballast"] + peers
        client = busy_rounds(data, involved, scen, "core1_busy_pct", CLIENT_CORE_LIMIT)
        if client:
            flags.add("⚑client (round " + ", ".join(map(str, client)) + ")")
        noisy = busy_rounds(data, involved, scen, "core0_other_pct", QUIET_LIMIT)
        if noisy:
            flags.add("⚑noisy (round " + ", ".join(map(str, noisy)) + ")")
        own_cell = f"{own_s[0]:,.0f} ({own_s[1]:,.0f}..{own_s[2]:,.0f})" if own_s[1] != own_s[2] else f"{own_s[0]:,.0f}"
        out.append(f"| {title} | {own_cell} | " + " | ".join(cells) + f" | {' '.join(sorted(flags)) or '–'} |")
    one_conn, many = per_core(data, "ballast", "h1-small-1"), per_core(data, "ballast", "h1-small-64")
    if one_conn and many:
        cost = statistics.median(many.values()) / statistics.median(one_conn.values())
        out.append("")
        out.append(f"Ballast's CPU per request at 1 connection is {cost:.2f}× its CPU per request at 64 connections "
                   "(a proxy that spins while idle between requests shows a large factor here).")
    return out


def measured_load(data):
    """One sentence on how quiet the machine was, from what was measured during the runs (never assumed)."""
    other = [v for p in data for s in data[p] for v in data[p][s].get("core0_other_pct", []) if isinstance(v, float)]
    client = [v for p in data for s in data[p] for v in data[p][s].get("core1_busy_pct", []) if isinstance(v, float)]
    if not other:
        return "Measured load: not recorded by this run (older harness): treat the figures as unverified."
    quiet = max(other) <= QUIET_LIMIT
    text = (f"Measured load during the {len(other)} measured runs: core 0 (proxy under test) spent a median "
            f"{statistics.median(other):.1f}% (max {max(other):.1f}%) on other work; core 1 (load generators and "
            f"origins) was a median {statistics.median(client):.0f}% busy (max {max(client):.0f}%).")
    return text + (" **Quiet machine** (no run over " f"{QUIET_LIMIT:.0f}% other work on the proxy core)." if quiet else
                   " **Not a quiet machine**: other work shared the proxy's core in some runs (⚑noisy); rerun before drawing conclusions.")


def load_note(args):
    """The load-average line, and a warning when other work was running (shared by both sections)."""
    return [f"Load average (1/5/15 min) before / after the run: {args.load}.", "", measured_load(args.data)]


def markdown(data, args, present):
    out = section_head(SECTION)
    w = out.append
    w("`bench/run` starts HAProxy, nginx, bare YARP (stock and with Ballast's runtime settings) and Ballast "
      "(`ballast run --config DIR` on a generated YAML folder: one HTTP listener, one route `/`, a RoundRobin "
      "BackendPool of three origins with an active HTTP health check, metrics on) and drives them side by side. "
      "`bench/run --quick` (under 2 minutes on an idle machine after the first build) measures HTTP/1.1 with 64 "
      "and 1 connections, h2c and memory with 1,000 idle connections; the full run (~20 minutes) adds 10 KiB and "
      "1 MiB bodies, route tables of 1/100/10,000 routes, 10,000 idle connections (capped by the open-file "
      "limit) and reload under load with WebSockets. Every figure is kept in `bench/results/<date>-<mode>.json`.")
    w("")
    w(f"Measured {args.date} on {args.machine}; {args.tools}.")
    w(f"Command: `{args.command}` ({args.mode} mode: {args.rounds} interleaved round(s) of {args.duration} s "
      "per scenario, proxy order rotated each round, figures are medians over rounds).")
    w("")
    w("Layout: each proxy runs alone on core 0 (`taskset -c 0`; only one receives load at a time); the origins "
      "(one nginx, three ports, `return 200` / 10 KiB / 1 MiB static bodies; a Python WebSocket echo) and the "
      "load generators (`wrk -t1`, `h2load -t1`) share core 1, so absolute figures are lower than on a real "
      "server and the ratios are what to read. Every proxy forwards to the same three origins, round robin, "
      "keep-alive to the origins, no access logs. bare YARP (tuned) = Hosting.Diagnostics logging off, "
      "`ActivityHeadersPropagator = null`, `DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1`, "
      "`DOTNET_TC_CallCountingDelayMs=0`. CPU per request = (utime+stime of the proxy's processes) / requests.")
    w("")
    out.extend(load_note(args))
    w("")
    out.extend(headline(data, present))
    if args.skipped:
        w("")
        w(f"**Not measured: {args.skipped}.**")
    w("")
    w("| proxy | HTTP/1.1 64 conns req/s | CPU µs/req | HTTP/1.1 1 conn req/s | p50 µs | p99 µs | h2c 16×10 req/s | h2c CPU µs/req | 10 KiB req/s | 1 MiB req/s |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for p in present:
        h2 = "n/a (no h2c)" if one(data, p, "h2c-small", "unsupported") else fmt(med(data, p, "h2c-small", "rps"))
        w(f"| {LABEL[p]} | {fmt(med(data, p, 'h1-small-64', 'rps'))} | {fmt(med(data, p, 'h1-small-64', 'cpu_us_per_req'), 1)} "
          f"| {fmt(med(data, p, 'h1-small-1', 'rps'))} | {fmt(med(data, p, 'h1-small-1', 'p50_us'))} "
          f"| {fmt(med(data, p, 'h1-small-1', 'p99_us'))} | {h2} | {fmt(med(data, p, 'h2c-small', 'cpu_us_per_req'), 1)} "
          f"| {fmt(med(data, p, 'h1-10k-64', 'rps'))} | {fmt(med(data, p, 'h1-1m-64', 'rps'))} |")
    errs = {p: sum(sum(v for v in data[p].get(s, {}).get("errors", []) if isinstance(v, float))
                   for s in ("h1-small-64", "h1-small-1", "h2c-small", "h1-10k-64", "h1-1m-64")) for p in present}
    if any(errs.values()):
        w("")
        w("Errors during the measured runs (non-2xx, socket errors, failed h2 streams): "
          + ", ".join(f"{LABEL[p]} {int(e)}" for p, e in errs.items()) + ".")

    # ratios: the subject against each peer
    subjects = [p for p in ["ballast", "yarp-tuned", "yarp-stock"] if p in present]
    peers = [p for p in ["nginx", "haproxy", "yarp-stock", "yarp-tuned"] if p in present]
    if subjects:
        w("")
        w("Ratios of the medians (requests per second, not per core: a peer capped by the client core looks "
          "slower here than it is; read the per-core headline above. Throughput: higher is better for the first "
          "named; p99, CPU and memory: lower is better):")
        w("")
        w("| ratio | HTTP/1.1 64 conns | HTTP/1.1 1 conn | p99 1 conn | h2c | CPU/req | RSS idle |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        pairs = {"ballast": ["nginx", "haproxy", "yarp-stock", "yarp-tuned"],
                 "yarp-tuned": ["nginx", "haproxy", "yarp-stock"], "yarp-stock": ["nginx", "haproxy"]}
        for s in subjects:
            for peer in [q for q in pairs[s] if q in peers]:
                w(f"| {LABEL[s]} / {LABEL[peer]} "
                  f"| {ratio(med(data, s, 'h1-small-64', 'rps'), med(data, peer, 'h1-small-64', 'rps'))} "
                  f"| {ratio(med(data, s, 'h1-small-1', 'rps'), med(data, peer, 'h1-small-1', 'rps'))} "
                  f"| {ratio(med(data, s, 'h1-small-1', 'p99_us'), med(data, peer, 'h1-small-1', 'p99_us'))} "
                  f"| {ratio(med(data, s, 'h2c-small', 'rps'), med(data, peer, 'h2c-small', 'rps'))} "
                  f"| {ratio(med(data, s, 'h1-small-64', 'cpu_us_per_req'), med(data, peer, 'h1-small-64', 'cpu_us_per_req'))} "
                  f"| {ratio(one(data, s, 'memory', 'rss_idle_kib'), one(data, peer, 'memory', 'rss_idle_kib'))} |")

    w("")
    w("Start, warm-up and memory (warm-up: 1-second `wrk -c64` slices from the first 200 until three in a row "
      "agree within 5%; RSS from /proc, main process plus workers):")
    w("")
    w("| proxy | first 200 after s | steady after s of load | warm-up slices req/s | RSS idle MiB | idle conns held | RSS with them MiB | KiB per conn |")
    w("|---|---:|---:|---|---:|---:|---:|---:|")
    for p in present:
        idle = one(data, p, "memory", "rss_idle_kib")
        busy = one(data, p, "memory", "rss_idle_conns_kib")
        conns = one(data, p, "memory", "idle_conns_ok")
        per = (busy - idle) / conns if idle and busy and conns else None
        slices = one(data, p, "warmup-r1", "slices")
        slices = ", ".join(f"{float(x) / 1000:.1f}k" for x in str(slices).split(",") if x) if slices else "–"
        w(f"| {LABEL[p]} | {fmt(one(data, p, 'start-r1', 'ready_s'), 2)} | {fmt(one(data, p, 'warmup-r1', 'steady_after_s'))} "
          f"| {slices} | {fmt(idle / 1024 if idle else None, 1)} | {fmt(conns)} "
          f"| {fmt(busy / 1024 if busy else None, 1)} | {fmt(per, 1)} |")

    if any("routes-10000" in data.get(p, {}) for p in present):
        w("")
        w("Route tables (HTTP/1.1, 64 conns; N−1 prefix routes `/svcI/` plus a catch-all, the load asks for the "
          "last route defined; HAProxy uses a `map_beg` map file, nginx `location` blocks, YARP/Ballast routes):")
        w("")
        w("| proxy | 1 route req/s | 100 routes req/s | 10,000 routes req/s | start to first 200 at 10,000 s | RSS at 10,000 MiB |")
        w("|---|---:|---:|---:|---:|---:|")
        for p in present:
            if "routes-1" not in data.get(p, {}):
                continue
            rss = one(data, p, "routes-10000", "rss_kib")
            w(f"| {LABEL[p]} | {fmt(med(data, p, 'routes-1', 'rps'))} | {fmt(med(data, p, 'routes-100', 'rps'))} "
              f"| {fmt(med(data, p, 'routes-10000', 'rps'))} | {fmt(one(data, p, 'start-r10000', 'ready_s'), 2)} "
              f"| {fmt(rss / 1024 if rss else None, 1)} |")

    if "h1-small-64-access-log" in data.get("ballast", {}):
        w("")
        w("Day-two costs (Ballast, HTTP/1.1 64 conns, same rounds as above; target: at most 10% fewer requests "
          "per core with access logs on): access log = a JSON line per request to a file (`accessLog: { format: Json, "
          "file: ... }` on the listener), written off the request path through the bounded queue:")
        w("")
        w("| Ballast | req/s | CPU µs/req | req/s vs off | CPU/req vs off | lines dropped |")
        w("|---|---:|---:|---:|---:|---:|")
        off_rps, off_cpu = med(data, "ballast", "h1-small-64", "rps"), med(data, "ballast", "h1-small-64", "cpu_us_per_req")
        w(f"| access log off | {fmt(off_rps)} | {fmt(off_cpu, 1)} | 1.00 | 1.00 | – |")
        on_rps, on_cpu = med(data, "ballast", "h1-small-64-access-log", "rps"), med(data, "ballast", "h1-small-64-access-log", "cpu_us_per_req")
        w(f"| access log JSON to a file | {fmt(on_rps)} | {fmt(on_cpu, 1)} | {ratio(on_rps, off_rps)} | {ratio(on_cpu, off_cpu)} "
          f"| {fmt(one(data, 'ballast', 'h1-small-64-access-log', 'log_dropped'))} |")
        if "h1-small-64-tracing" in data.get("ballast", {}):
            tr_rps, tr_cpu = med(data, "ballast", "h1-small-64-tracing", "rps"), med(data, "ballast", "h1-small-64-tracing", "cpu_us_per_req")
            w(f"| tracing, 1% sampled, OTLP/HTTP (target ≤ 5% fewer) | {fmt(tr_rps)} | {fmt(tr_cpu, 1)} | {ratio(tr_rps, off_rps)} "
              f"| {ratio(tr_cpu, off_cpu)} | – |")

    if any("reload" in data.get(p, {}) for p in present):
        w("")
        w("Reload under load (64 `wrk` connections and 200 WebSockets for 25 s; 10 configuration changes, "
          "1.5 s apart: nginx `-s reload`, HAProxy master-worker reload (USR2), Ballast an edited YAML file):")
        w("")
        w("| proxy | requests | failed (non-2xx + socket errors) | WebSockets opened | WebSockets closed |")
        w("|---|---:|---:|---:|---:|")
        for p in present:
            if "reload" not in data.get(p, {}):
                continue
            w(f"| {LABEL[p]} | {fmt(one(data, p, 'reload', 'requests'))} | {fmt(one(data, p, 'reload', 'errors'))} "
              f"| {fmt(one(data, p, 'reload', 'ws_opened'))} | {fmt(one(data, p, 'reload', 'ws_closed'))} |")
    w("")
    return "\n".join(out)


def tcp_markdown(data, args, present):
    out = section_head(TCP_SECTION)
    w = out.append
    w("The TCP scenario of `bench/run` (both modes; `bench/run --tcp-only` runs nothing else): HAProxy `mode tcp`, "
      "nginx `stream` and Ballast's TCP listener (`protocol: TCP` with a tcpRoute, from a YAML folder), each alone "
      "on core 0, load and origins on core 1. **Stream**: one `iperf3` stream pushed through the proxy to an "
      "`iperf3 -s` origin for the round's duration (bytes/s; the proxy's CPU seconds per GiB relayed). "
      "**Connections**: `wrk -c64 -H 'Connection: close'` through the proxy to the three nginx origins (round "
      "robin): every request is a new TCP connection accepted, connected to an origin and closed, so req/s = "
      "connections/s. None of the proxies looks inside the bytes. Relay buffers are 32 KiB in all three "
      "(HAProxy `tune.bufsize`, nginx `proxy_buffer_size`, Ballast's default); HAProxy `nbthread 1`, nginx one "
      "worker; Ballast's threads all share core 0.")
    w("")
    w(f"Measured {args.date} on {args.machine}; {args.tools}.")
    w(f"Command: `{args.command}` ({args.rounds} interleaved round(s) of {args.duration} s per scenario, "
      "medians over rounds).")
    w("")
    note = load_note(args)
    out.extend(note)
    if "Not a quiet" in note[-1]:
        w("On a loaded machine the scheduler shares core 0 per thread, so Ballast (several threads) gets a larger "
          "share of it than single-threaded HAProxy and nginx: compare the CPU columns, not the throughput ones.")
    w("")
    w("| proxy | stream Gbit/s | CPU s per GiB | new connections/s | CPU µs per connection | errors |")
    w("|---|---:|---:|---:|---:|---:|")
    for p in present:
        errors = sum(v for s in ("tcp-stream", "tcp-conn") for v in data[p].get(s, {}).get("errors", []) if isinstance(v, float))
        w(f"| {TCP_LABEL[p]} | {fmt(med(data, p, 'tcp-stream', 'gbit_s'), 2)} | {fmt(med(data, p, 'tcp-stream', 'cpu_s_per_gib'), 2)} "
          f"| {fmt(med(data, p, 'tcp-conn', 'rps'))} | {fmt(med(data, p, 'tcp-conn', 'cpu_us_per_req'), 1)} | {int(errors)} |")
    if "ballast" in present:
        w("")
        w("Ratios (throughput: higher is better for Ballast; CPU: lower is better):")
        w("")
        w("| ratio | stream | CPU per GiB | connections/s | CPU per connection |")
        w("|---|---:|---:|---:|---:|")
        for peer in [q for q in ("haproxy", "nginx") if q in present]:
            w(f"| Ballast / {TCP_LABEL[peer]} "
              f"| {ratio(med(data, 'ballast', 'tcp-stream', 'gbit_s'), med(data, peer, 'tcp-stream', 'gbit_s'))} "
              f"| {ratio(med(data, 'ballast', 'tcp-stream', 'cpu_s_per_gib'), med(data, peer, 'tcp-stream', 'cpu_s_per_gib'))} "
              f"| {ratio(med(data, 'ballast', 'tcp-conn', 'rps'), med(data, peer, 'tcp-conn', 'rps'))} "
              f"| {ratio(med(data, 'ballast', 'tcp-conn', 'cpu_us_per_req'), med(data, peer, 'tcp-conn', 'cpu_us_per_req'))} |")
    w("")
    return "\n".join(out)


def write_docs(path, section, heading=SECTION):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        text = open(path).read()
    except FileNotFoundError:
        text = "# Benchmarks\n\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, l in enumerate(lines) if l.strip() == heading), None)
    if start is not None:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[start:end] = [section + "\n"]
    elif heading != SECTION and any(l.strip() == SECTION for l in lines):   # first time: right after the HTTP section
        http = next(i for i, l in enumerate(lines) if l.strip() == SECTION)
        end = next((i for i in range(http + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[end:end] = [section + "\n"]
    else:
        micro = next((i for i, l in enumerate(lines) if l.startswith("## ")), None)
        if micro is None:
            while lines and not lines[-1].strip():
                lines.pop()
            lines.append("\n" + section + "\n" if lines else section + "\n")
        else:
            lines[micro:micro] = [section + "\n"]
    open(path, "w").write("".join(lines))


def report(argv):
    ap = argparse.ArgumentParser()
    for name in ("tsv", "json", "docs", "mode", "rounds", "duration", "command", "machine", "tools", "skipped", "load"):
        ap.add_argument("--" + name, default="")
    args = ap.parse_args(argv)
    args.date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if args.tsv.endswith(".json"):   # regenerate the Markdown from an earlier results file
        old = json.load(open(args.tsv))
        data = old["raw"]
        for key, name in (("date", "date"), ("command", "command"), ("mode", "mode"), ("rounds", "rounds"),
                          ("duration_s", "duration"), ("machine", "machine"), ("tools", "tools"),
                          ("skipped", "skipped"), ("load_average_before_after", "load")):
            setattr(args, name, str(old.get(key) or ""))
    else:
        data = load(args.tsv)
    args.data = data
    tcp_scens = ("tcp-stream", "tcp-conn")
    present = [p for p in PROXIES if any(s not in tcp_scens for s in data.get(p, {}))]
    tcp_present = [p for p in TCP_PROXIES if any(s in data.get(p, {}) for s in tcp_scens)]
    section = markdown(data, args, present) if present else ""
    tcp_section = tcp_markdown(data, args, tcp_present) if tcp_present else ""
    doc = {"date": args.date, "command": args.command, "mode": args.mode, "rounds": int(args.rounds),
           "duration_s": float(args.duration), "machine": args.machine, "tools": args.tools,
           "skipped": args.skipped or None, "load_average_before_after": args.load, "raw": data,
           "medians": {p: {s: {m: med(data, p, s, m) for m in ms} for s, ms in data[p].items()} for p in data}}
    with open(args.json, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    if args.docs and section:
        write_docs(args.docs, section)
    if args.docs and tcp_section:
        write_docs(args.docs, tcp_section, TCP_SECTION)
    print("\n".join(x for x in (section, tcp_section) if x))


def main(argv):
    if len(argv) >= 2 and argv[0] == "parse":
        kind, rest = argv[1], argv[2:]
        {"wrk": parse_wrk, "h2load": parse_h2load, "ws": parse_ws, "iperf3": parse_iperf3}[kind](*rest)
    elif argv and argv[0] == "report":
        report(argv[1:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
