// SPDX-License-Identifier: GPL-2.0-or-later
//! The fence-peer constraint of crm-fence-peer.9.sh, with XML handled as XML.
//!
//! ```xml
//! <rsc_location rsc="ms_drbd_r0" id="drbd-fence-by-handler-r0-ms_drbd_r0">
//!   <rule role="Master" score="-INFINITY" id="drbd-fence-by-handler-r0-rule-ms_drbd_r0">
//!     <expression attribute="#uname" operation="ne" value="n1" id="drbd-fence-by-handler-r0-expr-1-ms_drbd_r0"/>
//!   </rule>
//! </rsc_location>
//! ```
//!
//! "Nobody but the UpToDate nodes may be promoted". Tools and admins grep for the
//! `drbd-fence-by-handler-` ids, so they are kept exactly. This module builds and reads that
//! XML, finds the promotable clone of a DRBD resource and the node states in a CIB, and holds
//! the handler's decision table (which exit code the kernel gets); running cibadmin is the
//! handler's job.

use crate::{clip, ParseError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer, XmlVersion};

/// The default `--id-prefix`.
pub const DEFAULT_PREFIX: &str = "drbd-fence-by-handler";

/// `--id-prefix` with "-RES" appended unless it already ends with it (as the stock script).
pub fn id_prefix(prefix: &str, resource: &str) -> String {
    let suffix = format!("-{resource}");
    if prefix.ends_with(&suffix) {
        prefix.to_string()
    } else {
        format!("{prefix}{suffix}")
    }
}

/// A node the constraint still allows to be promoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    /// DRBD node id (DRBD 9 handler environment); `None` gives 8.4's single-expression id.
    pub node_id: Option<u32>,
    /// The value of the fencing attribute on that node (its name for `#uname`).
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub id: String,
    /// The promotable clone (`--master-id`).
    pub rsc: String,
    pub rule_id: String,
    /// `Master` (stock default) or `Promoted`.
    pub role: String,
    pub score: String,
    /// `#uname` or a node attribute (`--fencing-attribute`).
    pub attribute: String,
    pub allowed: Vec<Allowed>,
}

impl Constraint {
    /// The constraint for `prefix` (already through [`id_prefix`]) on clone `master_id`.
    pub fn new(
        prefix: &str,
        master_id: &str,
        role: &str,
        attribute: &str,
        allowed: Vec<Allowed>,
    ) -> Self {
        Constraint {
            id: format!("{prefix}-{master_id}"),
            rsc: master_id.to_string(),
            rule_id: format!("{prefix}-rule-{master_id}"),
            role: role.to_string(),
            score: "-INFINITY".to_string(),
            attribute: attribute.to_string(),
            allowed,
        }
    }

    fn expr_id(&self, a: &Allowed) -> String {
        let prefix = self
            .id
            .strip_suffix(&format!("-{}", self.rsc))
            .unwrap_or(&self.id);
        match a.node_id {
            Some(n) => format!("{prefix}-expr-{n}-{}", self.rsc),
            None => format!("{prefix}-expr-{}", self.rsc),
        }
    }

    pub fn to_xml(&self) -> String {
        let mut w = Writer::new(Vec::new());
        let location = BytesStart::new("rsc_location")
            .with_attributes([("rsc", self.rsc.as_str()), ("id", self.id.as_str())]);
        let rule = BytesStart::new("rule").with_attributes([
            ("role", self.role.as_str()),
            ("score", self.score.as_str()),
            ("id", self.rule_id.as_str()),
        ]);
        // Writing to a Vec cannot fail.
        let _ = w.write_event(Event::Start(location.borrow()));
        let _ = w.write_event(Event::Start(rule.borrow()));
        for a in &self.allowed {
            let id = self.expr_id(a);
            let e = BytesStart::new("expression").with_attributes([
                ("attribute", self.attribute.as_str()),
                ("operation", "ne"),
                ("value", a.value.as_str()),
                ("id", id.as_str()),
            ]);
            let _ = w.write_event(Event::Empty(e));
        }
        let _ = w.write_event(Event::End(rule.to_end()));
        let _ = w.write_event(Event::End(location.to_end()));
        String::from_utf8(w.into_inner()).unwrap_or_default()
    }

