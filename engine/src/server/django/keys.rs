//! The Django app's permalink keys: `django=4.2|5.2`, one key per setting
//! named exactly as in `settings.py` with its Python literal as the value
//! (`CORS_ALLOWED_ORIGINS=['http://localhost:5173']`), and `urls=` for a
//! URLconf other than the default one (`route view[ exempt]` per line, `;`
//! between lines). Only what differs from Django's defaults is written.

use super::settings::{DjangoApp, DjangoRoute, DjangoVersion, DjangoView};
use super::settings_py::{editable, literal_of, set_literal};

/// The keys that differ from `DjangoApp::default()`, in `settings.py` order.
pub fn encode(app: &DjangoApp) -> Vec<(String, String)> {
    let d = DjangoApp::default();
    let mut out = Vec::new();
    if app.version != d.version {
        out.push(("django".into(), app.version.as_str().into()));
    }
    for name in editable() {
        let (v, dv) = (literal_of(app, name), literal_of(&d, name));
        if v != dv {
            if let Some(v) = v {
                out.push((name.to_string(), v));
            }
        }
    }
    if app.urls != d.urls {
        out.push(("urls".into(), urls_str(&app.urls)));
    }
    out
}

/// `api/login/ login_view; api/hook/ login_view exempt`.
pub fn urls_str(urls: &[DjangoRoute]) -> String {
    urls.iter()
        .map(|r| {
            let mut s = format!("{} {}", r.route, r.view.function());
            if r.csrf_exempt {
                s.push_str(" exempt");
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Reads `urls=`.
pub fn parse_urls(text: &str) -> Result<Vec<DjangoRoute>, String> {
    let mut out = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let words: Vec<&str> = part.split_whitespace().collect();
        let (route, view, exempt) = match words.as_slice() {
            [r, v] => (*r, *v, false),
            [r, v, "exempt"] => (*r, *v, true),
            _ => {
                return Err(format!(
                    "`{part}`: write `route view` or `route view exempt`"
                ))
            }
        };
        let view = DjangoView::from_function(view).ok_or_else(|| {
            format!("`{view}`: the views are login_view, me_view, csrf_view and logout_view")
        })?;
        out.push(DjangoRoute {
            route: route.trim_start_matches('/').to_string(),
            view,
            csrf_exempt: exempt,
        });
    }
    Ok(out)
}

/// Reads one key: `Ok(false)` when it is not a Django key; `Err` is the
/// message for a Django key whose value does not read.
pub fn decode(app: &mut DjangoApp, key: &str, value: &str) -> Result<bool, String> {
    match key {
        "django" => {
            app.version = match value {
                "4.2" => DjangoVersion::V4_2,
                "5.2" => DjangoVersion::V5_2,
                _ => {
                    return Err(format!(
                        "django={value}: Crumbtrail models Django 4.2 and 5.2"
                    ))
                }
            };
            Ok(true)
        }
        "urls" => {
            app.urls = parse_urls(value)?;
            Ok(true)
        }
        k if editable().contains(&k) => set_literal(app, k, value).map(|_| true),
        _ => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::django::settings::{CorsPosition, SameSiteSetting};

    #[test]
    fn keys_round_trip_and_defaults_write_nothing() {
        assert!(encode(&DjangoApp::default()).is_empty());
        let mut app = DjangoApp {
            version: DjangoVersion::V4_2,
            ..DjangoApp::default()
        };
        app.cors.allowed_origins = vec!["http://localhost:5173".into()];
        app.cors.allow_credentials = true;
        app.cors_position = CorsPosition::Missing;
        app.session.cookie_samesite = SameSiteSetting::None;
        app.csrf.cookie_age = None;
        app.urls[0].csrf_exempt = true;
        let keys = encode(&app);
        assert!(keys.contains(&("CORS_ALLOW_CREDENTIALS".into(), "True".into())));
        let mut back = DjangoApp::default();
        for (k, v) in &keys {
            assert_eq!(decode(&mut back, k, v), Ok(true), "{k}={v}");
        }
        assert_eq!(back, app);
        assert_eq!(decode(&mut back, "page", "x"), Ok(false));
        assert!(decode(&mut back, "django", "3.2").is_err());
        assert!(decode(&mut back, "urls", "api/ nope_view").is_err());
    }
}

/// Writes `server=django` and the keys that differ from the defaults.
pub(crate) fn encode_django(w: &mut crate::permalink::Writer, app: &DjangoApp) {
    w.put("server", "django");
    for (k, v) in encode(app) {
        w.put(k, v);
    }
}

/// Reads the Django keys of a link.
#[derive(Default)]
pub struct DjangoKeys {
    app: DjangoApp,
    used: bool,
}

impl crate::server::stack::StackKeys for DjangoKeys {
    fn read(&mut self, r: &mut crate::permalink::Reader, key: &str, value: &str) -> bool {
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

    fn finish(self: Box<Self>, _r: &mut crate::permalink::Reader) -> crate::scenario::ServerSetup {
        crate::scenario::ServerSetup::Django(Box::new(self.app))
    }

    fn ignored(&self, _chosen: crate::server::stack::ServerKind) -> String {
        "Django settings keys were ignored: add `server=django` to use the Django app.".into()
    }
}
