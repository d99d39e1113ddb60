#!/bin/bash
# Scenario 5: the cluster tools show the agents' meta-data as installed on a node: `crm ra info` and
# `pcs resource describe` for each resource agent, `crm ra info stonith:` and `pcs stonith describe`
# for each fence agent. Every parameter the agent's own meta-data declares, and its short
# description, appear in each tool's output.
#
# Variables: RA (default ocf:heartbeat:IPaddr2), FS_RA (default ocf:heartbeat:Filesystem; empty to
# skip), AGENTS_DIR (for ocf:rustha:*), FENCE_AGENT (default fence_ipmilan), NA_AGENT (another fence
# agent to describe, e.g. fence_na), FENCE_DIR (where fence agents not in /usr/sbin come from).
set -euo pipefail
export SCENARIO=s5-metadata
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

RA=${RA:-ocf:heartbeat:IPaddr2}
FS_RA=${FS_RA-ocf:heartbeat:Filesystem}
FENCE_AGENT=${FENCE_AGENT:-fence_ipmilan}
ras=("$RA")
[ -z "$FS_RA" ] || ras+=("$FS_RA")
fas=("$FENCE_AGENT")
[ -z "${NA_AGENT:-}" ] || fas+=("$NA_AGENT")
for r in "${ras[@]}"; do check_ra "$r"; done
lab_up_opts
echo "resource agents: ${ras[*]}; fence agents: ${fas[*]}"

step "lab up 1 --fence none"
lab up 1 --fence none "${LAB_UP_OPTS[@]}"
timed "node online"

# check_tool WHAT OUTPUT SHORTDESC LINE-ERE PARAM...: OUTPUT names SHORTDESC and has a line matching
# LINE-ERE (with @ replaced by the parameter name) for every PARAM
check_tool() {
    local what=$1 out=$2 short=$3 line=$4 p missing=()
    shift 4
    grep -qF -- "$short" <<<"$out" || fail "$what does not show the short description '$short'"
    for p in "$@"; do
        grep -Eq -- "${line//@/$p}" <<<"$out" || missing+=("$p")
    done
    [ ${#missing[@]} = 0 ] || fail "$what does not list parameter(s) ${missing[*]}"
}

params_of() { grep -o '<parameter name="[^"]*"' <<<"$1" | cut -d'"' -f2; }
# the agent's own short description: the first <shortdesc> of the document
shortdesc_of() { grep -o '<shortdesc[^>]*>[^<]*</shortdesc>' <<<"$1" | head -n 1 | sed 's/<[^>]*>//g'; }

for r in "${ras[@]}"; do
    IFS=: read -r _ prov type <<<"$r"
    meta=$(lab exec node1 env OCF_ROOT=/usr/lib/ocf "/usr/lib/ocf/resource.d/$prov/$type" meta-data) ||
        fail "$r meta-data failed in node1"
    mapfile -t params < <(params_of "$meta")
    short=$(shortdesc_of "$meta")
    [ ${#params[@]} -gt 0 ] || fail "$r meta-data declares no parameters"
    [ -n "$short" ] || fail "$r meta-data has no shortdesc"
    out=$(on_any crm ra info "$r" 2>&1) || fail "crm ra info $r failed: $(tail -n 1 <<<"$out")"
    check_tool "crm ra info $r" "$out" "$short" '^@\*? \(' "${params[@]}"
    out=$(on_any pcs resource describe --full "$r" 2>&1) || fail "pcs resource describe $r failed: $(tail -n 1 <<<"$out")"
    check_tool "pcs resource describe $r" "$out" "$short" '^  @( \(|:)' "${params[@]}"
    timed "$r: crm ra info and pcs resource describe show its ${#params[@]} parameters"
done

for f in "${fas[@]}"; do
    meta=$(lab exec node1 "$f" -o metadata) || fail "$f -o metadata failed in node1"
    mapfile -t params < <(params_of "$meta")
    short=$(grep -o '<resource-agent [^>]*shortdesc="[^"]*"' <<<"$meta" | sed 's/.*shortdesc="//; s/"$//')
    [ ${#params[@]} -gt 0 ] || fail "$f metadata declares no parameters"
    [ -n "$short" ] || fail "$f metadata has no shortdesc"
    out=$(on_any crm ra info "stonith:$f" 2>&1) || fail "crm ra info stonith:$f failed: $(tail -n 1 <<<"$out")"
    # (crmsh titles fence agents "stonith:NAME", without the shortdesc)
    check_tool "crm ra info stonith:$f" "$out" "stonith:$f" '^@\*? \(' "${params[@]}"
    out=$(on_any pcs stonith describe --full "$f" 2>&1) || fail "pcs stonith describe $f failed: $(tail -n 1 <<<"$out")"
    # pcs never lists the command-line-only parameters help and version
    mapfile -t pparams < <(printf '%s\n' "${params[@]}" | grep -vxE 'help|version')
    check_tool "pcs stonith describe $f" "$out" "$short" '^  @( \(|:)' "${pparams[@]}"
    timed "$f: crm ra info and pcs stonith describe show its ${#params[@]} parameters"
done
step "scenario done"
