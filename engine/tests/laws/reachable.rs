//! Strategies for the permalink laws: reachable scenarios (law 1) and text
//! near real links (law 2). Shared by the property tests and the fuzzer.

use crumbtrail_engine::address_space::AddressSpace;
use crumbtrail_engine::fixes::candidates;
use crumbtrail_engine::permalink::{Theme, View, MAX_ITEMS};
use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, FormEnctype, JarCookie, JarSameSite, NavigationForm, Page,
    PermissionState, RawResponse, RawRoute, RawServer, RedirectMode, RequestMode, RequestSpec,
    RunsFrom, Scenario, ServerSetup, StorageAccessCall, StorageAccessSetup,
};
use crumbtrail_engine::server::rails::{
    list_items, method_items, AllowBlock, CorsConfig, CorsPosition, CorsResource, DomainOption,
    Environment, HeadersOption, LoadDefaults, MethodsOption, RailsApp, RailsVersion,
    SameSiteOption, SessionMiddleware, SessionStoreConfig, StoreKind,
};
use crumbtrail_engine::ProfileId;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

/// Characters that break naive query strings and list readers, plus any.
pub fn odd_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => select(vec![
            '?', '&', '=', '+', '%', '#', ' ', ',', ';', '\'', '"', ':', '/', '*', '\\', '<',
            '>', '`', '\n', '\r', '\t', '\0', '\u{1}', '\u{b}', '\u{1f}', '\u{7f}', '\u{85}',
            '\u{a0}', '\u{2028}', '\u{3000}', '\u{feff}', 'é', '日', '\u{1f36a}',
        ]),
        4 => proptest::char::range('a', 'z'),
        1 => any::<char>(),
    ]
}

/// Any text, keywords of the format, and words that look like them.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => vec(odd_char(), 0..12).prop_map(String::from_iter),
        1 => select(vec![
            "", " ", "unset", " unset ", "all", ":all", ":all/3", "any", ":any", "nil", "'unset'",
            "''", "'", "'a'", ",", "a,", "GET", "GET /x", "*", "* *", "1", "0", "true",
            "http://localhost:3001/me?id=1&x=%20#f", "v=1&r1=GET+/x", "?v=1",
        ])
        .prop_map(String::from),
    ]
}

fn non_empty_text() -> impl Strategy<Value = String> {
    text().prop_map(|s| if s.is_empty() { "x".into() } else { s })
}

/// Lists as the editors read them; mostly short, now and then full.
fn items<T: Strategy + 'static>(item: T) -> impl Strategy<Value = Vec<T::Value>>
where
    T::Value: std::fmt::Debug,
{
    let max = MAX_ITEMS;
    let item = std::rc::Rc::new(item);
    prop_oneof![
        12 => vec(item.clone(), 0..3),
        1 => vec(item, 0..=max),
    ]
}

fn text_list() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 0..4).prop_map(|v| list_items(&v.join(",")))
}

fn method_list() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 0..4).prop_map(|v| method_items(&v.join(",")))
}

fn client() -> impl Strategy<Value = Client> {
    prop_oneof![
        (
            select(vec![
                RequestMode::Cors,
                RequestMode::NoCors,
                RequestMode::SameOrigin
            ]),
            select(vec![
                CredentialsMode::Omit,
                CredentialsMode::SameOrigin,
                CredentialsMode::Include
            ]),
            select(vec![
                RedirectMode::Follow,
                RedirectMode::Error,
                RedirectMode::Manual
            ]),
        )
            .prop_map(|(mode, credentials, redirect)| Client::Fetch {
                mode,
                credentials,
                redirect
            }),
        any::<bool>().prop_map(|w| Client::Xhr {
            with_credentials: w
        }),
        (any::<bool>(), any::<bool>()).prop_map(|(w, x)| Client::Axios {
            with_credentials: w,
            with_xsrf_token: x,
        }),
        select(vec![
            NavigationForm::Link,
            NavigationForm::FormPost,
            NavigationForm::FormGet
        ])
        .prop_map(|form| Client::Navigation { form }),
        Just(Client::Iframe),
        Just(Client::Visit),
    ]
}

