#!/usr/bin/env bash
# EXPLAIN (ANALYZE, BUFFERS) of every hot statement, with real parameters from the seeded database, written to
# bench/explain/*.txt. The statements are those the API sends (as logged with LINLI_LOG=linli::sql=trace).
set -euo pipefail
cd "$(dirname "$0")/.."
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-linli_bench}
URL="$PG/$DB"
DIR=${EXPLAIN_DIR:-bench/explain}
mkdir -p "$DIR"
q() { psql "$URL" -Atqc "$1"; }

reporter=$(q "SELECT reporter_id FROM report ORDER BY id DESC LIMIT 1")
nbh=$(q "SELECT neighbourhood_id FROM report WHERE status = 'SUBMITTED' ORDER BY id DESC LIMIT 1")
area=$(q "SELECT area_id FROM report WHERE status = 'SUBMITTED' ORDER BY id DESC LIMIT 1")
company=$(q "SELECT company_id FROM report WHERE status = 'DISPATCHED' ORDER BY id DESC LIMIT 1")
report=$(q "SELECT id FROM report WHERE status = 'CLOSED' ORDER BY id DESC LIMIT 1")
user=$(q "SELECT user_id FROM appointment WHERE role = 'NEIGHBOUR_HEAD' LIMIT 1")
cats=$(q "SELECT string_agg(quote_literal(id::text), ',') FROM category")
events=$(q "SELECT string_agg(quote_literal(last_event_id::text), ',') FROM (SELECT last_event_id FROM report WHERE neighbourhood_id = '$nbh' LIMIT 20) t")
users=$(q "SELECT string_agg(quote_literal(reporter_id::text), ',') FROM (SELECT reporter_id FROM report WHERE neighbourhood_id = '$nbh' LIMIT 20) t")

# Each statement is explained as the server runs it: prepared, with its values bound as parameters, under
# `plan_cache_mode = force_generic_plan` (the server's setting, `api/src/db.rs`), so the plan shown is the cached
# generic plan every execution uses, not one made for these particular values.
explain() {
  local name=$1 sql=$2 params=$3
  {
    echo "-- $name"
    echo "$sql;"
    echo "-- parameters: ($params)"
    echo
    psql "$URL" -Atq -c "SET plan_cache_mode = force_generic_plan" -c "PREPARE s AS $sql" \
      -c "EXPLAIN (ANALYZE, BUFFERS) EXECUTE s($params)"
  } > "$DIR/$name.txt"
  if grep -q "Seq Scan on report\b\|Seq Scan on report_event\|Seq Scan on domain_event" "$DIR/$name.txt"; then
    echo "SEQUENTIAL SCAN in $name" >&2
    if [ "${STRICT_EXPLAIN:-0}" = 1 ]; then return 1; fi
  fi
}

