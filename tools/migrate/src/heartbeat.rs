// SPDX-License-Identifier: GPL-2.0-or-later
//! heartbeat v1: `haresources` (resource groups) and `ha.cf` (nodes, auto_failback, STONITH) to
//! a Pacemaker [`Config`] with rustha's agents. No I/O here: what the translation needs to know
//! about the machine (is `httpd` an init script or a systemd unit, an OCF instance file, a
//! plugin's parameter names) comes through [`Host`].

use crate::model::{Agent, Config, Constraint, Group, Op, Primitive, Promotable};

/// What heartbeat would run for a haresources script name that is not one of its known wrappers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptKind {
    /// An admin's own script in /etc/ha.d/resource.d/ (heartbeat looks there first).
    HeartbeatScript,
    /// /etc/init.d/NAME
    Lsb,
    /// a systemd unit NAME.service
    Systemd,
    /// neither found on this machine
    Unknown,
}

/// The machine-dependent facts the translation asks for.
pub trait Host {
    fn script_kind(&self, name: &str) -> ScriptKind;
    /// A file's text (OCF instance files under /etc/ha.d/conf/OCF/, `stonith TYPE FILE`).
    fn read_file(&self, path: &str) -> Option<String>;
    /// A cluster-glue plugin's parameter names in order (`stonith -t TYPE -n`).
    fn stonith_confignames(&self, kind: &str) -> Option<Vec<String>>;
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// lsb or systemd for every init script (default: what `Host::script_kind` finds, else lsb).
    pub init: Option<ScriptKind>,
    /// heartbeat's configuration directory (for OCF instance files), default /etc/ha.d.
    pub ha_dir: Option<String>,
}

/// One logical haresources line: the preferred node and its resources, in start order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub lineno: usize,
    pub node: String,
    pub resources: Vec<String>,
}

/// Parse haresources as heartbeat's ResourceManager does: `#` starts a comment, a trailing `\`
/// joins the next line, words are separated by blanks, the node name is lower-cased.
pub fn parse_haresources(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut pending = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("");
        if pending.is_empty() {
            start = i + 1;
        }
        let trimmed = line.trim_end();
        if let Some(cont) = trimmed.strip_suffix('\\') {
            pending.push_str(cont);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let words: Vec<String> = pending.split_whitespace().map(String::from).collect();
        pending.clear();
        if let Some((node, rest)) = words.split_first() {
            out.push(Line {
                lineno: start,
                node: node.to_lowercase(),
                resources: rest.to_vec(),
            });
        }
    }
    if !pending.trim().is_empty() {
        let words: Vec<String> = pending.split_whitespace().map(String::from).collect();
        if let Some((node, rest)) = words.split_first() {
            out.push(Line {
                lineno: start,
                node: node.to_lowercase(),
                resources: rest.to_vec(),
            });
        }
    }
    out
}

/// One ha.cf directive: line number, lower-cased name, the rest of the line (comments removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub lineno: usize,
    pub name: String,
    pub value: String,
}

pub fn parse_ha_cf(text: &str) -> Vec<Directive> {
    text.lines()
        .enumerate()
        .filter_map(|(i, raw)| {
            let line = raw.split('#').next().unwrap_or("").trim();
            let (name, value) = match line.split_once(char::is_whitespace) {
                Some((n, v)) => (n, v.trim()),
                None => (line, ""),
            };
            (!name.is_empty()).then(|| Directive {
                lineno: i + 1,
                name: name.to_lowercase(),
                value: value.to_string(),
            })
        })
        .collect()
}

fn is_ip_like(s: &str) -> bool {
    // heartbeat's isip(): [0-9]*.[0-9]*.[0-9]*.[0-9]*
    s.starts_with(|c: char| c.is_ascii_digit()) && s.matches('.').count() >= 3
}

/// heartbeat's boolean words.
fn hb_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "y" | "1" => Some(true),
        "false" | "off" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

/// A translated haresources entry.
enum Entry {
    Resource(Primitive),
    /// drbddisk: a promotable clone the group depends on
    Drbd(Primitive),
}

/// `ip[/bits[/nic[:label]][/broadcast]]` (the IPaddr/IPaddr2 wrappers' argument) to parameters.
fn ip_params(arg: &str) -> Result<Vec<(&'static str, String)>, String> {
    let f: Vec<&str> = arg.split('/').collect();
    if f.len() > 4 || f[0].is_empty() {
        return Err(format!(
            "'{arg}' is not ip[/netmaskbits[/interface[:label]][/broadcast]]"
        ));
    }
    let mut out = vec![("ip", f[0].to_string())];
    if let Some(b) = f.get(1).filter(|b| !b.is_empty()) {
        out.push(("cidr_netmask", b.to_string()));
    }
    if let Some(third) = f.get(2).filter(|t| !t.is_empty()) {
        if third.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(("broadcast", third.to_string()));
        } else {
            match third.split_once(':') {
                Some((nic, label)) => {
                    out.push(("nic", nic.to_string()));
                    out.push(("iflabel", label.to_string()));
                }
                None => out.push(("nic", third.to_string())),
            }
        }
    }
    if let Some(b) = f.get(3).filter(|b| !b.is_empty()) {
        out.push(("broadcast", b.to_string()));
    }
    Ok(out)
}

