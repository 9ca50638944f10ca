# lib.tcl - the harness every expect end-to-end suite (tests/e2e/*.exp) sources.
# Private clusters in temp dirs on free ports, CMU sessions, exact-line checks.
#
# A suite looks like:
#   source [file join [file dirname [info script]] lib.tcl]
#   with_cluster {nodes 3 activate secret12} {
#       test "listUsers after activation" {
#           cmu_start
#           cmu_cmd listUsers
#           expect_user_tables {{1 CO admin} {2 AU app_user}}
#           cmu_quit
#       }
#   }
#   finish
#
# Output lines are compared byte for byte (after the terminal's CR LF is
# turned back into LF); a mismatch or a timeout ends the test with a message
# that shows what was expected and what came.

package require Tcl 8.6

# ---- environment -------------------------------------------------------------

foreach var {HSM_SIM CMU TEST_TOOLS TESTS_SRCDIR} {
	if {![info exists env($var)]} {
		puts "lib.tcl: $var is not set; run the suites through 'make check'"
		exit 99
	}
}
set Env(sim) $env(HSM_SIM)
set Env(cmu) $env(CMU)
set Env(tools) $env(TEST_TOOLS)
set Env(openssl) [expr {[info exists env(OPENSSL)] && $env(OPENSSL) ne "" ?
		      $env(OPENSSL) : "openssl"}]
set Env(host) 127.0.0.1
# A plain terminal: no colour or bracketed-paste sequences around prompts
# (cmu-misc.exp checks a real terminal type on its own), and wide enough
# that readline never scrolls a long command line.
set env(TERM) dumb
set env(LC_ALL) C
unset -nocomplain env(CLOUDHSM_MGMT_UTIL_CFG)
set stty_init "columns 4000 rows 60"
set timeout 20
match_max 400000
log_user 1

set Tally(pass) 0
set Tally(fail) 0
set Tally(test) ""
set Tally(tmp) [exec mktemp -d [file join [expr {[info exists env(TMPDIR)] ?
	$env(TMPDIR) : "/tmp"}] hsm-e2e.XXXXXX]]
set Tally(sessions) {}
# The scratch directory goes however the suite ends (kept clusters are moved
# out of it first).
exit -onexit {
	catch {exec rm -rf $::Tally(tmp)}
}

# ---- tally -------------------------------------------------------------------

proc note {msg} {
	puts "\n# $msg"
	flush stdout
}

# Control characters made visible, so a failure message shows the bytes.
proc show {s} {
	set out ""
	foreach ch [split $s ""] {
		scan $ch %c code
		if {$code == 10} {
			append out "\\n"
		} elseif {$code == 13} {
			append out "\\r"
		} elseif {$code < 32 || $code == 127 || ($code > 127 && $code < 160)} {
			append out [format "\\x%02x" $code]
		} else {
			append out $ch
		}
	}
	return "\"$out\""
}

proc pass {what} {
	incr ::Tally(pass)
}

proc fail {what} {
	incr ::Tally(fail)
	puts "\nFAIL: \[$::Tally(test)\] $what"
	flush stdout
}

# Records a failure and ends the current test.
proc abort {what} {
	fail $what
	return -code error -errorcode E2E_ABORT $what
}

proc check {what cond} {
	if {[uplevel 1 [list expr $cond]]} {
		pass $what
		return 1
	}
	fail "$what (condition: $cond)"
	return 0
}

proc check_equal {what got want} {
	if {$got eq $want} {
		pass $what
		return 1
	}
	fail "$what\n  expected: [show $want]\n  got:      [show $got]"
	return 0
}

proc check_match {what got re} {
	if {[regexp -- $re $got]} {
		pass $what
		return 1
	}
	fail "$what\n  expected to match: $re\n  got: [show $got]"
	return 0
}

proc require_equal {what got want} {
	if {![check_equal $what $got $want]} {
		return -code error -errorcode E2E_ABORT $what
	}
}

# Prints the totals; the exit status tells automake's driver the verdict.
proc finish {} {
	puts "\n# [info script]: $::Tally(pass) checks passed, $::Tally(fail) failed"
	if {$::Tally(fail) > 0} {
		exit 1
	}
	if {$::Tally(pass) == 0} {
		puts "# no check ran"
		exit 99
	}
	exit 0
}

# ---- tests -------------------------------------------------------------------

