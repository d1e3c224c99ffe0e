//! Where photo bytes live: a directory on local disk by default, an S3-compatible bucket when one is configured.
//! Both go through `object_store`, so the service code is the same for either.
use std::sync::Arc;

use bytes::Bytes;
use futures::stream::BoxStream;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{BackoffConfig, ObjectStore, ObjectStoreExt, RetryConfig};
use tokio::sync::Semaphore;

use crate::config::MediaConfig;
use crate::error::{AppError, AppResult};
use crate::msg;

/// The photo store, and the gate that keeps decoding from eating the machine's memory.
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
    backend: &'static str,
    /// At most this many uploads decode at once (a 50-megapixel photo needs ~200 MB while it is worked on).
    pub(super) decoding: Arc<Semaphore>,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStore").field("backend", &self.backend).finish()
    }
}

/// An object read from the store, as a stream.
pub struct Object {
    /// Its size in bytes.
    pub size: u64,
    /// Its bytes.
    pub stream: BoxStream<'static, object_store::Result<Bytes>>,
}

impl MediaStore {
    /// The store `config` asks for: the S3 bucket if one is set, otherwise `config.dir` (created if absent).
    pub fn from_config(config: &MediaConfig) -> anyhow::Result<Self> {
        let (store, backend): (Arc<dyn ObjectStore>, _) = match &config.s3 {
            Some(s3) => {
                // The usual AWS variables (and instance credentials) first, then what the configuration names.
                let mut b = AmazonS3Builder::from_env()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_retry(retry());
                if let Some(endpoint) = &s3.endpoint {
                    // MinIO, COS, OSS and friends: path-style requests to the given endpoint.
                    b = b
                        .with_endpoint(endpoint)
                        .with_virtual_hosted_style_request(false)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                if let Some(k) = &s3.access_key_id {
                    b = b.with_access_key_id(k);
                }
                if let Some(k) = &s3.secret_access_key {
                    b = b.with_secret_access_key(k.expose());
                }
                if let Some(t) = &s3.session_token {
                    b = b.with_token(t.expose());
                }
                (Arc::new(b.build().map_err(|e| anyhow::anyhow!("S3 photo storage: {e}"))?), "s3")
            }
            None => {
                std::fs::create_dir_all(&config.dir)
                    .map_err(|e| anyhow::anyhow!("cannot create LINLI_MEDIA_DIR {}: {e}", config.dir.display()))?;
                (Arc::new(LocalFileSystem::new_with_prefix(&config.dir)?), "local")
            }
        };
        let slots = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 4);
        Ok(Self { store, backend, decoding: Arc::new(Semaphore::new(slots)) })
    }

