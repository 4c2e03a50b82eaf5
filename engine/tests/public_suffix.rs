//! The embedded Public Suffix List (engine/data, compiled by build.rs) against the `psl` crate,
//! a maintained implementation of the same list snapshot: for every rule, hosts at, under and
//! beside it must get the same registrable domain and public-suffix answer.

use crumbtrail_engine::site::{is_public_suffix, registrable_domain};

fn ascii(host: &str) -> String {
    let url = format!("http://{host}/");
    let url = crumbtrail_engine::origin::ascii_host(&url).unwrap_or(url);
    match url::Url::parse(&url) {
        Ok(u) => u.host_str().unwrap_or_default().to_string(),
        Err(_) => host.to_string(),
    }
}

#[test]
fn every_rule_agrees_with_the_psl_crate() {
    let list = include_str!("../data/public_suffix_list.dat");
    let mut hosts = Vec::new();
    for line in list.lines() {
        let rule = line.split_whitespace().next().unwrap_or("");
        if rule.is_empty() || rule.starts_with("//") {
            continue;
        }
        let name = rule.trim_start_matches('!').replace('*', "wild");
        for host in [name.clone(), format!("a.{name}"), format!("b.a.{name}")] {
            hosts.push(ascii(&host));
        }
        if let Some((_, parent)) = name.split_once('.') {
            hosts.push(ascii(&format!("x.{parent}")));
        }
    }
    assert!(hosts.len() > 30_000, "{} hosts", hosts.len());
    let mut disagreements = Vec::new();
    for host in &hosts {
        let ours = registrable_domain(host);
        let theirs = psl::domain_str(host).map(str::to_string);
        // `psl` gives an unknown single label (`localhost`) a registrable domain; browsers
        // and the engine do not (it is its own site, HTML §Sites).
        let theirs = theirs.filter(|_| host.contains('.'));
        let suffix_ours = is_public_suffix(host);
        let suffix_theirs = psl::suffix_str(host) == Some(host.as_str());
        if ours != theirs || suffix_ours != suffix_theirs {
            disagreements.push(format!(
                "{host}: ours {ours:?}/{suffix_ours}, psl {theirs:?}/{suffix_theirs}"
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} hosts disagree, e.g.\n{}",
        disagreements.len(),
        hosts.len(),
        disagreements[..disagreements.len().min(20)].join("\n")
    );
}

#[test]
fn exceptions_and_wildcards() {
    let cases = [
        ("www.ck", Some("www.ck")), // !www.ck
        ("a.www.ck", Some("www.ck")),
        ("foo.ck", None), // *.ck: foo.ck is a suffix
        ("bar.foo.ck", Some("bar.foo.ck")),
        ("city.kawasaki.jp", Some("city.kawasaki.jp")), // !city.kawasaki.jp
        ("x.y.kawasaki.jp", Some("x.y.kawasaki.jp")),   // *.kawasaki.jp
        ("example.COM.", Some("example.com")),
        ("a..com", None),
        ("", None),
    ];
    for (host, want) in cases {
        assert_eq!(registrable_domain(host).as_deref(), want, "{host}");
    }
}
