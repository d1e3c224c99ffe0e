//! The `linli` command line. The server's commands (`serve`, `migrate`, `bootstrap`, `schema`, `audit verify`)
//! call the `api` crate; the tools (`serve --demo`, `seed-scale`, `bench-ceiling`, `bench-tokens`, `migrate
//! fresh|down`) call `linli-tools` or drop data, and each of them is refused in production mode before it touches
//! anything.
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};
use tracing_subscriber::EnvFilter;

use api::config::Config;
use linli_tools::refuse_in_production;

#[derive(Parser)]
#[command(name = "linli", about = "Linli (邻里): the neighbourhood-grid backend")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrations are applied at start) until SIGTERM or Ctrl-C.
    Serve {
        /// Load the demo district into an empty database and print dev logins (refused in production mode).
        #[arg(long)]
        demo: bool,
    },
    /// Apply or inspect migrations on DATABASE_URL (`fresh` and `down` drop data: refused in production mode).
    Migrate {
        /// up | down | status | fresh
        #[arg(default_value = "up")]
        action: String,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// The audit log of admin actions.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Production bootstrap: create a district (if absent) and make the user with this WeChat openid its admin.
    /// Everything else is then done through the API by that admin.
    Bootstrap {
        /// The district's name.
        #[arg(long)]
        district: String,
        /// The first admin's WeChat openid (from their first login, or known in advance).
        #[arg(long)]
        admin_openid: String,
    },
    /// Fill DATABASE_URL (empty, migrated) with a district of the real shape, for benchmarks (dev mode only).
    SeedScale {
        /// 1 = one district (1,000,000 reports); 100 = a province; 0.01 = a sliver.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// RNG seed: the same seed gives the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Extra fresh SUBMITTED reports (per district at scale 1) for the acknowledge benchmark.
        #[arg(long, default_value_t = 60_000)]
        fresh: usize,
        /// Where to write the manifest and the load harness's input files.
        #[arg(long, default_value = "bench/out")]
        out: std::path::PathBuf,
    },
    /// Run a scenario's service calls straight through the pool: the ceiling the HTTP figures are compared with
    /// (dev mode only).
    BenchCeiling {
        /// my_reports, inbox, area_inbox, area_inbox_closed, queue, report, submit, acknowledge
        #[arg(long)]
        scenario: String,
        /// Concurrent tasks.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Seconds to run.
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        /// The directory holding manifest.json.
        #[arg(long, default_value = "bench/out")]
        out: std::path::PathBuf,
        /// "k/n": the k-th of n slices of the fresh reports (acknowledge).
        #[arg(long, default_value = "1/1")]
        slice: String,
    },
    /// The escalation job through `timers` due timers of the seeded district, against the same statements run bare
    /// (dev mode only; PostgreSQL).
    BenchSla {
        /// Due timers for each side.
        #[arg(long, default_value_t = 100_000)]
        timers: usize,
    },
    /// Mint fresh tokens for the users in a manifest (the load harness's input files; dev mode only).
    BenchTokens {
        /// The directory holding manifest.json.
        #[arg(long, default_value = "bench/out")]
        out: std::path::PathBuf,
    },
}

/// `linli audit …`.
#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain of DATABASE_URL's audit log and report the first broken row (exit status 1 if any).
    Verify,
}

