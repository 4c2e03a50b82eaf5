//! The URLconf (`path("api/login/", views.login_view)`…) and what
//! `CommonMiddleware` does with a path that misses it (`APPEND_SLASH`,
//! `django/middleware/common.py`).

use super::settings::{DjangoApp, DjangoRoute};

/// `resolve(request.path_info)`: the route whose text equals the path
/// without its leading slash.
pub fn resolve<'a>(app: &'a DjangoApp, path: &str) -> Option<&'a DjangoRoute> {
    let p = path.strip_prefix('/').unwrap_or(path);
    app.urls.iter().find(|r| r.route == p)
}

/// `should_redirect_with_slash`: `APPEND_SLASH`, no slash at the end, the
/// path misses and the path with a slash resolves.
pub fn should_redirect_with_slash(app: &DjangoApp, path: &str) -> bool {
    app.append_slash
        && !path.ends_with('/')
        && resolve(app, path).is_none()
        && resolve(app, &format!("{path}/")).is_some()
}
