//! Generated code for the article's presets, as the exact text expected, and
//! round trips through the readers (issue: "Generated code").

use crumbtrail_engine::codegen::*;
use crumbtrail_engine::scenario::{BodyKind, Client, RequestSpec};
use crumbtrail_engine::server::rails::*;
use crumbtrail_engine::Scenario;
use proptest::prelude::*;

#[test]
fn article_problematic_cors_rb() {
    let app = article::app(article::problematic_cors(), article::simple_session());
    assert_eq!(
        cors_rb(&app),
        "# config/initializers/cors.rb
Rails.application.config.middleware.insert_before 0, Rack::Cors do
  allow do
    origins '*'

    resource '*',
      headers: :any,
      methods: [:get, :post, :put, :patch, :delete, :options, :head]
  end
end
"
    );
}

#[test]
fn article_refined_cors_rb() {
    let app = article::app(article::refined_cors(), article::simple_session());
    assert_eq!(
        cors_rb(&app),
        "# config/initializers/cors.rb
Rails.application.config.middleware.insert_before 0, Rack::Cors do
  allow do
    origins 'http://localhost:3000', 'https://your-frontend-domain.com'

    resource '*',
      headers: :any,
      methods: [:get, :post, :put, :patch, :delete, :options, :head],
      credentials: true
  end
end
"
    );
}

#[test]
fn article_session_store_full_app_and_api_only() {
    let mut app = article::app(article::refined_cors(), article::session());
    app.api_only = false;
    assert_eq!(
        session_store_rb(&app),
        "# config/initializers/session_store.rb
Rails.application.config.session_store :cookie_store,
  key: '_your_app_session',
  domain: '.your-domain.com',
  same_site: :none,
  secure: true
"
    );
    app.api_only = true;
    app.session_middleware = SessionMiddleware::Documented;
    assert_eq!(
        session_store_rb(&app),
        "# config/application.rb (inside `class Application < Rails::Application`)
    config.api_only = true
    config.session_store :cookie_store,
      key: '_your_app_session',
      domain: '.your-domain.com',
      same_site: :none,
      secure: true
    config.middleware.use ActionDispatch::Cookies
    config.middleware.use config.session_store, config.session_options
"
    );
    let simple = article::app(article::refined_cors(), article::simple_session());
    let mut simple_full = simple.clone();
    simple_full.api_only = false;
    assert_eq!(
        session_store_rb(&simple_full),
        "# config/initializers/session_store.rb
Rails.application.config.session_store :cookie_store, key: '_your_app_session'
"
    );
    let mut none = simple;
    none.session_middleware = SessionMiddleware::None;
    assert_eq!(
        session_store_rb(&none),
        "# config/application.rb (inside `class Application < Rails::Application`)
    config.api_only = true
    # No session middleware: API-only apps have no cookies and no session.

# config/initializers/session_store.rb
Rails.application.config.session_store :cookie_store, key: '_your_app_session'
"
    );
}

#[test]
fn article_fetch_calls() {
    let s = Scenario::default();
    assert_eq!(
        client_code(&s, 0),
        "fetch('http://localhost:3001/login', {
  method: 'POST',
  headers: {
    'Content-Type': 'application/json',
  },
  body: JSON.stringify({ user: 'alice' }),
  credentials: 'include',
})
  .then((response) => response.text())
  .then((text) => console.log(text))
  .catch((error) => console.error(error));
"
    );
    assert_eq!(
        client_code(&s, 1),
        "fetch('http://localhost:3001/me', {
  method: 'GET',
  credentials: 'include',
})
  .then((response) => response.text())
  .then((text) => console.log(text))
  .catch((error) => console.error(error));
"
    );
    assert_eq!(client_code(&s, 9), "");
}

#[test]
fn axios_xhr_and_navigation() {
    let mut s = Scenario::default();
    s.requests[0].client = Client::Axios {
        with_credentials: true,
        with_xsrf_token: false,
    };
    assert_eq!(
        client_code(&s, 0),
        "axios({
  method: 'POST',
  url: 'http://localhost:3001/login',
  headers: {
    'Content-Type': 'application/json',
  },
  data: { user: 'alice' },
  withCredentials: true,
})
  .then((response) => console.log(response.status, response.data))
  .catch((error) => console.error(error.message));
"
    );
    s.requests[0].client = Client::Xhr {
        with_credentials: true,
    };
    assert_eq!(
        client_code(&s, 0),
        "const xhr = new XMLHttpRequest();
xhr.open('POST', 'http://localhost:3001/login');
xhr.withCredentials = true;
xhr.setRequestHeader('Content-Type', 'application/json');
xhr.onload = () => console.log(xhr.status, xhr.responseText);
xhr.onerror = () => console.error('Network error');
xhr.send(JSON.stringify({ user: 'alice' }));
"
    );
    s.requests[0] = RequestSpec {
        url: "http://localhost:3001/it's".into(),
        body: BodyKind::None,
        headers: String::new(),
        client: Client::Navigation {
            form: NavigationForm::FormPost,
        },
        ..RequestSpec::default()
    };
    assert_eq!(
        client_code(&s, 0),
        "const form = document.createElement('form');
form.method = 'POST';
form.action = 'http://localhost:3001/it\\'s';
document.body.appendChild(form);
form.submit();
"
    );
}

use crumbtrail_engine::scenario::NavigationForm;

