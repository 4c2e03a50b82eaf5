//! The generated configuration, in Laravel's files: `config/cors.php`, the
//! `.env` lines, the `config/session.php` lines whose value Laravel 10 does
//! not read from `.env`, and `bootstrap/app.php` (11, 12) or
//! `app/Http/Kernel.php` with `TrustProxies` (10). The readers take a
//! `config/cors.php` and a `.env` back into the app.

use super::keys::{cors_of, env_of, set_cors, set_env, CORS_KEYS, ENV_KEYS};
use super::settings::{LaravelApp, LaravelVersion};

pub use super::keys::php_list;

/// Keys laravel/laravel `10.x` `config/session.php` writes as literals,
/// not `env()` calls (they became `.env` keys in 11).
const LITERAL_IN_10: [&str; 5] = [
    "SESSION_EXPIRE_ON_CLOSE",
    "SESSION_PATH",
    "SESSION_HTTP_ONLY",
    "SESSION_SAME_SITE",
    "SESSION_PARTITIONED_COOKIE",
];

/// The `config/session.php` entry each key sets.
fn session_entry(key: &str) -> &'static str {
    match key {
        "SESSION_EXPIRE_ON_CLOSE" => "expire_on_close",
        "SESSION_PATH" => "path",
        "SESSION_HTTP_ONLY" => "http_only",
        "SESSION_SAME_SITE" => "same_site",
        "SESSION_PARTITIONED_COOKIE" => "partitioned",
        _ => "",
    }
}

/// `config/cors.php`, the whole file.
pub fn write_cors_php(app: &LaravelApp) -> String {
    let mut s = String::from("<?php\n\nreturn [\n\n");
    for k in CORS_KEYS {
        s.push_str(&format!(
            "    '{k}' => {},\n\n",
            cors_of(app, k).unwrap_or_default()
        ));
    }
    s.push_str("];\n");
    s
}

/// The `.env` lines (every key the model reads; keys left unset are
/// written as comments).
pub fn write_env(app: &LaravelApp) -> String {
    let mut s = String::new();
    for k in ENV_KEYS {
        if app.version == LaravelVersion::V10 && LITERAL_IN_10.contains(&k) {
            continue;
        }
        match env_of(app, k) {
            Some(v) => s.push_str(&format!("{k}={v}\n")),
            None => s.push_str(&format!("# {k}= (not set: the default applies)\n")),
        }
    }
    s
}

/// Laravel 10's `config/session.php` lines that are not read from `.env`.
pub fn write_session_php_10(app: &LaravelApp) -> String {
    let mut s = String::from("<?php\n\n// config/session.php (the entries Laravel 10 does not read from .env)\nreturn [\n");
    for k in LITERAL_IN_10 {
        let v = env_of(app, k).unwrap_or_default();
        let php = match k {
            "SESSION_PATH" => super::keys::php_str(v.trim_matches('"')),
            "SESSION_SAME_SITE" if v == "null" => "null".to_string(),
            "SESSION_SAME_SITE" => super::keys::php_str(&v),
            _ => v,
        };
        s.push_str(&format!("    '{}' => {php},\n", session_entry(k)));
    }
    s.push_str("];\n");
    s
}

/// `bootstrap/app.php` (11, 12), or the Laravel 10 files that do the same.
pub fn write_bootstrap(app: &LaravelApp) -> (&'static str, String) {
    if app.version == LaravelVersion::V10 {
        let mut s = String::from(
            "<?php\n\n// app/Http/Kernel.php\nprotected $middlewareGroups = [\n    'api' => [\n",
        );
        s.push_str(if app.stateful_api {
            "        \\Laravel\\Sanctum\\Http\\Middleware\\EnsureFrontendRequestsAreStateful::class,\n"
        } else {
            "        // \\Laravel\\Sanctum\\Http\\Middleware\\EnsureFrontendRequestsAreStateful::class,\n"
        });
        s.push_str("        \\Illuminate\\Routing\\Middleware\\ThrottleRequests::class.':api',\n        \\Illuminate\\Routing\\Middleware\\SubstituteBindings::class,\n    ],\n];\n\n// app/Http/Middleware/TrustProxies.php\n");
        s.push_str(if app.trust_proxies {
            "protected $proxies = '*';\n"
        } else {
            "protected $proxies;\n"
        });
        return ("app/Http/Kernel.php", s);
    }
    let mut s = String::from(
        "<?php\n\nuse Illuminate\\Foundation\\Application;\nuse Illuminate\\Foundation\\Configuration\\Middleware;\n\nreturn Application::configure(basePath: dirname(__DIR__))\n    ->withRouting(\n        web: __DIR__.'/../routes/web.php',\n        api: __DIR__.'/../routes/api.php',\n    )\n    ->withMiddleware(function (Middleware $middleware) {\n",
    );
    if app.stateful_api {
        s.push_str("        $middleware->statefulApi();\n");
    }
    if app.trust_proxies {
        s.push_str("        $middleware->trustProxies(at: '*');\n");
    }
    s.push_str("    })\n    ->create();\n");
    ("bootstrap/app.php", s)
}

