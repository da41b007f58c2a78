# runner.tcl -- test/tags procs, filtering and result reporting.
#
# A test file runs inside a worker process (support/worker.tcl).  Results are
# sent to the parent (run.tcl) as single "@@FK <list>" lines on stdout; any
# other output of a test is passed through as is.

# Settings (set by the worker from the command line of run.tcl).
set ::tags {}              ;# tags of the enclosing start_server/tags blocks
set ::allowtags {}
set ::denytags {}
set ::only_tests {}        ;# glob patterns of test names to run (--only)
set ::external 0
set ::verbose 0
set ::dont_clean 0
set ::curfile {}           ;# the test file being run, relative to the repo
set ::num_tests 0

proc fk_encode {s} {
    string map [list \\ \\\\ \n \\n \r \\r] $s
}

proc fk_decode {s} {
    string map [list \\\\ \\ \\n \n \\r \r] $s
}

# Send one result event to the parent.
proc fk_emit {args} {
    if {[catch {
        puts stdout "@@FK [fk_encode [list {*}$args]]"
        flush stdout
    }]} {
        fk_orphaned
    }
}

# The parent is gone (stdout is a broken pipe): kill our servers and exit.
proc fk_orphaned {} {
    if {[info exists ::fk_orphaned]} {
        return
    }
    set ::fk_orphaned 1
    foreach sid $::servers {
        if {[fk_pid_alive $::fk_srv($sid,pid)]} {
            catch {exec kill -KILL $::fk_srv($sid,pid)}
        }
        if {!$::dont_clean && $::fk_srv($sid,dir) ne {}} {
            after 100
            catch {file delete -force $::fk_srv($sid,dir)}
        }
    }
    exit 3
}

# Returns 1 when a test or block with these tags should run; otherwise sets
# the caller's variable named by reasonvar and returns 0.
proc tags_acceptable {tags reasonvar {check_allow 1}} {
    upvar 1 $reasonvar reason
    if {$::external && [lsearch -exact $tags external:skip] >= 0} {
        set reason "not run against an external server"
        return 0
    }
    foreach t $::denytags {
        if {[lsearch -exact $tags $t] >= 0} {
            set reason "tag $t excluded"
            return 0
        }
    }
    if {$check_allow && [llength $::allowtags]} {
        foreach t $::allowtags {
            if {[lsearch -exact $tags $t] >= 0} {
                return 1
            }
        }
        set reason "none of the tags {$::allowtags}"
        return 0
    }
    return 1
}

# tags {list} {body}: the tags apply to every test and server in body.
proc tags {taglist body} {
    set saved $::tags
    lappend ::tags {*}$taglist
    try {
        uplevel 1 $body
    } finally {
        set ::tags $saved
    }
}

# Where an assertion was called from: "file:line" (best effort).  Walks the
# frames outward from the caller, skipping the harness's own frames.  Script
# bodies evaluated by start_server/test/... report lines relative to the body;
# those offsets are added to the line of the enclosing command that has a real
# file location.  Frames of one body (e.g. inside catch or if) repeat the
# same relative line, so only the innermost frame of each body is counted.
proc fk_where {{skip 1}} {
    set rel 0
    set counted 0
    set supportdir $::fk_support_dir
    for {set l [expr {[info frame] - $skip}]} {$l > 0} {incr l -1} {
        set f [info frame $l]
        if {[dict exists $f file]} {
            set file [dict get $f file]
            if {[string first $supportdir/ $file] == 0} {
                set counted 0
                continue
            }
            return "[fk_relpath $file]:[expr {[dict get $f line] + $rel}]"
        }
        if {[dict get $f type] eq "eval" && [dict exists $f line]} {
            if {!$counted} {
                incr rel [expr {[dict get $f line] - 1}]
                set counted 1
            }
            continue
        }
        set counted 0
    }
    return $::curfile
}

proc fk_relpath {file} {
    set root $::fk_repo_dir/
    if {[string first $root $file] == 0} {
        return [string range $file [string length $root] end]
    }
    return $file
}

# test name body ?expected? ?tags?
proc test {name code {expected __fk_no_expected__} {testtags {}}} {
    set alltags [concat $::tags $testtags]
    if {![tags_acceptable $alltags reason]} {
        fk_emit skip $name $reason
        return
    }
    if {[llength $::only_tests]} {
        set found 0
        foreach p $::only_tests {
            if {[string match $p $name]} {
                set found 1
                break
            }
        }
        if {!$found} {
            fk_emit skip $name "not selected by --only"
            return
        }
    }
    incr ::num_tests
    set loc [fk_where]
    set start [clock milliseconds]
    set saved_tags $::tags
    set ::tags $alltags
    set rc [catch {uplevel 1 $code} result opts]
    set ::tags $saved_tags
    set ms [expr {[clock milliseconds] - $start}]
    set failure {}
    if {$rc == 1} {
        set ecode [dict get $opts -errorcode]
        if {[lindex $ecode 0] eq "FKASSERT"} {
            set failure $result
        } else {
            set failure "Exception: $result"
            # The outermost "uplevel" body line is the line in the test body.
            set einfo [dict get $opts -errorinfo]
            set bodylines [regexp -all -inline {\("uplevel" body line (\d+)\)} $einfo]
            if {[llength $bodylines] && [regexp {^(.*):(\d+)$} $loc -> f l]} {
                append failure "\n    at $f:[expr {$l + [lindex $bodylines end] - 1}]"
            }
            if {$::verbose} {
                append failure "\n[dict get $opts -errorinfo]"
            }
        }
    } elseif {$rc == 3 || $rc == 4} {
        set failure "Exception: test body invoked [expr {$rc == 3 ? "break" : "continue"}]"
    } elseif {$expected ne "__fk_no_expected__" && ![string equal $expected $result]} {
        set failure "Expected '$expected' but got '$result'"
    }
    # A server that died during the test is a failure; the file is aborted.
    set dead [fk_dead_servers]
    if {$dead ne {}} {
        if {$failure ne {}} {
            append failure "\n"
        }
        append failure [fk_describe_dead $dead]
        fk_emit err $name $failure $::curfile
        fk_abort_file "server died during test '$name'"
    }
    if {$failure ne {}} {
        if {$::verbose} {
            append failure [fk_servers_log_tail]
        }
        fk_emit err $name $failure $::curfile
    } else {
        fk_emit ok $name $ms
    }
    return
}

# Print a message only in --verbose mode.
proc fk_log {msg} {
    if {$::verbose} {
        fk_emit log $msg
    }
}
