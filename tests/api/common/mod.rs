//! The test harness: `TestApp` (a real server on a random port with its own database), a fake WeChat server,
//! and small helpers for GraphQL calls.
#![allow(dead_code)]

pub mod fake_wechat;
pub mod process;
pub mod s3;

use std::collections::HashMap;

use serde_json::{Value, json};

pub use fake_wechat::FakeWechat;

/// The JWT secret tests sign their hand-made tokens with (the dev default).
pub const DEV_SECRET: &str = api::config::DEV_JWT_SECRET;

/// Where test databases live.
enum TestDb {
    Sqlite { path: std::path::PathBuf },
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    async fn create() -> (Self, String) {
        match std::env::var("TEST_DATABASE_URL").ok().filter(|s| !s.is_empty()) {
            Some(admin_url) => {
                let name = format!("linli_t_{}", uuid::Uuid::now_v7().simple());
                let admin = sea_orm::Database::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}"));
                use sea_orm::ConnectionTrait;
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
                admin.close().await.ok();
                let url = replace_db_name(&admin_url, &name);
                (TestDb::Postgres { admin_url, name }, url)
            }
            None => {
                let dir = std::env::temp_dir().join("linli-tests");
                std::fs::create_dir_all(&dir).unwrap();
                let path = dir.join(format!("{}.db", uuid::Uuid::now_v7().simple()));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                (TestDb::Sqlite { path }, url)
            }
        }
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if base[..i].contains("://") && i > base.find("://").unwrap() + 2 => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite { path } => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            TestDb::Postgres { admin_url, name } => {
                let (url, name) = (admin_url.clone(), name.clone());
                // Drop needs async; do it on a thread of its own so it works from any runtime.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                    rt.block_on(async {
                        use sea_orm::ConnectionTrait;
                        if let Ok(admin) = sea_orm::Database::connect(&url).await {
                            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A running server with its own database and its own fake WeChat.
pub struct TestApp {
    /// `http://127.0.0.1:port`
    pub base: String,
    /// HTTP client.
    pub http: reqwest::Client,
    /// The server's state (for direct database assertions).
    pub state: api::state::AppState,
    /// The fake WeChat the server talks to.
    pub wechat: FakeWechat,
    server: tokio::task::JoinHandle<()>,
    _db: TestDb,
}

/// One GraphQL answer.
#[derive(Debug)]
pub struct Gql {
    /// `data`.
    pub data: Value,
    /// `errors` (empty when none).
    pub errors: Vec<Value>,
    /// HTTP status.
    pub status: u16,
}

impl Gql {
    /// The data, asserting there was no error.
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert!(self.errors.is_empty(), "unexpected errors: {:#?}", self.errors);
        &self.data
    }

    /// The code of the first error, asserting there is one.
    #[track_caller]
    pub fn code(&self) -> &str {
        let e = self.errors.first().unwrap_or_else(|| panic!("expected an error, got data {:#}", self.data));
        e["extensions"]["code"].as_str().unwrap_or_else(|| panic!("error without code: {e:#}"))
    }

    /// The first error's message.
    pub fn message(&self) -> &str {
        self.errors.first().and_then(|e| e["message"].as_str()).unwrap_or("")
    }

    /// The first error's `extensions.field`.
    pub fn field(&self) -> Option<&str> {
        self.errors.first().and_then(|e| e["extensions"]["field"].as_str())
    }
}

impl TestApp {
    /// A server on an empty (migrated) database.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A server with the demo district loaded.
    pub async fn demo() -> Self {
        let app = Self::spawn().await;
        assert!(linli_tools::demo::load_district_if_empty(&app.state).await.unwrap());
        app
    }

    /// A server with the demo district and extra configuration.
    pub async fn demo_with(env: &[(&str, &str)]) -> Self {
        let app = Self::spawn_with(env).await;
        assert!(linli_tools::demo::load_district_if_empty(&app.state).await.unwrap());
        app
    }

    /// A server with extra configuration.
    pub async fn spawn_with(env: &[(&str, &str)]) -> Self {
        // An app id per test: the access token is cached under it, in Redis too, which parallel tests share.
        let appid = format!("wx-test-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let wechat = FakeWechat::start(&appid, "test-secret").await;
        let (db, url) = TestDb::create().await;
        let mut vars: HashMap<String, String> = HashMap::from([
            ("DATABASE_URL".into(), url),
            ("WECHAT_APPID".into(), appid),
            ("WECHAT_SECRET".into(), "test-secret".into()),
            ("WECHAT_API_BASE".into(), wechat.base.clone()),
            ("WECHAT_TIMEOUT_MS".into(), "2000".into()),
            ("DATABASE_MAX_CONNECTIONS".into(), "8".into()),
            // Rate limits off unless a test turns them on (tests send bursts no person does); the limit tests set
            // their own and name the client with this header, so parallel tests never share an address's allowance.
            ("LINLI_RATE_LIMITS".into(), "off".into()),
            ("LINLI_CLIENT_IP_HEADER".into(), "x-test-client".into()),
            // Photos of each test in a directory of their own, removed with the app.
            ("LINLI_MEDIA_DIR".into(), test_media_root().join(uuid::Uuid::now_v7().simple().to_string()).display().to_string()),
        ]);
        if let Some(redis) = std::env::var("TEST_REDIS_URL").ok().filter(|s| !s.is_empty()) {
            vars.insert("REDIS_URL".into(), redis);
        }
        // Photos in a bucket of its own on the S3 server when one is given, unless the test names its storage.
        let names_storage = env.iter().any(|(k, _)| k.starts_with("LINLI_S3_") || *k == "LINLI_MEDIA_DIR");
        if let Some(endpoint) = s3::endpoint().filter(|_| !names_storage) {
            let bucket = s3::create_bucket(&endpoint).await;
            vars.extend(s3::app_env(&endpoint, &bucket));
        }
        for (k, v) in env {
            vars.insert((*k).into(), (*v).into());
        }
        let config = api::config::Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
        let (router, state) = api::build_app(config).await.expect("build app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
        });
        TestApp { base: format!("http://{addr}"), http: reqwest::Client::new(), state, wechat, server, _db: db }
    }

    /// Sends a GraphQL request with an optional bearer token.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        self.gql_with(token, query, variables, &[]).await
    }

    /// Sends a read-only GraphQL request three times and returns the last answer and the fewest SQL statements one
    /// of them ran. The app's background tasks (jobs, deliveries) share the counted pool and can only add to a
    /// count, so the least of three is the request's own.
    pub async fn gql_counted(&self, token: Option<&str>, query: &str, variables: Value) -> (Gql, u64) {
        let mut least = u64::MAX;
        let mut last = None;
        for _ in 0..3 {
            let before = self.state.sql_statements.load(std::sync::atomic::Ordering::SeqCst);
            let r = self.gql(token, query, variables.clone()).await;
            least = least.min(self.state.sql_statements.load(std::sync::atomic::Ordering::SeqCst) - before);
            last = Some(r);
        }
        (last.unwrap(), least)
    }

    /// Sends a GraphQL request with extra headers.
    pub async fn gql_with(&self, token: Option<&str>, query: &str, variables: Value, headers: &[(&str, &str)]) -> Gql {
        let mut req = self.http.post(format!("{}/graphql", self.base)).json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.expect("JSON body");
        Gql {
            data: body["data"].clone(),
            errors: body["errors"].as_array().cloned().unwrap_or_default(),
            status,
        }
    }

    /// Logs in with `dev:<name>` and returns the access token.
    /// The id of the report category with `code` (DRAIN, LEAK, …), read as a client reads the list.
    pub async fn category_id(&self, token: &str, code: &str) -> String {
        let cats = self.gql(Some(token), "{ categories { id code } }", json!({})).await;
        let list = cats.ok()["categories"].as_array().unwrap().clone();
        list.iter().find(|c| c["code"] == code).unwrap()["id"].as_str().unwrap().to_owned()
    }

    /// Submits a blocked-drain report with `description` as the user of `token` (who must live in the district);
    /// returns its id.
    pub async fn submit_drain_report(&self, token: &str, description: &str) -> String {
        let cat = self.category_id(token, "DRAIN").await;
        let r = self
            .gql(Some(token), "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }",
                json!({ "i": { "categoryId": cat, "description": description } }))
            .await;
        r.ok()["submitReport"]["id"].as_str().unwrap().to_owned()
    }

    pub async fn login(&self, name: &str) -> String {
        self.session(name).await.0
    }

    /// Logs in with `dev:<name>`, returning (access token, refresh token, user id).
    pub async fn session(&self, name: &str) -> (String, String, String) {
        let r = self
            .gql(
                None,
                "mutation($c: String!) { loginWithWechat(code: $c) { accessToken refreshToken user { id } } }",
                json!({ "c": format!("dev:{name}") }),
            )
            .await;
        let d = &r.ok()["loginWithWechat"];
        (
            d["accessToken"].as_str().unwrap().to_owned(),
            d["refreshToken"].as_str().unwrap().to_owned(),
            d["user"]["id"].as_str().unwrap().to_owned(),
        )
    }

    /// Logs in `name` and makes them the neighbour head of a new neighbourhood in `group` (of `compound`), in
    /// force since `since`, written straight to the database (many heads at once, faster than through the admin
    /// API): (access token, user id).
    pub async fn neighbour_head(
        &self,
        name: &str,
        group: uuid::Uuid,
        compound: uuid::Uuid,
        since: chrono::DateTime<chrono::Utc>,
    ) -> (String, uuid::Uuid) {
        use sea_orm::{EntityTrait, Set};
        let (token, _, id) = self.session(name).await;
        let user = api::ids::decode(&id, api::ids::Kind::User, "user").unwrap();
        let (nbh, now) = (uuid::Uuid::now_v7(), chrono::Utc::now());
        entity::neighbourhood::Entity::insert(entity::neighbourhood::ActiveModel {
            id: Set(nbh),
            created_at: Set(now),
            name: Set(format!("测试邻 {name}")),
            group_id: Set(group),
            compound_id: Set(compound),
        })
        .exec(&self.state.db)
        .await
        .unwrap();
        entity::appointment::Entity::insert(entity::appointment::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            created_at: Set(now),
            role: Set(api::auth::Role::NeighbourHead),
            scope_id: Set(nbh),
            starts_at: Set(since),
            ends_at: Set(None),
            user_id: Set(user),
            appointed_by: Set(None),
            revoked_by: Set(None),
        })
        .exec(&self.state.db)
        .await
        .unwrap();
        api::service::roles::invalidate(&self.state, user).await;
        (token, user)
    }

