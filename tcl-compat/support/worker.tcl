# worker.tcl -- runs one test file; started by run.tcl as
#   tclsh support/worker.tcl SETTINGS
# where SETTINGS is a dict (see run.tcl).  Results go to stdout as
# "@@FK ..." lines.  Exit status: 0 when the file ran to completion.

set ::fk_support_dir [file dirname [file normalize [info script]]]
set ::fk_compat_dir [file dirname $::fk_support_dir]
set ::fk_repo_dir [file dirname $::fk_compat_dir]
set ::fk_tmp_dir [file join $::fk_compat_dir tmp]

foreach f {resp.tcl runner.tcl server.tcl util.tcl raw.tcl} {
    source [file join $::fk_support_dir $f]
}

proc fk_worker_main {settings} {
    set file [dict get $settings file]
    set ::curfile [fk_relpath $file]
    set ::fk_server_bin [dict get $settings server_bin]
    set ::external [dict get $settings external]
    set ::fk_ext_host [dict get $settings host]
    set ::fk_ext_port [dict get $settings port]
    set ::allowtags [dict get $settings allowtags]
    set ::denytags [dict get $settings denytags]
    set ::only_tests [dict get $settings only]
    set ::verbose [dict get $settings verbose]
    set ::dont_clean [dict get $settings dont_clean]
    set ::fk_port_base [dict get $settings port_base]
    set ::fk_port_count [dict get $settings port_count]
    file mkdir $::fk_tmp_dir

    set rc [catch {
        if {$::external} {
            set c [::fkresp::connect $::fk_ext_host $::fk_ext_port]
            try {
                $c flushall
            } finally {
                $c close
            }
        }
        uplevel #0 [list source $file]
    } err opts]

    # Whatever happened, no server of ours may survive this file.
    foreach sid [lreverse $::servers] {
        catch {fk_teardown $sid}
    }
    if {$rc == 1} {
        # For unexpected Tcl errors the stack trace (which starts with the
        # message) says where the file broke.
        set detail $err
        if {$::verbose || [lindex [dict get $opts -errorcode] 0] ni {FKABORT FKASSERT FKSTART}} {
            set detail [dict get $opts -errorinfo]
        }
        fk_emit fileerr $::curfile $detail
        return 1
    }
    fk_emit done $::curfile $::num_tests
    return 0
}

exit [fk_worker_main [lindex $argv 0]]