# Runs body; an aborted check or a Tcl error ends this test. Tests inside one
# with_cluster share its cluster and sessions, so after a failed one the
# rest of that block is skipped.
proc test {name body} {
	set ::Tally(test) $name
	if {[info exists ::Cluster(broken)] && $::Cluster(broken)} {
		note "skipped: $name (an earlier test on this cluster failed)"
		return
	}
	note "test: $name"
	set fails $::Tally(fail)
	set t0 [clock milliseconds]
	if {[catch {uplevel 1 $body} msg opts]} {
		if {[dict get $opts -errorcode] ne "E2E_ABORT"} {
			fail "Tcl error: $msg\n[dict get $opts -errorinfo]"
		}
		if {[info exists ::Cluster(dir)]} {
			set ::Cluster(broken) 1
		}
	}
	set ms [expr {[clock milliseconds] - $t0}]
	if {$::Tally(fail) == $fails} {
		note "ok: $name ($ms ms)"
	} else {
		note "not ok: $name ($ms ms)"
	}
	set ::Tally(test) ""
}

# ---- processes ---------------------------------------------------------------

proc scratch {name} {
	return [file join $::Tally(tmp) $name]
}

proc read_file {path} {
	set f [open $path rb]
	set data [read $f]
	close $f
	return $data
}

proc write_file {path data} {
	set f [open $path wb]
	puts -nonewline $f $data
	close $f
}

# The lines of a program's output (the last newline ends the last line).
proc text_lines {text} {
	if {$text eq ""} {
		return {}
	}
	if {[string index $text end] eq "\n"} {
		set text [string range $text 0 end-1]
	}
	return [split $text "\n"]
}

# A return code as key_mgmt_util prints it: 0x%02x up to 0xff, 0x%08x above.
proc rc_hex {code} {
	if {$code <= 0xff} {
		return [format 0x%02x $code]
	}
	return [format 0x%08x $code]
}

# run ?-input TEXT | -pipe TEXT? CMD ARGS... -> dict {code out err}; never
# raises for a non-zero exit. -input feeds TEXT from a file, -pipe through a
# pipe (cat TEXT | CMD). Output is kept byte for byte.
proc run {args} {
	set input ""
	set via file
	if {[lindex $args 0] in {-input -pipe}} {
		set via [expr {[lindex $args 0] eq "-pipe" ? "pipe" : "file"}]
		set input [lindex $args 1]
		set args [lrange $args 2 end]
	}
	set outf [scratch "run.[pid].out"]
	set errf [scratch "run.[pid].err"]
	set inf [scratch "run.[pid].in"]
	write_file $inf $input
	set code 0
	if {$via eq "pipe"} {
		set cmd [list cat $inf | {*}$args > $outf 2> $errf]
	} else {
		set cmd [list {*}$args < $inf > $outf 2> $errf]
	}
	if {[catch {exec {*}$cmd} msg opts]} {
		set ec [dict get $opts -errorcode]
		if {[lindex $ec 0] eq "CHILDSTATUS"} {
			set code [lindex $ec 2]
		} elseif {[lindex $ec 0] eq "CHILDKILLED"} {
			set code "killed by [lindex $ec 2]"
		} else {
			set code "exec failed: $msg"
		}
	}
	set r [dict create code $code out [read_file $outf] err [read_file $errf]]
	file delete $outf $errf $inf
	check_no_sanitizer_report "stderr of [file tail [lindex $args 0]]" [dict get $r err]
	return $r
}

proc has_sanitizer_report {text} {
	return [regexp {ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:} $text]
}

proc check_no_sanitizer_report {where text} {
	if {[has_sanitizer_report $text]} {
		fail "sanitizer report in $where:\n$text"
		return 0
	}
	return 1
}

# hsm-sim ARGS; aborts the test unless it exits 0. Returns its stdout.
proc sim_ok {args} {
	set r [run $::Env(sim) {*}$args]
	if {[dict get $r code] != 0} {
		abort "hsm-sim $args: exit [dict get $r code]\n[dict get $r out][dict get $r err]"
	}
	return [dict get $r out]
}

proc sim {args} {
	return [run $::Env(sim) {*}$args]
}

# ---- clusters ----------------------------------------------------------------

