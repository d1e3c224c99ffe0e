//! Access tokens are HS256 JWTs with a pinned algorithm, issuer, audience and expiry; refresh tokens are random
//! strings of which only the SHA-256 is stored.
use base64::Engine;
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Config;

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer, checked against `LINLI_JWT_ISSUER`.
    pub iss: String,
    /// Audience, checked against `LINLI_JWT_AUDIENCE`.
    pub aud: String,
    /// The user's row id.
    pub sub: Uuid,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// The refresh-token family this access token came from.
    pub sid: Uuid,
}

/// Why an access token was refused.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TokenError {
    /// Past its `exp`.
    Expired,
    /// Bad signature, wrong algorithm, issuer or audience, or not a JWT at all.
    Invalid,
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_secs: i64,
}

impl JwtKeys {
    /// Keys from the configured secret, issuer, audience and lifetime.
    pub fn new(config: &Config) -> Self {
        let secret = config.jwt_secret.expose().as_bytes();
        // Only HS256 is accepted: a token signed with anything else (or `none`) is refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        validation.validate_exp = true;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl_secs: config.access_token_ttl.as_secs() as i64,
        }
    }

    /// The access-token lifetime in seconds.
    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// A fresh access token for `user` in session family `sid`.
    pub fn issue(&self, user: Uuid, sid: Uuid) -> anyhow::Result<String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user,
            iat: now,
            exp: now + self.ttl_secs,
            sid,
        };
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// Checks a bearer token and returns its claims.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

/// A new refresh token: 32 random bytes, base64url.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new secret for an integrating system: `prefix` and 40 random letters and digits (238 bits), e.g. an API
/// key (`lk_`) or a webhook's signing secret (`whsec_`).
pub fn new_secret(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut r = rand::rng();
    let body: String = (0..40).map(|_| ALPHABET[rand::Rng::random_range(&mut r, 0..ALPHABET.len())] as char).collect();
    format!("{prefix}{body}")
}

/// The stored form of a refresh token.
pub fn hash_refresh_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn keys() -> JwtKeys {
        let map: HashMap<&str, &str> = HashMap::new();
        JwtKeys::new(&Config::from_lookup(|k| map.get(k).map(|v| v.to_string())).unwrap())
    }

    #[test]
    fn issued_tokens_verify() {
        let k = keys();
        let (u, s) = (Uuid::now_v7(), Uuid::now_v7());
        let c = k.verify(&k.issue(u, s).unwrap()).unwrap();
        assert_eq!((c.sub, c.sid), (u, s));
    }

    #[test]
    fn tampered_and_foreign_tokens_are_invalid() {
        let k = keys();
        let t = k.issue(Uuid::now_v7(), Uuid::now_v7()).unwrap();
        let mut parts: Vec<String> = t.split('.').map(str::to_owned).collect();
        parts[2] = parts[2].chars().rev().collect();
        assert_eq!(k.verify(&parts.join(".")).unwrap_err(), TokenError::Invalid);
        assert_eq!(k.verify("not-a-jwt").unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, b) = (new_refresh_token(), new_refresh_token());
        assert_ne!(a, b);
        assert_eq!(hash_refresh_token(&a).len(), 64);
        assert_eq!(hash_refresh_token(&a), hash_refresh_token(&a));
    }
}
