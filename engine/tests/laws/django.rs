//! `settings.py` law: what the reader accepts, written back by the
//! generator, reads as the same settings, and the model boots or answers a
//! login round (preflight, csrf view, login, me) without panicking.

use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::http::{ServerModel, WireRequest};
use crumbtrail_engine::server::django::{settings_py, DjangoModel};

/// Seeds: the generator's text for a few apps, and a hand-written file.
pub fn seeds() -> Vec<String> {
    let mut app = crumbtrail_engine::server::django::DjangoApp::default();
    let mut out = vec![settings_py::write(&app)];
    app.cors.allowed_origins = vec!["http://localhost:5173".into()];
    app.cors.allowed_origin_regexes = vec![r"^https://\w+\.example\.com$".into()];
    app.cors.allow_credentials = true;
    app.csrf.trusted_origins = vec!["https://*.example.com".into()];
    app.secure_proxy_ssl_header = Some(("HTTP_X_FORWARDED_PROTO".into(), "https".into()));
    out.push(settings_py::write(&app));
    out.push(
        "import os\nDEBUG = os.environ.get('DEBUG') == '1'\nALLOWED_HOSTS = ['.example.com']\n\
         CORS_ALLOWED_ORIGINS = (\n    'https://app.example.com',  # the SPA\n)\n\
         SESSION_COOKIE_AGE = 60 * 60 * 24\nSESSION_COOKIE_SAMESITE = None\n"
            .into(),
    );
    out
}

pub fn settings_py_text(src: &str) -> Result<(), String> {
    let Ok(app) = settings_py::read(src) else {
        return Ok(());
    };
    let text = settings_py::write(&app);
    let back = settings_py::read(&text)
        .map_err(|e| format!("the generated text does not read: {e:?}\n{text}"))?;
    if back != app {
        let differ: Vec<String> = settings_py::editable()
            .iter()
            .filter_map(|n| {
                let (a, b) = (
                    settings_py::literal_of(&app, n)?,
                    settings_py::literal_of(&back, n)?,
                );
                (a != b).then(|| format!("{n}: {a} / {b}"))
            })
            .collect();
        return Err(format!(
            "the generated text reads differently: {differ:?} (urls {:?} / {:?})",
            app.urls, back.urls
        ));
    }
    let model = DjangoModel::new(app);
    if model.boot().is_err() {
        return Ok(());
    }
    for (i, (method, path, extra)) in [
        (
            "OPTIONS",
            "/api/login/",
            Some(("Access-Control-Request-Method", "POST")),
        ),
        ("GET", "/api/csrf/", None),
        (
            "POST",
            "/api/login/",
            Some(("X-CSRFToken", "ctcsrf00000000000000000000000001")),
        ),
        ("GET", "/api/me/", None),
    ]
    .into_iter()
    .enumerate()
    {
        let mut h = HeaderList::new();
        h.push("Origin", "http://localhost:5173");
        h.push("Cookie", "csrftoken=ctcsrf00000000000000000000000001");
        if let Some((n, v)) = extra {
            h.push(n, v);
        }
        let req = WireRequest {
            method: method.into(),
            url: format!("http://localhost:8000{path}"),
            is_preflight: method == "OPTIONS",
            headers: h,
        };
        let r = model.respond(&req, i);
        if r.response.status == 0 {
            return Err(format!("{method} {path}: no status"));
        }
    }
    Ok(())
}
