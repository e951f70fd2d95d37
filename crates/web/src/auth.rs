//! Signing in: argon2id password hashes, session cookies, CSRF tokens and the login rate limit.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2_compat::sha256_hex;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const SESSION_COOKIE: &str = "cf_session";
/// The pre-login CSRF cookie (double submit: the login form echoes it).
pub const LOGIN_CSRF_COOKIE: &str = "cf_login";
pub const LANG_COOKIE: &str = "cf_lang";
/// How long a session lasts without signing in again.
pub const SESSION_HOURS: i64 = 12;

/// Hashes a password with argon2id and a random salt (CPU-heavy: call from `spawn_blocking`).
pub fn hash_password(password: &str) -> String {
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        // Hashing only fails for absurd parameters or lengths, which the form checks exclude.
        .unwrap_or_else(|e| panic!("argon2 hashing failed: {e}"))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    argon2::Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// Hashes off the async runtime.
pub async fn hash_password_async(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .unwrap_or_default()
}

pub async fn verify_password_async(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// A random token, 32 bytes as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::fill(&mut b);
    hex::encode(b)
}

/// A readable random password for generated accounts (no look-alike characters).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 16];
    rand::fill(&mut b);
    b.iter()
        .map(|x| ALPHABET[*x as usize % ALPHABET.len()] as char)
        .collect()
}

/// What the database keeps of a session token.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

mod sha2_compat {
    use sha2::{Digest, Sha256};
    pub fn sha256_hex(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }
}

/// Compares secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Login attempts: after `max_failures` failed attempts for one account from one address, or
/// `max_failures * 4` from one address, sign-in is refused for `window`.
pub struct LoginLimiter {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    pub fn new(max_failures: u32, window: Duration) -> LoginLimiter {
        LoginLimiter {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(ip: Option<IpAddr>, username: &str) -> [String; 2] {
        let ip = ip.map(|i| i.to_string()).unwrap_or_default();
        [format!("u:{}|{ip}", username.trim().to_lowercase()), format!("ip:{ip}")]
    }

    /// Whether a login attempt may be tried now.
    pub fn allowed(&self, ip: Option<IpAddr>, username: &str) -> bool {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        let [user_key, ip_key] = Self::keys(ip, username);
        let user_ok = map.get(&user_key).is_none_or(|(n, _)| *n < self.max_failures);
        let ip_ok = map.get(&ip_key).is_none_or(|(n, _)| *n < self.max_failures * 4);
        user_ok && ip_ok
    }

    pub fn record_failure(&self, ip: Option<IpAddr>, username: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in Self::keys(ip, username) {
            let e = map.entry(key).or_insert((0, now));
            e.0 += 1;
        }
    }

    pub fn record_success(&self, ip: Option<IpAddr>, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let [user_key, _] = Self::keys(ip, username);
        map.remove(&user_key);
    }
}

/// Reads one cookie from a `Cookie` header.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with the flags every chainforce cookie carries.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn five_failures_lock_the_account_for_that_address_only() {
        let l = LoginLimiter::new(5, Duration::from_secs(900));
        let ip: Option<IpAddr> = "10.0.0.1".parse().ok();
        let other: Option<IpAddr> = "10.0.0.2".parse().ok();
        for _ in 0..5 {
            assert!(l.allowed(ip, "admin"));
            l.record_failure(ip, "admin");
        }
        assert!(!l.allowed(ip, "admin"));
        assert!(!l.allowed(ip, "ADMIN "), "usernames are case-insensitive");
        assert!(l.allowed(other, "admin"));
        assert!(l.allowed(ip, "someone-else"));
    }

    #[test]
    fn one_address_trying_many_accounts_is_stopped_too() {
        let l = LoginLimiter::new(5, Duration::from_secs(900));
        let ip: Option<IpAddr> = "10.0.0.9".parse().ok();
        for i in 0..20 {
            l.record_failure(ip, &format!("user{i}"));
        }
        assert!(!l.allowed(ip, "fresh-user"));
    }

    #[test]
    fn cookies_are_read_from_any_cookie_header() {
        let mut h = axum::http::HeaderMap::new();
        h.append(axum::http::header::COOKIE, "a=1; cf_session=abc".parse().unwrap());
        assert_eq!(cookie(&h, "cf_session"), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
    }
}
