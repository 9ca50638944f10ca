# session.tcl - terminal sessions for the e2e harness (sourced by lib.tcl): spawning
# cloudhsm_mgmt_util, reading its output line by line, prompts, exit status.

# Starts cloudhsm_mgmt_util on cfg (the cluster's by default), checks the
# start-up banner for every node, and makes it the current session.
proc cmu_start {{cfg ""}} {
	cmu_spawn $cfg
	expect_banner
	return $::spawn_id
}

# Starts cloudhsm_mgmt_util without reading anything.
proc cmu_spawn {{cfg ""} args} {
	if {$cfg eq ""} {
		set cfg $::Cluster(cfg)
	}
	return [cmu_spawn_cmd [list $::Env(cmu) $cfg {*}$args]]
}

# Starts cmd (cloudhsm_mgmt_util, perhaps under a wrapper) as the current session.
proc cmu_spawn_cmd {cmd} {
	spawn -noecho {*}$cmd
	set ::spawn_id $spawn_id
	# expect reuses spawn ids: forget whatever an earlier session left.
	array unset ::Sess "$spawn_id,*"
	set ::Sess($spawn_id,prompt) "aws-cloudhsm>"
	lappend ::Tally(sessions) $spawn_id
	return $spawn_id
}

proc cmu_use {sid} {
	set ::spawn_id $sid
}

proc prompt_of {} {
	return $::Sess($::spawn_id,prompt)
}

proc set_prompt {p} {
	set ::Sess($::spawn_id,prompt) $p
}

proc banner_server_lines {k} {
	set port [node_port $k]
	set h $::Env(host)
	return [list "Connecting to server '$h': hostname '$h', port $port..." \
		    "Connected to server '$h': hostname '$h', port $port." ""]
}

proc expect_banner {} {
	expect_lines "Connecting to the server(s), it may take time" \
	    "depending on the server(s) load, please wait..." ""
	for {set k 0} {$k < $::Cluster(nodes)} {incr k} {
		expect_lines {*}[banner_server_lines $k]
	}
}

proc re_quote {s} {
	regsub -all {[][{}()*+?.\\^$|]} $s {\\&} q
	return $q
}

# The next complete output line, without its line end.
proc next_line {} {
	expect {
		-re "^(\[^\n\]*)\n" {
			set line $expect_out(1,string)
		}
		timeout {
			abort "no complete line within $::timeout s; pending output: [show [pending_output]]"
		}
		eof {
			check_no_sanitizer_report "program output" $expect_out(buffer)
			abort "the program ended; pending output: [show $expect_out(buffer)]"
		}
	}
	return [checked_line $line]
}

# A line as the program wrote it: the terminal turns LF into CR LF, a CR the
# program printed itself stays. A sanitizer report ends the test.
proc checked_line {line} {
	if {[string index $line end] eq "\r"} {
		set line [string range $line 0 end-1]
	}
	if {![check_no_sanitizer_report "program output" $line]} {
		abort "sanitizer report"
	}
	return $line
}

# Whatever output is waiting (consumed), for failure messages.
proc pending_output {} {
	set buf ""
	expect {
		-timeout 0
		-re {.+} {
			set buf $expect_out(0,string)
		}
		timeout {}
		eof {
			catch {set buf $expect_out(buffer)}
		}
	}
	return $buf
}

proc expect_line {want} {
	require_equal "output line" [next_line] $want
}

proc expect_lines {args} {
	foreach want $args {
		expect_line $want
	}
}

proc expect_line_re {re} {
	set got [next_line]
	if {![check_match "output line" $got $re]} {
		abort "unexpected line"
	}
	return $got
}

# Waits until the output ends in exactly text (a prompt or a question) with
# nothing before it that was not read and nothing after it.
proc expect_tail {text} {
	expect {
		-re "^[re_quote $text]$" {}
		timeout {
			abort "expected exactly [show $text] (nothing before or after it);\n  pending output: [show [pending_output]]"
		}
		eof {
			abort "the program ended while [show $text] was expected; pending output: [show $expect_out(buffer)]"
		}
	}
	pass "prompt [show $text]"
}

proc expect_prompt {} {
	if {[info exists ::Sess($::spawn_id,at_prompt)]} {
		# lines_until_prompt has read it already.
		unset ::Sess($::spawn_id,at_prompt)
		return
	}
	expect_tail [prompt_of]
}

# Reads every line up to the next prompt; returns them as a list. The next
# cmu_cmd or expect_prompt knows that the prompt has been read.
proc lines_until_prompt {} {
	set lines {}
	set pre [re_quote [prompt_of]]
	expect {
		-re "^(\[^\n\]*)\n" {
			lappend lines [checked_line $expect_out(1,string)]
			exp_continue
		}
		-re "^$pre$" {
			set ::Sess($::spawn_id,at_prompt) 1
		}
		timeout {
			abort "no prompt within $::timeout s; pending output: [show [pending_output]]"
		}
		eof {
			check_no_sanitizer_report "program output" $expect_out(buffer)
			abort "the program ended; pending output: [show $expect_out(buffer)]"
		}
	}
	return $lines
}

# Waits for the end of the program and checks its exit status.
proc expect_exit {want} {
	set rest ""
	expect {
		eof {
			set rest $expect_out(buffer)
		}
		timeout {
			abort "the program did not exit; pending output: [show [pending_output]]"
		}
	}
	check_no_sanitizer_report "program output at exit" $rest
	check_equal "output after the last line" $rest ""
	set st [wait]
	set ::Tally(sessions) [lsearch -all -inline -not -exact $::Tally(sessions) $::spawn_id]
	if {[lindex $st 2] != 0 || [llength $st] > 4} {
		fail "the program did not exit normally: $st"
	} else {
		check_equal "exit status" [lindex $st 3] $want
	}
}

proc cmu_close_all {} {
	foreach sid $::Tally(sessions) {
		catch {close -i $sid}
		catch {wait -i $sid}
		array unset ::Sess "$sid,*"
	}
	set ::Tally(sessions) {}
}
