//! Spec sections the trace cites. Fetch is a living standard, so it is cited
//! by section name; RFC 6265bis by its section number in the current draft.

use crate::trace::SpecRef;

macro_rules! spec {
    ($name:ident, $label:expr, $url:expr) => {
        pub const $name: SpecRef = SpecRef {
            label: $label,
            url: $url,
        };
    };
}

const _FETCH: &str = "https://fetch.spec.whatwg.org/";

// ----- Fetch Standard -----
spec!(
    FETCH_ORIGIN_HEADER,
    "Fetch §Origin header",
    "https://fetch.spec.whatwg.org/#origin-header"
);
spec!(
    FETCH_METHOD_NORMALIZE,
    "Fetch §Methods (normalize)",
    "https://fetch.spec.whatwg.org/#concept-method-normalize"
);
spec!(
    FETCH_FORBIDDEN_METHOD,
    "Fetch §Methods (forbidden method)",
    "https://fetch.spec.whatwg.org/#forbidden-method"
);
spec!(
    FETCH_SAFELISTED_METHOD,
    "Fetch §CORS-safelisted method",
    "https://fetch.spec.whatwg.org/#cors-safelisted-method"
);
spec!(
    FETCH_FORBIDDEN_REQUEST_HEADER,
    "Fetch §Forbidden request-header",
    "https://fetch.spec.whatwg.org/#forbidden-request-header"
);
spec!(
    FETCH_SAFELISTED_REQUEST_HEADER,
    "Fetch §CORS-safelisted request-header",
    "https://fetch.spec.whatwg.org/#cors-safelisted-request-header"
);
spec!(
    FETCH_UNSAFE_REQUEST_HEADER_NAMES,
    "Fetch §CORS-unsafe request-header names",
    "https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names"
);
spec!(
    FETCH_NO_CORS_SAFELISTED,
    "Fetch §no-CORS-safelisted request-header",
    "https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header"
);
spec!(
    FETCH_REQUEST_MODE,
    "Fetch §Requests (mode)",
    "https://fetch.spec.whatwg.org/#concept-request-mode"
);
spec!(
    FETCH_CREDENTIALS_MODE,
    "Fetch §Requests (credentials mode)",
    "https://fetch.spec.whatwg.org/#concept-request-credentials-mode"
);
spec!(
    FETCH_MAIN_FETCH,
    "Fetch §Main fetch",
    "https://fetch.spec.whatwg.org/#main-fetch"
);
spec!(
    FETCH_HTTP_FETCH,
    "Fetch §HTTP fetch",
    "https://fetch.spec.whatwg.org/#http-fetch"
);
spec!(
    FETCH_HTTP_NETWORK_OR_CACHE,
    "Fetch §HTTP-network-or-cache fetch",
    "https://fetch.spec.whatwg.org/#http-network-or-cache-fetch"
);
spec!(
    FETCH_HTTP_NETWORK,
    "Fetch §HTTP-network fetch",
    "https://fetch.spec.whatwg.org/#http-network-fetch"
);
spec!(
    FETCH_HTTP_REDIRECT,
    "Fetch §HTTP-redirect fetch",
    "https://fetch.spec.whatwg.org/#http-redirect-fetch"
);
spec!(
    FETCH_REDIRECT_TAINT,
    "Fetch §Requests (redirect-taint)",
    "https://fetch.spec.whatwg.org/#concept-request-tainted-origin"
);
spec!(
    FETCH_SAME_SITE_MODE,
    "Fetch §Cookie infrastructure (determine the same-site mode)",
    "https://fetch.spec.whatwg.org/#determine-the-same-site-mode"
);
spec!(
    FETCH_CORS_PREFLIGHT,
    "Fetch §CORS-preflight fetch",
    "https://fetch.spec.whatwg.org/#cors-preflight-fetch"
);
spec!(
    FETCH_CORS_PREFLIGHT_CACHE,
    "Fetch §CORS-preflight cache",
    "https://fetch.spec.whatwg.org/#cors-preflight-cache"
);
spec!(
    FETCH_CORS_CHECK,
    "Fetch §CORS check",
    "https://fetch.spec.whatwg.org/#cors-check"
);
spec!(
    FETCH_CORS_AND_CREDENTIALS,
    "Fetch §CORS protocol and credentials",
    "https://fetch.spec.whatwg.org/#cors-protocol-and-credentials"
);
spec!(
    FETCH_CORS_NON_WILDCARD,
    "Fetch §CORS non-wildcard request-header name",
    "https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name"
);
spec!(
    FETCH_SAFELISTED_RESPONSE_HEADER,
    "Fetch §CORS-safelisted response-header name",
    "https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name"
);
spec!(
    FETCH_OPAQUE_RESPONSE,
    "Fetch §Responses (opaque filtered response)",
    "https://fetch.spec.whatwg.org/#concept-filtered-response-opaque"
);
spec!(
    FETCH_COOKIES,
    "Fetch §Cookies (determine the same-site mode)",
    "https://fetch.spec.whatwg.org/#determine-the-same-site-mode"
);
spec!(
    FETCH_NETWORK_ERROR,
    "Fetch §Network errors",
    "https://fetch.spec.whatwg.org/#concept-network-error"
);

