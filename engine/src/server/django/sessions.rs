//! The session framework: `SessionBase` (`django/contrib/sessions/backends/base.py`,
//! `db.py`, `cache.py`, `signed_cookies.py`), `SessionMiddleware`
//! (`django/contrib/sessions/middleware.py`) and the `Set-Cookie` line
//! `HttpResponse.set_cookie` writes (`django/http/response.py`, Python's
//! `http.cookies.Morsel.OutputString`).

use std::collections::HashMap;

use crate::server::session_store::httpdate;

use super::settings::{SameSiteSetting, SessionEngine};

/// What a session holds, as far as the views care.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionData {
    /// `request.session["user_id"]` (what `login()` stores as `_auth_user_id`).
    pub user_id: Option<String>,
    /// `request.session["_csrftoken"]` with `CSRF_USE_SESSIONS`.
    pub csrf_secret: Option<String>,
}

impl SessionData {
    pub fn is_empty(&self) -> bool {
        self.user_id.is_none() && self.csrf_secret.is_none()
    }
}

/// The server side: the `django_session` table, the cache, or (signed
/// cookies) the values this app signed. A key this model issued names the
/// data it was saved with (`cts`, the user flag, the CSRF secret's number,
/// a serial), so a model made again for the next request (the lab makes one
/// per request) finds the session the previous one saved; what this model
/// itself deleted (`flush()`, the old key of `cycle_key()`) stays deleted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Store {
    /// Saved (`Some`) or deleted (`None`) by this model.
    sessions: HashMap<String, Option<SessionData>>,
    issued: u64,
    csrf_issued: u64,
}

/// The number of a CSRF secret this model issued.
fn csrf_number(secret: &str) -> Option<u64> {
    secret.strip_prefix("ctcsrf").and_then(|n| n.parse().ok())
}

impl Store {
    /// `_get_new_session_key()` (db, cache: 32 lower-case letters and
    /// digits) or `signing.dumps(...)` (signed cookies: data, timestamp and
    /// signature separated by `:`), for this data.
    fn new_key(&mut self, engine: SessionEngine, data: &SessionData) -> String {
        self.issued += 1;
        let user = u8::from(data.user_id.is_some());
        let csrf = data
            .csrf_secret
            .as_deref()
            .and_then(csrf_number)
            .unwrap_or(0);
        match engine {
            SessionEngine::Db | SessionEngine::Cache => {
                format!(
                    "cts{user}{csrf:010}{:018}",
                    self.issued % 1_000_000_000_000_000_000
                )
            }
            SessionEngine::SignedCookies => {
                format!(
                    "eyJjdCI6{user}x{csrf}:1ctsig:ctsignature{:020}",
                    self.issued
                )
            }
        }
    }

    /// The data a key names: saved or deleted here, else what a key this
    /// model issues says; `None` for any other value.
    fn lookup(&self, engine: SessionEngine, key: &str) -> Option<SessionData> {
        if let Some(saved) = self.sessions.get(key) {
            return saved.clone();
        }
        let (user, csrf) = match engine {
            SessionEngine::Db | SessionEngine::Cache => {
                let rest = key
                    .strip_prefix("cts")
                    .filter(|r| key.len() == 32 && r.chars().all(|c| c.is_ascii_digit()))?;
                (
                    rest[..1].parse::<u8>().ok()?,
                    rest[1..11].parse::<u64>().ok()?,
                )
            }
            SessionEngine::SignedCookies => {
                let head = key.strip_prefix("eyJjdCI6")?.split(':').next()?;
                let (u, c) = head.split_once('x')?;
                if !key.contains(":1ctsig:ctsignature") {
                    return None;
                }
                (u.parse().ok()?, c.parse().ok()?)
            }
        };
        Some(SessionData {
            user_id: (user == 1).then(|| "1".to_string()),
            csrf_secret: (csrf > 0).then(|| format!("ctcsrf{csrf:026}")),
        })
    }

    /// `_get_new_csrf_string()`: 32 letters and digits.
    pub fn new_csrf_secret(&mut self) -> String {
        self.csrf_issued += 1;
        format!("ctcsrf{:026}", self.csrf_issued)
    }
}

/// `request.session` for one request.
#[derive(Clone, Debug)]
pub struct RequestSession {
    engine: SessionEngine,
    /// `_session_key`: the cookie's value if at least 8 characters long.
    pub key: Option<String>,
    /// `_session_cache`: `None` until loaded.
    cache: Option<SessionData>,
    pub accessed: bool,
    pub modified: bool,
    /// The cookie named a session this server does not know (expired,
    /// deleted, another `SECRET_KEY`): found out when it is loaded.
    pub unknown_cookie: bool,
}

