//! IDS / IPS sensors.

pub mod alert_full;
pub mod fastlog;
pub mod scanlogd;
pub mod snort_json;
pub mod suricata;
pub mod zeek;
pub mod zeek_notice;
