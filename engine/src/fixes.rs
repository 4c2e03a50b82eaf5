//! Fixes (being written).
