// SPDX-License-Identifier: GPL-2.0-or-later
//! The LVM2 on-disk format, read without LVM: the PV label, the metadata area header and the
//! VG metadata text (`vgname { id = ... seqno = N system_id = "..." tags = [...] ... }`).
//!
//! The monitor reads these from a PV under the active LVs (O_DIRECT, under the deadline) to see
//! whether the VG is still ours: another node that took it over wrote its system ID, or removed
//! our tag, into this text. Layout (LVM2 `format_text/layout.h`): a 512-byte label in one of the
//! first four sectors (`LABELONE`, then a `pv_header` with the PV UUID and the lists of data and
//! metadata areas); each metadata area starts with an `mda_header` (checksum, magic
//! ` LVM2 x[5A%r0N*>`, version 1, start, size, `raw_locn`s); the first `raw_locn` gives the
//! current text (offset from the area's start, size, checksum), which wraps around to just after
//! the header when it passes the end of the area.

use std::collections::BTreeMap;

pub const SECTOR: usize = 512;
/// The label is in one of the first four sectors.
pub const LABEL_SCAN_BYTES: usize = 4 * SECTOR;
const MDA_MAGIC: &[u8; 16] = b" LVM2 x[5A%r0N*>";
const INITIAL_CRC: u32 = 0xf597_a6cf;
/// Metadata texts larger than this are refused (LVM's default area is 1 MiB).
pub const MAX_TEXT: u64 = 64 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub pv_uuid: String,
    pub device_size: u64,
    /// (offset, size) in bytes of each metadata area on the device.
    pub metadata_areas: Vec<(u64, u64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLocn {
    pub offset: u64,
    pub size: u64,
    pub checksum: u32,
    pub flags: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdaHeader {
    pub start: u64,
    pub size: u64,
    pub locns: Vec<RawLocn>,
}

/// LVM's CRC (`lib/misc/crc.c`): reflected CRC-32 without the final inversion.
pub fn crc(initial: u32, data: &[u8]) -> u32 {
    let mut c = initial;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = (c >> 1) ^ (0xedb8_8320 & (c & 1).wrapping_neg());
        }
    }
    c
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The PV label in the first [`LABEL_SCAN_BYTES`] of a device.
pub fn parse_label(head: &[u8]) -> Result<Label, String> {
    for sector in 0..4 {
        let at = sector * SECTOR;
        let Some(s) = head.get(at..at + SECTOR) else {
            break;
        };
        if &s[..8] != b"LABELONE" {
            continue;
        }
        let stored = u32_at(s, 16).unwrap_or(0);
        if crc(INITIAL_CRC, &s[20..]) != stored {
            return Err(format!("PV label in sector {sector} has a bad checksum"));
        }
        if &s[24..32] != b"LVM2 001" {
            return Err("not an LVM2 label".into());
        }
        let off = u32_at(s, 20).unwrap_or(0) as usize;
        let ph = s.get(off..).ok_or("bad pv_header offset")?;
        let uuid = String::from_utf8_lossy(ph.get(..32).ok_or("short pv_header")?).into_owned();
        let device_size = u64_at(ph, 32).ok_or("short pv_header")?;
        let mut p = 40;
        let mut lists: Vec<Vec<(u64, u64)>> = vec![Vec::new(), Vec::new()];
        for list in &mut lists {
            loop {
                let (Some(o), Some(z)) = (u64_at(ph, p), u64_at(ph, p + 8)) else {
                    return Err("truncated pv_header area list".into());
                };
                p += 16;
                if o == 0 {
                    break;
                }
                list.push((o, z));
            }
        }
        return Ok(Label {
            pv_uuid: uuid,
            device_size,
            metadata_areas: lists.pop().unwrap_or_default(),
        });
    }
    Err("no LVM2 label in the first 4 sectors".into())
}

/// A metadata area header (its first sector).
pub fn parse_mda_header(sector: &[u8]) -> Result<MdaHeader, String> {
    let s = sector.get(..SECTOR).ok_or("short metadata area header")?;
    if &s[4..20] != MDA_MAGIC {
        return Err("no metadata area header (bad magic)".into());
    }
    if crc(INITIAL_CRC, &s[4..]) != u32_at(s, 0).unwrap_or(0) {
        return Err("metadata area header has a bad checksum".into());
    }
    let start = u64_at(s, 24).ok_or("short header")?;
    let size = u64_at(s, 32).ok_or("short header")?;
    let mut locns = Vec::new();
    let mut p = 40;
    while let (Some(offset), Some(sz), Some(checksum), Some(flags)) = (
        u64_at(s, p),
        u64_at(s, p + 8),
        u32_at(s, p + 16),
        u32_at(s, p + 20),
    ) {
        p += 24;
        if offset == 0 {
            break;
        }
        locns.push(RawLocn {
            offset,
            size: sz,
            checksum,
            flags,
        });
    }
    Ok(MdaHeader { start, size, locns })
}

impl MdaHeader {
    /// Where the current text is: one or two (absolute offset, length) pieces.
    pub fn text_pieces(&self) -> Result<Vec<(u64, u64)>, String> {
        let l = self
            .locns
            .first()
            .ok_or("the metadata area holds no metadata")?;
        if l.size == 0 || l.size > MAX_TEXT || l.offset >= self.size {
            return Err(format!(
                "implausible metadata location {}+{}",
                l.offset, l.size
            ));
        }
        let first = (self.size - l.offset).min(l.size);
        let mut pieces = vec![(self.start + l.offset, first)];
        if first < l.size {
            pieces.push((self.start + SECTOR as u64, l.size - first));
        }
        Ok(pieces)
    }

    /// Check the text read from [`Self::text_pieces`] against the stored checksum.
    pub fn check_text(&self, text: &[u8]) -> Result<(), String> {
        let l = self.locns.first().ok_or("no metadata")?;
        if crc(INITIAL_CRC, text) == l.checksum {
            Ok(())
        } else {
            Err("metadata text checksum mismatch (being rewritten?)".into())
        }
    }
}

// ---- the text format --------------------------------------------------------------------------

/// A value in LVM's config/metadata text.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    List(Vec<Value>),
    Section(Vec<(String, Value)>),
}

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Section(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A list of strings (`status = ["READ", "WRITE"]`); anything else is empty.
    pub fn strings(&self) -> Vec<String> {
        match self {
            Value::List(l) => l.iter().filter_map(|v| v.str().map(String::from)).collect(),
            _ => Vec::new(),
        }
    }
}

