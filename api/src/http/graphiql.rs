//! GraphiQL in dev mode, served entirely from the binary: the page and its scripts (`api/assets/graphiql/`, the
//! UMD builds of GraphiQL 3 and React 18) come from this server, so it works on a network that cannot reach a CDN
//! (common for government networks). A strict Content-Security-Policy allows nothing else.
use std::sync::Arc;

use axum::{
    Router,
    extract::Path,
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};

use super::HttpState;

const ASSETS: [(&str, &str, &[u8]); 4] = [
    ("graphiql.min.js", "text/javascript", include_bytes!("../../assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css", include_bytes!("../../assets/graphiql/graphiql.min.css")),
    ("react.production.min.js", "text/javascript", include_bytes!("../../assets/graphiql/react.production.min.js")),
    ("react-dom.production.min.js", "text/javascript", include_bytes!("../../assets/graphiql/react-dom.production.min.js")),
];

/// The page's policy: scripts, styles and requests to this origin only (GraphiQL sets inline styles and fonts as
/// data URLs, hence those two allowances).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                   font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The routes (dev mode only; `http.rs` decides).
pub fn routes() -> Router<Arc<HttpState>> {
    Router::new().route("/graphiql", get(page)).route("/graphiql/assets/{name}", get(asset)).route("/graphiql/start.js", get(start))
}

async fn page() -> Response {
    let html = r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>Linli GraphiQL</title>
<link rel="stylesheet" href="/graphiql/assets/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading…</div>
<script src="/graphiql/assets/react.production.min.js"></script>
<script src="/graphiql/assets/react-dom.production.min.js"></script>
<script src="/graphiql/assets/graphiql.min.js"></script>
<script src="/graphiql/start.js"></script>
</body>
</html>"#;
    ([(header::CONTENT_SECURITY_POLICY, CSP), (header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}

/// The page's own script (a separate file: the policy allows no inline script).
async fn start() -> Response {
    let js = r#"const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, { fetcher }));
"#;
    ([(header::CONTENT_TYPE, "text/javascript"), (header::CACHE_CONTROL, "no-cache")], js).into_response()
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, ty, body)) => (
            [(header::CONTENT_TYPE, *ty), (header::CACHE_CONTROL, "public, max-age=86400")],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