/// heartbeat's other resource.d wrappers that call an ocf:heartbeat agent with positional
/// arguments: (script, parameter names in order, how many are required).
const WRAPPERS: &[(&str, &[&str], usize)] = &[
    ("Delay", &["startdelay", "stopdelay"], 0),
    ("apache", &["configfile"], 0),
    ("IPsrcaddr", &["ipaddress"], 1),
    ("MailTo", &["email", "subject"], 1),
    ("portblock", &["protocol", "portno", "action"], 3),
    ("Xinetd", &["service"], 1),
    ("Raid1", &["raidconf", "raiddev"], 2),
    ("AudibleAlarm", &["nodelist"], 0),
];

/// heartbeat wrappers we know but do not translate, with the reason.
const NOT_TRANSLATED: &[(&str, &str)] = &[
    ("drbdupper", "stacked DRBD: configure ocf:rustha:drbd for the upper resource by hand"),
    ("ICP", "no Pacemaker agent; ocf:heartbeat:ICP is gone from resource-agents"),
    ("LinuxSCSI", "ocf:heartbeat:LinuxSCSI is gone from resource-agents"),
    ("ServeRAID", "ocf:heartbeat:ServeRAID is gone from resource-agents"),
    ("WAS", "ocf:heartbeat:WAS needs its parameters set by hand"),
    ("WinPopup", "ocf:heartbeat:WinPopup needs its parameters set by hand"),
    ("db2", "ocf:heartbeat:db2's parameters changed; configure it by hand"),
    ("ids", "ocf:heartbeat:ids needs its parameters set by hand"),
    ("SendArp", "Pacemaker's IPaddr2 sends the ARPs itself; drop it or configure ocf:heartbeat:SendArp by hand"),
    ("IPv6addr", "use ocf:heartbeat:IPv6addr (or ocf:rustha:IPaddr2 with the IPv6 address) by hand"),
];

/// Our own agents: an `OCF::type::...` entry naming one of them runs ours.
const OURS: &[&str] = &[
    "IPaddr2",
    "IPaddr",
    "Filesystem",
    "LVM",
    "LVM-activate",
    "drbd",
];

struct Translator<'a> {
    c: Config,
    host: &'a dyn Host,
    opts: &'a Options,
}

