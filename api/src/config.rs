//! One typed configuration, read from the environment (and an optional `.env` file).
//!
//! Every variable is documented in the README. Secrets are wrapped in [`Secret`] so they never reach a log line.
use std::{fmt, net::SocketAddr, time::Duration};

/// Dev mode allows dev logins and GraphiQL; production mode refuses every dev shortcut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Local development and tests.
    Dev,
    /// Real deployments.
    Production,
}

/// A value that must never be printed: `Debug` shows `Secret(***)`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret string.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The JWT secret used when none is configured. Accepted in dev mode only.
pub const DEV_JWT_SECRET: &str = "linli-dev-secret-do-not-use-in-production";

/// The server's configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// `LINLI_MODE`: `dev` (default) or `production`.
    pub mode: Mode,
    /// `LINLI_LISTEN`: address to listen on, default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`; default `sqlite://./data/linli.db?mode=rwc`.
    pub database_url: String,
    /// `DATABASE_MAX_CONNECTIONS`: pool size; default four per CPU core, at least 8 (PostgreSQL does best with few
    /// busy connections, but commits need company to share WAL flushes; see bench/RESULTS.md).
    pub database_max_connections: u32,
    /// `LINLI_MAX_IN_FLIGHT`: GraphQL operations a replica executes at once; the others wait their turn, first come
    /// first served. Default twice the pool size; 0 for no limit. Without a limit, 64 requests in flight on 2 cores
    /// meant each statement of a transaction waited behind every other request's CPU work while holding its
    /// connection, and p99 of `submitReport` nearly doubled (bench/RESULTS.md).
    pub max_in_flight: usize,
    /// `REDIS_URL`: when set, cache and pub/sub go through Redis so replicas share them.
    pub redis_url: Option<String>,
    /// `LINLI_JWT_SECRET`: HS256 signing secret, at least 32 bytes in production.
    pub jwt_secret: Secret,
    /// `LINLI_JWT_ISSUER`, default `linli`.
    pub jwt_issuer: String,
    /// `LINLI_JWT_AUDIENCE`, default `linli-miniprogram`.
    pub jwt_audience: String,
    /// `LINLI_ACCESS_TOKEN_TTL_SECS`: access-token lifetime, default 900 (15 min).
    pub access_token_ttl: Duration,
    /// `LINLI_REFRESH_TOKEN_TTL_SECS`: refresh-token lifetime, default 30 days.
    pub refresh_token_ttl: Duration,
    /// `LINLI_REFRESH_GRACE_SECS`: how long an already-rotated refresh token may be replayed (a retry after a lost
    /// response) before it counts as theft, default 30.
    pub refresh_grace: Duration,
    /// `WECHAT_APPID`: the mini-program's app id.
    pub wechat_appid: String,
    /// `WECHAT_SECRET`: the mini-program's app secret.
    pub wechat_secret: Secret,
    /// `WECHAT_API_BASE`: default `https://api.weixin.qq.com`; tests point it at a local fake.
    pub wechat_api_base: String,
    /// `WECHAT_TIMEOUT_MS`: per-call timeout towards WeChat, default 5000.
    pub wechat_timeout: Duration,
    /// `LINLI_MAX_BODY_BYTES`: largest accepted GraphQL request body, default 64 KiB.
    pub max_body_bytes: usize,
    /// `LINLI_MAX_SIGNED_IN_BODY_BYTES`: the same for a signed-in caller, default 4 MiB (a grid import's
    /// spreadsheet of up to 2 MiB travels base64 in the request's variables). Never less than the above.
    pub max_body_bytes_signed_in: usize,
    /// `LINLI_ROLE_CACHE_SECS`: how long a user's roles are cached (invalidated at once on change), default 60.
    pub role_cache_ttl: Duration,
    /// `LINLI_AUTO_CLOSE_SECS`: a resolved report the resident has not answered is closed after this, default 72 h.
    pub auto_close_after: Duration,
    /// `LINLI_JOBS`: `on` (default) runs the background jobs in this process; `off` leaves them to other replicas.
    pub jobs_enabled: bool,
    /// `LINLI_JOB_INTERVAL_MS`: how often the background jobs run, default 60000.
    pub job_interval: Duration,
    /// `LINLI_SLA_INTERVAL_MS`: how often the SLA timer job looks for due warnings and breaches, default 15000.
    pub sla_interval: Duration,
    /// `LINLI_SIMILAR_METRES`: how near a report with coordinates must be to count as the same place for
    /// `similarReports`, default 150.
    pub similar_metres: f64,
    /// `LINLI_CONTENT_CHECK`: `on` sends user texts through WeChat's msg_sec_check before storing them; default
    /// `on` when `WECHAT_SECRET` is set, `off` otherwise (a dev server without WeChat).
    pub content_check: bool,
    /// `LINLI_CONTENT_CHECK_TIMEOUT_MS`: how long a write waits for msg_sec_check before accepting the text as
    /// PENDING and queueing it, default 1500.
    pub content_check_timeout: Duration,
    /// `LINLI_SUBSCRIBE_TEMPLATES`: which subscribe-message template announces which notification (unknown kinds are
    /// refused at start-up), as JSON:
    /// `{"REPORT_ACKNOWLEDGED": {"templateId": "…", "page": "pages/report/detail", "data": {"thing1": "title",
    /// "phrase2": "status", "time3": "at"}}}`; the data values name what to put there: `title`, `body`, `status`,
    /// `at`, `report`. Events without a template are in-app only. Default: none.
    pub subscribe_templates: std::collections::HashMap<entity::enums::NotificationKind, TemplateSpec>,
    /// `LINLI_MINIPROGRAM_STATE`: `formal` (default), `trial` or `developer`: which build a message opens.
    pub miniprogram_state: String,
    /// `LINLI_OUTBOX_INTERVAL_MS`: how often the outbox worker looks for messages to send, default 2000.
    pub outbox_interval: Duration,
    /// How often the KPI cells changed since they were last built are built again (`LINLI_KPI_CELL_INTERVAL_MS`,
    /// default 5 s; a KPI reads the facts of a cell not yet built, so this bounds its cost, not its freshness).
    pub kpi_cell_interval: Duration,
    /// `LINLI_POINTS_RULES`: points per reason, as JSON; default
    /// `{"ACK_IN_SLA": 2, "RESOLUTION_CONFIRMED": 5, "FIVE_STAR": 3, "VOTE_WIN": 50}`. A reason set to 0 awards nothing.
    pub points_rules: std::collections::HashMap<entity::enums::PointsReason, i32>,
    /// `WECHAT_PUSH_TOKEN`: the token configured for the mini-program's message push (it signs every push to
    /// `/wechat/push`); pushes are refused while it is unset.
    pub wechat_push_token: Option<Secret>,
    /// Where photos are stored: local disk (default) or S3-compatible object storage.
    pub media: MediaConfig,
    /// Report exports (`docs/export.md`).
    pub export: ExportConfig,
    /// `LINLI_EVENT_EXPORT`: a file to which every domain event is appended as a JSON line, once and in order,
    /// from a cursor that survives restarts (for the district's archive or data platform). Default: none.
    pub event_export: Option<std::path::PathBuf>,
    /// `LINLI_RATE_LIMITS`: rate limits per user and per client address, per class of operation; default on
    /// (`service/ratelimit.rs` lists the allowances), `off`, or `class=per_minute/burst,…` overrides.
    pub rate_limits: crate::service::ratelimit::Limits,
    /// `LINLI_CLIENT_IP_HEADER`: the header a load balancer in front puts the client's address in (e.g.
    /// `x-forwarded-for`, whose last entry is taken: the one our balancer added). Default: none, the peer address.
    pub client_ip_header: Option<String>,
    /// Document limits: `LINLI_MAX_ALIASES` (one field under at most this many aliases in one selection, default
    /// 10) and `LINLI_MAX_FIELDS` (fields per operation, fragments expanded, default 200).
    pub doc_limits: crate::graphql::limits::DocLimits,
    /// `LINLI_METRICS_TOKEN`: when set, `GET /metrics` needs it as a bearer token. Default: none (open; put the
    /// route behind the load balancer's own rules).
    pub metrics_token: Option<Secret>,
    /// Subscriptions over `/graphql/ws` (`http/ws.rs`).
    pub ws: WsConfig,
    /// `LINLI_MAX_BATCH`: operations in one batched request (a JSON array), default 10.
    pub max_batch: usize,
    /// The web console (`service/console.rs`).
    pub console: ConsoleConfig,
    /// Webhook deliveries (issue 18).
    pub webhooks: WebhookConfig,
    /// `LINLI_SHUTDOWN_GRACE_SECS`: after SIGTERM or Ctrl-C, how long requests in flight and background jobs get to
    /// finish before the process exits anyway, default 20.
    pub shutdown_grace: Duration,
}

