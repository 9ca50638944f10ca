# sign-lib.tcl - helpers of the sign/verify and CMU key-command suites:
# key_mgmt_util in singlecmd and at its prompt, keys, public-key PEMs.
# Sourced after tests/e2e/lib.tcl (which it builds on and never changes).

if {![info exists env(KMU)]} {
	puts "sign-lib.tcl: KMU is not set; run the suites through 'make check'"
	exit 99
}
set Env(kmu) $env(KMU)

# ---- key_mgmt_util, one command per process --------------------------------

# The lines singlecmd's loginHSM prints when every node accepts the login.
proc kmu_status_ok {{nodes ""}} {
	if {$nodes eq ""} {
		set nodes [all_servers]
	}
	set s "\n\tCluster Error Status\n"
	foreach k $nodes {
		append s "\tNode id $k and err state 0x00000000 : HSM Return: SUCCESS\n"
	}
	return $s
}

proc kmu_login_text {} {
	return "\n\tCfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS\n[kmu_status_ok]"
}

# key_mgmt_util singlecmd loginHSM as a CU, then ARGS. Returns {code out}
# with the login lines checked and removed from out.
proc kmu_as {user pw args} {
	set r [run $::Env(kmu) -c $::Cluster(ccfg) singlecmd loginHSM -u CU -s $user -p $pw \
		   {*}$args]
	set out [dict get $r out]
	set login [kmu_login_text]
	if {[string first $login $out] != 0} {
		abort "loginHSM as $user: [show $out][dict get $r err]"
	}
	return [list [dict get $r code] [string range $out [string length $login] end]]
}

# kmu_as that must exit 0; returns the output.
proc kmu_ok {user pw args} {
	lassign [kmu_as $user $pw {*}$args] code out
	if {$code != 0} {
		abort "key_mgmt_util $args: exit $code: [show $out]"
	}
	return $out
}

# The {public private} handles of a new key pair (genRSAKeyPair, ...).
proc kmu_gen_pair {user pw args} {
	set out [kmu_ok $user $pw {*}$args]
	if {![regexp {public key handle: (\d+)    private key handle: (\d+)} $out -> pub priv]} {
		abort "no handles in: [show $out]"
	}
	return [list $pub $priv]
}

proc kmu_gen_sym {user pw args} {
	set out [kmu_ok $user $pw genSymKey {*}$args]
	if {![regexp {Key Handle: (\d+)} $out -> h]} {
		abort "no handle in: [show $out]"
	}
	return $h
}

# What sign prints on success (and the status of every node).
proc sign_ok_text {file} {
	return "\n\tCfm3Sign returned: 0x00 : HSM Return: SUCCESS\n\n\tsignature is written to file $file\n[kmu_status_ok]"
}

proc verify_ok_text {} {
	return "\n\tSignature verification successful\n\n\tCfm3Verify returned: 0x00 : HSM Return: SUCCESS\n"
}

# The documented failure: the code alone, then the message.
proc kmu_fail_line {call code msg} {
	return "\n\t$call returned: $code\n\n\t$msg\n"
}

# Signs file with mech; checks the exact output; returns the signature path.
proc sign_file {user pw handle mech file sig} {
	set out [kmu_ok $user $pw sign -f $file -k $handle -m $mech -out $sig]
	check_equal "sign -k $handle -m $mech output" $out [sign_ok_text $sig]
	return $sig
}

proc verify_file {user pw handle mech file sig} {
	lassign [kmu_as $user $pw verify -f $file -s $sig -k $handle -m $mech] code out
	check_equal "verify -k $handle -m $mech output" $out [verify_ok_text]
	check_equal "verify -k $handle -m $mech exit status" $code 0
}

# A refused sign at user's prompt session: the result lines, then a status
# block in which exactly one node (or refusing nodes: a key under quorum is
# tried on every node, since only one holding an approved token takes it)
# reports code and the others are fine.
proc check_sign_refused {what user pw handle mech code msg {refusing 1}} {
	kmu_session $user $pw
	file delete [scratch refused.sig]
	set lines [kmu_cmd "sign -f [scratch msg] -k $handle -m $mech -out [scratch refused.sig]"]
	check_equal "$what: result lines" [lrange $lines 0 5] \
	    [list "" "\tCfm3Sign returned: $code" "" "\t$msg" "" "\tCluster Error Status"]
	set rest [join [lrange $lines 6 end] "\n"]
	set code8 [format "0x%08x" $code]
	set refused [regexp -all -line "^\tNode id \\d and err state $code8 : [re_quote $msg]\$" $rest]
	set fine [regexp -all -line {^\tNode id \d and err state 0x00000000 : HSM Return: SUCCESS$} $rest]
	check_equal "$what: $refusing node(s) refuse" $refused $refusing
	check_equal "$what: the others are fine" $fine [expr {$::Cluster(nodes) - $refusing}]
	check_equal "$what: one line per node" [llength $lines] [expr {6 + $::Cluster(nodes)}]
	check "$what: no signature written" {![file exists [scratch refused.sig]]}
}

