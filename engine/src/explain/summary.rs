//! The summary of a trace: its root causes, ranked by what to fix first,
//! and the one sentence at the top of the page.

use url::Url;

use crate::scenario::Scenario;
use crate::trace::{FieldError, JsResult, Phase, Reason, RequestOutcome, RootCause, Step, Verdict};

/// Ranking for root causes: what to fix first.
fn priority(reason: Reason) -> u8 {
    use Reason::*;
    match reason {
        BootError | RackCorsMisconfiguration => 0,
        MixedContentBlocked
        | LocalNetworkPermissionDenied
        | LocalNetworkInsecureContext
        | LocalNetworkInconsistentSpace
        | ForbiddenMethod
        | SameOriginModeCrossOrigin
        | NoCorsMethodNotAllowed => 1,
        PreflightStatusNotOk
        | PreflightRedirect
        | InvalidAllowMethods
        | InvalidAllowHeaders
        | MethodNotAllowed
        | MethodWildcardWithCredentials
        | HeaderNotAllowed
        | HeaderWildcardWithCredentials
        | AuthorizationNotCoveredByWildcard => 2,
        MissingAllowOrigin
        | AllowOriginMismatch
        | WildcardOriginWithCredentials
        | MultipleAllowOrigin
        | MissingAllowCredentials => 3,
        CredentialsOmitted | CredentialsSameOriginCrossOrigin | SetCookieIgnoredNoCredentials => 4,
        StorageAccessNeedsUserActivation
        | StorageAccessNeedsTopLevelInteraction
        | StorageAccessDenied
        | StorageAccessUnavailable
        | StorageAccessInsecureContext => 4,
        SessionMiddlewareMissing
        | DisabledSessionError
        | SessionNotWrittenInsecure
        | SessionOptionsIgnored
        | CsrfRejected
        | MiddlewareAnsweredFirst
        | ForceSslRedirect => 5,
        NetworkError | RequestNotSent => 9,
        _ => 6,
    }
}

pub(crate) fn root_causes(steps: &[Step]) -> Vec<RootCause> {
    let mut causes: Vec<(u8, usize, RootCause)> = Vec::new();
    for (order, step) in steps.iter().enumerate() {
        if step.verdict != Verdict::Blocked {
            continue;
        }
        let p = priority(step.reason);
        if p == 9 {
            continue; // consequences, not causes
        }
        // A missing or different Allow-Origin whose server step found an
        // allowed origin written almost right: that entry is the cause.
        let cause = match step.reason {
            Reason::MissingAllowOrigin | Reason::AllowOriginMismatch => steps[..order]
                .iter()
                .rev()
                .find(|s| s.request == step.request && s.reason == Reason::OriginWrittenWrong)
                .unwrap_or(step),
            _ => step,
        };
        if causes.iter().any(|(_, _, c)| c.reason == cause.reason) {
            continue;
        }
        causes.push((
            p,
            order,
            RootCause {
                reason: cause.reason,
                request: cause.request,
                summary: cause.title.to_string(),
            },
        ));
    }
    causes.sort_by_key(|(p, order, _)| (*p, *order));
    causes.into_iter().map(|(_, _, c)| c).collect()
}

fn describe_request(scenario: &Scenario, outcome: &RequestOutcome) -> String {
    let path = Url::parse(&outcome.url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| scenario.requests[outcome.index].url.clone());
    format!("{} {}", outcome.method, path)
}