/// Webhook deliveries.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// `LINLI_WEBHOOK_INTERVAL_MS`: how often the delivery job looks for due webhooks, default 1000.
    pub interval: Duration,
    /// `LINLI_WEBHOOK_BACKOFF_MS`: the wait after a first failure, doubled after each next one (at most an hour),
    /// with ±20 % jitter; default 10000.
    pub backoff: Duration,
    /// `LINLI_WEBHOOK_MAX_FAILURES`: failures in a row that pause a webhook (its admin resumes it), default 12.
    pub max_failures: i32,
    /// `LINLI_WEBHOOK_TIMEOUT_MS`: per delivery, default 10000.
    pub timeout: Duration,
}

/// The web console's sessions and scan-to-login.
#[derive(Clone, Debug)]
pub struct ConsoleConfig {
    /// `LINLI_CONSOLE_SESSION_SECS`: how long a console session lasts from its login, default 43200 (12 h: a working
    /// day; the console logs in again the next morning).
    pub session_ttl: Duration,
    /// `LINLI_CONSOLE_SCAN_SECS`: how long a scan-to-login code may be scanned and collected, default 300.
    pub scan_ttl: Duration,
    /// `LINLI_CONSOLE_LOGIN_PAGE`: the mini-program page a scan opens (it calls `approveConsoleLogin(scene)`),
    /// default `pages/console-login/index`.
    pub login_page: String,
    /// `LINLI_CONSOLE_WXACODE_ENV`: which build of the mini-program the code opens: `release` (default), `trial`
    /// or `develop` (the last two skip WeChat's check that the page is released).
    pub wxacode_env: String,
}

