//! Short-lived signed photo URLs: `/media/pho_…?v=t&exp=…&sig=…`. An `<image>` in the mini-program cannot send
//! the bearer token, so the URL carries its own authorisation: only a resolver that has checked that the caller
//! may see the photo hands one out, and it stops working at `exp`.
//!
//! The signature is HMAC-SHA256 over the photo id, the variant, the expiry and whether the URL may show a hidden
//! photo, under a key derived from the JWT secret (rotating that secret revokes every URL too).
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::config::Config;
use crate::ids::{Kind, encode};

type HmacSha256 = Hmac<Sha256>;

/// Expiries are rounded up to this step so a photo's URL stays the same for a while and the client's image cache
/// keeps working across requests.
const EXPIRY_STEP_SECS: i64 = 300;

/// Which file of a photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The photo itself.
    Full,
    /// Its thumbnail.
    Thumb,
}

impl Variant {
    /// The URL form.
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Full => "f",
            Variant::Thumb => "t",
        }
    }
    /// Reads the URL form (absent means the photo itself).
    pub fn parse(s: Option<&str>) -> Option<Variant> {
        match s {
            None | Some("f") => Some(Variant::Full),
            Some("t") => Some(Variant::Thumb),
            _ => None,
        }
    }
}

/// Why a signed URL was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Tampered, truncated or signed with another key.
    BadSignature,
    /// Past its expiry.
    Expired,
}

/// An HMAC under a key of its own for `purpose`, derived from the JWT secret, so a signed URL of one kind can never
/// be mistaken for anything else.
fn keyed(config: &Config, purpose: &[u8]) -> HmacSha256 {
    let mut kdf = HmacSha256::new_from_slice(config.jwt_secret.expose().as_bytes()).expect("HMAC takes any key");
    kdf.update(purpose);
    let key = kdf.finalize().into_bytes();
    HmacSha256::new_from_slice(&key).expect("HMAC takes any key")
}

fn mac(config: &Config, id: Uuid, variant: Variant, exp: i64, hidden_ok: bool) -> HmacSha256 {
    let mut m = keyed(config, b"linli/media-url/v1");
    m.update(format!("{}|{}|{exp}|{}", id.simple(), variant.as_str(), u8::from(hidden_ok)).as_bytes());
    m
}

fn export_mac(config: &Config, job: Uuid, requester: Uuid, exp: i64) -> HmacSha256 {
    let mut m = keyed(config, b"linli/export-url/v1");
    m.update(format!("{}|{}|{exp}", job.simple(), requester.simple()).as_bytes());
    m
}

/// The signed download URL of export `job` for its `requester`, valid until `exp` (the job's expiry): the same
/// mechanism as photo URLs, under a key of its own, and bound to the requester (the download also needs their
/// token).
pub fn export_url(config: &Config, job: Uuid, requester: Uuid, exp: i64) -> String {
    let base = config.media.public_url.as_deref().unwrap_or("");
    let tag = export_mac(config, job, requester, exp).finalize().into_bytes();
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag);
    format!("{base}/export/files/{}?exp={exp}&sig={sig}", encode(Kind::Export, job).0)
}

/// Checks an export URL's signature (in constant time) for `requester`, then its expiry.
pub fn verify_export(config: &Config, job: Uuid, requester: Uuid, exp: i64, sig: &str, now: i64) -> Result<(), Invalid> {
    let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig) else {
        return Err(Invalid::BadSignature);
    };
    export_mac(config, job, requester, exp).verify_slice(&tag).map_err(|_| Invalid::BadSignature)?;
    if exp <= now {
        return Err(Invalid::Expired);
    }
    Ok(())
}

/// The expiry a URL signed at `now` gets: at least the configured lifetime, rounded up to a step.
pub fn expiry(config: &Config, now: i64) -> i64 {
    let at_least = now + config.media.url_ttl.as_secs() as i64;
    (at_least / EXPIRY_STEP_SECS + 1) * EXPIRY_STEP_SECS
}

/// The signature of a URL, base64url.
pub fn signature(config: &Config, id: Uuid, variant: Variant, exp: i64, hidden_ok: bool) -> String {
    let tag = mac(config, id, variant, exp, hidden_ok).finalize().into_bytes();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag)
}

/// A signed URL for `variant` of photo `id`, valid until `exp`. `hidden_ok` lets it show a photo hidden by a
/// content-safety verdict (only URLs made for the owner or a community admin carry it).
pub fn url_until(config: &Config, id: Uuid, variant: Variant, exp: i64, hidden_ok: bool) -> String {
    let base = config.media.public_url.as_deref().unwrap_or("");
    let sig = signature(config, id, variant, exp, hidden_ok);
    let h = if hidden_ok { "&h=1" } else { "" };
    format!("{base}/media/{}?v={}&exp={exp}{h}&sig={sig}", encode(Kind::Photo, id).0, variant.as_str())
}

