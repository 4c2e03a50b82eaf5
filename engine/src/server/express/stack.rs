//! The Express app behind the server interface.

use url::Url;

use super::{ExpressApp, Front, SecureOption, SessionKind};
use crate::explain::fixes::Candidate;
use crate::headers::describe_control;
use crate::permalink::Writer;
use crate::scenario::{Scenario, ServerSetup};
use crate::server::stack::{CodeFile, Prepared, SearchCost, ServerKind, Stack};
use crate::sharing::live::find_control;
use crate::trace::FieldError;

impl ExpressApp {
    /// Settings the model cannot read: shown next to their field.
    pub fn field_errors(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let mut err = |field: &str, message: String| {
            out.push(FieldError {
                field: format!("server.{field}"),
                message,
            })
        };
        let c = &self.cors;
        if !(200..=599).contains(&c.options_success_status) {
            err(
                "cors.options_success_status",
                format!(
                    "{} is not an HTTP status (200–599)",
                    c.options_success_status
                ),
            );
        }
        let origins: Vec<&String> = match &c.origin {
            super::OriginOption::List(l) | super::OriginOption::Callback { allow: l, .. } => {
                l.iter().collect()
            }
            _ => Vec::new(),
        };
        for (i, o) in origins.iter().enumerate() {
            if o.starts_with('/') && super::cors::regexp_of(o).is_none() {
                err(
                    &format!("cors.origin.{i}"),
                    format!("`{o}` is not a RegExp literal `/…/` the model can read"),
                );
            } else if o.ends_with('/') && o.contains("://") {
                err(
                    &format!("cors.origin.{i}"),
                    format!("`{o}` ends with `/`: an Origin never does, so it never matches"),
                );
            }
        }
        for (field, p) in [("login_path", &self.login_path), ("me_path", &self.me_path)] {
            if !p.starts_with('/') {
                err(field, format!("`{p}` must start with `/`"));
            }
        }
        if let Some(n) = &self.session.name {
            if n.contains([';', '=', ' ', ',']) {
                err(
                    "session.name",
                    format!("`{n}` is not a cookie name (no `;`, `=`, `,` or space)"),
                );
            }
        }
        if self.session.kind == SessionKind::CookieSession
            && self.session.secure == SecureOption::Auto
        {
            err(
                "session.secure",
                "cookie-session has no `'auto'`: leave `secure` unset to follow the request".into(),
            );
        }
        out
    }
}

impl Stack for ExpressApp {
    fn kind(&self) -> ServerKind {
        ServerKind::Express
    }

    fn prepare(&self) -> Prepared<'_> {
        Prepared {
            model: Box::new(self.clone()),
            field_errors: self.field_errors(),
        }
    }

    fn session_key(&self) -> Option<String> {
        match self.session.kind {
            SessionKind::None => None,
            _ => Some(self.session.cookie_name().to_string()),
        }
    }

    fn logs_in(&self, method: &str, path: &str) -> Option<bool> {
        let p = path.trim_end_matches('/');
        let l = self.login_path.trim_end_matches('/');
        Some(method.eq_ignore_ascii_case("POST") && p.eq_ignore_ascii_case(l))
    }

    fn fix_candidates(&self, scenario: &Scenario) -> Vec<Vec<Candidate>> {
        super::fixes::candidates(scenario, self)
    }

    fn is_safe(&self, original: &ServerSetup, api_is_https: bool) -> bool {
        super::fixes::is_safe(self, original, api_is_https)
    }

    fn search_cost(&self, _scenario: &Scenario) -> SearchCost {
        let origins = match &self.cors.origin {
            super::OriginOption::List(l) | super::OriginOption::Callback { allow: l, .. } => {
                l.iter().map(|o| o.len() + 24).sum()
            }
            _ => 0,
        };
        SearchCost {
            bytes: 512 + origins,
            boot_units: 0,
        }
    }

    fn advice(&self, api: &Url) -> Vec<String> {
        let mut out = Vec::new();
        if self.session.secure == SecureOption::True
            && api.scheme() == "https"
            && self.front != Front::Direct
            && !self.trust_proxy
            && self.session.proxy != Some(true)
        {
            out.push("`cookie: { secure: true }` behind a TLS proxy without `app.set('trust proxy', 1)`: Node sees plain http, so the session cookie is never sent. Trust the proxy.".into());
        }
        out
    }

    fn code(&self) -> Vec<CodeFile> {
        vec![CodeFile {
            title: "app.js",
            generated: super::code::app_js(self),
        }]
    }

    fn encode_keys(&self, w: &mut Writer) {
        super::keys::encode_express(w, self);
    }

    fn answers_with_redirects(&self) -> bool {
        false
    }

    fn live_blockers(&self, _lab_origins: &[String], _blockers: &mut Vec<String>) {}

    fn mentions_domain(&self) -> bool {
        self.session.domain.is_some()
            || self.res_cookie.as_ref().is_some_and(|c| c.domain.is_some())
    }

    fn tag_cookie_names(&mut self, tag: &str) {
        if self.session.kind != SessionKind::None {
            self.session.name = Some(format!("{}{tag}", self.session.cookie_name()));
        }
        if let Some(c) = &mut self.res_cookie {
            c.name = format!("{}{tag}", c.name);
        }
    }

    fn check_for_lab(&self) -> Result<(), String> {
        let value = serde_json::to_value(self).unwrap_or_default();
        let mut path = "server".to_string();
        if let Some(c) = find_control(&value, &mut path) {
            return Err(format!(
                "the Express setting {path} contains the control character {}; the lab never \
                 sends such a header",
                describe_control(c)
            ));
        }
        Ok(())
    }
}