/// Subscriptions over websockets.
#[derive(Clone, Debug)]
pub struct WsConfig {
    /// `LINLI_WS_INIT_TIMEOUT_MS`: how long a socket may wait before `connection_init`, default 10000.
    pub init_timeout: Duration,
    /// `LINLI_WS_PING_SECS`: how often the server pings, default 30.
    pub ping_every: Duration,
    /// `LINLI_WS_MAX_SUBSCRIPTIONS`: subscriptions one socket may hold, default 20.
    pub max_subscriptions: usize,
    /// `LINLI_WS_MAX_PER_USER`: subscriptions one user may hold on a replica, default 50.
    pub max_per_user: usize,
}

/// Photo storage and upload limits.
#[derive(Clone, Debug)]
pub struct MediaConfig {
    /// `LINLI_MEDIA_DIR`: the directory photos are stored under when no S3 bucket is configured, default
    /// `./data/media` (created if absent).
    pub dir: std::path::PathBuf,
    /// S3-compatible storage, used instead of `dir` when `LINLI_S3_BUCKET` is set.
    pub s3: Option<S3Config>,
    /// `LINLI_UPLOAD_MAX_BYTES`: largest accepted photo file, default 10 MiB.
    pub max_upload_bytes: usize,
    /// `LINLI_UPLOAD_MAX_PIXELS`: largest accepted width × height, checked from the header before decoding,
    /// default 50,000,000 (decompression bombs declare far more).
    pub max_pixels: u64,
    /// `LINLI_MEDIA_URL_TTL_SECS`: how long a signed photo URL is valid at least, default 900 (at least 60).
    pub url_ttl: Duration,
    /// `LINLI_PUBLIC_URL`: the server's public origin (`https://api.example.com`); signed photo URLs are absolute
    /// when set, paths (`/media/…`) otherwise.
    pub public_url: Option<String>,
}

