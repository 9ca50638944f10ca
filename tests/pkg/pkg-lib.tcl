# pkg-lib.tcl - helpers for the installation suites (tests/pkg/*.exp) on top of
# tests/e2e/lib.tcl: the configure tool, config files in scratch directories, jq.
#
# The configure tool edits the files named by $CLOUDHSM_CLIENT_CFG and
# $CLOUDHSM_MGMT_UTIL_CFG, exactly the ones the tools read; each test points
# them at a scratch copy. JSON is looked at with jq, as operators' scripts do.

if {[info procs with_cluster] eq ""} {
	source [file join $env(TESTS_SRCDIR) e2e lib.tcl]
}
foreach var {CONFIGURE_TOOL KMU} {
	if {![info exists env($var)]} {
		puts "pkg-lib.tcl: $var is not set; run the suites through 'make check'"
		exit 99
	}
}
set Pkg(configure) $env(CONFIGURE_TOOL)
set Pkg(kmu) $env(KMU)
set Pkg(jq) [auto_execok jq]
if {$Pkg(jq) eq ""} {
	puts "pkg-lib.tcl: jq is missing (scripts/deps.sh installs it)"
	exit 99
}
unset -nocomplain env(CLOUDHSM_CLIENT_CFG) env(CLOUDHSM_MGMT_UTIL_CFG)

# A scratch etc/ directory holding copies of the cluster's two configs.
proc etc_copy {name} {
	set etc [scratch $name]
	file delete -force $etc
	file mkdir $etc
	foreach f {cloudhsm_client.cfg cloudhsm_mgmt_util.cfg} {
		file copy [file join $::Cluster(dir) $f] [file join $etc $f]
	}
	return $etc
}

proc client_cfg {etc} {
	return [file join $etc cloudhsm_client.cfg]
}

proc cmu_cfg {etc} {
	return [file join $etc cloudhsm_mgmt_util.cfg]
}

# Runs the configure tool on the configs in etc -> dict {code out err}.
proc configure_in {etc args} {
	set ::env(CLOUDHSM_CLIENT_CFG) [client_cfg $etc]
	set ::env(CLOUDHSM_MGMT_UTIL_CFG) [cmu_cfg $etc]
	set r [run $::Pkg(configure) {*}$args]
	unset ::env(CLOUDHSM_CLIENT_CFG) ::env(CLOUDHSM_MGMT_UTIL_CFG)
	return $r
}

# The "Updating server config in" lines for the given files.
proc updating {args} {
	set out ""
	foreach f $args {
		append out "Updating server config in $f\n"
	}
	return $out
}

# jq FILTER FILE -> its output without the last newline; aborts on failure.
proc jq {filter file} {
	set r [run $::Pkg(jq) -c $filter $file]
	if {[dict get $r code] != 0} {
		abort "jq $filter $file: [dict get $r err]"
	}
	return [string trimright [dict get $r out] "\n"]
}

# Every file of etc and its bytes, to prove a failed run changed nothing
# (a left-over temporary file shows up too).
proc etc_snapshot {etc} {
	set snap {}
	foreach f [lsort [glob -nocomplain -directory $etc *]] {
		lappend snap [file tail $f] [read_file $f]
	}
	return $snap
}

# The node ports in cluster order, as hsm-sim status reports them.
proc node_ports {} {
	set ports {}
	foreach k [all_servers] {
		lappend ports [node_port $k]
	}
	return $ports
}

# An installed SDK 3 layout in a scratch ROOT: ROOT/etc with the two configs
# as the packages ship them (etc/*.cfg.in with ROOT's paths), ROOT/run.
proc sdk3_root {name} {
	set root [scratch $name]
	file delete -force $root
	file mkdir [file join $root etc] [file join $root run]
	foreach f {cloudhsm_client.cfg cloudhsm_mgmt_util.cfg} {
		set text [read_file [file join $::env(TESTS_SRCDIR) .. etc $f.in]]
		set text [string map [list @sysconfdir@ [file join $root etc] \
					  @sdk3rundir@ [file join $root run]] $text]
		write_file [file join $root etc $f] $text
	}
	return $root
}

# Rewrites a JSON file through jq FILTER, as an operator's script would.
proc jq_edit {file filter} {
	set r [run $::Pkg(jq) $filter $file]
	if {[dict get $r code] != 0} {
		abort "jq $filter $file: [dict get $r err]"
	}
	write_file $file.new [dict get $r out]
	file rename -force $file.new $file
}
