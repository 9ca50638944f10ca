# wrap-lib.tcl - helpers of the key-moving key_mgmt_util suites (tests/kmu/wrap-*.exp)
# on tests/e2e/lib.tcl: KMU sessions, the documented result lines, key snapshots, openssl.
#
# Expected lines come from the pages (COMMANDS.md 1.7, 3.8-3.16, 3.26; OBSERVED.md) and
# doc/compatibility.md ("## KMU"); key_mgmt_util prints a TAB where the pages show eight
# spaces. A suite:
#   source [file join $env(TESTS_SRCDIR) kmu wrap-lib.tcl]
#   wrap_cluster {alice Alice_pw_1 bob Bob_pw_12} {
#       test "..." { w_start alice Alice_pw_1; set lines [w_cmd "wrapKey ..."]; ... }
#   }
#   finish

source [file join $env(TESTS_SRCDIR) e2e lib.tcl]

if {![info exists env(KMU)]} {
	puts "wrap-lib.tcl: KMU is not set; run the suites through 'make check'"
	exit 99
}
set W(kmu) $env(KMU)
set W(admin) Admin_pw_1
set W(n) 0
set W(sids) {}
set W(ssl) $Env(openssl)
unset -nocomplain env(CLOUDHSM_CLIENT_CFG)

set W(messages) [dict create \
	0x00 "HSM Return: SUCCESS" \
	0x01 "HSM Error: Invalid input data/params" \
	0xa8 "HSM Error: Invalid object handle is passed to this operation" \
	0xaa "HSM Error: Key is not extractable" \
	0xad "HSM Error: Invalid mechanism for this key" \
	0xae "HSM Error: Key type is inconsistent with the operation" \
	0xaf "HSM Error: Key size is out of range" \
	0xb0 "HSM Error: Key ID is not unique in the cluster" \
	0xb3 "HSM Error: This operation violates the current configured/FIPS policies" \
	0xc6 "HSM Error: Key Access is denied." \
	0xd1 "HSM Error: This user type is not permitted to perform this operation" \
	0x30000085 "HSM CLUSTER ERROR: Server in cluster is unavailable" \
	0x30000087 "HSM CLUSTER ERROR: Object could not be created on the minimum number of servers"]

# ---- clusters, users, sessions -------------------------------------------------------

# An activated 3-node cluster with the CUs of users {name pw ...} (ids 3, 4, ...).
proc wrap_cluster {users body} {
	with_cluster [list nodes 3 activate $::W(admin)] \
	    "wrap_users [list $users]\n$body\nw_close_all"
	w_close_all
}

proc wrap_users {users} {
	set ::Tally(test) "create users"
	cmu_start
	login CO admin $::W(admin)
	foreach {name pw} $users {
		create_user CU $name $pw
	}
	cmu_quit
}

# A CMU session logged in as the CO, for setAttribute 134 and findAllKeys.
proc w_cmu_co {} {
	cmu_start
	login CO admin $::W(admin)
}

# key_mgmt_util logged in as user; stderr goes to a file checked at the end.
proc w_start {user pw} {
	set errf [scratch "kmu-[incr ::W(n)].err"]
	spawn -noecho /bin/sh -c {exec "$0" -c "$1" 2>"$2"} $::W(kmu) $::Cluster(ccfg) $errf
	set ::spawn_id $spawn_id
	set ::Sess($spawn_id,prompt) "Command:  "
	unset -nocomplain ::Sess($spawn_id,at_prompt)
	set ::W(err,$spawn_id) $errf
	lappend ::Tally(sessions) $spawn_id
	lappend ::W(sids) $spawn_id
	check_lines "loginHSM $user" [w_cmd "loginHSM -u CU -s $user -p $pw"] \
	    [concat [list "" [ok_line Cfm3LoginHSM]] [status_ok]]
	return $spawn_id
}

# Types cmd; returns the output lines up to the next prompt.
proc w_cmd {cmd} {
	cmu_cmd $cmd
	return [lines_until_prompt]
}

# Ends every session with end of input and checks its stderr.
proc w_close_all {} {
	foreach sid $::W(sids) {
		if {[lsearch -exact $::Tally(sessions) $sid] >= 0} {
			catch {send -i $sid "\004"}
			catch {expect -i $sid -timeout 10 eof {}}
			catch {close -i $sid}
			catch {wait -i $sid}
			set ::Tally(sessions) [lsearch -all -inline -not -exact $::Tally(sessions) $sid]
		}
		set text ""
		catch {set text [read_file $::W(err,$sid)]}
		check_no_sanitizer_report "stderr of key_mgmt_util" $text
	}
	set ::W(sids) {}
}

# key_mgmt_util singlecmd loginHSM ... ARGS: {code out err}, the login block checked
# and cut from out.
proc w_single {user pw args} {
	set r [run $::W(kmu) -c $::Cluster(ccfg) singlecmd loginHSM -u CU -s $user -p $pw {*}$args]
	set lines [text_lines [dict get $r out]]
	set login [concat [list "" [ok_line Cfm3LoginHSM]] [status_ok]]
	check_lines "singlecmd login block" [lrange $lines 0 [expr {[llength $login] - 1}]] $login
	dict set r lines [lrange $lines [llength $login] end]
	return $r
}

