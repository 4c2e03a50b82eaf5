//! Links that once crashed or froze the page (issue "Hold under bad input
//! and hostile pages"), shared by the tests, the benchmarks and the
//! `worst_case` example. Each is a permalink query string.

#![allow(dead_code)]

/// `blocks=20` and twenty resources in each block: the 344-byte link whose
/// fix search built every combination of 405 changes (604 MB, 2.2 s).
pub fn blocks() -> String {
    let mut l = String::from("v=1&blocks=20");
    for b in 1..=20 {
        l.push_str(&format!("&b{b}.resources=20"));
    }
    l
}

/// [`blocks`] with a method no resource allows: the fix search aborted at 4 GB.
pub fn blocks_purge() -> String {
    format!("{}&r1=PURGE+http://localhost:3001/login", blocks())
}

/// [`blocks_purge`] where every resource also lacks the header and method
/// settings: three changes per resource, 1 200 in all (the 17 KB link that
/// made the WebAssembly build panic with "capacity overflow").
pub fn blocks_every_setting() -> String {
    let mut l = blocks_purge();
    for b in 1..=20 {
        for r in 1..=20 {
            l.push_str(&format!("&b{b}.r{r}.headers=x&b{b}.r{r}.methods=get"));
        }
    }
    l
}

/// `n` origins regexps that backtrack exponentially: `/(.*)*x/`.
pub fn evil_origins(n: usize) -> String {
    let mut l = String::from("v=1");
    for _ in 0..n {
        l.push_str("&b1.origins=/(.*)*x/");
    }
    l
}

/// 400 resources whose path backtracks for long: thirty `*` compile to
/// thirty `(.*?)` in a row, and the `x` after them never matches.
pub fn evil_paths() -> String {
    let path = format!("/{}x", "*".repeat(30));
    let mut l = blocks();
    for b in 1..=20 {
        for r in 1..=20 {
            l.push_str(&format!("&b{b}.r{r}.path={path}"));
        }
    }
    l
}

/// The login request with `n` custom header lines.
pub fn header_lines(n: usize) -> String {
    let lines: Vec<String> = (0..n).map(|i| format!("X-H{i}: v")).collect();
    format!("v=1&r1.h={}", lines.join("%0A"))
}

/// Twenty requests, each redirected twenty times (raw server).
pub fn redirects() -> String {
    let mut l = String::from("v=1&server=raw&requests=20");
    for i in 1..=20 {
        l.push_str(&format!("&r{i}=GET+http://localhost:3001/r0"));
    }
    for i in 0..20 {
        let n = i + 1;
        l.push_str(&format!(
            "&raw{n}=*+/r{i}&raw{n}.status=302&raw{n}.h=Location:+/r{n}%0AAccess-Control-Allow-Origin:+http://localhost:3000%0AAccess-Control-Allow-Credentials:+true"
        ));
    }
    l
}

/// One response with `n` `Set-Cookie` lines (raw server).
pub fn set_cookies(n: usize) -> String {
    let lines: Vec<String> = (0..n).map(|i| format!("Set-Cookie: c{i}=v")).collect();
    format!(
        "v=1&server=raw&raw1=*+*&raw1.h=Access-Control-Allow-Origin:+http://localhost:3000%0AAccess-Control-Allow-Credentials:+true%0A{}",
        lines.join("%0A")
    )
}

/// Every case, named.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("blocks-344", blocks()),
        ("blocks-purge", blocks_purge()),
        ("blocks-every-setting", blocks_every_setting()),
        ("evil-origins-100", evil_origins(100)),
        ("evil-origins-1000", evil_origins(1000)),
        ("evil-paths-400", evil_paths()),
        ("headers-1000", header_lines(1000)),
        ("headers-5000", header_lines(5000)),
        ("redirects-20x20", redirects()),
        ("set-cookie-1000", set_cookies(1000)),
        ("set-cookie-3000", set_cookies(3000)),
    ]
}
