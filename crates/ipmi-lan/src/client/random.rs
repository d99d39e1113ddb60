// SPDX-License-Identifier: GPL-2.0-or-later
//! Where session randomness comes from: console session IDs, the RAKP nonce, IPMI 1.5 sequence
//! numbers and the AES-CBC IV of every encrypted packet. Injected, so that tests can make it
//! deterministic or make it fail; when it fails the session fails (`ErrorKind::Random`), since a
//! predictable IV or nonce would weaken the session.

use super::error::{err, Error, ErrorKind};

/// A source of random bytes.
pub trait Random: Send {
    /// Fill `buf` entirely, or fail.
    fn fill(&mut self, buf: &mut [u8]) -> std::io::Result<()>;
}

/// The kernel's random number generator (getrandom(2)).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        // `random_bytes` works on fixed sizes; every caller here asks for at most 16.
        let mut chunks = buf.chunks_mut(16);
        chunks.try_for_each(|c| {
            let r = crate::crypto::random_bytes::<16>()?;
            c.copy_from_slice(&r[..c.len()]);
            Ok(())
        })
    }
}

/// `N` random bytes for `what` (named in the error).
pub(crate) fn bytes<const N: usize>(rng: &mut dyn Random, what: &str) -> Result<[u8; N], Error> {
    let mut b = [0u8; N];
    rng.fill(&mut b).map_err(|e| {
        err(
            ErrorKind::Random,
            format!(
                "cannot draw random bytes for the {what} ({e}); refusing to use a predictable one"
            ),
        )
    })?;
    Ok(b)
}

/// A random non-zero 32-bit number (session IDs and sequence numbers must not be 0).
pub(crate) fn nonzero_u32(rng: &mut dyn Random, what: &str) -> Result<u32, Error> {
    Ok(u32::from_le_bytes(bytes::<4>(rng, what)?).max(1))
}

#[cfg(test)]
pub(crate) mod testing {
    use super::Random;

    /// Deterministic bytes (a counter), failing once `budget` fills have been served.
    pub struct Counter {
        pub next: u8,
        pub budget: usize,
    }

    impl Counter {
        pub fn new() -> Self {
            Counter {
                next: 1,
                budget: usize::MAX,
            }
        }

        pub fn failing_after(budget: usize) -> Self {
            Counter { next: 1, budget }
        }
    }

    impl Random for Counter {
        fn fill(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
            if self.budget == 0 {
                return Err(std::io::Error::from_raw_os_error(libc::ENOSYS));
            }
            self.budget -= 1;
            for b in buf {
                *b = self.next;
                self.next = self.next.wrapping_add(1);
            }
            Ok(())
        }
    }
}