    /// The keys of every object the app stored under `prefix` (`photos`, `exports`), sorted, read through the
    /// app's own store: the same on local disk and in a bucket.
    pub async fn stored_keys(&self, prefix: &str) -> Vec<String> {
        let mut keys = self.state.media.list(prefix).await.expect("list the media store");
        keys.sort();
        keys
    }

    /// The bytes of every object the app stored under `prefix`, in key order.
    pub async fn stored_objects(&self, prefix: &str) -> Vec<Vec<u8>> {
        use futures::TryStreamExt;
        let mut out = Vec::new();
        for key in self.stored_keys(prefix).await {
            let object = self.state.media.get(&key).await.expect("read a stored object");
            let parts: Vec<_> = object.stream.try_collect().await.expect("read a stored object's bytes");
            out.push(parts.concat());
        }
        out
    }

    /// `local` or `s3`: where this app keeps its photos.
    pub fn storage(&self) -> &'static str {
        self.state.media.backend()
    }

    /// Counts rows of a table (for "nothing was written" assertions).
    pub async fn count(&self, table: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let backend = self.state.db.get_database_backend();
        let row = self
            .state
            .db
            .query_one_raw(Statement::from_string(backend, format!("SELECT COUNT(*) AS n FROM {table}")))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    /// Counts of every table, to prove a refused call changed nothing.
    pub async fn snapshot(&self) -> Vec<(String, i64)> {
        let mut out = Vec::new();
        for t in [
            "district", "street", "community", "compound", "building", "grid_area", "grid_group", "neighbourhood",
            "neighbourhood_unit", "app_user", "appointment", "residence", "property_company", "compound_management",
        ] {
            out.push((t.to_owned(), self.count(t).await));
        }
        out
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        let media = &self.state.config.media.dir;
        if media.starts_with(test_media_root()) {
            let _ = std::fs::remove_dir_all(media);
        }
    }
}

