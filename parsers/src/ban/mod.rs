//! Ban tools: programs that block an address after seeing it misbehave.

pub mod crowdsec;
pub mod crowdsec_json;
pub mod fail2ban;
pub mod portsentry;
pub mod sshguard;
pub mod wazuh;
