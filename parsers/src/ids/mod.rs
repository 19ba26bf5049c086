//! IDS / IPS sensors.

pub mod suricata;
pub mod zeek;
