//! The usual sea-orm-migration CLI: `cargo run -p migration -- up|down|status|fresh` with `DATABASE_URL` set.
use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
