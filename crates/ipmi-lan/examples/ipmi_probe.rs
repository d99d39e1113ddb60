// SPDX-License-Identifier: GPL-2.0-or-later
//! Manual probe: `ipmi_probe HOST PORT USER lan|lanplus [CIPHER|AUTH] [status|on|off|cycle]`
//! (password from $IPMI_PASSWORD).
use ipmi_lan::{AuthType, ChassisControl, Config, Interface, Session};
use rustha_support::{Deadline, Secret};
use std::time::Duration;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let iface = match (a[4].as_str(), a.get(5).map(String::as_str)) {
        ("lan", Some("md5")) => Interface::Lan {
            auth: Some(AuthType::Md5),
        },
        ("lan", Some("password")) => Interface::Lan {
            auth: Some(AuthType::Password),
        },
        ("lan", Some("none")) => Interface::Lan {
            auth: Some(AuthType::None),
        },
        ("lan", _) => Interface::Lan { auth: None },
        (_, Some(c)) if c != "-" => Interface::LanPlus {
            cipher: c.parse().ok(),
        },
        _ => Interface::LanPlus { cipher: None },
    };
    let mut cfg = Config::new(a[1].clone(), iface);
    cfg.port = a[2].parse().unwrap_or(623);
    cfg.username = a[3].clone();
    cfg.password = Secret::new(std::env::var("IPMI_PASSWORD").unwrap_or_default());
    let d = Deadline::after(Duration::from_secs(5));
    let t = std::time::Instant::now();
    let mut s = match Session::open(cfg, &d) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{:?}: {e}", e.kind);
            std::process::exit(1)
        }
    };
    eprintln!(
        "open in {:?}: suite {:?} auth {:?}",
        t.elapsed(),
        s.suite.map(|s| s.id),
        s.auth
    );
    let r = match a.get(6).map(String::as_str).unwrap_or("status") {
        "on" => s
            .chassis_control(ChassisControl::PowerUp, &d)
            .map(|_| "ok".to_string()),
        "off" => s
            .chassis_control(ChassisControl::PowerDown, &d)
            .map(|_| "ok".to_string()),
        "cycle" => s
            .chassis_control(ChassisControl::PowerCycle, &d)
            .map(|_| "ok".to_string()),
        _ => s.chassis_status(&d).map(|c| format!("{c:?}")),
    };
    eprintln!("{r:?} in {:?}", t.elapsed());
}