    /// `<rsc_location rsc=".." id=".."/>`: what `cibadmin -D -X` needs to delete it.
    pub fn delete_xml(&self) -> String {
        let mut w = Writer::new(Vec::new());
        let e = BytesStart::new("rsc_location")
            .with_attributes([("rsc", self.rsc.as_str()), ("id", self.id.as_str())]);
        let _ = w.write_event(Event::Empty(e));
        String::from_utf8(w.into_inner()).unwrap_or_default()
    }

    /// Whether the node with this attribute value may still be promoted.
    pub fn allows(&self, value: &str) -> bool {
        self.allowed.iter().any(|a| a.value == value)
    }

    /// Same meaning (resource, role, allowed set), whatever the ids or order.
    pub fn same_as(&self, other: &Constraint) -> bool {
        let mut a: Vec<&str> = self.allowed.iter().map(|a| a.value.as_str()).collect();
        let mut b: Vec<&str> = other.allowed.iter().map(|a| a.value.as_str()).collect();
        a.sort_unstable();
        b.sort_unstable();
        a.dedup();
        b.dedup();
        self.rsc == other.rsc
            && role_eq(&self.role, &other.role)
            && self.attribute == other.attribute
            && a == b
    }
}

fn role_eq(a: &str, b: &str) -> bool {
    fn norm(r: &str) -> &str {
        match r {
            "Master" | "Promoted" => "Promoted",
            "Slave" | "Unpromoted" => "Unpromoted",
            o => o,
        }
    }
    norm(a) == norm(b)
}

fn attrs(e: &BytesStart<'_>) -> Vec<(String, String)> {
    e.attributes()
        .filter_map(Result::ok)
        .filter_map(|a| {
            let k = AsRef::<str>::as_ref(&a.key).to_string();
            let v = a
                .normalized_value(XmlVersion::Implicit1_0)
                .ok()?
                .into_owned();
            Some((k, v))
        })
        .collect()
}

fn attr<'a>(a: &'a [(String, String)], key: &str) -> Option<&'a str> {
    a.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn xml_error(e: quick_xml::Error, reader: &Reader<&[u8]>) -> ParseError {
    ParseError(format!(
        "CIB XML at byte {}: {}",
        reader.buffer_position(),
        clip(&e.to_string(), 60)
    ))
}

/// Walk every start/empty element with its depth-first path of names.
fn walk(
    xml: &str,
    mut visit: impl FnMut(&[String], &BytesStart<'_>, bool),
) -> Result<(), ParseError> {
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                path.push(AsRef::<str>::as_ref(&e.name()).to_string());
                visit(&path, &e, false);
            }
            Ok(Event::Empty(e)) => {
                path.push(AsRef::<str>::as_ref(&e.name()).to_string());
                visit(&path, &e, true);
                path.pop();
            }
            Ok(Event::End(_)) => {
                path.pop();
            }
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(xml_error(e, &reader)),
        }
    }
}

/// The constraint with this id in a CIB (or any XML holding it), if present.
pub fn find_constraint(cib: &str, id: &str) -> Result<Option<Constraint>, ParseError> {
    let mut found: Option<Constraint> = None;
    let mut inside: Option<usize> = None; // depth of our rsc_location
    walk(cib, |path, e, empty| {
        let name = path.last().map(String::as_str).unwrap_or("");
        if let Some(depth) = inside {
            if path.len() <= depth {
                inside = None;
            }
        }
        let a = attrs(e);
        if name == "rsc_location" && attr(&a, "id") == Some(id) {
            found = Some(Constraint {
                id: id.to_string(),
                rsc: attr(&a, "rsc").unwrap_or("").to_string(),
                rule_id: String::new(),
                role: String::new(),
                score: String::new(),
                attribute: String::new(),
                allowed: Vec::new(),
            });
            inside = if empty { None } else { Some(path.len()) };
            return;
        }
        let (Some(_), Some(c)) = (inside, found.as_mut()) else {
            return;
        };
        match name {
            "rule" => {
                c.rule_id = attr(&a, "id").unwrap_or("").to_string();
                c.role = attr(&a, "role").unwrap_or("").to_string();
                c.score = attr(&a, "score").unwrap_or("").to_string();
            }
            "expression" if attr(&a, "operation") == Some("ne") => {
                c.attribute = attr(&a, "attribute").unwrap_or("").to_string();
                let value = attr(&a, "value").unwrap_or("").to_string();
                let node_id = attr(&a, "id").and_then(|eid| {
                    let rest = eid.rsplit_once("-expr-")?.1;
                    let n = rest.strip_suffix(&format!("-{}", c.rsc))?;
                    n.parse().ok()
                });
                c.allowed.push(Allowed { node_id, value });
            }
            _ => {}
        }
    })?;
    Ok(found)
}