# ---- expected lines --------------------------------------------------------------------

proc msg_of {code} {
	return [dict get $::W(messages) [rc_hex $code]]
}

proc ok_line {call} {
	return "\t$call returned: 0x00 : HSM Return: SUCCESS"
}

# "" then the call with its code alone, "", the message (OBSERVED.md).
proc fail_lines {call code} {
	return [list "" "\t$call returned: [rc_hex $code]" "" "\t[msg_of $code]"]
}

proc status_of {states} {
	set l [list "" "\tCluster Error Status"]
	foreach {k code} $states {
		lappend l [format "\tNode id %d and err state 0x%08x : %s" $k $code [msg_of $code]]
	}
	return $l
}

# Every node at code.
proc status_ok {{code 0}} {
	set st {}
	foreach k [all_servers] {
		lappend st $k $code
	}
	return [status_of $st]
}

# One node (the one that answered) at code.
proc status_one {k code} {
	return [status_of [list $k $code]]
}

proc origin {handle} {
	return [expr {$handle >> 18}]
}

proc check_lines {what got want} {
	if {$got eq $want} {
		pass $what
		return 1
	}
	set n [expr {max([llength $got], [llength $want])}]
	for {set i 0} {$i < $n} {incr i} {
		if {[lindex $got $i] ne [lindex $want $i]} {
			break
		}
	}
	set g ""
	foreach l $got {
		append g "\n    [show $l]"
	}
	fail "$what: line [expr {$i + 1}] differs\n  expected: [show [lindex $want $i]]\n  got:      [show [lindex $got $i]]\n  whole output:$g"
	return 0
}

proc require_lines {what got want} {
	if {![check_lines $what $got $want]} {
		return -code error -errorcode E2E_ABORT $what
	}
}

# The number after "Key Handle: " (or "public/private key handle: ") in lines.
proc handle_in {lines {re {Key Handle: (\d+)}}} {
	foreach l $lines {
		if {[regexp $re $l -> h]} {
			return $h
		}
	}
	abort "no handle in:[join $lines "\n"]"
}

# ---- key operations used by many tests --------------------------------------------------

proc gen_aes {label {size 32} {extra ""}} {
	return [handle_in [w_cmd "genSymKey -t 31 -s $size -l $label $extra"]]
}

proc gen_des3 {label {extra ""}} {
	return [handle_in [w_cmd "genSymKey -t 21 -s 24 -l $label $extra"]]
}

# {public private}
proc gen_rsa {label {extra ""}} {
	set lines [w_cmd "genRSAKeyPair -m 2048 -e 65537 -l $label $extra"]
	return [list [handle_in $lines {public key handle: (\d+)}] \
		    [handle_in $lines {private key handle: (\d+)}]]
}

proc gen_ec {label {curve 2}} {
	set lines [w_cmd "genECCKeyPair -i $curve -l $label"]
	return [list [handle_in $lines {public key handle: (\d+)}] \
		    [handle_in $lines {private key handle: (\d+)}]]
}

# Every handle findKey reports (every node is asked; session keys included).
proc all_handles {} {
	set lines [w_cmd findKey]
	set h {}
	set in 0
	foreach l $lines {
		if {$l eq "Handles of matching keys:"} {
			set in 1
		} elseif {$in && [string match "\t*" $l]} {
			lappend h {*}[regexp -all -inline {\d+} $l]
		} elseif {$in} {
			break
		}
	}
	return $h
}

proc no_new_keys {what before} {
	check_equal "$what: no key left behind (findKey)" [all_handles] $before
}

# An attribute's value as getAttribute -out writes it (the last line).
proc attr_of {h attr} {
	set f [scratch "attr.$h.$attr"]
	w_cmd "getAttribute -o $h -a $attr -out $f"
	return [lindex [text_lines [read_file $f]] end]
}

proc kcv_of {h} {
	return [attr_of $h 371]
}

# ---- files and openssl ------------------------------------------------------------------

proc ssl {args} {
	return [exec $::W(ssl) {*}$args 2>@1]
}

proc hex_of_file {path} {
	binary scan [read_file $path] H* hex
	return $hex
}

proc file_of_hex {path hex} {
	write_file $path [binary format H* $hex]
}

# The KCV of an AES or 3DES key: ECB of a zero block, first 3 bytes, as getAttribute
# prints it.
proc sym_kcv {keyfile} {
	set hex [hex_of_file $keyfile]
	set cipher [dict get {32 aes-128-ecb 48 aes-192-ecb 64 aes-256-ecb} [string length $hex]]
	set zero [scratch zero16]
	write_file $zero [binary format x16]
	set out [scratch kcv.out]
	ssl enc -$cipher -nopad -K $hex -in $zero -out $out
	return "0x[string range [hex_of_file $out] 0 5]"
}

# The KCV of an asymmetric key: SHA-1 of the DER public key, first 3 bytes.
proc pub_kcv {pem {pubin 1}} {
	set der [scratch pub.der]
	if {$pubin} {
		ssl pkey -pubin -in $pem -outform DER -out $der
	} else {
		ssl pkey -in $pem -pubout -outform DER -out $der
	}
	set sum [scratch pub.sha1]
	ssl dgst -sha1 -binary -out $sum $der
	return "0x[string range [hex_of_file $sum] 0 5]"
}