/// Parse a whole metadata (or lvm.conf) text into its top-level section.
pub fn parse_text(text: &str) -> Result<Value, String> {
    let toks = tokenize(text)?;
    let mut i = 0;
    let v = section_body(&toks, &mut i, 0)?;
    if i != toks.len() {
        return Err(format!("unexpected '{}'", tok_str(&toks[i])));
    }
    Ok(v)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Punct(char),
}

fn tok_str(t: &Tok) -> String {
    match t {
        Tok::Word(w) | Tok::Str(w) => w.clone(),
        Tok::Punct(c) => c.to_string(),
    }
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            '\0' => break,
            c if c.is_whitespace() => {
                chars.next();
            }
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '{' | '}' | '[' | ']' | '=' | ',' => {
                chars.next();
                out.push(Tok::Punct(c));
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unterminated string".into()),
                        Some('"') => break,
                        Some('\\') => s.extend(chars.next()),
                        Some(c) => s.push(c),
                    }
                }
                out.push(Tok::Str(s));
            }
            _ => {
                let mut w = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || "{}[]=,\"#".contains(c) {
                        break;
                    }
                    w.push(c);
                    chars.next();
                }
                out.push(Tok::Word(w));
            }
        }
    }
    Ok(out)
}

fn section_body(t: &[Tok], i: &mut usize, depth: u32) -> Result<Value, String> {
    if depth > 32 {
        return Err("sections nested too deeply".into());
    }
    let mut items = Vec::new();
    while let Some(tok) = t.get(*i) {
        let key = match tok {
            Tok::Punct('}') if depth > 0 => {
                *i += 1;
                return Ok(Value::Section(items));
            }
            Tok::Word(w) => w.clone(),
            other => return Err(format!("expected a name, got '{}'", tok_str(other))),
        };
        *i += 1;
        match t.get(*i) {
            Some(Tok::Punct('{')) => {
                *i += 1;
                let v = section_body(t, i, depth + 1)?;
                items.push((key, v));
            }
            Some(Tok::Punct('=')) => {
                *i += 1;
                let v = value(t, i)?;
                items.push((key, v));
            }
            _ => return Err(format!("expected '=' or '{{' after {key}")),
        }
    }
    if depth > 0 {
        return Err("unterminated section".into());
    }
    Ok(Value::Section(items))
}

fn scalar(tok: Option<&Tok>) -> Result<Value, String> {
    match tok {
        Some(Tok::Str(s)) => Ok(Value::Str(s.clone())),
        Some(Tok::Word(w)) => Ok(w
            .parse::<i64>()
            .map(Value::Int)
            .unwrap_or_else(|_| Value::Str(w.clone()))),
        Some(other) => Err(format!("expected a value, got '{}'", tok_str(other))),
        None => Err("expected a value at the end".into()),
    }
}

