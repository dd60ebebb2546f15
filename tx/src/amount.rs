//! u128 amounts as canonical decimal strings.

use crate::TxError;

/// Parses a canonical decimal `u128`: ASCII digits only, no sign, no leading zero
/// (except `"0"` itself), at most `u128::MAX`.
///
/// # Errors
/// [`TxError::BadAmount`] for anything else, so that each amount has exactly one encoding.
pub fn parse_amount(s: &str) -> Result<u128, TxError> {
    let bad = |reason: &str| TxError::BadAmount {
        value: truncate(s),
        reason: reason.into(),
    };
    if s.is_empty() {
        return Err(bad("empty"));
    }
    if s.len() > 39 {
        return Err(bad("more than 39 digits"));
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("not a decimal integer"));
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(bad("leading zero"));
    }
    s.parse::<u128>().map_err(|_| bad("exceeds u128"))
}

/// Formats an amount canonically.
pub fn format_amount(v: u128) -> String {
    v.to_string()
}

fn truncate(s: &str) -> String {
    s.chars().take(48).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn non_canonical_amounts_are_rejected() {
        for s in [
            "",
            "01",
            "+1",
            "-1",
            " 1",
            "1.0",
            "1e3",
            "340282366920938463463374607431768211456",
        ] {
            assert!(parse_amount(s).is_err(), "{s:?} accepted");
        }
        assert_eq!(parse_amount("0").unwrap(), 0);
        assert_eq!(parse_amount(&u128::MAX.to_string()).unwrap(), u128::MAX);
    }

    proptest! {
        #[test]
        fn amount_round_trips(v in any::<u128>()) {
            prop_assert_eq!(parse_amount(&format_amount(v)).unwrap(), v);
        }
    }
}