impl RequestSession {
    /// `SessionStore(request.COOKIES.get(SESSION_COOKIE_NAME))`.
    pub fn new(engine: SessionEngine, cookie: Option<&str>) -> Self {
        RequestSession {
            engine,
            // `_validate_session_key`: truthy and at least 8 characters.
            key: cookie.filter(|k| k.len() >= 8).map(str::to_string),
            cache: None,
            accessed: false,
            modified: false,
            unknown_cookie: false,
        }
    }

    /// `_get_session()`: loads once, marks the session accessed.
    fn data(&mut self, store: &mut Store) -> &mut SessionData {
        self.accessed = true;
        if self.cache.is_none() {
            let loaded = match &self.key {
                Some(k) => match store.lookup(self.engine, k) {
                    Some(d) => d,
                    None => {
                        self.unknown_cookie = true;
                        if self.engine == SessionEngine::SignedCookies {
                            // signed_cookies `load()`: a bad signature calls
                            // `create()`, which only sets `modified`.
                            self.modified = true;
                        } else {
                            // db/cache `load()`: no such session, `_session_key = None`.
                            self.key = None;
                        }
                        SessionData::default()
                    }
                },
                None => SessionData::default(),
            };
            self.cache = Some(loaded);
        }
        self.cache.get_or_insert_with(SessionData::default)
    }

    pub fn user_id(&mut self, store: &mut Store) -> Option<String> {
        self.data(store).user_id.clone()
    }

    pub fn set_user_id(&mut self, store: &mut Store, id: &str) {
        self.data(store).user_id = Some(id.to_string());
        self.modified = true;
    }

    pub fn csrf_secret(&mut self, store: &mut Store) -> Option<String> {
        self.data(store).csrf_secret.clone()
    }

    pub fn set_csrf_secret(&mut self, store: &mut Store, secret: &str) {
        self.data(store).csrf_secret = Some(secret.to_string());
        self.modified = true;
    }

    /// `cycle_key()`: the data moves to a new key, the old one is deleted.
    pub fn cycle_key(&mut self, store: &mut Store) {
        let data = self.data(store).clone();
        if let Some(old) = self.key.take() {
            store.sessions.insert(old, None);
        }
        if self.engine != SessionEngine::SignedCookies {
            self.key = Some(store.new_key(self.engine, &data));
        }
        self.cache = Some(data);
        self.modified = true;
    }

    /// `flush()`: `clear()`, `delete()`, no key.
    pub fn flush(&mut self, store: &mut Store) {
        if let Some(k) = self.key.take() {
            store.sessions.insert(k, None);
        }
        self.cache = Some(SessionData::default());
        self.accessed = true;
        self.modified = true;
    }

    /// `is_empty()`: no key and no (loaded) data.
    pub fn is_empty(&self) -> bool {
        self.key.is_none() && self.cache.as_ref().is_none_or(SessionData::is_empty)
    }

    /// `save()`: stores the data under its key (a new one when it has none,
    /// or, for signed cookies, always: the value is the signed data).
    pub fn save(&mut self, store: &mut Store) -> String {
        let data = self.data(store).clone();
        // A db or cache key stays while its data does; a new one names new data.
        let key = match (&self.key, self.engine) {
            (Some(k), SessionEngine::Db | SessionEngine::Cache)
                if store.lookup(self.engine, k).as_ref() == Some(&data) =>
            {
                k.clone()
            }
            _ => store.new_key(self.engine, &data),
        };
        if let Some(old) = &self.key {
            if *old != key {
                store.sessions.insert(old.clone(), None);
            }
        }
        store.sessions.insert(key.clone(), Some(data));
        self.key = Some(key.clone());
        key
    }
}

/// The arguments of one `response.set_cookie(...)` call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieCall {
    pub name: String,
    pub value: String,
    pub max_age: Option<i64>,
    /// An explicit `expires=` string (`delete_cookie`'s 1970 date).
    pub expires: Option<String>,
    pub path: String,
    pub domain: Option<String>,
    pub secure: bool,
    pub httponly: bool,
    pub samesite: SameSiteSetting,
}

