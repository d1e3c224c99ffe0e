//! Serving until the process is told to stop.
//!
//! SIGTERM (what systemd, Kubernetes and every container platform send) or Ctrl-C starts a graceful shutdown: the
//! listener closes, requests in flight run to their end and get their answer (idle keep-alive connections are
//! closed between requests), and the background jobs finish the round they are in and stop. The process exits
//! once all of that is done, or when `LINLI_SHUTDOWN_GRACE_SECS` have passed, whichever comes first.
use std::time::Instant;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::state::AppState;

/// How a shutdown went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stopped {
    /// Every request in flight got its answer within the grace period.
    pub drained: bool,
    /// Every background task stopped within the grace period.
    pub jobs_stopped: bool,
}

/// Resolves when the process is asked to stop: SIGTERM or Ctrl-C (SIGINT).
pub async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("Ctrl-C received: shutting down"),
        _ = term => tracing::info!("SIGTERM received: shutting down"),
    }
}

/// Serves `state` on `listener` until [`stop_signal`], then shuts down gracefully (see the module's doc).
pub async fn serve(state: AppState, listener: TcpListener) -> anyhow::Result<Stopped> {
    serve_until(state, listener, stop_signal()).await
}

/// [`serve`] with the stop signal given (tests and embedders).
pub async fn serve_until(
    state: AppState,
    listener: TcpListener,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Stopped> {
    let router = crate::build_router(state.clone());
    let (tx, mut stopping) = watch::channel(false);
    tokio::spawn(async move {
        signal.await;
        let _ = tx.send(true);
    });
    let mut until = stopping.clone();
    let server = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).with_graceful_shutdown(async move {
        let _ = until.wait_for(|s| *s).await;
    });
    let mut server = tokio::spawn(async move { server.await });
    tokio::select! {
        r = &mut server => {
            // The server ended on its own (an accept error): stop the jobs and report it.
            state.background.stop(state.config.shutdown_grace).await;
            r??;
            return Ok(Stopped { drained: true, jobs_stopped: true });
        }
        _ = stopping.wait_for(|s| *s) => {}
    }
    let grace = state.config.shutdown_grace;
    let started = Instant::now();
    let bg = state.background.clone();
    let (drained, jobs_stopped) = tokio::join!(
        async {
            match tokio::time::timeout(grace, &mut server).await {
                Ok(r) => r.map_err(anyhow::Error::from).and_then(|r| r.map_err(Into::into)).map(|_| true),
                Err(_) => {
                    server.abort();
                    Ok(false)
                }
            }
        },
        bg.stop(grace),
    );
    let drained = drained?;
    if drained && jobs_stopped {
        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "shut down cleanly");
    } else {
        tracing::warn!(drained, jobs_stopped, "grace period over: stopping with work unfinished");
    }
    state.db.clone().close().await.ok();
    state.log_db.clone().close().await.ok();
    Ok(Stopped { drained, jobs_stopped })
}
