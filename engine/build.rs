//! Compiles the Public Suffix List (`data/public_suffix_list.dat`) into a compact trie text
//! that `site.rs` embeds and reads on first use. The text is about half the size of the list
//! and compresses well, which keeps the WebAssembly build small.
//!
//! Format: nodes are `label`, `label?` (not itself a rule, only a prefix of longer rules) or
//! `!label` (an exception rule); a node's children follow in parentheses, separated by commas,
//! ordered by label. Labels are stored reversed from the top-level domain and in their ASCII
//! (punycode) form, which is how the URL parser gives hosts to the engine.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::{env, fs, path::Path};

#[derive(Default)]
struct Node {
    rule: bool,
    exception: bool,
    children: BTreeMap<String, Node>,
}

fn main() {
    let list = "data/public_suffix_list.dat";
    println!("cargo:rerun-if-changed={list}");
    println!("cargo:rerun-if-changed=build.rs");
    let text = fs::read_to_string(list).expect("read the Public Suffix List");

    let mut root = Node::default();
    let mut rules = 0usize;
    for line in text.lines() {
        // publicsuffix.org/list "Definitions": each line is only read up to the first
        // whitespace; comments start with `//`.
        let rule = line.split_whitespace().next().unwrap_or("");
        if rule.is_empty() || rule.starts_with("//") {
            continue;
        }
        let (exception, name) = match rule.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let mut node = &mut root;
        for label in name.split('.').rev() {
            let ascii = if label == "*" {
                label.to_string()
            } else {
                // The same conversion as origin::ascii_host: lowercase, then Punycode for
                // a non-ASCII label (the list's labels are already in Unicode normal form).
                let lower = label.to_lowercase();
                if lower.is_ascii() {
                    lower
                } else {
                    let encoded = idna::punycode::encode_str(&lower)
                        .unwrap_or_else(|| panic!("rule {rule:?}: cannot encode {label:?}"));
                    format!("xn--{encoded}")
                }
            };
            assert!(
                !ascii.is_empty()
                    && ascii.bytes().all(|b| b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b == b'-'
                        || b == b'_'
                        || b == b'*'),
                "rule {rule:?}: unexpected label {ascii:?}"
            );
            node = node.children.entry(ascii).or_default();
        }
        if exception {
            node.exception = true;
        } else {
            node.rule = true;
        }
        rules += 1;
    }
    assert!(
        rules > 5000,
        "the Public Suffix List looks truncated ({rules} rules)"
    );

    let mut out = String::new();
    write_children(&root, &mut out);
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("public_suffix_trie.txt");
    fs::write(dest, out).expect("write the compiled Public Suffix List");
}

fn write_children(node: &Node, out: &mut String) {
    for (i, (label, child)) in node.children.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if child.exception {
            // An exception rule never has children of its own in the list; if it ever did,
            // the children are written under a separate, plain node below.
            out.push('!');
            out.push_str(label);
            if !child.rule && child.children.is_empty() {
                continue;
            }
            out.push(',');
        }
        let _ = write!(out, "{label}");
        if !child.rule {
            out.push('?');
        }
        if !child.children.is_empty() {
            out.push('(');
            write_children(child, out);
            out.push(')');
        }
    }
}
