# tfa.tcl - the operator's half of two-factor authentication for the e2e
# suites: RSA keys and signatures made with the openssl command line.
#
# What manage-2fa.md asks of an operator, done as doc/compatibility.md and the
# README describe it: read the authdata request CMU wrote, sign each decoded
# Digest with "openssl pkeyutl -sign -pkeyopt digest:sha256", put the base64
# Signature (and the PEM PublicKey) into the file.

# openssl ARGS; aborts the test when it fails.
proc openssl_ok {args} {
	set r [run $::Env(openssl) {*}$args]
	if {[dict get $r code] != 0} {
		abort "openssl $args: exit [dict get $r code]: [dict get $r err]"
	}
	return [dict get $r out]
}

# A new key pair: NAME.pem (private) and NAME.pub (PEM public key) in the
# scratch directory. kind is rsa2048, rsa1024 or ec.
proc tfa_new_key {name {kind rsa2048}} {
	set priv [scratch $name.pem]
	switch -- $kind {
		rsa2048 { openssl_ok genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $priv }
		rsa1024 { openssl_ok genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out $priv }
		ec { openssl_ok genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $priv }
	}
	openssl_ok pkey -in $priv -pubout -out [scratch $name.pub]
	return $priv
}

proc tfa_pub {priv} {
	return [read_file "[file rootname $priv].pub"]
}

# The Data entries of a request as a list of {HsmId Digest} pairs.
proc tfa_request_entries {path} {
	set text [read_file $path]
	set out {}
	foreach {- id digest} [regexp -all -inline \
				 {"HsmId": "([^"]*)",\s*"Digest": "([^"]*)"} $text] {
		lappend out [list $id $digest]
	}
	return $out
}

# The base64 signature of one Digest with the private key priv.
proc tfa_sign {priv digest} {
	set in [scratch tfa-digest.bin]
	set out [scratch tfa-sig.bin]
	write_file $in [binary decode base64 $digest]
	openssl_ok pkeyutl -sign -inkey $priv -pkeyopt digest:sha256 -in $in -out $out
	set sig [binary encode base64 [read_file $out]]
	file delete $in $out
	return $sig
}

proc json_string {s} {
	return "\"[string map [list \\ \\\\ \" \\\" \n \\n] $s]\""
}

# A response: entries is a list of dicts (HsmId, Digest, Signature; a key
# left out is not written); pubkey the PEM text or "" for none.
proc tfa_response_json {entries {pubkey ""}} {
	set data {}
	foreach e $entries {
		set fields {}
		foreach k {HsmId Digest Signature} {
			if {[dict exists $e $k]} {
				lappend fields "[json_string $k]: [json_string [dict get $e $k]]"
			}
		}
		lappend data "{[join $fields {, }]}"
	}
	set top [list "\"Version\": \"1.0\""]
	if {$pubkey ne ""} {
		lappend top "\"PublicKey\": [json_string $pubkey]"
	}
	lappend top "\"Data\": \[[join $data {, }]\]"
	return "{[join $top {, }]}\n"
}

# The signed entries of the request at path: each HSM's Digest signed with
# priv, or with keys($hsm_id) where the array names another key for it.
proc tfa_signed_entries {path priv {other_keys {}}} {
	set entries {}
	foreach e [tfa_request_entries $path] {
		lassign $e id digest
		set key [expr {[dict exists $other_keys $id] ? [dict get $other_keys $id] : $priv}]
		lappend entries [dict create HsmId $id Digest $digest Signature [tfa_sign $key $digest]]
	}
	return $entries
}

# Signs the request at path in place, as the operator would; with_pubkey
# adds priv's public key (createUser, changePswd).
proc tfa_sign_file {path priv {with_pubkey 0} {other_keys {}}} {
	set pub [expr {$with_pubkey ? [tfa_pub $priv] : ""}]
	write_file $path [tfa_response_json [tfa_signed_entries $path $priv $other_keys] $pub]
}

# CMU's 2FA dialogue after a -2fa command up to Enter: the two lines, the
# question; then script runs (the operator at work) and Enter is typed.
proc tfa_dialogue {path nhsm with_pubkey script} {
	expect_line "Authentication data for $nhsm HSMs is in $path"
	set what [expr {$with_pubkey ? " and your PublicKey" : ""}]
	expect_line "Sign each Digest with your 2FA private key and add the Signature of each HSM$what to that file."
	expect_tail "Press Enter when the file is signed (q to cancel):"
	uplevel 1 $script
	send "\r"
	expect_line ""
}

# loginHSM with -2fa whose request is signed with priv; the outcome lines
# are left to the caller.
proc tfa_login_cmd {type name pw path priv {other_keys {}}} {
	cmu_cmd "loginHSM $type $name $pw -2fa $path"
	tfa_dialogue $path [scope_count] 0 [list tfa_sign_file $path $priv 0 $other_keys]
	expect_line ""
}

proc tfa_login {type name pw path priv} {
	tfa_login_cmd $type $name $pw $path $priv
	expect_success loginHSM
}
