# clone-lib.tcl - helpers of the cloned-cluster suite: more than one cluster
# at a time (views of ::Cluster), the combined CMU config, per-server blocks.
# Sourced after tests/e2e/lib.tcl and tests/kmu/sign-lib.tcl.

# The harness acts on ::Cluster; a view is a saved copy of its fields, so a
# test can point cmu_start, kmu_as and friends at another cluster.
proc view_save {name} {
	foreach f {dir nodes cfg ccfg} {
		set ::View($name,$f) $::Cluster($f)
	}
}

proc view_use {name} {
	foreach f {dir nodes cfg ccfg} {
		set ::Cluster($f) $::View($name,$f)
	}
}

# Runs body with view name current, then goes back to the view it replaces.
proc in_view {name body} {
	view_save _outer
	view_use $name
	try {
		uplevel 1 $body
	} finally {
		view_use _outer
	}
}

# A new cluster directory made by hsm-sim init ARGS (not started), as view
# name; extra clusters live under the scratch directory and are stopped by
# extra_clusters_stop.
proc extra_cluster {name nodes args} {
	set dir [scratch $name]
	set out [sim_ok init $dir --nodes $nodes --base-port 0 {*}$args]
	set ::View($name,dir) $dir
	set ::View($name,nodes) $nodes
	set ::View($name,cfg) [file join $dir cloudhsm_mgmt_util.cfg]
	set ::View($name,ccfg) [file join $dir cloudhsm_client.cfg]
	lappend ::Extra $dir $nodes
	return $out
}

# Stops every extra cluster; a sanitizer report in a node log is a failure.
proc extra_clusters_stop {} {
	if {![info exists ::Extra]} {
		return
	}
	foreach {dir nodes} $::Extra {
		sim stop $dir
		for {set k 0} {$k < $nodes} {incr k} {
			set log [file join $dir node$k hsm.log]
			if {[file exists $log]} {
				check_no_sanitizer_report "[file tail $dir] node $k log" [read_file $log]
			}
		}
	}
	unset ::Extra
}

# hsm-sim sync-config SRC DST FILE: checks its report and returns the ports
# of the servers in order; FILE becomes view name (nodes of both).
proc sync_config {name src dst} {
	set file [scratch $name.cfg]
	set out [sim_ok sync-config $::View($src,dir) $::View($dst,dir) $file]
	set lines [text_lines $out]
	set total [expr {$::View($src,nodes) + $::View($dst,nodes)}]
	check_match "sync-config: first line" [lindex $lines 0] \
	    "^cloudhsm_mgmt_util config for clusters cluster-\[a-z2-7\]+ and cluster-\[a-z2-7\]+ written to [re_quote $file]$"
	check_equal "sync-config: one line per server" [llength $lines] [expr {$total + 1}]
	set ports {}
	for {set i 0} {$i < $total} {incr i} {
		set local [expr {$i < $::View($src,nodes) ? $i : $i - $::View($src,nodes)}]
		if {![regexp "^  server $i: [re_quote $::Env(host)]:(\\d+) \\(node $local of cluster-\[a-z2-7\]+\\)$" \
			  [lindex $lines [expr {$i + 1}]] -> port]} {
			abort "sync-config server $i: [show [lindex $lines [expr {$i + 1}]]]"
		}
		lappend ports $port
	}
	set ::View($name,dir) $::View($src,dir)
	set ::View($name,nodes) $total
	set ::View($name,cfg) $file
	set ::View($name,ccfg) ""
	set ::View($name,ports) $ports
	return $ports
}

# cloudhsm_mgmt_util on the combined config of view name, banner checked.
proc cmu_start_combined {name} {
	cmu_spawn $::View($name,cfg)
	expect_lines "Connecting to the server(s), it may take time" \
	    "depending on the server(s) load, please wait..." ""
	set h $::Env(host)
	foreach port $::View($name,ports) {
		expect_lines "Connecting to server '$h': hostname '$h', port $port..." \
		    "Connected to server '$h': hostname '$h', port $port." ""
	}
	return $::spawn_id
}

# Runs cmd and returns a dict server -> its block of lines (the lines after
# "<title> on server K(host):" up to the next title), without the lines that
# name the server ("... success on server K(host)").
proc server_blocks {cmd title} {
	cmu_cmd $cmd
	set blocks [dict create]
	set cur -1
	foreach l [lines_until_prompt] {
		if {[regexp "^$title on server (\\d+)\\(" $l -> k]} {
			set cur $k
			dict set blocks $k {}
		} elseif {$cur >= 0 && ![regexp { on server \d+\(} $l]} {
			dict lappend blocks $cur $l
		}
	}
	return $blocks
}

# Every server's block equals server 0's; returns server 0's.
proc check_blocks_equal {what blocks servers} {
	set first [dict get $blocks [lindex $servers 0]]
	foreach k $servers {
		if {![dict exists $blocks $k]} {
			fail "$what: no block for server $k"
			continue
		}
		check_equal "$what: server $k as server [lindex $servers 0]" [dict get $blocks $k] $first
	}
	return $first
}

# The handle list line of a findAllKeys block ("1(o),2(s)").
proc key_list {block} {
	return [lindex $block 2]
}

# {{handle marker} ...} as findAllKeys lists them: "h(o)" for an owned key,
# "h(s)" for a shared one, a bare "h" for an owned key shared with others.
proc klist {pairs} {
	set sorted [lsort -integer -index 0 $pairs]
	return [join [lmap p $sorted {
		expr {[lindex $p 1] eq "" ? [lindex $p 0] : "[lindex $p 0]([lindex $p 1])"}
	}] ,]
}

# The three lines of a syncUser, up to its result.
proc expect_sync_user {id dest insert_rc result} {
	cmu_cmd "syncUser $id $dest"
	expect_lines "ExtractMaskedObject: 0x0 !" "InsertMaskedObject: $insert_rc !" $result
}

# How many keys user finds with key_mgmt_util findKey in the current view.
proc find_keys_total {user pw} {
	lassign [kmu_as $user $pw findKey] code out
	if {$code != 0 || ![regexp {Total number of keys present: (\d+)} $out -> n]} {
		abort "findKey as $user: exit $code: [show $out]"
	}
	return $n
}
