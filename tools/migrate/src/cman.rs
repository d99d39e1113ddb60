// SPDX-License-Identifier: GPL-2.0-or-later
//! cman / rgmanager `cluster.conf` to a Pacemaker [`Config`] with rustha's agents: fence devices
//! with their nodes' ports (pcmk_host_map), fence methods as fencing levels, failover domains as
//! location preferences, services as groups of ip/fs/script/lvm resources. No I/O here.

use crate::heartbeat::{Host, ScriptKind};
use crate::model::{Agent, Config, Constraint, FencingLevel, Group, Op, Primitive};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// An element of cluster.conf: name, attributes in document order, children.
#[derive(Debug, Clone, Default)]
pub struct Elem {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Elem>,
    /// 1-based line of the start tag, for messages
    pub line: usize,
}

impl Elem {
    pub fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
    pub fn child(&self, name: &str) -> Option<&Elem> {
        self.children.iter().find(|c| c.name == name)
    }
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Elem> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

fn elem_of(e: &BytesStart<'_>, line: usize) -> Result<Elem, String> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| format!("line {line}: bad attribute: {e}"))?;
        let k = AsRef::<str>::as_ref(&a.key).to_string();
        let v = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("line {line}: bad value of {k}: {e}"))?
            .into_owned();
        attrs.push((k, v));
    }
    Ok(Elem {
        name: AsRef::<str>::as_ref(&e.name()).to_string(),
        attrs,
        children: Vec::new(),
        line,
    })
}

/// Parse XML into its root element.
pub fn parse_xml(text: &str) -> Result<Elem, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Elem> = Vec::new();
    let mut root: Option<Elem> = None;
    let line_at = |pos: u64| text[..(pos as usize).min(text.len())].matches('\n').count() + 1;
    loop {
        let pos = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e)) => stack.push(elem_of(&e, line_at(pos))?),
            Ok(Event::Empty(e)) => {
                let el = elem_of(&e, line_at(pos))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Ok(Event::End(_)) => {
                let el = stack.pop().ok_or("unbalanced end tag")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("line {}: {e}", line_at(reader.buffer_position()))),
        }
    }
    if !stack.is_empty() {
        return Err(format!("<{}> is not closed", stack[stack.len() - 1].name));
    }
    root.ok_or_else(|| "no XML element found".to_string())
}

/// cman/fenced attribute names to the fence-agents names Pacemaker passes on stdin.
fn fence_param_name(k: &str) -> &str {
    match k {
        "ipaddr" => "ip",
        "login" => "username",
        "passwd" => "password",
        "passwd_script" => "password_script",
        other => other,
    }
}

/// The fence agent that replaces a cman one: ours where we have it.
fn fence_agent(agent: &str) -> String {
    match agent {
        "fence_na" => "fence_na".into(),
        "fence_ipmilan" | "fence_ilo3" | "fence_ilo4" | "fence_ilo5" | "fence_idrac"
        | "fence_imm" | "fence_ipmilanplus" => "fence_ipmilan_rs".into(),
        other => other.into(),
    }
}

/// rgmanager's start order of a service's children by type (service.sh: lvm 1, fs 2, clusterfs
/// 3, netfs 4, nfsexport 5, nfsclient 6, ip 7, smb 8, script 9); other types after them.
fn start_level(kind: &str) -> u8 {
    match kind {
        "lvm" => 1,
        "fs" => 2,
        "clusterfs" => 3,
        "netfs" => 4,
        "nfsexport" => 5,
        "nfsclient" => 6,
        "ip" => 7,
        "smb" => 8,
        "script" => 9,
        _ => 10,
    }
}

/// The attribute that names a shared resource of this type (what `ref=` points at).
fn primary_attr(kind: &str) -> &str {
    match kind {
        "ip" => "address",
        _ => "name",
    }
}

struct Tr<'a> {
    c: Config,
    host: &'a dyn Host,
    init: Option<ScriptKind>,
    shared: Vec<Elem>,
}

fn yes(v: Option<&str>) -> bool {
    matches!(
        v.map(str::to_ascii_lowercase).as_deref(),
        Some("1" | "yes" | "on" | "true")
    )
}