fn value(t: &[Tok], i: &mut usize) -> Result<Value, String> {
    if t.get(*i) != Some(&Tok::Punct('[')) {
        let v = scalar(t.get(*i))?;
        *i += 1;
        return Ok(v);
    }
    *i += 1;
    let mut list = Vec::new();
    loop {
        match t.get(*i) {
            Some(Tok::Punct(']')) => {
                *i += 1;
                return Ok(Value::List(list));
            }
            Some(Tok::Punct(',')) => *i += 1,
            tok => {
                list.push(scalar(tok)?);
                *i += 1;
            }
        }
    }
}

// ---- what the agent needs from the VG metadata ------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LvMeta {
    pub name: String,
    /// VISIBLE: a user-facing LV (hidden ones are parts of others: mirror legs, pool data, ...).
    pub visible: bool,
    /// `activation skip` set (`lvchange -ky`): not activated by `vgchange -ay`/`lvchange -ay VG`.
    pub activation_skip: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VgMeta {
    pub name: String,
    pub seqno: u64,
    pub system_id: String,
    pub tags: Vec<String>,
    pub lock_type: String,
    pub lvs: Vec<LvMeta>,
    /// Every PV's UUID (without dashes), as written in the metadata.
    pub pv_uuids: Vec<String>,
}

impl VgMeta {
    /// The VG in a metadata text (its one top-level section).
    pub fn from_text(text: &str) -> Result<VgMeta, String> {
        let top = parse_text(text)?;
        let Value::Section(items) = &top else {
            return Err("no VG section".into());
        };
        let (name, vg) = items
            .iter()
            .find(|(_, v)| matches!(v, Value::Section(_)))
            .ok_or("no VG section in the metadata")?;
        let seqno = match vg.get("seqno") {
            Some(Value::Int(n)) if *n >= 0 => *n as u64,
            _ => return Err(format!("VG {name}: no seqno")),
        };
        let s = |k: &str| vg.get(k).and_then(Value::str).unwrap_or("").to_string();
        let mut lvs = Vec::new();
        if let Some(Value::Section(items)) = vg.get("logical_volumes") {
            for (lv, body) in items {
                let status = body.get("status").map(Value::strings).unwrap_or_default();
                let flags = body.get("flags").map(Value::strings).unwrap_or_default();
                lvs.push(LvMeta {
                    name: lv.clone(),
                    visible: status.iter().any(|s| s == "VISIBLE"),
                    activation_skip: flags.iter().any(|f| f == "ACTIVATION_SKIP"),
                });
            }
        }
        let mut pv_uuids = Vec::new();
        if let Some(Value::Section(items)) = vg.get("physical_volumes") {
            for (_, body) in items {
                if let Some(id) = body.get("id").and_then(Value::str) {
                    pv_uuids.push(id.replace('-', ""));
                }
            }
        }
        Ok(VgMeta {
            name: name.clone(),
            seqno,
            system_id: s("system_id"),
            tags: vg.get("tags").map(Value::strings).unwrap_or_default(),
            lock_type: s("lock_type"),
            lvs,
            pv_uuids,
        })
    }

    /// LVs that `lvchange -ay VG` activates: visible and not skipped.
    pub fn activatable_lvs(&self) -> Vec<&str> {
        self.lvs
            .iter()
            .filter(|l| l.visible && !l.activation_skip)
            .map(|l| l.name.as_str())
            .collect()
    }
}

/// Parse the metadata of a device from its bytes, given a reader of (offset, length) ranges.
/// The reader does the I/O (O_DIRECT in the agent, a byte slice in tests).
pub fn read_vg_meta(
    read: &mut dyn FnMut(u64, usize) -> Result<Vec<u8>, String>,
) -> Result<VgMeta, String> {
    let label = parse_label(&read(0, LABEL_SCAN_BYTES)?)?;
    let (mda_off, _) = *label
        .metadata_areas
        .first()
        .ok_or("this PV holds no metadata area (pvcreate --metadatacopies 0)")?;
    let header = parse_mda_header(&read(mda_off, SECTOR)?)?;
    let mut text = Vec::new();
    for (off, len) in header.text_pieces()? {
        text.extend(read(off, len as usize)?);
    }
    header.check_text(&text)?;
    let text = String::from_utf8_lossy(&text);
    VgMeta::from_text(&text)
}

