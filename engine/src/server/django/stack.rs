//! The Django app behind the server interface: [`DjangoModel`] answers the
//! requests, the fix search tries Django settings ([`super::fixes`]), the
//! generated configuration is `settings.py`, `urls.py` and `views.py`
//! ([`super::settings_py`]), the permalink keys are [`super::keys`].

use url::Url;

use crate::explain::codegen::Generated;
use crate::explain::fixes::{api_is_https, change, page_origin, request_urls, Candidate};
use crate::headers::{describe_control, HeaderList};
use crate::permalink::Writer;
use crate::scenario::{Scenario, ServerSetup};
use crate::server::stack::{CodeFile, Prepared, SearchCost, ServerKind, Stack};
use crate::sharing::live::find_control;

use super::fixes::{edits, is_safe, Context};
use super::settings::{DjangoApp, DjangoView};
use super::views::resolve;
use super::DjangoModel;

fn context(s: &Scenario) -> Context {
    let urls = request_urls(s);
    let mut custom_headers = Vec::new();
    for r in &s.requests {
        if let Ok(h) = HeaderList::parse_lines(&r.headers) {
            for (n, _) in h.iter() {
                let n = n.to_ascii_lowercase();
                if !custom_headers.contains(&n) {
                    custom_headers.push(n);
                }
            }
        }
    }
    let mut methods: Vec<String> = s
        .requests
        .iter()
        .map(|r| r.method.to_ascii_uppercase())
        .collect();
    methods.dedup();
    Context {
        page_origin: page_origin(s),
        api_is_https: api_is_https(s),
        requests: urls
            .iter()
            .map(|u| {
                let host = match u.port() {
                    Some(p) => format!("{}:{p}", u.host_str().unwrap_or("")),
                    None => u.host_str().unwrap_or("").to_string(),
                };
                (host, u.path().to_string())
            })
            .collect(),
        custom_headers,
        methods,
    }
}

impl Stack for DjangoApp {
    fn kind(&self) -> ServerKind {
        ServerKind::Django
    }

    fn prepare(&self) -> Prepared<'_> {
        Prepared {
            model: Box::new(DjangoModel::new(self.clone())),
            field_errors: Vec::new(),
        }
    }

    fn resume(&self, memory: &crate::http::ServerMemory) -> Prepared<'_> {
        let store = memory.django_sessions.clone().unwrap_or_default();
        Prepared {
            model: Box::new(DjangoModel::with_store(
                self.clone(),
                crate::simulate::SIM_EPOCH,
                store,
            )),
            field_errors: Vec::new(),
        }
    }

    fn session_key(&self) -> Option<String> {
        Some(self.session.cookie_name.clone())
    }

    fn logs_in(&self, method: &str, path: &str) -> Option<bool> {
        Some(
            method.eq_ignore_ascii_case("POST")
                && resolve(self, path).is_some_and(|r| r.view == DjangoView::Login),
        )
    }

    fn fix_candidates(&self, scenario: &Scenario) -> Vec<Vec<Candidate>> {
        edits(self, &context(scenario))
            .into_iter()
            .map(|kind| {
                kind.into_iter()
                    .map(|e| {
                        let changes = e
                            .changes
                            .iter()
                            .map(|(n, from, to)| change(format!("server.{n}"), from, to))
                            .collect();
                        let apply = e.apply;
                        Candidate::new(
                            e.title,
                            e.reason,
                            changes,
                            e.rank,
                            move |s: &mut Scenario| {
                                if let ServerSetup::Django(a) = &mut s.server {
                                    apply(a);
                                }
                            },
                        )
                    })
                    .collect()
            })
            .collect()
    }

    fn is_safe(&self, original: &ServerSetup, api_is_https: bool) -> bool {
        let ServerSetup::Django(o) = original else {
            return true;
        };
        is_safe(self, o, api_is_https)
    }

    fn search_cost(&self, _scenario: &Scenario) -> SearchCost {
        let lists = [
            &self.allowed_hosts,
            &self.cors.allowed_origins,
            &self.cors.allowed_origin_regexes,
            &self.cors.allow_headers,
            &self.cors.allow_methods,
            &self.cors.expose_headers,
            &self.csrf.trusted_origins,
        ];
        SearchCost {
            bytes: 1024
                + lists
                    .iter()
                    .flat_map(|l| l.iter())
                    .map(|s| s.len() + 24)
                    .sum::<usize>(),
            boot_units: 0,
        }
    }

    fn advice(&self, api: &Url) -> Vec<String> {
        let mut out = Vec::new();
        let host = api.host_str().unwrap_or("");
        if let Some(d) = &self.session.cookie_domain {
            let bare = d.trim_start_matches('.');
            if !(host == bare || host.ends_with(&format!(".{bare}"))) {
                out.push(format!(
                    "`SESSION_COOKIE_DOMAIN = '{d}'` does not cover the API's host `{host}`, so the \
                     browser rejects the session cookie. Leave it `None` (a host-only cookie) unless \
                     subdomains of one real domain must share it."
                ));
            }
        }
        out
    }

    fn code(&self) -> Vec<CodeFile> {
        let file = |code: String| Generated {
            code,
            left_out: Vec::new(),
        };
        vec![
            CodeFile {
                title: "settings.py",
                generated: file(super::settings_py::write(self)),
            },
            CodeFile {
                title: "urls.py",
                generated: file(super::settings_py::write_urls(self)),
            },
            CodeFile {
                title: "views.py",
                generated: file(super::settings_py::write_views()),
            },
        ]
    }

    fn encode_keys(&self, w: &mut Writer) {
        super::keys::encode_django(w, self);
    }

    /// `APPEND_SLASH` answers 301 only to a path without its slash; live
    /// mode compares what comes back and names a redirect it cannot follow.
    fn answers_with_redirects(&self) -> bool {
        false
    }

    fn live_blockers(&self, _lab_origins: &[String], _blockers: &mut Vec<String>) {}

    fn mentions_domain(&self) -> bool {
        self.session.cookie_domain.is_some() || self.csrf.cookie_domain.is_some()
    }

    fn tag_cookie_names(&mut self, tag: &str) {
        self.session.cookie_name.push_str(tag);
        self.csrf.cookie_name.push_str(tag);
    }

    fn check_for_lab(&self) -> Result<(), String> {
        let value = serde_json::to_value(self).unwrap_or_default();
        let mut path = "server".to_string();
        if let Some(c) = find_control(&value, &mut path) {
            return Err(format!(
                "the Django setting {path} contains the control character {}; the lab never \
                 sends such a header",
                describe_control(c)
            ));
        }
        Ok(())
    }
}
