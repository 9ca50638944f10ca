# kmu-lib.tcl - helpers for the key_mgmt_util expect suites (tests/kmu/*.exp), on top of
# tests/e2e/lib.tcl: KMU sessions and singlecmd runs, and the documented result lines.
#
# Expected lines are built here from the reference (COMMANDS.md 1.7, 3.x; OBSERVED.md;
# doc/return-codes.md), never copied from the tool. key_mgmt_util indents its result
# lines with one TAB where the pages show eight spaces (OBSERVED.md shows that TAB in
# findKey), so expected lines are written with "\t". Node lines of a "Cluster Error
# Status" block may come in any order (COMMANDS.md 1.7); they are compared sorted.
#
# A suite:
#   source [file join $env(TESTS_SRCDIR) kmu kmu-lib.tcl]
#   kmu_cluster [list nodes 3 activate $Kmu(admin_pw)] {
#       test "..." { kmu_users {alice Alice_pw_1}; kmu_start; kmu_login alice Alice_pw_1; ... }
#   }
#   finish

if {[info procs with_cluster] eq ""} {
	source [file join $env(TESTS_SRCDIR) e2e lib.tcl]
}
if {![info exists env(KMU)]} {
	puts "kmu-lib.tcl: KMU is not set; run the suites through 'make check'"
	exit 99
}

set Kmu(bin) $env(KMU)
set Kmu(prompt) "Command:  "
set Kmu(admin_pw) Admin_pw_1
set Kmu(count) 0
set Kmu(sessions) {}
unset -nocomplain env(CLOUDHSM_CLIENT_CFG)

# Return codes and their texts as doc/return-codes.md (and RETURN_CODES.md) list them.
set Kmu(messages) [dict create \
	0x00000000 "HSM Return: SUCCESS" \
	0x00000001 "HSM Error: Invalid input data/params" \
	0x0000009d "HSM Error: user isn't initialized or user with this name doesn't exist" \
	0x0000009f "HSM Error: This user does not exist" \
	0x000000a3 "HSM Error: RET_USER_LOGIN_FAILURE" \
	0x000000a4 "HSM Error: User account is locked, a CO must reset its password" \
	0x000000a8 "HSM Error: Invalid object handle is passed to this operation" \
	0x000000ab "HSM Error: Invalid attribute for this object" \
	0x000000ae "HSM Error: Key type is inconsistent with the operation" \
	0x000000af "HSM Error: Key size is out of range" \
	0x000000b0 "HSM Error: Key ID is not unique in the cluster" \
	0x000000b2 "HSM Error: Masked object is corrupt or from another cluster" \
	0x000000b3 "HSM Error: This operation violates the current configured/FIPS policies" \
	0x000000c6 "HSM Error: Key Access is denied." \
	0x000000d0 "HSM Error: User is not logged in" \
	0x000000d2 "HSM Error: A user is already logged in on this session" \
	0x000000db "HSM Error: Invalid User Type." \
	0x30000085 "HSM CLUSTER ERROR: Server in cluster is unavailable" \
	0x30000086 "HSM CLUSTER ERROR: Request to server timed out" \
	0x30000087 "HSM CLUSTER ERROR: Object could not be created on the minimum number of servers" \
	0x40000049 "HSM Error: RET_USER_LOGIN_FAILURE"]

set Kmu(unavailable) 0x30000085

# ---- clusters and users ------------------------------------------------------------

# with_cluster, then every key_mgmt_util still running is ended and its stderr checked.
proc kmu_cluster {opts body} {
	uplevel 1 [list with_cluster $opts "$body\nkmu_close_all"]
	kmu_close_all
}

# Creates CUs with cloudhsm_mgmt_util: users is {name password name password ...};
# they get the next free ids, in order.
proc kmu_users {users} {
	cmu_start
	login CO admin $::Kmu(admin_pw)
	foreach {name pw} $users {
		create_user CU $name $pw
	}
	cmu_quit
}

