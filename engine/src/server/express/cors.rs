//! The `cors` package (npm `cors` 2.8, `lib/index.js`): which headers one
//! call of the middleware sets, and whether it answers the request itself.

use super::{CallbackRefusal, ExpressCors, OriginOption};
use crate::headers::HeaderList;
use crate::server::rack_cors::regexp::Regexp;

/// `cors/lib/index.js` `defaults.methods`.
pub const DEFAULT_METHODS: &str = "GET,HEAD,PUT,PATCH,POST,DELETE";

/// What one call of the middleware did.
#[derive(Clone, Debug, PartialEq)]
pub enum CorsOutcome {
    /// `originCallback` passed an error: `next(err)`, Express answers 500.
    Error,
    /// The middleware set nothing and called `next()` (`origin: false`, or
    /// the callback refused with `false`).
    Skipped,
    /// Headers set; the request goes on to the next handler.
    Next(HeaderList),
    /// A preflight answered by the middleware: `optionsSuccessStatus`,
    /// `Content-Length: 0`.
    Answered(u16, HeaderList),
}

/// `isOriginAllowed`: strings compare exactly, `/regexps/` test, anything
/// else is truthy.
fn origin_allowed(origin: Option<&str>, list: &[String]) -> bool {
    let Some(origin) = origin else {
        // `undefined === 'http://…'` is false; a RegExp tests the string "undefined".
        return list
            .iter()
            .any(|item| regexp_of(item).is_some_and(|r| r.is_match("undefined")));
    };
    list.iter().any(|item| match regexp_of(item) {
        Some(r) => r.is_match(origin),
        None => item == origin,
    })
}

/// `/…/flags` in an origin list is a RegExp literal.
pub fn regexp_of(item: &str) -> Option<Regexp> {
    if item.len() >= 2 && item.starts_with('/') && item[1..].contains('/') {
        Regexp::from_literal(item).ok()
    } else {
        None
    }
}

/// `vary(res, value)`: appends to `Vary` unless already there (npm `vary`).
fn vary(h: &mut HeaderList, value: &str) {
    let current = h.get("vary").unwrap_or_default();
    if current
        .split(',')
        .any(|v| v.trim().eq_ignore_ascii_case(value) || v.trim() == "*")
    {
        return;
    }
    let next = if current.is_empty() {
        value.to_string()
    } else {
        format!("{current}, {value}")
    };
    set(h, "Vary", &next);
}

/// `res.setHeader`: replaces any value of the same name.
fn set(h: &mut HeaderList, name: &str, value: &str) {
    h.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    h.push(name, value);
}

/// The middleware for one request. `method` as received; `origin` and
/// `acrh` (`Access-Control-Request-Headers`) from the request; `headers` are
/// the response headers set so far (the middleware adds to them).
pub fn run(
    opts: &ExpressCors,
    method: &str,
    origin: Option<&str>,
    acrh: Option<&str>,
    mut headers: HeaderList,
) -> CorsOutcome {
    // `middlewareWrapper`: a falsy origin skips everything; a callback decides
    // the origin option per request.
    let effective = match &opts.origin {
        OriginOption::Off => return CorsOutcome::Skipped,
        OriginOption::Callback { allow, refuse } => {
            if origin_allowed(origin, allow) {
                OriginOption::Reflect
            } else {
                return match refuse {
                    CallbackRefusal::False => CorsOutcome::Skipped,
                    CallbackRefusal::Error => CorsOutcome::Error,
                };
            }
        }
        other => other.clone(),
    };
    // configureOrigin
    match &effective {
        OriginOption::Any => set(&mut headers, "Access-Control-Allow-Origin", "*"),
        OriginOption::Exact(o) => {
            // An empty string is falsy: `!options.origin` sends `*`.
            if o.is_empty() {
                set(&mut headers, "Access-Control-Allow-Origin", "*");
            } else {
                set(&mut headers, "Access-Control-Allow-Origin", o);
                vary(&mut headers, "Origin");
            }
        }
        OriginOption::Reflect | OriginOption::List(_) => {
            let allowed = match &effective {
                OriginOption::List(list) => origin_allowed(origin, list),
                _ => true,
            };
            // `value: isAllowed ? requestOrigin : false`: set only when truthy.
            if let (true, Some(o)) = (allowed, origin) {
                if !o.is_empty() {
                    set(&mut headers, "Access-Control-Allow-Origin", o);
                }
            }
            vary(&mut headers, "Origin");
        }
        OriginOption::Off | OriginOption::Callback { .. } => {}
    }
    if opts.credentials {
        set(&mut headers, "Access-Control-Allow-Credentials", "true");
    }
    let exposed = opts.exposed_headers.join(",");
    // `method.toUpperCase() === 'OPTIONS'`: every OPTIONS is a preflight to `cors`.
    if method.eq_ignore_ascii_case("OPTIONS") {
        let methods = opts
            .methods
            .as_ref()
            .map_or_else(|| DEFAULT_METHODS.to_string(), |m| m.join(","));
        if !methods.is_empty() {
            set(&mut headers, "Access-Control-Allow-Methods", &methods);
        }
        // configureAllowedHeaders: unset reflects the request's list.
        let allowed = match &opts.allowed_headers {
            None => {
                vary(&mut headers, "Access-Control-Request-Headers");
                acrh.unwrap_or("").to_string()
            }
            Some(list) => list.join(","),
        };
        if !allowed.is_empty() {
            set(&mut headers, "Access-Control-Allow-Headers", &allowed);
        }
        if let Some(age) = opts.max_age {
            set(&mut headers, "Access-Control-Max-Age", &age.to_string());
        }
        if !exposed.is_empty() {
            set(&mut headers, "Access-Control-Expose-Headers", &exposed);
        }
        if opts.preflight_continue {
            return CorsOutcome::Next(headers);
        }
        set(&mut headers, "Content-Length", "0");
        return CorsOutcome::Answered(opts.options_success_status, headers);
    }
    if !exposed.is_empty() {
        set(&mut headers, "Access-Control-Expose-Headers", &exposed);
    }
    CorsOutcome::Next(headers)
}
