//! A Django API as its `settings.py` describes it: django-cors-headers'
//! `CORS_*` settings and where `CorsMiddleware` sits in `MIDDLEWARE`, the
//! session framework (`SESSION_*`), CSRF protection (`CSRF_*`),
//! `ALLOWED_HOSTS` and `SECURE_PROXY_SSL_HEADER`, and the few views an SPA's
//! login needs. The model answers each request with the status, CORS headers,
//! `Vary` and `Set-Cookie` lines the real stack sends (checked against real
//! Django 4.2 and 5.2 by the differential suite).
//!
//! - [`settings`] — the settings, with Django's defaults by version;
//! - [`checks`] — the system checks that stop `manage.py runserver`;
//! - [`hosts`] — `HttpRequest.get_host()` and `.scheme` (`django/http/request.py`);
//! - [`cors_headers`] — `corsheaders/middleware.py`;
//! - [`sessions`] — `django/contrib/sessions/middleware.py` and `HttpResponse.set_cookie`;
//! - [`csrf`] — `django/middleware/csrf.py`;
//! - [`views`] — the URLconf and the views, `APPEND_SLASH` (`django/middleware/common.py`);
//! - [`app`] — the middleware chain that runs them for one request;
//! - [`settings_py`] — reading and writing `settings.py` (Python literals).

pub mod app;
pub mod checks;
pub mod cors_headers;
pub mod csrf;
pub mod fixes;
pub mod hosts;
pub mod keys;
pub mod presets;
pub mod pyregex;
pub mod sessions;
pub mod settings;
pub mod settings_py;
pub mod stack;
pub mod views;

pub use app::{DjangoModel, DjangoReply};
pub use settings::*;
