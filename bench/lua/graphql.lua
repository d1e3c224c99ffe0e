-- wrk script for Linli's GraphQL API (and its public Open311 reads: scenario open311_day). Picks a realistic user per request from the files written by
-- `linli seed-scale` / `linli bench-tokens`, and counts GraphQL errors (which arrive with HTTP 200).
--   SCENARIO  one of the keys of `scenarios` below
--   INPUTS    directory holding residents.tsv, heads.tsv, area_heads.tsv, staff.tsv, reports.tsv, acknowledge.tsv
--   SLICE     "k/n": use the k-th of n disjoint slices of acknowledge.tsv (each report is acknowledged once)
local inputs = os.getenv("INPUTS") or "bench/out"
local scenario = os.getenv("SCENARIO") or "my_reports"

local function load(name)
  local rows = {}
  local f = io.open(inputs .. "/" .. name, "r")
  if not f then return rows end
  for line in f:lines() do
    local token, arg = line:match("^([^\t]+)\t(.*)$")
    if token then rows[#rows + 1] = { token, arg } end
  end
  f:close()
  return rows
end

local function categories()
  local list = {}
  local f = io.open(inputs .. "/categories.txt", "r")
  if f then
    for line in f:lines() do if #line > 0 then list[#list + 1] = line end end
    f:close()
  end
  return list
end

local q = {
  my_reports = '{"query":"{ myReports(first: 20) { nodes { id status description urgency waitingSince category { code nameZh } } } }"}',
  inbox = '{"query":"{ taskInbox(first: 20) { nodes { id status description urgency waitingSince category { code nameZh } reporter { name } lastEvent { kind at } availableActions } } }"}',
  inbox_closed = '{"query":"{ taskInbox(first: 20, status: CLOSED) { nodes { id status description waitingSince category { code nameZh } reporter { name } lastEvent { kind at } } } }"}',
  queue = '{"query":"{ ticketQueue(first: 20) { nodes { id status description urgency waitingSince category { code nameZh } reporter { name } lastEvent { kind at } availableActions } } }"}',
  report = '{"query":"query($id: ID!) { report(id: $id) { id status description urgency category { code nameZh } compound { name } milestones { submittedAt acknowledgedAt resolvedAt closedAt } availableActions timeline(first: 20) { nodes { kind actorRole actorName fromStatus toStatus note at } } comments(first: 20) { nodes { body authorRole at } } } }","variables":{"id":"%s"}}',
  submit = '{"query":"mutation($i: SubmitReportInput!) { submitReport(input: $i) { id status } }","variables":{"i":{"categoryId":"%s","description":"楼道灯坏了，晚上回家很不方便"}}}',
  similar = '{"query":"query($i: SimilarReportsInput!) { similarReports(input: $i) { score report { id status description supportCount } } }","variables":{"i":%s}}',
  kpi_street = '{"query":"query($s: ID!, $f: NaiveDate!, $t: NaiveDate!) { kpis(scopeId: $s, from: $f, to: $t, groupBy: MONTH) { rows { period figures { received counted byStatus { status reports } supports timeToAcknowledge { reports p50Hours p90Hours p50BusinessHours p90BusinessHours } timeToDispatch { p50Hours p90Hours p50BusinessHours p90BusinessHours } timeToResolve { p50Hours p90Hours p50BusinessHours p90BusinessHours } timeToClose { p50Hours p90Hours p50BusinessHours p90BusinessHours } breachRate { acknowledge handle start resolve any } escalationsPerReport levelsReached { level share } reopenRate confirmationRate autoCloseRate averageRating ratings acknowledgedWithinSlaRate handledByHeads dispatched firstTimeFixRate } } } }","variables":%s}',
  kpi_ranking = '{"query":"query($d: ID!, $f: NaiveDate!, $t: NaiveDate!) { kpiRanking(scope: COMPOUND, childrenOf: $d, metric: MEDIAN_HOURS_TO_ACKNOWLEDGE, from: $f, to: $t) { direction entries { id name sample value rank insufficientData previousRank change } } }","variables":%s}',
  acknowledge = '{"query":"mutation($id: ID!) { acknowledgeReport(id: $id, note: \\"收到，马上处理\\") { id status } }","variables":{"id":"%s"}}',
}

local residents, heads, area_heads, staff, reports, acks, cats, probes, kpi_street, kpi_ranking, open311_days
-- The Open311 scenario's pages still to read: a response's `Link: rel="next"` queues the next page of its day, and
-- a connection with nothing queued starts a day of its own, so each connection reads whole days page by page.
local open311_next = {}
local ack_next, ack_stride, ack_end = 1, 1, 0
-- Globals (not locals): done() reads them from every thread with thread:get.
errors, checked = 0, 0
local threads = {}
local thread_no = 0

function setup(thread)
  thread:set("id", thread_no)
  thread_no = thread_no + 1
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + id * 7919)
  residents, heads, area_heads, staff = load("residents.tsv"), load("heads.tsv"), load("area_heads.tsv"), load("staff.tsv")
  reports, acks, cats, probes = load("reports.tsv"), load("acknowledge.tsv"), categories(), load("similar.tsv")
  kpi_street, kpi_ranking = load("kpi_street.tsv"), load("kpi_ranking.tsv")
  open311_days = load("open311.tsv")
  -- Disjoint acknowledgements: slice k of n, and within it thread `id` of `threads` takes every threads-th row.
  local k, n = (os.getenv("SLICE") or "1/1"):match("(%d+)/(%d+)")
  k, n = tonumber(k), tonumber(n)
  local per = math.floor(#acks / n)
  local nthreads = tonumber(os.getenv("THREADS") or "1")
  ack_next = (k - 1) * per + 1 + id
  ack_stride = nthreads
  ack_end = k * per
end

local function pick(rows) return rows[math.random(#rows)] end

local function post(token, body)
  return wrk.format("POST", "/graphql", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

local function one(kind)
  if kind == "my_reports" then local r = pick(residents); return post(r[1], q.my_reports)
  elseif kind == "inbox" then local r = pick(heads); return post(r[1], q.inbox)
  elseif kind == "area_inbox" then local r = pick(area_heads); return post(r[1], q.inbox)
  elseif kind == "area_inbox_closed" then local r = pick(area_heads); return post(r[1], q.inbox_closed)
  elseif kind == "queue" then local r = pick(staff); return post(r[1], q.queue)
  elseif kind == "report" then local r = pick(reports); return post(r[1], string.format(q.report, r[2]))
  elseif kind == "similar" then local r = pick(probes); return post(r[1], string.format(q.similar, r[2]))
  elseif kind == "kpi_street" then local r = pick(kpi_street); return post(r[1], string.format(q.kpi_street, r[2]))
  elseif kind == "kpi_ranking" then local r = pick(kpi_ranking); return post(r[1], string.format(q.kpi_ranking, r[2]))
  elseif kind == "submit" then local r = pick(residents); return post(r[1], string.format(q.submit, cats[math.random(#cats)]))
  elseif kind == "open311_day" then
    local path = table.remove(open311_next, 1)
    if not path then path = "/open311/v2/requests.json?" .. pick(open311_days)[2] end
    return wrk.format("GET", path)
  elseif kind == "acknowledge" then
    local i = ack_next
    if i > ack_end then i = ack_end end -- exhausted: repeats answer CONFLICT and count as errors
    ack_next = ack_next + ack_stride
    local r = acks[i]
    return post(r[1], string.format(q.acknowledge, r[2]))
  end
end

-- A weekday morning: residents check their reports and file new ones, heads work their inboxes.
local mix = {
  { 30, "my_reports" }, { 25, "inbox" }, { 15, "report" }, { 5, "area_inbox" }, { 5, "queue" },
  { 12, "submit" }, { 8, "acknowledge" },
}

function request()
  if scenario == "mixed" then
    local x, acc = math.random(100), 0
    for _, m in ipairs(mix) do
      acc = acc + m[1]
      if x <= acc then return one(m[2]) end
    end
  end
  return one(scenario)
end

function response(status, headers, body)
  checked = checked + 1
  if scenario == "open311_day" then
    local link = headers["link"] or headers["Link"]
    local next_path = link and link:match('^<([^>]+)>; rel="next"')
    if next_path then open311_next[#open311_next + 1] = next_path end
    if status ~= 200 or body:sub(1, 1) ~= "[" then
      errors = errors + 1
      if errors <= 3 then io.stderr:write("error response: " .. status .. " " .. body:sub(1, 300) .. "\n") end
    end
    return
  end
  if status ~= 200 or body:find('"errors"', 1, true) then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("error response: " .. body:sub(1, 300) .. "\n") end
  end
end

function done(summary, latency, requests)
  local errs = 0
  for _, t in ipairs(threads) do errs = errs + (t:get("errors") or 0) end
  io.write(string.format("RESULT requests=%d duration_us=%d rps=%.1f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f graphql_errors=%d socket_errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errs, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
