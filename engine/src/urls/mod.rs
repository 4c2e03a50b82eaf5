//! URLs and sites: origins and potentially trustworthy origins (URL Standard,
//! Secure Contexts), sites from the Public Suffix List (HTML §Sites), and
//! mixed content.

pub mod address_space;
pub mod mixed_content;
pub mod origin;
pub mod site;