/// A form's fields, `enctype` and the document a request runs from.
fn navigation_fields(
) -> impl Strategy<Value = (String, FormEnctype, RunsFrom, Option<AddressSpace>)> {
    (
        text(),
        select(vec![
            FormEnctype::UrlEncoded,
            FormEnctype::Multipart,
            FormEnctype::TextPlain,
        ]),
        select(vec![RunsFrom::Page, RunsFrom::Current]),
        select(vec![
            None,
            Some(AddressSpace::Local),
            Some(AddressSpace::Loopback),
            Some(AddressSpace::Public),
        ]),
    )
}

fn request() -> impl Strategy<Value = RequestSpec> {
    (
        text(),
        text(),
        text(),
        select(vec![
            BodyKind::None,
            BodyKind::Json,
            BodyKind::Text,
            BodyKind::UrlEncoded,
            BodyKind::FormData,
            BodyKind::Stream,
        ]),
        client(),
        prop_oneof![0..5u64, 0..=10 * 366 * 86_400u64],
        navigation_fields(),
    )
        .prop_map(
            |(
                url,
                method,
                headers,
                body,
                client,
                delay_secs,
                (fields, enctype, runs_from, target_address_space),
            )| {
                RequestSpec {
                    url,
                    method,
                    headers,
                    body,
                    client,
                    delay_secs,
                    fields,
                    enctype,
                    runs_from,
                    target_address_space,
                }
            },
        )
}

fn resource() -> impl Strategy<Value = CorsResource> {
    let headers = prop_oneof![
        Just(HeadersOption::Unset),
        Just(HeadersOption::Any),
        text_list().prop_map(HeadersOption::List),
    ];
    let methods = prop_oneof![
        Just(MethodsOption::Unset),
        Just(MethodsOption::Any),
        method_list().prop_map(MethodsOption::List),
    ];
    (
        text(),
        headers,
        methods,
        any::<bool>(),
        text_list(),
        option::of(prop_oneof![0..10u64, 0..=u64::from(u32::MAX)]),
        option::of(text_list()),
        any::<bool>(),
    )
        .prop_map(
            |(path, headers, methods, credentials, expose, max_age, vary, if_condition)| {
                CorsResource {
                    path,
                    headers,
                    methods,
                    credentials,
                    expose,
                    max_age,
                    vary,
                    if_condition,
                }
            },
        )
}

fn block() -> impl Strategy<Value = AllowBlock> {
    (
        vec(non_empty_text(), 0..3),
        items(resource()),
        any::<bool>(),
    )
        .prop_map(|(origins, resources, resource_before_origins)| AllowBlock {
            origins,
            resources,
            resource_before_origins,
        })
}

fn session() -> impl Strategy<Value = SessionStoreConfig> {
    let domain = prop_oneof![
        Just(DomainOption::Unset),
        text().prop_map(DomainOption::Exact),
        option::of(1..=10u8).prop_map(|tld_length| DomainOption::All { tld_length }),
        text_list().prop_map(DomainOption::List),
    ];
    (
        select(vec![
            StoreKind::NotCalled,
            StoreKind::CookieStore,
            StoreKind::Disabled,
        ]),
        option::of(text()),
        domain,
        option::of(non_empty_text()),
        select(vec![
            SameSiteOption::Unset,
            SameSiteOption::Lax,
            SameSiteOption::Strict,
            SameSiteOption::None,
            SameSiteOption::Nil,
        ]),
        option::of(any::<bool>()),
        option::of(any::<bool>()),
        option::of(0..=400 * 86_400u64),
    )
        .prop_map(
            |(store, key, domain, path, same_site, secure, httponly, expire_after)| {
                SessionStoreConfig {
                    store,
                    key,
                    domain,
                    path,
                    same_site,
                    secure,
                    httponly,
                    expire_after,
                }
            },
        )
}