proc all_nodes {} {
	return [all_servers]
}

proc node_stop {k} {
	sim_ok stop $::Cluster(dir) --node $k
}

proc node_start {k} {
	sim_ok start $::Cluster(dir) --node $k
}

# Runs body with every node but k stopped; the others are started again afterwards.
proc with_only_node {k body} {
	set others [lsearch -all -inline -not -exact [all_nodes] $k]
	foreach j $others {
		node_stop $j
	}
	try {
		uplevel 1 $body
	} finally {
		foreach j $others {
			node_start $j
		}
	}
}

# SIGSTOP / SIGCONT one node process (an unresponsive HSM).
proc node_freeze {k} {
	exec kill -STOP [node_pid $k]
}

proc node_thaw {k} {
	catch {exec kill -CONT [node_pid $k]}
}

# A copy of the cluster's cloudhsm_client.cfg; options: port P (its "server"),
# min N (client.create_object_minimum_nodes).
proc client_cfg {name args} {
	set text [read_file $::Cluster(ccfg)]
	foreach {opt value} $args {
		switch -- $opt {
			port { set re {("port"\s*:\s*)\d+} }
			min { set re {("create_object_minimum_nodes"\s*:\s*)\d+} }
			default { error "client_cfg: unknown option $opt" }
		}
		if {[regsub $re $text "\\1$value" text] != 1} {
			abort "client_cfg: no single $opt field in $::Cluster(ccfg)"
		}
	}
	set path [scratch $name]
	write_file $path $text
	return $path
}

# A loopback TCP port nothing listens on (just closed).
proc closed_port {} {
	set s [socket -server {apply {{args} {}}} -myaddr 127.0.0.1 0]
	set port [lindex [fconfigure $s -sockname] 2]
	close $s
	return $port
}

# ---- key_mgmt_util sessions ----------------------------------------------------------

# Spawns key_mgmt_util -c cfg (the cluster's by default); its stderr goes to a file that
# kmu_check_stderr reads, so that stdout lines stay comparable.
proc kmu_spawn {{cfg ""}} {
	if {$cfg eq ""} {
		set cfg $::Cluster(ccfg)
	}
	set errf [scratch "kmu-[incr ::Kmu(count)].stderr"]
	spawn -noecho /bin/sh -c {exec "$0" -c "$1" 2>"$2"} $::Kmu(bin) $cfg $errf
	set ::spawn_id $spawn_id
	# Expect reuses spawn ids: forget what an earlier session of this id left.
	unset -nocomplain ::Sess($spawn_id,at_prompt)
	set ::Sess($spawn_id,prompt) $::Kmu(prompt)
	set ::Kmu(err,$spawn_id) $errf
	lappend ::Tally(sessions) $spawn_id
	lappend ::Kmu(sessions) $spawn_id
	return $spawn_id
}

# Starts key_mgmt_util; the first output must be exactly the prompt "Command:  ".
proc kmu_start {{cfg ""}} {
	set sid [kmu_spawn $cfg]
	expect_prompt
	set ::Sess($sid,at_prompt) 1
	return $sid
}

# Types a command at the prompt; returns every output line up to the next prompt.
proc kmu_cmd {cmd} {
	expect_prompt
	send -- "$cmd\r"
	expect_line $cmd
	return [lines_until_prompt]
}

# kmu_cmd that must come back within secs seconds; returns {seconds lines}.
proc kmu_cmd_within {cmd secs} {
	set saved $::timeout
	set ::timeout $secs
	set t0 [clock milliseconds]
	try {
		set lines [kmu_cmd $cmd]
	} finally {
		set ::timeout $saved
	}
	return [list [expr {([clock milliseconds] - $t0) / 1000.0}] $lines]
}

# exit: the tool must leave with status 0 and print nothing more.
proc kmu_exit {} {
	expect_prompt
	send -- "exit\r"
	expect_line exit
	expect_exit 0
	kmu_check_stderr $::spawn_id
}

