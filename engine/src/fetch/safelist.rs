//! Methods and request headers (Fetch §2.2 "HTTP extensions" terminology):
//! method normalisation, forbidden methods and request-headers, the
//! CORS-safelist with every rule, and the CORS-unsafe request-header names
//! that decide whether a preflight is needed and what it asks for.
//!
//! Header values are byte sequences in Fetch; here they are Rust strings, so
//! "length" is the UTF-8 byte length and "isomorphic decoding" is reading
//! the bytes one by one.

use crate::headers::{is_token, HeaderList};
use crate::trace::Reason;

/// The six methods Fetch upper-cases; every other method is sent as written.
const NORMALIZED_METHODS: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Fetch §Methods: to normalize a method, byte-uppercase it only if it is a
/// byte-case-insensitive match for DELETE, GET, HEAD, OPTIONS, POST or PUT.
/// `patch` stays `patch` (and a server will likely answer 405).
pub fn normalize_method(method: &str) -> String {
    if NORMALIZED_METHODS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
    {
        method.to_ascii_uppercase()
    } else {
        method.to_string()
    }
}

/// Fetch §Methods: a forbidden method is a byte-case-insensitive match for
/// CONNECT, TRACE or TRACK.
pub fn is_forbidden_method(method: &str) -> bool {
    ["CONNECT", "TRACE", "TRACK"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// Fetch §Methods: a CORS-safelisted method is `GET`, `HEAD` or `POST`,
/// compared byte for byte (callers normalise first, so `get` becomes `GET`).
pub fn is_cors_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// Fetch §forbidden request-header, step 1: the fixed list of names.
const FORBIDDEN_REQUEST_HEADER_NAMES: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Fetch §forbidden request-header: true when script may not set this header
/// (the browser drops it silently, so a client `Cookie:` header never arrives).
pub fn is_forbidden_request_header(name: &str, value: &str) -> bool {
    // Fetch §forbidden request-header step 1: a byte-case-insensitive match for the list.
    if FORBIDDEN_REQUEST_HEADER_NAMES
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
    {
        return true;
    }
    // Step 2: the byte-lowercased name starts with `proxy-` or `sec-`.
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("proxy-") || lower.starts_with("sec-") {
        return true;
    }
    // Step 3: X-HTTP-Method, X-HTTP-Method-Override and X-Method-Override are
    // forbidden when one of their comma-separated values is a forbidden method.
    if matches!(
        lower.as_str(),
        "x-http-method" | "x-http-method-override" | "x-method-override"
    ) {
        return get_decode_split(value)
            .iter()
            .any(|m| is_forbidden_method(m));
    }
    // Step 4.
    false
}

/// Fetch §"get, decode, and split" applied to one value: split on commas
/// that are not inside a quoted string, trimming HTTP tab or space.
fn get_decode_split(value: &str) -> Vec<String> {
    let bytes = value.as_bytes();
    let mut pos = 0;
    let mut values = Vec::new();
    let mut temporary: Vec<u8> = Vec::new();
    loop {
        // Collect a sequence of code points that are not `"` or `,`.
        while pos < bytes.len() && bytes[pos] != b'"' && bytes[pos] != b',' {
            temporary.push(bytes[pos]);
            pos += 1;
        }
        if pos < bytes.len() && bytes[pos] == b'"' {
            // Collect an HTTP quoted string (extract-value false): the raw text.
            let start = pos;
            collect_http_quoted_string(bytes, &mut pos);
            temporary.extend_from_slice(&bytes[start..pos]);
            if pos < bytes.len() {
                continue;
            }
        }
        let trimmed = trim_bytes(&temporary, |b| b == b' ' || b == b'\t');
        values.push(String::from_utf8_lossy(trimmed).into_owned());
        temporary.clear();
        if pos >= bytes.len() {
            break;
        }
        // The code point at position is `,`: skip it.
        pos += 1;
    }
    values
}

/// Fetch §collect an HTTP quoted string: `pos` is at a `"`; returns the
/// value with quotes and backslash escapes removed and leaves `pos` after
/// the closing quote (or at the end).
fn collect_http_quoted_string(bytes: &[u8], pos: &mut usize) -> Vec<u8> {
    let mut value = Vec::new();
    *pos += 1; // the opening quote
    loop {
        while *pos < bytes.len() && bytes[*pos] != b'"' && bytes[*pos] != b'\\' {
            value.push(bytes[*pos]);
            *pos += 1;
        }
        if *pos >= bytes.len() {
            break;
        }
        let quote_or_backslash = bytes[*pos];
        *pos += 1;
        if quote_or_backslash == b'\\' {
            if *pos >= bytes.len() {
                value.push(b'\\');
                break;
            }
            value.push(bytes[*pos]);
            *pos += 1;
        } else {
            break;
        }
    }
    value
}

fn trim_bytes(bytes: &[u8], ws: impl Fn(u8) -> bool) -> &[u8] {
    let start = bytes.iter().position(|&b| !ws(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|&b| !ws(b)).map_or(start, |e| e + 1);
    &bytes[start..end]
}

/// Fetch §CORS-unsafe request-header byte: below 0x20 except HT, one of
/// `"():<>?@[\]{}`, or DEL.
pub fn is_cors_unsafe_request_header_byte(b: u8) -> bool {
    (b < 0x20 && b != 0x09)
        || matches!(
            b,
            b'"' | b'('
                | b')'
                | b':'
                | b'<'
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
                | 0x7F
        )
}

/// The first CORS-unsafe request-header byte in `value`, if any.
pub fn first_unsafe_byte(value: &str) -> Option<u8> {
    value
        .bytes()
        .find(|&b| is_cors_unsafe_request_header_byte(b))
}

/// The names the CORS safelist knows about, lower-case.
const SAFELISTED_NAMES: [&str; 5] = [
    "accept",
    "accept-language",
    "content-language",
    "content-type",
    "range",
];

/// Fetch §CORS-safelisted request-header. `Ok(())` when the header can go on
/// a cross-origin request without a preflight; otherwise why not:
/// `UnsafelistedHeader` (name not on the list, or a byte/shape the rule for
/// that name refuses), `HeaderValueTooLong` (over 128 bytes) or
/// `ContentTypeNotSafelisted`.
///
/// The spec checks the length before the name; the answer is the same either
/// way, but a 200-byte `X-Foo` is better explained by its name, so the name
/// is looked at first when choosing the reason.
pub fn check_cors_safelisted_request_header(name: &str, value: &str) -> Result<(), Reason> {
    // Fetch §CORS-safelisted request-header step 2: byte-lowercase the name
    // and switch on it; "Otherwise: return false".
    let lower = name.to_ascii_lowercase();
    if !SAFELISTED_NAMES.contains(&lower.as_str()) {
        return Err(Reason::UnsafelistedHeader);
    }
    // Step 1: a value longer than 128 bytes is never safelisted (Chromium 156:
    // a 128-byte Accept is sent without preflight, 129 bytes is preflighted).
    if value.len() > 128 {
        return Err(Reason::HeaderValueTooLong);
    }
    match lower.as_str() {
        // Step 2 `accept`: no CORS-unsafe request-header byte.
        "accept" => {
            if first_unsafe_byte(value).is_some() {
                return Err(Reason::UnsafelistedHeader);
            }
        }
        // Step 2 `accept-language` / `content-language`: only 0-9 A-Z a-z SP * , - . ; =
        "accept-language" | "content-language" => {
            if value.bytes().any(|b| !is_language_byte(b)) {
                return Err(Reason::UnsafelistedHeader);
            }
        }
        "content-type" => {
            // Step 2 `content-type` 1: no CORS-unsafe request-header byte.
            if first_unsafe_byte(value).is_some() {
                return Err(Reason::ContentTypeNotSafelisted);
            }
            // 2–3: parse (strictly, not "extract") the isomorphic decoding as a MIME type.
            let Some(mime) = parse_mime_type(value.as_bytes()) else {
                return Err(Reason::ContentTypeNotSafelisted);
            };
            // 4: the essence must be one of the three form-era types.
            if !matches!(
                mime.essence().as_str(),
                "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
            ) {
                return Err(Reason::ContentTypeNotSafelisted);
            }
        }
        "range" => {
            // Step 2 `range`: parse a single range header value (no whitespace);
            // failure or a missing start (`bytes=-500`) is not safelisted.
            match parse_single_range(value.as_bytes()) {
                Some((Some(_), _)) => {}
                _ => return Err(Reason::UnsafelistedHeader),
            }
        }
        _ => return Err(Reason::UnsafelistedHeader),
    }
    // Step 3: return true.
    Ok(())
}

/// True when the header is CORS-safelisted (see [`check_cors_safelisted_request_header`]).
pub fn is_cors_safelisted_request_header(name: &str, value: &str) -> bool {
    check_cors_safelisted_request_header(name, value).is_ok()
}

/// One sentence saying which safelist rule a header breaks, for explanations;
/// `None` when the header is safelisted.
pub fn describe_not_safelisted(name: &str, value: &str) -> Option<String> {
    let reason = check_cors_safelisted_request_header(name, value).err()?;
    let lower = name.to_ascii_lowercase();
    Some(match reason {
        Reason::HeaderValueTooLong => format!(
            "`{name}` is on the safelist, but its value is {} bytes and the limit is 128",
            value.len()
        ),
        Reason::ContentTypeNotSafelisted => {
            if let Some(b) = first_unsafe_byte(value) {
                format!(
                    "`Content-Type: {value}` contains {}, a byte the safelist refuses",
                    show_byte(b)
                )
            } else if let Some(mime) = parse_mime_type(value.as_bytes()) {
                format!(
                    "`Content-Type: {value}` is `{}`; only `text/plain`, `multipart/form-data` and `application/x-www-form-urlencoded` are safelisted",
                    mime.essence()
                )
            } else {
                format!("`Content-Type: {value}` does not parse as a MIME type")
            }
        }
        _ => match lower.as_str() {
            "accept" => format!(
                "`Accept: {value}` contains {}, a byte the safelist refuses",
                first_unsafe_byte(value).map(show_byte).unwrap_or_default()
            ),
            "accept-language" | "content-language" => format!(
                "`{name}` may only contain letters, digits, space and `*,-.;=`, and `{value}` has {}",
                value
                    .bytes()
                    .find(|&b| !is_language_byte(b))
                    .map(show_byte)
                    .unwrap_or_default()
            ),
            "range" => format!(
                "`Range: {value}` is not a single `bytes=N-` or `bytes=N-M` range"
            ),
            _ => format!("`{name}` is not one of the CORS-safelisted request headers (Accept, Accept-Language, Content-Language, Content-Type, Range)"),
        },
    })
}

fn show_byte(b: u8) -> String {
    if (0x21..0x7F).contains(&b) {
        format!("`{}`", b as char)
    } else {
        format!("the byte 0x{b:02X}")
    }
}

fn is_language_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'=')
}

/// Fetch §no-CORS-safelisted request-header: the name is Accept,
/// Accept-Language, Content-Language or Content-Type (not Range), and the
/// header is CORS-safelisted. `no-cors` requests drop every other header.
pub fn is_no_cors_safelisted_request_header(name: &str, value: &str) -> bool {
    // Step 1: the no-CORS-safelisted request-header names.
    let allowed = [
        "accept",
        "accept-language",
        "content-language",
        "content-type",
    ]
    .iter()
    .any(|n| n.eq_ignore_ascii_case(name));
    // Step 2: and CORS-safelisted.
    allowed && is_cors_safelisted_request_header(name, value)
}

/// The result of Fetch §CORS-unsafe request-header names, with the reason
/// each name is there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnsafeHeaderNames {
    /// Sorted, lower-case, no duplicates: the `Access-Control-Request-Headers`
    /// items (joined with `,`, no space).
    pub names: Vec<String>,
    /// For each name (lower-case, once), why it is unsafe.
    pub why: Vec<(String, Reason)>,
    /// The safelisted values together exceed 1024 bytes, so every safelisted
    /// header became unsafe too (reason `SafelistedHeadersTooLong`).
    pub over_total_limit: bool,
}

