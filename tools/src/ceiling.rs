//! `linli bench-ceiling`: the ceiling the load harness compares against. For each scenario it calls the same
//! service functions the API request calls (the same statements, built, run and decoded by the server's own
//! code, with the same roles cache, event dispatch and sequencer), from N concurrent tasks through a pool
//! configured like the server's, with no HTTP, no GraphQL and no token to check. The API's throughput is then
//! quoted as a ratio of this, measured in the same run. Nothing here writes SQL of its own.
use std::time::{Duration, Instant};

use api::auth::Actor;
use api::auth::actor::AuthState;
use api::service::page::PageArgs;
use api::service::report::machine::{Action, Status};
use api::service::kpi::aggregate;
use api::service::report::{Urgency, act, query, similar, submit};
use api::state::AppState;
use entity::appointment;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::seed::Manifest;

/// What the calls pick from: the manifest's users and reports, with the staff of the busiest company that really
/// are its staff (looked up once, before the clock starts).
pub struct Inputs {
    m: Manifest,
    staff: Vec<Uuid>,
}

/// Looks up the staff (not timed).
pub async fn inputs(state: &AppState, m: &Manifest) -> anyhow::Result<Inputs> {
    let staff: Vec<Uuid> = appointment::Entity::find()
        .filter(appointment::Column::Role.eq(api::auth::Role::PropertyStaff))
        .filter(appointment::Column::UserId.is_in(m.busy_staff.clone()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|a| a.user_id)
        .collect();
    Ok(Inputs { m: m.clone(), staff })
}

/// Builds the server's state from `config` (jobs off: the benchmark's server runs them, and they would compete
/// here) and runs `scenario`.
pub async fn run_scenario(
    config: api::config::Config,
    m: &Manifest,
    scenario: &str,
    concurrency: usize,
    duration: Duration,
    slice: (usize, usize),
) -> anyhow::Result<Outcome> {
    let state = api::build_state(api::config::Config { jobs_enabled: false, ..config }).await?;
    let inputs = std::sync::Arc::new(inputs(&state, m).await?);
    let outcome = run(&state, inputs, scenario, concurrency, duration, slice).await;
    state.background.stop(Duration::from_secs(5)).await;
    outcome
}

/// Throughput and latency of one ceiling run.
#[derive(Debug, serde::Serialize)]
pub struct Outcome {
    /// Completed iterations.
    pub requests: u64,
    /// Iterations per second.
    pub rps: f64,
    /// Median latency.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Failed iterations.
    pub errors: u64,
}

/// Runs `scenario` from `concurrency` tasks for `duration`. `ack_slice` = (k, n): use the k-th of n slices of the
/// fresh reports, as the HTTP run of the same scenario does with a different slice.
pub async fn run(
    state: &AppState,
    inputs: std::sync::Arc<Inputs>,
    scenario: &str,
    concurrency: usize,
    duration: Duration,
    ack_slice: (usize, usize),
) -> anyhow::Result<Outcome> {
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let state = state.clone();
        let inputs = inputs.clone();
        let scenario = scenario.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(w as u64 + 1);
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let per = inputs.m.to_acknowledge.len() / ack_slice.1.max(1);
            let mut ack_i = (ack_slice.0 - 1) * per + w;
            // The Open311 scenario's day being read and where its next page starts.
            let mut chain: Option<(usize, String)> = None;
            while Instant::now() < deadline {
                let t = Instant::now();
                let ok = match scenario.as_str() {
                    "acknowledge" => {
                        let i = ack_i.min(inputs.m.to_acknowledge.len().saturating_sub(1));
                        ack_i += concurrency;
                        acknowledge(&state, inputs.m.to_acknowledge[i].0, inputs.m.to_acknowledge[i].1).await
                    }
                    "open311_day" => open311_page(&state, &inputs, &mut rng, &mut chain).await,
                    s => once(&state, &inputs, s, &mut rng).await,
                };
                if ok.is_err() {
                    errors += 1;
                }
                lat.push(t.elapsed());
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await?;
        all.extend(lat);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        all[i].as_secs_f64() * 1000.0
    };
    Ok(Outcome {
        requests: all.len() as u64,
        rps: all.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p95_ms: pct(0.95),
        p99_ms: pct(0.99),
        errors,
    })
}

fn pick<'a, T>(rng: &mut StdRng, v: &'a [T]) -> &'a T {
    &v[rng.random_range(0..v.len())]
}


fn as_actor(user: Uuid) -> Actor {
    Actor::new(AuthState::User { id: user, sid: Uuid::nil() })
}

