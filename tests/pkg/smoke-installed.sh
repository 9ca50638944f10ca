#!/bin/sh
# smoke-installed.sh - the smoke session on a machine where the Debian
# packages are installed (scripts/test-packages runs it in a clean Debian 12
# root): the two documented commands, then the operators' usual steps with
# the SDK 3 paths and nothing else.
# Usage: smoke-installed.sh DIR_OF_THIS_SCRIPT EXAMPLE_PROGRAM
set -eu
here=$1
example=$2
cluster=/var/lib/hsm-sim/smoke
officer_pw=Smoke_officer_1
cu_pw=Smoke_alice_1
fail() { echo "smoke: FAIL: $*"; exit 1; }

for d in /opt/cloudhsm/bin /opt/cloudhsm/etc /opt/cloudhsm/run /opt/cloudhsm/daemon/1; do
	[ -d "$d" ] || fail "$d is missing"
done
for f in /opt/cloudhsm/bin/cloudhsm_mgmt_util /opt/cloudhsm/bin/key_mgmt_util \
	 /opt/cloudhsm/bin/configure /usr/bin/hsm-sim; do
	[ -x "$f" ] || fail "$f is missing"
done
for f in cloudhsm_client.cfg cloudhsm_mgmt_util.cfg; do
	[ -f "/opt/cloudhsm/etc/$f" ] || fail "/opt/cloudhsm/etc/$f is missing"
done
[ -f /lib/systemd/system/hsm-sim@.service ] || fail "hsm-sim@.service is missing"

rm -rf "$cluster"
hsm-sim init "$cluster" --nodes 3 --base-port 0 --sdk3-root /opt/cloudhsm
hsm-sim start "$cluster"
trap 'hsm-sim stop "$cluster" >/dev/null 2>&1 || true' EXIT

out=$(/opt/cloudhsm/bin/configure -a 127.0.0.1)
want="Updating server config in /opt/cloudhsm/etc/cloudhsm_client.cfg
Updating server config in /opt/cloudhsm/etc/cloudhsm_mgmt_util.cfg"
[ "$out" = "$want" ] || fail "configure -a printed: $out"
/opt/cloudhsm/bin/configure -m

expect "$here/smoke-cmu.exp" 3 "$officer_pw" alice "$cu_pw"

# key_mgmt_util with no -c: the default /opt/cloudhsm/etc/cloudhsm_client.cfg.
out=$(/opt/cloudhsm/bin/key_mgmt_util singlecmd loginHSM -u CU -s alice -p "$cu_pw" \
	genSymKey -t 31 -s 32 -l smoke-key) || fail "key_mgmt_util: $out"
echo "$out" | grep -q 'Symmetric Key Created.  Key Handle: ' || fail "genSymKey printed: $out"

# doc/example.c, built against the installed libhsmclient through its .pc file.
echo "$cu_pw" | "$example" /opt/cloudhsm/etc/cloudhsm_client.cfg alice ||
	fail "the example program"

hsm-sim stop "$cluster"
trap - EXIT
rm -rf "$cluster"
echo "smoke: the installed packages work from their SDK 3 paths"
