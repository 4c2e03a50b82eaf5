//! A Laravel 10, 11 or 12 API with Sanctum's SPA authentication, as its
//! `config/cors.php`, `config/session.php`, `.env` and `bootstrap/app.php`
//! describe it. The model answers each request with the status, CORS
//! headers, `Vary` and `Set-Cookie` lines the framework's source says it
//! sends. It is checked against the source of laravel/framework (10.x,
//! 11.x, 12.x branches), laravel/laravel (10.x), laravel/sanctum (v3.3.3,
//! v4.0.1), fruitcake/php-cors (v1.3.0) and symfony/http-foundation (7.1),
//! not against a running server.
//!
//! - [`settings`] — the settings and their defaults by version;
//! - [`support`] — `Str::is`, `Str::slug`, `env()`, PCRE patterns, cookie encryption;
//! - [`cors`] — `HandleCors` and php-cors' `CorsService`;
//! - [`session`] — `StartSession`, `TrustProxies`, Symfony's `Set-Cookie`;
//! - [`sanctum`] — `EnsureFrontendRequestsAreStateful::fromFrontend`, `VerifyCsrfToken`;
//! - [`app`] — the middleware and the routes for one request;
//! - [`keys`] — the settings by name (permalink, `.env`, `config/cors.php`);
//! - [`code`] — the generated files and their readers;
//! - [`fixes`], [`presets`], [`stack`].

pub mod app;
pub mod code;
pub mod cors;
pub mod fixes;
pub mod keys;
pub mod presets;
pub mod sanctum;
pub mod session;
pub mod settings;
pub mod stack;
pub mod support;

pub use app::LaravelModel;
pub use settings::*;
