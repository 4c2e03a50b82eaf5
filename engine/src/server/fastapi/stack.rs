//! The FastAPI app behind the server interface: [`FastApiModel`] answers
//! the requests, the fix search tries Starlette and uvicorn settings
//! ([`super::fixes`]), the generated configuration is `main.py`
//! ([`super::main_py`]), the permalink keys are [`super::keys`].

use url::Url;

use crate::explain::codegen::Generated;
use crate::explain::fixes::{api_is_https, change, page_origin, request_urls, Candidate};
use crate::fetch::headers::{describe_control, HeaderList};
use crate::permalink::Writer;
use crate::scenario::{Scenario, ServerSetup};
use crate::server::stack::{CodeFile, Prepared, SearchCost, ServerKind, Stack};
use crate::sharing::live::find_control;

use super::fixes::{edits, is_safe, Context};
use super::settings::{FastApiApp, Middleware, LOGIN_PATH};
use super::FastApiModel;

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
    let mut methods: Vec<String> = Vec::new();
    for r in &s.requests {
        let m = r.method.to_ascii_uppercase();
        if !methods.contains(&m) {
            methods.push(m);
        }
    }
    let page = Url::parse(&s.page.url).ok();
    let cross_site = page.as_ref().is_some_and(|p| {
        urls.iter()
            .any(|u| !crate::urls::site::same_site(p, u, crate::urls::site::SiteRules::HTML))
    });
    Context {
        page_origin: page_origin(s),
        api_is_https: api_is_https(s),
        cross_site,
        custom_headers,
        methods,
    }
}

impl Stack for FastApiApp {
    fn kind(&self) -> ServerKind {
        ServerKind::FastApi
    }

    fn prepare(&self) -> Prepared<'_> {
        Prepared {
            model: Box::new(FastApiModel::new(self.clone())),
            field_errors: Vec::new(),
        }
    }

    fn session_key(&self) -> Option<String> {
        if self.has(Middleware::Session) {
            Some(self.session.session_cookie.clone())
        } else {
            self.set_cookie.as_ref().map(|c| c.key.clone())
        }
    }

    fn logs_in(&self, method: &str, path: &str) -> Option<bool> {
        Some(method.eq_ignore_ascii_case("POST") && path == LOGIN_PATH)
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
                            .map(|(n, from, to)| change(format!("server.fa.{n}"), from, to))
                            .collect();
                        let apply = e.apply;
                        Candidate::new(
                            e.title,
                            e.reason,
                            changes,
                            e.rank,
                            move |s: &mut Scenario| {
                                if let ServerSetup::FastApi(a) = &mut s.server {
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
        let ServerSetup::FastApi(o) = original else {
            return true;
        };
        is_safe(self, o, api_is_https)
    }

    fn search_cost(&self, _scenario: &Scenario) -> SearchCost {
        let c = &self.cors;
        let lists = [
            &c.allow_origins,
            &c.allow_methods,
            &c.allow_headers,
            &c.expose_headers,
        ];
        SearchCost {
            bytes: 768
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
        if let (true, Some(d)) = (self.has(Middleware::Session), &self.session.domain) {
            let bare = d.trim_start_matches('.');
            if !(host == bare || host.ends_with(&format!(".{bare}"))) {
                out.push(format!(
                    "SessionMiddleware's `domain=\"{d}\"` does not cover the API's host `{host}`, so \
                     the browser rejects the session cookie. Leave `domain` unset (a host-only \
                     cookie) unless subdomains of one real domain must share it."
                ));
            }
        }
        out
    }

    fn code(&self) -> Vec<CodeFile> {
        vec![CodeFile {
            title: "main.py",
            generated: Generated {
                code: super::main_py::write(self),
                left_out: Vec::new(),
            },
        }]
    }

    fn encode_keys(&self, w: &mut Writer) {
        super::keys::encode_fastapi(w, self);
    }

    /// The trailing-slash redirect and `HTTPSRedirectMiddleware` answer 307.
    fn answers_with_redirects(&self) -> bool {
        self.has(Middleware::HttpsRedirect)
    }

    fn live_blockers(&self, _lab_origins: &[String], _blockers: &mut Vec<String>) {}

    fn mentions_domain(&self) -> bool {
        self.session.domain.is_some()
            || self.set_cookie.as_ref().is_some_and(|c| c.domain.is_some())
    }

    fn tag_cookie_names(&mut self, tag: &str) {
        self.session.session_cookie.push_str(tag);
        if let Some(c) = &mut self.set_cookie {
            c.key.push_str(tag);
        }
    }

    fn check_for_lab(&self) -> Result<(), String> {
        let value = serde_json::to_value(self).unwrap_or_default();
        let mut path = "server".to_string();
        if let Some(c) = find_control(&value, &mut path) {
            return Err(format!(
                "the FastAPI setting {path} contains the control character {}; the lab never \
                 sends such a header",
                describe_control(c)
            ));
        }
        Ok(())
    }
}
