//! The `linli` binary: a thin entry point; everything lives in the `api` crate.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    api::cli::run().await
}