/// Report exports.
#[derive(Clone, Debug)]
pub struct ExportConfig {
    /// `LINLI_EXPORT_TTL_SECS`: how long a background export's download link (and its file in the media store)
    /// lives after it is done, default 86400 (a day; at least 60).
    pub file_ttl: Duration,
    /// `LINLI_EXPORT_INTERVAL_MS`: how often the export job looks for queued exports and expired files, default
    /// 2000.
    pub interval: Duration,
    /// `LINLI_EXPORT_TMP_DIR`: where workbooks are written while they are made (rust_xlsxwriter's constant-memory
    /// rows, then the file), default the system's temporary directory. Files are removed when done.
    pub tmp_dir: std::path::PathBuf,
}

/// An S3-compatible bucket (AWS S3, MinIO, Tencent COS, Aliyun OSS in S3 mode).
#[derive(Clone, Debug)]
pub struct S3Config {
    /// `LINLI_S3_BUCKET`.
    pub bucket: String,
    /// `LINLI_S3_ENDPOINT`: for anything but AWS itself (path-style requests are used then).
    pub endpoint: Option<String>,
    /// `LINLI_S3_REGION`, default `us-east-1`.
    pub region: String,
    /// `AWS_ACCESS_KEY_ID` (otherwise the usual AWS credential chain).
    pub access_key_id: Option<String>,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: Option<Secret>,
    /// `AWS_SESSION_TOKEN`, for temporary credentials.
    pub session_token: Option<Secret>,
}

/// The subscribe-message template of one kind of notification.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateSpec {
    /// The template id from the mini-program's admin console.
    pub template_id: String,
    /// The page the message opens (`?id=<report id>` is appended when the notification is about a report).
    #[serde(default)]
    pub page: Option<String>,
    /// Template key (`thing1`, `time2`, …) → what to put there: `title`, `body`, `status`, `at` or `report`.
    pub data: std::collections::BTreeMap<String, String>,
}

