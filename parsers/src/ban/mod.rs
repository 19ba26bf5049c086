//! Ban tools: programs that block an address after seeing it misbehave.

pub mod fail2ban;
