//! The Laravel app behind the server interface: [`LaravelModel`] answers
//! the requests, the fix search tries Laravel settings ([`super::fixes`]),
//! the generated configuration is `config/cors.php`, `.env` and
//! `bootstrap/app.php` ([`super::code`]), the permalink keys are
//! [`super::keys`].

use url::Url;

use crate::explain::codegen::Generated;
use crate::explain::fixes::{api_is_https, change, page_origin, request_urls, Candidate};
use crate::headers::describe_control;
use crate::permalink::Writer;
use crate::scenario::{Scenario, ServerSetup};
use crate::server::stack::{CodeFile, Prepared, SearchCost, ServerKind, Stack};
use crate::sharing::live::find_control;
use crate::trace::FieldError;

use super::fixes::{edits, is_safe, Context};
use super::session::XSRF_COOKIE;
use super::settings::{LaravelApp, LaravelVersion};
use super::LaravelModel;

fn context(s: &Scenario) -> Context {
    let urls = request_urls(s);
    let page = crate::origin::parse_url(&s.page.url, None).ok();
    Context {
        page_origin: page_origin(s),
        page_host_port: page.as_ref().and_then(|u| {
            let h = u.host_str()?;
            Some(match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        }),
        api_is_https: api_is_https(s),
        api_hosts: urls
            .iter()
            .filter_map(|u| u.host_str().map(str::to_string))
            .collect(),
        paths: urls.iter().map(|u| u.path().to_string()).collect(),
    }
}

impl Stack for LaravelApp {
    fn kind(&self) -> ServerKind {
        ServerKind::Laravel
    }

    fn prepare(&self) -> Prepared<'_> {
        let mut field_errors = Vec::new();
        if let Err((field, message)) = super::cors::Cors::new(&self.cors) {
            field_errors.push(FieldError {
                field: format!("server.{field}"),
                message,
            });
        }
        if let Err(message) = super::support::try_str_slug(&self.app_name, '_') {
            if self.session.cookie.is_none() {
                field_errors.push(FieldError {
                    field: "server.APP_NAME".into(),
                    message,
                });
            }
        }
        Prepared {
            model: Box::new(LaravelModel::new(self.clone())),
            field_errors,
        }
    }

    fn resume(&self, memory: &crate::http::ServerMemory) -> Prepared<'_> {
        let mut prepared = self.prepare();
        if let Some(store) = &memory.laravel_sessions {
            prepared.model = Box::new(LaravelModel::with_store(self.clone(), store.clone()));
        }
        prepared
    }

    fn session_key(&self) -> Option<String> {
        Some(self.session_cookie_name())
    }

    fn logs_in(&self, method: &str, path: &str) -> Option<bool> {
        Some(method.eq_ignore_ascii_case("POST") && path.trim_end_matches('/') == self.login_path())
    }

    /// `StartSession` sets the session cookie on every response, a 419 or a
    /// 401 too: the goal is that no request of the SPA's flow failed.
    fn server_goal_holds(&self, trace: &crate::trace::Trace) -> bool {
        trace
            .requests
            .iter()
            .all(|r| r.status.is_none_or(|s| s < 400))
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
                                if let ServerSetup::Laravel(a) = &mut s.server {
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
        let ServerSetup::Laravel(o) = original else {
            return true;
        };
        is_safe(self, o, api_is_https)
    }

    fn search_cost(&self, _scenario: &Scenario) -> SearchCost {
        let c = &self.cors;
        let lists = [
            &c.paths,
            &c.allowed_methods,
            &c.allowed_origins,
            &c.allowed_origins_patterns,
            &c.allowed_headers,
            &c.exposed_headers,
        ];
        SearchCost {
            bytes: 1024
                + self.stateful_domains.as_ref().map_or(0, String::len)
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
        if let Some(d) = &self.session.domain {
            let bare = d.trim_start_matches('.').to_ascii_lowercase();
            if crate::site::is_public_suffix(&bare) {
                out.push(format!(
                    "SESSION_DOMAIN={d} is a public suffix: browsers refuse cookies for it, because any site may be registered under it. Apps on {bare} subdomains cannot share a cookie; serve the SPA and the API under a domain of your own (app.example.com and api.example.com, SESSION_DOMAIN=.example.com)."
                ));
            } else if !(host == bare || host.ends_with(&format!(".{bare}"))) {
                out.push(format!(
                    "SESSION_DOMAIN={d} does not cover the API's host `{host}`, so the browser rejects the session and XSRF-TOKEN cookies. Leave it null (a host-only cookie) unless a front end on a sibling subdomain must read XSRF-TOKEN."
                ));
            }
        }
        out.push(
            "Sanctum's SPA authentication needs the SPA and the API on the same site (the same registrable domain, e.g. app.example.com and api.example.com, or localhost with any ports): Sanctum forces SameSite=Lax on the session cookie of the requests it makes stateful, and axios reads XSRF-TOKEN from document.cookie, which shows only cookies of the page's own host or a parent domain (SESSION_DOMAIN). For a front end on another site, use Sanctum's API tokens (Authorization: Bearer) instead of the session."
                .to_string(),
        );
        out
    }

    fn code(&self) -> Vec<CodeFile> {
        let file = |code: String| Generated {
            code,
            left_out: Vec::new(),
        };
        let (title, bootstrap) = super::code::write_bootstrap(self);
        let mut files = vec![
            CodeFile {
                title: "config/cors.php",
                generated: file(super::code::write_cors_php(self)),
            },
            CodeFile {
                title: ".env",
                generated: file(super::code::write_env(self)),
            },
            CodeFile {
                title,
                generated: file(bootstrap),
            },
        ];
        if self.version == LaravelVersion::V10 {
            files.push(CodeFile {
                title: "config/session.php",
                generated: file(super::code::write_session_php_10(self)),
            });
        }
        files
    }

    fn encode_keys(&self, w: &mut Writer) {
        super::keys::encode_laravel(w, self);
    }

    /// Only an unauthenticated request that does not ask for JSON is
    /// redirected (to `route('login')`); the SPA's requests ask for JSON.
    fn answers_with_redirects(&self) -> bool {
        false
    }

    fn live_blockers(&self, _lab_origins: &[String], _blockers: &mut Vec<String>) {}

    fn mentions_domain(&self) -> bool {
        self.session.domain.is_some()
    }

    /// Renames the session cookie (SESSION_COOKIE). `XSRF-TOKEN` keeps its
    /// name: Laravel writes it as a constant and axios reads it by that name.
    fn tag_cookie_names(&mut self, tag: &str) {
        self.session.cookie = Some(format!("{}{tag}", self.session_cookie_name()));
    }

    /// `XSRF-TOKEN` (`VerifyCsrfToken::newCookie`), on the session's path.
    fn fixed_cookie_names(&self) -> Vec<(String, String)> {
        vec![(XSRF_COOKIE.to_string(), self.session.path.clone())]
    }

    fn check_for_lab(&self) -> Result<(), String> {
        let value = serde_json::to_value(self).unwrap_or_default();
        let mut path = "server".to_string();
        if let Some(c) = find_control(&value, &mut path) {
            return Err(format!(
                "the Laravel setting {path} contains the control character {}; the lab never \
                 sends such a header",
                describe_control(c)
            ));
        }
        Ok(())
    }
}