# ---- key_mgmt_util at its prompt --------------------------------------------

# key_mgmt_util at its prompt as the current session (closed with the
# harness's sessions).
proc kmu_spawn {} {
	set sid [cmu_spawn_cmd [list $::Env(kmu) -c $::Cluster(ccfg)]]
	set_prompt "Command:  "
	return $sid
}

# A command at the prompt; returns its output lines.
proc kmu_cmd {cmd} {
	cmu_cmd $cmd
	return [lines_until_prompt]
}

# A prompt session logged in as user (the current spawn id).
proc kmu_login_session {user pw} {
	kmu_spawn
	check_equal "loginHSM $user at the prompt" [kmu_cmd "loginHSM -u CU -s $user -p $pw"] \
	    [text_lines [kmu_login_text]]
}

proc sign_at_prompt {handle mech file sig} {
	check_equal "sign -k $handle -m $mech" \
	    [kmu_cmd "sign -f $file -k $handle -m $mech -out $sig"] [text_lines [sign_ok_text $sig]]
}

proc verify_at_prompt {handle mech file sig} {
	check_equal "verify -k $handle -m $mech" \
	    [kmu_cmd "verify -f $file -s $sig -k $handle -m $mech"] [text_lines [verify_ok_text]]
}

proc kmu_exit {} {
	cmu_cmd exit
	expect_exit 0
}

# user's prompt session, made the current one (started on first use).
proc kmu_session {user pw} {
	if {[info exists ::KmuSess($user)]} {
		cmu_use $::KmuSess($user)
	} else {
		kmu_login_session $user $pw
		set ::KmuSess($user) $::spawn_id
	}
}

# Ends every prompt session kmu_session started.
proc kmu_sessions_exit {} {
	foreach user [array names ::KmuSess] {
		cmu_use $::KmuSess($user)
		kmu_exit
	}
	array unset ::KmuSess
}

# ---- public keys as PEM, from the attributes the HSM reports ----------------

proc openssl {args} {
	set r [run $::Env(openssl) {*}$args]
	if {[dict get $r code] != 0} {
		abort "openssl $args: exit [dict get $r code]: [dict get $r err]"
	}
	return [dict get $r out]
}

# The value line(s) of a getAttribute -out file, as one hex string.
proc attr_hex {user pw handle attr} {
	set f [scratch attr.$handle.$attr]
	kmu_ok $user $pw getAttribute -o $handle -a $attr -out $f
	set lines [split [string trim [read_file $f]] "\n"]
	set hex [join [lrange $lines 1 end] ""]
	regsub {^0x} $hex {} hex
	return $hex
}

# A SubjectPublicKeyInfo built with asn1parse -genconf, as PEM in path.
proc spki_pem {conf path} {
	write_file $path.conf $conf
	openssl asn1parse -genconf $path.conf -out $path.der -noout
	openssl pkey -pubin -inform DER -in $path.der -out $path
	return $path
}

proc rsa_pub_pem {user pw handle path} {
	set n [attr_hex $user $pw $handle 288]
	set e [attr_hex $user $pw $handle 290]
	return [spki_pem "asn1=SEQUENCE:spki\n\[spki\]\nalg=SEQUENCE:alg\nkey=BITWRAP,SEQUENCE:rsa\n\[alg\]\noid=OID:rsaEncryption\nparams=NULL\n\[rsa\]\nn=INTEGER:0x$n\ne=INTEGER:0x$e\n" $path]
}

# The EC "modulus" attribute is the public point; curve is an OpenSSL name.
proc ec_pub_pem {user pw handle curve path} {
	set point [attr_hex $user $pw $handle 288]
	return [spki_pem "asn1=SEQUENCE:spki\n\[spki\]\nalg=SEQUENCE:alg\nkey=FORMAT:HEX,BITSTRING:$point\n\[alg\]\noid=OID:id-ecPublicKey\ncurve=OID:$curve\n" $path]
}

# openssl dgst options of a mechanism: digest, and PSS padding with the
# salt as long as the digest.
proc mech_dgst_opts {mech} {
	set digests {0 sha1 1 sha256 2 sha384 3 sha512 4 sha224 5 sha1 6 sha256 7 sha384
		8 sha512 9 sha224 15 sha1 16 sha224 17 sha256 18 sha384 19 sha512}
	set opts [list -[dict get $digests $mech]]
	if {$mech >= 5 && $mech <= 9} {
		lappend opts -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest
	}
	return $opts
}

# {code out} of openssl dgst -verify.
proc openssl_verify {mech pem data sig {extra {}}} {
	set r [run $::Env(openssl) dgst {*}[mech_dgst_opts $mech] {*}$extra -verify $pem \
		   -signature $sig $data]
	return [list [dict get $r code] [dict get $r out]]
}