/// Where the tests' photo directories live.
pub fn test_media_root() -> std::path::PathBuf {
    std::env::temp_dir().join("linli-tests").join("media")
}

/// Well-known ids in the demo district, looked up through the API as a client would.
pub struct Demo {
    /// 示范区
    pub district: String,
    /// 长安街道
    pub street: String,
    /// 幸福社区 (dev:community-admin's)
    pub community: String,
    /// 和谐社区 (another community)
    pub other_community: String,
    /// 幸福家园 (dev:head's compound)
    pub compound: String,
    /// 和谐苑 (a compound in the other community)
    pub other_compound: String,
    /// dev:head's neighbourhood
    pub neighbourhood: String,
    /// another neighbourhood in the same group
    pub other_neighbourhood: String,
    /// dev:group-head's group
    pub group: String,
    /// dev:area-head's area
    pub area: String,
    /// the first building of 幸福家园
    pub building: String,
    /// a building in 和谐苑
    pub other_building: String,
}

impl Demo {
    /// Looks the ids up as the district admin.
    pub async fn ids(app: &TestApp) -> Demo {
        let admin = app.login("admin").await;
        let q = r#"{ districts(first: 1) { nodes { id streets(first: 1) { nodes { id communities(first: 5) { nodes {
            id name compounds(first: 5) { nodes { id name buildings(first: 5) { nodes { id } } } }
            areas(first: 5) { nodes { id groups(first: 1) { nodes { id neighbourhoods(first: 5) { nodes { id } } } } } } } } } } } } }"#;
        let r = app.gql(Some(&admin), q, json!({})).await;
        let d = &r.ok()["districts"]["nodes"][0];
        let street = &d["streets"]["nodes"][0];
        let comms = street["communities"]["nodes"].as_array().unwrap();
        let by_name = |n: &str| comms.iter().find(|c| c["name"] == n).unwrap().clone();
        let xf = by_name("幸福社区");
        let hx = by_name("和谐社区");
        let compound = xf["compounds"]["nodes"].as_array().unwrap().iter().find(|c| c["name"] == "幸福家园").unwrap().clone();
        let area = &xf["areas"]["nodes"][0];
        let group = &area["groups"]["nodes"][0];
        let s = |v: &Value| v.as_str().unwrap().to_owned();
        Demo {
            district: s(&d["id"]),
            street: s(&street["id"]),
            community: s(&xf["id"]),
            other_community: s(&hx["id"]),
            compound: s(&compound["id"]),
            other_compound: s(&hx["compounds"]["nodes"][0]["id"]),
            neighbourhood: s(&group["neighbourhoods"]["nodes"][0]["id"]),
            other_neighbourhood: s(&group["neighbourhoods"]["nodes"][1]["id"]),
            group: s(&group["id"]),
            area: s(&area["id"]),
            building: s(&compound["buildings"]["nodes"][0]["id"]),
            other_building: s(&hx["compounds"]["nodes"][0]["buildings"]["nodes"][0]["id"]),
        }
    }
}
