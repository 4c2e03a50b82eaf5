//! Server models: what the server answers to each request the browser sends.
//!
//! - [`dev_proxy`]: a dev-server proxy (Vite, webpack, Next.js, nginx) on
//!   the page's origin in front of any of them.
//! - [`raw`]: response headers typed by hand, per path and method.
//! - [`express`]: an Express 4/5 app — `cors`, `express-session` or
//!   `cookie-session`, `trust proxy`, `res.cookie`.
//! - [`fastapi`]: a FastAPI app — Starlette's `CORSMiddleware`,
//!   `SessionMiddleware`, `set_cookie`, uvicorn's proxy headers.
//! - [`rails`]: a Rails app — [`rack_cors`] in front, the session store
//!   ([`session_store`]) and the middleware stack behind it; [`routes`] says
//!   which action each path runs.

mod actions;
pub mod dev_proxy;
pub mod django;
pub mod express;
pub mod fastapi;
pub mod laravel;
pub mod models;
pub mod rack_cors;
pub mod rails;
pub mod raw;
pub mod routes;
pub mod session_store;
pub mod stack;
