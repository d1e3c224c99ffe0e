// Turns the JSON results of fanout.mjs runs into the markdown table of bench/out/fanout.md.
//   node report.mjs run-1.json run-2.json … > fanout.md
import fs from 'node:fs';
import os from 'node:os';

const runs = process.argv.slice(2).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
if (!runs.length) { console.error('usage: node report.mjs RESULT.json…'); process.exit(2); }
const ms = (x) => (x == null ? '–' : x.toFixed(0));
const mb = (kb) => (kb == null ? '–' : (kb / 1024).toFixed(0));
const n = (x, d = 0) => (x == null ? '–' : Number(x).toFixed(d));
const row = (cells) => `| ${cells.join(' | ')} |`;
const r0 = runs[0];
const out = [];
out.push('# Live updates: fan-out');
out.push('');
out.push(
  `${r0.subscriptions} subscriptions on ${r0.sockets} sockets (one user each: ${r0.inbox_subscriptions} taskInboxChanged, ` +
    `${r0.mine_subscriptions} myReportsChanged, ${r0.report_subscriptions} reportUpdated), ${r0.target_rate} acknowledgements/s ` +
    `for ${r0.duration_s} s over HTTP; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), shared; server and client on one machine.`,
);
out.push('Latency is from the pushed report\'s `lastEvent.at` (the action\'s time, which the server writes in the change, before its statements and its commit: an upper bound) to the push\'s arrival in the client; "from sent" is from the moment the mutation was sent. Target: p99 < 100 ms.');
out.push('');
out.push(row(['run', 'changes/s', 'pushes/s', 'expected', 'received', 'missed', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'p99 from sent ms', 'errors', 'RSS idle MB', 'RSS subscribed MB', 'RSS end of load MB', 'RSS peak MB', 'server CPU %', 'client CPU %']));
out.push(row(Array(18).fill('---')));
runs.forEach((r, i) => {
  const errors = r.mutation_errors + r.push_errors + r.subscription_errors + r.socket_errors;
  out.push(
    row([
      i + 1, n(r.changes_per_s, 1), n(r.pushes_per_s, 1), r.expected_pushes, r.received_pushes, r.missed_pushes,
      ms(r.latency_from_event_ms.p50), ms(r.latency_from_event_ms.p95), ms(r.latency_from_event_ms.p99), ms(r.latency_from_event_ms.max),
      ms(r.latency_from_sent_ms.p99), errors, mb(r.rss_idle_kb), mb(r.rss_subscribed_kb), mb(r.rss_end_of_load_kb), mb(r.rss_peak_load_kb),
      n(r.server_cpu_pct), n(r.client_cpu_pct),
    ]),
  );
});
out.push('');
out.push('Errors: mutation / push / subscription / socket. Duplicates, pushes not expected, and pushes of other changes (the background jobs\', with LINLI_JOBS=on) per run:');
out.push('');
runs.forEach((r, i) => {
  out.push(
    `- run ${i + 1}: errors ${r.mutation_errors} / ${r.push_errors} / ${r.subscription_errors} / ${r.socket_errors}; duplicates ${r.duplicate_pushes}, ` +
      `unexpected ${r.unexpected_pushes}, other ${r.other_pushes}; server counted ${r.server_pushes} pushes; ` +
      `machine load average (1 min) ${r.loadavg_1m.map((x) => x.toFixed(1)).join(' → ')}` +
      (r.cpu_pressure_avg10?.[0] != null ? `, CPU pressure (some, avg10) ${r.cpu_pressure_avg10.join('% → ')}%` : '') + `; client event-loop delay p99 ${n(r.client_loop_delay_p99_ms, 1)} ms (max ${n(r.client_loop_delay_max_ms, 1)}); ` +
      `schedule at most ${r.max_behind_schedule} changes behind; ` +
      `from sent p50/p99 ${ms(r.latency_from_sent_ms.p50)}/${ms(r.latency_from_sent_ms.p99)} ms, from the mutation's response ` +
      `(after its commit: a lower bound) p50/p99 ${ms(r.latency_from_response_ms.p50)}/${ms(r.latency_from_response_ms.p99)} ms` +
      (r.errors.length ? `; first errors: ${r.errors.map((e) => '`' + e.replaceAll('`', "'").replaceAll('|', '/') + '`').join(', ')}` : ''),
  );
});
console.log(out.join('\n'));