fn rails_app() -> impl Strategy<Value = RailsApp> {
    let settings = (
        select(vec![
            RailsVersion::V6_1,
            RailsVersion::V7_0,
            RailsVersion::V7_1,
            RailsVersion::V8,
        ]),
        select(vec![
            LoadDefaults::None,
            LoadDefaults::V6_0,
            LoadDefaults::V6_1,
            LoadDefaults::V7_0,
            LoadDefaults::V7_1,
            LoadDefaults::V8_0,
        ]),
        select(vec![Environment::Development, Environment::Production]),
        text(),
        select(vec![
            SessionMiddleware::None,
            SessionMiddleware::Documented,
            SessionMiddleware::WithoutOptions,
            SessionMiddleware::BeforeStoreSet,
            SessionMiddleware::WithoutCookies,
        ]),
        text(),
        any::<[bool; 6]>(),
    );
    let cors = (
        items(block()),
        select(vec![
            CorsPosition::First,
            CorsPosition::AfterAnsweringMiddleware,
            CorsPosition::Last,
        ]),
    );
    (settings, cors, session()).prop_map(
        |((version, load_defaults, environment, app_name, mw, login, f), (allow, pos), s)| {
            RailsApp {
                version,
                load_defaults,
                environment,
                app_name,
                api_only: f[0],
                session_middleware: mw,
                cors: CorsConfig {
                    enabled: f[1],
                    allow,
                    debug: f[2],
                },
                cors_position: pos,
                session: s,
                force_ssl: f[3],
                assume_ssl: f[4],
                csrf_protection: f[5],
                login_path: login,
                ..RailsApp::default()
            }
        },
    )
}

fn route() -> impl Strategy<Value = RawRoute> {
    (
        (text(), text(), 0..=999u16, text(), 0..=999u16, text()),
        (0..=1000u32, any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |((method, path, pre, preh, status, h), (call, reflect_origin, match_query))| {
                RawRoute {
                    method,
                    path,
                    preflight: RawResponse {
                        status: pre,
                        headers: preh,
                    },
                    response: RawResponse { status, headers: h },
                    call,
                    reflect_origin,
                    match_query,
                }
            },
        )
}

/// A cookie of the jar at the start, as the jar editor (or an import) writes it.
fn jar_cookie() -> impl Strategy<Value = JarCookie> {
    (
        (text(), text(), text(), text()),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        select(vec![
            JarSameSite::Unspecified,
            JarSameSite::Lax,
            JarSameSite::Strict,
            JarSameSite::None,
        ]),
        (
            option::of(0..=400 * 86_400u64),
            0..=400 * 86_400u64,
            option::of(text()),
        ),
    )
        .prop_map(
            |(
                (name, value, domain, path),
                (host_only, secure, http_only, ancestor),
                same_site,
                (expires, age, partition),
            )| JarCookie {
                name,
                value,
                domain,
                host_only,
                path,
                secure,
                http_only,
                same_site,
                expires_in_secs: expires,
                age_secs: age,
                partition,
                partition_cross_site_ancestor: ancestor,
            },
        )
}

/// A reachable scenario and any view.
pub fn reachable_with_view() -> impl Strategy<Value = (Scenario, View)> {
    let theme = prop_oneof![Just(Theme::Auto), Just(Theme::Light), Just(Theme::Dark)];
    (reachable(), any::<bool>(), any::<bool>(), theme).prop_map(
        |(s, embed, show_settings, theme)| {
            (
                s,
                View {
                    embed,
                    show_settings,
                    theme,
                },
            )
        },
    )
}

/// A scenario the editors (and the fixes they offer) can reach.
pub fn reachable() -> impl Strategy<Value = Scenario> {
    let server = prop_oneof![
        3 => rails_app().prop_map(ServerSetup::Rails),
        1 => items(route()).prop_map(|routes| ServerSetup::Raw(RawServer { routes })),
    ];
    (
        text(),
        option::of(non_empty_text()),
        select(ProfileId::ALL.to_vec()),
        items(request()),
        server,
        any::<proptest::sample::Index>(),
        any::<bool>(),
        (
            items(jar_cookie()),
            select(vec![
                PermissionState::Ask,
                PermissionState::Granted,
                PermissionState::Denied,
            ]),
            (
                select(vec![
                    StorageAccessCall::None,
                    StorageAccessCall::OnClick,
                    StorageAccessCall::OnLoad,
                ]),
                any::<bool>(),
                select(vec![
                    PermissionState::Ask,
                    PermissionState::Granted,
                    PermissionState::Denied,
                ]),
            ),
        ),
    )
        .prop_map(
            |(url, top, profile, requests, server, fix, apply, (jar, local_network, saa))| {
                let mut s = Scenario {
                    page: Page {
                        url,
                        top_level_url: top,
                        local_network,
                        storage_access: StorageAccessSetup {
                            call: saa.0,
                            interacted_top_level: saa.1,
                            permission: saa.2,
                        },
                    },
                    profile,
                    profile_version: None,
                    requests,
                    server,
                    proxy: None,
                    jar_at_start: jar,
                };
                if apply {
                    let c = candidates(&s);
                    if !c.is_empty() {
                        c[fix.index(c.len())].apply(&mut s);
                    }
                }
                s
            },
        )
}

/// Links of real scenarios, cut and patched.
pub fn mutated_link() -> impl Strategy<Value = String> {
    let seeds = super::permalink_seeds();
    (
        select(seeds),
        vec((any::<proptest::sample::Index>(), text(), 0..4usize), 1..4),
    )
        .prop_map(|(mut link, edits)| {
            for (at, insert, cut) in edits {
                let mut at = at.index(link.len() + 1);
                while !link.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + cut).min(link.len());
                while !link.is_char_boundary(end) {
                    end += 1;
                }
                link.replace_range(at..end, &insert);
            }
            link
        })
}