    /// `local` or `s3`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Stores `bytes` under `key`.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> AppResult<()> {
        self.store.put(&path(key)?, bytes.into()).await.map_err(unavailable)?;
        Ok(())
    }

    /// Stores the file at `file` under `key`, read and sent in parts of 8 MiB (a multipart upload to a bucket),
    /// so a large file never sits in memory whole.
    pub async fn put_file(&self, key: &str, file: &std::path::Path) -> AppResult<u64> {
        use tokio::io::AsyncReadExt;
        const PART: usize = 8 * 1024 * 1024;
        let mut f = tokio::fs::File::open(file).await.map_err(AppError::internal)?;
        let upload = self.store.put_multipart(&path(key)?).await.map_err(unavailable)?;
        let mut w = object_store::WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = vec![0u8; 1024 * 1024];
        let mut size = 0u64;
        loop {
            let n = f.read(&mut buf).await.map_err(AppError::internal)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            // At most two parts in flight: memory stays at a few parts whatever the file's size.
            w.wait_for_capacity(2).await.map_err(unavailable)?;
            w.write(&buf[..n]);
        }
        w.finish().await.map_err(unavailable)?;
        Ok(size)
    }

    /// Reads the object under `key`; NOT_FOUND if there is none.
    pub async fn get(&self, key: &str) -> AppResult<Object> {
        match self.store.get(&path(key)?).await {
            Ok(r) => Ok(Object { size: r.meta.size, stream: r.into_stream() }),
            Err(object_store::Error::NotFound { .. }) => Err(AppError::not_found("照片", "Photo")),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// The keys of every object under `prefix` (`photos`, `exports`), in no particular order.
    pub async fn list(&self, prefix: &str) -> AppResult<Vec<String>> {
        use futures::TryStreamExt;
        let metas: Vec<_> = self.store.list(Some(&path(prefix)?)).try_collect().await.map_err(unavailable)?;
        Ok(metas.into_iter().map(|m| m.location.to_string()).collect())
    }

    /// Removes the object under `key` (best effort: used to clean up after a failed upload).
    pub async fn delete(&self, key: &str) {
        if let Ok(p) = path(key)
            && let Err(e) = self.store.delete(&p).await
        {
            tracing::warn!(error = %e, "could not delete a stored photo");
        }
    }
}

/// How long a request to the bucket is tried again: a person waits on an upload, so a bucket that cannot be
/// reached answers UNAVAILABLE within seconds. object_store's default (10 retries, backing off up to 15 s each,
/// within 3 minutes) took 6-8 s for a refused connection here and, at 5 s per connect timeout, would take about a
/// minute for an endpoint that drops packets; here at most 3 retries, started within 10 s.
fn retry() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: std::time::Duration::from_millis(100),
            max_backoff: std::time::Duration::from_secs(2),
            base: 2.0,
        },
        max_retries: 3,
        retry_timeout: std::time::Duration::from_secs(10),
    }
}

fn path(key: &str) -> AppResult<Path> {
    Path::parse(key).map_err(|e| AppError::internal(anyhow::anyhow!("bad storage key: {e}")))
}

fn unavailable(e: object_store::Error) -> AppError {
    tracing::error!(error = %e, "photo storage failed");
    AppError::Unavailable(msg!(
        "照片存储暂时不可用，请稍后重试",
        "Photo storage is unavailable; please try again later"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use futures::TryStreamExt;

    #[tokio::test]
    async fn local_disk_round_trip() {
        let dir = std::env::temp_dir().join(format!("linli-media-unit-{}", uuid::Uuid::now_v7().simple()));
        let mut cfg = Config::from_lookup(|_| None).unwrap().media;
        cfg.dir = dir.clone();
        let s = MediaStore::from_config(&cfg).unwrap();
        assert_eq!(s.backend(), "local");
        s.put("photos/a.jpg", b"abc".to_vec()).await.unwrap();
        let o = s.get("photos/a.jpg").await.unwrap();
        assert_eq!(o.size, 3);
        let bytes: Vec<Bytes> = o.stream.try_collect().await.unwrap();
        assert_eq!(bytes.concat(), b"abc");
        assert!(dir.join("photos/a.jpg").exists());
        assert_eq!(s.list("photos").await.unwrap(), vec!["photos/a.jpg".to_owned()]);
        assert!(s.list("exports").await.unwrap().is_empty(), "a prefix with nothing under it lists nothing");
        s.delete("photos/a.jpg").await;
        assert_eq!(s.get("photos/a.jpg").await.err().unwrap().code(), "NOT_FOUND");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn an_s3_bucket_is_used_when_configured() {
        let cfg = Config::from_lookup(|k| match k {
            "LINLI_S3_BUCKET" => Some("linli-photos".into()),
            "LINLI_S3_ENDPOINT" => Some("http://127.0.0.1:9000".into()),
            "AWS_ACCESS_KEY_ID" => Some("minio".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("minio-secret".into()),
            _ => None,
        })
        .unwrap();
        assert!(!format!("{cfg:?}").contains("minio-secret"), "the secret key stays out of Debug output");
        let s = MediaStore::from_config(&cfg.media).unwrap();
        assert_eq!(s.backend(), "s3");
    }
}
