//! heartbeat v1 ("haresources") invocation: `AGENT positional... ACTION`.
//!
//! The old heartbeat wrappers called resource scripts with the resource's arguments before the
//! action, e.g. `IPaddr2 10.0.0.5/24/eth0/10.0.0.255 start` or
//! `Filesystem /dev/sda3 /ogfs ogfs hostdata=x start`. Each agent maps its positional
//! arguments to its parameters with a [`LegacyMapper`].

use crate::Result;

/// Maps positional arguments to `(parameter, value)` pairs, or fails with a reason.
pub type LegacyMapper = fn(&[String]) -> Result<Vec<(&'static str, String)>>;

/// Split argv (without the program name) into the action and the positional arguments before it.
/// `None` when there is no action at all.
pub(crate) fn split_argv(argv: &[String]) -> Option<(&str, &[String])> {
    let (action, positional) = argv.split_last()?;
    Some((action.as_str(), positional))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_is_last() {
        let argv: Vec<String> = ["10.0.0.5/24", "start"].map(String::from).to_vec();
        let (a, p) = split_argv(&argv).unwrap();
        assert_eq!(a, "start");
        assert_eq!(p, &["10.0.0.5/24".to_string()]);
        assert!(split_argv(&[]).is_none());
    }
}
