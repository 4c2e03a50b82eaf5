//! Helpers shared by the Rails model tests.
#![allow(dead_code)]

use crumbtrail_engine::headers::HeaderList;
use crumbtrail_engine::http::{ServerModel, ServerReply, WireRequest};
use crumbtrail_engine::server::rails::*;
use crumbtrail_engine::trace::Reason;

/// A request as the browser would put it on the wire.
pub fn req(method: &str, url: &str, headers: &[(&str, &str)]) -> WireRequest {
    let mut h = HeaderList::new();
    for (n, v) in headers {
        h.push(*n, *v);
    }
    let is_preflight = method == "OPTIONS" && h.contains("access-control-request-method");
    WireRequest {
        method: method.into(),
        url: url.into(),
        headers: h,
        is_preflight,
    }
}

pub fn preflight(url: &str, origin: &str, method: &str, acrh: Option<&str>) -> WireRequest {
    let mut h = vec![
        ("Origin", origin),
        ("Access-Control-Request-Method", method),
    ];
    if let Some(a) = acrh {
        h.push(("Access-Control-Request-Headers", a));
    }
    req("OPTIONS", url, &h)
}

/// One allow block with one resource.
pub fn cors(origins: &[&str], resource: CorsResource) -> CorsConfig {
    CorsConfig {
        enabled: true,
        allow: vec![AllowBlock {
            origins: origins.iter().map(|s| s.to_string()).collect(),
            resources: vec![resource],
            resource_before_origins: false,
        }],
        debug: false,
    }
}

/// A resource as rack-cors defaults it (methods [:get], headers nil).
pub fn bare_resource(path: &str) -> CorsResource {
    CorsResource {
        path: path.into(),
        headers: HeadersOption::Unset,
        methods: MethodsOption::Unset,
        ..CorsResource::default()
    }
}

/// The observed 6.1 oracle app: full app, rack-cors at 0, `_oracle_app_session`.
pub fn app61(cors_cfg: CorsConfig) -> RailsApp {
    RailsApp {
        version: RailsVersion::V6_1,
        load_defaults: LoadDefaults::V6_1,
        app_name: "oracle_app".into(),
        api_only: false,
        session: SessionStoreConfig {
            store: StoreKind::NotCalled,
            ..SessionStoreConfig::default()
        },
        cors: cors_cfg,
        ..RailsApp::default()
    }
}

pub fn lines(reply: &ServerReply) -> String {
    reply.response.headers.to_lines()
}

pub fn reasons(reply: &ServerReply) -> Vec<Reason> {
    reply.steps.iter().map(|s| s.reason).collect()
}

pub fn has(reply: &ServerReply, r: Reason) -> bool {
    reply.steps.iter().any(|s| s.reason == r)
}

pub fn respond(app: &RailsApp, r: &WireRequest) -> ServerReply {
    assert!(
        app.boot().is_ok(),
        "app should boot: {:?}",
        app.boot().err()
    );
    app.respond(r, 0)
}

pub fn set_cookie(reply: &ServerReply) -> Option<String> {
    reply.response.headers.get("set-cookie")
}

/// The Rails 6.1 default headers (load_defaults 6.1) and the JSON content type.
pub const RAILS61_JSON: &str = "X-Frame-Options: SAMEORIGIN
X-XSS-Protection: 1; mode=block
X-Content-Type-Options: nosniff
X-Download-Options: noopen
X-Permitted-Cross-Domain-Policies: none
Referrer-Policy: strict-origin-when-cross-origin
Content-Type: application/json; charset=utf-8";
