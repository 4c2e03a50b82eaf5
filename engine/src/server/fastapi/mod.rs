//! A FastAPI API as its `main.py` and `uvicorn` command line describe it:
//! Starlette's `CORSMiddleware`, `SessionMiddleware` and
//! `HTTPSRedirectMiddleware` in the order of their `add_middleware` calls,
//! `response.set_cookie(...)`, the router's trailing-slash redirect and
//! uvicorn's proxy headers. The model answers each request with the status,
//! CORS headers, `Vary` and `Set-Cookie` lines the real stack sends (checked
//! against FastAPI 0.110 / Starlette 0.36 and FastAPI 0.165 / Starlette 1.10
//! by the differential suite).
//!
//! - [`settings`] — the settings, with the defaults by version;
//! - [`literals`] — each setting as a Python literal (form, permalink);
//! - [`cors`] — `starlette/middleware/cors.py`;
//! - [`cookies`] — `Response.set_cookie` and `starlette/middleware/sessions.py`;
//! - [`proxy`] — `uvicorn/middleware/proxy_headers.py`;
//! - [`app`] — the middleware stack and the routes for one request;
//! - [`main_py`] — the generated `main.py` and its reader.

pub mod app;
pub mod cookies;
pub mod cors;
pub mod fixes;
pub mod keys;
pub mod literals;
pub mod main_py;
pub mod presets;
pub mod proxy;
pub mod settings;
pub mod stack;

pub use app::FastApiModel;
pub use settings::*;
