//! The FastAPI app's permalink keys (README, "FastAPI server"):
//! `fastapi=0.110|0.165` and one `fa.<name>` per setting, its value the
//! Python literal `main.py` passes (`fa.allow_origins=['http://localhost:5173']`).
//! Only what differs from the defaults is written, the version first (the
//! other values are read against it).

use super::literals::{literal_of, set_literal, NAMES};
use super::settings::{FastApiApp, FastApiVersion};
use crate::permalink::{Reader, Writer};
use crate::scenario::ServerSetup;
use crate::server::stack::{ServerKind, StackKeys};

/// The keys that differ from `FastApiApp::default()`.
pub fn encode(app: &FastApiApp) -> Vec<(String, String)> {
    let d = FastApiApp::default();
    let mut out = Vec::new();
    if app.version != d.version {
        out.push(("fastapi".into(), app.version.key().into()));
    }
    for name in NAMES {
        let (v, dv) = (literal_of(app, name), literal_of(&d, name));
        if v != dv {
            if let Some(v) = v {
                out.push((format!("fa.{name}"), v));
            }
        }
    }
    out
}

/// Reads one key: `Ok(false)` when it is not a FastAPI key; `Err` is the
/// message for a FastAPI key whose value does not read.
pub fn decode(app: &mut FastApiApp, key: &str, value: &str) -> Result<bool, String> {
    if key == "fastapi" {
        app.version = FastApiVersion::from_key(value)
            .ok_or_else(|| format!("fastapi={value}: Crumbtrail models FastAPI 0.110 and 0.165"))?;
        return Ok(true);
    }
    let Some(name) = key.strip_prefix("fa.") else {
        return Ok(false);
    };
    if !NAMES.contains(&name) {
        return Err(format!(
            "`{name}` is not a FastAPI setting Crumbtrail models"
        ));
    }
    set_literal(app, name, value).map(|_| true)
}

/// Writes `server=fastapi` and the keys that differ from the defaults.
pub(crate) fn encode_fastapi(w: &mut Writer, app: &FastApiApp) {
    w.put("server", "fastapi");
    for (k, v) in encode(app) {
        w.put(k, v);
    }
}

/// Reads the FastAPI keys of a link.
#[derive(Default)]
pub struct FastApiKeys {
    app: FastApiApp,
    used: bool,
}

impl StackKeys for FastApiKeys {
    fn read(&mut self, r: &mut Reader, key: &str, value: &str) -> bool {
        match decode(&mut self.app, key, value) {
            Ok(mine) => {
                self.used |= mine;
                mine
            }
            Err(message) => {
                self.used = true;
                r.bad(key, value, &message);
                true
            }
        }
    }

    fn used(&self) -> bool {
        self.used
    }

    fn finish(self: Box<Self>, _r: &mut Reader) -> ServerSetup {
        ServerSetup::FastApi(Box::new(self.app))
    }

    fn ignored(&self, _chosen: ServerKind) -> String {
        "FastAPI keys (fa.*) were ignored: add `server=fastapi` to use the FastAPI app.".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::fastapi::settings::{Front, Middleware, SameSite, SetCookieCall};

    #[test]
    fn keys_round_trip_and_defaults_write_nothing() {
        assert!(encode(&FastApiApp::default()).is_empty());
        let mut app = FastApiApp {
            version: FastApiVersion::V0_110,
            ..FastApiApp::default()
        };
        app.middleware = vec![Middleware::Cors, Middleware::Session];
        app.cors.allow_origins = vec!["http://localhost:5173".into()];
        app.cors.allow_credentials = true;
        app.session.same_site = SameSite::None;
        app.session.max_age = None;
        app.set_cookie = Some(SetCookieCall::default());
        app.front = Front::TlsProxy;
        let keys = encode(&app);
        assert_eq!(keys[0], ("fastapi".into(), "0.110".into()));
        assert!(keys.contains(&("fa.allow_credentials".into(), "True".into())));
        assert!(keys.contains(&(
            "fa.middleware".into(),
            "['CORSMiddleware', 'SessionMiddleware']".into()
        )));
        let mut back = FastApiApp::default();
        for (k, v) in &keys {
            assert_eq!(decode(&mut back, k, v), Ok(true), "{k}={v}");
        }
        assert_eq!(back, app);
        assert_eq!(decode(&mut back, "page", "x"), Ok(false));
        assert!(decode(&mut back, "fastapi", "0.99").is_err());
        assert!(decode(&mut back, "fa.nope", "1").is_err());
        assert!(decode(&mut back, "fa.allow_origins", "'*'").is_err());
    }
}
