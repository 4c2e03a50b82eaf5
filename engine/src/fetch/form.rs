//! HTML §Form submission, the parts a scenario can say: the form's entry
//! list (typed as `name=value` lines), where a GET form puts it (the action
//! URL's query) and the `Content-Type` a POST form's `enctype` brings.

use url::Url;

use crate::scenario::FormEnctype;

/// The boundary the engine writes for `multipart/form-data` (browsers pick
/// a random one: Chromium `----WebKitFormBoundary…`, Firefox
/// `----geckoformboundary…`).
pub const MULTIPART_BOUNDARY: &str = "----CrumbtrailFormBoundary7MA4YWxk";

/// The entry list from `name=value` lines, in order. A line without `=` is
/// a field with an empty value; blank lines are skipped. `Err` names the
/// first line whose name is empty (HTML §Constructing the entry list skips
/// such a field, so it cannot be what the author meant).
pub fn form_entries(fields: &str) -> Result<Vec<(String, String)>, String> {
    let mut entries = Vec::new();
    for (n, line) in fields.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (name, value) = line.split_once('=').unwrap_or((line, ""));
        let name = name.trim();
        if name.is_empty() {
            return Err(format!(
                "line {}: `{line}` has no field name (write `name=value`)",
                n + 1
            ));
        }
        entries.push((name.to_string(), value.trim().to_string()));
    }
    Ok(entries)
}

/// HTML §Form submission, "mutate action URL": a GET form replaces the
/// action URL's query with its entries, `application/x-www-form-urlencoded`
/// serialized (an empty list leaves an empty query: `…/search?`).
pub fn get_form_url(action: &Url, entries: &[(String, String)]) -> Url {
    let mut url = action.clone();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(entries)
        .finish();
    url.set_query(Some(&query));
    url
}

/// HTML §Form submission, "submit as entity body": the `Content-Type` of a
/// POST form's body for its `enctype`.
pub fn form_content_type(enctype: FormEnctype) -> String {
    match enctype {
        FormEnctype::UrlEncoded => "application/x-www-form-urlencoded".into(),
        FormEnctype::Multipart => format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"),
        FormEnctype::TextPlain => "text/plain".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_get_query() {
        let e = form_entries("q=rust lang\n\nflag\nx = a&b").unwrap();
        assert_eq!(
            e,
            vec![
                ("q".into(), "rust lang".into()),
                ("flag".into(), String::new()),
                ("x".into(), "a&b".into())
            ]
        );
        let action = Url::parse("http://a.test/search?old=1#top").unwrap();
        assert_eq!(
            get_form_url(&action, &e).as_str(),
            "http://a.test/search?q=rust+lang&flag=&x=a%26b#top"
        );
        assert_eq!(
            get_form_url(&action, &[]).as_str(),
            "http://a.test/search?#top"
        );
        assert!(form_entries("=x").is_err());
    }
}
