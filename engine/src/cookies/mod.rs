//! Cookies (RFC 6265bis §5): dates, parsing one `Set-Cookie` line, and the
//! cookie store that decides what is kept and what is sent.

pub mod cookie_date;
pub mod cookie_store;
pub mod jar_at_start;
pub mod set_cookie;
