//! The raw server's permalink keys: `rawN=METHOD PATH`, `rawN.pre`,
//! `rawN.preh`, `rawN.status`, `rawN.h` (README, "Raw server").

use crate::permalink::{
    bool_str, edit_item, indexed, joinable, split_target, Reader, Writer, MAX_ITEMS,
};
use crate::scenario::{RawResponse, RawRoute, RawServer, ServerSetup};
use crate::server::stack::{ServerKind, StackKeys};

/// `rawN.pre` / `rawN.status`: three digits, as the raw editor.
const MAX_STATUS: u64 = 999;

/// `rawN.call`: at most this call number (the raw editor's limit).
const MAX_CALL: u64 = 1000;

fn default_route() -> RawRoute {
    RawRoute {
        method: "*".into(),
        path: "*".into(),
        preflight: RawResponse {
            status: 204,
            headers: String::new(),
        },
        response: RawResponse {
            status: 200,
            headers: String::new(),
        },
        ..RawRoute::default()
    }
}
pub(crate) fn encode_raw(w: &mut Writer, raw: &RawServer) {
    w.put("server", "raw");
    for (i, r) in raw.routes.iter().enumerate() {
        let k = format!("raw{}", i + 1);
        if joinable(&r.method, &r.path) {
            w.put(&k, format!("{} {}", r.method, r.path));
        } else {
            w.put(format!("{k}.method"), r.method.clone());
            w.put(format!("{k}.path"), r.path.clone());
        }
        w.put(format!("{k}.pre"), r.preflight.status.to_string());
        if !r.preflight.headers.is_empty() {
            w.put(format!("{k}.preh"), r.preflight.headers.clone());
        }
        w.put(format!("{k}.status"), r.response.status.to_string());
        if !r.response.headers.is_empty() {
            w.put(format!("{k}.h"), r.response.headers.clone());
        }
        w.diff(&format!("{k}.call"), &r.call, &0, |n| n.to_string());
        w.diff(&format!("{k}.reflect"), &r.reflect_origin, &false, bool_str);
        w.diff(&format!("{k}.query"), &r.match_query, &false, bool_str);
    }
}

/// Reads `rawN` keys; the routes they name, in order.
#[derive(Default)]
pub struct RawKeys {
    routes: Vec<RawRoute>,
}

impl RawKeys {
    fn read_route(&mut self, r: &mut Reader, i: usize, key: &str, field: &str, value: &str) {
        if i >= MAX_ITEMS {
            return r.bad(key, value, &format!("at most {MAX_ITEMS} routes"));
        }
        edit_item(
            r,
            &mut self.routes,
            i,
            |_| default_route(),
            |r, route| decode_raw(r, key, field, value, route),
        );
    }
}

impl StackKeys for RawKeys {
    fn read(&mut self, r: &mut Reader, key: &str, value: &str) -> bool {
        match indexed(key, "raw") {
            Some((i, field)) => {
                self.read_route(r, i, key, field, value);
                true
            }
            None => false,
        }
    }

    fn used(&self) -> bool {
        !self.routes.is_empty()
    }

    fn finish(self: Box<Self>, _r: &mut Reader) -> ServerSetup {
        ServerSetup::Raw(RawServer {
            routes: self.routes,
        })
    }

    fn ignored(&self, _chosen: ServerKind) -> String {
        "`rawN` keys were ignored: add `server=raw` to use raw headers.".into()
    }
}

fn decode_raw(r: &mut Reader, key: &str, field: &str, value: &str, route: &mut RawRoute) {
    match field {
        "" => match split_target(value) {
            Some((method, path)) => (route.method, route.path) = (method, path),
            None => r.bad(key, value, "a method (or *) and a path, e.g. `POST /login`"),
        },
        ".method" => route.method = value.to_string(),
        ".path" => route.path = value.to_string(),
        ".pre" => {
            if let Some(n) = r.num(key, value, MAX_STATUS) {
                route.preflight.status = n;
            }
        }
        ".preh" => route.preflight.headers = value.to_string(),
        ".status" => {
            if let Some(n) = r.num(key, value, MAX_STATUS) {
                route.response.status = n;
            }
        }
        ".h" => route.response.headers = value.to_string(),
        ".call" => {
            if let Some(n) = r.num(key, value, MAX_CALL) {
                route.call = n;
            }
        }
        ".reflect" => r.bool(key, value, &mut route.reflect_origin),
        ".query" => r.bool(key, value, &mut route.match_query),
        _ => r.unknown(key),
    }
}