// ----- HTML, Secure Contexts, Mixed Content -----
spec!(
    HTML_SITE,
    "HTML §Sites (same site)",
    "https://html.spec.whatwg.org/multipage/browsers.html#sites"
);
spec!(
    HTML_ORIGIN,
    "HTML §Origins (same origin)",
    "https://html.spec.whatwg.org/multipage/browsers.html#same-origin"
);
spec!(
    HTML_NAVIGATE,
    "HTML §Navigating across documents",
    "https://html.spec.whatwg.org/multipage/browsing-the-web.html#navigating-across-documents"
);
spec!(
    HTML_FORM_SUBMISSION,
    "HTML §Form submission algorithm",
    "https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#form-submission-algorithm"
);
spec!(
    SECURE_CONTEXTS_TRUSTWORTHY,
    "Secure Contexts §Is origin potentially trustworthy?",
    "https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy"
);
spec!(
    LOCAL_NETWORK_ACCESS,
    "Local Network Access §Local network access check",
    "https://wicg.github.io/local-network-access/"
);
spec!(
    MIXED_CONTENT,
    "Mixed Content §Should fetching request be blocked",
    "https://w3c.github.io/webappsec-mixed-content/#should-block-fetch"
);
spec!(
    URL_PARSING,
    "URL Standard §URL parsing",
    "https://url.spec.whatwg.org/#url-parsing"
);