/// The one sentence at the top of the page.
pub(crate) fn headline(
    scenario: &Scenario,
    steps: &[Step],
    outcomes: &[RequestOutcome],
    field_errors: &[FieldError],
    causes: &[RootCause],
) -> String {
    if let Some(boot) = steps
        .iter()
        .find(|s| s.reason == Reason::BootError || s.reason == Reason::RackCorsMisconfiguration)
    {
        return format!("The server never starts: {}", boot.title);
    }
    if let Some(e) = field_errors.first() {
        let more = match field_errors.len() {
            1 => String::new(),
            2 => " (and 1 more field)".to_string(),
            n => format!(" (and {} more fields)", n - 1),
        };
        return format!(
            "Incomplete — {}: {}{more}",
            field_label(&e.field),
            e.message
        );
    }
    if scenario.requests.is_empty() {
        return "Add a request to see what the browser does.".into();
    }
    let stored_any: Vec<&String> = outcomes
        .iter()
        .flat_map(|o| o.cookies_stored.iter())
        .collect();
    if let Some(cause) = causes.first() {
        let which = cause
            .request
            .and_then(|i| outcomes.iter().find(|o| o.index == i))
            .map(|o| {
                format!(
                    "{} (request {})",
                    describe_request(scenario, o),
                    o.index + 1
                )
            })
            .unwrap_or_default();
        let step_phase = steps
            .iter()
            .find(|s| s.reason == cause.reason && s.request == cause.request)
            .map(|s| s.phase);
        return match step_phase {
            Some(Phase::CookiesSent) if !stored_any.is_empty() => format!(
                "The cookie is stored but not sent back on {which}: {}",
                cause.summary
            ),
            Some(Phase::CookiesSent) => format!("No cookie is sent on {which}: {}", cause.summary),
            Some(Phase::SetCookie) => {
                format!("The cookie is never stored ({which}): {}", cause.summary)
            }
            Some(Phase::Preflight) => format!("{which} fails at the preflight: {}", cause.summary),
            Some(Phase::CorsCheck) => {
                let stored_here = cause
                    .request
                    .and_then(|i| outcomes.iter().find(|o| o.index == i))
                    .map(|o| !o.cookies_stored.is_empty())
                    .unwrap_or(false);
                if stored_here {
                    format!(
                        "The page cannot read {which}, although its cookie was stored: {}",
                        cause.summary
                    )
                } else {
                    format!("The page cannot read {which}: {}", cause.summary)
                }
            }
            Some(Phase::Server) => {
                format!("The server side breaks it on {which}: {}", cause.summary)
            }
            _ => format!("{which}: {}", cause.summary),
        };
    }
    let sent_later = outcomes.iter().skip(1).any(|o| !o.cookies_sent.is_empty());
    let all_readable = outcomes
        .iter()
        .all(|o| o.readable() || o.js_result == JsResult::Navigated);
    // A prompt (Local Network Access, Storage Access): the trace goes on as
    // if the user allows.
    let prompted = |reason| steps.iter().any(|s| s.reason == reason);
    let works = if prompted(Reason::LocalNetworkPermissionPrompt) {
        "It works once the user allows Chrome's local network access prompt"
    } else if prompted(Reason::StorageAccessPrompt) {
        "It works once the user allows the browser's storage access prompt"
    } else {
        "It works"
    };
    match (stored_any.first(), sent_later, all_readable) {
        (Some(name), true, true) => format!(
            "{works}: `{name}` is stored and sent back, and the page can read every response."
        ),
        (Some(name), false, _) if outcomes.len() > 1 => {
            format!("`{name}` is stored, but no later request carries it.")
        }
        (None, _, true) => "Every response is readable, but no cookie is set.".into(),
        _ => "Done: see the steps below.".into(),
    }
}

/// A field's name as the settings form labels it, items counted from 1:
/// `requests.0.url` → "Request 1 URL", `server.cors.allow.1.origins` →
/// "Allow block 2 origins". Unknown paths keep their last part readable.
pub fn field_label(field: &str) -> String {
    let parts: Vec<&str> = field.split('.').collect();
    let nth = |i: usize| {
        parts
            .get(i)
            .and_then(|p| p.parse::<usize>().ok())
            .map(|n| (n + 1).to_string())
            .unwrap_or_default()
    };
    let words = |from: usize| {
        parts
            .get(from..)
            .unwrap_or_default()
            .iter()
            .filter(|p| p.parse::<usize>().is_err())
            .map(|p| p.replace('_', " "))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match parts.as_slice() {
        ["page", "url"] => "Page URL".into(),
        ["page", "top_level_url"] => "Top-level page URL".into(),
        ["page", "storage_access", "call"] => "requestStorageAccess()".into(),
        ["page", "storage_access", "interacted_top_level"] => {
            "The user has used the embedded site top-level".into()
        }
        ["page", "storage_access", "permission"] => "Storage access permission".into(),
        ["requests", _, "url"] => format!("Request {} URL", nth(1)),
        ["requests", _, "method"] => format!("Request {} method", nth(1)),
        ["requests", _, "headers"] => format!("Request {} headers", nth(1)),
        ["requests", _, "client", "credentials"] => format!("Request {} credentials", nth(1)),
        ["requests", _, "client", "mode"] => format!("Request {} mode", nth(1)),
        ["requests", _, ..] => format!("Request {} {}", nth(1), words(2)),
        ["server", "model"] => "Server".into(),
        ["server", "routes"] => "Routes".into(),
        ["server", "routes", _, ..] => format!("Route {} {}", nth(2), words(3)),
        ["server", "cors", "allow", _, "resources", _, ..] => {
            format!("Allow block {} resource {} {}", nth(3), nth(5), words(6))
        }
        ["server", "cors", "allow", _, ..] => format!("Allow block {} {}", nth(3), words(4)),
        ["server", "session", "store"] => "session_store".into(),
        ["server", "session", rest @ ..] => format!("session_store {}:", rest.join(".")),
        ["server", "load_defaults"] => "config.load_defaults".into(),
        ["server", "cors", "enabled"] => "Rack::Cors is configured".into(),
        ["server", "cors_position"] => "Rack::Cors position in the middleware stack".into(),
        ["server", "session_middleware"] => "Session middleware in config/application.rb".into(),
        ["server", "fa", name] => crate::server::fastapi::literals::label(name).into(),
        ["proxy"] => "Dev-server proxy".into(),
        ["proxy", name] => format!("Proxy {}", name.replace('_', " ")),
        // A Django setting is labelled by its name, as settings.py writes it.
        ["server", name]
            if name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') =>
        {
            name.to_string()
        }
        ["server", rest @ ..] => rest.join(".").replace('_', " "),
        _ => words(0),
    }
    .trim()
    .to_string()
}
