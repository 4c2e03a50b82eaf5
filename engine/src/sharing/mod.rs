//! Sharing a scenario: the permalink, the ready-made presets, and live mode's
//! mapping onto the lab server (the pure parts: no network here).

pub mod live;
pub mod permalink;
pub mod presets;
