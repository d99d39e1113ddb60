// SPDX-License-Identifier: GPL-2.0-or-later
//! The time budget of one agent invocation.
//!
//! Pacemaker SIGKILLs an agent's process group when the operation timeout expires, without a
//! warning. An agent therefore derives a [`Deadline`] from `OCF_RESKEY_CRM_meta_timeout` minus a
//! safety margin, and every wait, retry and child process is bounded by it, so the agent always
//! answers (with a clear reason) before it is killed.

use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    at: Instant,
}

impl Deadline {
    /// A deadline `budget` from now.
    pub fn after(budget: Duration) -> Self {
        Deadline {
            at: Instant::now() + budget,
        }
    }

    /// The deadline for an operation with timeout `timeout`, keeping a margin to answer in:
    /// 10% of the timeout, at least 500 ms, at most 5 s, and never more than half the timeout.
    pub fn with_margin(timeout: Duration) -> Self {
        let margin = (timeout / 10)
            .clamp(Duration::from_millis(500), Duration::from_secs(5))
            .min(timeout / 2);
        Deadline::after(timeout - margin)
    }

    /// Time left; zero once passed.
    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    pub fn expired(&self) -> bool {
        Instant::now() >= self.at
    }

    /// The earlier of this deadline and `d` from now: for a step with its own limit.
    pub fn capped(&self, d: Duration) -> Deadline {
        let other = Instant::now() + d;
        Deadline {
            at: self.at.min(other),
        }
    }

    /// Sleep `d`, or until the deadline if that comes first. Returns false if the deadline passed.
    pub fn sleep(&self, d: Duration) -> bool {
        std::thread::sleep(d.min(self.remaining()));
        !self.expired()
    }

    /// Run `f` on a worker thread and wait for it until the deadline: for calls that can block
    /// without a timeout of their own (I/O on a dying device, a name lookup against a dead DNS
    /// server). `None` when the deadline came first; the thread is then abandoned.
    pub fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(self.remaining()).ok()
    }

    /// Call `check` until it returns `Some`, sleeping `interval` between tries (the first try is
    /// immediate); `None` once the deadline passes without success.
    pub fn poll<T>(&self, interval: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
        loop {
            if let Some(v) = check() {
                return Some(v);
            }
            if self.expired() || !self.sleep(interval) {
                return check();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_bounded() {
        let d = Deadline::with_margin(Duration::from_secs(20));
        assert!(d.remaining() <= Duration::from_secs(18));
        assert!(d.remaining() > Duration::from_millis(17_500));
        let tiny = Deadline::with_margin(Duration::from_millis(600));
        assert!(tiny.remaining() <= Duration::from_millis(300));
    }

    #[test]
    fn run_abandons_a_blocked_call() {
        let d = Deadline::after(Duration::from_millis(50));
        let start = Instant::now();
        assert_eq!(d.run(|| std::thread::sleep(Duration::from_secs(5))), None);
        assert!(start.elapsed() < Duration::from_secs(1));
        assert_eq!(Deadline::after(Duration::from_secs(5)).run(|| 7), Some(7));
    }

    #[test]
    fn poll_gives_up_at_the_deadline() {
        let d = Deadline::after(Duration::from_millis(50));
        let start = Instant::now();
        let r: Option<()> = d.poll(Duration::from_millis(10), || None);
        assert!(r.is_none());
        assert!(start.elapsed() < Duration::from_millis(500));
        let mut n = 0;
        assert_eq!(
            Deadline::after(Duration::from_secs(5)).poll(Duration::from_millis(1), || {
                n += 1;
                (n == 3).then_some(n)
            }),
            Some(3)
        );
    }
}
