//! The engine's answer and what it suggests: the trace with its reason codes
//! and spec sections, the smallest fix, and the settings as code to paste.

pub mod app_code;
pub mod codegen;
pub mod devtools;
pub mod fixes;
pub mod spec;
pub mod summary;
pub mod trace;
pub mod versions;
