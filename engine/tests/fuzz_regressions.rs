//! Inputs the fuzzer (`./dev fuzz`) and the property tests found, each a law
//! that broke once. The laws themselves are in `laws/`.

mod laws;

use crumbtrail_engine::fixes::candidates;
use crumbtrail_engine::permalink::View;
use crumbtrail_engine::scenario::{Scenario, ServerSetup};
use crumbtrail_engine::server::rails::{DomainOption, MethodsOption};

#[test]
fn a_cors_rb_block_without_origins_reads_back() {
    // The generator writes `origins` with no arguments for such a block.
    let src = "Rails.application.config.middleware.insert_before 0, Rack::Cors do
  allow do
    resource '*', headers: :any
  end
end
";
    laws::cors_rb_text(src).unwrap();
    let mut app = crumbtrail_engine::server::rails::RailsApp::default();
    app.cors.allow[0].origins.clear();
    let text = crumbtrail_engine::codegen::cors_rb(&app);
    let back = crumbtrail_engine::codegen::parse_cors_rb(&text).unwrap();
    assert_eq!(back, app.cors, "{text}");
}

#[test]
fn a_domain_list_of_one_all_like_item_keeps_its_list_form() {
    let mut s = Scenario::default();
    if let ServerSetup::Rails(app) = &mut s.server {
        app.session.domain = DomainOption::List(vec![":all/3".into()]);
    }
    laws::scenario_round_trip(&s, &View::default()).unwrap();
    laws::permalink("v=1&s.domain=:all/3,").unwrap();
}

#[test]
fn the_methods_fix_adds_only_methods_a_request_can_have() {
    let mut s = Scenario::default();
    s.requests[0].method = " ".into();
    s.requests[1].method = " put ".into();
    if let ServerSetup::Rails(app) = &mut s.server {
        app.cors.allow[0].resources[0].methods = MethodsOption::Unset;
    }
    let fix = candidates(&s)
        .into_iter()
        .find(|c| c.title == "Allow the methods the page uses")
        .expect("the methods fix");
    fix.apply(&mut s);
    let ServerSetup::Rails(app) = &s.server else {
        unreachable!()
    };
    assert_eq!(
        app.cors.allow[0].resources[0].methods,
        MethodsOption::List(vec!["get".into(), "put".into()])
    );
    laws::scenario_round_trip(&s, &View::default()).unwrap();
}
