//! The two ways a FastAPI app sets a cookie: `Response.set_cookie`
//! (`starlette/responses.py`, formatted by Python's
//! `http.cookies.Morsel.OutputString`) and `SessionMiddleware`
//! (`starlette/middleware/sessions.py`), which writes its `Set-Cookie` line
//! by hand, in lower case.

use crate::server::session_store::httpdate;

use super::settings::{FastApiVersion, SessionOptions, SetCookieCall};

/// `http.cookies._LegalChars`: a value of only these is written bare.
fn is_legal(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~:".contains(c)
}

/// `http.cookies._quote`: a value with any other character (or an empty
/// one) is written in double quotes, `"` and `\` escaped with a backslash
/// and the code points up to 255 outside `_UnescapedChars` (`;`, `,`,
/// controls, Latin-1) as `\ooo` octal.
pub fn quote(value: &str) -> String {
    if !value.is_empty() && value.chars().all(is_legal) {
        return value.to_string();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_legal(c) || " ()/<=>?@[]{}".contains(c) || u32::from(c) > 255 => out.push(c),
            c => out.push_str(&format!("\\{:03o}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// `Response.set_cookie(...)`: a `SimpleCookie` morsel, output with its
/// attributes sorted by name (`domain`, `expires`, `httponly`, `max-age`,
/// `partitioned`, `path`, `samesite`, `secure`) under their reserved
/// spellings. `now` is the server's clock for an integer `expires`.
pub fn set_cookie_line(c: &SetCookieCall, now: i64) -> String {
    let mut s = format!("{}={}", c.key, quote(&c.value));
    if let Some(d) = &c.domain {
        s.push_str(&format!("; Domain={d}"));
    }
    if let Some(e) = &c.expires {
        // An int is seconds from now (`_getdate`); a string goes as is.
        match e.parse::<i64>() {
            Ok(secs) => s.push_str(&format!("; expires={}", httpdate(now + secs))),
            Err(_) => s.push_str(&format!("; expires={e}")),
        }
    }
    if c.httponly {
        s.push_str("; HttpOnly");
    }
    if let Some(m) = c.max_age {
        s.push_str(&format!("; Max-Age={m}"));
    }
    if c.partitioned {
        s.push_str("; Partitioned");
    }
    if let Some(p) = &c.path {
        s.push_str(&format!("; Path={p}"));
    }
    if let Some(ss) = &c.samesite {
        s.push_str(&format!("; SameSite={ss}"));
    }
    if c.secure {
        s.push_str("; Secure");
    }
    s
}

/// `SessionMiddleware.__init__`'s `security_flags`.
pub fn security_flags(o: &SessionOptions, version: FastApiVersion) -> String {
    let mut f = format!("httponly; samesite={}", o.same_site.as_str());
    if o.https_only {
        f.push_str("; secure");
    }
    if let Some(d) = &o.domain {
        f.push_str(&format!("; domain={d}"));
    }
    if o.partitioned && version.starlette_1() {
        f.push_str("; partitioned");
    }
    f
}

/// The line `send_wrapper` appends when there is session data to persist.
/// 0.x leaves out `Max-Age` for any falsy `max_age` (0 too); 1.x only for
/// `None`.
pub fn session_set_line(o: &SessionOptions, version: FastApiVersion, data: &str) -> String {
    let max_age = match o.max_age {
        Some(m) if version.starlette_1() || m != 0 => format!("Max-Age={m}; "),
        _ => String::new(),
    };
    format!(
        "{}={data}; path={}; {max_age}{}",
        o.session_cookie,
        o.path,
        security_flags(o, version)
    )
}

/// The line `send_wrapper` appends when the session was cleared.
pub fn session_clear_line(o: &SessionOptions, version: FastApiVersion) -> String {
    format!(
        "{}=null; path={}; expires=Thu, 01 Jan 1970 00:00:00 GMT; {}",
        o.session_cookie,
        o.path,
        security_flags(o, version)
    )
}

/// The session's signed value. Starlette writes
/// `base64(json(session)).timestamp.signature` (itsdangerous'
/// `TimestampSigner`); the model writes the same three parts with the
/// JSON's base64, its clock as the timestamp and a marker for the
/// signature, so the next request (or the lab's next model) can read it
/// back: a value without the marker has a bad signature.
pub fn sign(user_id: &str, now: i64) -> String {
    let json = format!("{{\"user_id\": {user_id}}}");
    format!("{}.{now}.ctsig", base64(json.as_bytes()))
}

/// `signer.unsign(data, max_age=self.max_age)`: the user id, or why the
/// session is empty (`BadSignature`, `SignatureExpired`).
pub fn unsign(value: &str, max_age: Option<i64>, now: i64) -> Result<String, Unsigned> {
    let mut parts = value.rsplitn(3, '.');
    let (sig, ts, data) = (parts.next(), parts.next(), parts.next());
    let (Some("ctsig"), Some(ts), Some(data)) = (sig, ts, data) else {
        return Err(Unsigned::BadSignature);
    };
    let ts: i64 = ts.parse().map_err(|_| Unsigned::BadSignature)?;
    if let Some(m) = max_age {
        if now - ts > m {
            return Err(Unsigned::Expired);
        }
    }
    let json = unbase64(data).ok_or(Unsigned::BadSignature)?;
    let id = json
        .strip_prefix("{\"user_id\": ")
        .and_then(|r| r.strip_suffix('}'))
        .ok_or(Unsigned::BadSignature)?;
    Ok(id.to_string())
}

/// Why a session cookie gave an empty session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsigned {
    BadSignature,
    Expired,
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `base64.b64encode`.
fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64(s: &str) -> Option<String> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = B64.iter().position(|&x| x == c)? as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `HTTPConnection.cookies`: Starlette's `cookie_parser`
/// (`starlette/requests.py`): `;`-separated, split at the first `=`, a
/// chunk without `=` has the empty name, both sides stripped, the value
/// unquoted, the last of a name wins.
pub fn parse_cookies(header: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for chunk in header.split(';') {
        let (k, v) = match chunk.split_once('=') {
            Some((k, v)) => (k.trim(), v.trim()),
            None => ("", chunk.trim()),
        };
        if k.is_empty() && v.is_empty() {
            continue;
        }
        let v = v
            .strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .unwrap_or(v);
        out.retain(|(n, _)| n != k);
        out.push((k.to_string(), v.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::fastapi::settings::SameSite;

    #[test]
    fn set_cookie_lines_as_morsel_writes_them() {
        let call = |edit: fn(&mut SetCookieCall)| {
            let mut c = SetCookieCall::default();
            edit(&mut c);
            set_cookie_line(&c, 0)
        };
        for (line, want) in [
            (call(|_| {}), "token=ct-token-1; Path=/; SameSite=lax"),
            (
                call(|c| {
                    c.secure = true;
                    c.httponly = true;
                    c.samesite = Some("none".into());
                    c.max_age = Some(3600);
                    c.domain = Some("example.com".into());
                }),
                "token=ct-token-1; Domain=example.com; HttpOnly; Max-Age=3600; Path=/; SameSite=none; Secure",
            ),
            (call(|c| {
                c.samesite = None;
                c.path = None;
                c.value = "a b;c".into();
            }), "token=\"a b\\073c\""),
            (call(|c| {
                c.expires = Some("0".into());
                c.max_age = Some(0);
                c.value = String::new();
            }), "token=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=lax"),
            (call(|c| c.samesite = Some("Strict".into())), "token=ct-token-1; Path=/; SameSite=Strict"),
        ] {
            assert_eq!(line, want);
        }
    }

    #[test]
    fn session_lines_by_version() {
        let mut o = SessionOptions::default();
        for v in FastApiVersion::ALL {
            assert_eq!(
                session_set_line(&o, v, "abc"),
                "session=abc; path=/; Max-Age=1209600; httponly; samesite=lax"
            );
        }
        o.https_only = true;
        o.same_site = SameSite::None;
        o.domain = Some("example.com".into());
        o.max_age = Some(0);
        assert_eq!(
            session_set_line(&o, FastApiVersion::V0_110, "abc"),
            "session=abc; path=/; httponly; samesite=none; secure; domain=example.com"
        );
        assert_eq!(
            session_set_line(&o, FastApiVersion::V0_165, "abc"),
            "session=abc; path=/; Max-Age=0; httponly; samesite=none; secure; domain=example.com"
        );
        o.max_age = None;
        o.partitioned = true;
        assert_eq!(
            session_clear_line(&o, FastApiVersion::V0_165),
            "session=null; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly; samesite=none; secure; domain=example.com; partitioned"
        );
    }

    #[test]
    fn signed_values_read_back_and_expire() {
        let v = sign("1", 1000);
        assert!(v.starts_with("eyJ1c2VyX2lkIjogMX0=."), "{v}");
        assert_eq!(unsign(&v, Some(10), 1005), Ok("1".into()));
        assert_eq!(unsign(&v, Some(10), 1011), Err(Unsigned::Expired));
        assert_eq!(unsign(&v, None, 99999), Ok("1".into()));
        assert_eq!(
            unsign("eyJ1c2VyX2lkIjogMX0=.1000.realsig", None, 0),
            Err(Unsigned::BadSignature)
        );
        assert_eq!(unsign("null", None, 0), Err(Unsigned::BadSignature));
    }
}