impl Translator<'_> {
    fn ops_for(agent: &Agent) -> Vec<Op> {
        match agent.kind() {
            "IPaddr" | "IPaddr2" => vec![Op::monitor("10s", "20s")],
            "Filesystem" => vec![Op::monitor("20s", "40s")],
            "LVM" | "LVM-activate" => vec![Op::monitor("30s", "90s")],
            "drbd" => {
                let mut a = Op::monitor("29s", "20s");
                a.role = Some("Promoted".into());
                let mut b = Op::monitor("31s", "20s");
                b.role = Some("Unpromoted".into());
                vec![a, b]
            }
            _ if agent.is_stonith() => vec![Op::monitor("60s", "60s")],
            _ => vec![Op::monitor("30s", "30s")],
        }
    }

    fn primitive(&mut self, id_base: &str, agent: Agent, params: Vec<(&str, String)>) -> Primitive {
        let id = self.c.unique_id(id_base);
        let mut p = Primitive::new(&id, agent.clone());
        for (k, v) in params {
            p.params.push((k.to_string(), v));
        }
        p.ops = Self::ops_for(&agent);
        p
    }

    /// One haresources entry (`IPaddr::...`, `10.0.0.5`, `httpd`, ...).
    fn entry(&mut self, src: &str, spec: &str) -> Result<Entry, String> {
        let canon = if is_ip_like(spec) && !spec.contains("::") {
            format!("IPaddr::{spec}")
        } else {
            spec.to_string()
        };
        let mut parts = canon.split("::");
        let script = parts.next().unwrap_or("");
        let args: Vec<&str> = parts.collect();
        let ours = |k: &str| Agent::ocf("rustha", k);
        match script {
            "IPaddr" | "IPaddr2" => {
                let [arg] = args[..] else {
                    return Err(format!(
                        "{script} takes one argument (ip[/bits[/nic][/broadcast]]), got {}",
                        args.len()
                    ));
                };
                let params = ip_params(arg)?;
                let base = format!("ip_{}", params[0].1.replace(['.', ':'], "_"));
                Ok(Entry::Resource(self.primitive(&base, ours(script), params)))
            }
            "Filesystem" => {
                if !(2..=4).contains(&args.len()) || args[..2].iter().any(|a| a.is_empty()) {
                    return Err(format!(
                        "Filesystem takes device::directory[::fstype[::options]], got {} argument(s)",
                        args.len()
                    ));
                }
                let names = ["device", "directory", "fstype", "options"];
                let params: Vec<(&str, String)> = names
                    .iter()
                    .zip(&args)
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (*k, v.to_string()))
                    .collect();
                let base = format!("fs_{}", args[1]);
                Ok(Entry::Resource(self.primitive(
                    &base,
                    ours("Filesystem"),
                    params,
                )))
            }
            "LVM" => {
                let [vg] = args[..] else {
                    return Err(format!(
                        "LVM takes one argument (the volume group), got {}",
                        args.len()
                    ));
                };
                let p = self.primitive(
                    &format!("lvm_{vg}"),
                    ours("LVM"),
                    vec![("volgrpname", vg.to_string())],
                );
                Ok(Entry::Resource(p))
            }
            "drbddisk" => {
                let [res] = args[..] else {
                    return Err(if args.is_empty() {
                        "drbddisk without a resource name means every DRBD resource ('all'); name each as drbddisk::RES".to_string()
                    } else {
                        format!(
                            "drbddisk takes one argument (the DRBD resource), got {}",
                            args.len()
                        )
                    });
                };
                let p = self.primitive(
                    &format!("drbd_{res}"),
                    ours("drbd"),
                    vec![("drbd_resource", res.to_string())],
                );
                Ok(Entry::Drbd(p))
            }
            "OCF" => self.ocf_entry(src, &args),
            _ => {
                if let Some((_, names, required)) = WRAPPERS.iter().find(|(n, _, _)| *n == script) {
                    if args.len() < *required || args.len() > names.len() {
                        return Err(format!(
                            "{script} takes {}{} argument(s) ({}), got {}",
                            if *required < names.len() {
                                "up to "
                            } else {
                                ""
                            },
                            names.len(),
                            names.join("::"),
                            args.len()
                        ));
                    }
                    let params = names
                        .iter()
                        .zip(&args)
                        .map(|(k, v)| (*k, v.to_string()))
                        .collect();
                    let base = match args.first() {
                        Some(a) => format!("{}_{a}", script.to_lowercase()),
                        None => script.to_lowercase(),
                    };
                    return Ok(Entry::Resource(self.primitive(
                        &base,
                        Agent::ocf("heartbeat", script),
                        params,
                    )));
                }
                if let Some((_, why)) = NOT_TRANSLATED.iter().find(|(n, _)| *n == script) {
                    return Err(why.to_string());
                }
                if script.is_empty() || script.contains('/') {
                    return Err(format!("'{script}' is not a resource script name"));
                }
                let kind = match self.host.script_kind(script) {
                    ScriptKind::HeartbeatScript => {
                        return Err(format!(
                            "/etc/ha.d/resource.d/{script} is a heartbeat-only script: make it an LSB init script or an OCF agent"
                        ))
                    }
                    k => self.opts.init.unwrap_or(k),
                };
                if !args.is_empty() {
                    return Err(format!(
                        "init script {script} is given arguments ({}); lsb and systemd resources take none",
                        args.join("::")
                    ));
                }
                let agent = match kind {
                    ScriptKind::Systemd => Agent::Systemd(script.to_string()),
                    ScriptKind::Unknown => {
                        self.c.note(format!(
                            "{src}: {script}: neither /etc/init.d/{script} nor a systemd unit {script}.service here; made it lsb:{script} (use --init systemd to change)"
                        ));
                        Agent::Lsb(script.to_string())
                    }
                    _ => Agent::Lsb(script.to_string()),
                };
                Ok(Entry::Resource(self.primitive(script, agent, vec![])))
            }
        }
    }

    /// `OCF::type::instance`: parameters from /etc/ha.d/conf/OCF/type/instance (`NAME=value`).
    fn ocf_entry(&mut self, src: &str, args: &[&str]) -> Result<Entry, String> {
        let [kind, instance] = args[..] else {
            return Err("OCF takes OCF::type::instance".to_string());
        };
        let dir = self.opts.ha_dir.as_deref().unwrap_or("/etc/ha.d");
        let path = format!("{dir}/conf/OCF/{kind}/{instance}");
        let Some(text) = self.host.read_file(&path) else {
            return Err(format!(
                "its parameters are in {path}, which cannot be read here"
            ));
        };
        let mut params: Vec<(&str, String)> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let line = line.strip_prefix("export ").unwrap_or(line).trim();
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            let k = k.trim();
            let k = k.strip_prefix("OCF_RESKEY_").unwrap_or(k);
            let v = v.trim().trim_matches('"').trim_matches('\'');
            if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                self.c.note(format!(
                    "{src}: {path}: skipped a line that is not NAME=value"
                ));
                continue;
            }
            names.push(k.to_string());
            params.push(("", v.to_string()));
        }
        let provider = if OURS.contains(&kind) {
            "rustha"
        } else {
            "heartbeat"
        };
        let mut p = self.primitive(instance, Agent::ocf(provider, kind), vec![]);
        p.params = names
            .into_iter()
            .zip(params)
            .map(|(k, (_, v))| (k, v))
            .collect();
        Ok(Entry::Resource(p))
    }

    fn stonith(
        &mut self,
        d: &crate::heartbeat::Directive,
        hostfrom: &str,
        kind: &str,
        words: &[&str],
    ) {
        let src = format!("ha.cf:{}", d.lineno);
        let item = format!("{} {hostfrom} {kind} (parameters not shown)", d.name);
        let names: Vec<String> = match kind {
            "external/fence_na" => ["hostlist", "ip", "ipport", "username", "password", "config"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            "external/ipmi" => ["hostname", "ipaddr", "userid", "passwd", "interface"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            _ => match self.host.stonith_confignames(kind) {
                Some(n) if !n.is_empty() => n,
                _ => {
                    self.c.untranslated(
                        &src,
                        &item,
                        format!("the parameter names of STONITH type {kind} are unknown here (`stonith -t {kind} -n` failed: is cluster-glue installed?)"),
                    );
                    return;
                }
            },
        };
        // cluster-glue's positional form: one word per name, the last takes the rest of the line
        let mut values: Vec<(String, String)> = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let v = if i + 1 == names.len() {
                words.get(i..).map(|w| w.join(" ")).unwrap_or_default()
            } else {
                words.get(i).map(|w| w.to_string()).unwrap_or_default()
            };
            if v.is_empty() {
                self.c.untranslated(
                    &src,
                    &item,
                    format!("{kind} needs a value for each of {} (cluster-glue reads them in this order); {n} is missing", names.join(" ")),
                );
                return;
            }
            values.push((n.clone(), v));
        }
        let get = |k: &str| values.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let (id_base, p, fenced_hosts) = match kind {
            "external/fence_na" => {
                let mut p = Primitive::new("", Agent::Stonith("fence_na".into()));
                for (k, v) in &values {
                    if k == "hostlist" || v == "-" {
                        continue;
                    }
                    p.params.push((k.clone(), v.clone()));
                }
                let hosts = host_plugs(&get("hostlist").unwrap_or_default());
                if hosts.iter().all(|(_, plug)| plug.is_some()) {
                    let map = hosts
                        .iter()
                        .map(|(h, p)| format!("{h}:{}", p.as_deref().unwrap_or("")))
                        .collect::<Vec<_>>()
                        .join(";");
                    p.params.push(("pcmk_host_map".into(), map));
                } else {
                    let list = hosts
                        .iter()
                        .map(|(h, _)| h.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    p.params.push(("pcmk_host_list".into(), list));
                }
                (
                    "st_fence_na".to_string(),
                    p,
                    hosts.into_iter().map(|(h, _)| h).collect::<Vec<_>>(),
                )
            }
            "external/ipmi" => {
                let host = get("hostname").unwrap_or_default();
                let mut p = Primitive::new("", Agent::Stonith("fence_ipmilan_rs".into()));
                p.params
                    .push(("ip".into(), get("ipaddr").unwrap_or_default()));
                p.params
                    .push(("username".into(), get("userid").unwrap_or_default()));
                p.params
                    .push(("password".into(), get("passwd").unwrap_or_default()));
                if get("interface").as_deref() == Some("lanplus") {
                    p.params.push(("lanplus".into(), "1".into()));
                }
                p.params.push(("pcmk_host_list".into(), host.clone()));
                (format!("st_ipmi_{host}"), p, vec![host])
            }
            _ => {
                let mut p = Primitive::new("", Agent::Stonith(kind.to_string()));
                p.params = values.clone();
                self.c.note(format!(
                    "{src}: {kind} has no rustha or fence-agents equivalent here: kept as the cluster-glue plugin stonith:{kind} (Pacemaker runs it when cluster-glue is installed)"
                ));
                (format!("st_{}", kind.replace('/', "_")), p, vec![])
            }
        };
        let id = self.c.unique_id(&id_base);
        let mut p = Primitive {
            id: id.clone(),
            ..p
        };
        p.ops = Self::ops_for(&p.agent);
        self.c.primitives.push(p);
        if hostfrom != "*" {
            let cid = self.c.unique_id(&format!("loc_{id}_only_{hostfrom}"));
            self.c.constraints.push(Constraint::OnlyOn {
                id: cid,
                rsc: id.clone(),
                nodes: vec![hostfrom.to_lowercase()],
            });
        }
        if let [host] = &fenced_hosts[..] {
            // a device that fences one node does not run on that node
            let cid = self.c.unique_id(&format!("loc_{id}_not_{host}"));
            self.c.constraints.push(Constraint::Location {
                id: cid,
                rsc: id,
                node: host.to_lowercase(),
                score: "-INFINITY".into(),
            });
        }
    }
}

/// `node1:01,node2:02` (also `;` or blanks between entries) to (host, plug).
fn host_plugs(s: &str) -> Vec<(String, Option<String>)> {
    s.split([',', ';', ' ', '\t'])
        .filter(|w| !w.is_empty())
        .map(|w| match w.split_once(':') {
            Some((h, p)) if !p.is_empty() => (h.to_lowercase(), Some(p.to_string())),
            Some((h, _)) => (h.to_lowercase(), None),
            None => (w.to_lowercase(), None),
        })
        .collect()
}

/// Settings of ha.cf that have a counterpart outside the CIB (corosync.conf, logging) or none.
fn hacf_note(d: &Directive) -> Option<String> {
    let v = &d.value;
    let what = match d.name.as_str() {
        "deadtime" => format!(
            "corosync.conf: totem {{ token: {} }} (heartbeat's deadtime)",
            to_ms(v)
        ),
        "keepalive" | "warntime" => {
            "corosync's token and consensus timeouts cover it (no separate setting)".into()
        }
        "initdead" => {
            "no corosync setting; Pacemaker waits its dc-deadtime property (default 20s) at start"
                .into()
        }
        "deadping" => {
            "ocf:pacemaker:ping's timeout and attempts, if you replace ping nodes with it".into()
        }
        "ucast" | "bcast" | "mcast" | "mcast6" | "ucast6" | "serial" | "baud" | "udpport" => {
            "corosync.conf: the nodelist's ringX_addr (knet links); serial links have no equivalent"
                .into()
        }
        "logfile" | "debugfile" | "logfacility" | "use_logd" | "debug" | "conn_logd_time" => {
            "corosync.conf logging {} and PCMK_logfile / PCMK_logfacility in /etc/default/pacemaker"
                .into()
        }
        "realtime"
        | "hopfudge"
        | "msgfmt"
        | "compression"
        | "compression_threshold"
        | "traditional_compression"
        | "max_rexmit_delay"
        | "hbgenmethod"
        | "uuidfrom"
        | "coredumps"
        | "autojoin"
        | "apiauth" => "heartbeat internals; nothing to set".into(),
        _ => return None,
    };
    Some(format!("ha.cf:{} {} {} → {what}", d.lineno, d.name, v))
}

/// heartbeat time value (seconds, or `NNNms`) in milliseconds.
fn to_ms(v: &str) -> String {
    if let Some(ms) = v.strip_suffix("ms") {
        return ms.trim().to_string();
    }
    match v.trim().parse::<f64>() {
        Ok(s) => format!("{}", (s * 1000.0).round() as u64),
        Err(_) => v.to_string(),
    }
}

/// Translate haresources (and ha.cf if given).
pub fn translate(
    haresources: &str,
    ha_cf: Option<&str>,
    host: &dyn Host,
    opts: &Options,
) -> Config {
    let origin = if ha_cf.is_some() {
        "heartbeat haresources and ha.cf"
    } else {
        "heartbeat haresources"
    };
    let mut t = Translator {
        c: Config::new(origin),
        host,
        opts,
    };
    let mut auto_failback: Option<bool> = None;
    let directives = ha_cf.map(parse_ha_cf).unwrap_or_default();
    let mut nodes: Vec<String> = Vec::new();
    for d in &directives {
        let src = format!("ha.cf:{}", d.lineno);
        match d.name.as_str() {
            "node" => nodes.extend(d.value.split_whitespace().map(|n| n.to_lowercase())),
            "auto_failback" => match d.value.to_ascii_lowercase().as_str() {
                "legacy" => {
                    auto_failback = Some(true);
                    t.c.note(format!("{src}: auto_failback legacy: translated as on"));
                }
                v => match hb_bool(v) {
                    Some(b) => auto_failback = Some(b),
                    None => t.c.untranslated(&src, &format!("auto_failback {}", d.value), "not a boolean or legacy"),
                },
            },
            "nice_failback" => match hb_bool(&d.value) {
                Some(b) => auto_failback = Some(!b),
                None => t.c.untranslated(&src, &format!("nice_failback {}", d.value), "not a boolean"),
            },
            "crm" | "pacemaker" => {
                if hb_bool(&d.value) != Some(false) {
                    t.c.untranslated(
                        &src,
                        &format!("{} {}", d.name, d.value),
                        "this heartbeat ran a CRM: its resources are in the CIB, not in haresources; move that CIB instead",
                    );
                }
            }
            "stonith_host" => {
                let w: Vec<&str> = d.value.split_whitespace().collect();
                match &w[..] {
                    [from, kind, rest @ ..] => t.stonith(d, from, kind, rest),
                    _ => t.c.untranslated(&src, "stonith_host", "expected: stonith_host HOSTFROM TYPE PARAMETERS..."),
                }
            }
            "stonith" => {
                let w: Vec<&str> = d.value.split_whitespace().collect();
                match &w[..] {
                    [kind, file] => match host.read_file(file) {
                        Some(text) => {
                            let first = text
                                .lines()
                                .map(str::trim)
                                .find(|l| !l.is_empty() && !l.starts_with('#'))
                                .unwrap_or("")
                                .to_string();
                            let words: Vec<&str> = first.split_whitespace().collect();
                            t.stonith(d, "*", kind, &words);
                        }
                        None => t.c.untranslated(
                            &src,
                            &format!("stonith {kind} {file}"),
                            format!("its parameters are in {file}, which cannot be read here"),
                        ),
                    },
                    _ => t.c.untranslated(&src, "stonith", "expected: stonith TYPE CONFIGFILE"),
                }
            }
            "respawn" => t.c.untranslated(
                &src,
                &format!("respawn {}", d.value),
                if d.value.contains("ipfail") {
                    "ipfail: use an ocf:pacemaker:ping clone and a location rule on the pingd attribute"
                } else {
                    "Pacemaker does not respawn programs: make it a systemd service or a cluster resource"
                },
            ),
            "ping" | "ping_group" | "hbaping" => t.c.untranslated(
                &src,
                &format!("{} {}", d.name, d.value),
                "connectivity checks: use an ocf:pacemaker:ping clone (host_list) and a location rule on pingd",
            ),
            "watchdog" => t.c.untranslated(
                &src,
                &format!("watchdog {}", d.value),
                "use sbd with this watchdog (stonith-watchdog-timeout), configured outside the CIB",
            ),
            _ => match hacf_note(d) {
                Some(n) => t.c.note(n),
                None => t.c.untranslated(&src, &format!("{} {}", d.name, d.value), "unknown ha.cf directive"),
            },
        }
    }

    let lines = parse_haresources(haresources);
    if lines.is_empty() {
        t.c.untranslated("haresources", "(empty)", "no resource group found");
    }
    for line in &lines {
        let src = format!("haresources:{}", line.lineno);
        if !nodes.is_empty() && !nodes.contains(&line.node) {
            t.c.note(format!(
                "{src}: node {} is not among ha.cf's nodes ({})",
                line.node,
                nodes.join(" ")
            ));
        }
        let mut members: Vec<String> = Vec::new();
        let mut drbds: Vec<String> = Vec::new();
        for spec in &line.resources {
            match t.entry(&src, spec) {
                Ok(Entry::Resource(p)) => {
                    members.push(p.id.clone());
                    t.c.primitives.push(p);
                }
                Ok(Entry::Drbd(p)) => {
                    let clone = t.c.unique_id(&format!("{}-clone", p.id));
                    t.c.promotables.push(Promotable {
                        id: clone.clone(),
                        rsc: p.id.clone(),
                        meta: [
                            ("promotable", "true"),
                            ("promoted-max", "1"),
                            ("promoted-node-max", "1"),
                            ("clone-max", "2"),
                            ("clone-node-max", "1"),
                            ("notify", "true"),
                        ]
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                    });
                    if !members.is_empty() {
                        t.c.note(format!(
                            "{src}: {spec} comes after {} in the line; in Pacemaker the whole group starts after {clone} is promoted",
                            members.join(" ")
                        ));
                    }
                    t.c.primitives.push(p);
                    drbds.push(clone);
                }
                Err(reason) => t.c.untranslated(&src, spec, reason),
            }
        }
        if members.is_empty() {
            for clone in &drbds {
                let id = t.c.unique_id(&format!("loc_{clone}_{}", line.node));
                t.c.constraints.push(Constraint::Location {
                    id,
                    rsc: clone.clone(),
                    node: line.node.clone(),
                    score: "100".into(),
                });
            }
            continue;
        }
        let gid = t.c.unique_id(&format!("group_{}", members[0]));
        t.c.groups.push(Group {
            id: gid.clone(),
            members,
            meta: vec![],
        });
        let lid = t.c.unique_id(&format!("loc_{gid}_{}", line.node));
        t.c.constraints.push(Constraint::Location {
            id: lid,
            rsc: gid.clone(),
            node: line.node.clone(),
            score: "100".into(),
        });
        for clone in drbds {
            let oid = t.c.unique_id(&format!("order_{clone}_before_{gid}"));
            t.c.constraints.push(Constraint::PromoteBeforeStart {
                id: oid,
                first: clone.clone(),
                then: gid.clone(),
            });
            let cid = t.c.unique_id(&format!("colocation_{gid}_with_{clone}"));
            t.c.constraints.push(Constraint::WithPromoted {
                id: cid,
                rsc: gid.clone(),
                with: clone,
            });
        }
    }

    // auto_failback off: a group stays where it runs (stickiness above the location's 100);
    // on (heartbeat's default since "legacy" means on): it goes back to its node.
    match auto_failback {
        Some(false) => {
            t.c.rsc_defaults
                .push(("resource-stickiness".into(), "200".into()))
        }
        Some(true) => {
            t.c.rsc_defaults
                .push(("resource-stickiness".into(), "0".into()))
        }
        None => {
            t.c.rsc_defaults
                .push(("resource-stickiness".into(), "0".into()));
            if ha_cf.is_some() {
                t.c.note("ha.cf has no auto_failback: heartbeat's default (legacy = on) translated: groups fail back to their node");
            }
        }
    }
    if t.c.has_fencing() {
        t.c.property("stonith-enabled", "true");
    } else {
        t.c.property("stonith-enabled", "false");
        t.c.note(if ha_cf.is_some() {
            "ha.cf configures no STONITH: fencing is disabled as it was under heartbeat; configure a fence device (rustha's fence_na or fence_ipmilan_rs) and set stonith-enabled=true before production"
        } else {
            "no ha.cf given (--ha-cf): no STONITH translated and fencing disabled; configure a fence device and set stonith-enabled=true before production"
        });
    }
    if nodes.len() == 2 {
        t.c.note("two nodes: set two_node: 1 in corosync.conf's quorum section (heartbeat had no quorum)");
    }
    t.c.nodes = if nodes.is_empty() {
        let mut n: Vec<String> = lines.iter().map(|l| l.node.clone()).collect();
        n.dedup();
        n
    } else {
        nodes
    };
    t.c
}

#[cfg(test)]
mod tests {
    use super::*;

    pub struct FakeHost;
    impl Host for FakeHost {
        fn script_kind(&self, name: &str) -> ScriptKind {
            match name {
                "httpd" => ScriptKind::Lsb,
                "nginx" => ScriptKind::Systemd,
                "myscript" => ScriptKind::HeartbeatScript,
                _ => ScriptKind::Unknown,
            }
        }
        fn read_file(&self, path: &str) -> Option<String> {
            match path {
                "/etc/ha.d/conf/OCF/Dummy/d1" => {
                    Some("# a comment\nOCF_RESKEY_state=/run/d1.state\nfake=\"x y\"\n".into())
                }
                _ => None,
            }
        }
        fn stonith_confignames(&self, kind: &str) -> Option<Vec<String>> {
            (kind == "external/ssh").then(|| vec!["hostlist".to_string()])
        }
    }

    fn tr(h: &str, cf: Option<&str>) -> Config {
        translate(h, cf, &FakeHost, &Options::default())
    }

    #[test]
    fn parses_like_resource_manager() {
        let l = parse_haresources("# c\nNode1 10.0.0.1 \\\n  httpd # web\n\n  node2\tFilesystem::/dev/sda1::/data::ext3\n");
        assert_eq!(
            l,
            vec![
                Line {
                    lineno: 2,
                    node: "node1".into(),
                    resources: vec!["10.0.0.1".into(), "httpd".into()]
                },
                Line {
                    lineno: 5,
                    node: "node2".into(),
                    resources: vec!["Filesystem::/dev/sda1::/data::ext3".into()]
                },
            ]
        );
    }

    #[test]
    fn seed_lines() {
        let c = tr(
            "node1 IPaddr::10.250.7.3/27/10.250.7.31 IPaddr2::10.250.7.4/27/eth0\nnode1 10.250.7.100 Filesystem::/dev/loop0::/srv/data::ext4::noatime\n",
            None,
        );
        assert!(c.untranslated.is_empty(), "{:?}", c.untranslated);
        let p = &c.primitives;
        assert_eq!(p[0].agent.to_string(), "ocf:rustha:IPaddr");
        assert_eq!(
            p[0].params,
            vec![
                ("ip".into(), "10.250.7.3".into()),
                ("cidr_netmask".into(), "27".into()),
                ("broadcast".into(), "10.250.7.31".into())
            ]
        );
        assert_eq!(p[1].agent.to_string(), "ocf:rustha:IPaddr2");
        assert_eq!(p[1].get("nic"), Some("eth0"));
        assert_eq!(p[2].agent.to_string(), "ocf:rustha:IPaddr");
        assert_eq!(p[2].params, vec![("ip".into(), "10.250.7.100".into())]);
        assert_eq!(p[3].agent.to_string(), "ocf:rustha:Filesystem");
        assert_eq!(p[3].id, "fs_srv_data");
        assert_eq!(p[3].get("options"), Some("noatime"));
        assert_eq!(c.groups.len(), 2);
        assert_eq!(c.groups[0].members, vec!["ip_10_250_7_3", "ip_10_250_7_4"]);
        assert_eq!(c.groups[1].members, vec!["ip_10_250_7_100", "fs_srv_data"]);
        assert!(c.constraints.contains(&Constraint::Location {
            id: "loc_group_ip_10_250_7_3_node1".into(),
            rsc: "group_ip_10_250_7_3".into(),
            node: "node1".into(),
            score: "100".into()
        }));
        assert!(c
            .properties
            .contains(&("stonith-enabled".into(), "false".into())));
        assert!(c.notes.iter().any(|n| n.contains("no ha.cf given")));
    }

    #[test]
    fn auto_failback_and_stonith_host() {
        let cf = "node node1\nnode node2\nauto_failback off\ndeadtime 5\nucast eth0 10.0.0.2\nstonith_host * external/fence_na node1:01,node2:02 10.0.0.200 238 admin s3cret /etc/na/fence_na.conf\n";
        let c = tr("node1 10.0.0.10\n", Some(cf));
        assert!(c.untranslated.is_empty(), "{:?}", c.untranslated);
        assert_eq!(
            c.rsc_defaults,
            vec![("resource-stickiness".into(), "200".into())]
        );
        let st = c.primitives.iter().find(|p| p.agent.is_stonith()).unwrap();
        assert_eq!(st.agent.to_string(), "stonith:fence_na");
        assert_eq!(st.get("pcmk_host_map"), Some("node1:01;node2:02"));
        assert_eq!(st.get("ip"), Some("10.0.0.200"));
        assert_eq!(st.get("password"), Some("s3cret"));
        assert!(c
            .properties
            .contains(&("stonith-enabled".into(), "true".into())));
        assert!(
            c.notes.iter().any(|n| n.contains("totem { token: 5000 }")),
            "{:?}",
            c.notes
        );
        assert!(c.notes.iter().any(|n| n.contains("two_node")));
        assert_eq!(c.nodes, vec!["node1", "node2"]);
    }

    #[test]
    fn ipmi_and_other_plugins() {
        let cf = "stonith_host node2 external/ipmi node1 10.0.0.101 admin pw lanplus\nstonith_host * external/ssh node1 node2\nstonith_host * baytech 10.0.0.3 login secret\n";
        let c = tr("node1 10.0.0.10\n", Some(cf));
        let ipmi = c.primitive("st_ipmi_node1").unwrap();
        assert_eq!(ipmi.agent.to_string(), "stonith:fence_ipmilan_rs");
        assert_eq!(ipmi.get("lanplus"), Some("1"));
        assert!(c.constraints.iter().any(|k| matches!(k, Constraint::OnlyOn { rsc, nodes, .. } if rsc == "st_ipmi_node1" && nodes == &["node2"])));
        assert!(c.constraints.iter().any(|k| matches!(k, Constraint::Location { rsc, node, score, .. } if rsc == "st_ipmi_node1" && node == "node1" && score == "-INFINITY")));
        let ssh = c.primitive("st_external_ssh").unwrap();
        assert_eq!(ssh.get("hostlist"), Some("node1 node2"));
        // baytech's names are unknown: listed, and its password is not in the reason
        assert_eq!(c.untranslated.len(), 1);
        let u = &c.untranslated[0];
        assert!(
            u.reason.contains("baytech")
                && !u.reason.contains("secret")
                && !u.item.contains("secret"),
            "{u:?}"
        );
    }

    #[test]
    fn drbd_lvm_ocf_init_scripts() {
        let h = "node1 drbddisk::r0 LVM::vg0 Filesystem::/dev/vg0/lv::/data::ext4 httpd nginx OCF::Dummy::d1 Delay::5::2\n";
        let c = tr(h, None);
        assert!(c.untranslated.is_empty(), "{:?}", c.untranslated);
        assert_eq!(c.promotables[0].id, "drbd_r0-clone");
        assert_eq!(
            c.primitive("drbd_r0").unwrap().get("drbd_resource"),
            Some("r0")
        );
        assert_eq!(
            c.groups[0].members,
            vec!["lvm_vg0", "fs_data", "httpd", "nginx", "d1", "delay_5"]
        );
        assert!(c.constraints.iter().any(|k| matches!(k, Constraint::PromoteBeforeStart { first, then, .. } if first == "drbd_r0-clone" && then == "group_lvm_vg0")));
        assert!(c.constraints.iter().any(|k| matches!(k, Constraint::WithPromoted { rsc, with, .. } if rsc == "group_lvm_vg0" && with == "drbd_r0-clone")));
        assert_eq!(c.primitive("httpd").unwrap().agent.to_string(), "lsb:httpd");
        assert_eq!(
            c.primitive("nginx").unwrap().agent.to_string(),
            "systemd:nginx"
        );
        let d = c.primitive("d1").unwrap();
        assert_eq!(d.agent.to_string(), "ocf:heartbeat:Dummy");
        assert_eq!(
            d.params,
            vec![
                ("state".into(), "/run/d1.state".into()),
                ("fake".into(), "x y".into())
            ]
        );
        assert_eq!(
            c.primitive("lvm_vg0").unwrap().get("volgrpname"),
            Some("vg0")
        );
        assert_eq!(c.primitive("delay_5").unwrap().get("stopdelay"), Some("2"));
    }

    #[test]
    fn untranslatable_items_are_listed() {
        let c = tr(
            "node1 drbddisk myscript OCF::Dummy::missing IPaddr::1.2.3.4/24/eth0/1.2.3.255/x httpd::arg SendArp::1.2.3.4/eth0 ok\n",
            Some("respawn hacluster /usr/lib/heartbeat/ipfail\nping 10.0.0.254\ncrm on\nfrobnicate 1\n"),
        );
        let items: Vec<&str> = c.untranslated.iter().map(|u| u.item.as_str()).collect();
        for want in [
            "drbddisk",
            "myscript",
            "OCF::Dummy::missing",
            "IPaddr::1.2.3.4/24/eth0/1.2.3.255/x",
            "httpd::arg",
            "SendArp::1.2.3.4/eth0",
            "ping 10.0.0.254",
            "crm on",
            "frobnicate 1",
        ] {
            assert!(items.contains(&want), "{want} not listed in {items:?}");
        }
        assert!(items.iter().any(|i| i.starts_with("respawn")));
        // 'ok' is an unknown init script: translated as lsb with a note
        assert_eq!(c.primitive("ok").unwrap().agent.to_string(), "lsb:ok");
        assert!(c.notes.iter().any(|n| n.contains("lsb:ok")));
    }
}