/// Entry point of the `linli` binary.
pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_env("LINLI_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // JSON lines (one object per event, with its span's request id) in production or with LINLI_LOG_FORMAT=json.
    let json = match std::env::var("LINLI_LOG_FORMAT").as_deref() {
        Ok("json") => true,
        Ok("text") => false,
        _ => std::env::var("LINLI_MODE").as_deref() == Ok("production"),
    };
    if json {
        tracing_subscriber::fmt().json().with_current_span(true).with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    match cli.command {
        Command::Schema => {
            print!("{}", api::graphql::sdl());
            Ok(())
        }
        Command::Migrate { action } => {
            let config = Config::from_env()?;
            if matches!(action.as_str(), "fresh" | "down") {
                refuse_in_production(&config, &format!("migrate {action}"))?;
            }
            let db = api::db::connect(&config.database_url, 2).await?;
            match action.as_str() {
                "up" => Migrator::up(&db, None).await?,
                "down" => Migrator::down(&db, Some(1)).await?,
                "status" => Migrator::status(&db).await?,
                "fresh" => Migrator::fresh(&db).await?,
                other => anyhow::bail!("unknown migrate action `{other}`: use up, down, status or fresh"),
            }
            Ok(())
        }
        Command::Serve { demo } => serve(demo).await,
        Command::Audit { command: AuditCommand::Verify } => {
            let config = Config::from_env()?;
            let db = api::db::connect(&config.database_url, 2).await?;
            let v = api::service::audit::verify(&db).await.map_err(anyhow::Error::from)?;
            match v.broken {
                None => {
                    println!("audit log intact: {} rows", v.rows);
                    Ok(())
                }
                Some(b) => {
                    let id = b.id.map(|i| format!(" (id {i})")).unwrap_or_default();
                    println!("audit log BROKEN at row {}{id}: {}; {} rows before it are intact", b.seq, b.why, v.rows);
                    std::process::exit(1);
                }
            }
        }
        Command::Bootstrap { district, admin_openid } => {
            let config = Config::from_env()?;
            let state = api::build_state(Config { jobs_enabled: false, ..config }).await?;
            let (d, u) = api::service::org::bootstrap(&state, &district, &admin_openid).await.map_err(anyhow::Error::from)?;
            state.background.stop(state.config.shutdown_grace).await;
            println!(
                "district {} ({}) has admin {}",
                district,
                api::ids::encode(api::ids::Kind::District, d).0,
                api::ids::encode(api::ids::Kind::User, u).0
            );
            Ok(())
        }
        Command::SeedScale { scale, seed, fresh, out } => {
            let config = Config::from_env()?;
            refuse_in_production(&config, "seed-scale")?;
            let db = api::db::connect_and_migrate(&config.database_url, 4).await?;
            let started = std::time::Instant::now();
            // A fixed "now" keeps the data identical run to run; it is today at midnight UTC.
            let now = chrono::Utc::now().date_naive().and_hms_opt(0, 0, 0).expect("midnight").and_utc();
            let opts = linli_tools::seed::SeedOptions { scale, seed, fresh_reports: fresh, now };
            let manifest = linli_tools::seed::seed(&db, &opts).await?;
            std::fs::create_dir_all(&out)?;
            std::fs::write(out.join("manifest.json"), serde_json::to_vec(&manifest)?)?;
            linli_tools::tokens::write_bench_inputs(&config, &manifest, &out)?;
            let mut counts: Vec<_> = manifest.counts.iter().collect();
            counts.sort();
            for (table, n) in counts {
                println!("{table:>22}: {n}");
            }
            println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::BenchCeiling { scenario, concurrency, duration, out, slice } => {
            let config = Config::from_env()?;
            refuse_in_production(&config, "bench-ceiling")?;
            let manifest: linli_tools::seed::Manifest = serde_json::from_slice(&std::fs::read(out.join("manifest.json"))?)?;
            let (k, n) = slice.split_once('/').and_then(|(k, n)| Some((k.parse().ok()?, n.parse().ok()?))).unwrap_or((1, 1));
            let o = linli_tools::ceiling::run_scenario(
                config,
                &manifest,
                &scenario,
                concurrency,
                std::time::Duration::from_secs_f64(duration),
                (k, n),
            )
            .await?;
            println!(
                "RESULT requests={} rps={:.1} p50_ms={:.2} p95_ms={:.2} p99_ms={:.2} errors={}",
                o.requests, o.rps, o.p50_ms, o.p95_ms, o.p99_ms, o.errors
            );
            Ok(())
        }
        Command::BenchSla { timers } => {
            let config = Config::from_env()?;
            refuse_in_production(&config, "bench-sla")?;
            let state = api::build_state(Config { jobs_enabled: false, ..config }).await?;
            let o = linli_tools::sla_bench::run(&state, timers).await?;
            state.background.stop(std::time::Duration::from_secs(5)).await;
            println!(
                "RESULT timers={} fired={} job_per_s={:.1} bare={} bare_per_s={:.1}",
                o.timers, o.fired, o.job_per_s, o.bare, o.bare_per_s
            );
            Ok(())
        }
        Command::BenchTokens { out } => {
            let config = Config::from_env()?;
            refuse_in_production(&config, "bench-tokens")?;
            let manifest: linli_tools::seed::Manifest = serde_json::from_slice(&std::fs::read(out.join("manifest.json"))?)?;
            linli_tools::tokens::write_bench_inputs(&config, &manifest, &out)?;
            Ok(())
        }
    }
}

async fn serve(demo: bool) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    if demo {
        refuse_in_production(&config, "serve --demo")?;
    }
    let listen = config.listen;
    let state = api::build_state(config).await?;
    let loaded = if demo { linli_tools::demo::load_if_empty(&state).await? } else { false };
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    println!();
    println!("  Linli is listening on http://{addr}");
    println!("  GraphQL:  http://{addr}/graphql");
    if state.config.is_dev() {
        println!("  GraphiQL: http://{addr}/graphiql");
    }
    println!("  database: {:?}, cache: {}", state.db.get_database_backend(), state.cache.backend());
    if demo {
        println!();
        println!(
            "  Demo district {}. Dev logins (mutation {{ loginWithWechat(code: \"dev:<name>\") {{ accessToken }} }}):",
            if loaded { "loaded" } else { "already present" }
        );
        for (name, what) in linli_tools::demo::DEV_USERS {
            let token = api::service::auth::login(&state, &format!("dev:{name}")).await.ok().map(|s| s.access_token);
            println!("    dev:{name:<16} {what}");
            println!("      Authorization: Bearer {}", token.unwrap_or_else(|| "-".into()));
        }
        println!("  (tokens expire after {} s; log in again with the code for a fresh one)", state.jwt.ttl_secs());
    }
    println!();
    let stopped = api::serve(state, listener).await?;
    if !(stopped.drained && stopped.jobs_stopped) {
        // Work was cut off at the end of the grace period: say so to the process manager.
        std::process::exit(1);
    }
    Ok(())
}
