//! IDS / IPS sensors.

pub mod fastlog;
pub mod snort_json;
pub mod suricata;
pub mod zeek;