/// Every `drbd-fence-by-handler` style constraint on `rsc` whose id starts with `prefix`.
pub fn constraint_ids_with_prefix(cib: &str, prefix: &str) -> Result<Vec<String>, ParseError> {
    let mut ids = Vec::new();
    walk(cib, |path, e, _| {
        if path.last().map(String::as_str) == Some("rsc_location") {
            let a = attrs(e);
            if let Some(id) = attr(&a, "id").filter(|id| id.starts_with(prefix)) {
                ids.push(id.to_string());
            }
        }
    })?;
    Ok(ids)
}

/// The id of the promotable clone (`<clone>`, or Pacemaker 1's `<master>`) whose primitive has
/// the instance attribute `drbd_resource=RES`.
pub fn find_master_id(cib: &str, drbd_resource: &str) -> Result<Option<String>, ParseError> {
    let mut clones: Vec<(usize, String)> = Vec::new();
    let mut found = None;
    walk(cib, |path, e, _| {
        let name = path.last().map(String::as_str).unwrap_or("");
        clones.retain(|(depth, _)| *depth < path.len());
        let a = attrs(e);
        if matches!(name, "clone" | "master") {
            clones.push((path.len(), attr(&a, "id").unwrap_or("").to_string()));
        } else if name == "nvpair"
            && found.is_none()
            && attr(&a, "name") == Some("drbd_resource")
            && attr(&a, "value") == Some(drbd_resource)
            && path.iter().any(|p| p == "primitive")
            && path.iter().any(|p| p == "instance_attributes")
        {
            found = clones.last().map(|(_, id)| id.clone());
        }
    })?;
    Ok(found.filter(|id| !id.is_empty()))
}

/// A `<node_state>` of the CIB status section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeState {
    pub id: String,
    pub uname: String,
    /// Member of the membership (Pacemaker 2.1.7+ writes a timestamp instead of "true").
    pub in_ccm: bool,
    pub crmd_online: bool,
    pub join: String,
    pub expected: String,
}

/// What the handler learns about the peer from the CIB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerStatus {
    /// In the membership with a running controller: alive, only the replication link is down.
    Reachable,
    /// Out of the membership and expected down: fenced (or shut down cleanly).
    Fenced,
    /// Neither (yet): unclean, fencing pending; the handler keeps polling until its timeout.
    Unknown,
}

impl NodeState {
    pub fn status(&self) -> PeerStatus {
        if self.in_ccm && self.crmd_online {
            PeerStatus::Reachable
        } else if !self.in_ccm && self.expected == "down" {
            PeerStatus::Fenced
        } else {
            PeerStatus::Unknown
        }
    }
}

fn truthy_member(v: Option<&str>) -> bool {
    match v {
        Some("true") | Some("yes") | Some("1") => true,
        Some(v) => v.parse::<u64>().is_ok_and(|n| n > 0),
        None => false,
    }
}

/// Facts from a whole CIB (`cibadmin -Q`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CibFacts {
    pub have_quorum: bool,
    pub dc_uuid: Option<String>,
    pub stonith_enabled: bool,
    pub nodes: Vec<NodeState>,
    /// (node uname, attribute name, value) of the `<nodes>` section's instance attributes.
    pub node_attributes: Vec<(String, String, String)>,
    /// uname by node id from `<nodes>` (node_state may lack the uname).
    pub node_names: Vec<(String, String)>,
}

impl CibFacts {
    pub fn node(&self, uname: &str) -> Option<&NodeState> {
        self.nodes.iter().find(|n| n.uname == uname)
    }

    /// The fencing attribute's value for a node: its name for `#uname`, else the node attribute
    /// (falling back to the name, as the stock script).
    pub fn attribute_value(&self, uname: &str, attribute: &str) -> String {
        if attribute == "#uname" {
            return uname.to_string();
        }
        self.node_attributes
            .iter()
            .find(|(n, a, _)| n == uname && a == attribute)
            .map(|(_, _, v)| v.clone())
            .unwrap_or_else(|| uname.to_string())
    }
}