// ----- RFC 6265bis -----
spec!(
    COOKIE_DATES,
    "RFC 6265bis §5.1.1 Dates",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#cookie-date"
);
spec!(
    COOKIE_DOMAIN_MATCH,
    "RFC 6265bis §5.1.3 Domain Matching",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#domain-matching"
);
spec!(
    COOKIE_PATH_MATCH,
    "RFC 6265bis §5.1.4 Paths and Path-Match",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#cookie-path"
);
spec!(
    COOKIE_SAME_SITE_REQUESTS,
    "RFC 6265bis §5.2 Same-site and cross-site requests",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#same-site-requests"
);
spec!(
    COOKIE_IGNORING,
    "RFC 6265bis §5.3 Ignoring Set-Cookie header fields",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#ignoring-cookies"
);
spec!(
    COOKIE_PREFIXES,
    "RFC 6265bis §5.4 Cookie Name Prefixes",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#ua-name-prefixes"
);
spec!(
    COOKIE_LIFETIME_LIMITS,
    "RFC 6265bis §5.5 Cookie Lifetime Limits",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#cookie-lifetime-limits"
);
spec!(
    COOKIE_SET_COOKIE,
    "RFC 6265bis §5.6 The Set-Cookie Header Field",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#set-cookie"
);
spec!(
    COOKIE_EXPIRES,
    "RFC 6265bis §5.6.1 The Expires Attribute",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#ua-attribute-expires"
);
spec!(
    COOKIE_MAX_AGE,
    "RFC 6265bis §5.6.2 The Max-Age Attribute",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#ua-attribute-max-age"
);
spec!(
    COOKIE_SAMESITE,
    "RFC 6265bis §5.6.7 The SameSite Attribute",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#strict-lax"
);
spec!(
    COOKIE_LAX_ALLOWING_UNSAFE,
    "RFC 6265bis §5.6.7.2 Lax-Allowing-Unsafe enforcement",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#lax-allowing-unsafe"
);
spec!(
    COOKIE_STORAGE_MODEL,
    "RFC 6265bis §5.7 Storage Model",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#storage-model"
);
spec!(
    COOKIE_RETRIEVAL,
    "RFC 6265bis §5.8.3 Retrieval Algorithm",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#retrieval-algorithm"
);
spec!(
    COOKIE_NON_HTTP,
    "RFC 6265bis §5.8.2 Non-HTTP APIs",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#non-http"
);
spec!(
    COOKIE_THIRD_PARTY,
    "RFC 6265bis §7.1 Third-Party Cookies",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#third-party-cookies"
);
spec!(
    STORAGE_ACCESS,
    "Storage Access API §The requestStorageAccess() method",
    "https://privacycg.github.io/storage-access/#dom-document-requeststorageaccess"
);
spec!(
    STORAGE_ACCESS_HEADERS,
    "Storage Access Headers (Sec-Fetch-Storage-Access, Activate-Storage-Access)",
    "https://privacycg.github.io/storage-access-headers/"
);
spec!(
    LIBSOUP_NO_THIRD_PARTY,
    "libsoup: SOUP_COOKIE_JAR_ACCEPT_NO_THIRD_PARTY (soup-cookie-jar.c, incoming_cookie_is_third_party)",
    "https://gitlab.gnome.org/GNOME/libsoup/-/blob/master/libsoup/cookies/soup-cookie-jar.c"
);
spec!(
    LIBSOUP_COOKIE_DOMAIN,
    "libsoup: the Domain attribute needs an embedded dot (soup-cookie.c, parse_one_cookie)",
    "https://gitlab.gnome.org/GNOME/libsoup/-/blob/master/libsoup/cookies/soup-cookie.c"
);
spec!(
    WEBKIT_MIXED_CONTENT_LOOPBACK,
    "WebKit: loopback is not a secure context for mixed content (MixedContentChecker.cpp, isNonLocalHostPotentiallyTrustworthyURL)",
    "https://github.com/WebKit/WebKit/blob/main/Source/WebCore/loader/MixedContentChecker.cpp"
);
spec!(
    COOKIE_STORE_EXPIRY,
    "RFC 6265bis §5.7 step 6 (Max-Age, then Expires)",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#storage-model"
);
spec!(
    COOKIE_STORE_DOMAIN,
    "RFC 6265bis §5.7 steps 7–10 (Domain)",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#storage-model"
);
spec!(
    COOKIE_STORE_PATH,
    "RFC 6265bis §5.7 step 11 (Path, default-path)",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#storage-model"
);
spec!(
    COOKIE_STORE_SECURE,
    "RFC 6265bis §5.7 step 13 (Secure needs a secure origin)",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#storage-model"
);
spec!(
    COOKIE_STORE_HTTP_ONLY,
    "RFC 6265bis §5.7 step 15 (HttpOnly from script)",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#storage-model"
);
spec!(
    COOKIE_STORE_LEAVE_SECURE_ALONE,
    "RFC 6265bis §5.7 step 16 (leave Secure cookies alone)",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#storage-model"
);
spec!(
    COOKIE_STORE_SAME_SITE,
    "RFC 6265bis §5.7 step 18 (SameSite cookies from cross-site responses)",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#storage-model"
);
spec!(
    COOKIE_STORE_NONE_SECURE,
    "RFC 6265bis §5.7 step 19 (SameSite=None needs Secure)",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#storage-model"
);
spec!(
    COOKIE_STORE_PREFIXES,
    "RFC 6265bis §5.7 steps 20–22 (name prefixes)",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#storage-model"
);
spec!(
    COOKIE_STORE_REPLACE,
    "RFC 6265bis §5.7 steps 23–24 (replace or insert)",
    "https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#storage-model"
);
spec!(LAYERED_COOKIES_PREFIXES, "Layered Cookies §Cookie Name Prefixes (__Http-)", "https://httpwg.org/http-extensions/draft-ietf-httpbis-layered-cookies.html#server-name-prefixes");
spec!(CHIPS, "CHIPS: Cookies Having Independent Partitioned State", "https://developer.mozilla.org/en-US/docs/Web/Privacy/Guides/Privacy_sandbox/Partitioned_cookies");
spec!(
    FIREFOX_TCP,
    "Firefox Total Cookie Protection (state partitioning)",
    "https://developer.mozilla.org/en-US/docs/Web/Privacy/Guides/State_Partitioning"
);
spec!(
    SAFARI_ITP,
    "WebKit: Full Third-Party Cookie Blocking",
    "https://webkit.org/blog/10218/full-third-party-cookie-blocking-and-more/"
);
spec!(
    CHROME_LAX_DEFAULT,
    "Chrome: SameSite=Lax by default",
    "https://chromestatus.com/feature/5088147346030592"
);

