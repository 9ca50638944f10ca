# cmu.tcl - cloudhsm_mgmt_util's dialogue for the e2e harness (sourced by lib.tcl):
# commands, questions, documented result lines, listUsers tables.

# Types a command at the prompt; the terminal echoes it after the prompt
# (which expect_prompt has already read).
proc cmu_cmd {cmd} {
	expect_prompt
	send -- "$cmd\r"
	expect_line $cmd
}

# Answers a question (the output must end in exactly question).
proc answer {question reply} {
	expect_tail $question
	send -- "$reply\r"
	expect_line $reply
}

# Answers a hidden-input question as soon as it shows: nothing of the reply
# may be echoed.
proc answer_secret {question reply} {
	expect_tail $question
	send -- "$reply\r"
	set got [next_line]
	if {$got ne ""} {
		abort "the hidden answer to [show $question] was echoed: [show $got]"
	}
	pass "hidden answer not echoed"
}

proc caution_banner {} {
	return [list "" \
		"*************************CAUTION********************************" \
		"This is a CRITICAL operation, should be done on all nodes in the" \
		"cluster. AWS does NOT synchronize these changes automatically with the" \
		"nodes on which this operation is not executed or failed, please" \
		"ensure this operation is executed on all nodes in the cluster." \
		"****************************************************************" \
		""]
}

proc expect_caution {} {
	expect_lines {*}[caution_banner]
}

# The banner, then y.
proc confirm {} {
	expect_caution
	answer "Do you want to continue(y/n)?" y
}

proc srv_label {k} {
	return "$k\($::Env(host)\)"
}

# "<cmd> success on server K(host)" for every server in servers (all nodes
# by default).
proc expect_success {cmd {servers ""}} {
	if {$servers eq ""} {
		set servers [all_servers]
	}
	foreach k $servers {
		expect_line "$cmd success on server [srv_label $k]"
	}
}

proc all_servers {} {
	set l {}
	for {set k 0} {$k < $::Cluster(nodes)} {incr k} {
		lappend l $k
	}
	return $l
}

# The two failure lines of a non-critical command on server k.
proc expect_failure {cmd msg k} {
	expect_lines "$cmd failed: $msg" "$cmd failed on server [srv_label $k]"
}

# A failed createUser on server k, up to the R/I/A question (not read).
proc expect_create_failure {msg k} {
	expect_lines "createUser failed: $msg" "creating user on server [srv_label $k] failed" ""
}

# A failed deleteUser on server k, up to the R/B/I question (not read).
proc expect_delete_failure {msg k} {
	expect_lines "deleteUser failed: $msg" "deleteUser failed on server [srv_label $k]" ""
}

# A failed changePswd on server k, up to the R/I/A question (not read).
proc expect_change_failure {msg k} {
	expect_lines "changePswd failed: $msg" "changePswd failed on server [srv_label $k]" ""
}

# Enters server mode on server k.
proc enter_server {k} {
	cmu_cmd "server $k"
	expect_lines "" "Server is in 'E2' mode..."
	set_prompt "server$k>"
}

proc leave_server {} {
	cmu_cmd exit
	set_prompt "aws-cloudhsm>"
}

# Ends the session with quit; the tool must say goodbye and exit 0.
proc cmu_quit {} {
	cmu_cmd quit
	expect_lines "" "disconnecting from servers, please wait..."
	expect_exit 0
}

# ---- common command sequences ------------------------------------------------

proc login {type name pw {servers ""}} {
	cmu_cmd "loginHSM $type $name $pw"
	expect_line ""
	expect_success loginHSM $servers
}

proc logout {{servers ""}} {
	cmu_cmd logoutHSM
	expect_line ""
	expect_success logoutHSM $servers
}

proc scope_count {} {
	return [expr {[prompt_of] eq "aws-cloudhsm>" ? $::Cluster(nodes) : 1}]
}

proc create_user {type name pw {servers ""}} {
	cmu_cmd "createUser $type $name $pw"
	confirm
	expect_line "Creating User $name\($type\) on [scope_count] nodes"
	expect_success createUser $servers
}

proc change_pswd {type name pw {servers ""}} {
	cmu_cmd "changePswd $type $name $pw"
	confirm
	expect_line "Changing password for $name\($type\) on [scope_count] nodes"
	expect_success changePswd $servers
}

proc delete_user {type name {servers ""}} {
	cmu_cmd "deleteUser $type $name"
	expect_line "Deleting user $name\($type\) on [scope_count] nodes"
	expect_success deleteUser $servers
}

# Activation as activate-cluster.md shows it: the PRECO logs in and sets
# its password, which makes it a CO.
proc activate {pw} {
	login PRECO admin password
	change_pswd PRECO admin $pw
}

proc activate_in_session {pw} {
	cmu_start
	activate $pw
	cmu_quit
}

# ---- listUsers -----------------------------------------------------------------

proc users_header {} {
	return "    User Id             User Type       User Name                          MofnPubKey    LoginFailureCnt         2FA"
}

# One listUsers row; user is {id type name ?failures? ?mofn? ?2fa?}.
proc user_row {user} {
	lassign $user id type name fails mofn tfa
	foreach {var dflt} {fails 0 mofn NO tfa NO} {
		if {[set $var] eq ""} {
			set $var $dflt
		}
	}
	return [format "%10u%14s%-16s%-34s%9s%16u%17s" $id "" $type $name $mofn $fails $tfa]
}

proc user_table_lines {k users} {
	set lines [list "Users on server [srv_label $k]:" \
		       "Number of users found:[llength $users]" "" [users_header]]
	foreach u $users {
		lappend lines [user_row $u]
	}
	return $lines
}

# The listUsers output of every server in servers, each with the same users.
proc expect_user_tables {users {servers ""}} {
	if {$servers eq ""} {
		set servers [all_servers]
	}
	foreach k $servers {
		expect_lines {*}[user_table_lines $k $users]
	}
}

# Runs listUsers in global mode; per_server is {server users server users ...}.
proc check_users_per_server {per_server} {
	cmu_cmd listUsers
	foreach {k users} $per_server {
		expect_user_tables $users [list $k]
	}
}

# Runs listUsers and checks that every server in scope lists exactly users.
proc check_users {users {servers ""}} {
	cmu_cmd listUsers
	expect_user_tables $users $servers
}

# The whole listUsers output, for before/after comparisons.
proc list_users_snapshot {} {
	cmu_cmd listUsers
	return [lines_until_prompt]
}