explain my_reports "SELECT * FROM report WHERE reporter_id = \$1 ORDER BY id DESC LIMIT \$2" "'$reporter', 21"
# A page is the reports alone: the reporter's name and the newest event's kind and time are columns of the report
# (the statement the server runs). The statuses are literals in the server's statement too, so that the partial
# indexes match the generic plan.
J="SELECT report.* FROM report"
O="ORDER BY report.queue_at ASC, report.id ASC LIMIT \$2"
explain inbox_neighbour_head "$J WHERE report.neighbourhood_id IN (\$1) AND report.status IN ('SUBMITTED', 'ACKNOWLEDGED', 'REOPENED') $O" "'$nbh', 21"
explain inbox_area_head "$J WHERE report.area_id IN (\$1) AND report.status IN ('SUBMITTED', 'ACKNOWLEDGED', 'REOPENED') $O" "'$area', 21"
explain inbox_area_head_closed "$J WHERE report.area_id IN (\$1) AND report.status IN ('CLOSED') $O" "'$area', 21"
explain ticket_queue "$J WHERE report.company_id IN (\$1) AND report.status IN ('DISPATCHED', 'IN_PROGRESS', 'REOPENED', 'RESOLVED') $O" "'$company', 21"
# A client that asks for more of the newest event than its kind and time gets it joined into the page, and one
# that asks for the reporter's phone gets the reporter joined.
explain inbox_full_last_event "SELECT report.*, u.*, e.* FROM report LEFT JOIN app_user u ON report.reporter_id = u.id LEFT JOIN report_event e ON report.last_event_id = e.id WHERE report.neighbourhood_id IN (\$1) AND report.status IN ('SUBMITTED', 'ACKNOWLEDGED', 'REOPENED') $O" "'$nbh', 21"
explain report_by_id "SELECT * FROM report WHERE id = \$1" "'$report'"
explain timeline "SELECT report_event.*, u.* FROM report_event LEFT JOIN app_user u ON report_event.actor_id = u.id WHERE report_event.report_id = \$1 ORDER BY report_event.id ASC LIMIT \$2" "'$report', 21"
explain comments "SELECT * FROM report_comment WHERE report_id = \$1 ORDER BY id ASC LIMIT \$2" "'$report', 21"
# Loaders send `id IN ($1, …, $n)`, one parameter per key.
placeholders() { local n=$(( $(echo "$1" | tr -cd ',' | wc -c) + 1 )); seq -s ', ' -f '$%g' 1 $n; }
explain loader_categories "SELECT * FROM category WHERE id IN ($(placeholders "$cats"))" "$cats"
explain loader_users "SELECT * FROM app_user WHERE id IN ($(placeholders "$users"))" "$users"
explain loader_last_events "SELECT * FROM report_event WHERE id IN ($(placeholders "$events"))" "$events"
explain roles "SELECT * FROM appointment WHERE user_id = \$1 AND (ends_at IS NULL OR ends_at > \$2)" "'$user', now()"
explain homes "SELECT neighbourhood_id FROM residence WHERE user_id = \$1 AND status = \$2" "'$reporter', 'VERIFIED'"
explain submit_homes "SELECT r.building_id, r.community_id, r.unit, r.room, r.neighbourhood_id, u.nickname AS reporter_name FROM residence r JOIN app_user u ON r.user_id = u.id WHERE r.user_id = \$1 AND r.status = \$2" "'$reporter', 'VERIFIED'"
explain auto_close_job "SELECT * FROM report WHERE status = \$1 AND resolved_at <= \$2 ORDER BY resolved_at ASC LIMIT \$3" "'RESOLVED', now() - interval '72 hours', 200"
# SLA (service/sla, service/support, report/similar.rs): the timer job's claim, the holders of a report's levels,
# the overdue board of a community, similarReports' candidates, and "supported by me".
community=$(q "SELECT community_id FROM report WHERE status = 'SUBMITTED' ORDER BY id DESC LIMIT 1")
compound=$(q "SELECT compound_id FROM report WHERE status = 'SUBMITTED' ORDER BY id DESC LIMIT 1")
category=$(q "SELECT category_id FROM report WHERE status = 'SUBMITTED' ORDER BY id DESC LIMIT 1")
group=$(q "SELECT group_id FROM report WHERE status = 'SUBMITTED' ORDER BY id DESC LIMIT 1")
explain sla_claim "SELECT * FROM report WHERE sla_fires_at <= \$1 ORDER BY sla_fires_at ASC LIMIT \$2 FOR UPDATE SKIP LOCKED" "now(), 100"
explain sla_holders "SELECT role, scope_id, user_id FROM appointment WHERE ((role = \$1 AND scope_id = \$2) OR (role = \$3 AND scope_id = \$4) OR (role = \$5 AND scope_id = \$6) OR (role = \$7 AND scope_id = \$8)) AND starts_at <= \$9 AND (ends_at IS NULL OR ends_at > \$9)" "'NEIGHBOUR_HEAD', '$nbh', 'GROUP_HEAD', '$group', 'AREA_HEAD', '$area', 'COMMUNITY_ADMIN', '$community', now()"
explain overdue_community "SELECT * FROM report WHERE community_id = \$1 AND sla_warned = true AND sla_stage IS NOT NULL AND sla_breached = \$2 ORDER BY sla_due_at ASC, id ASC LIMIT \$3" "'$community', true, 21"
explain similar_candidates "SELECT * FROM report WHERE compound_id = \$1 AND category_id = \$2 AND (status IN (\$3, \$4, \$5, \$6, \$7, \$8) OR (status = \$9 AND closed_at >= \$10)) ORDER BY id DESC LIMIT \$11" "'$compound', '$category', 'SUBMITTED', 'ACKNOWLEDGED', 'DISPATCHED', 'IN_PROGRESS', 'REOPENED', 'RESOLVED', 'CLOSED', now() - interval '14 days', 300"
explain supported_by_me "SELECT COUNT(*) FROM report_support WHERE report_id = \$1 AND user_id = \$2" "'$report', '$reporter'"
# Open311's public GET requests (service/open311.rs): a district's reports past moderation, a window of submission
# newest first (the first page of a day, then a page after a token), and the order of change after updated_after.
comms=$(q "SELECT string_agg(quote_literal(id::text), ',') FROM community")
day_end=$(q "SELECT submitted_at FROM report ORDER BY submitted_at LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM report)")
ALL_STATUSES="'SUBMITTED', 'ACKNOWLEDGED', 'DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'REJECTED', 'DUPLICATE', 'CANCELLED', 'REOPENED'"
P="SELECT * FROM report WHERE community_id IN ($(placeholders "$comms")) AND moderation = 'PASS' AND status IN ($ALL_STATUSES)"
n=$(echo "$comms" | tr -cd ',' | wc -c); n=$((n + 1))
explain open311_day "$P AND submitted_at >= \$$((n + 1)) AND submitted_at <= \$$((n + 2)) ORDER BY submitted_at DESC, id DESC LIMIT \$$((n + 3))" "$comms, '$day_end'::timestamptz - interval '7 days', '$day_end', 1001"
explain open311_day_next "$P AND submitted_at >= \$$((n + 1)) AND submitted_at <= \$$((n + 2)) AND (submitted_at, id) < (\$$((n + 3)), \$$((n + 4))) ORDER BY submitted_at DESC, id DESC LIMIT \$$((n + 5))" "$comms, '$day_end'::timestamptz - interval '7 days', '$day_end', '$day_end'::timestamptz - interval '3 days', '$report', 1001"
explain open311_updated_after "$P AND last_event_at > \$$((n + 1)) ORDER BY last_event_at ASC, id ASC LIMIT \$$((n + 2))" "$comms, now() - interval '1 day', 1001"
# The event log (service/events): the newest number, a durable consumer's batch, the cache follower's narrow read,
# and the sequencer's numbering statement (explained inside a transaction that is rolled back: EXPLAIN ANALYZE runs
# it). The log holds what the benchmark's writes appended.
newest=$(q "SELECT COALESCE(MAX(seq), 0) FROM domain_event")
explain log_newest "SELECT MAX(seq) FROM domain_event WHERE \$1" "true"
explain log_read_after "SELECT * FROM domain_event WHERE seq > \$1 ORDER BY seq ASC LIMIT \$2" "$(( newest > 500 ? newest - 500 : 0 )), 500"
explain log_cache_follower "SELECT seq, kind, subject_id FROM domain_event WHERE seq > \$1 AND seq <= \$2 AND kind IN ('UNIT_RENAMED', 'CATEGORY_UPDATED', 'CALENDAR_UPDATED') ORDER BY seq ASC" "$(( newest > 50 ? newest - 50 : 0 )), $newest"
{
  echo "-- sequencer (rolled back)"
  psql "$URL" -Atq -c "BEGIN" -c "EXPLAIN (ANALYZE, BUFFERS) WITH todo AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM domain_event WHERE seq IS NULL ORDER BY id LIMIT 1000), base AS (SELECT COALESCE(MAX(seq), 0) AS b FROM domain_event) UPDATE domain_event SET seq = (SELECT b FROM base) + todo.n FROM todo WHERE domain_event.id = todo.id" -c "ROLLBACK"
} > "$DIR/log_sequencer.txt"
if grep -q "Seq Scan on domain_event" "$DIR/log_sequencer.txt"; then
  echo "SEQUENTIAL SCAN in log_sequencer" >&2
  if [ "${STRICT_EXPLAIN:-0}" = 1 ]; then exit 1; fi
fi
echo "explain plans in $DIR/"