# Fails on a sanitizer report in a session's stderr; returns the text.
proc kmu_check_stderr {sid} {
	if {![info exists ::Kmu(err,$sid)]} {
		return ""
	}
	set text ""
	catch {set text [read_file $::Kmu(err,$sid)]}
	unset ::Kmu(err,$sid)
	set ::Kmu(sessions) [lsearch -all -inline -not -exact $::Kmu(sessions) $sid]
	check_no_sanitizer_report "stderr of key_mgmt_util" $text
	return $text
}

# Ends every session still open with end of input (so that a sanitizer's exit-time
# checks run), then checks their stderr.
proc kmu_close_all {} {
	foreach sid $::Kmu(sessions) {
		if {[lsearch -exact $::Tally(sessions) $sid] >= 0} {
			catch {send -i $sid "\004"}
			catch {expect -i $sid -timeout 10 eof {}}
			catch {close -i $sid}
			catch {wait -i $sid}
			set ::Tally(sessions) [lsearch -all -inline -not -exact $::Tally(sessions) $sid]
		}
		unset -nocomplain ::Sess($sid,at_prompt)
		kmu_check_stderr $sid
	}
}

# ---- singlecmd -----------------------------------------------------------------------

# key_mgmt_util -c CFG singlecmd ARGS; ?-input TEXT? ?-cfg CFG? first. Returns the
# dict of lib.tcl's run (code out err); stderr is checked for sanitizer reports.
proc kmu_single {args} {
	set pre {}
	set cfg $::Cluster(ccfg)
	while {[lindex $args 0] in {-input -cfg}} {
		if {[lindex $args 0] eq "-input"} {
			lappend pre -input [lindex $args 1]
		} else {
			set cfg [lindex $args 1]
		}
		set args [lrange $args 2 end]
	}
	return [run {*}$pre $::Kmu(bin) -c $cfg singlecmd {*}$args]
}

# ---- expected lines ------------------------------------------------------------------

proc rc_msg {code} {
	set key [format 0x%08x $code]
	if {![dict exists $::Kmu(messages) $key]} {
		error "kmu-lib.tcl: no message for $key"
	}
	return [dict get $::Kmu(messages) $key]
}

# "Cfm3Xxx returned: 0x00 : HSM Return: SUCCESS"
proc rc_ok {call} {
	return "\t$call returned: 0x00 : HSM Return: SUCCESS"
}

# A failure: the code alone at the end of its line, the message next (OBSERVED.md).
proc rc_fail {call code} {
	return [list "\t$call returned: [rc_hex $code]" "" "\t[rc_msg $code]"]
}

proc node_line {k code} {
	return [format "\tNode id %d and err state 0x%08x : %s" $k $code [rc_msg $code]]
}

# The status block for states {node code ...}, nodes in order.
proc status_lines {states} {
	set l [list "" "\tCluster Error Status"]
	foreach k [lsort -integer [dict keys $states]] {
		lappend l [node_line $k [dict get $states $k]]
	}
	return $l
}

# {node code ...} with every node at code, or as given in overrides {node code ...}.
proc states {{code 0} {overrides {}}} {
	set d [dict create]
	foreach k [all_nodes] {
		dict set d $k $code
	}
	return [dict merge $d $overrides]
}

proc origin_of {handle} {
	return [expr {$handle >> 18}]
}

# The result of a command that only prints its call and the status block.
proc result_lines {call {st ""}} {
	if {$st eq ""} {
		set st [states]
	}
	return [list "" [rc_ok $call] {*}[status_lines $st]]
}

proc failure_lines {call code st} {
	return [list "" {*}[rc_fail $call $code] {*}[status_lines $st]]
}

proc gen_sym_lines {handle st {attest 0}} {
	set l [list "" [rc_ok Cfm3GenerateSymmetricKey] "" \
		   "\tSymmetric Key Created.  Key Handle: $handle"]
	if {$attest} {
		lappend l "" "\tAttestation Check : \[PASS\]"
	}
	return [concat $l [status_lines $st]]
}

