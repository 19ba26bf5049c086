//! Counts in prose: "1 event", "2 events" (never "1 events" or "time(s)").

/// `n` followed by `one` or `many`.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn singular_and_plural() {
        assert_eq!(count(1u64, "event", "events"), "1 event");
        assert_eq!(count(0u64, "event", "events"), "0 events");
        assert_eq!(count(2u32, "time", "times"), "2 times");
    }
}