impl Tr<'_> {
    fn prim(
        &mut self,
        base: &str,
        agent: Agent,
        params: Vec<(String, String)>,
        ops: Vec<Op>,
    ) -> Primitive {
        let id = self.c.unique_id(base);
        Primitive {
            id,
            agent,
            params,
            meta: vec![],
            ops,
        }
    }

    /// A service child (inline or `ref=`), in start order, depth first, into `out`.
    fn resource(&mut self, svc: &str, el: &Elem, out: &mut Vec<String>) {
        let src = format!("cluster.conf:{}", el.line);
        let def = match el.attr("ref") {
            Some(r) => match self
                .shared
                .iter()
                .find(|s| s.name == el.name && s.attr(primary_attr(&el.name)) == Some(r))
            {
                Some(d) => {
                    let mut d = d.clone();
                    // children given at the reference come on top of the shared definition's
                    d.children.extend(el.children.iter().cloned());
                    d
                }
                None => {
                    self.c.untranslated(
                        &src,
                        &format!("<{} ref=\"{r}\">", el.name),
                        format!(
                            "no <{}> with {}=\"{r}\" under <rm><resources>",
                            el.name,
                            primary_attr(&el.name)
                        ),
                    );
                    return;
                }
            },
            None => el.clone(),
        };
        let item = format!(
            "<{} {}=\"{}\"> in service {svc}",
            def.name,
            primary_attr(&def.name),
            def.attr(primary_attr(&def.name)).unwrap_or("")
        );
        let mut ignored: Vec<&str> = Vec::new();
        let translated = match def.name.as_str() {
            "ip" => match def.attr("address") {
                Some(a) if !a.is_empty() => {
                    let (ip, bits) = match a.split_once('/') {
                        Some((i, b)) => (i, Some(b)),
                        None => (a, None),
                    };
                    let mut params = vec![("ip".to_string(), ip.to_string())];
                    if let Some(b) = bits {
                        params.push(("cidr_netmask".into(), b.into()));
                    }
                    if matches!(def.attr("monitor_link"), Some("0" | "off" | "no" | "false")) {
                        params.push(("check_link_status".into(), "false".into()));
                    }
                    for (k, _) in &def.attrs {
                        if !matches!(k.as_str(), "address" | "monitor_link" | "ref") {
                            ignored.push(k);
                        }
                    }
                    let base = format!("ip_{}", ip.replace(['.', ':'], "_"));
                    Some(self.prim(
                        &base,
                        Agent::ocf("rustha", "IPaddr2"),
                        params,
                        vec![Op::monitor("10s", "20s")],
                    ))
                }
                _ => {
                    self.c.untranslated(&src, &item, "an <ip> needs address=");
                    None
                }
            },
            "fs" => match (def.attr("device"), def.attr("mountpoint")) {
                (Some(dev), Some(mp)) if !dev.is_empty() && !mp.is_empty() => {
                    let mut params = vec![
                        ("device".to_string(), dev.to_string()),
                        ("directory".to_string(), mp.to_string()),
                    ];
                    if let Some(t) = def.attr("fstype").filter(|t| !t.is_empty()) {
                        params.push(("fstype".into(), t.into()));
                    }
                    if let Some(o) = def.attr("options").filter(|o| !o.is_empty()) {
                        params.push(("options".into(), o.into()));
                    }
                    if let Some(f) = def.attr("force_unmount") {
                        params.push((
                            "force_unmount".into(),
                            if yes(Some(f)) {
                                "true".into()
                            } else {
                                "false".into()
                            },
                        ));
                    }
                    if yes(def.attr("force_fsck")) {
                        params.push(("run_fsck".into(), "force".into()));
                    }
                    let mut ops = vec![Op::monitor("20s", "40s")];
                    if yes(def.attr("self_fence")) {
                        ops.push(Op {
                            name: "stop".into(),
                            interval: "0s".into(),
                            timeout: Some("60s".into()),
                            role: None,
                            on_fail: Some("fence".into()),
                        });
                    }
                    for (k, _) in &def.attrs {
                        if !matches!(
                            k.as_str(),
                            "name"
                                | "device"
                                | "mountpoint"
                                | "fstype"
                                | "options"
                                | "force_unmount"
                                | "force_fsck"
                                | "self_fence"
                                | "ref"
                        ) {
                            ignored.push(k);
                        }
                    }
                    let base = format!("fs_{}", def.attr("name").unwrap_or(mp));
                    Some(self.prim(&base, Agent::ocf("rustha", "Filesystem"), params, ops))
                }
                _ => {
                    self.c
                        .untranslated(&src, &item, "an <fs> needs device= and mountpoint=");
                    None
                }
            },
            "script" => {
                match def.attr("file") {
                    Some(f) if !f.is_empty() => {
                        let name = f.rsplit('/').next().unwrap_or(f).to_string();
                        let kind = self.init.unwrap_or_else(|| self.host.script_kind(&name));
                        let agent = if kind == ScriptKind::Systemd {
                            Agent::Systemd(name.clone())
                        } else {
                            Agent::Lsb(name.clone())
                        };
                        if !f.starts_with("/etc/init.d/") && kind != ScriptKind::Systemd {
                            self.c.note(format!("{src}: script {f} is not in /etc/init.d: lsb:{name} needs it there"));
                        }
                        let base = def.attr("name").unwrap_or(&name).to_string();
                        Some(self.prim(&base, agent, vec![], vec![Op::monitor("30s", "30s")]))
                    }
                    _ => {
                        self.c.untranslated(&src, &item, "a <script> needs file=");
                        None
                    }
                }
            }
            "lvm" => match def.attr("vg_name") {
                Some(vg) if !vg.is_empty() => {
                    if def.attr("lv_name").is_some_and(|l| !l.is_empty()) {
                        self.c.note(format!("{src}: lvm lv_name={}: ocf:rustha:LVM activates the whole volume group {vg}", def.attr("lv_name").unwrap_or("")));
                    }
                    let params = vec![
                        ("volgrpname".to_string(), vg.to_string()),
                        ("exclusive".to_string(), "true".to_string()),
                    ];
                    Some(self.prim(
                        &format!("lvm_{vg}"),
                        Agent::ocf("rustha", "LVM"),
                        params,
                        vec![Op::monitor("30s", "90s")],
                    ))
                }
                _ => {
                    self.c.untranslated(&src, &item, "an <lvm> needs vg_name=");
                    None
                }
            },
            "vm" => {
                self.c.untranslated(
                    &src,
                    &item,
                    "virtual machines: configure ocf:heartbeat:VirtualDomain by hand",
                );
                None
            }
            other => {
                self.c.untranslated(&src, &item, format!("no translation for rgmanager resource type <{other}>; configure the matching ocf:heartbeat agent by hand"));
                None
            }
        };
        if let Some(p) = translated {
            if !ignored.is_empty() {
                self.c.note(format!(
                    "{src}: {}: attribute(s) {} have no counterpart and were left out",
                    p.id,
                    ignored.join(", ")
                ));
            }
            out.push(p.id.clone());
            self.c.primitives.push(p);
        }
        let mut kids: Vec<&Elem> = def.children.iter().collect();
        kids.sort_by_key(|k| start_level(&k.name));
        for k in kids {
            self.resource(svc, k, out);
        }
    }
}