/// A signed URL made now.
pub fn url(config: &Config, id: Uuid, variant: Variant, hidden_ok: bool) -> String {
    url_until(config, id, variant, expiry(config, chrono::Utc::now().timestamp()), hidden_ok)
}

/// Checks a URL's signature (in constant time) and then its expiry.
pub fn verify(
    config: &Config,
    id: Uuid,
    variant: Variant,
    exp: i64,
    hidden_ok: bool,
    sig: &str,
    now: i64,
) -> Result<(), Invalid> {
    let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig) else {
        return Err(Invalid::BadSignature);
    };
    mac(config, id, variant, exp, hidden_ok).verify_slice(&tag).map_err(|_| Invalid::BadSignature)?;
    if exp <= now {
        return Err(Invalid::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        Config::from_lookup(|_| None).unwrap()
    }

    #[test]
    fn a_url_verifies_until_it_expires() {
        let c = cfg();
        let id = Uuid::now_v7();
        let now = 1_800_000_000;
        let exp = expiry(&c, now);
        assert!(exp >= now + 900 && exp < now + 900 + EXPIRY_STEP_SECS + 1);
        assert_eq!(expiry(&c, now + 1), exp, "stable within a step");
        let sig = signature(&c, id, Variant::Thumb, exp, false);
        assert_eq!(verify(&c, id, Variant::Thumb, exp, false, &sig, now), Ok(()));
        assert_eq!(verify(&c, id, Variant::Thumb, exp, false, &sig, exp), Err(Invalid::Expired));
    }

    #[test]
    fn every_part_is_signed() {
        let c = cfg();
        let (id, exp) = (Uuid::now_v7(), 1_800_000_900);
        let sig = signature(&c, id, Variant::Thumb, exp, false);
        let now = 1_800_000_000;
        assert_eq!(verify(&c, Uuid::now_v7(), Variant::Thumb, exp, false, &sig, now), Err(Invalid::BadSignature));
        assert_eq!(verify(&c, id, Variant::Full, exp, false, &sig, now), Err(Invalid::BadSignature));
        assert_eq!(verify(&c, id, Variant::Thumb, exp + 300, false, &sig, now), Err(Invalid::BadSignature));
        assert_eq!(verify(&c, id, Variant::Thumb, exp, true, &sig, now), Err(Invalid::BadSignature));
        assert_eq!(verify(&c, id, Variant::Thumb, exp, false, "not base64!", now), Err(Invalid::BadSignature));
        let other =
            Config::from_lookup(|k| (k == "LINLI_JWT_SECRET").then(|| "another-secret-another-secret-0000".into()))
                .unwrap();
        assert_eq!(verify(&other, id, Variant::Thumb, exp, false, &sig, now), Err(Invalid::BadSignature));
    }

    #[test]
    fn an_export_url_is_bound_to_its_job_its_requester_and_its_expiry() {
        let c = cfg();
        let (job, me, other, exp) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), 1_800_000_900);
        let url = export_url(&c, job, me, exp);
        let sig = url.rsplit_once("sig=").unwrap().1;
        assert_eq!(verify_export(&c, job, me, exp, sig, exp - 1), Ok(()));
        assert_eq!(verify_export(&c, job, me, exp, sig, exp), Err(Invalid::Expired));
        assert_eq!(verify_export(&c, job, other, exp, sig, exp - 1), Err(Invalid::BadSignature));
        assert_eq!(verify_export(&c, Uuid::now_v7(), me, exp, sig, exp - 1), Err(Invalid::BadSignature));
        assert_eq!(verify_export(&c, job, me, exp + 1, sig, exp - 1), Err(Invalid::BadSignature));
        let photo = signature(&c, job, Variant::Full, exp, false);
        assert_eq!(verify_export(&c, job, me, exp, &photo, exp - 1), Err(Invalid::BadSignature), "a photo signature is no export signature");
    }

    #[test]
    fn urls_are_paths_unless_a_public_origin_is_set() {
        let id = Uuid::now_v7();
        assert!(url(&cfg(), id, Variant::Full, false).starts_with("/media/pho_"));
        let c = Config::from_lookup(|k| (k == "LINLI_PUBLIC_URL").then(|| "https://api.example.com/".into())).unwrap();
        assert!(url(&c, id, Variant::Full, false).starts_with("https://api.example.com/media/pho_"));
    }
}
