//! Raw headers behind the server interface: the routes answer as typed, the
//! fix search has no server settings to change, and the generated
//! configuration is the header lines themselves (none).

use url::Url;

use crate::explain::fixes::Candidate;
use crate::headers::HeaderList;
use crate::permalink::Writer;
use crate::scenario::{RawServer, Scenario, ServerSetup};
use crate::server::raw::RawServerModel;
use crate::server::stack::{CodeFile, Prepared, SearchCost, ServerKind, Stack};
use crate::sharing::live::origin_string;

fn is_location(line: &str) -> bool {
    line.split_once(':')
        .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case("location"))
}

impl Stack for RawServer {
    fn kind(&self) -> ServerKind {
        ServerKind::Raw
    }

    fn prepare(&self) -> Prepared<'_> {
        let model = RawServerModel::new(self);
        let field_errors = model.field_errors().to_vec();
        Prepared {
            model: Box::new(model),
            field_errors,
        }
    }

    fn resume(&self, memory: &crate::http::ServerMemory) -> Prepared<'_> {
        let model = RawServerModel::with_calls(self, memory.raw_calls.clone());
        let field_errors = model.field_errors().to_vec();
        Prepared {
            model: Box::new(model),
            field_errors,
        }
    }

    fn session_key(&self) -> Option<String> {
        None
    }

    fn logs_in(&self, _method: &str, _path: &str) -> Option<bool> {
        None
    }

    /// Header fixes: the line typed wrong is replaced, never doubled
    /// (explain/fixes/raw_headers).
    fn fix_candidates(&self, scenario: &Scenario) -> Vec<Vec<Candidate>> {
        crate::explain::fixes::raw_headers::raw_candidates(scenario)
    }

    fn is_safe(&self, _original: &ServerSetup, _api_is_https: bool) -> bool {
        true
    }

    fn search_cost(&self, _scenario: &Scenario) -> SearchCost {
        SearchCost {
            bytes: self
                .routes
                .iter()
                .map(|r| r.path.len() + r.preflight.headers.len() + r.response.headers.len() + 64)
                .sum(),
            boot_units: 0,
        }
    }

    fn advice(&self, _api: &Url) -> Vec<String> {
        Vec::new()
    }

    fn code(&self) -> Vec<CodeFile> {
        Vec::new()
    }

    fn encode_keys(&self, w: &mut Writer) {
        super::keys::encode_raw(w, self);
    }

    fn answers_with_redirects(&self) -> bool {
        self.routes.iter().any(|r| {
            (300..400).contains(&r.response.status) && r.response.headers.lines().any(is_location)
        })
    }

    /// A redirect (or an absolute route) to an origin no request names has
    /// no lab stand-in: following it would leave the lab.
    fn live_blockers(&self, lab_origins: &[String], blockers: &mut Vec<String>) {
        for (i, route) in self.routes.iter().enumerate() {
            let locations = [&route.preflight.headers, &route.response.headers]
                .into_iter()
                .flat_map(|h| h.lines())
                .filter_map(|line| line.split_once(':'))
                .filter(|(name, _)| name.trim().eq_ignore_ascii_case("location"))
                .map(|(_, value)| value.trim());
            for target in std::iter::once(route.path.as_str()).chain(locations) {
                let Ok(u) = Url::parse(target) else { continue };
                let o = origin_string(&u);
                if !lab_origins.contains(&o) {
                    blockers.push(format!(
                        "route {}: `{target}` is on an origin that no request uses, so the lab \
                         has no stand-in for it and a redirect there would leave the lab",
                        i + 1
                    ));
                }
            }
        }
    }

    fn mentions_domain(&self) -> bool {
        self.routes.iter().any(|r| {
            [&r.preflight.headers, &r.response.headers]
                .iter()
                .any(|h| h.to_ascii_lowercase().contains("domain="))
        })
    }

    /// Every `Set-Cookie` line's cookie name gets the tag.
    fn tag_cookie_names(&mut self, tag: &str) {
        for route in self.routes.iter_mut() {
            for resp in [&mut route.preflight, &mut route.response] {
                let lines: Vec<String> = resp
                    .headers
                    .lines()
                    .map(|line| {
                        let Some((name, value)) = line.split_once(':') else {
                            return line.to_string();
                        };
                        if !name.trim().eq_ignore_ascii_case("set-cookie") {
                            return line.to_string();
                        }
                        match value.split_once('=') {
                            Some((cookie, rest)) if !cookie.trim().is_empty() => {
                                format!("{name}: {}{tag}={rest}", cookie.trim())
                            }
                            _ => line.to_string(),
                        }
                    })
                    .collect();
                resp.headers = lines.join("\n");
            }
        }
    }

    fn check_for_lab(&self) -> Result<(), String> {
        for (i, r) in self.routes.iter().enumerate() {
            for (which, resp) in [("preflight", &r.preflight), ("response", &r.response)] {
                let field = format!("server.routes.{i}.{which}.headers");
                if resp.headers.contains('\r') || resp.headers.contains('\0') {
                    return Err(format!(
                        "{field} contains a carriage return or NUL; the lab never sends such \
                         a header"
                    ));
                }
                HeaderList::parse_response_lines(&resp.headers)
                    .map_err(|e| format!("{field}: {e}"))?;
            }
        }
        Ok(())
    }
}
