//! The release build's split points, which may fail.
//!
//! A chunk is fetched the first time one of its functions is called; on a
//! phone that lost its connection the fetch fails. Leptos' `#[lazy]` turns
//! that failure into a panic, which aborts the whole wasm module: the page
//! would stop answering. [`split_point!`] declares the same split point with
//! wasm_split's `fallible` option instead: the call returns
//! `Err(ChunkMissing)`, nothing is cached, and the next call fetches the
//! chunk again (wasm_split_helpers, `rt::ensure_loaded`). The caller says
//! what could not be downloaded and offers to try again.
//!
//! Without the `split` feature (native builds and the wasm tests) a split
//! point is a plain `async fn` that always returns `Ok`.

/// A chunk that could not be downloaded.
pub use leptos::wasm_split::SplitLoaderError as ChunkMissing;

/// `split_point! { async fn name(args) -> T { body } }` declares
/// `async fn name(args) -> Result<T, ChunkMissing>`, whose body (and what
/// only it reaches) is moved into a chunk of its own named `name` (the chunk
/// names are unique in the crate; `build/split-wasm` reads the models' ones).
macro_rules! split_point {
    ($(#[$attr:meta])* $vis:vis async fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $out:ty $body:block) => {
        // The split function itself cannot be `async`: it returns its future
        // boxed, and the wrapper awaits it once the chunk is loaded.
        #[cfg(feature = "split")]
        $(#[$attr])*
        #[::leptos::wasm_split::wasm_split(
            $name,
            wasm_split_path = ::leptos::wasm_split,
            fallible,
            return_wrapper(let future = _; { Ok(future.await) } -> ::core::result::Result<$out, $crate::ui::split::ChunkMissing>)
        )]
        $vis fn $name($($arg: $ty),*) -> ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = $out>>> {
            ::std::boxed::Box::pin(async move $body)
        }

        #[cfg(not(feature = "split"))]
        $(#[$attr])*
        $vis async fn $name($($arg: $ty),*) -> ::core::result::Result<$out, $crate::ui::split::ChunkMissing> {
            Ok(async move $body.await)
        }
    };
}

pub(crate) use split_point;