/// `Morsel.OutputString`: `name=value`, then the attributes sorted by key
/// (`Domain`, `expires`, `HttpOnly`, `Max-Age`, `Path`, `SameSite`,
/// `Secure`). With `max_age` and no `expires`, `set_cookie` writes
/// `expires = http_date(now + max_age)`.
pub fn set_cookie_line(c: &CookieCall, now: i64) -> String {
    let value = if c.value.is_empty() {
        "\"\"".to_string()
    } else {
        c.value.clone()
    };
    let mut s = format!("{}={}", c.name, value);
    if let Some(d) = &c.domain {
        s.push_str(&format!("; Domain={d}"));
    }
    let expires = match (&c.expires, c.max_age) {
        (Some(e), _) => Some(e.clone()),
        (None, Some(m)) => Some(httpdate(now.saturating_add(m))),
        (None, None) => None,
    };
    if let Some(e) = expires {
        s.push_str(&format!("; expires={e}"));
    }
    if c.httponly {
        s.push_str("; HttpOnly");
    }
    if let Some(m) = c.max_age {
        s.push_str(&format!("; Max-Age={m}"));
    }
    s.push_str(&format!("; Path={}", c.path));
    if let Some(ss) = c.samesite.attribute() {
        s.push_str(&format!("; SameSite={ss}"));
    }
    if c.secure {
        s.push_str("; Secure");
    }
    s
}

/// `delete_cookie(key, path, domain, samesite)`: an empty value, `Max-Age=0`
/// and a 1970 `expires`; `Secure` only for `__Secure-`/`__Host-` names or
/// `SameSite=None`.
pub fn delete_cookie_call(
    name: &str,
    path: &str,
    domain: Option<&str>,
    samesite: SameSiteSetting,
) -> CookieCall {
    CookieCall {
        name: name.to_string(),
        value: String::new(),
        max_age: Some(0),
        expires: Some("Thu, 01 Jan 1970 00:00:00 GMT".into()),
        path: path.to_string(),
        domain: domain.map(str::to_string),
        secure: name.starts_with("__Secure-")
            || name.starts_with("__Host-")
            || samesite == SameSiteSetting::None,
        httponly: false,
        samesite,
    }
}

/// `django.http.cookie.parse_cookie`: `;`-separated pairs, the last of a
/// name wins, a chunk without `=` has the empty name.
pub fn parse_cookie(header: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for chunk in header.split(';') {
        let (k, v) = match chunk.split_once('=') {
            Some((k, v)) => (k.trim(), v.trim()),
            None => ("", chunk.trim()),
        };
        if k.is_empty() && v.is_empty() {
            continue;
        }
        let v = v
            .strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .unwrap_or(v);
        out.retain(|(n, _)| n != k);
        out.push((k.to_string(), v.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn morsel_order() {
        let c = CookieCall {
            name: "sessionid".into(),
            value: "abc".into(),
            max_age: Some(1209600),
            expires: None,
            path: "/".into(),
            domain: Some(".example.com".into()),
            secure: true,
            httponly: true,
            samesite: SameSiteSetting::None,
        };
        assert_eq!(
            set_cookie_line(&c, 0),
            "sessionid=abc; Domain=.example.com; expires=Thu, 15 Jan 1970 00:00:00 GMT; HttpOnly; \
             Max-Age=1209600; Path=/; SameSite=None; Secure"
        );
        let d = delete_cookie_call("sessionid", "/", None, SameSiteSetting::Lax);
        assert_eq!(
            set_cookie_line(&d, 5),
            "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"
        );
    }

    #[test]
    fn short_or_unknown_keys_are_empty_sessions() {
        let mut store = Store::default();
        let s = RequestSession::new(SessionEngine::Db, Some("short"));
        assert!(s.is_empty());
        let mut s = RequestSession::new(SessionEngine::Db, Some("longenoughbutunknown"));
        assert!(!s.is_empty());
        assert_eq!(s.user_id(&mut store), None);
        assert!(s.is_empty() && s.unknown_cookie);
    }

    #[test]
    fn a_new_store_finds_what_an_earlier_one_saved() {
        for engine in [
            SessionEngine::Db,
            SessionEngine::Cache,
            SessionEngine::SignedCookies,
        ] {
            let mut first = Store::default();
            let mut s = RequestSession::new(engine, None);
            s.set_user_id(&mut first, "1");
            let secret = first.new_csrf_secret();
            s.set_csrf_secret(&mut first, &secret);
            let key = s.save(&mut first);
            let mut again = RequestSession::new(engine, Some(&key));
            let mut second = Store::default();
            assert_eq!(
                again.user_id(&mut second).as_deref(),
                Some("1"),
                "{engine:?}"
            );
            assert_eq!(again.csrf_secret(&mut second), Some(secret.clone()));
            // What the first store deleted stays deleted there.
            s.flush(&mut first);
            let mut gone = RequestSession::new(engine, Some(&key));
            assert_eq!(gone.user_id(&mut first), None);
        }
    }

    #[test]
    fn cookies_parse_like_django() {
        assert_eq!(
            parse_cookie("a=1; b=\"2\"; a=3; flag"),
            vec![
                ("b".into(), "2".into()),
                ("a".into(), "3".into()),
                ("".into(), "flag".into())
            ]
        );
    }
}