pub fn cib_facts(cib: &str) -> Result<CibFacts, ParseError> {
    let mut f = CibFacts {
        stonith_enabled: true,
        ..CibFacts::default()
    };
    let mut seen_root = false;
    walk(cib, |path, e, _| {
        let name = path.last().map(String::as_str).unwrap_or("");
        let a = attrs(e);
        if !seen_root {
            seen_root = true;
            if name == "cib" {
                f.have_quorum = truthy_member(attr(&a, "have-quorum"));
                f.dc_uuid = attr(&a, "dc-uuid").map(str::to_string);
            }
        }
        match name {
            "nvpair"
                if path.iter().any(|p| p == "crm_config")
                    && attr(&a, "name") == Some("stonith-enabled") =>
            {
                f.stonith_enabled =
                    !matches!(attr(&a, "value"), Some("false" | "no" | "0" | "off"));
            }
            "node" if path.len() >= 2 && path[path.len() - 2] == "nodes" => {
                if let (Some(id), Some(uname)) = (attr(&a, "id"), attr(&a, "uname")) {
                    f.node_names.push((id.to_string(), uname.to_string()));
                }
            }
            "nvpair"
                if path.iter().any(|p| p == "nodes")
                    && path.iter().any(|p| p == "instance_attributes") =>
            {
                if let (Some(node), Some(n), Some(v)) =
                    (f.node_names.last(), attr(&a, "name"), attr(&a, "value"))
                {
                    f.node_attributes
                        .push((node.1.clone(), n.to_string(), v.to_string()));
                }
            }
            "node_state" => f.nodes.push(NodeState {
                id: attr(&a, "id").unwrap_or("").to_string(),
                uname: attr(&a, "uname").unwrap_or("").to_string(),
                in_ccm: truthy_member(attr(&a, "in_ccm")),
                crmd_online: matches!(attr(&a, "crmd"), Some("online"))
                    || truthy_member(attr(&a, "crmd")),
                join: attr(&a, "join").unwrap_or("").to_string(),
                expected: attr(&a, "expected").unwrap_or("").to_string(),
            }),
            _ => {}
        }
    })?;
    if !seen_root {
        return Err(ParseError("CIB XML: empty document".into()));
    }
    for n in &mut f.nodes {
        if n.uname.is_empty() {
            if let Some((_, u)) = f.node_names.iter().find(|(id, _)| *id == n.id) {
                n.uname = u.clone();
            }
        }
    }
    Ok(f)
}

/// What the handler knows when it decides.
#[derive(Debug, Clone, Copy)]
pub struct FenceInput {
    /// Every local volume UpToDate.
    pub local_up_to_date: bool,
    /// Every local volume Consistent or UpToDate.
    pub local_consistent: bool,
    /// Every peer volume UpToDate (then there is nothing to fence).
    pub peers_up_to_date: bool,
    pub have_quorum: bool,
    pub peer: PeerStatus,
    /// `--unreachable-peer-is-outdated` (honoured only when set by an admin at a terminal).
    pub unreachable_peer_is_outdated: bool,
}

/// The handler's answer: whether to place the constraint and what to tell the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FenceDecision {
    pub place: bool,
    /// 1 nothing done, 4 peer outdated ("fenced" by constraint, reachable), 5 peer unreachable,
    /// 7 peer was fenced (STONITH).
    pub exit: u8,
    pub why: &'static str,
}

