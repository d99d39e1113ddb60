// SPDX-License-Identifier: GPL-2.0-or-later
//! Name resolution bounded by a deadline.

use crate::Deadline;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("resolves to no address")]
    NoAddress,
    #[error("cannot be resolved: {0}")]
    Failed(std::io::Error),
    #[error("could not be resolved in time (no answer from the name service)")]
    Timeout,
}

/// The addresses of `host` (an address literal, `[v6]`, or a name) at `port`. Literals never
/// touch the resolver; names are looked up on a thread abandoned at the deadline, since
/// getaddrinfo has no timeout of its own.
pub fn resolve(
    host: &str,
    port: u16,
    deadline: &Deadline,
) -> Result<Vec<SocketAddr>, ResolveError> {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let name = host.to_string();
    match deadline.run(move || {
        (name.as_str(), port)
            .to_socket_addrs()
            .map(Iterator::collect::<Vec<_>>)
    }) {
        Some(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Some(Ok(_)) => Err(ResolveError::NoAddress),
        Some(Err(e)) => Err(ResolveError::Failed(e)),
        None => Err(ResolveError::Timeout),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn literals_and_names() {
        let d = Deadline::after(Duration::from_secs(5));
        assert_eq!(
            resolve("127.0.0.1", 623, &d).unwrap(),
            vec!["127.0.0.1:623".parse().unwrap()]
        );
        assert_eq!(
            resolve("[::1]", 238, &d).unwrap(),
            vec!["[::1]:238".parse().unwrap()]
        );
        assert!(resolve("localhost", 1, &d).unwrap()[0].ip().is_loopback());
        assert!(resolve("no-such-host.invalid", 1, &d).is_err());
    }
}
