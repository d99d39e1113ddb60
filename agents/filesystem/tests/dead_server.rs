// SPDX-License-Identifier: GPL-2.0-or-later
//! Stop with a network file system whose server has gone away.
//!
//! The kernel here has no NFS client (no `nfs` in /proc/filesystems, no loadable modules), so
//! no NFS server, kernel or userspace (nfs-ganesha), could be mounted from. The same situation —
//! a network mount whose server vanished, processes holding it, I/O on it hanging — is built
//! with sshfs (FUSE) instead: sshd runs in a network namespace behind a veth pair, the agent
//! mounts it with fstype `fuse.sshfs` through the mount helper, then the link is cut.
//! Needs root, sshfs and openssh-server (apt-get install sshfs openssh-server).

mod run;
use run::*;
use rustha_testkit::*;
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn run(args: &[&str]) -> bool {
    Command::new(args[0])
        .args(&args[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The agent's exit code, or None when it still ran after `limit`.
fn agent_within(action: &str, params: &[(&str, &str)], limit: Duration) -> Option<i32> {
    let mut c = Command::new(AGENT);
    c.arg(action)
        .env("OCF_ROOT", "/usr/lib/ocf")
        .env("OCF_RESOURCE_INSTANCE", "fs-test")
        .env("HA_LOGFACILITY", "none")
        .env_remove("HA_LOGFILE")
        .env_remove("HA_DEBUGLOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in params {
        c.env(format!("OCF_RESKEY_{k}"), v);
    }
    let mut child = c.spawn().expect("run agent");
    let until = Instant::now() + limit;
    loop {
        if let Some(st) = child.try_wait().expect("wait for the agent") {
            return Some(st.code().unwrap_or(-1));
        }
        if Instant::now() >= until {
            // Blocked in a FUSE request already sent to sshfs, it cannot even be killed until
            // the connection aborts (the reaper below ends sshfs): reap it in the background
            // so that the test fails instead of hanging.
            let _ = child.kill();
            std::thread::spawn(move || child.wait());
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A network namespace with sshd behind a veth pair; everything removed on drop.
struct Server {
    ns: String,
    host_if: String,
    sshd: Option<Child>,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        // sshd's per-connection processes leaves first, so each is reaped by its parent (an
        // orphan would become a zombie of init here), then sshd itself.
        let listener = self.sshd.as_ref().map(|c| c.id() as i32);
        for _ in 0..6 {
            let out = Command::new("ip")
                .args(["netns", "pids", &self.ns])
                .output();
            let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
            let pids: Vec<i32> = text
                .unwrap_or_default()
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .filter(|p| Some(*p) != listener)
                .collect();
            if pids.is_empty() {
                break;
            }
            let ppid = |pid: i32| {
                std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|s| {
                        s.rsplit(')')
                            .next()?
                            .split_whitespace()
                            .nth(1)?
                            .parse::<i32>()
                            .ok()
                    })
            };
            let parents: Vec<i32> = pids.iter().filter_map(|p| ppid(*p)).collect();
            for pid in pids.iter().filter(|p| !parents.contains(p)) {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(*pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(Duration::from_millis(200));
        if let Some(mut c) = self.sshd.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        run(&["ip", "link", "del", &self.host_if]);
        run(&["ip", "netns", "del", &self.ns]);
    }
}

/// Kill the sshfs/ssh processes the mount helper started for this test (found by our temp path).
struct KillByMarker(String);

impl Drop for KillByMarker {
    fn drop(&mut self) {
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&cmd).contains(&self.0) && pid != std::process::id() as i32 {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
        }
    }
}

fn tools_present() -> bool {
    ["/usr/sbin/sshd", "/usr/bin/sshfs", "/usr/bin/ssh-keygen"]
        .iter()
        .all(|p| std::path::Path::new(p).exists())
}

#[test]
#[ignore = "needs root"]
fn stop_returns_in_time_when_the_server_is_gone() {
    require_root("loop devices and mounts");
    assert!(
        tools_present(),
        "this test needs sshd, sshfs and ssh-keygen: apt-get install sshfs openssh-server"
    );
    let tmp = TempDir::new("dead");
    let _reaper = KillByMarker(tmp.0.to_string_lossy().into_owned());
    let id = std::process::id();
    let octet = id % 250 + 1;
    let mut srv = Server {
        ns: format!("rustha-fs-{id}"),
        host_if: format!("rfs{}h", id % 100000),
        sshd: None,
        addr: format!("10.199.{octet}.2"),
    };
    let peer_if = format!("rfs{}n", id % 100000);
    assert!(run(&["ip", "netns", "add", &srv.ns]));
    assert!(run(&[
        "ip",
        "link",
        "add",
        &srv.host_if,
        "type",
        "veth",
        "peer",
        "name",
        &peer_if,
        "netns",
        &srv.ns
    ]));
    assert!(run(&[
        "ip",
        "addr",
        "add",
        &format!("10.199.{octet}.1/30"),
        "dev",
        &srv.host_if
    ]));
    assert!(run(&["ip", "link", "set", &srv.host_if, "up"]));
    assert!(run(&[
        "ip",
        "-n",
        &srv.ns,
        "addr",
        "add",
        &format!("{}/30", srv.addr),
        "dev",
        &peer_if
    ]));
    assert!(run(&["ip", "-n", &srv.ns, "link", "set", &peer_if, "up"]));
    assert!(run(&["ip", "-n", &srv.ns, "link", "set", "lo", "up"]));

    // Keys and sshd configuration, all in the temp dir.
    let key = tmp.path("id");
    let hostkey = tmp.path("hostkey");
    assert!(run(&[
        "ssh-keygen",
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-f",
        &key
    ]));
    assert!(run(&[
        "ssh-keygen",
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-f",
        &hostkey
    ]));
    std::fs::copy(format!("{key}.pub"), tmp.path("authorized_keys")).unwrap();
    let export = tmp.path("export");
    std::fs::create_dir(&export).unwrap();
    std::fs::write(format!("{export}/hello"), "hello\n").unwrap();
    let conf = tmp.path("sshd_config");
    std::fs::write(
        &conf,
        format!(
            "Port 2222\nListenAddress {}\nHostKey {hostkey}\nPidFile none\nPermitRootLogin yes\n\
             AuthorizedKeysFile {}\nStrictModes no\nUsePAM no\nSubsystem sftp internal-sftp\n",
            srv.addr,
            tmp.path("authorized_keys")
        ),
    )
    .unwrap();
    let _ = std::fs::create_dir_all("/run/sshd");
    srv.sshd = Some(
        Command::new("ip")
            .args([
                "netns",
                "exec",
                &srv.ns,
                "/usr/sbin/sshd",
                "-D",
                "-e",
                "-f",
                &conf,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sshd"),
    );
    let sock: SocketAddr = format!("{}:2222", srv.addr).parse().unwrap();
    let up = Instant::now();
    while TcpStream::connect_timeout(&sock, Duration::from_millis(200)).is_err() {
        assert!(
            up.elapsed() < Duration::from_secs(10),
            "sshd did not come up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // The directory is given through a symlinked parent (as /var/run -> /run), so the agent
    // has to resolve it without ever touching the mount point itself.
    std::fs::create_dir(tmp.path("real")).unwrap();
    std::os::unix::fs::symlink(tmp.path("real"), tmp.path("link")).unwrap();
    let dir = tmp.path("link/mnt");
    let device = format!("root@{}:{export}", srv.addr);
    let options = format!(
        "IdentityFile={key},StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,port=2222,attr_timeout=0,cache=no"
    );
    let p: Vec<(&str, &str)> = vec![
        ("device", &device),
        ("directory", &dir),
        ("fstype", "fuse.sshfs"),
        ("options", &options),
    ];
    let r = agent("start", &p, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(format!("{dir}/hello")).unwrap(),
        "hello\n"
    );
    assert!(is_mounted(&tmp.path("real/mnt")));
    assert_eq!(agent("monitor", &p, &[]).code, 0);

    // A holder, then the server goes away; I/O on the mount now hangs.
    let mut holder = Command::new("sleep")
        .arg("1030")
        .current_dir(&dir)
        .spawn()
        .unwrap();
    let mut stuck = Command::new("cat")
        .arg(format!("{dir}/hello"))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    assert!(run(&["ip", "link", "set", &srv.host_if, "down"]));
    std::thread::sleep(Duration::from_millis(200));
    let mut probe = Command::new("ls")
        .arg(&dir)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let hangs = probe.try_wait().unwrap().is_none();

    // Monitor reads only /proc/self/mountinfo: it answers at once.
    let t = Instant::now();
    assert_eq!(agent("monitor", &p, &[]).code, 0);
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "monitor took {:?}",
        t.elapsed()
    );

    // validate-all and reload-agent (Pacemaker's reload of a running resource) never look at
    // the mount point either: with attr_timeout=0 and cache=no even a stat of it would hang.
    // (Checked after the stop below, which ends the holder.)
    let mut reload = p.clone();
    reload.push(("signal_delay", "2"));
    let answers: Vec<(&str, Option<i32>, Duration)> = ["reload-agent", "validate-all"]
        .into_iter()
        .map(|action| {
            let t = Instant::now();
            let code = agent_within(action, &reload, Duration::from_secs(5));
            (action, code, t.elapsed())
        })
        .collect();

    let t = Instant::now();
    let r = agent("stop", &p, &[("OCF_RESKEY_CRM_meta_timeout", "20000")]);
    let took = t.elapsed();
    println!("stop with the server gone took {took:?} (an ls on the mount hung: {hangs})");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        took < Duration::from_secs(18),
        "stop took {took:?}, past its deadline"
    );
    assert!(!is_mounted(&tmp.path("real/mnt")), "still mounted");
    let _ = holder.wait();
    let _ = probe.kill();
    let _ = probe.wait();
    let _ = stuck.kill();
    let _ = stuck.wait();
    assert_eq!(agent("monitor", &p, &[]).code, 7);
    assert_eq!(agent("stop", &p, &[]).code, 0);
    for (action, code, took) in answers {
        assert_eq!(
            code,
            Some(0),
            "{action} with the server gone: exit code (None: still running after 5 s)"
        );
        assert!(
            took < Duration::from_secs(2),
            "{action} took {took:?} with the server gone"
        );
    }
}