/// The service calls of one request of `scenario`.
async fn once(state: &AppState, i: &Inputs, scenario: &str, rng: &mut StdRng) -> anyhow::Result<()> {
    let page = PageArgs { first: 20, after: None };
    match scenario {
        "my_reports" => {
            let actor = as_actor(*pick(rng, &i.m.residents));
            query::mine(state, &actor, None, page, query::With::default()).await?;
        }
        "inbox" | "area_inbox" | "area_inbox_closed" => {
            let (user, status) = match scenario {
                "inbox" => (*pick(rng, &i.m.neighbour_heads), None),
                "area_inbox" => (*pick(rng, &i.m.area_heads), None),
                _ => (*pick(rng, &i.m.area_heads), Some(Status::Closed)),
            };
            let filter = query::Filter { status, ..Default::default() };
            query::inbox(state, &as_actor(user), filter, Some(20), None, query::With::default()).await?;
        }
        "queue" => {
            query::queue(state, &as_actor(*pick(rng, &i.staff)), Default::default(), Some(20), None, query::With::default()).await?;
        }
        "report" => {
            // The reporter reads it, with the timeline's actors and the comments (the client shows no author).
            let (id, reader) = *pick(rng, &i.m.reports);
            let view = query::one(state, &as_actor(reader), id).await?;
            query::timeline(state, id, page, true).await?;
            query::comments(state, &view, page, false).await?;
        }
        "submit" => {
            let reporter = as_actor(*pick(rng, &i.m.residents));
            let new = submit::NewReport {
                category: *pick(rng, &i.m.categories),
                description: "楼道灯坏了，晚上回家很不方便".into(),
                urgency: Urgency::Normal,
                location: submit::Location::default(),
                anonymous: false,
                idempotency_key: None,
                intake: false,
            };
            submit::submit(state, &reporter, new).await?;
        }
        "similar" => {
            let (user, category, building, unit, text) = pick(rng, &i.m.probes).clone();
            let input = similar::Input {
                category,
                compound: None,
                building: Some(building),
                unit: Some(unit),
                description: text,
                latitude: None,
                longitude: None,
            };
            similar::similar(state, &as_actor(user), input).await?;
        }
        "kpi_street" | "kpi_ranking" => {
            // The aggregate's statements alone, run bare through the pool: the SQL of the request in its steady
            // state with nothing changed since the last read (an answer read wholly from cells: the scope's
            // fingerprint, one row; else the cells' or spans' place and freshness and the facts of the days no
            // cell covers), no check, no decoding, no merging.
            let k = i.m.kpi.as_ref().ok_or_else(|| anyhow::anyhow!("the manifest has no KPI scopes: seed again"))?;
            let spec = kpi_spec(k, scenario == "kpi_street");
            for stmt in aggregate::statements(state.db.get_database_backend(), &spec) {
                sea_orm::ConnectionTrait::query_all_raw(&state.db, stmt).await?;
            }
        }
        other => anyhow::bail!("unknown scenario {other}"),
    }
    Ok(())
}

/// The aggregate of the KPI scenarios: a street's twelve whole months up to the last whole month before `to`, by
/// month, or the district's compounds on the median hours to acknowledge over that month and the one before (what
/// `kpis` and `kpiRanking` run for the requests of `bench-tokens`).
fn kpi_spec(k: &crate::seed::KpiScopes, street_year: bool) -> aggregate::Spec {
    use api::service::authz::ReadScope;
    use api::service::kpi::aggregate::{Dur, Key, Spec};
    let (year, month, last) = crate::seed::kpi_periods(k.to);
    let today = api::service::kpi::facts::beijing_date(chrono::Utc::now());
    if street_year {
        return Spec {
            scope: (ReadScope::Street, k.street),
            from: year,
            to: last,
            today,
            category: None,
            keys: vec![Key::Period("month")],
            durations: Dur::ALL.to_vec(),
        };
    }
    let previous = month.checked_sub_months(chrono::Months::new(1)).expect("in range");
    Spec {
        scope: (ReadScope::District, k.district),
        from: previous,
        to: last,
        today,
        category: None,
        keys: vec![Key::Child("compound_id"), Key::Before(month)],
        durations: vec![Dur::AckWall],
    }
}

/// One page of `GET requests` as the Open311 handler asks for it (the jurisdiction, then the page), reading whole
/// district days page by page as each connection of the HTTP run does.
async fn open311_page(state: &AppState, i: &Inputs, rng: &mut StdRng, chain: &mut Option<(usize, String)>) -> anyhow::Result<()> {
    use api::service::open311;
    let o = i.m.open311.as_ref().filter(|o| !o.days.is_empty()).ok_or_else(|| anyhow::anyhow!("the manifest has no Open311 days: seed again"))?;
    let (day, token) = match chain.take() {
        Some((day, token)) => (day, Some(token)),
        None => (rng.random_range(0..o.days.len()), None),
    };
    let (start, end) = o.days[day];
    let district_id = api::ids::encode(api::ids::Kind::District, o.district).0;
    let district = open311::jurisdiction(state, Some(&district_id)).await?;
    let q = open311::RequestsQuery {
        start: Some(start),
        end: Some(end + chrono::Duration::milliseconds(1)),
        page_size: crate::tokens::OPEN311_PAGE,
        page_token: token,
        ..Default::default()
    };
    let page = open311::requests(state, &district, &q, api::error::Lang::default()).await?;
    *chain = page.next.map(|next| (day, next));
    Ok(())
}

/// An acknowledge, as `acknowledgeReport` does it (with the harness's note).
async fn acknowledge(state: &AppState, id: Uuid, head: Uuid) -> anyhow::Result<()> {
    let input = act::Input { note: Some("收到，马上处理".into()), ..Default::default() };
    act::act(state, &as_actor(head), id, Action::Acknowledge, input).await?;
    Ok(())
}
