//! The release build's code splitting (feature `split`): wasm-split reads the
//! linker's relocations to move functions between modules, so the wasm binary
//! is linked with `--emit-relocs` (as cargo-leptos does for `--split`,
//! leptos-rs/cargo-leptos, src/config/project.rs). Only the binary's link
//! changes: the dependencies are not rebuilt.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    if wasm && std::env::var_os("CARGO_FEATURE_SPLIT").is_some() {
        println!("cargo:rustc-link-arg-bins=--emit-relocs");
    }
}