/// Reads a `config/cors.php`: each `'key' => value,` entry (values on one
/// line or spread over several until the closing `]`). Errors name the line.
pub fn read_cors_php(text: &str, app: &mut LaravelApp) -> Result<(), Vec<(usize, String)>> {
    let mut errors = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        let start = i + 1;
        i += 1;
        let Some(rest) = line.strip_prefix('\'') else {
            continue;
        };
        let Some((key, value)) = rest.split_once("' =>") else {
            continue;
        };
        let mut value = value.trim().to_string();
        if value.starts_with('[') && !value.contains(']') {
            while i < lines.len() && !value.contains(']') {
                value.push(' ');
                value.push_str(lines[i].trim());
                i += 1;
            }
        }
        let value = value.trim_end_matches(',').trim();
        if !CORS_KEYS.contains(&key) {
            errors.push((
                start,
                format!("'{key}' is not a config/cors.php entry Crumbtrail reads"),
            ));
            continue;
        }
        if let Err(e) = set_cors(app, key, value) {
            errors.push((start, e));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Reads `.env` lines: `KEY=value`, `#` comments, blank lines; keys the
/// model does not read are skipped.
pub fn read_env(text: &str, app: &mut LaravelApp) -> Result<(), Vec<(usize, String)>> {
    let mut errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            errors.push((n + 1, format!("`{line}`: write KEY=value")));
            continue;
        };
        let k = k.trim();
        // Laravel 10's config/session.php does not read these from .env.
        if !ENV_KEYS.contains(&k)
            || (app.version == LaravelVersion::V10 && LITERAL_IN_10.contains(&k))
        {
            continue;
        }
        if let Err(e) = set_env(app, k, v.trim()) {
            errors.push((n + 1, e));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::laravel::settings::SameSite;

    #[test]
    fn the_default_cors_php_is_the_framework_file() {
        let php = write_cors_php(&LaravelApp::default());
        assert!(php.contains("    'paths' => ['api/*', 'sanctum/csrf-cookie'],\n"));
        assert!(php.contains("    'max_age' => 0,\n"));
        assert!(php.contains("    'supports_credentials' => false,\n"));
    }

    #[test]
    fn generated_files_read_back() {
        for v in LaravelVersion::ALL {
            let mut app = LaravelApp::new(v);
            app.cors.allowed_origins =
                vec!["http://localhost:3000".into(), "https://*.app.test".into()];
            app.cors.supports_credentials = true;
            app.cors.max_age = None;
            app.session.domain = Some(".app.test".into());
            app.session.same_site = SameSite::None;
            app.session.secure = Some(true);
            app.app_name = "My App".into();
            app.stateful_domains = Some("localhost:3000".into());
            let mut back = LaravelApp::new(v);
            read_cors_php(&write_cors_php(&app), &mut back).unwrap();
            read_env(&write_env(&app), &mut back).unwrap();
            if v == LaravelVersion::V10 {
                // Laravel 10 takes same_site from config/session.php, not .env.
                assert_eq!(back.session.same_site, SameSite::Lax);
                back.session.same_site = SameSite::None;
                assert!(write_session_php_10(&app).contains("    'same_site' => 'none',\n"));
            }
            assert_eq!(back, app, "{v:?}");
        }
    }

    #[test]
    fn readers_name_the_bad_line() {
        let mut app = LaravelApp::default();
        let e = read_cors_php(
            "<?php\nreturn [\n    'paths' => ['api/*'],\n    'supports_credentials' => 'yes',\n];\n",
            &mut app,
        )
        .unwrap_err();
        assert_eq!(e[0].0, 4);
        let multi = "<?php\nreturn [\n    'allowed_origins' => [\n        'http://localhost:3000',\n        'http://localhost:5173',\n    ],\n];\n";
        read_cors_php(multi, &mut app).unwrap();
        assert_eq!(app.cors.allowed_origins.len(), 2);
        let e = read_env(
            "APP_NAME=Laravel\nSESSION_SAME_SITE=sometimes\nbroken\nOTHER=1\n",
            &mut app,
        )
        .unwrap_err();
        assert_eq!(e.iter().map(|x| x.0).collect::<Vec<_>>(), [2, 3]);
    }

    #[test]
    fn bootstrap_says_stateful_api_and_trusted_proxies() {
        let mut app = LaravelApp {
            stateful_api: true,
            trust_proxies: true,
            ..LaravelApp::default()
        };
        let (t, s) = write_bootstrap(&app);
        assert_eq!(t, "bootstrap/app.php");
        assert!(s.contains("$middleware->statefulApi();") && s.contains("trustProxies(at: '*')"));
        app.version = LaravelVersion::V10;
        let (t, s) = write_bootstrap(&app);
        assert_eq!(t, "app/Http/Kernel.php");
        assert!(s.contains("        \\Laravel\\Sanctum") && s.contains("$proxies = '*'"));
    }
}
