// SPDX-License-Identifier: GPL-2.0-or-later
//! Issue 13 item 11: when the system's random source fails, an RMCP+ session fails with a clear
//! error instead of encrypting with a predictable IV (it used to fall back to one derived from
//! the clock), end to end against the small BMC in `fake_bmc`.

mod fake_bmc;
use fake_bmc::{FakeBmc, FakeConfig};
use ipmi_lan::{ChassisControl, Config, ErrorKind, Interface, OsRandom, Random, Session};
use rustha_support::{Deadline, Secret};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The kernel's random bytes for `left` requests, then ENOSYS.
struct Budget(Arc<AtomicUsize>);

impl Random for Budget {
    fn fill(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        if self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_err()
        {
            return Err(std::io::Error::from_raw_os_error(libc::ENOSYS));
        }
        OsRandom.fill(buf)
    }
}

fn setup() -> (FakeBmc, Config) {
    let bmc = FakeBmc::start(FakeConfig {
        suites: vec![17, 3],
        user: "admin".into(),
        password: "secret".into(),
        kg: None,
        stuck: false,
    });
    let mut c = Config::new("127.0.0.1", Interface::LanPlus { cipher: Some(17) });
    c.port = bmc.port;
    c.username = "admin".into();
    c.password = Secret::new("secret");
    c.max_retries = 1;
    (bmc, c)
}

fn d() -> Deadline {
    Deadline::after(Duration::from_secs(5))
}

const IV_FAILED: &str = "cannot draw random bytes for the AES-CBC initialisation vector (Function not implemented (os error 38)); refusing to use a predictable one";

#[test]
fn no_random_iv_no_encrypted_command() {
    let (bmc, cfg) = setup();
    // Two draws (console session ID, RAKP nonce) log in; the first encrypted command (Set
    // Session Privilege Level) has no IV.
    let left = Arc::new(AtomicUsize::new(2));
    let e =
        Session::open_with_random(cfg.clone(), Box::new(Budget(left.clone())), &d()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Random);
    assert_eq!(e.message, IV_FAILED);

    // A session that is open when the source fails: the command is not sent.
    let left = Arc::new(AtomicUsize::new(usize::MAX));
    let mut s = Session::open_with_random(cfg, Box::new(Budget(left.clone())), &d()).unwrap();
    left.store(0, Ordering::SeqCst);
    let e = s
        .chassis_control(ChassisControl::PowerDown, &d())
        .unwrap_err();
    assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Random, IV_FAILED));
    assert_eq!(bmc.controls.load(Ordering::SeqCst), 0);
    assert!(bmc.power.load(Ordering::SeqCst));
    left.store(usize::MAX, Ordering::SeqCst);
    s.chassis_control(ChassisControl::PowerDown, &d()).unwrap();
    assert!(!bmc.power.load(Ordering::SeqCst));
}

#[test]
fn no_random_session_id_no_session() {
    let (_bmc, cfg) = setup();
    let e = Session::open_with_random(cfg, Box::new(Budget(Arc::new(AtomicUsize::new(0)))), &d())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Random);
    assert!(
        e.message
            .starts_with("cannot draw random bytes for the console session ID"),
        "{e}"
    );
}