pub fn decide(i: &FenceInput) -> FenceDecision {
    let d = |place, exit, why| FenceDecision { place, exit, why };
    if i.peers_up_to_date {
        return d(
            false,
            1,
            "all peer disks are UpToDate, no constraint needed",
        );
    }
    if !i.have_quorum {
        return d(
            false,
            1,
            "this partition has no quorum, refusing to place a constraint",
        );
    }
    match i.peer {
        PeerStatus::Reachable if i.local_consistent => {
            d(true, 4, "peer is reachable, its promotion is forbidden")
        }
        PeerStatus::Fenced if i.local_up_to_date => d(true, 7, "peer was fenced"),
        PeerStatus::Unknown if i.local_up_to_date => {
            d(true, 5, "peer is unreachable, its promotion is forbidden")
        }
        PeerStatus::Unknown if i.unreachable_peer_is_outdated && i.local_consistent => d(
            true,
            5,
            "peer is unreachable and declared outdated by the admin",
        ),
        _ if !i.local_consistent => d(false, 5, "local disk is not UpToDate: no constraint placed"),
        _ => d(
            false,
            5,
            "local disk is only Consistent and the peer is not reachable: no constraint placed",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_as_stock() {
        assert_eq!(id_prefix(DEFAULT_PREFIX, "r0"), "drbd-fence-by-handler-r0");
        assert_eq!(
            id_prefix("drbd-fence-by-handler-r0", "r0"),
            "drbd-fence-by-handler-r0"
        );
        let c = Constraint::new(
            &id_prefix(DEFAULT_PREFIX, "r0"),
            "ms_drbd",
            "Master",
            "#uname",
            vec![Allowed {
                node_id: Some(1),
                value: "n1".into(),
            }],
        );
        assert_eq!(
            c.to_xml(),
            "<rsc_location rsc=\"ms_drbd\" id=\"drbd-fence-by-handler-r0-ms_drbd\">\
             <rule role=\"Master\" score=\"-INFINITY\" id=\"drbd-fence-by-handler-r0-rule-ms_drbd\">\
             <expression attribute=\"#uname\" operation=\"ne\" value=\"n1\" id=\"drbd-fence-by-handler-r0-expr-1-ms_drbd\"/>\
             </rule></rsc_location>"
        );
        let c84 = Constraint::new(
            "p-r0",
            "ms",
            "Master",
            "#uname",
            vec![Allowed {
                node_id: None,
                value: "a".into(),
            }],
        );
        assert!(c84.to_xml().contains("id=\"p-r0-expr-ms\""));
        assert_eq!(
            c.delete_xml(),
            "<rsc_location rsc=\"ms_drbd\" id=\"drbd-fence-by-handler-r0-ms_drbd\"/>"
        );
    }

    #[test]
    fn values_are_escaped_and_read_back() {
        let c = Constraint::new(
            "p-r0",
            "ms",
            "Promoted",
            "site",
            vec![Allowed {
                node_id: Some(2),
                value: "a\"<&>".into(),
            }],
        );
        let xml = format!(
            "<cib><configuration><constraints>{}</constraints></configuration></cib>",
            c.to_xml()
        );
        assert!(!xml.contains("a\"<"));
        let back = find_constraint(&xml, "p-r0-ms").unwrap().unwrap();
        assert_eq!(back, c);
        assert!(back.allows("a\"<&>"));
        assert!(find_constraint(&xml, "other").unwrap().is_none());
    }

    #[test]
    fn same_as_ignores_ids_order_and_role_names() {
        let a = Constraint::new(
            "p",
            "ms",
            "Master",
            "#uname",
            vec![
                Allowed {
                    node_id: Some(1),
                    value: "a".into(),
                },
                Allowed {
                    node_id: Some(2),
                    value: "b".into(),
                },
            ],
        );
        let mut b = Constraint::new(
            "p",
            "ms",
            "Promoted",
            "#uname",
            vec![
                Allowed {
                    node_id: None,
                    value: "b".into(),
                },
                Allowed {
                    node_id: None,
                    value: "a".into(),
                },
            ],
        );
        assert!(a.same_as(&b));
        b.allowed.pop();
        assert!(!a.same_as(&b));
    }

    const CIB: &str = r#"<cib have-quorum="1" dc-uuid="1" epoch="5">
  <configuration>
    <crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
    <nodes>
      <node id="1" uname="n1"><instance_attributes id="n1-a"><nvpair id="n1-site" name="site" value="left"/></instance_attributes></node>
      <node id="2" uname="n2"/>
    </nodes>
    <resources>
      <clone id="other-clone"><primitive id="dummy" class="ocf" provider="heartbeat" type="Dummy"/></clone>
      <clone id="ms_drbd">
        <meta_attributes id="ms-meta"><nvpair id="m1" name="promotable" value="true"/><nvpair id="m2" name="drbd_resource" value="decoy"/></meta_attributes>
        <primitive id="drbd_r0" class="ocf" provider="rustha" type="drbd">
          <instance_attributes id="drbd_r0-ia"><nvpair id="drbd_r0-ia-r" name="drbd_resource" value="r0"/></instance_attributes>
        </primitive>
      </clone>
      <master id="ms_old"><primitive id="drbd_r1" class="ocf" provider="linbit" type="drbd">
          <instance_attributes id="ia1"><nvpair id="ia1-r" name="drbd_resource" value="r1"/></instance_attributes></primitive></master>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="2" uname="n2" in_ccm="false" crmd="offline" join="down" expected="down"/>
  </status>
</cib>"#;

    #[test]
    fn master_id_from_the_primitive_instance_attributes() {
        assert_eq!(
            find_master_id(CIB, "r0").unwrap().as_deref(),
            Some("ms_drbd")
        );
        assert_eq!(
            find_master_id(CIB, "r1").unwrap().as_deref(),
            Some("ms_old")
        );
        assert_eq!(find_master_id(CIB, "decoy").unwrap(), None);
        assert_eq!(find_master_id(CIB, "r9").unwrap(), None);
    }

    #[test]
    fn cib_facts_read_quorum_nodes_and_attributes() {
        let f = cib_facts(CIB).unwrap();
        assert!(f.have_quorum);
        assert!(f.stonith_enabled);
        assert_eq!(f.node("n1").unwrap().status(), PeerStatus::Reachable);
        assert_eq!(f.node("n2").unwrap().status(), PeerStatus::Fenced);
        assert_eq!(f.attribute_value("n1", "site"), "left");
        assert_eq!(f.attribute_value("n2", "site"), "n2");
        assert_eq!(f.attribute_value("n2", "#uname"), "n2");
        let noq = CIB.replacen("have-quorum=\"1\"", "have-quorum=\"0\"", 1);
        assert!(!cib_facts(&noq).unwrap().have_quorum);
        // Pacemaker 2.1.7 writes timestamps for membership.
        let ts = CIB.replacen(
            "in_ccm=\"true\" crmd=\"online\"",
            "in_ccm=\"1700000000\" crmd=\"1700000001\"",
            1,
        );
        assert_eq!(
            cib_facts(&ts).unwrap().node("n1").unwrap().status(),
            PeerStatus::Reachable
        );
        let unclean = CIB.replacen(
            "in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"down\"",
            "in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"member\"",
            1,
        );
        assert_eq!(
            cib_facts(&unclean).unwrap().node("n2").unwrap().status(),
            PeerStatus::Unknown
        );
    }

    #[test]
    fn bad_xml_is_an_error_not_a_panic() {
        assert!(cib_facts("").is_err());
        assert!(find_master_id("<cib><a></b></cib>", "r0").is_err());
        assert!(find_constraint("<cib attr=\"x></cib>", "id").is_err());
    }

    fn input(peer: PeerStatus, up: bool, cons: bool) -> FenceInput {
        FenceInput {
            local_up_to_date: up,
            local_consistent: cons,
            peers_up_to_date: false,
            have_quorum: true,
            peer,
            unreachable_peer_is_outdated: false,
        }
    }

    #[test]
    fn decision_table_as_crm_fence_peer() {
        use PeerStatus::*;
        let all = FenceInput {
            peers_up_to_date: true,
            ..input(Reachable, true, true)
        };
        assert_eq!(
            decide(&all),
            FenceDecision {
                place: false,
                exit: 1,
                why: decide(&all).why
            }
        );
        let noq = FenceInput {
            have_quorum: false,
            ..input(Reachable, true, true)
        };
        assert_eq!((decide(&noq).place, decide(&noq).exit), (false, 1));
        assert_eq!(
            (
                decide(&input(Reachable, true, true)).place,
                decide(&input(Reachable, true, true)).exit
            ),
            (true, 4)
        );
        assert_eq!(
            (
                decide(&input(Reachable, false, true)).place,
                decide(&input(Reachable, false, true)).exit
            ),
            (true, 4)
        );
        assert_eq!(
            (
                decide(&input(Fenced, true, true)).place,
                decide(&input(Fenced, true, true)).exit
            ),
            (true, 7)
        );
        assert_eq!(
            (
                decide(&input(Unknown, true, true)).place,
                decide(&input(Unknown, true, true)).exit
            ),
            (true, 5)
        );
        assert_eq!(
            (
                decide(&input(Unknown, false, true)).place,
                decide(&input(Unknown, false, true)).exit
            ),
            (false, 5)
        );
        assert_eq!(
            (
                decide(&input(Fenced, false, false)).place,
                decide(&input(Fenced, false, false)).exit
            ),
            (false, 5)
        );
        let forced = FenceInput {
            unreachable_peer_is_outdated: true,
            ..input(Unknown, false, true)
        };
        assert_eq!((decide(&forced).place, decide(&forced).exit), (true, 5));
    }
}
