//! The `linli` command line: `serve [--demo]`, `migrate <up|down|status|fresh>`, `schema`.
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};
use tracing_subscriber::EnvFilter;

use crate::config::{Config, Mode};

#[derive(Parser)]
#[command(name = "linli", about = "Linli (邻里): the neighbourhood-grid backend")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrations are applied at start).
    Serve {
        /// Load the demo district into an empty database (dev mode only).
        #[arg(long)]
        demo: bool,
    },
    /// Apply or inspect migrations on DATABASE_URL.
    Migrate {
        /// up | down | status | fresh
        #[arg(default_value = "up")]
        action: String,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
}

/// Entry point of the `linli` binary.
pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("LINLI_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .init();
    match cli.command {
        Command::Schema => {
            print!("{}", crate::graphql::sdl());
            Ok(())
        }
        Command::Migrate { action } => {
            let config = Config::from_env()?;
            let db = crate::db::connect(&config.database_url, 2).await?;
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
    }
}

async fn serve(demo: bool) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    if demo && config.mode == Mode::Production {
        anyhow::bail!("--demo loads dev users and is refused in production mode");
    }
    let listen = config.listen;
    let state = crate::build_state(config).await?;
    let loaded = if demo { crate::service::demo::load_if_empty(&state).await? } else { false };
    let router = crate::build_router(state.clone());
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
        println!("  Demo district {}. Dev logins (mutation {{ loginWithWechat(code: \"dev:<name>\") {{ accessToken }} }}):",
            if loaded { "loaded" } else { "already present" });
        for (name, what) in crate::service::demo::DEV_USERS {
            let token = dev_token(&state, name).await.unwrap_or_else(|| "-".into());
            println!("    dev:{name:<16} {what}");
            println!("      Authorization: Bearer {token}");
        }
        println!("  (tokens expire after {} s; log in again with the code for a fresh one)", state.jwt.ttl_secs());
    }
    println!();
    axum::serve(listener, router).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

async fn dev_token(state: &crate::state::AppState, name: &str) -> Option<String> {
    crate::service::auth::login(state, &format!("dev:{name}")).await.ok().map(|s| s.access_token)
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