# call: "Cfm3GenerateKeyPair", or "Cfm3GenerateKeyPair:" as the genDSAKeyPair page prints.
proc gen_pair_lines {call pub priv st {attest 0}} {
	set l [list "" [rc_ok $call] "" \
		   "\tCfm3GenerateKeyPair:    public key handle: $pub    private key handle: $priv"]
	if {$attest} {
		lappend l "" "\tAttestation Check : \[PASS\]"
	}
	return [concat $l [status_lines $st]]
}

# getKeyInfo (COMMANDS.md 3.20): shared users one per line, 17 columns in.
proc key_info_lines {owner {shares {}} {m 0}} {
	set l [list "" [rc_ok Cfm3GetKey] "" "\tOwned by user $owner"]
	if {[llength $shares] > 0} {
		lappend l "" "\talso, shared to following [llength $shares] user(s):" ""
		foreach u $shares {
			lappend l "\t\t $u"
		}
	}
	if {$m > 0} {
		lappend l "\t $m Users need to approve to use/manage this key"
	}
	return $l
}

# ---- comparing output ----------------------------------------------------------------

# Sorts each run of "Node id N ..." lines by N.
proc sort_node_lines {lines} {
	set out {}
	set run {}
	foreach l [concat $lines [list "\x01end"]] {
		if {[regexp {^\tNode id (\d+) } $l -> k]} {
			lappend run [list $k $l]
			continue
		}
		foreach r [lsort -integer -index 0 $run] {
			lappend out [lindex $r 1]
		}
		set run {}
		lappend out $l
	}
	return [lrange $out 0 end-1]
}

proc show_lines {lines} {
	set s ""
	foreach l $lines {
		append s "\n    [show $l]"
	}
	return $s
}

# Compares output lines with the expected ones; a mismatch names the first differing
# line and shows the whole output.
proc check_lines {what got want} {
	set got [sort_node_lines $got]
	if {$got eq $want} {
		pass $what
		return 1
	}
	set n [expr {max([llength $got], [llength $want])}]
	for {set i 0} {$i < $n} {incr i} {
		if {[lindex $got $i] ne [lindex $want $i] || $i >= [llength $got] ||
		    $i >= [llength $want]} {
			break
		}
	}
	set g [expr {$i < [llength $got] ? [show [lindex $got $i]] : "(no more lines)"}]
	set w [expr {$i < [llength $want] ? [show [lindex $want $i]] : "(no more lines)"}]
	fail "$what: line [expr {$i + 1}] differs\n  expected: $w\n  got:      $g\n  whole output:[show_lines $got]\n  expected output:[show_lines $want]"
	return 0
}

proc require_lines {what got want} {
	if {![check_lines $what $got $want]} {
		return -code error -errorcode E2E_ABORT $what
	}
}

proc check_set {what got want} {
	return [check_equal $what [lsort -integer $got] [lsort -integer -unique $want]]
}

# Is line among lines?
proc has_line {lines line} {
	return [expr {[lsearch -exact $lines $line] >= 0}]
}

# The line after the "returned:" line of call, skipping blank lines; "" if none.
proc message_after {lines call} {
	set i [lsearch -regexp $lines "^\t[re_quote $call] returned: "]
	if {$i < 0} {
		return ""
	}
	foreach l [lrange $lines [expr {$i + 1}] end] {
		if {$l ne ""} {
			return $l
		}
	}
	return ""
}

# ---- parsing output -----------------------------------------------------------------

proc sym_handle {lines} {
	foreach l $lines {
		if {[regexp {^\tSymmetric Key Created\.  Key Handle: (\d+)$} $l -> h]} {
			return $h
		}
	}
	abort "no 'Symmetric Key Created.  Key Handle: N' line in:[show_lines $lines]"
}