/// `key=value` pairs made of the format's own keys and odd values.
pub fn key_soup() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        select(vec![
            "v",
            "page",
            "top",
            "browser",
            "requests",
            "server",
            "embed",
            "settings",
            "rails",
            "defaults",
            "env",
            "app",
            "api",
            "mw",
            "cors",
            "cors.debug",
            "cors.pos",
            "blocks",
            "s.store",
            "s.key",
            "s.domain",
            "s.path",
            "s.same_site",
            "s.secure",
            "s.httponly",
            "s.expire",
            "ssl",
            "assume_ssl",
            "csrf",
            "login",
        ])
        .prop_map(String::from),
        (
            select(vec!["r", "b", "raw", "b1.r", "b2.r"]),
            select(vec![
                "0",
                "1",
                "2",
                "3",
                "20",
                "21",
                "999999",
                "18446744073709551616"
            ]),
            select(vec![
                "",
                ".via",
                ".mode",
                ".cred",
                ".redirect",
                ".h",
                ".body",
                ".wait",
                ".method",
                ".url",
                ".origins",
                ".order",
                ".resources",
                ".path",
                ".headers",
                ".methods",
                ".expose",
                ".max_age",
                ".vary",
                ".if",
                ".pre",
                ".preh",
                ".status",
                ".bogus",
            ]),
        )
            .prop_map(|(p, n, f)| format!("{p}{n}{f}")),
    ];
    let value = prop_oneof![
        text(),
        select(vec![
            "1",
            "0",
            "unset",
            "raw",
            "rails",
            "xhr",
            "fetch",
            "axios",
            "link",
            "form",
            "iframe",
            "include",
            "omit",
            "same-origin",
            "no-cors",
            "manual",
            "20",
            "21",
            "999",
            "4294967296",
        ])
        .prop_map(String::from),
    ];
    vec((key, value), 0..12).prop_map(|pairs| {
        let body: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", v.replace('&', "%26")))
            .collect();
        format!("v=1&{}", body.join("&"))
    })
}