/// A map view for tests and logs.
pub fn summary(m: &VgMeta) -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("vg", m.name.clone()),
        ("seqno", m.seqno.to_string()),
        ("system_id", m.system_id.clone()),
        ("tags", m.tags.join(",")),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(name: &str) -> Vec<u8> {
        let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        std::fs::read(p).unwrap()
    }

    fn reader(img: &[u8]) -> impl FnMut(u64, usize) -> Result<Vec<u8>, String> + '_ {
        move |off, len| {
            img.get(off as usize..off as usize + len)
                .map(<[u8]>::to_vec)
                .ok_or_else(|| "short read".to_string())
        }
    }

    #[test]
    fn label_and_header_recorded_in_the_vm() {
        let img = image("pv-d0-head-after.bin");
        let l = parse_label(&img[..LABEL_SCAN_BYTES]).unwrap();
        assert_eq!(l.pv_uuid, "rSGF00PAx87S0kTuRwePN24Dedf5GImx");
        assert_eq!(l.device_size, 128 << 20);
        assert_eq!(l.metadata_areas, [(4096, 1_044_480)]);
        let h = parse_mda_header(&img[4096..4096 + SECTOR]).unwrap();
        assert_eq!((h.start, h.size), (4096, 1_044_480));
        assert_eq!(h.text_pieces().unwrap(), [(4096 + 8704, 1823)]);
    }

    #[test]
    fn vg_metadata_recorded_in_the_vm() {
        let img = image("pv-d0-head.bin");
        let m = read_vg_meta(&mut reader(&img)).unwrap();
        assert_eq!(m.name, "vgr");
        assert_eq!(m.system_id, "vm1");
        assert!(m.tags.is_empty());
        assert_eq!(m.activatable_lvs(), ["lv1", "lv2"]);
        assert_eq!(m.pv_uuids.len(), 2);
        assert!(m
            .pv_uuids
            .contains(&"rSGF00PAx87S0kTuRwePN24Dedf5GImx".to_string()));
        let after = read_vg_meta(&mut reader(&image("pv-d0-head-after.bin"))).unwrap();
        assert!(after.seqno > m.seqno);
        assert_eq!(after.activatable_lvs(), ["lv1", "lv2", "lv3"]);
    }

    #[test]
    fn damaged_metadata_is_an_error() {
        let mut img = image("pv-d0-head.bin");
        let h = parse_mda_header(&img[4096..4608]).unwrap();
        let (off, _) = h.text_pieces().unwrap()[0];
        img[off as usize + 10] ^= 0x20;
        let e = read_vg_meta(&mut reader(&img)).unwrap_err();
        assert!(e.contains("checksum"), "{e}");
        let mut img = image("pv-d0-head.bin");
        img[512 + 40] ^= 1;
        assert!(read_vg_meta(&mut reader(&img))
            .unwrap_err()
            .contains("label"));
        assert!(read_vg_meta(&mut reader(&[0u8; 8192])).is_err());
    }

    #[test]
    fn wrapped_text() {
        let h = MdaHeader {
            start: 4096,
            size: 10_000,
            locns: vec![RawLocn {
                offset: 9_000,
                size: 3_000,
                checksum: 0,
                flags: 0,
            }],
        };
        assert_eq!(
            h.text_pieces().unwrap(),
            [(13_096, 1_000), (4096 + 512, 2_000)]
        );
    }

    #[test]
    fn text_format() {
        let t = r#"vg0 { id = "a-b" seqno = 7 status = ["READ", "WRITE"] system_id = "n\"1"
            tags = ["pacemaker"] lock_type = "dlm"
            logical_volumes { lv0 { status = ["READ", "VISIBLE"] flags = ["ACTIVATION_SKIP"] }
              lv1_rimage { status = ["READ"] } lv2 { status = ["VISIBLE"] } } }
            # comment
            contents = "Text Format Volume Group" version = 1 creation_time = 1795999813 "#;
        let m = VgMeta::from_text(t).unwrap();
        assert_eq!(
            summary(&m),
            BTreeMap::from([
                ("vg", "vg0".into()),
                ("seqno", "7".into()),
                ("system_id", "n\"1".into()),
                ("tags", "pacemaker".into())
            ])
        );
        assert_eq!(m.lock_type, "dlm");
        assert_eq!(m.activatable_lvs(), ["lv2"]);
        for bad in [
            "vg {",
            "vg { a = }",
            "vg { a = [\"x\" }",
            "= 1",
            "vg { seqno = \"x\" }",
        ] {
            assert!(VgMeta::from_text(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn random_damage_never_panics() {
        let img = image("pv-d0-head.bin");
        let mut rng = rustha_testkit::XorShift::new(11);
        for _ in 0..300 {
            let mut b = img[..16384].to_vec();
            for _ in 0..4 {
                let i = rng.below(b.len());
                b[i] = rng.bytes(1)[0];
            }
            let _ = read_vg_meta(&mut reader(&b));
            let _ = VgMeta::from_text(&String::from_utf8_lossy(&b[12800..14700]));
        }
    }
}