# with_cluster {nodes N activate PASSWORD init {ARGS}} BODY: a new cluster in a
# temp dir on free ports (ARGS go to hsm-sim init), started; activated (PRECO
# admin gets PASSWORD) when asked.
# The cluster is always stopped and removed afterwards; when anything failed,
# its directory is kept and the node logs are printed.
proc with_cluster {opts body} {
	set nodes [expr {[dict exists $opts nodes] ? [dict get $opts nodes] : 3}]
	set init [expr {[dict exists $opts init] ? [dict get $opts init] : {}}]
	set fails $::Tally(fail)
	set saved_test $::Tally(test)
	set ::Tally(test) "cluster setup"
	set ok [expr {![catch {cluster_create $nodes $init} msg]}]
	if {$ok && [dict exists $opts activate]} {
		set ok [expr {![catch {activate_in_session [dict get $opts activate]} msg]}]
		cmu_close_all
	}
	set ::Tally(test) $saved_test
	if {$ok} {
		if {[catch {uplevel 1 $body} msg opts2] &&
		    [dict get $opts2 -errorcode] ne "E2E_ABORT"} {
			fail "Tcl error: $msg\n[dict get $opts2 -errorinfo]"
		}
	} elseif {$::Tally(fail) == $fails} {
		fail "cluster setup: $msg"
	}
	cmu_close_all
	cluster_destroy [expr {$::Tally(fail) > $fails}]
}

# Initializes and starts a cluster; retries with a new directory when a port
# picked at init time was taken before start.
proc cluster_create {nodes {init {}}} {
	for {set attempt 1} {$attempt <= 3} {incr attempt} {
		set dir [exec mktemp -d [file join $::Tally(tmp) cluster.XXXXXX]]
		set r [sim init $dir --nodes $nodes --base-port 0 {*}$init]
		if {[dict get $r code] == 0} {
			foreach {- k id} [regexp -all -inline -line \
					      {^  node (\d+): \S+ \((hsm-[^)]+)\)$} [dict get $r out]] {
				set ::Cluster(hsm,$k) $id
			}
			set r [sim start $dir]
			if {[dict get $r code] == 0} {
				set ::Cluster(dir) $dir
				set ::Cluster(broken) 0
				set ::Cluster(nodes) $nodes
				set ::Cluster(cfg) [file join $dir cloudhsm_mgmt_util.cfg]
				set ::Cluster(ccfg) [file join $dir cloudhsm_client.cfg]
				return
			}
		}
		note "cluster attempt $attempt failed: [dict get $r out][dict get $r err]"
		sim stop $dir
		exec rm -rf $dir
	}
	abort "could not create a cluster of $nodes nodes"
}

proc node_log {k} {
	return [file join $::Cluster(dir) node$k hsm.log]
}

# Stops the cluster, fails on any sanitizer report in a node log, and removes
# the directory (kept, with its logs printed, when keep is set or it failed).
proc cluster_destroy {keep} {
	if {![info exists ::Cluster(dir)]} {
		return
	}
	set r [sim stop $::Cluster(dir)]
	if {[dict get $r code] != 0} {
		fail "hsm-sim stop $::Cluster(dir): exit [dict get $r code]: [dict get $r err]"
		set keep 1
	}
	for {set k 0} {$k < $::Cluster(nodes)} {incr k} {
		if {[file exists [node_log $k]] &&
		    ![check_no_sanitizer_report "node $k log" [read_file [node_log $k]]]} {
			set keep 1
		}
	}
	if {$keep} {
		set kept [file join [file dirname $::Tally(tmp)] [file tail $::Tally(tmp)]-kept-[file tail $::Cluster(dir)]]
		file rename $::Cluster(dir) $kept
		note "cluster kept in $kept"
		for {set k 0} {$k < $::Cluster(nodes)} {incr k} {
			set log [file join $kept node$k hsm.log]
			if {[file exists $log]} {
				note "---- node $k log ----\n[read_file $log]"
			}
		}
	} else {
		exec rm -rf $::Cluster(dir)
	}
	unset ::Cluster(dir)
}

# Node k's port, as hsm-sim status reports it.
proc node_port {k} {
	set out [dict get [sim status $::Cluster(dir) --node $k] out]
	if {![regexp {on [^ ]+:(\d+)} $out -> port]} {
		abort "no port for node $k in: $out"
	}
	return $port
}

proc node_pid {k} {
	set out [dict get [sim status $::Cluster(dir) --node $k] out]
	if {![regexp {running \(pid (\d+)\)} $out -> pid]} {
		abort "node $k is not running: $out"
	}
	return $pid
}

# ---- the rest of the harness ---------------------------------------------------

source [file join [file dirname [info script]] session.tcl]
source [file join [file dirname [info script]] cmu.tcl]