/// Translate a cluster.conf.
pub fn translate(text: &str, host: &dyn Host, init: Option<ScriptKind>) -> Config {
    let mut t = Tr {
        c: Config::new("cman cluster.conf"),
        host,
        init,
        shared: vec![],
    };
    let root = match parse_xml(text) {
        Ok(r) => r,
        Err(e) => {
            t.c.untranslated(
                "cluster.conf",
                "(whole file)",
                format!("not well-formed XML: {e}"),
            );
            return t.c;
        }
    };
    if root.name != "cluster" {
        t.c.untranslated(
            "cluster.conf",
            &format!("<{}>", root.name),
            "the root element of a cluster.conf is <cluster>",
        );
        return t.c;
    }

    // nodes and their fence methods
    let nodes: Vec<&Elem> = root
        .child("clusternodes")
        .map(|n| n.all("clusternode").collect())
        .unwrap_or_default();
    let names: Vec<String> = nodes
        .iter()
        .filter_map(|n| n.attr("name"))
        .map(String::from)
        .collect();
    t.c.nodes = names.clone();
    if nodes.is_empty() {
        t.c.untranslated("cluster.conf", "<clusternodes>", "no <clusternode> found");
    }

    // fence devices: one stonith resource each, the nodes' ports as pcmk_host_map
    let devices: Vec<&Elem> = root
        .child("fencedevices")
        .map(|d| d.all("fencedevice").collect())
        .unwrap_or_default();
    // (device name, node, method index, reference attributes)
    let mut refs: Vec<(String, String, u32, &Elem)> = Vec::new();
    for n in &nodes {
        let node = n.attr("name").unwrap_or("");
        if let Some(f) = n.child("fence") {
            for (i, m) in f.all("method").enumerate() {
                for d in m.all("device") {
                    refs.push((
                        d.attr("name").unwrap_or("").to_string(),
                        node.to_string(),
                        i as u32 + 1,
                        d,
                    ));
                }
            }
        }
        for (k, v) in &n.attrs {
            match k.as_str() {
                "name" => {}
                "nodeid" => t.c.note(format!("cluster.conf:{}: node {node} nodeid=\"{v}\" → corosync.conf nodelist {{ node {{ nodeid: {v} }} }}", n.line)),
                _ => t.c.note(format!("cluster.conf:{}: node {node} {k}=\"{v}\": corosync.conf nodelist / quorum votes; review by hand", n.line)),
            }
        }
        if n.child("fence")
            .is_none_or(|f| f.all("method").next().is_none())
        {
            t.c.note(format!(
                "cluster.conf:{}: node {node} has no fence method",
                n.line
            ));
        }
    }
    let mut device_ids: Vec<(String, Vec<String>)> = Vec::new(); // cman device name -> stonith ids
    for d in &devices {
        let src = format!("cluster.conf:{}", d.line);
        let name = d.attr("name").unwrap_or("");
        let Some(agent) = d.attr("agent").filter(|a| !a.is_empty()) else {
            t.c.untranslated(&src, &format!("<fencedevice name=\"{name}\">"), "no agent=");
            continue;
        };
        let ours = fence_agent(agent);
        if ours != agent {
            t.c.note(format!(
                "{src}: {agent} → rustha's {ours} (same parameters)"
            ));
        }
        let mut base: Vec<(String, String)> = Vec::new();
        for (k, v) in &d.attrs {
            match k.as_str() {
                "name" | "agent" => {}
                // 1.1.6's "quiet" is a command-line habit; Pacemaker logs the agent's output anyway
                "quiet" => {}
                _ => base.push((fence_param_name(k).to_string(), v.clone())),
            }
        }
        let my_refs: Vec<&(String, String, u32, &Elem)> =
            refs.iter().filter(|r| r.0 == name).collect();
        if my_refs.is_empty() {
            t.c.note(format!(
                "{src}: fence device {name} is used by no node; translated anyway"
            ));
        }
        // the device-reference attributes other than name/port/action, per node
        let extra = |r: &Elem| -> Vec<(String, String)> {
            r.attrs
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "name" | "port" | "action" | "nodename"))
                .map(|(k, v)| (fence_param_name(k).to_string(), v.clone()))
                .collect()
        };
        let actions: Vec<&str> = my_refs.iter().filter_map(|r| r.3.attr("action")).collect();
        let plain = my_refs.iter().all(|r| extra(r.3).is_empty());
        let with_port = my_refs
            .iter()
            .filter(|r| r.3.attr("port").is_some())
            .count();
        let one_map = plain && (with_port == my_refs.len() || with_port == 0);
        let mut ids = Vec::new();
        let mut add = |t: &mut Tr, base_id: &str, params: Vec<(String, String)>| {
            let mut p = t.prim(
                base_id,
                Agent::Stonith(ours.clone()),
                params,
                vec![Op::monitor("60s", "60s")],
            );
            if !actions.is_empty() && actions.iter().all(|a| *a == "off") {
                p.params.push(("pcmk_reboot_action".into(), "off".into()));
            } else if actions.contains(&"off") {
                t.c.note(format!("{src}: some nodes fence with {name} by action=off, others not: Pacemaker reboots them all (pcmk_reboot_action)"));
            }
            ids.push(p.id.clone());
            t.c.primitives.push(p);
        };
        if one_map {
            let mut params = base.clone();
            if !my_refs.is_empty() && with_port > 0 {
                let map = my_refs
                    .iter()
                    .map(|r| format!("{}:{}", r.1, r.3.attr("port").unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join(";");
                params.push(("pcmk_host_map".into(), map));
            } else if !my_refs.is_empty() {
                // a device per node (an IPMI BMC): it fences the nodes that name it
                let list = my_refs
                    .iter()
                    .map(|r| r.1.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                params.push(("pcmk_host_list".into(), list));
            }
            add(&mut t, &format!("fence_{name}"), params);
        } else {
            // per-node device settings: one resource per node, each fencing only that node
            for r in &my_refs {
                let mut params = base.clone();
                if let Some(p) = r.3.attr("port") {
                    params.push(("plug".into(), p.into()));
                }
                params.extend(extra(r.3));
                params.push(("pcmk_host_list".into(), r.1.clone()));
                add(&mut t, &format!("fence_{name}_{}", r.1), params);
            }
        }
        device_ids.push((name.to_string(), ids));
    }
    for (dev, _, _, r) in &refs {
        if !devices.iter().any(|d| d.attr("name") == Some(dev.as_str())) {
            t.c.untranslated(
                &format!("cluster.conf:{}", r.line),
                &format!("<device name=\"{dev}\">"),
                "no <fencedevice> of that name",
            );
        }
    }
    // more than one method, or more than one device in a method: fencing levels
    let needs_levels = nodes.iter().any(|n| {
        n.child("fence").is_some_and(|f| {
            f.all("method").count() > 1 || f.all("method").any(|m| m.all("device").count() > 1)
        })
    });
    if needs_levels {
        for n in &nodes {
            let node = n.attr("name").unwrap_or("");
            let Some(f) = n.child("fence") else { continue };
            for (i, m) in f.all("method").enumerate() {
                let mut devs: Vec<String> = Vec::new();
                for d in m.all("device") {
                    let dev = d.attr("name").unwrap_or("");
                    if let Some((_, ids)) = device_ids.iter().find(|(n, _)| n == dev) {
                        // the resource that fences this node: the map, or the node's own
                        if let Some(id) = ids
                            .iter()
                            .find(|id| id.ends_with(&format!("_{node}")))
                            .or(ids.first())
                        {
                            devs.push(id.clone());
                        }
                    }
                }
                if !devs.is_empty() {
                    t.c.fencing_levels.push(FencingLevel {
                        target: node.to_string(),
                        index: i as u32 + 1,
                        devices: devs,
                    });
                }
            }
        }
    }
    if t.c.has_fencing() {
        t.c.property("stonith-enabled", "true");
    } else {
        t.c.property("stonith-enabled", "false");
        t.c.note(
            "cluster.conf has no fence device: fencing disabled; configure one before production",
        );
    }

    // Everything else under <cluster> lives outside the CIB (corosync.conf, logging) or has no
    // counterpart: each attribute and element is named, never dropped silently.
    for el in &root.children {
        let src = format!("cluster.conf:{}", el.line);
        match el.name.as_str() {
            "clusternodes" | "fencedevices" | "rm" => {}
            "cman" => {
                for (k, v) in &el.attrs {
                    let what = match k.as_str() {
                        "two_node" if yes(Some(v)) => "corosync.conf quorum { two_node: 1 }".to_string(),
                        "two_node" => "corosync.conf quorum { two_node: 0 } (the default)".to_string(),
                        "expected_votes" => format!("corosync.conf quorum {{ expected_votes: {v} }}"),
                        "transport" => "corosync.conf totem { transport: knet } (udpu/udp are older)".to_string(),
                        "port" => "corosync.conf totem interface mcastport / knet link port".to_string(),
                        "cluster_id" => "corosync.conf totem { cluster_name } identifies the cluster".to_string(),
                        _ => "no counterpart; review by hand".to_string(),
                    };
                    t.c.note(format!("{src}: cman {k}=\"{v}\" → {what}"));
                }
            }
            "totem" => {
                for (k, v) in &el.attrs {
                    t.c.note(format!("{src}: totem {k}=\"{v}\" → corosync.conf totem {{ {k}: {v} }} (check the name for corosync 3)"));
                }
            }
            "logging" => t.c.note(format!(
                "{src}: <logging> → corosync.conf logging {{}} and PCMK_logfile / PCMK_logfacility in /etc/default/pacemaker"
            )),
            "fence_daemon" => {
                for (k, v) in &el.attrs {
                    let what = match k.as_str() {
                        "post_join_delay" | "post_fail_delay" => "Pacemaker's counterparts are the dc-deadtime property and pcmk_delay_base on the fence device (not set)",
                        "clean_start" => "no counterpart: Pacemaker fences unseen nodes at start unless startup-fencing=false",
                        _ => "no counterpart; review by hand",
                    };
                    t.c.note(format!("{src}: fence_daemon {k}=\"{v}\": {what}"));
                }
            }
            "quorumd" => t.c.untranslated(&src, "<quorumd>", "a quorum disk: use corosync-qdevice (qnetd) instead"),
            "dlm" | "gfs_controld" | "group" => t.c.untranslated(
                &src,
                &format!("<{}>", el.name),
                "cluster file systems: configure ocf:pacemaker:controld (and gfs2) clones by hand",
            ),
            "fence_xvmd" => t.c.untranslated(&src, "<fence_xvmd>", "fence_virtd on the hosts replaces fence_xvmd"),
            other => t.c.untranslated(&src, &format!("<{other}>"), "not a cluster.conf element this tool knows"),
        }
    }

    // rgmanager: shared resources, failover domains, services
    let Some(rm) = root.child("rm") else {
        t.c.note("cluster.conf has no <rm> section: no services to translate");
        return t.c;
    };
    for (k, v) in &rm.attrs {
        t.c.note(format!(
            "cluster.conf:{}: rm {k}=\"{v}\": rgmanager setting without a Pacemaker counterpart",
            rm.line
        ));
    }
    t.shared = rm
        .child("resources")
        .map(|r| r.children.clone())
        .unwrap_or_default();
    let domains: Vec<&Elem> = rm
        .child("failoverdomains")
        .map(|d| d.all("failoverdomain").collect())
        .unwrap_or_default();
    let mut any_nofailback = false;
    for svc_el in rm
        .children
        .iter()
        .filter(|c| c.name == "service" || c.name == "vm")
    {
        let src = format!("cluster.conf:{}", svc_el.line);
        let svc = svc_el.attr("name").unwrap_or("").to_string();
        if svc_el.name == "vm" {
            t.c.untranslated(
                &src,
                &format!("<vm name=\"{svc}\">"),
                "virtual machines: configure ocf:heartbeat:VirtualDomain by hand",
            );
            continue;
        }
        let mut members = Vec::new();
        let mut kids: Vec<&Elem> = svc_el.children.iter().collect();
        kids.sort_by_key(|k| start_level(&k.name));
        for k in kids {
            t.resource(&svc, k, &mut members);
        }
        if members.is_empty() {
            t.c.untranslated(
                &src,
                &format!("<service name=\"{svc}\">"),
                "none of its resources could be translated",
            );
            continue;
        }
        let gid = t.c.unique_id(&svc);
        let mut meta = Vec::new();
        if matches!(svc_el.attr("autostart"), Some("0" | "no" | "false")) {
            meta.push(("target-role".to_string(), "Stopped".to_string()));
        }
        match svc_el.attr("recovery") {
            Some("relocate") => meta.push(("migration-threshold".to_string(), "1".to_string())),
            Some("disable") => t.c.note(format!("{src}: service {svc} recovery=\"disable\": Pacemaker restarts it instead (set migration-threshold and on-fail=block by hand if wanted)")),
            _ => {}
        }
        if yes(svc_el.attr("exclusive")) {
            t.c.untranslated(&src, &format!("<service name=\"{svc}\" exclusive=\"1\">"), "exclusive (alone on its node): add -INFINITY colocations against the other groups by hand");
        }
        if let Some(dname) = svc_el.attr("domain") {
            match domains.iter().find(|d| d.attr("name") == Some(dname)) {
                Some(d) => {
                    let ordered = yes(d.attr("ordered"));
                    let members_n: Vec<(String, u32)> = d
                        .all("failoverdomainnode")
                        .filter_map(|n| {
                            n.attr("name").map(|name| {
                                (
                                    name.to_string(),
                                    n.attr("priority").and_then(|p| p.parse().ok()).unwrap_or(1),
                                )
                            })
                        })
                        .collect();
                    for (node, prio) in &members_n {
                        // priority 1 is the most preferred; unordered domains prefer all alike
                        let score = if ordered {
                            100u32.saturating_sub(prio.saturating_sub(1)).max(1)
                        } else {
                            100
                        };
                        let lid = t.c.unique_id(&format!("loc_{gid}_{node}"));
                        t.c.constraints.push(Constraint::Location {
                            id: lid,
                            rsc: gid.clone(),
                            node: node.clone(),
                            score: score.to_string(),
                        });
                    }
                    if yes(d.attr("restricted")) && !members_n.is_empty() {
                        let lid = t.c.unique_id(&format!("loc_{gid}_only_in_{dname}"));
                        t.c.constraints.push(Constraint::OnlyOn {
                            id: lid,
                            rsc: gid.clone(),
                            nodes: members_n.iter().map(|(n, _)| n.clone()).collect(),
                        });
                    }
                    if yes(d.attr("nofailback")) {
                        any_nofailback = true;
                        meta.push(("resource-stickiness".to_string(), "200".to_string()));
                    }
                }
                None => t.c.untranslated(
                    &src,
                    &format!("service {svc} domain=\"{dname}\""),
                    "no <failoverdomain> of that name",
                ),
            }
        }
        t.c.groups.push(Group {
            id: gid,
            members,
            meta,
        });
    }
    for other in rm.children.iter().filter(|c| {
        !matches!(
            c.name.as_str(),
            "service" | "vm" | "resources" | "failoverdomains"
        )
    }) {
        t.c.untranslated(
            &format!("cluster.conf:{}", other.line),
            &format!("<rm><{}>", other.name),
            "not an rgmanager element this tool knows",
        );
    }
    if !any_nofailback {
        t.c.rsc_defaults
            .push(("resource-stickiness".into(), "0".into()));
    }
    t.c
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoHost;
    impl Host for NoHost {
        fn script_kind(&self, name: &str) -> ScriptKind {
            if name == "httpd" {
                ScriptKind::Lsb
            } else {
                ScriptKind::Unknown
            }
        }
        fn read_file(&self, _: &str) -> Option<String> {
            None
        }
        fn stonith_confignames(&self, _: &str) -> Option<Vec<String>> {
            None
        }
    }

    /// A cluster.conf in the style of the Node Assassin seed (Alteeve's two-node tutorial).
    pub const SEED: &str = r#"<?xml version="1.0"?>
<cluster name="an-cluster" config_version="1">
  <cman two_node="1" expected_votes="1"/>
  <clusternodes>
    <clusternode name="an-node01.alteeve.com" nodeid="1">
      <fence><method name="node_assassin"><device name="motoko" port="01" action="off"/></method></fence>
    </clusternode>
    <clusternode name="an-node02.alteeve.com" nodeid="2">
      <fence><method name="node_assassin"><device name="motoko" port="02" action="off"/></method></fence>
    </clusternode>
  </clusternodes>
  <fencedevices>
    <fencedevice name="motoko" agent="fence_na" quiet="true" ipaddr="motoko.alteeve.com" login="motoko" passwd="secret"/>
  </fencedevices>
  <fence_daemon post_join_delay="60"/>
  <totem rrp_mode="none" secauth="off"/>
  <rm>
    <failoverdomains>
      <failoverdomain name="an1_primary" nofailback="0" ordered="1" restricted="0">
        <failoverdomainnode name="an-node01.alteeve.com" priority="1"/>
        <failoverdomainnode name="an-node02.alteeve.com" priority="2"/>
      </failoverdomain>
    </failoverdomains>
    <resources>
      <ip address="192.168.1.100" monitor_link="on"/>
      <fs name="data" device="/dev/drbd0" mountpoint="/data" fstype="ext3" force_unmount="1" self_fence="1"/>
      <script name="httpd" file="/etc/init.d/httpd"/>
    </resources>
    <service name="web" domain="an1_primary" autostart="1" recovery="relocate">
      <script ref="httpd"/>
      <ip ref="192.168.1.100"/>
      <fs ref="data"/>
    </service>
  </rm>
</cluster>
"#;

    #[test]
    fn node_assassin_seed() {
        let c = translate(SEED, &NoHost, None);
        assert!(c.untranslated.is_empty(), "{:?}", c.untranslated);
        let st = c.primitive("fence_motoko").unwrap();
        assert_eq!(st.agent.to_string(), "stonith:fence_na");
        assert_eq!(st.get("ip"), Some("motoko.alteeve.com"));
        assert_eq!(st.get("username"), Some("motoko"));
        assert_eq!(st.get("password"), Some("secret"));
        assert_eq!(st.get("quiet"), None);
        assert_eq!(
            st.get("pcmk_host_map"),
            Some("an-node01.alteeve.com:01;an-node02.alteeve.com:02")
        );
        assert_eq!(st.get("pcmk_reboot_action"), Some("off"));
        assert!(c.fencing_levels.is_empty());
        let g = &c.groups[0];
        assert_eq!(g.id, "web");
        // rgmanager's order: fs, ip, script
        assert_eq!(g.members, vec!["fs_data", "ip_192_168_1_100", "httpd"]);
        assert_eq!(
            g.meta,
            vec![("migration-threshold".to_string(), "1".to_string())]
        );
        let fs = c.primitive("fs_data").unwrap();
        assert_eq!(fs.agent.to_string(), "ocf:rustha:Filesystem");
        assert_eq!(fs.get("directory"), Some("/data"));
        assert!(fs
            .ops
            .iter()
            .any(|o| o.name == "stop" && o.on_fail.as_deref() == Some("fence")));
        assert_eq!(
            c.primitive("ip_192_168_1_100").unwrap().agent.to_string(),
            "ocf:rustha:IPaddr2"
        );
        assert_eq!(c.primitive("httpd").unwrap().agent.to_string(), "lsb:httpd");
        assert!(c.constraints.contains(&Constraint::Location {
            id: "loc_web_an-node01.alteeve.com".into(),
            rsc: "web".into(),
            node: "an-node01.alteeve.com".into(),
            score: "100".into()
        }));
        assert!(c.constraints.contains(&Constraint::Location {
            id: "loc_web_an-node02.alteeve.com".into(),
            rsc: "web".into(),
            node: "an-node02.alteeve.com".into(),
            score: "99".into()
        }));
        assert!(c.notes.iter().any(|n| n.contains("two_node")));
        for said in [
            "expected_votes: 1",
            "totem rrp_mode=\"none\"",
            "totem secauth=\"off\"",
            "post_join_delay=\"60\"",
            "nodeid: 2",
        ] {
            assert!(
                c.notes.iter().any(|n| n.contains(said)),
                "{said} not noted: {:?}",
                c.notes
            );
        }
        assert_eq!(
            c.nodes,
            vec!["an-node01.alteeve.com", "an-node02.alteeve.com"]
        );
    }

    #[test]
    fn methods_become_levels_and_unknowns_are_listed() {
        let x = r#"<cluster name="c">
  <clusternodes>
    <clusternode name="n1"><fence>
      <method name="1"><device name="ipmi1"/></method>
      <method name="2"><device name="na" port="1"/></method>
    </fence></clusternode>
    <clusternode name="n2"><fence><method name="1"><device name="na" port="2"/><device name="ghost"/></method></fence></clusternode>
  </clusternodes>
  <fencedevices>
    <fencedevice name="ipmi1" agent="fence_ipmilan" ipaddr="10.0.0.101" login="admin" passwd="pw" lanplus="1"/>
    <fencedevice name="na" agent="fence_na" ipaddr="10.0.0.200"/>
  </fencedevices>
  <quorumd label="q"/>
  <logging debug="on"/>
  <dlm protocol="tcp"/>
  <rm>
    <service name="s" domain="nope" exclusive="1"><nfsexport name="e"/><ip address="10.0.0.5/24" monitor_link="0"/></service>
    <vm name="guest"/>
  </rm>
</cluster>"#;
        let c = translate(x, &NoHost, None);
        assert_eq!(
            c.primitive("fence_ipmi1").unwrap().agent.to_string(),
            "stonith:fence_ipmilan_rs"
        );
        assert_eq!(
            c.primitive("fence_na").unwrap().get("pcmk_host_map"),
            Some("n1:1;n2:2")
        );
        assert_eq!(
            c.fencing_levels,
            vec![
                FencingLevel {
                    target: "n1".into(),
                    index: 1,
                    devices: vec!["fence_ipmi1".into()]
                },
                FencingLevel {
                    target: "n1".into(),
                    index: 2,
                    devices: vec!["fence_na".into()]
                },
                FencingLevel {
                    target: "n2".into(),
                    index: 1,
                    devices: vec!["fence_na".into()]
                },
            ]
        );
        let ip = c.primitive("ip_10_0_0_5").unwrap();
        assert_eq!(ip.get("cidr_netmask"), Some("24"));
        assert_eq!(ip.get("check_link_status"), Some("false"));
        let items: Vec<&str> = c.untranslated.iter().map(|u| u.item.as_str()).collect();
        assert!(
            c.notes
                .iter()
                .any(|n| n.contains("<logging> → corosync.conf logging")),
            "{:?}",
            c.notes
        );
        for want in [
            "<device name=\"ghost\">",
            "<quorumd>",
            "<dlm>",
            "<vm name=\"guest\">",
            "service s domain=\"nope\"",
            "<service name=\"s\" exclusive=\"1\">",
            "<nfsexport name=\"e\"> in service s",
        ] {
            assert!(items.contains(&want), "{want} not in {items:?}");
        }
        // no secret in any message
        assert!(c
            .untranslated
            .iter()
            .all(|u| !u.reason.contains("pw") && !u.item.contains("pw")));
    }

    #[test]
    fn broken_xml_is_reported() {
        let c = translate("<cluster><clusternodes>", &NoHost, None);
        assert_eq!(c.untranslated.len(), 1);
        assert!(
            c.untranslated[0].reason.contains("not well-formed"),
            "{:?}",
            c.untranslated
        );
        let c = translate("<foo/>", &NoHost, None);
        assert!(c.untranslated[0].reason.contains("<cluster>"));
    }
}
