//! `CsrfViewMiddleware` (`django/middleware/csrf.py`): the token's format
//! and masking, the Origin check, the Referer check over HTTPS, the token
//! check, and the reasons it gives for a 403.

use crate::http::WireRequest;

use super::cors_headers::urlsplit;
use super::hosts::{get_host, is_same_domain, is_secure, meta, server_port};
use super::settings::DjangoApp;

/// `CSRF_SECRET_LENGTH` and `CSRF_TOKEN_LENGTH` (a masked token).
pub const SECRET_LENGTH: usize = 32;
pub const TOKEN_LENGTH: usize = 64;
/// `CSRF_ALLOWED_CHARS`: `string.ascii_letters + string.digits`.
pub const ALLOWED_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// `_check_token_format`: the reason (`has incorrect length`, `has invalid
/// characters`) when the token is not 32 or 64 allowed characters.
pub fn check_token_format(token: &str) -> Result<(), &'static str> {
    if token.len() != SECRET_LENGTH && token.len() != TOKEN_LENGTH {
        return Err("has incorrect length");
    }
    if !token.chars().all(|c| ALLOWED_CHARS.contains(c)) {
        return Err("has invalid characters");
    }
    Ok(())
}

/// `_unmask_cipher_token`: a 64-character token is a mask and the secret
/// shifted by it, character by character.
pub fn unmask(token: &str) -> String {
    let chars: Vec<char> = ALLOWED_CHARS.chars().collect();
    let idx = |c: char| chars.iter().position(|&x| x == c).unwrap_or(0) as i64;
    let (mask, cipher) = token.split_at(SECRET_LENGTH.min(token.len()));
    cipher
        .chars()
        .zip(mask.chars())
        .map(|(x, y)| chars[(idx(x) - idx(y)).rem_euclid(chars.len() as i64) as usize])
        .collect()
}

/// `_mask_cipher_secret` with a given mask (Django draws it at random).
pub fn mask(secret: &str, mask: &str) -> String {
    let chars: Vec<char> = ALLOWED_CHARS.chars().collect();
    let idx = |c: char| chars.iter().position(|&x| x == c).unwrap_or(0);
    let cipher: String = secret
        .chars()
        .zip(mask.chars())
        .map(|(x, y)| chars[(idx(x) + idx(y)) % chars.len()])
        .collect();
    format!("{mask}{cipher}")
}

/// The secret a well-formed cookie or token stands for.
pub fn secret_of(token: &str) -> String {
    if token.len() == TOKEN_LENGTH {
        unmask(token)
    } else {
        token.to_string()
    }
}

/// `_origin_verified`: the Origin is this host (with the request's scheme),
/// an exact `CSRF_TRUSTED_ORIGINS` entry, or matches a `*` entry's domain.
pub fn origin_verified(app: &DjangoApp, req: &WireRequest, origin: &str) -> bool {
    if let Ok(host) = get_host(app, req) {
        let scheme = if is_secure(app, req) { "https" } else { "http" };
        if origin == format!("{scheme}://{host}") {
            return true;
        }
    }
    let trusted = &app.csrf.trusted_origins;
    if trusted.iter().any(|t| !t.contains('*') && t == origin) {
        return true;
    }
    let Ok(parsed) = urlsplit(origin) else {
        return false;
    };
    trusted
        .iter()
        .filter(|t| t.contains('*'))
        .filter_map(|t| urlsplit(t).ok())
        .filter(|t| t.scheme == parsed.scheme)
        .any(|t| is_same_domain(&parsed.netloc, t.netloc.trim_start_matches('*')))
}

/// `_check_referer` (HTTPS requests without `Origin`): the reason on failure.
pub fn check_referer(app: &DjangoApp, req: &WireRequest) -> Result<(), String> {
    let Some(referer) = meta(req, "HTTP_REFERER") else {
        return Err("Referer checking failed - no Referer.".into());
    };
    let Ok(r) = urlsplit(&referer) else {
        return Err("Referer checking failed - Referer is malformed.".into());
    };
    if r.scheme.is_empty() || r.netloc.is_empty() {
        return Err("Referer checking failed - Referer is malformed.".into());
    }
    if r.scheme != "https" {
        return Err("Referer checking failed - Referer is insecure while host is secure.".into());
    }
    let trusted_hosts = app
        .csrf
        .trusted_origins
        .iter()
        .filter_map(|t| urlsplit(t).ok())
        .map(|t| t.netloc.trim_start_matches('*').to_string());
    for h in trusted_hosts {
        if is_same_domain(&r.netloc, &h) {
            return Ok(());
        }
    }
    let bad = || format!("Referer checking failed - {referer} does not match any trusted origins.");
    let cookie_domain = if app.csrf.use_sessions {
        app.session.cookie_domain.clone()
    } else {
        app.csrf.cookie_domain.clone()
    };
    let good = match cookie_domain {
        None => get_host(app, req).map_err(|_| bad())?,
        Some(d) => {
            let port = server_port(req);
            if port != "443" && port != "80" {
                format!("{d}:{port}")
            } else {
                d
            }
        }
    };
    if is_same_domain(&r.netloc, &good) {
        Ok(())
    } else {
        Err(bad())
    }
}

/// The header `CSRF_HEADER_NAME` names, as Django prints it in a reason
/// (`HttpHeaders.parse_header_name`: `HTTP_X_CSRFTOKEN` → `X-Csrftoken`).
pub fn header_display_name(meta_key: &str) -> String {
    let name = meta_key.strip_prefix("HTTP_").unwrap_or(meta_key);
    name.split('_')
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut cs = lower.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// `_check_token`'s comparison once the secret is known: the reason on failure.
pub fn check_token(app: &DjangoApp, req: &WireRequest, secret: Option<&str>) -> Result<(), String> {
    let Some(secret) = secret else {
        return Err("CSRF cookie not set.".into());
    };
    let Some(token) = meta(req, &app.csrf.header_name) else {
        return Err("CSRF token missing.".into());
    };
    let source = format!(
        "the '{}' HTTP header",
        header_display_name(&app.csrf.header_name)
    );
    if let Err(why) = check_token_format(&token) {
        return Err(format!("CSRF token from {source} {why}."));
    }
    if secret_of(&token) != secret {
        return Err(format!("CSRF token from {source} incorrect."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_round_trips() {
        let secret = "ctcsrf00000000000000000000000001";
        let m = mask(secret, "Zz09aAbB0123456789abcdefghijklmn");
        assert_eq!(m.len(), 64);
        assert_eq!(unmask(&m), secret);
        assert_eq!(check_token_format(&m), Ok(()));
        assert_eq!(check_token_format("short"), Err("has incorrect length"));
        assert_eq!(
            check_token_format("ctcsrf0000000000000000000000000-"),
            Err("has invalid characters")
        );
    }

    #[test]
    fn header_names_as_django_prints_them() {
        assert_eq!(header_display_name("HTTP_X_CSRFTOKEN"), "X-Csrftoken");
        assert_eq!(header_display_name("HTTP_X_XSRF_TOKEN"), "X-Xsrf-Token");
    }
}
