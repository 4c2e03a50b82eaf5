//! The Rails app behind the server interface: rack-cors and the session
//! store answer the requests ([`RailsApp::prepare`]), the fix search tries
//! Rails settings ([`super::fixes`]), the generated configuration is Ruby
//! (`explain/codegen`, `explain/app_code`), the permalink keys are
//! [`super::keys`].

use url::Url;

use crate::explain::app_code::app_code;
use crate::explain::codegen::{cors_rb_code, session_store_code};
use crate::explain::fixes::search::{CORS_ITEMS_PER_UNIT, REGEXP_STEPS_PER_UNIT};
use crate::explain::fixes::{page_origin, request_urls, Candidate};
use crate::headers::describe_control;
use crate::permalink::Writer;
use crate::scenario::{Scenario, ServerSetup};
use crate::server::rack_cors::RackCors;
use crate::server::rails::{DomainOption, RailsApp, StoreKind};
use crate::server::session_store::{effective_key, session_mode, SessionMode};
use crate::server::stack::{CodeFile, Prepared, SearchCost, ServerKind, Stack};
use crate::sharing::live::find_control;

/// The steps rack-cors' regexps take on the page's Origin and the request paths.
fn regexp_work(s: &Scenario, app: &RailsApp) -> u64 {
    let (Ok(cors), Some(po)) = (RackCors::new(&app.cors, app.version), page_origin(s)) else {
        return 0;
    };
    let paths: Vec<String> = request_urls(s)
        .iter()
        .map(|u| crate::server::rack_cors::evaluate_path(u.path()).path)
        .collect();
    cors.regexp_work(&po, &paths)
}

impl Stack for RailsApp {
    fn kind(&self) -> ServerKind {
        ServerKind::Rails
    }

    fn prepare(&self) -> Prepared<'_> {
        Prepared {
            model: Box::new(RailsApp::prepare(self)),
            field_errors: Vec::new(),
        }
    }

    fn session_key(&self) -> Option<String> {
        Some(match session_mode(self) {
            Ok(SessionMode::Enabled { options, .. })
            | Ok(SessionMode::NoCookiesMiddleware { options }) => options.key,
            _ => effective_key(self),
        })
    }

    fn logs_in(&self, method: &str, path: &str) -> Option<bool> {
        Some(RailsApp::logs_in(self, method, path))
    }

    fn fix_candidates(&self, scenario: &Scenario) -> Vec<Vec<Candidate>> {
        super::fixes::candidates(scenario, self)
    }

    /// Never `origins '*'` with credentials, never drop HttpOnly, never drop
    /// Secure when the API is served over https.
    fn is_safe(&self, original: &ServerSetup, api_is_https: bool) -> bool {
        let ServerSetup::Rails(o) = original else {
            return true;
        };
        let wildcard_creds = self.cors.allow.iter().any(|b| {
            b.origins.iter().any(|x| x == "*") && b.resources.iter().any(|r| r.credentials)
        });
        let dropped_httponly =
            self.session.httponly == Some(false) && o.session.httponly != Some(false);
        let dropped_secure =
            api_is_https && o.session.secure == Some(true) && self.session.secure != Some(true);
        !wildcard_creds && !dropped_httponly && !dropped_secure
    }

    fn search_cost(&self, s: &Scenario) -> SearchCost {
        let allow = &self.cors.allow;
        let items: usize = allow
            .iter()
            .map(|b| b.origins.len() + b.resources.len())
            .sum();
        let bytes: usize = allow
            .iter()
            .map(|b| {
                b.origins.iter().map(|o| o.len() + 24).sum::<usize>() + b.resources.len() * 256
            })
            .sum();
        let boot_units = if self.cors.enabled {
            (items / CORS_ITEMS_PER_UNIT) as u64 + regexp_work(s, self) / REGEXP_STEPS_PER_UNIT
        } else {
            0
        };
        SearchCost { bytes, boot_units }
    }

    fn advice(&self, api: &Url) -> Vec<String> {
        let mut out = Vec::new();
        let host = api.host_str().unwrap_or("").to_string();
        if let DomainOption::Exact(d) = &self.session.domain {
            let bare = d.trim_start_matches('.');
            if !(host == bare || host.ends_with(&format!(".{bare}"))) {
                out.push(format!(
                    "The session store's `domain: '{d}'` does not cover the API's host `{host}`, so the browser rejects the cookie. A Domain attribute is for sharing a cookie across subdomains of one real domain; in development leave it out (a host-only cookie)."
                ));
            }
        }
        if self.session.secure == Some(true) && api.scheme() == "http" {
            out.push(
                "`secure: true` on a plain-http API: Rack never writes the session cookie. Serve the API over https (a local certificate, or a TLS proxy with `config.assume_ssl = true`) or use secure: false for plain-http development only.".into(),
            );
        }
        out
    }

    fn code(&self) -> Vec<CodeFile> {
        vec![
            CodeFile {
                title: "config/initializers/cors.rb",
                generated: cors_rb_code(self),
            },
            CodeFile {
                title: "Session store",
                generated: session_store_code(self),
            },
            CodeFile {
                title: "The app (application.rb, routes, controller)",
                generated: app_code(self),
            },
        ]
    }

    fn encode_keys(&self, w: &mut Writer) {
        super::keys::encode_rails(w, self, &RailsApp::default());
    }

    fn answers_with_redirects(&self) -> bool {
        self.force_ssl
    }

    fn live_blockers(&self, _lab_origins: &[String], _blockers: &mut Vec<String>) {}

    fn mentions_domain(&self) -> bool {
        !matches!(self.session.domain, DomainOption::Unset)
    }

    /// The session key (the app name when `session_store` is never called).
    /// A session middleware added without options always uses
    /// `_session_id`, which cannot be renamed: that case keeps the name.
    fn tag_cookie_names(&mut self, tag: &str) {
        match self.session.store {
            StoreKind::NotCalled => self.app_name = format!("{}{tag}", self.app_name),
            StoreKind::CookieStore => {
                let key = self.session.key.as_deref().unwrap_or("_session_id");
                self.session.key = Some(format!("{key}{tag}"));
            }
            StoreKind::Disabled => {}
        }
    }

    fn check_for_lab(&self) -> Result<(), String> {
        let value = serde_json::to_value(self).unwrap_or_default();
        let mut path = "server".to_string();
        if let Some(c) = find_control(&value, &mut path) {
            return Err(format!(
                "the Rails setting {path} contains the control character {}; the lab never \
                 sends such a header",
                describe_control(c)
            ));
        }
        Ok(())
    }
}
