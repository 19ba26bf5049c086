//! Cloud network controls whose logs are files of their own (not syslog payloads): one module per
//! provider log.
//!
//! - [`aws_vpc`]: AWS VPC flow log records (v2 default and custom field orders, v3–v11 fields),
//!   `REJECT` → `FirewallDeny` (a security group or network ACL drops silently).

pub mod aws_vpc;