impl UnsafeHeaderNames {
    /// No preflight is needed on account of the headers.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The `Access-Control-Request-Headers` value, or `None` when empty.
    pub fn request_headers_value(&self) -> Option<String> {
        (!self.names.is_empty()).then(|| self.names.join(","))
    }

    /// Why `name` (any case) is unsafe, if it is.
    pub fn reason_for(&self, name: &str) -> Option<Reason> {
        self.why
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, r)| *r)
    }
}

/// Fetch §CORS-unsafe request-header names, given the header list script set
/// (after forbidden headers were dropped, with the body's Content-Type added).
pub fn cors_unsafe_request_header_names(headers: &HeaderList) -> UnsafeHeaderNames {
    let mut unsafe_names: Vec<String> = Vec::new();
    let mut why: Vec<(String, Reason)> = Vec::new();
    let mut potentially_unsafe: Vec<String> = Vec::new();
    let mut safelist_value_size: usize = 0;
    // Step 4: each header is either unsafe, or potentially unsafe with its
    // value's length counted.
    for (name, value) in headers.iter() {
        let lower = name.to_ascii_lowercase();
        match check_cors_safelisted_request_header(name, value) {
            Err(reason) => {
                why.push((lower.clone(), reason));
                unsafe_names.push(lower);
            }
            Ok(()) => {
                potentially_unsafe.push(lower);
                safelist_value_size = safelist_value_size.saturating_add(value.len());
            }
        }
    }
    // Step 5: more than 1024 bytes of safelisted values makes them all unsafe.
    let over_total_limit = safelist_value_size > 1024;
    if over_total_limit {
        for name in potentially_unsafe {
            why.push((name.clone(), Reason::SafelistedHeadersTooLong));
            unsafe_names.push(name);
        }
    }
    // Step 6: convert header names to a sorted-lowercase set. Each name keeps
    // the reason of its first line (the sort is stable, `dedup` keeps the first).
    unsafe_names.sort();
    unsafe_names.dedup();
    why.sort_by(|a, b| a.0.cmp(&b.0));
    why.dedup_by(|later, first| later.0 == first.0);
    UnsafeHeaderNames {
        names: unsafe_names,
        why,
        over_total_limit,
    }
}