/// A configuration that cannot be used, with a message for the operator.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Reads `.env` (if present) and the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Builds the configuration from any key lookup (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let mode = match get("LINLI_MODE").as_deref() {
            None | Some("dev") => Mode::Dev,
            Some("production") => Mode::Production,
            Some(other) => {
                return Err(ConfigError(format!("LINLI_MODE must be `dev` or `production`, not `{other}`")));
            }
        };
        let num = |k: &str, default: u64| -> Result<u64, ConfigError> {
            match get(k) {
                None => Ok(default),
                Some(v) => v.parse().map_err(|_| ConfigError(format!("{k} must be a whole number, got `{v}`"))),
            }
        };
        let listen = get("LINLI_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen
            .parse()
            .map_err(|_| ConfigError(format!("LINLI_LISTEN must be host:port, got `{listen}`")))?;
        let database_url =
            get("DATABASE_URL").unwrap_or_else(|| "sqlite://./data/linli.db?mode=rwc".into());
        let cores = std::thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(2);
        // Enough connections in flight for commits to share WAL flushes, few enough to keep PostgreSQL's CPU for
        // work (bench/RESULTS.md: on 2 cores, 8 against 4 gave +15% on submitReport, reads unchanged).
        let default_pool = (4 * cores).max(8);
        let pool = num("DATABASE_MAX_CONNECTIONS", default_pool)?;
        let cfg = Config {
            mode,
            listen,
            database_max_connections: pool as u32,
            max_in_flight: num("LINLI_MAX_IN_FLIGHT", 2 * pool)? as usize,
            database_url,
            redis_url: get("REDIS_URL"),
            jwt_secret: Secret::new(get("LINLI_JWT_SECRET").unwrap_or_else(|| DEV_JWT_SECRET.into())),
            jwt_issuer: get("LINLI_JWT_ISSUER").unwrap_or_else(|| "linli".into()),
            jwt_audience: get("LINLI_JWT_AUDIENCE").unwrap_or_else(|| "linli-miniprogram".into()),
            access_token_ttl: Duration::from_secs(num("LINLI_ACCESS_TOKEN_TTL_SECS", 900)?),
            refresh_token_ttl: Duration::from_secs(num("LINLI_REFRESH_TOKEN_TTL_SECS", 30 * 86400)?),
            refresh_grace: Duration::from_secs(num("LINLI_REFRESH_GRACE_SECS", 30)?),
            wechat_appid: get("WECHAT_APPID").unwrap_or_else(|| "wx-dev-appid".into()),
            wechat_secret: Secret::new(get("WECHAT_SECRET").unwrap_or_default()),
            wechat_api_base: get("WECHAT_API_BASE")
                .unwrap_or_else(|| "https://api.weixin.qq.com".into())
                .trim_end_matches('/')
                .to_string(),
            wechat_timeout: Duration::from_millis(num("WECHAT_TIMEOUT_MS", 5000)?),
            max_body_bytes: num("LINLI_MAX_BODY_BYTES", 64 * 1024)? as usize,
            max_body_bytes_signed_in: (num("LINLI_MAX_SIGNED_IN_BODY_BYTES", 4 * 1024 * 1024)? as usize)
                .max(num("LINLI_MAX_BODY_BYTES", 64 * 1024)? as usize),
            role_cache_ttl: Duration::from_secs(num("LINLI_ROLE_CACHE_SECS", 60)?),
            auto_close_after: Duration::from_secs(num("LINLI_AUTO_CLOSE_SECS", 72 * 3600)?),
            jobs_enabled: match get("LINLI_JOBS").as_deref() {
                None | Some("on") => true,
                Some("off") => false,
                Some(other) => return Err(ConfigError(format!("LINLI_JOBS must be `on` or `off`, not `{other}`"))),
            },
            job_interval: Duration::from_millis(num("LINLI_JOB_INTERVAL_MS", 60_000)?.max(10)),
            sla_interval: Duration::from_millis(num("LINLI_SLA_INTERVAL_MS", 15_000)?.max(10)),
            similar_metres: num("LINLI_SIMILAR_METRES", 150)? as f64,
            content_check: match get("LINLI_CONTENT_CHECK").as_deref() {
                None => get("WECHAT_SECRET").is_some_and(|s| !s.is_empty()),
                Some("on") => true,
                Some("off") => false,
                Some(other) => return Err(ConfigError(format!("LINLI_CONTENT_CHECK must be `on` or `off`, not `{other}`"))),
            },
            content_check_timeout: Duration::from_millis(num("LINLI_CONTENT_CHECK_TIMEOUT_MS", 1500)?.max(50)),
            subscribe_templates: match get("LINLI_SUBSCRIBE_TEMPLATES") {
                None => Default::default(),
                Some(json) => serde_json::from_str(&json)
                    .map_err(|e| ConfigError(format!("LINLI_SUBSCRIBE_TEMPLATES is not valid JSON of templates: {e}")))?,
            },
            miniprogram_state: match get("LINLI_MINIPROGRAM_STATE").as_deref() {
                None | Some("formal") => "formal".into(),
                Some(s @ ("trial" | "developer")) => s.into(),
                Some(other) => {
                    return Err(ConfigError(format!("LINLI_MINIPROGRAM_STATE must be formal, trial or developer, not `{other}`")));
                }
            },
            outbox_interval: Duration::from_millis(num("LINLI_OUTBOX_INTERVAL_MS", 2000)?.max(10)),
            kpi_cell_interval: Duration::from_millis(num("LINLI_KPI_CELL_INTERVAL_MS", 5000)?.max(10)),
            points_rules: {
                use entity::enums::PointsReason as R;
                let mut rules: std::collections::HashMap<R, i32> =
                    [(R::AckInSla, 2), (R::ResolutionConfirmed, 5), (R::FiveStar, 3), (R::VoteWin, 50)].into_iter().collect();
                if let Some(json) = get("LINLI_POINTS_RULES") {
                    let given: std::collections::HashMap<R, i32> = serde_json::from_str(&json).map_err(|e| {
                        ConfigError(format!(
                            "LINLI_POINTS_RULES must be a JSON object of ACK_IN_SLA, RESOLUTION_CONFIRMED, FIVE_STAR, VOTE_WIN to points: {e}"
                        ))
                    })?;
                    if let Some((k, _)) = given.iter().find(|(k, v)| !rules.contains_key(*k) || **v < 0 || **v > 10_000) {
                        return Err(ConfigError(format!("LINLI_POINTS_RULES: a reason that earns nothing, or points out of 0..10000: {k:?}")));
                    }
                    rules.extend(given);
                }
                rules
            },
            wechat_push_token: get("WECHAT_PUSH_TOKEN").filter(|t| !t.is_empty()).map(Secret::new),
            media: MediaConfig {
                dir: get("LINLI_MEDIA_DIR").unwrap_or_else(|| "./data/media".into()).into(),
                s3: get("LINLI_S3_BUCKET").map(|bucket| S3Config {
                    bucket,
                    endpoint: get("LINLI_S3_ENDPOINT").map(|e| e.trim_end_matches('/').to_string()),
                    region: get("LINLI_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
                    access_key_id: get("AWS_ACCESS_KEY_ID"),
                    secret_access_key: get("AWS_SECRET_ACCESS_KEY").map(Secret::new),
                    session_token: get("AWS_SESSION_TOKEN").map(Secret::new),
                }),
                max_upload_bytes: num("LINLI_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)? as usize,
                max_pixels: num("LINLI_UPLOAD_MAX_PIXELS", 50_000_000)?,
                url_ttl: Duration::from_secs(num("LINLI_MEDIA_URL_TTL_SECS", 900)?.max(60)),
                public_url: get("LINLI_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string()),
            },
            export: ExportConfig {
                file_ttl: Duration::from_secs(num("LINLI_EXPORT_TTL_SECS", 86_400)?.max(60)),
                interval: Duration::from_millis(num("LINLI_EXPORT_INTERVAL_MS", 2000)?.max(10)),
                tmp_dir: get("LINLI_EXPORT_TMP_DIR").map(Into::into).unwrap_or_else(std::env::temp_dir),
            },
            event_export: get("LINLI_EVENT_EXPORT").map(Into::into),
            shutdown_grace: Duration::from_secs(num("LINLI_SHUTDOWN_GRACE_SECS", 20)?),
            rate_limits: match get("LINLI_RATE_LIMITS") {
                None => Default::default(),
                Some(v) => crate::service::ratelimit::Limits::parse(&v)
                    .map_err(|e| ConfigError(format!("LINLI_RATE_LIMITS: {e}")))?,
            },
            client_ip_header: get("LINLI_CLIENT_IP_HEADER").map(|h| h.trim().to_ascii_lowercase()),
            doc_limits: crate::graphql::limits::DocLimits {
                max_aliases: num("LINLI_MAX_ALIASES", 10)?.max(1) as usize,
                max_fields: num("LINLI_MAX_FIELDS", 200)?.max(1) as usize,
            },
            max_batch: num("LINLI_MAX_BATCH", 10)?.max(1) as usize,
            webhooks: WebhookConfig {
                interval: Duration::from_millis(num("LINLI_WEBHOOK_INTERVAL_MS", 1000)?.max(10)),
                backoff: Duration::from_millis(num("LINLI_WEBHOOK_BACKOFF_MS", 10_000)?.max(10)),
                max_failures: num("LINLI_WEBHOOK_MAX_FAILURES", 12)?.clamp(1, 100) as i32,
                timeout: Duration::from_millis(num("LINLI_WEBHOOK_TIMEOUT_MS", 10_000)?.clamp(100, 60_000)),
            },
            console: ConsoleConfig {
                session_ttl: Duration::from_secs(num("LINLI_CONSOLE_SESSION_SECS", 43_200)?.max(60)),
                scan_ttl: Duration::from_secs(num("LINLI_CONSOLE_SCAN_SECS", 300)?.clamp(30, 3600)),
                login_page: get("LINLI_CONSOLE_LOGIN_PAGE").unwrap_or_else(|| "pages/console-login/index".into()),
                wxacode_env: match get("LINLI_CONSOLE_WXACODE_ENV").as_deref() {
                    None => "release".into(),
                    Some(v @ ("release" | "trial" | "develop")) => v.into(),
                    Some(other) => {
                        return Err(ConfigError(format!("LINLI_CONSOLE_WXACODE_ENV must be release, trial or develop, not `{other}`")));
                    }
                },
            },
            metrics_token: get("LINLI_METRICS_TOKEN").map(Secret::new),
            ws: WsConfig {
                init_timeout: Duration::from_millis(num("LINLI_WS_INIT_TIMEOUT_MS", 10_000)?.max(10)),
                ping_every: Duration::from_secs(num("LINLI_WS_PING_SECS", 30)?.max(1)),
                max_subscriptions: num("LINLI_WS_MAX_SUBSCRIPTIONS", 20)?.max(1) as usize,
                max_per_user: num("LINLI_WS_MAX_PER_USER", 50)?.max(1) as usize,
            },
        };
        cfg.check()?;
        Ok(cfg)
    }

    /// Refuses configurations that would be unsafe in production, with a message that says what to set.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.access_token_ttl.is_zero() || self.refresh_token_ttl <= self.access_token_ttl {
            return Err(ConfigError(
                "LINLI_REFRESH_TOKEN_TTL_SECS must be longer than LINLI_ACCESS_TOKEN_TTL_SECS, and both above 0".into(),
            ));
        }
        if self.media.max_upload_bytes < 1024 || self.media.max_pixels < 1_000_000 {
            return Err(ConfigError(
                "LINLI_UPLOAD_MAX_BYTES must be at least 1024 and LINLI_UPLOAD_MAX_PIXELS at least 1000000".into(),
            ));
        }
        if self.mode == Mode::Production {
            let mut problems = Vec::new();
            if self.jwt_secret.expose() == DEV_JWT_SECRET || self.jwt_secret.expose().len() < 32 {
                problems.push("LINLI_JWT_SECRET must be set to a random secret of at least 32 characters");
            }
            if self.wechat_appid.is_empty() || self.wechat_appid == "wx-dev-appid" {
                problems.push("WECHAT_APPID must be set to the mini-program's app id");
            }
            if self.wechat_secret.expose().is_empty() {
                problems.push("WECHAT_SECRET must be set to the mini-program's app secret");
            }
            if !problems.is_empty() {
                return Err(ConfigError(format!(
                    "production mode refuses to start: {}",
                    problems.join("; ")
                )));
            }
        }
        Ok(())
    }

    /// Whether dev shortcuts (dev login, GraphiQL, introspection) are allowed.
    pub fn is_dev(&self) -> bool {
        self.mode == Mode::Dev
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_run_in_dev_on_sqlite() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.mode, Mode::Dev);
        assert!(c.database_url.starts_with("sqlite://"));
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.access_token_ttl, Duration::from_secs(900));
    }

    #[test]
    fn production_refuses_default_secret_and_missing_wechat_credentials() {
        let err = cfg(&[("LINLI_MODE", "production")]).unwrap_err().to_string();
        assert!(err.contains("LINLI_JWT_SECRET"), "{err}");
        assert!(err.contains("WECHAT_APPID"), "{err}");
        assert!(err.contains("WECHAT_SECRET"), "{err}");
    }

    #[test]
    fn production_starts_with_real_secrets() {
        let c = cfg(&[
            ("LINLI_MODE", "production"),
            ("LINLI_JWT_SECRET", "0123456789abcdef0123456789abcdef-real"),
            ("WECHAT_APPID", "wx1234"),
            ("WECHAT_SECRET", "s3cret"),
        ])
        .unwrap();
        assert_eq!(c.mode, Mode::Production);
        assert!(!format!("{c:?}").contains("s3cret"), "secrets must not appear in Debug output");
    }

    #[test]
    fn bad_values_say_which_variable() {
        assert!(cfg(&[("LINLI_MODE", "prod")]).unwrap_err().to_string().contains("LINLI_MODE"));
        assert!(cfg(&[("LINLI_LISTEN", "nope")]).unwrap_err().to_string().contains("LINLI_LISTEN"));
        assert!(cfg(&[("LINLI_ACCESS_TOKEN_TTL_SECS", "x")]).unwrap_err().to_string().contains("LINLI_ACCESS"));
    }
}
