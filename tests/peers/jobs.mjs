// Each scheduled job runs once with its jobs on in every replica. Two jobs whose effect is countable, made due in
// the database at one instant so that every replica's next round finds the same rows:
//   the SLA timer job: open reports whose stage is overdue (set here: the demo's timers are hours away), each must
//     go up the grid exactly once (one REPORT_ESCALATED in the log, one ESCALATED step), claimed with
//     FOR UPDATE SKIP LOCKED;
//   the auto-close: RESOLVED reports whose resolution is older than LINLI_AUTO_CLOSE_SECS (backdated here), each
//     closed exactly once (one AUTO_CLOSED step), by a version-guarded update every replica races for.
// Then several more rounds pass on every replica, and the counts must not move. The rows the replicas say they
// handled (linli_job_rows_total, summed) must be the events in the log, and no round may fail.
// Usage: node jobs.mjs postgres://…/db http://replica1 http://replica2 http://replica3
import { execFileSync } from 'node:child_process';
import { fail, metric, sleep } from './peers.mjs';

const [db, ...replicas] = process.argv.slice(2);
const sql = (q) => execFileSync('psql', [db, '-XAtqc', q], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
const SLA = 'job="fired SLA timers"';
const CLOSE = 'job="auto-closed resolved reports"';
const sample = async () => {
  const s = [];
  for (const r of replicas) {
    s.push({
      slaRuns: await metric(r, 'linli_job_runs_total{', `${SLA},outcome="ok"`),
      closeRuns: await metric(r, 'linli_job_runs_total{', `${CLOSE},outcome="ok"`),
      failed: await metric(r, 'linli_job_runs_total{', 'outcome="failed"'),
      sla: await metric(r, 'linli_job_rows_total{', SLA),
      closed: await metric(r, 'linli_job_rows_total{', CLOSE),
    });
  }
  return s;
};

const before = await sample();
const [t0] = sql('SELECT now()');
// One statement each, so the rows come due at one instant for every replica.
const overdue = sql(`WITH p AS (SELECT id FROM report WHERE sla_stage IS NOT NULL AND sla_level IN ('NEIGHBOUR_HEAD','GROUP_HEAD','AREA_HEAD')
                     ORDER BY id LIMIT 40)
                     UPDATE report r SET sla_warned = true, sla_due_at = now() - interval '1 minute', sla_fires_at = now() - interval '1 minute'
                     FROM p WHERE r.id = p.id RETURNING r.id`);
const resolved = sql(`UPDATE report SET resolved_at = now() - interval '30 days' WHERE status = 'RESOLVED' RETURNING id`);
if (overdue.length < 10 || resolved.length < 3) fail(`too few rows to race for: ${overdue.length} overdue, ${resolved.length} resolved`);
const inList = (ids) => ids.map((i) => `'${i}'`).join(',');

const counts = () => ({
  escalated: sql(`SELECT subject_id, count(*) FROM domain_event WHERE occurred_at >= '${t0}' AND kind = 'REPORT_ESCALATED'
                  AND subject_id IN (${inList(overdue)}) GROUP BY 1`),
  steps: sql(`SELECT report_id, count(*) FROM report_event WHERE created_at >= '${t0}' AND kind = 'ESCALATED' AND reason = 'OVERDUE'
              AND report_id IN (${inList(overdue)}) GROUP BY 1`),
  closed: sql(`SELECT report_id, count(*) FROM report_event WHERE created_at >= '${t0}' AND kind = 'AUTO_CLOSED'
               AND report_id IN (${inList(resolved)}) GROUP BY 1`),
  timers: Number(sql(`SELECT count(*) FROM domain_event WHERE occurred_at >= '${t0}' AND kind IN ('SLA_WARNED','REPORT_ESCALATED','SLA_BREACHED')`)[0]),
  autoClosed: Number(sql(`SELECT count(*) FROM report_event WHERE created_at >= '${t0}' AND kind = 'AUTO_CLOSED'`)[0]),
});
let c;
for (const until = Date.now() + 10_000; Date.now() < until; await sleep(200)) {
  c = counts();
  if (c.escalated.length === overdue.length && c.closed.length === resolved.length) break;
}
if (c.escalated.length !== overdue.length || c.closed.length !== resolved.length) {
  fail(`not every due row was handled in 10 s: ${c.escalated.length}/${overdue.length} escalated, ${c.closed.length}/${resolved.length} closed`);
}
// Several more rounds of both jobs on every replica (SLA every 200 ms, the others every 300 ms).
await sleep(2500);
c = counts();
const once = (rows, what) => {
  const twice = rows.filter((r) => r.split('|')[1] !== '1');
  if (twice.length) fail(`${what} more than once: ${twice.join(' ')}`);
};
once(c.escalated, 'REPORT_ESCALATED');
once(c.steps, 'an ESCALATED step');
once(c.closed, 'AUTO_CLOSED');
if (c.steps.length !== overdue.length) fail(`${c.steps.length} ESCALATED steps for ${overdue.length} overdue reports`);
const notClosed = sql(`SELECT count(*) FROM report WHERE id IN (${inList(resolved)}) AND status <> 'CLOSED'`)[0];
if (notClosed !== '0') fail(`${notClosed} backdated resolutions are not CLOSED`);

const after = await sample();
const d = after.map((a, i) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] - before[i][k]])));
d.forEach((x, i) => {
  if (x.slaRuns < 5 || x.closeRuns < 3) fail(`${replicas[i]} did not run its jobs: ${JSON.stringify(x)}`);
});
const failed = d.reduce((s, x) => s + x.failed, 0);
if (failed) fail(`${failed} job rounds failed (see the replicas' logs)`);
const fired = d.reduce((s, x) => s + x.sla, 0);
const closed = d.reduce((s, x) => s + x.closed, 0);
if (fired !== c.timers) fail(`the replicas say they fired ${fired} timers, the log has ${c.timers}`);
if (closed !== c.autoClosed) fail(`the replicas say they closed ${closed} reports, the timeline has ${c.autoClosed}`);
console.log(
  `jobs on in ${replicas.length} replicas: ${overdue.length} overdue reports escalated once each, ${resolved.length} resolutions auto-closed once each; ` +
    `timers fired per replica ${d.map((x) => x.sla).join('/')}, closes ${d.map((x) => x.closed).join('/')}, rounds ${d.map((x) => x.slaRuns + x.closeRuns).join('/')}, none failed`,
);
process.exit(0);
