#!/bin/sh
# systemd-unit.sh - hsm-sim@.service as built passes systemd-analyze verify with
# no complaint at all (a setting systemd would ignore is a failure here).
set -u
if ! command -v systemd-analyze >/dev/null; then
	echo "systemd-analyze is missing: install the Debian package systemd (scripts/deps.sh)"
	exit 99
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hsm-unit.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
# verify wants the program and the Documentation= page to exist: the built
# hsm-sim stands in for the installed one, the page comes from doc/.
mkdir -p "$tmp/man/man1"
cp "$TESTS_SRCDIR/../doc/hsm-sim.1" "$tmp/man/man1/" || exit 99
grep -q '^ExecStart=[^ ]*/hsm-sim run /var/lib/hsm-sim/%i$' "$HSM_SIM_UNIT" || {
	echo "unexpected ExecStart in $HSM_SIM_UNIT:"; grep '^ExecStart=' "$HSM_SIM_UNIT"; exit 1; }
sed "s|^ExecStart=[^ ]*/hsm-sim |ExecStart=$HSM_SIM |" "$HSM_SIM_UNIT" > "$tmp/hsm-sim@demo.service"
out=$(MANPATH="$tmp/man" systemd-analyze verify "$tmp/hsm-sim@demo.service" 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
	echo "systemd-analyze verify: exit $rc"
	echo "$out"
	exit 1
fi
echo "hsm-sim@.service: verified"
