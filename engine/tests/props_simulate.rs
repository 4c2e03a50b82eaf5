//! No input makes the engine panic: arbitrary URLs, header lines, methods,
//! raw responses and permalinks all end in a trace (with field errors).

use crumbtrail_engine::scenario::{
    BodyKind, Client, CredentialsMode, FormEnctype, NavigationForm, RawResponse, RawRoute,
    RawServer, RedirectMode, RequestMode, RequestSpec, RunsFrom, Scenario, ServerSetup,
};
use crumbtrail_engine::{permalink, simulate, ProfileId};
use proptest::prelude::*;

fn client() -> impl Strategy<Value = Client> {
    prop_oneof![
        (0..3u8, 0..3u8, 0..3u8).prop_map(|(m, c, r)| Client::Fetch {
            mode: [
                RequestMode::Cors,
                RequestMode::NoCors,
                RequestMode::SameOrigin
            ][m as usize],
            credentials: [
                CredentialsMode::Omit,
                CredentialsMode::SameOrigin,
                CredentialsMode::Include
            ][c as usize],
            redirect: [
                RedirectMode::Follow,
                RedirectMode::Error,
                RedirectMode::Manual
            ][r as usize],
        }),
        any::<bool>().prop_map(|w| Client::Xhr {
            with_credentials: w
        }),
        (any::<bool>(), any::<bool>()).prop_map(|(w, x)| Client::Axios {
            with_credentials: w,
            with_xsrf_token: x,
        }),
        Just(Client::Iframe),
        Just(Client::Visit),
        (0..3u8).prop_map(|f| Client::Navigation {
            form: [
                NavigationForm::Link,
                NavigationForm::FormPost,
                NavigationForm::FormGet
            ][f as usize],
        }),
    ]
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("http://localhost:3001/login".to_string()),
        Just("https://api.example.test/me".to_string()),
        Just("/relative".to_string()),
        "[ -~]{0,40}",
        "(http|https)://[a-z0-9.\\-]{1,20}(:[0-9]{1,5})?/[ -~]{0,10}",
    ]
}

fn headers() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "([A-Za-z\\-]{1,12}: [ -~]{0,30}\n){0,4}",
        "\\PC{0,60}",
        "(Set-Cookie: [ -~]{0,60}\n){0,3}Access-Control-Allow-Origin: [ -~]{0,30}",
        // Redirects: relative, absolute, other schemes, garbage, credentials.
        "Location: ([ -~]{0,30}|/[a-z]{0,5}|(http|https|ftp|data)://([a-z]{1,3}:[a-z]{1,3}@)?[a-z.]{1,12}(:[0-9]{1,5})?/[ -~]{0,8})\n(Access-Control-Allow-Origin: (\\*|null|http://localhost:3000)\n)?(Set-Cookie: [ -~]{0,30})?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn simulate_never_panics(
        page in url(),
        req_url in url(),
        method in "[A-Za-z]{0,8}|[ -~]{0,10}",
        req_headers in headers(),
        client in client(),
        resp_headers in headers(),
        status in prop_oneof![0u16..1000, Just(301u16), Just(302), Just(303), Just(307), Just(308)],
        profile in 0..4usize,
        delay in 0u64..1_000_000,
        fields in "([ -~]{0,12}\n){0,3}",
        enctype in 0..3usize,
        from_current in any::<bool>(),
    ) {
        // The second request runs from the document the first one loaded.
        let follow_up = RequestSpec {
            url: "/me".into(),
            method: "GET".into(),
            runs_from: if from_current { RunsFrom::Current } else { RunsFrom::Page },
            ..RequestSpec::default()
        };
        let s = Scenario {
            page: crumbtrail_engine::scenario::Page { url: page, top_level_url: None, local_network: Default::default(), storage_access: Default::default() },
            profile: ProfileId::ALL[profile],
            profile_version: None,
            requests: vec![RequestSpec {
                url: req_url,
                method,
                headers: req_headers,
                body: BodyKind::Json,
                client,
                delay_secs: delay,
                fields,
                enctype: [FormEnctype::UrlEncoded, FormEnctype::Multipart, FormEnctype::TextPlain][enctype],
                runs_from: RunsFrom::Current,
                target_address_space: None,
            }, follow_up],
            server: ServerSetup::Raw(RawServer {
                routes: vec![RawRoute {
                    method: "*".into(),
                    path: "*".into(),
                    preflight: RawResponse { status, headers: resp_headers.clone() },
                    response: RawResponse { status, headers: resp_headers },
                    ..RawRoute::default()
                }],
            }),
            proxy: None,
            jar_at_start: Vec::new(),
        };
        let t = simulate(&s);
        prop_assert_eq!(t.requests.len(), 2);
    }

    #[test]
    fn permalinks_never_panic(q in "\\PC{0,200}") {
        let d = permalink::decode(&q);
        let again = permalink::encode(&d.scenario, &d.view);
        let _ = simulate(&d.scenario);
        // Whatever was read back encodes to a link that reads back the same.
        prop_assert_eq!(permalink::decode(&again).scenario, d.scenario);
    }
}
