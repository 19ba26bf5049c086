//! SIEM export formats that many vendors' devices write: one module per format.
//!
//! - [`cef`]: ArcSight CEF (bare, after a syslog header, or without its `CEF:` word) → IPS
//!   alerts and firewall denies, as a syslog payload.
//! - [`ecs`]: ECS JSON exports and Wazuh `alerts.json` (log formats of their own).
//! - [`leef`]: QRadar LEEF 1.0 / 2.0, the same events, as a syslog payload.

pub mod cef;
pub mod ecs;
pub mod leef;

/// The value of key `k` among `key=value` pairs, trimmed; `None` when absent or empty.
pub fn value<'a>(pairs: &[(&'a str, &'a str)], k: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| *key == k)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}
