#!/usr/bin/env python3
"""Turns bench/out/raw.tsv into bench/RESULTS.md: machine, date, commit, and per scenario the API's throughput and
latency next to the ceiling (the same service calls straight through the pool), as a ratio measured in the same run."""
import argparse, datetime, os, platform, re, subprocess

ap = argparse.ArgumentParser()
ap.add_argument("--raw", required=True)
ap.add_argument("--scale", required=True)
ap.add_argument("--duration", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--append", help="a markdown file whose text is kept below the new results (history)")
ap.add_argument("--title", default="Benchmark results")
a = ap.parse_args()

def kv(s):
    return {k: v for k, v in re.findall(r"(\w+)=([\d.]+)", s)}

rows, meta = {}, {}
for line in open(a.raw, encoding="utf-8"):
    parts = line.rstrip("\n").split("\t")
    if len(parts) == 2:
        meta[parts[0]] = parts[1]
    elif len(parts) >= 4 and parts[0] == "sla":
        meta["sla"] = kv("\t".join(parts[3:]))
    elif len(parts) >= 4:
        kind, scenario, clients, rest = parts[0], parts[1], int(parts[2]), "\t".join(parts[3:])
        rows.setdefault((scenario, clients), {})[kind] = kv(rest)

def sh(cmd):
    try:
        return subprocess.check_output(cmd, shell=True, text=True, stderr=subprocess.DEVNULL).strip()
    except Exception:
        return "?"

cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
mem = sh("free -h | awk '/Mem:/ {print $2}'")
commit = sh("git rev-parse --short HEAD")
pg = sh("psql --version")
counts = {}
seed_txt = os.path.join(os.path.dirname(a.raw), "seed.txt")
if os.path.exists(seed_txt):
    for line in open(seed_txt, encoding="utf-8"):
        m = re.match(r"\s*(\w+): (\d+)", line)
        if m:
            counts[m.group(1)] = int(m.group(2))

TARGET_P99 = {"submit": 50.0, "acknowledge": 50.0, "kpi_street": 100.0, "kpi_ranking": 100.0, "open311_day": 200.0}
TARGET_RATIO = {"submit": 0.40}
NAMES = {
    "my_reports": "`myReports` first page (resident)",
    "inbox": "`taskInbox` first page (neighbour head)",
    "area_inbox": "`taskInbox` first page (area head)",
    "area_inbox_closed": "`taskInbox(status: CLOSED)` first page (area head, ~1,450 rows below)",
    "queue": "`ticketQueue` first page (busiest company)",
    "report": "`report(id)` with timeline and comments",
    "submit": "`submitReport`",
    "acknowledge": "`acknowledgeReport`",
    "similar": "`similarReports` before submitting (resident)",
    "kpi_street": "`kpis` of a street, by month over its last 12 whole months (street admin)",
    "kpi_ranking": "`kpiRanking` of the district's compounds over the last whole month, against the month before (district admin)",
    "open311_day": "Open311 `GET requests.json` of a district day (5,000 requests), a page of 1,000 at a time (public)",
    "mixed": "mixed morning peak (80% reads, 20% writes)",
}

out = []
out.append(f"# {a.title}\n")
out.append(f"- date: {datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M')} UTC; commit `{commit}`")
out.append(f"- machine: {os.cpu_count()} cores ({cpu}), {mem} RAM, {platform.system()} {platform.release()}; {pg}")
out.append(f"- data: scale {a.scale} (" + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items()) if k in ("report", "report_event", "app_user", "neighbourhood", "residence")) + ")"
           + (f"; seeded in {int(meta['seed_ms'])/1000:.0f} s" if "seed_ms" in meta else ""))
out.append(f"- each cell: wrk for {a.duration} s against the release server (PostgreSQL, in-process cache), load generator, server and database on the same host"
           + (f"; server to PostgreSQL over {meta['db_transport']}" if "db_transport" in meta else ""))
out.append("- ceiling: `linli bench-ceiling`, the service functions the request calls (the same statements, events and sequencer), without HTTP or GraphQL, straight through an identically sized pool, same run")
out.append(f"- server peak RSS over the whole run: {int(meta.get('server_peak_rss_kb', 0))/1024:.0f} MB")
out.append("- server CPU: the server process's user + system time over the wrk run, divided by the requests answered\n")
out.append("| scenario | clients | req/s | p50 ms | p95 ms | p99 ms | errors | server CPU µs/req | ceiling req/s | ceiling p99 ms | ratio | target |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
clk = float(meta.get("clk_tck", 100))
for (scenario, clients), r in sorted(rows.items(), key=lambda x: (list(NAMES).index(x[0][0]) if x[0][0] in NAMES else 99, x[0][1])):
    api, ceil = r.get("api", {}), r.get("ceiling", {})
    rps = float(api.get("rps", 0))
    crps = float(ceil.get("rps", 0)) if ceil else 0
    ratio = rps / crps if crps else None
    p99 = float(api.get("p99_ms", 0))
    target = ""
    if clients == 64 and scenario != "mixed":
        want_p99 = TARGET_P99.get(scenario, 25.0)
        want_ratio = TARGET_RATIO.get(scenario, 0.30)
        ratio_ok = (ratio or 0) >= want_ratio
        p99_ok = p99 < want_p99
        target = f"ratio ≥ {want_ratio:.0%} {'met' if ratio_ok else 'MISSED'}; p99 < {want_p99:g} ms {'met' if p99_ok else 'MISSED'}"
    if scenario == "mixed":
        rss = int(api.get("rss_kb", 0)) / 1024
        target = f"RSS {rss:.0f} MB ({'met' if rss < 200 else 'missed'} < 200 MB)"
    errs = int(float(api.get("graphql_errors", 0))) + int(float(api.get("socket_errors", 0)))
    reqs = float(api.get("requests", 0))
    cpu_us = f"{float(api['cpu_ticks']) * 1e6 / clk / reqs:,.0f}" if "cpu_ticks" in api and reqs else "–"
    out.append(
        f"| {NAMES.get(scenario, scenario)} | {clients} | {rps:,.0f} | {float(api.get('p50_ms', 0)):.1f} | {float(api.get('p95_ms', 0)):.1f} | {p99:.1f} | {errs} | {cpu_us} | "
        + (f"{crps:,.0f} | {float(ceil.get('p99_ms', 0)):.1f} | {ratio:.0%} |" if ratio is not None else "– | – | – |")
        + f" {target} |"
    )
out.append("")
if "sla" in meta and meta["sla"]:
    sla = meta["sla"]
    job, bare = float(sla.get("job_per_s", 0)), float(sla.get("bare_per_s", 0))
    out.append(f"**Escalation job**: {int(float(sla.get('fired', 0))):,} of {int(float(sla.get('timers', 0))):,} due timers fired in one round "
               f"at {job:,.0f} timers/s; the same statements run bare: {bare:,.0f} timers/s"
               + (f" (the job at {job / bare:.0%} of bare)." if bare else "."))
    out.append("")
history = ""
if a.append and os.path.exists(a.append):
    history = open(a.append, encoding="utf-8").read()
open(a.out, "w", encoding="utf-8").write("\n".join(out) + ("\n" + history if history else ""))
