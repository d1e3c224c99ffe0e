//! The `linli` binary: a thin entry point over the `api` crate (the server) and `linli-tools` (what production
//! refuses).
mod cli;

// mimalloc instead of glibc's allocator: a GraphQL page allocates thousands of small objects, and under load
// glibc's arenas spent a quarter of the server's CPU in malloc/free and their locks (bench/RESULTS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    cli::run().await
}
