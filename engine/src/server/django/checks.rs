//! What stops `manage.py runserver` before the first request: the system
//! checks of django-cors-headers (`corsheaders/checks.py`) and Django
//! (`django/core/checks/compatibility/django_4_0.py`), and runserver's own
//! refusal of an empty `ALLOWED_HOSTS` without `DEBUG`
//! (`django/core/management/commands/runserver.py`).

use crate::explain::spec;
use crate::trace::{Phase, Reason, Step, Verdict};

use super::cors_headers::urlsplit;
use super::hosts::py_repr;
use super::pyregex::PyRegex;
use super::settings::DjangoApp;

/// One check error as Django prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckError {
    /// `corsheaders.E013`, `4_0.E001`, or `runserver` for runserver's own refusal.
    pub id: &'static str,
    /// The setting it is about (for the field the form marks).
    pub setting: &'static str,
    pub message: String,
}

/// Every error, in the order Django reports them.
pub fn run(app: &DjangoApp) -> Vec<CheckError> {
    let mut errors = Vec::new();
    let c = &app.cors;
    if c.preflight_max_age < 0 {
        errors.push(CheckError {
            id: "corsheaders.E004",
            setting: "CORS_PREFLIGHT_MAX_AGE",
            message: "CORS_PREFLIGHT_MAX_AGE should be an integer greater than or equal to zero."
                .into(),
        });
    }
    for origin in &c.allowed_origins {
        // "null" (sandboxed documents) and "file://" (Chrome on Android) are special.
        if origin == "null" || origin == "file://" {
            continue;
        }
        let parsed = urlsplit(origin).unwrap_or_default();
        if parsed.scheme.is_empty() || parsed.netloc.is_empty() {
            errors.push(CheckError {
                id: "corsheaders.E013",
                setting: "CORS_ALLOWED_ORIGINS",
                message: format!(
                    "Origin {} in CORS_ALLOWED_ORIGINS is missing scheme or netloc \
                     (HINT: Add a scheme (e.g. https://) or netloc (e.g. example.com).)",
                    py_repr(origin)
                ),
            });
            continue;
        }
        for (part, value) in [
            ("path", &parsed.path),
            ("query", &parsed.query),
            ("fragment", &parsed.fragment),
        ] {
            if !value.is_empty() {
                errors.push(CheckError {
                    id: "corsheaders.E014",
                    setting: "CORS_ALLOWED_ORIGINS",
                    message: format!(
                        "Origin {} in CORS_ALLOWED_ORIGINS should not have {part}",
                        py_repr(origin)
                    ),
                });
            }
        }
    }
    for origin in &app.csrf.trusted_origins {
        if !origin.contains("://") {
            errors.push(CheckError {
                id: "4_0.E001",
                setting: "CSRF_TRUSTED_ORIGINS",
                message: format!(
                    "As of Django 4.0, the values in the CSRF_TRUSTED_ORIGINS setting must start \
                     with a scheme (usually http:// or https://) but found {origin}. See the \
                     release notes for details."
                ),
            });
        }
    }
    if !app.debug && app.allowed_hosts.is_empty() {
        errors.push(CheckError {
            id: "runserver",
            setting: "ALLOWED_HOSTS",
            message: "CommandError: You must set settings.ALLOWED_HOSTS if DEBUG is False.".into(),
        });
    }
    errors
}

/// Regexps Python would compile but the model cannot evaluate, or that
/// Python itself would reject (`re.error` on the first request): the
/// setting and the message.
pub fn unreadable_regexps(app: &DjangoApp) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Err(e) = PyRegex::new(&app.cors.urls_regex) {
        out.push((
            "CORS_URLS_REGEX",
            format!("{}: {e}", py_repr(&app.cors.urls_regex)),
        ));
    }
    for r in &app.cors.allowed_origin_regexes {
        if let Err(e) = PyRegex::new(r) {
            out.push((
                "CORS_ALLOWED_ORIGIN_REGEXES",
                format!("{}: {e}", py_repr(r)),
            ));
        }
    }
    out
}

/// The boot steps: empty when the app starts.
pub fn boot_steps(app: &DjangoApp) -> Vec<Step> {
    let mut steps: Vec<Step> = run(app)
        .into_iter()
        .map(|e| {
            let (title, explanation) = if e.id == "runserver" {
                (
                    "runserver refuses to start: ALLOWED_HOSTS is empty".to_string(),
                    format!(
                        "{} With `DEBUG = False` Django answers every request whose Host is not in \
                         `ALLOWED_HOSTS` with 400, so an empty list would refuse them all. Add the \
                         API's host name, e.g. `ALLOWED_HOSTS = ['api.example.com']`.",
                        e.message
                    ),
                )
            } else {
                (
                    format!("System check error {}", e.id),
                    format!(
                        "`manage.py runserver` stops with \"SystemCheckError: System check identified \
                         some issues: ERRORS: ?: ({}) {}\". Fix `{}` in settings.py.",
                        e.id, e.message, e.setting
                    ),
                )
            };
            let spec = if e.id.starts_with("corsheaders") {
                spec::DJANGO_CORS_CHECKS
            } else {
                spec::DJANGO_SYSTEM_CHECKS
            };
            Step::new(
                None,
                Phase::Setup,
                Verdict::Blocked,
                Reason::DjangoSystemCheck,
                title,
                explanation,
                spec,
            )
            .with("setting", e.setting)
        })
        .collect();
    for (setting, message) in unreadable_regexps(app) {
        steps.push(
            Step::new(
                None,
                Phase::Setup,
                Verdict::Blocked,
                Reason::BootError,
                format!("{setting}: a regexp this simulator cannot evaluate"),
                format!(
                    "{message}. django-cors-headers calls `re.match()` with it on every request; \
                     Python raises `re.error` (a 500) for an invalid pattern, and Crumbtrail \
                     evaluates only plain patterns (no inline flags, no lookarounds)."
                ),
                spec::DJANGO_CORS_HEADERS,
            )
            .with("setting", setting),
        );
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(app: &DjangoApp) -> Vec<&'static str> {
        run(app).into_iter().map(|e| e.id).collect()
    }

    #[test]
    fn an_origin_with_a_path_or_without_a_scheme_is_an_error() {
        let mut app = DjangoApp::default();
        app.cors.allowed_origins = vec![
            "http://localhost:3000/".into(),
            "localhost:3000".into(),
            "https://ok.example".into(),
            "null".into(),
        ];
        assert_eq!(ids(&app), ["corsheaders.E014", "corsheaders.E013"]);
        assert!(run(&app)[0].message.contains("should not have path"));
    }

    #[test]
    fn trusted_origins_need_a_scheme_and_runserver_needs_hosts() {
        let mut app = DjangoApp::default();
        app.csrf.trusted_origins = vec!["app.example.com".into(), "https://x.example".into()];
        app.allowed_hosts.clear();
        assert_eq!(ids(&app), ["4_0.E001", "runserver"]);
        app.debug = true;
        assert_eq!(ids(&app), ["4_0.E001"]);
    }
}
