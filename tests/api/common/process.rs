//! Real server processes (the `linli` binary this crate builds), for what only a process shows: signals,
//! being killed, several replicas over one database.
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Gql, TestDb};

/// A database for server processes: the suite's kind (a SQLite file, or a fresh PostgreSQL database when
/// `TEST_DATABASE_URL` is set), dropped with the value.
pub struct SharedDb {
    /// The `DATABASE_URL` the processes get.
    pub url: String,
    _db: TestDb,
}

impl SharedDb {
    /// A new, empty database.
    pub async fn create() -> SharedDb {
        let (db, url) = TestDb::create().await;
        SharedDb { url, _db: db }
    }
}

/// One running `linli serve` process.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:port`
    pub base: String,
    http: reqwest::Client,
    /// Where its photos go (removed on drop).
    media: std::path::PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Server {
    /// Starts `linli serve` (with `args`, e.g. `--demo`) on `db` with `env` on top of the test defaults, and
    /// waits until it answers `/healthz`.
    pub async fn start(db: &SharedDb, args: &[&str], env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let media = std::env::temp_dir().join("linli-tests").join("media").join(uuid::Uuid::now_v7().simple().to_string());
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_linli"));
        cmd.arg("serve")
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &db.url)
            .env("LINLI_LISTEN", format!("127.0.0.1:{port}"))
            .env("LINLI_MEDIA_DIR", &media)
            .env("LINLI_LOG", std::env::var("TEST_SERVER_LOG").unwrap_or_else(|_| "warn".into()))
            .env("DATABASE_MAX_CONNECTIONS", "8")
            // As in-process tests: limits off unless a test sets them (it may, in `env`).
            .env("LINLI_RATE_LIMITS", "off")
            .stdout(if std::env::var("TEST_SERVER_LOG").is_ok() { Stdio::inherit() } else { Stdio::null() });
        // Its errors go to a file beside its photos, shown when it fails to start (a server that exits at start-up
        // would otherwise look like a slow one).
        std::fs::create_dir_all(&media).expect("the media directory");
        let errors = media.join("server.stderr");
        if std::env::var("TEST_SERVER_LOG").is_ok() {
            cmd.stderr(Stdio::inherit());
        } else {
            cmd.stderr(std::fs::File::create(&errors).expect("the server's stderr file"));
        }
        if let Some(redis) = std::env::var("TEST_REDIS_URL").ok().filter(|s| !s.is_empty()) {
            cmd.env("REDIS_URL", redis);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start the linli binary");
        let mut server = Server { child, base: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new(), media };
        // Generous: CI runs the whole suite at once on two cores, and several servers may start together.
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if let Ok(r) = server.http.get(format!("{}/healthz", server.base)).send().await {
                if r.status().is_success() {
                    return server;
                }
            }
            let log = || std::fs::read_to_string(&errors).unwrap_or_default();
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the server exited at start-up ({status}):\n{}", log());
            }
            assert!(Instant::now() < deadline, "the server did not start within 3 minutes:\n{}", log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM, as a process manager does.
    pub fn terminate(&self) {
        let ok = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().expect("kill").success();
        assert!(ok, "could not send SIGTERM");
    }

    /// Kills the process at once (SIGKILL): no shutdown code runs.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().ok();
    }

    /// Waits up to `limit` for the process to exit; its exit code, or None if it is still running.
    pub async fn exit_code(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            if Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A GraphQL request with an optional bearer token.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        let mut req = self.http.post(format!("{}/graphql", self.base)).json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.expect("JSON body");
        Gql { data: body["data"].clone(), errors: body["errors"].as_array().cloned().unwrap_or_default(), status }
    }

    /// Logs in with `dev:<name>` and returns the access token.
    pub async fn login(&self, name: &str) -> String {
        let r = self
            .gql(None, "mutation($c: String!) { loginWithWechat(code: $c) { accessToken } }", json!({ "c": format!("dev:{name}") }))
            .await;
        r.ok()["loginWithWechat"]["accessToken"].as_str().unwrap().to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.media);
    }
}

/// Runs the `linli` binary with `args` and `env` (nothing else from the environment but PATH) and returns its
/// exit code and what it wrote to stderr.
pub fn run_cli(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_linli"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .output()
        .expect("run the linli binary");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}