// ----- Server frameworks -----
spec!(
    EXPRESS_CORS,
    "npm cors: configuration options",
    "https://github.com/expressjs/cors#configuration-options"
);
spec!(
    EXPRESS_SESSION,
    "npm express-session: options",
    "https://github.com/expressjs/session#options"
);
spec!(
    COOKIE_SESSION,
    "npm cookie-session: options",
    "https://github.com/expressjs/cookie-session#options"
);
spec!(
    EXPRESS_TRUST_PROXY,
    "Express behind proxies (trust proxy)",
    "https://expressjs.com/en/guide/behind-proxies.html"
);
spec!(
    EXPRESS_ROUTING,
    "Express routing",
    "https://expressjs.com/en/guide/routing.html"
);
spec!(
    EXPRESS_RES_COOKIE,
    "Express API: res.cookie()",
    "https://expressjs.com/en/api.html#res.cookie"
);
spec!(
    EXPRESS_5_PATHS,
    "Express 5 migration: path route matching syntax",
    "https://expressjs.com/en/guide/migrating-5.html#path-syntax"
);
spec!(
    RACK_CORS,
    "rack-cors README",
    "https://github.com/cyu/rack-cors#readme"
);
spec!(
    RAILS_API_SESSIONS,
    "Rails guide: API-only apps, Using Session Middlewares",
    "https://guides.rubyonrails.org/api_app.html#using-session-middlewares"
);
spec!(
    RAILS_SESSION_STORE,
    "Rails guide: Session",
    "https://guides.rubyonrails.org/action_controller_overview.html#session"
);
spec!(
    RAILS_COOKIE_STORE,
    "Rails API: ActionDispatch::Session::CookieStore",
    "https://api.rubyonrails.org/classes/ActionDispatch/Session/CookieStore.html"
);
spec!(
    RACK_SESSION_SECURE,
    "Rack::Session: secure cookies are only written over https",
    "https://github.com/rack/rack-session/blob/main/lib/rack/session/abstract/id.rb"
);
spec!(
    RAILS_FORCE_SSL,
    "Rails: config.force_ssl (ActionDispatch::SSL)",
    "https://api.rubyonrails.org/classes/ActionDispatch/SSL.html"
);
spec!(
    RAILS_CSRF,
    "Rails: request forgery protection",
    "https://api.rubyonrails.org/classes/ActionController/RequestForgeryProtection.html"
);
spec!(
    RAILS_ROUTING,
    "Rails guide: Routing from the outside in",
    "https://guides.rubyonrails.org/routing.html"
);
spec!(
    RAILS_COOKIES,
    "Rails API: ActionDispatch::Cookies",
    "https://api.rubyonrails.org/classes/ActionDispatch/Cookies.html"
);
spec!(
    RAILS_SHOW_EXCEPTIONS,
    "Rails API: ActionDispatch::ShowExceptions",
    "https://api.rubyonrails.org/classes/ActionDispatch/ShowExceptions.html"
);
spec!(
    RAILS_CONFIG_ACTION_DISPATCH,
    "Rails guide: Configuring Action Dispatch",
    "https://guides.rubyonrails.org/configuring.html#configuring-action-dispatch"
);
spec!(
    RAILS_RENDERING,
    "Rails guide: Layouts and Rendering",
    "https://guides.rubyonrails.org/layouts_and_rendering.html"
);
spec!(
    HTTP_SERVER_ERROR,
    "RFC 9110 §15.6 Server Error 5xx",
    "https://www.rfc-editor.org/rfc/rfc9110#name-server-error-5xx"
);

// ----- Django -----
spec!(
    DJANGO_CORS_HEADERS,
    "django-cors-headers: corsheaders/middleware.py",
    "https://github.com/adamchainz/django-cors-headers/blob/main/src/corsheaders/middleware.py"
);
spec!(
    DJANGO_CORS_CHECKS,
    "django-cors-headers: corsheaders/checks.py",
    "https://github.com/adamchainz/django-cors-headers/blob/main/src/corsheaders/checks.py"
);
spec!(
    DJANGO_SYSTEM_CHECKS,
    "Django: System check framework",
    "https://docs.djangoproject.com/en/stable/ref/checks/"
);
spec!(
    DJANGO_CSRF,
    "Django: CSRF protection (django/middleware/csrf.py)",
    "https://docs.djangoproject.com/en/stable/ref/csrf/"
);
spec!(
    DJANGO_SESSIONS,
    "Django: How to use sessions (django/contrib/sessions/middleware.py)",
    "https://docs.djangoproject.com/en/stable/topics/http/sessions/"
);
spec!(
    DJANGO_ALLOWED_HOSTS,
    "Django settings: ALLOWED_HOSTS (HttpRequest.get_host)",
    "https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts"
);
spec!(
    DJANGO_SECURE_PROXY_SSL_HEADER,
    "Django settings: SECURE_PROXY_SSL_HEADER",
    "https://docs.djangoproject.com/en/stable/ref/settings/#secure-proxy-ssl-header"
);
spec!(
    DJANGO_COMMON_MIDDLEWARE,
    "Django: CommonMiddleware, APPEND_SLASH (django/middleware/common.py)",
    "https://docs.djangoproject.com/en/stable/ref/middleware/#module-django.middleware.common"
);
spec!(
    DJANGO_URLS,
    "Django: URL dispatcher",
    "https://docs.djangoproject.com/en/stable/topics/http/urls/"
);

