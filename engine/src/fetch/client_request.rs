//! What the client API makes of the code's call before Fetch takes over:
//! the `Request` constructor (Fetch §Request class: method, headers with
//! their guard, the body's `Content-Type`, mode, credentials), XHR, axios,
//! and navigations (links, forms, frames).

use url::Url;

use super::form::{form_content_type, form_entries, get_form_url};
use super::simulate::{
    client_name, credentials_fix, credentials_label, navigation_method, Built, Run,
};
use crate::headers::HeaderList;
use crate::scenario::{
    BodyKind, Client, CredentialsMode, NavigationForm, RequestMode, RequestSpec,
};
use crate::trace::{Phase, Reason, Step, Verdict};
use crate::{safelist, spec};

/// axios' default `Accept` (`lib/defaults/index.js`, `headers.common`): a
/// framework that answers JSON only to `expectsJson()` requests (Laravel's
/// `Authenticate` redirects the others to the login page) sees it.
pub const AXIOS_ACCEPT: &str = "application/json, text/plain, */*";

impl Run {
    /// HTML §Form submission for a form navigation: the fields must read
    /// as an entry list, and a GET form replaces the action URL's query with
    /// them ("mutate action URL"). `None` on a field error.
    pub(super) fn form_action_url(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        action: Url,
    ) -> Option<Url> {
        let Client::Navigation { form } = spec.client else {
            return Some(action);
        };
        if form == NavigationForm::Link {
            return Some(action);
        }
        let entries = match form_entries(&spec.fields) {
            Ok(e) => e,
            Err(message) => {
                self.field_error(&format!("requests.{index}.fields"), message);
                return None;
            }
        };
        if form == NavigationForm::FormPost {
            return Some(action);
        }
        let url = get_form_url(&action, &entries);
        self.steps.push(
            Step::new(
                Some(index),
                Phase::Request,
                Verdict::Ok,
                Reason::FormFieldsInQuery,
                format!("The GET form goes to {url}"),
                format!(
                    "A form with method GET sends no body: the browser encodes its fields as application/x-www-form-urlencoded and puts them in the URL's query, replacing any query the action URL had ({action}). Otherwise it is a top-level GET navigation, like a link."
                ),
                spec::HTML_FORM_SUBMISSION,
            )
            .with("Action", action.as_str())
            .with("URL", url.as_str()),
        );
        Some(url)
    }

    /// The request as the client code builds it: method, headers, mode,
    /// credentials. `None` when the client refuses to make it (the outcome
    /// is recorded).
    pub(super) fn build(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        url: &Url,
        origins: (&str, &str),
        same_origin: bool,
        client_headers: HeaderList,
    ) -> Option<Built> {
        let client = spec.client;
        let credentials_mode = client.credentials_mode();
        let method = self.request_method(index, spec, url)?;
        let mut headers = self.author_request_headers(index, spec, client_headers);
        if client.request_mode() == RequestMode::NoCors {
            self.no_cors_request(index, spec, url, &method, &mut headers)?;
        }
        self.body_content_type(index, spec, &mut headers);
        let (mode, cors) = self.request_mode(index, spec, url, origins, same_origin)?;

        // Origin header (Fetch §Origin header): every CORS request, and
        // same-origin or navigation requests whose method is not GET/HEAD.
        // The browser adds it when the request is sent, after the preflight
        // decision (it is never one of the author's "unsafe" headers).
        let send_origin = cors || (method != "GET" && method != "HEAD");
        let include_credentials = self.credentials(index, client, credentials_mode, same_origin);

        Some(Built {
            url: url.clone(),
            method,
            headers,
            mode,
            credentials_mode,
            cors,
            include_credentials,
            send_origin,
            use_preflight_flag: cors
                && spec.body == BodyKind::Stream
                && matches!(client, Client::Fetch { .. }),
        })
    }

