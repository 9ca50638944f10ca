# kquorum-lib.tcl - helpers of kmu-quorum.exp (sourced after kmu-lib.tcl and
# tests/e2e/quorum.tcl): crypto users' quorum keys, key tokens and their
# approvals through key_mgmt_util, and the lines its token commands print.
#
# Expected lines come from the reference and doc/compatibility.md ("Quorum
# for keys"): the CMU token block (quorum-authentication-crypto-officers.md)
# under KMU's result line and status block.

# The quorum return codes as doc/return-codes.md lists them.
dict set Kmu(messages) 0x000000d1 \
    "HSM Error: This user type is not permitted to perform this operation"
dict set Kmu(messages) 0x000000e0 "RET_MXN_AUTH_FAILED"
dict set Kmu(messages) 0x000000e1 "HSM Error: Quorum token has expired"
dict set Kmu(messages) 0x000000e2 "HSM Error: No valid quorum token of this session for this HSM"
dict set Kmu(messages) 0x000000e7 "HSM Error: Quorum is not enabled for this key (its m_value is 0)"

# A crypto user's RSA-2048 quorum key made with openssl, registered from a
# cloudhsm_mgmt_util session of the user (registerQuorumPubKey CU ...).
proc register_cu_key {name pw} {
	make_officer_key $name
	cmu_start
	login CU $name $pw
	cmu_cmd "registerQuorumPubKey CU $name $name.token $name.token.sig $name.pub"
	confirm
	expect_success registerQuorumPubKey
	cmu_quit
}

# The Token: block of one token; returns {id node}.
proc token_block {lines at service handle user} {
	set got [lrange $lines $at [expr {$at + 5}]]
	if {![regexp {^Id:(\d+)$} [lindex $got 1] -> id] ||
	    ![regexp {^Node:(\d+)$} [lindex $got 3] -> node]} {
		abort "no token block at line $at:[show_lines $lines]"
	}
	check_equal "token block" $got \
	    [list "Token:" "Id:$id" "Service:$service" "Node:$node" "Key Handle:$handle" "User:$user"]
	return [list $id $node]
}

# getToken -n service -k handle -u user -f file at the current prompt: the
# documented lines; returns the nodes whose token the file holds.
proc get_key_token {service handle user file} {
	set lines [kmu_cmd "getToken -n $service -k $handle -u $user -f $file"]
	set want [list "" [rc_ok Cfm3GetToken]]
	set nodes {}
	set at 2
	while {[lindex $lines $at] eq "" && [lindex $lines [expr {$at + 1}]] eq "Token:"} {
		lassign [token_block $lines [expr {$at + 1}] $service $handle $user] id node
		lappend want "" {*}[lrange $lines [expr {$at + 1}] [expr {$at + 6}]]
		lappend nodes $node
		incr at 7
	}
	set st [dict create]
	foreach k $nodes {
		dict set st $k 0
	}
	lappend want "" "\tToken is written to file $file" {*}[status_lines $st]
	check_lines "getToken -n $service -k $handle" $lines $want
	check_match "$file is a token file" [read_file $file] \
	    "^hsm-sim quorum token file v1\nService:$service\nUser:$user\nKey Handle:$handle\nTokens:[llength $nodes]\n"
	return $nodes
}

# The signatures of signers over the token file and the approval file naming
# them (approver type 1, as crypto users); returns the approval file.
proc approvals_by {file signers {count ""}} {
	set approvers {}
	set i 0
	foreach s $signers {
		lassign $s signer as
		if {$as eq ""} {
			set as $signer
		}
		incr i
		sign_file $signer $file $file.sig$i
		lappend approvers [list 1 $as $file.sig$i]
	}
	write_approval $file.approval $file $approvers $count
	return $file.approval
}

# approveToken -af file; every node named answers code.
proc approve {file nodes {code 0}} {
	set st [dict create]
	foreach k $nodes {
		dict set st $k $code
	}
	set lines [kmu_cmd "approveToken -af $file"]
	if {$code == 0} {
		check_lines "approveToken -af $file" $lines [result_lines Cfm3ApproveToken $st]
	} else {
		check_lines "approveToken -af $file (refused)" $lines \
		    [failure_lines Cfm3ApproveToken $code $st]
	}
}

# listTokens: tokens is {node {service handle user required approvals} ...},
# every other node holds none.
proc expect_tokens {tokens} {
	set lines [kmu_cmd listTokens]
	set want [list "" [rc_ok Cfm3ListTokens]]
	foreach k [all_nodes] {
		lappend want "" "=====================" "    Node id $k" "====================="
		set mine [expr {[dict exists $tokens $k] ? [dict get $tokens $k] : {}}]
		set n 0
		foreach t $mine {
			lassign $t service handle user required approvers
			set at [expr {[llength $want] + 1}]
			lappend want "-------- Token - $n ----------"
			lassign [token_block $lines $at $service $handle $user] id node
			check_equal "the token of node $k" $node $k
			lappend want {*}[lrange $lines $at [expr {$at + 5}]]
			set v [lindex $lines [expr {$at + 6}]]
			check_match "validity" $v {^Token Validity: \d+ sec$}
			lappend want $v "Required num of approvers : $required" \
			    "Current num of approvals : [llength $approvers]"
			set j 0
			foreach a $approvers {
				lappend want "Approver-$j: $a"
				incr j
			}
			incr n
		}
		lappend want "Num of tokens = $n"
	}
	lappend want {*}[status_lines [states]]
	check_lines "listTokens" $lines $want
}

# sign with the key at the current prompt: the documented success lines.
proc sign_ok {handle in out} {
	file delete $out
	check_lines "sign -k $handle" [kmu_cmd "sign -f $in -k $handle -m 1 -out $out"] \
	    [list "" [rc_ok Cfm3Sign] "" "\tsignature is written to file $out" \
		 {*}[status_lines [states]]]
}

# sign refused with code by every node; no signature written.
proc sign_refused {handle in out {code 0xe0}} {
	file delete $out
	check_lines "sign -k $handle (refused)" [kmu_cmd "sign -f $in -k $handle -m 1 -out $out"] \
	    [failure_lines Cfm3Sign $code [states $code]]
	check "no signature in $out" {![file exists $out]}
}

# A usage error: the error line, then the command's help.
proc check_usage_line {lines err} {
	check_equal "the error" [lrange $lines 0 1] [list "" $err]
	check "then the help" {[has_line $lines "Description"]}
}
