# quorum.tcl - quorum (M of N) dialogue for the e2e suites (sourced after
# lib.tcl): officers' keys and signatures made with the openssl command line,
# approval files, and the documented output of the quorum commands.

# Every file of a suite lives in one directory, which is also the current
# directory of the cloudhsm_mgmt_util sessions, so that commands and
# approval files name files relatively, as the pages do.
set Q(dir) [scratch quorum]
file mkdir $Q(dir)
cd $Q(dir)

proc openssl_ok {args} {
	set r [run $::Env(openssl) {*}$args]
	if {[dict get $r code] != 0} {
		abort "openssl $args: exit [dict get $r code]: [dict get $r err]"
	}
	return [dict get $r out]
}

proc key_pass {name} {
	return "pass:$name-passphrase"
}

# As first-time-setup shows it: an AES-256 protected RSA-2048 key, its PEM
# public key, a registration token and its SHA-256 signature.
proc make_officer_key {name {bits 2048}} {
	openssl_ok genrsa -out $name.key -aes256 -passout [key_pass $name] $bits
	openssl_ok rsa -in $name.key -passin [key_pass $name] -outform PEM -pubout \
	    -out $name.pub
	registration_token $name
}

# The registration token file and its signature (getToken may have put a
# quorum token in the same file since, as the pages name both NAME.token).
proc registration_token {name} {
	write_file $name.token "token to be signed\n"
	sign_file $name $name.token $name.token.sig
}

# openssl dgst -sha256 -sign KEY -out SIG FILE, as the approvers do.
proc sign_file {signer file sig} {
	openssl_ok dgst -sha256 -sign $signer.key -passin [key_pass $signer] -out $sig $file
}

# An approval file in the documented layout; approvers is a list of
# {type name signature-file}.
proc write_approval {path token approvers {count ""}} {
	if {$count eq ""} {
		set count [llength $approvers]
	}
	set text "# For \"Multi Token File Path\", type the path to the file that contains\n"
	append text "# the token.\n"
	append text "Multi Token File Path = $token;\nToken File Path = ;\n\n"
	append text "# Total number of approvals\nNumber of Approvals = $count;\n"
	set i 0
	foreach a $approvers {
		lassign $a type name sig
		incr i
		append text "\n# Approver $i\nApprover Type = $type; # 2 for CO, 1 for CU\n"
		append text "Approver Name = $name;\nApproval File = $sig;\n"
	}
	write_file $path $text
}

# ---- commands and their documented output ---------------------------------------

proc register_key {name {servers ""}} {
	cmu_cmd "registerQuorumPubKey CO $name $name.token $name.token.sig $name.pub"
	confirm
	expect_success registerQuorumPubKey $servers
}

proc service_name {service} {
	return [dict get {3 USER_MGMT 4 MISC_CO} $service]
}

proc expect_m_value {service m} {
	cmu_cmd "getMValue $service"
	foreach k [all_servers] {
		expect_line "MValue of service $service\[[service_name $service]\] on server $k : \[$m\]"
	}
}

proc set_m_value {service m} {
	cmu_cmd "setMValue $service $m"
	confirm
	expect_line "Setting M Value($m) for $service on [scope_count] nodes"
	expect_success setMValue
}

# A setMValue every server refuses with msg; A at the first one.
proc refuse_set_m_value {service m msg} {
	cmu_cmd "setMValue $service $m"
	confirm
	expect_line "Setting M Value($m) for $service on [scope_count] nodes"
	expect_lines "setMValue failed: $msg" "setMValue failed on server [srv_label 0]" ""
	answer "Retry/Ignore/Abort?(R/I/A):" A
}

# The Token: block getToken and listTokens print; returns the token id.
proc expect_token_block {service node user} {
	expect_line "Token:"
	set id [lindex [regexp -inline {^Id:(\d+)$} [expect_line_re {^Id:\d+$}]] 1]
	expect_lines "Service:$service" "Node:$node" "Key Handle:0" "User:$user"
	return $id
}

# getToken on every server; the node ids of hsm-sim are the server numbers.
# Returns the token ids in server order.
proc get_token {service user file} {
	cmu_cmd "getToken $service $user $file"
	set ids {}
	foreach k [all_servers] {
		expect_line "getToken success on server [srv_label $k]"
		lappend ids [expect_token_block $service $k $user]
	}
	# The file is written once every server has answered.
	check_equal "nothing after the tokens" [lines_until_prompt] {}
	check_match "$file is a token file" [read_file $file] {^hsm-sim quorum token file v1\n}
	return $ids
}

proc approve_token {file} {
	cmu_cmd "approveToken $file"
	expect_success approveToken
}

# An approveToken every server refuses with msg.
proc refuse_approve {file msg} {
	cmu_cmd "approveToken $file"
	foreach k [all_servers] {
		expect_failure approveToken $msg $k
	}
}

# getToken, the signatures of signers, the approval file, approveToken.
proc token_approved_by {service user signers {file ""}} {
	if {$file eq ""} {
		set file $user.token
	}
	get_token $service $user $file
	set approvers {}
	set i 0
	foreach s $signers {
		incr i
		sign_file $s $file $file.sig$i
		lappend approvers [list 2 $s $file.sig$i]
	}
	write_approval approval.txt $file $approvers
	approve_token approval.txt
}

# listTokens when every server holds the same tokens; tokens is a list of
# {service user required {approver ...}}. Returns the validities seen.
proc expect_list_tokens {tokens} {
	cmu_cmd listTokens
	set seen {}
	foreach k [all_servers] {
		expect_lines "" "=====================" "    Server [srv_label $k]" \
		    "====================="
		set n 0
		foreach t $tokens {
			lassign $t service user required approvers
			expect_line "-------- Token - $n ----------"
			expect_token_block $service $k $user
			set v [expect_line_re {^Token Validity: \d+ sec$}]
			lappend seen [lindex [regexp -inline {(\d+) sec} $v] 1]
			expect_lines "Required num of approvers : $required" \
			    "Current num of approvals : [llength $approvers]"
			set j 0
			foreach a $approvers {
				expect_line "Approver-$j: $a"
				incr j
			}
			incr n
		}
		expect_line "Num of tokens = [llength $tokens]"
	}
	expect_lines "" "listTokens success"
	return $seen
}

# createUser every server refuses with msg; A at the first one.
proc refuse_create_quorum {type name pw msg} {
	cmu_cmd "createUser $type $name $pw"
	confirm
	expect_line "Creating User $name\($type\) on [scope_count] nodes"
	expect_create_failure $msg 0
	answer "Retry/Ignore/Abort?(R/I/A):" A
}

# deleteUser every server refuses with msg; I at each.
proc refuse_delete_quorum {type name msg} {
	cmu_cmd "deleteUser $type $name"
	expect_line "Deleting user $name\($type\) on [scope_count] nodes"
	foreach k [all_servers] {
		expect_delete_failure $msg $k
		answer "Retry/rollBack/Ignore?(R/B/I):" I
	}
}