    /// Fetch §Request class step 25 (method): a valid token, not forbidden
    /// (§forbidden method), normalized (§normalize a method).
    fn request_method(&mut self, index: usize, spec: &RequestSpec, url: &Url) -> Option<String> {
        let client = spec.client;
        // Method: navigations use the form's method; script uses what it was given.
        let written = match client {
            Client::Navigation { form } => navigation_method(form).to_string(),
            Client::Iframe | Client::Visit => "GET".to_string(),
            _ => spec.method.trim().to_string(),
        };
        if written.is_empty() || !crate::headers::is_token(&written) {
            self.field_error(
                &format!("requests.{index}.method"),
                format!("`{written}` is not a valid HTTP method"),
            );
            self.not_sent(index, &written, url.as_str(), None);
            return None;
        }
        // Fetch §Methods: forbidden methods throw a TypeError.
        if safelist::is_forbidden_method(&written) {
            self.steps.push(Step::new(
                Some(index),
                Phase::Request,
                Verdict::Blocked,
                Reason::ForbiddenMethod,
                format!("{written} cannot be sent from a web page"),
                "CONNECT, TRACE and TRACK are forbidden methods: fetch() and XHR throw before sending anything.",
                spec::FETCH_FORBIDDEN_METHOD,
            ));
            self.result_not_sent(index, spec, url, Reason::ForbiddenMethod);
            return None;
        }
        // Fetch §Methods: normalize upper-cases only the six well-known methods.
        let method = safelist::normalize_method(&written);
        if method != written {
            self.steps.push(
                Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Ok,
                    Reason::MethodNormalized,
                    format!("`{written}` is sent as {method}"),
                    "The browser upper-cases DELETE, GET, HEAD, OPTIONS, POST and PUT, whatever case the code used.",
                    spec::FETCH_METHOD_NORMALIZE,
                )
                .with("Method", &method),
            );
        } else if method != method.to_ascii_uppercase() {
            self.steps.push(
                Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Warning,
                    Reason::MethodNotNormalized,
                    format!("`{method}` is sent as written, in lower case"),
                    format!(
                        "Only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased by the browser. `{method}` is sent as is, and method names are case-sensitive: a server or preflight answer that allows `{}` does not match it. Write the method in upper case in your code.",
                        method.to_ascii_uppercase()
                    ),
                    spec::FETCH_METHOD_NORMALIZE,
                )
                .with("Method", &method),
            );
        }

        Some(method)
    }

    /// Fetch §Request class steps 32–33: the author's headers through the
    /// "request" guard (forbidden request-headers dropped), and the client
    /// library's own headers.
    fn author_request_headers(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        client_headers: HeaderList,
    ) -> HeaderList {
        let client = spec.client;
        // Headers: navigations and frames cannot carry custom headers.
        let mut headers = HeaderList::new();
        if client.is_script() {
            for (name, value) in client_headers.iter() {
                // Fetch §Headers: script cannot set forbidden request-headers.
                if safelist::is_forbidden_request_header(name, value) {
                    let hint = if name.eq_ignore_ascii_case("cookie") {
                        " Cookies come from the browser's cookie jar only: let the server set the cookie with Set-Cookie and send the request with credentials included."
                    } else {
                        ""
                    };
                    self.steps.push(
                        Step::new(
                            Some(index),
                            Phase::Request,
                            Verdict::Warning,
                            Reason::ForbiddenRequestHeader,
                            format!("`{name}` is dropped: the browser owns that header"),
                            format!(
                                "`{name}` is a forbidden request header: the browser silently ignores it when script sets it.{hint}"
                            ),
                            spec::FETCH_FORBIDDEN_REQUEST_HEADER,
                        )
                        .with(name.to_string(), value),
                    );
                    continue;
                }
                headers.push(name, value);
            }
            // Client libraries add their own headers.
            if let Client::Axios { .. } = client {
                if !headers.contains("accept") {
                    headers.push("Accept", AXIOS_ACCEPT);
                }
            }
        }

        headers
    }

    /// Fetch §Request class steps 36–37: when the headers (after their
    /// guard) hold no `Content-Type`, the body's type is appended — so a
    /// no-cors request whose `application/json` was dropped still sends the
    /// string body's `text/plain;charset=UTF-8`. A POST form sends its
    /// encoding (HTML §Form submission: `application/x-www-form-urlencoded`
    /// by default).
    fn body_content_type(&mut self, index: usize, spec: &RequestSpec, headers: &mut HeaderList) {
        let client = spec.client;
        if let Client::Navigation {
            form: NavigationForm::FormPost,
        } = client
        {
            headers.push("Content-Type", form_content_type(spec.enctype));
            return;
        }
        if !client.is_script() {
            return;
        }
        // The body decides Content-Type when the code set none.
        if !headers.contains("content-type") {
            if let Some(ct) = content_type_for(client, spec.body) {
                let who = if matches!(client, Client::Axios { .. }) {
                    "axios"
                } else {
                    "The browser"
                };
                self.steps.push(
                    Step::new(
                        Some(index),
                        Phase::Request,
                        Verdict::Ok,
                        Reason::ContentTypeFromBody,
                        format!("{who} sets Content-Type: {ct}"),
                        format!(
                            "The code sets no Content-Type, so {} picks one from the body ({}).{}",
                            who.to_lowercase(),
                            body_name(spec.body),
                            if ct.starts_with("application/json") {
                                " application/json is not a CORS-safelisted type, so a cross-origin request needs a preflight."
                            } else {
                                ""
                            }
                        ),
                        spec::FETCH_SAFELISTED_REQUEST_HEADER,
                    )
                    .with("Content-Type", ct),
                );
                headers.push("Content-Type", ct);
            }
        }
    }

    /// Fetch §Request class step 30: in no-cors mode only a CORS-safelisted
    /// method is allowed (else a TypeError), and the headers get the
    /// "request-no-cors" guard: every header that is not no-CORS-safelisted
    /// is dropped as it is set. This holds whatever the URL, same-origin too.
    fn no_cors_request(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        url: &Url,
        method: &str,
        headers: &mut HeaderList,
    ) -> Option<()> {
        // Fetch §Request constructor: no-cors allows only safelisted methods
        // and no-CORS-safelisted headers.
        if !safelist::is_cors_safelisted_method(method) {
            self.steps.push(Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Blocked,
                    Reason::NoCorsMethodNotAllowed,
                    format!("mode: 'no-cors' cannot send {method}"),
                    "In no-cors mode only GET, HEAD and POST are allowed: fetch() throws a TypeError. Use mode: 'cors'.",
                    spec::FETCH_REQUEST_MODE,
                ));
            self.result_not_sent(index, spec, url, Reason::NoCorsMethodNotAllowed);
            return None;
        }
        let before = headers.clone();
        headers
            .0
            .retain(|(n, v)| safelist::is_no_cors_safelisted_request_header(n, v));
        for (n, v) in before.iter() {
            if !headers.contains(n) {
                self.steps.push(
                        Step::new(
                            Some(index),
                            Phase::Request,
                            Verdict::Warning,
                            Reason::NoCorsHeaderDropped,
                            format!("mode: 'no-cors' drops `{n}`"),
                            "In no-cors mode the browser silently removes every header that is not no-CORS-safelisted.",
                            spec::FETCH_NO_CORS_SAFELISTED,
                        )
                        .with(n.to_string(), v),
                    );
            }
        }
        Some(())
    }

    /// Fetch §Request class (mode) and §Main fetch step 12: navigation,
    /// same-origin ("basic"), no-cors (opaque, with the "request-no-cors"
    /// header guard) or cors. Returns the mode and whether the response
    /// tainting is cors; `None` when the request is refused.
    #[allow(clippy::too_many_arguments)]
    fn request_mode(
        &mut self,
        index: usize,
        spec: &RequestSpec,
        url: &Url,
        (page_origin, url_origin): (&str, &str),
        same_origin: bool,
    ) -> Option<(RequestMode, bool)> {
        let client = spec.client;
        let mut mode = client.request_mode();
        // Mode (Fetch §Main fetch step 12).
        let mut cors = false;
        let same_origin_request = same_origin;
        match client {
            Client::Visit => {
                self.steps.push(
                    Step::new(
                        Some(index),
                        Phase::Request,
                        Verdict::Ok,
                        Reason::BrowserInitiated,
                        "A browser-initiated visit: no initiator, cookies as for a same-site navigation",
                        format!(
                            "The user opens {url} from the address bar or a bookmark, so no page starts the request: it carries no `Origin` and no `Referer`, the CORS protocol does not apply, and for cookies it is a same-site request (RFC 6265bis §5.2: a request with no client), so SameSite=Strict and Lax cookies are sent. Browsers say so with `Sec-Fetch-Site: none`."
                        ),
                        spec::COOKIE_SAME_SITE_REQUESTS,
                    )
                    .with("Initiator", "none"),
                );
            }
            Client::Navigation { .. } | Client::Iframe => {
                mode = RequestMode::Navigate;
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Ok,
                    Reason::NavigationRequest,
                    "A navigation: no CORS, cookies included",
                    "Links, form submissions and frames are navigations. The CORS protocol does not apply to them, and the browser includes cookies subject to SameSite.",
                    spec::FETCH_MAIN_FETCH,
                ));
            }
            _ if same_origin_request => {
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Ok,
                    Reason::NoCorsNeeded,
                    "Same-origin request: CORS does not apply",
                    "The request goes to the page's own origin, so there is no preflight and no CORS check, and the default credentials mode already sends cookies.",
                    spec::FETCH_MAIN_FETCH,
                ));
            }
            _ if mode == RequestMode::SameOrigin => {
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Blocked,
                    Reason::SameOriginModeCrossOrigin,
                    "mode: 'same-origin' forbids this cross-origin request",
                    "The request uses mode: 'same-origin' but goes to another origin, so fetch() rejects with a TypeError without sending anything. Use mode: 'cors' (the default).",
                    spec::FETCH_REQUEST_MODE,
                ));
                self.result_not_sent(index, spec, url, Reason::SameOriginModeCrossOrigin);
                return None;
            }
            _ if mode == RequestMode::NoCors => {
                // The method and headers were checked by the Request
                // constructor (`no_cors_request`): only the tainting is left.
                self.steps.push(Step::new(
                    Some(index),
                    Phase::Request,
                    Verdict::Warning,
                    Reason::OpaqueRequest,
                    "mode: 'no-cors': the request is sent, the response will be opaque",
                    "A no-cors request is sent without a preflight, but the page will get an opaque response it cannot read. It is only useful for fire-and-forget requests.",
                    spec::FETCH_REQUEST_MODE,
                ));
            }
            _ => {
                cors = true;
                self.steps.push(
                    Step::new(
                        Some(index),
                        Phase::Request,
                        Verdict::Ok,
                        Reason::CorsRequest,
                        "Cross-origin request: the CORS protocol applies",
                        format!(
                            "The request goes from {page_origin} to {url_origin}, another origin. The browser adds `Origin: {page_origin}`, and the page may read the response only if the server's answer passes the CORS check.",
                        ),
                        spec::FETCH_ORIGIN_HEADER,
                    )
                    .with("Origin", page_origin),
                );
            }
        }

        Some((mode, cors))
    }

    /// Fetch §HTTP-network-or-cache fetch step 8.4: include credentials, or
    /// same-origin mode on a same-origin ("basic") request.
    fn credentials(
        &mut self,
        index: usize,
        client: Client,
        credentials_mode: CredentialsMode,
        same_origin_request: bool,
    ) -> bool {
        // Credentials (Fetch §HTTP-network-or-cache fetch step 8.4): include,
        // or same-origin mode on a same-origin ("basic") request.
        let include_credentials = match credentials_mode {
            CredentialsMode::Include => true,
            CredentialsMode::SameOrigin => same_origin_request,
            CredentialsMode::Omit => false,
        };
        if client.is_script() {
            let (verdict, reason, title, text) = match (include_credentials, credentials_mode) {
                (true, _) => (
                    Verdict::Ok,
                    Reason::CredentialsIncluded,
                    "Credentials included: cookies can go out and come back".to_string(),
                    format!(
                        "{} includes credentials on this request, so matching cookies are sent and Set-Cookie in the response is processed.",
                        client_name(&client)
                    ),
                ),
                (false, CredentialsMode::Omit) => (
                    Verdict::Warning,
                    Reason::CredentialsOmitted,
                    "credentials: 'omit': no cookies, Set-Cookie ignored".to_string(),
                    "With credentials: 'omit' the browser sends no cookies and ignores any Set-Cookie in the response.".to_string(),
                ),
                (false, _) => (
                    Verdict::Warning,
                    Reason::CredentialsSameOriginCrossOrigin,
                    "No credentials on a cross-origin request".to_string(),
                    format!(
                        "{} sends cookies only to the page's own origin by default. This request goes to another origin (even if it is the same site), so no cookie is sent and Set-Cookie in the response is ignored. {}",
                        client_name(&client),
                        credentials_fix(&client)
                    ),
                ),
            };
            self.steps.push(
                Step::new(
                    Some(index),
                    Phase::Request,
                    verdict,
                    reason,
                    title,
                    text,
                    spec::FETCH_CREDENTIALS_MODE,
                )
                .with("Credentials mode", credentials_label(credentials_mode)),
            );
        }

        include_credentials
    }
}

/// The Content-Type a client adds for a body when the code set none.
fn content_type_for(client: Client, body: BodyKind) -> Option<&'static str> {
    let axios = matches!(client, Client::Axios { .. });
    match body {
        BodyKind::None | BodyKind::Stream => None,
        // axios serialises a plain object to JSON and says so.
        BodyKind::Json if axios => Some("application/json"),
        // fetch/XHR with a string body (JSON.stringify gives a string).
        BodyKind::Json | BodyKind::Text => Some("text/plain;charset=UTF-8"),
        BodyKind::UrlEncoded if axios => Some("application/x-www-form-urlencoded;charset=utf-8"),
        BodyKind::UrlEncoded => Some("application/x-www-form-urlencoded;charset=UTF-8"),
        BodyKind::FormData => {
            Some("multipart/form-data; boundary=----CrumbtrailFormBoundary7MA4YWxk")
        }
    }
}

fn body_name(body: BodyKind) -> &'static str {
    match body {
        BodyKind::None => "no body",
        BodyKind::Json => "JSON",
        BodyKind::Text => "a string",
        BodyKind::UrlEncoded => "URLSearchParams",
        BodyKind::FormData => "FormData",
        BodyKind::Stream => "a ReadableStream",
    }
}