proc pair_handles {lines} {
	set re {^\tCfm3GenerateKeyPair:    public key handle: (\d+)    private key handle: (\d+)$}
	foreach l $lines {
		if {[regexp $re $l -> pub priv]} {
			return [list $pub $priv]
		}
	}
	abort "no 'public key handle: N    private key handle: M' line in:[show_lines $lines]"
}

# {node code ...} from the node lines of a status block.
proc status_of {lines} {
	set d [dict create]
	foreach l $lines {
		if {[regexp {^\tNode id (\d+) and err state (0x[0-9a-f]{8}) : } $l -> k code]} {
			dict set d $k [expr {$code}]
		}
	}
	return $d
}

# Checks findKey's output (OBSERVED.md: "Total number of keys present: N", "Handles of
# matching keys:", a TAB and the handles joined by ", ", a new line and TAB every 15;
# COMMANDS.md 3.18: no handle lines without a match, the status block, then the call's
# line) and returns the handles. st: expected node states.
proc find_output_handles {lines {st ""}} {
	if {$st eq ""} {
		set st [states]
	}
	if {[lindex $lines 0] ne "" ||
	    ![regexp {^Total number of keys present: (\d+)$} [lindex $lines 1] -> n]} {
		abort "findKey: no 'Total number of keys present: N' line:[show_lines $lines]"
	}
	set rest [lrange $lines 2 end]
	set handles {}
	if {$n > 0} {
		if {[lrange $rest 0 1] ne [list "" "Handles of matching keys:"]} {
			abort "findKey: no 'Handles of matching keys:' after a blank line:[show_lines $lines]"
		}
		set rows [expr {($n + 14) / 15}]
		for {set r 0} {$r < $rows} {incr r} {
			set line [lindex $rest [expr {2 + $r}]]
			set want [expr {$r < $rows - 1 ? 15 : $n - 15 * ($rows - 1)}]
			set re [expr {$r < $rows - 1 ? {^\t(\d+(?:, \d+)*),? ?$} : {^\t(\d+(?:, \d+)*)$}}]
			if {![regexp $re $line -> joined] ||
			    [llength [split $joined ,]] != $want} {
				abort "findKey: handle line [expr {$r + 1}] is not a TAB and $want handles joined by ', ':[show_lines $lines]"
			}
			lappend handles {*}[string map {, ""} $joined]
		}
		set rest [lrange $rest [expr {2 + $rows}] end]
	}
	check_lines "findKey: after the handles" $rest \
	    [concat [status_lines $st] [list "" [rc_ok Cfm3FindKey]]]
	check_equal "findKey: distinct handles" [llength [lsort -unique $handles]] [llength $handles]
	return $handles
}

# findKey ?-st STATES? ARGS; returns the handles.
proc find_keys {args} {
	set st [take_states args]
	return [find_output_handles [kmu_cmd [string trimright "findKey [join $args]"]] $st]
}

# Removes a leading "-st STATES" from the caller's list variable; returns STATES
# (expected node states) or "" (every node at 0).
proc take_states {var} {
	upvar 1 $var words
	if {[lindex $words 0] ne "-st"} {
		return ""
	}
	set st [lindex $words 1]
	set words [lrange $words 2 end]
	return $st
}

# ---- commands with their documented lines --------------------------------------------

proc kmu_login {name pw {st ""}} {
	require_lines "loginHSM as $name" [kmu_cmd "loginHSM -u CU -s $name -p $pw"] \
	    [result_lines Cfm3LoginHSM $st]
}

proc kmu_logout {{st ""}} {
	require_lines "logoutHSM" [kmu_cmd logoutHSM] [result_lines Cfm3LogoutHSM $st]
}

# genSymKey ?-st STATES? ARGS: a token key (or, with -sess, a session key on one node);
# checks the documented lines and returns the handle.
proc gen_sym {args} {
	set st [take_states args]
	set out [kmu_cmd "genSymKey [join $args]"]
	set h [sym_handle $out]
	if {$st eq ""} {
		set st [expr {"-sess" in $args ? [dict create [origin_of $h] 0] : [states]}]
	}
	check_lines "genSymKey [join $args]" $out [gen_sym_lines $h $st [expr {"-attest" in $args}]]
	return $h
}

