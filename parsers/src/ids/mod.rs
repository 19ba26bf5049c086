//! IDS / IPS sensors.

pub mod suricata;
