//! The tools beside the server: everything that mints tokens, seeds or loads data, or measures, kept out of the
//! `api` crate so the server's own code has nothing it must refuse. The `linli` binary offers them as commands and
//! refuses every one of them in production mode (`LINLI_MODE=production`).
//!
//! - [`seed`]: the scale generator (`linli seed-scale`): a district of the real shape, deterministic from a seed;
//! - [`tokens`]: access tokens for the load harness's users (`linli bench-tokens`);
//! - [`ceiling`]: the benchmark ceiling (`linli bench-ceiling`): the server's own service calls without HTTP;
//! - [`demo`]: the small demo district of `serve --demo` and the tests.
pub mod ceiling;
pub mod demo;
pub mod seed;
pub mod sla_bench;
pub mod tokens;

/// Refuses to run a tool in production mode, with a message that says why.
pub fn refuse_in_production(config: &api::config::Config, what: &str) -> anyhow::Result<()> {
    if config.mode == api::config::Mode::Production {
        anyhow::bail!(
            "`{what}` is refused in production mode (LINLI_MODE=production): it mints tokens, loads or drops data, \
             or runs dev fixtures. Run it against a development database with LINLI_MODE=dev."
        );
    }
    Ok(())
}