// ----- FastAPI / Starlette / uvicorn -----
spec!(
    STARLETTE_CORS,
    "Starlette: CORSMiddleware (starlette/middleware/cors.py)",
    "https://www.starlette.io/middleware/#corsmiddleware"
);
spec!(
    STARLETTE_SESSIONS,
    "Starlette: SessionMiddleware (starlette/middleware/sessions.py)",
    "https://www.starlette.io/middleware/#sessionmiddleware"
);
spec!(
    STARLETTE_SET_COOKIE,
    "Starlette: Response.set_cookie (starlette/responses.py)",
    "https://www.starlette.io/responses/#set-cookie"
);
spec!(
    STARLETTE_HTTPS_REDIRECT,
    "Starlette: HTTPSRedirectMiddleware",
    "https://www.starlette.io/middleware/#httpsredirectmiddleware"
);
spec!(
    STARLETTE_ROUTING,
    "Starlette: Routing (starlette/routing.py, redirect_slashes)",
    "https://www.starlette.io/routing/"
);
spec!(
    STARLETTE_ERRORS,
    "Starlette: ServerErrorMiddleware (starlette/middleware/errors.py)",
    "https://www.starlette.io/middleware/#servererrormiddleware"
);
spec!(
    STARLETTE_MIDDLEWARE,
    "Starlette: Middleware order (add_middleware, build_middleware_stack)",
    "https://www.starlette.io/middleware/"
);
spec!(
    UVICORN_PROXY_HEADERS,
    "uvicorn: --proxy-headers, --forwarded-allow-ips (uvicorn/middleware/proxy_headers.py)",
    "https://www.uvicorn.org/settings/#http"
);

// ----- Laravel -----
spec!(
    LARAVEL_CORS,
    "Laravel: HandleCors and fruitcake/php-cors CorsService (config/cors.php)",
    "https://github.com/fruitcake/php-cors/blob/v1.3.0/src/CorsService.php"
);
spec!(
    LARAVEL_SESSION,
    "Laravel: HTTP Session (StartSession, config/session.php)",
    "https://laravel.com/docs/12.x/session"
);
spec!(
    LARAVEL_CSRF,
    "Laravel: CSRF Protection (VerifyCsrfToken, X-XSRF-TOKEN)",
    "https://laravel.com/docs/12.x/csrf#csrf-x-xsrf-token"
);
spec!(
    LARAVEL_SANCTUM_SPA,
    "Laravel Sanctum: SPA Authentication (EnsureFrontendRequestsAreStateful)",
    "https://laravel.com/docs/12.x/sanctum#spa-authentication"
);
spec!(
    LARAVEL_TRUST_PROXIES,
    "Laravel: Configuring Trusted Proxies",
    "https://laravel.com/docs/12.x/requests#configuring-trusted-proxies"
);
spec!(
    LARAVEL_ROUTING,
    "Laravel: Routing",
    "https://laravel.com/docs/12.x/routing"
);
spec!(
    AXIOS_XSRF,
    "axios lib/helpers/resolveConfig.js (withXSRFToken, isURLSameOrigin)",
    "https://github.com/axios/axios/blob/v1.7.9/lib/helpers/resolveConfig.js"
);

// ----- Dev-server proxies (server/dev_proxy) -----
spec!(
    HTTP_PROXY_OUTGOING,
    "http-proxy common.js setupOutgoing (changeOrigin), web-incoming.js XHeaders (xfwd)",
    "https://github.com/http-party/node-http-proxy#options"
);
spec!(
    HTTP_PROXY_COOKIES,
    "http-proxy web-outgoing.js writeHeaders (cookieDomainRewrite)",
    "https://github.com/http-party/node-http-proxy#options"
);
spec!(
    VITE_SERVER_PROXY,
    "Vite server.proxy",
    "https://vite.dev/config/server-options#server-proxy"
);
spec!(
    NEXT_REWRITES,
    "Next.js rewrites (router-utils/proxy-request.ts)",
    "https://nextjs.org/docs/app/api-reference/config/next-config-js/rewrites"
);
spec!(
    NGINX_PROXY_PASS,
    "nginx ngx_http_proxy_module (proxy_pass, proxy_set_header, proxy_cookie_domain)",
    "https://nginx.org/en/docs/http/ngx_http_proxy_module.html"
);