#[test]
fn cors_rb_round_trips() {
    let mut c = article::refined_cors();
    c.debug = true;
    c.allow.push(AllowBlock {
        origins: vec![
            r"/\Ahttps:\/\/.*\.example\.com\z/".into(),
            "localhost:3000".into(),
        ],
        resources: vec![
            CorsResource {
                path: "/api/:id".into(),
                headers: HeadersOption::List(vec!["X-Token".into()]),
                methods: MethodsOption::Any,
                expose: vec!["ETag".into()],
                max_age: Some(600),
                vary: Some(vec!["Accept".into()]),
                if_condition: false,
                credentials: false,
            },
            CorsResource {
                path: "/it's".into(),
                headers: HeadersOption::Unset,
                methods: MethodsOption::Unset,
                ..CorsResource::default()
            },
        ],
        resource_before_origins: true,
    });
    let app = RailsApp {
        cors: c.clone(),
        ..RailsApp::default()
    };
    let text = cors_rb(&app);
    assert_eq!(parse_cors_rb(&text).unwrap(), c, "{text}");
    let after = RailsApp {
        cors_position: CorsPosition::AfterAnsweringMiddleware,
        ..app
    };
    let (back, pos) = parse_cors_rb_with_position(&cors_rb(&after)).unwrap();
    assert_eq!(back, c);
    assert_eq!(pos, CorsPosition::AfterAnsweringMiddleware);
}

#[test]
fn reads_the_articles_own_text() {
    // The article's snippet, as pasted (4-space indents, a trailing comment).
    let src = "Rails.application.config.middleware.insert_before 0, Rack::Cors do
    allow do
      origins 'http://localhost:3000', 'https://your-frontend-domain.com' # <-- Specific origin(s)

      resource '*',
        headers: :any,
        methods: [:get, :post, :put, :patch, :delete, :options, :head],
        credentials: true # <-- This is crucial
    end
  end
";
    assert_eq!(parse_cors_rb(src).unwrap(), article::refined_cors());
    let src = "Rails.application.config.session_store :cookie_store,
                                       key: '_your_app_session',
                                       domain: '.your-domain.com', # <-- Ensure domain matches cookie origin
                                       same_site: :none, # <-- crucial for cross-origin
                                       secure: true # <-- always true when `same_site: :none` is set
";
    assert_eq!(parse_session_store_rb(src).unwrap(), article::session());
}

#[test]
fn session_store_round_trips() {
    let cases = vec![
        article::session(),
        article::simple_session(),
        SessionStoreConfig {
            store: StoreKind::Disabled,
            ..SessionStoreConfig::default()
        },
        SessionStoreConfig {
            key: None,
            domain: DomainOption::All {
                tld_length: Some(2),
            },
            path: Some("/api".into()),
            same_site: SameSiteOption::Nil,
            secure: Some(false),
            httponly: Some(true),
            expire_after: Some(14 * 86_400),
            ..SessionStoreConfig::default()
        },
        SessionStoreConfig {
            domain: DomainOption::List(vec![".a.test".into(), "b.test".into()]),
            same_site: SameSiteOption::Strict,
            expire_after: Some(90),
            ..SessionStoreConfig::default()
        },
        SessionStoreConfig {
            domain: DomainOption::All { tld_length: None },
            ..SessionStoreConfig::default()
        },
    ];
    for s in cases {
        let text = session_store_initializer(&s);
        assert_eq!(parse_session_store_rb(&text).unwrap(), s, "{text}");
    }
    assert_eq!(
        parse_session_store_rb("# nothing\n").unwrap().store,
        StoreKind::NotCalled
    );
}

#[test]
fn clear_errors_with_positions() {
    let e = parse_cors_rb("Rails.application.config.middleware.insert_before 0, Rack::Cors do\n  allow do\n    origins \"http://#{host}\"\n  end\nend\n").unwrap_err();
    assert_eq!((e.line, e.column), (3, 21));
    assert!(e.message.contains("interpolation"));
    let e = parse_cors_rb("Rails.application.config.middleware.insert_before 0, Rack::Cors do\n  allow do\n    resource '*', foo: 1\n  end\nend\n").unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("foo"), "{e}");
    let e =
        parse_session_store_rb("Rails.application.config.session_store :redis_store").unwrap_err();
    assert!(e.message.contains("redis_store"));
    let e = parse_cors_rb("Rails.application.config.middleware.insert_before 0, Rack::Cors do\n  allow do\n    origins /(a/\n  end\nend\n").unwrap_err();
    assert_eq!(e.line, 3);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn readers_never_panic(src in "[ -~\n]{0,200}") {
        let _ = parse_cors_rb(&src);
        let _ = parse_session_store_rb(&src);
    }

    #[test]
    fn readers_never_panic_on_near_valid_input(cut in 0usize..400, junk in "[ -~]{0,6}") {
        let app = article::app(article::refined_cors(), article::session());
        let text = format!("{}{}", cors_rb(&app), session_store_rb(&app));
        let cut = cut.min(text.len());
        let mut mutated = text[..cut].to_string();
        mutated.push_str(&junk);
        mutated.push_str(&text[cut..]);
        let _ = parse_cors_rb(&mutated);
        let _ = parse_session_store_rb(&mutated);
    }

    #[test]
    // An entry written `/…/` or `%r{…}` is a Ruby regexp literal by design
    // (see `AllowBlock::origins`), so the strings here start with anything else.
    fn origins_round_trip(origins in proptest::collection::vec("[a-z:.0-9'\\\\ -][a-z:/.0-9'\\\\ %r{}-]{0,19}", 1..4)) {
        let c = CorsConfig {
            enabled: true,
            allow: vec![AllowBlock { origins: origins.clone(), resources: vec![article::resource(false)], resource_before_origins: false }],
            debug: false,
        };
        let app = RailsApp { cors: c.clone(), ..RailsApp::default() };
        let text = cors_rb(&app);
        prop_assert_eq!(parse_cors_rb(&text).unwrap(), c);
    }
}