# genRSAKeyPair / genDSAKeyPair / genECCKeyPair ?-st STATES? ARGS; returns
# {public private}.
proc gen_pair {cmd args} {
	set st [take_states args]
	set out [kmu_cmd "$cmd [join $args]"]
	lassign [pair_handles $out] pub priv
	set call [expr {$cmd eq "genDSAKeyPair" ? "Cfm3GenerateKeyPair:" : "Cfm3GenerateKeyPair"}]
	if {$st eq ""} {
		set st [expr {"-sess" in $args ? [dict create [origin_of $pub] 0] : [states]}]
	}
	check_lines "$cmd [join $args]" $out \
	    [gen_pair_lines $call $pub $priv $st [expr {"-attest" in $args}]]
	return [list $pub $priv]
}

# A command that must fail with code, its message on the next line, and every node line
# it prints carrying code too. Returns the output.
proc expect_refused {cmd call code} {
	set out [kmu_cmd $cmd]
	set i [lsearch -exact $out "\t$call returned: [rc_hex $code]"]
	if {$i < 0} {
		fail "$cmd: no line [show "\t$call returned: [rc_hex $code]"]:[show_lines $out]"
		return $out
	}
	check_equal "$cmd: the message" [message_after $out $call] "\t[rc_msg $code]"
	dict for {k c} [status_of $out] {
		check_equal "$cmd: node $k's state" [format 0x%08x $c] [format 0x%08x $code]
	}
	return $out
}

# findSingleKey -k h must find the key on every node (or as st says).
proc expect_on_every_node {h {st ""}} {
	check_lines "findSingleKey -k $h" [kmu_cmd "findSingleKey -k $h"] \
	    [result_lines Cfm3FindKey $st]
}

# findSingleKey -k h must report 0xa8 on every node.
proc expect_on_no_node {h} {
	check_lines "findSingleKey -k $h (gone)" [kmu_cmd "findSingleKey -k $h"] \
	    [failure_lines Cfm3FindKey 0xa8 [states 0xa8]]
}

# getAttribute -o h -a attr -out file; checks the console lines (COMMANDS.md 3.21,
# majority wording) and returns the attribute count (1 for a single attribute).
proc get_attr {h attr file} {
	set out [kmu_cmd "getAttribute -o $h -a $attr -out $file"]
	set tail [list "Attributes dumped into $file file" "" [rc_ok Cfm3GetAttribute]]
	if {$attr != 512} {
		require_lines "getAttribute -o $h -a $attr" $out $tail
		return 1
	}
	if {![regexp {^got all attributes of size \d+ attr cnt (\d+)$} [lindex $out 0] -> n]} {
		abort "getAttribute -a 512: no 'got all attributes of size N attr cnt M':[show_lines $out]"
	}
	require_lines "getAttribute -o $h -a 512" [lrange $out 1 end] $tail
	return $n
}

# An attribute file as {name value name value ...}; a value spread over lines (an RSA
# modulus) is joined.
proc attr_file {path} {
	set pairs {}
	set name ""
	foreach l [text_lines [read_file $path]] {
		if {[regexp {^OBJ_ATTR_[A-Z_]+$} $l]} {
			if {$name ne ""} {
				lappend pairs $name $value
			}
			set name $l
			set value ""
		} elseif {$name eq ""} {
			abort "$path: a value before any attribute name: [show $l]"
		} else {
			append value $l
		}
	}
	if {$name ne ""} {
		lappend pairs $name $value
	}
	return $pairs
}

# One attribute's value: getAttribute -a attr to a file whose last line is the value.
proc attr_value {h attr} {
	set f [scratch "attr-$h-$attr"]
	get_attr $h $attr $f
	return [lindex [text_lines [read_file $f]] end]
}
