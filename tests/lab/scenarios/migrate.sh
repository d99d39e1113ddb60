# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers of the migration scenarios (23, 24): rustha-migrate's output loaded into the Pacemaker lab.
# Source it instead of lib.sh and ours.sh, after setting SCENARIO. Not a scenario itself.
MIGRATE_HERE=$(readlink -f "$(dirname "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR
. "$MIGRATE_HERE/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$MIGRATE_HERE/ours.sh"

# migrate_prepare: root, our agents (AGENTS_DIR with IPaddr too, FENCE_DIR) and MIGRATE
migrate_prepare() {
    require_root
    our_agents
    [ -x "$AGENTS_DIR/IPaddr" ] || fail "AGENTS_DIR=$AGENTS_DIR has no IPaddr"
    migrate_bin
}

# migrate_bin: MIGRATE = rustha-migrate from RUSTHA_MIGRATE, RUSTHA_BIN / the cargo target dir, or PATH
migrate_bin() {
    local repo bin
    repo=$(readlink -f "$MIGRATE_HERE/../../..")
    bin=${RUSTHA_BIN:-${CARGO_TARGET_DIR:-$repo/target}/release}
    if [ -n "${RUSTHA_MIGRATE:-}" ]; then
        MIGRATE=$RUSTHA_MIGRATE
    elif [ -x "$bin/rustha-migrate" ]; then
        MIGRATE=$bin/rustha-migrate
    else
        MIGRATE=$(command -v rustha-migrate) || fail "rustha-migrate not found: build it (cargo build --release -p rustha-migrate), or set RUSTHA_MIGRATE"
    fi
    echo "rustha-migrate: $MIGRATE"
}

# lab_up_na_bare: `lab up 2 --fence na` with our agents, then without the lab's own fence device,
# so that the fencing in the cluster is the one the migrated configuration brings.
lab_up_na_bare() {
    lab up 2 --fence na --fence-agent fence_na --agents-dir "$AGENTS_DIR" --fence-dir "$FENCE_DIR"
    on_any cibadmin --delete --xml-text '<primitive id="fence-na"/>' >/dev/null 2>&1 || fail "cannot remove the lab's own fence device"
    wait_for 20 "the lab's fence-na to be gone" not_running_anywhere fence-na
}
not_running_anywhere() { ! out_has 'fence-na' timeout 10 "$LAB" exec any crm_mon -1; }

# group_on GROUP NODE: every member of GROUP runs on NODE (crm_mon's XML)
group_on() {
    local xml
    xml=$(timeout 10 "$LAB" exec any crm_mon -1 --output-as=xml 2>/dev/null) || return 1
    CRM_MON_XML=$xml python3 - "$1" "$2" <<'EOF'
import os, sys, xml.etree.ElementTree as ET
group, node = sys.argv[1], sys.argv[2]
root = ET.fromstring(os.environ["CRM_MON_XML"])
g = [e for e in root.iter("group") if e.get("id") == group]
if not g:
    sys.exit(1)
members = list(g[0].iter("resource"))
ok = members and all(r.get("active") == "true" and [n.get("name") for n in r.iter("node")] == [node] for r in members)
sys.exit(0 if ok else 1)
EOF
}

# fence_device_for DEVICE NODE: Pacemaker lists DEVICE among those that can fence NODE
fence_device_for() { out_has "^ *$1\$" timeout 20 "$LAB" exec any stonith_admin --list "$2"; }