/// Why each CORS-unsafe header needs a preflight, one clause per name joined
/// with `; `, for the explanation of the preflight step. Each name's value is
/// the combined value of its lines (as [`HeaderList::get`] gives it). The
/// header list is read once, so the cost stays linear in its length.
pub fn describe_unsafe_names(unsafe_names: &UnsafeHeaderNames, headers: &HeaderList) -> String {
    let mut lines: Vec<(String, &str)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v))
        .collect();
    // Stable: the values of one name stay in order.
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    unsafe_names
        .names
        .iter()
        .map(|n| {
            let start = lines.partition_point(|(l, _)| l < n);
            let end = start + lines[start..].partition_point(|(l, _)| l == n);
            let value = lines[start..end]
                .iter()
                .map(|(_, v)| *v)
                .collect::<Vec<_>>()
                .join(", ");
            describe_not_safelisted(n, &value)
                .unwrap_or_else(|| format!("`{n}` is not CORS-safelisted"))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A MIME type as MIME Sniffing §4.4 "parse a MIME type" returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MimeType {
    /// ASCII-lowercase type.
    pub type_: String,
    /// ASCII-lowercase subtype.
    pub subtype: String,
    /// Parameters in order, names lower-case, first occurrence wins.
    pub parameters: Vec<(String, String)>,
}

impl MimeType {
    /// `type/subtype`.
    pub fn essence(&self) -> String {
        format!("{}/{}", self.type_, self.subtype)
    }
}

fn is_http_whitespace(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | b' ')
}

/// MIME Sniffing §HTTP quoted-string token code point: TAB, 0x20–0x7E, 0x80–0xFF.
fn is_quoted_string_token_byte(b: u8) -> bool {
    b == b'\t' || (0x20..=0x7E).contains(&b) || b >= 0x80
}

fn is_token_bytes(s: &[u8]) -> bool {
    std::str::from_utf8(s).is_ok_and(is_token)
}

/// MIME Sniffing §4.4 "parse a MIME type" over the isomorphic decoding of
/// `input` (bytes taken one by one). `None` is failure.
pub fn parse_mime_type(input: &[u8]) -> Option<MimeType> {
    // 1. Remove leading and trailing HTTP whitespace.
    let input = trim_bytes(input, is_http_whitespace);
    let mut pos = 0;
    // 3. type: code points up to `/`.
    let start = pos;
    while pos < input.len() && input[pos] != b'/' {
        pos += 1;
    }
    let type_ = &input[start..pos];
    // 4. Empty or not solely HTTP token code points: failure.
    if type_.is_empty() || !is_token_bytes(type_) {
        return None;
    }
    // 5. Past the end: failure.
    if pos >= input.len() {
        return None;
    }
    // 6. Skip `/`.
    pos += 1;
    // 7. subtype: code points up to `;`.
    let start = pos;
    while pos < input.len() && input[pos] != b';' {
        pos += 1;
    }
    // 8. Remove trailing HTTP whitespace.
    let raw = &input[start..pos];
    let subtype = &raw[..raw
        .iter()
        .rposition(|&b| !is_http_whitespace(b))
        .map_or(0, |e| e + 1)];
    // 9. Empty or not solely HTTP token code points: failure.
    if subtype.is_empty() || !is_token_bytes(subtype) {
        return None;
    }
    // 10. Lower-case type and subtype.
    let mut mime = MimeType {
        type_: String::from_utf8_lossy(type_).to_ascii_lowercase(),
        subtype: String::from_utf8_lossy(subtype).to_ascii_lowercase(),
        parameters: Vec::new(),
    };
    // 11. Parameters. Invalid ones are skipped, never a failure.
    while pos < input.len() {
        // 11.1 Skip `;`.
        pos += 1;
        // 11.2 Skip HTTP whitespace.
        while pos < input.len() && is_http_whitespace(input[pos]) {
            pos += 1;
        }
        // 11.3 Name: up to `;` or `=`; 11.4 lower-cased.
        let start = pos;
        while pos < input.len() && input[pos] != b';' && input[pos] != b'=' {
            pos += 1;
        }
        let name = input[start..pos].to_ascii_lowercase();
        // 11.5 A `;` ends a parameter without value; otherwise skip `=`.
        if pos < input.len() {
            if input[pos] == b';' {
                continue;
            }
            pos += 1;
        }
        // 11.6 Past the end: stop.
        if pos >= input.len() {
            break;
        }
        // 11.7–11.9 The value: quoted, or up to `;` with trailing whitespace removed.
        let value: Vec<u8> = if input[pos] == b'"' {
            let v = collect_http_quoted_string(input, &mut pos);
            while pos < input.len() && input[pos] != b';' {
                pos += 1;
            }
            v
        } else {
            let start = pos;
            while pos < input.len() && input[pos] != b';' {
                pos += 1;
            }
            let raw = &input[start..pos];
            let end = raw
                .iter()
                .rposition(|&b| !is_http_whitespace(b))
                .map_or(0, |e| e + 1);
            if end == 0 {
                continue;
            }
            raw[..end].to_vec()
        };
        // 11.10 Keep it if the name is a token, the value is quoted-string
        // token code points, and the name is new.
        if !name.is_empty()
            && is_token_bytes(&name)
            && value.iter().all(|&b| is_quoted_string_token_byte(b))
        {
            let name = String::from_utf8_lossy(&name).into_owned();
            if !mime.parameters.iter().any(|(n, _)| *n == name) {
                mime.parameters
                    .push((name, String::from_utf8_lossy(&value).into_owned()));
            }
        }
    }
    Some(mime)
}

/// Fetch §parse a single range header value with allowWhitespace false:
/// `bytes=N-`, `bytes=N-M` or `bytes=-M`. Numbers are kept as digit strings
/// (no overflow); `None` is failure.
pub fn parse_single_range(value: &[u8]) -> Option<(Option<String>, Option<String>)> {
    // Steps 1–2: must start with "bytes".
    let rest = value.strip_prefix(b"bytes")?;
    // Step 5: then `=`.
    let rest = rest.strip_prefix(b"=")?;
    // Steps 7–8: the start digits.
    let start_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (start, rest) = rest.split_at(start_len);
    // Step 10: then `-`.
    let rest = rest.strip_prefix(b"-")?;
    // Steps 13–14: the end digits.
    let end_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (end, rest) = rest.split_at(end_len);
    // Step 15: nothing may follow.
    if !rest.is_empty() {
        return None;
    }
    let digits = |d: &[u8]| (!d.is_empty()).then(|| String::from_utf8_lossy(d).into_owned());
    let (start, end) = (digits(start), digits(end));
    // Step 16: both missing is failure.
    if start.is_none() && end.is_none() {
        return None;
    }
    // Step 17: start greater than end is failure.
    if let (Some(s), Some(e)) = (&start, &end) {
        if cmp_decimal(s, e) == std::cmp::Ordering::Greater {
            return None;
        }
    }
    Some((start, end))
}

/// Compares two ASCII digit strings as numbers, whatever their length.
fn cmp_decimal(a: &str, b: &str) -> std::cmp::Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_decode_split_handles_quotes() {
        assert_eq!(get_decode_split("GET, TRACE"), vec!["GET", "TRACE"]);
        assert_eq!(get_decode_split("\"a,b\", c"), vec!["\"a,b\"", "c"]);
        assert_eq!(get_decode_split(""), vec![""]);
        assert_eq!(get_decode_split("\"unterminated"), vec!["\"unterminated"]);
        // Fetch §header value "get, decode, and split" examples.
        assert_eq!(get_decode_split("nosniff,"), vec!["nosniff", ""]);
        assert_eq!(
            get_decode_split("text/html;\", x/x"),
            vec!["text/html;\", x/x"]
        );
        assert_eq!(
            get_decode_split("x/x;test=\"hi\",y/y"),
            vec!["x/x;test=\"hi\"", "y/y"]
        );
        assert_eq!(get_decode_split("x / x,,,1"), vec!["x / x", "", "", "1"]);
    }

    #[test]
    fn mime_parse_keeps_first_parameter_and_lowercases() {
        let m = parse_mime_type(b" Text/Plain ; Charset=UTF-8; charset=latin1 ").unwrap();
        assert_eq!(m.essence(), "text/plain");
        assert_eq!(m.parameters, vec![("charset".into(), "UTF-8".into())]);
        assert_eq!(parse_mime_type(b"text/"), None);
        assert_eq!(parse_mime_type(b"/plain"), None);
        assert_eq!(parse_mime_type(b"text"), None);
        assert_eq!(parse_mime_type(b"te xt/plain"), None);
    }
}
