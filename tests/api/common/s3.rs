//! Photos on an S3-compatible server: when `TEST_S3_ENDPOINT` is set (`tests/s3/run.sh` starts moto's server and
//! sets it), each `TestApp` gets a bucket of its own, created here with one request signed as AWS Signature V4
//! asks (moto takes any credentials; MinIO and the like check them, so the request is signed properly).
use sha2::{Digest, Sha256};

/// The credentials the tests give the S3 server (and the app).
pub const ACCESS_KEY: &str = "testing";
/// The secret key that goes with [`ACCESS_KEY`].
pub const SECRET_KEY: &str = "testing";
/// The region buckets are made in (no `CreateBucketConfiguration` needed there).
pub const REGION: &str = "us-east-1";

/// `TEST_S3_ENDPOINT`, when set and not empty: photos of every test then go to a bucket on that server.
pub fn endpoint() -> Option<String> {
    std::env::var("TEST_S3_ENDPOINT").ok().map(|e| e.trim_end_matches('/').to_owned()).filter(|e| !e.is_empty())
}

/// The configuration that puts an app's photos in `bucket` on `endpoint`.
pub fn app_env(endpoint: &str, bucket: &str) -> Vec<(String, String)> {
    [
        ("LINLI_S3_BUCKET", bucket),
        ("LINLI_S3_ENDPOINT", endpoint),
        ("LINLI_S3_REGION", REGION),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Creates a new bucket on `endpoint` (path-style `PUT /bucket`) and returns its name; panics when the server
/// cannot be reached or refuses: a test run that asked for S3 never falls back to local disk.
pub async fn create_bucket(endpoint: &str) -> String {
    let bucket = format!("linli-t-{}", uuid::Uuid::now_v7().simple());
    let url = format!("{endpoint}/{bucket}");
    let host = url.split("://").nth(1).and_then(|rest| rest.split('/').next()).expect("TEST_S3_ENDPOINT is a URL");
    let now = chrono::Utc::now();
    let headers = sign("PUT", host, &format!("/{bucket}"), now);
    let mut req = reqwest::Client::new().put(&url);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("TEST_S3_ENDPOINT={endpoint} is set but the S3 server is unreachable: {e}"));
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    assert!(status.is_success(), "creating bucket {bucket} on {endpoint}: {status} {body}");
    bucket
}

/// The headers of an empty-bodied request to `path` on `host`, signed with [`ACCESS_KEY`] at `now`.
fn sign(method: &str, host: &str, path: &str, now: chrono::DateTime<chrono::Utc>) -> Vec<(&'static str, String)> {
    let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
    let date = &amz_date[..8];
    let payload = hex(&Sha256::digest(b""));
    let signed = "host;x-amz-content-sha256;x-amz-date";
    let canonical =
        format!("{method}\n{path}\n\nhost:{host}\nx-amz-content-sha256:{payload}\nx-amz-date:{amz_date}\n\n{signed}\n{payload}");
    let scope = format!("{date}/{REGION}/s3/aws4_request");
    let to_sign = format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex(&Sha256::digest(canonical.as_bytes())));
    let key = signing_key(SECRET_KEY, date, REGION, "s3");
    let signature = hex(&hmac(&key, to_sign.as_bytes()));
    vec![
        ("x-amz-date", amz_date.clone()),
        ("x-amz-content-sha256", payload),
        (
            "authorization",
            format!("AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope}, SignedHeaders={signed}, Signature={signature}"),
        ),
    ]
}

fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k = hmac(&k, region.as_bytes());
    let k = hmac(&k, service.as_bytes());
    hmac(&k, b"aws4_request")
}

/// HMAC-SHA256 (RFC 2104), small enough to write out rather than add a crate for the tests.
fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let (mut inner, mut outer) = (Sha256::new(), Sha256::new());
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(data);
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_signature_follows_the_published_examples() {
    // RFC 4231, test case 2.
    assert_eq!(
        hex(&hmac(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    // AWS's example of deriving a Signature V4 signing key.
    assert_eq!(
        hex(&signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")),
        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
    );
}
