#!/usr/bin/env tclsh
# run.tcl -- entry point of the Fastkey Tcl compatibility suite.
#
#   tclsh tcl-compat/run.tcl [options]
#
# Every test file runs in its own child tclsh (support/worker.tcl); up to
# --clients files run at once, each child with its own range of ports.  See
# README.md for the options and for how to write tests.

set ::compat_dir [file dirname [file normalize [info script]]]
set ::repo_dir [file dirname $::compat_dir]
set ::worker_script [file join $::compat_dir support worker.tcl]

source [file join $::compat_dir support runner.tcl]

proc usage {} {
    puts "usage: tclsh tcl-compat/run.tcl ?options?
  --server-bin PATH   server binary (default: \$FASTKEY_BIN, else target/release/fastkey-server)
  --host HOST         run against an already running server (with --port)
  --port PORT         port of the external server (default 6379)
  --single unit/NAME  run only this test file (repeatable, .tcl optional;
                      a path to any .tcl file works too)
  --only PATTERN      run only tests whose name matches the glob (repeatable)
  --tags \"a -b\"       only tests/blocks tagged a, none tagged b
  --clients N         test files run in N parallel processes (default 1)
  --timeout SECS      time limit of one test file (default 600)
  --base-port N       first port used for servers (default 21111)
  --verbose           more output (server logs on failures, stack traces)
  --dont-clean        keep the servers' temporary directories
  --list              list the test files and exit
  --help              this text"
}

proc die {msg {code 2}} {
    puts stderr "run.tcl: $msg"
    exit $code
}

# ---------------------------------------------------------------- options

proc parse_options {argv} {
    global opt
    array set opt {
        server_bin {} host {} port {} single {} only {} tags {} clients 1
        timeout 600 base_port 21111 verbose 0 dont_clean 0 list 0
    }
    if {[info exists ::env(FASTKEY_BIN)] && $::env(FASTKEY_BIN) ne {}} {
        set opt(server_bin) $::env(FASTKEY_BIN)
    } else {
        set opt(server_bin) [file join $::repo_dir target release fastkey-server]
    }
    for {set i 0} {$i < [llength $argv]} {incr i} {
        set a [lindex $argv $i]
        set needs_value {--server-bin --host --port --single --only --tags
            --clients --timeout --base-port}
        if {$a in $needs_value} {
            if {$i + 1 >= [llength $argv]} {
                die "option $a needs a value"
            }
            set v [lindex $argv [incr i]]
        }
        switch -exact -- $a {
            --server-bin { set opt(server_bin) $v }
            --host { set opt(host) $v }
            --port { set opt(port) $v }
            --single { lappend opt(single) $v }
            --only { lappend opt(only) $v }
            --tags { lappend opt(tags) {*}$v }
            --clients { set opt(clients) $v }
            --timeout { set opt(timeout) $v }
            --base-port { set opt(base_port) $v }
            --verbose { set opt(verbose) 1 }
            --dont-clean { set opt(dont_clean) 1 }
            --list { set opt(list) 1 }
            --help - -h { usage; exit 0 }
            default { usage; die "unknown option '$a'" }
        }
    }
    foreach {k what} {clients "--clients" timeout "--timeout" base_port "--base-port"} {
        if {![string is integer -strict $opt($k)] || $opt($k) < 1} {
            die "$what needs a positive integer"
        }
    }
    if {$opt(clients) > 50} {
        die "--clients is limited to 50"
    }
    set opt(external) [expr {$opt(host) ne {} || $opt(port) ne {}}]
    if {$opt(external)} {
        if {$opt(host) eq {}} {
            set opt(host) 127.0.0.1
        }
        if {$opt(port) eq {}} {
            set opt(port) 6379
        }
    } else {
        set opt(host) 127.0.0.1
        set opt(port) 0
    }
    set opt(server_bin) [file normalize $opt(server_bin)]
    set opt(allowtags) {}
    set opt(denytags) {}
    foreach t $opt(tags) {
        if {[string index $t 0] eq "-"} {
            lappend opt(denytags) [string range $t 1 end]
        } else {
            lappend opt(allowtags) $t
        }
    }
}

# ---------------------------------------------------------------- test files

proc find_tcl_files {dir} {
    set out {}
    foreach f [glob -nocomplain -directory $dir -types f *.tcl] {
        lappend out $f
    }
    foreach d [glob -nocomplain -directory $dir -types d *] {
        lappend out {*}[find_tcl_files $d]
    }
    return $out
}

# "unit/x/y.tcl" for a file of the suite.
proc short_name {path} {
    if {[string first $::compat_dir/ $path] == 0} {
        return [string range $path [string length $::compat_dir/] end]
    }
    return $path
}

proc resolve_single {name} {
    # A path to an existing .tcl file (e.g. a scratch test outside unit/).
    if {[string match *.tcl $name] && [file isfile $name]
            && [string first $::compat_dir/unit/ [file normalize $name]] != 0} {
        return [file normalize $name]
    }
    set name [string trimleft $name ./]
    if {[string match tcl-compat/* $name]} {
        set name [string range $name [string length tcl-compat/] end]
    }
    if {![string match unit/* $name]} {
        set name unit/$name
    }
    if {![string match *.tcl $name]} {
        append name .tcl
    }
    set path [file join $::compat_dir $name]
    if {![file isfile $path]} {
        die "no such test file: $name"
    }
    return $path
}

proc test_files {} {
    global opt
    if {[llength $opt(single)]} {
        set files {}
        foreach s $opt(single) {
            lappend files [resolve_single $s]
        }
        return $files
    }
    set all [find_tcl_files [file join $::compat_dir unit]]
    return [lsort -unique [lmap f $all {file normalize $f}]]
}

# ---------------------------------------------------------------- output

proc out {text} {
    if {[catch {
        puts stdout $text
        flush stdout
    } err]} {
        # Nobody reads our output any more: stop everything.
        abort_run "cannot write output: $err"
    }
}

# Kill every worker and every server they reported, then exit.
proc abort_run {msg} {
    global w
    catch {puts stderr "run.tcl: $msg"}
    foreach key [array names w *,pid] {
        catch {exec kill -KILL $w($key)}
    }
    foreach key [array names w *,servers] {
        foreach server $w($key) {
            kill_server $server
        }
    }
    if {!$::opt(dont_clean)} {
        foreach key [array names w *,pid] {
            foreach d [glob -nocomplain -directory [file join $::compat_dir tmp] server.$w($key).*] {
                catch {file delete -force $d}
            }
        }
    }
    exit 3
}

proc bgerror {msg} {
    abort_run "internal error: $msg\n$::errorInfo"
}

proc indent {text} {
    set lines {}
    foreach l [split [string trimright $text] "\n"] {
        lappend lines "    $l"
    }
    join $lines "\n"
}

# ---------------------------------------------------------------- scheduling

set ::passed 0
set ::failed 0
set ::skipped 0
set ::failed_list {}
set ::files_total 0
set ::files_finished 0
set ::files_broken 0
set ::queue {}
set ::free_slots {}
set ::running 0

proc launch_more {} {
    while {[llength $::queue] && [llength $::free_slots]} {
        set file [lindex $::queue 0]
        set ::queue [lrange $::queue 1 end]
        set slot [lindex $::free_slots 0]
        set ::free_slots [lrange $::free_slots 1 end]
        launch $slot $file
    }
    if {$::running == 0 && ![llength $::queue]} {
        set ::all_done 1
    }
}

proc launch {slot file} {
    global opt w
    set settings [dict create \
        file $file \
        server_bin $opt(server_bin) \
        external $opt(external) \
        host $opt(host) \
        port $opt(port) \
        allowtags $opt(allowtags) \
        denytags $opt(denytags) \
        only $opt(only) \
        verbose $opt(verbose) \
        dont_clean $opt(dont_clean) \
        port_base [expr {$opt(base_port) + $slot * 100}] \
        port_count 100]
    set cmd [list [info nameofexecutable] $::worker_script $settings 2>@1]
    if {[catch {open |$cmd r} chan]} {
        report_file_failure $file "could not start a worker: $chan"
        lappend ::free_slots $slot
        incr ::files_finished
        return
    }
    fconfigure $chan -blocking 0 -buffering line
    incr ::running
    set w($slot,chan) $chan
    set w($slot,pid) [lindex [pid $chan] 0]
    set w($slot,file) $file
    set w($slot,start) [clock milliseconds]
    set w($slot,done) 0
    set w($slot,reported) 0
    set w($slot,tests) 0
    set w($slot,servers) {}
    set w($slot,timer) [after [expr {$opt(timeout) * 1000}] [list on_timeout $slot]]
    fileevent $chan readable [list on_readable $slot]
    if {$opt(verbose)} {
        out "\[start\]: [short_name $file] (worker pid $w($slot,pid))"
    }
}

proc report_file_failure {file detail} {
    incr ::failed
    incr ::files_broken
    set name "[short_name $file] (test file did not complete)"
    lappend ::failed_list $name
    out "\[err\]: $name\n[indent $detail]"
}

proc on_readable {slot} {
    global w
    set chan $w($slot,chan)
    while {[gets $chan line] >= 0} {
        handle_line $slot $line
    }
    if {[eof $chan]} {
        finish $slot
    }
}

proc handle_line {slot line} {
    global w opt
    if {[string range $line 0 4] ne "@@FK "} {
        out $line
        return
    }
    set ev [fk_decode [string range $line 5 end]]
    set file $w($slot,file)
    switch -exact -- [lindex $ev 0] {
        ok {
            incr ::passed
            out "\[ok\]: [lindex $ev 1] ([lindex $ev 2] ms)"
        }
        err {
            incr ::failed
            lappend ::failed_list "[lindex $ev 1] ([short_name $file])"
            out "\[err\]: [lindex $ev 1]\n[indent [lindex $ev 2]]\n    in [fk_relpath_repo $file]"
        }
        skip {
            incr ::skipped
            out "\[skip\]: [lindex $ev 1] ([lindex $ev 2])"
        }
        fileerr {
            set w($slot,reported) 1
            report_file_failure $file [lindex $ev 2]
        }
        done {
            set w($slot,done) 1
            set w($slot,tests) [lindex $ev 2]
        }
        srvstart {
            lappend w($slot,servers) [lrange $ev 1 2]
        }
        srvstop {
            set idx [lsearch -exact -index 0 $w($slot,servers) [lindex $ev 1]]
            if {$idx >= 0} {
                set w($slot,servers) [lreplace $w($slot,servers) $idx $idx]
            }
        }
        log {
            out "\[log\]: [lindex $ev 1]"
        }
        default {
            out $line
        }
    }
}

proc fk_relpath_repo {file} {
    if {[string first $::repo_dir/ $file] == 0} {
        return [string range $file [string length $::repo_dir/] end]
    }
    return $file
}

# Fields of /proc/<pid>/stat after the command name ({} if no such process).
proc proc_stat {pid} {
    if {[catch {open /proc/$pid/stat r} fd]} {
        return {}
    }
    set data [read $fd]
    close $fd
    return [string range $data [string last ")" $data]+2 end]
}

# 1 while the process {pid starttime} reported by a worker is running (not a
# zombie, and not another process that got the same pid later).
proc server_running {server} {
    lassign $server pid start
    set st [proc_stat $pid]
    expr {$st ne {} && [lindex $st 0] ni {Z X x} && ($start eq {} || [lindex $st 19] eq $start)}
}

# Stop a server that a dead worker left behind.
proc kill_server {server} {
    set pid [lindex $server 0]
    if {![server_running $server]} {
        return
    }
    catch {exec kill -TERM $pid}
    for {set i 0} {$i < 100 && [server_running $server]} {incr i} {
        after 50
    }
    if {[server_running $server]} {
        catch {exec kill -KILL $pid}
    }
}

proc on_timeout {slot} {
    global w opt
    set w($slot,timer) {}
    set w($slot,reported) 1
    report_file_failure $w($slot,file) "timed out after $opt(timeout) s: worker killed"
    catch {exec kill -KILL $w($slot,pid)}
    foreach server $w($slot,servers) {
        kill_server $server
    }
    set w($slot,servers) {}
}

proc finish {slot} {
    global w opt
    set chan $w($slot,chan)
    if {$w($slot,timer) ne {}} {
        after cancel $w($slot,timer)
    }
    fconfigure $chan -blocking 1
    set status 0
    if {[catch {close $chan} err opts]} {
        set ecode [dict get $opts -errorcode]
        switch -- [lindex $ecode 0] {
            CHILDSTATUS { set status "exit status [lindex $ecode 2]" }
            CHILDKILLED { set status "killed by [lindex $ecode 2]" }
            default { set status $err }
        }
    }
    # Servers the worker did not stop (it crashed or was killed).
    foreach server $w($slot,servers) {
        kill_server $server
    }
    if {!$w($slot,done) || $status ne 0} {
        if {!$w($slot,reported)} {
            report_file_failure $w($slot,file) "worker ended before the end of the file ($status)"
        }
        # The worker could not clean up after itself.
        if {!$opt(dont_clean)} {
            foreach d [glob -nocomplain -directory [file join $::compat_dir tmp] server.$w($slot,pid).*] {
                catch {file delete -force $d}
            }
        }
    }
    incr ::files_finished
    set secs [format %.1f [expr {([clock milliseconds] - $w($slot,start)) / 1000.0}]]
    out "\[done\]: [short_name $w($slot,file)] ($::files_finished/$::files_total, $secs s)"
    array unset w $slot,*
    incr ::running -1
    lappend ::free_slots $slot
    launch_more
}

# ---------------------------------------------------------------- main

proc main {argv} {
    global opt
    parse_options $argv
    set files [test_files]
    if {$opt(list)} {
        foreach f $files {
            out [short_name $f]
        }
        exit 0
    }
    if {!$opt(external) && ![file executable $opt(server_bin)]} {
        die "server binary '$opt(server_bin)' not found or not executable\n(build it, or pass --server-bin PATH / set FASTKEY_BIN)"
    }
    if {$opt(external)} {
        out "Testing external server $opt(host):$opt(port): [llength $files] file(s)"
    } else {
        out "Testing $opt(server_bin): [llength $files] file(s), $opt(clients) client(s)"
    }
    set ::files_total [llength $files]
    set ::queue $files
    for {set i 0} {$i < $opt(clients)} {incr i} {
        lappend ::free_slots $i
    }
    set ::all_done 0
    set start [clock milliseconds]
    launch_more
    if {!$::all_done} {
        vwait ::all_done
    }
    set secs [expr {([clock milliseconds] - $start) / 1000}]
    out ""
    out "$::passed passed, $::failed failed"
    out "$::skipped skipped, $::files_total file(s) in $secs s"
    if {[llength $::failed_list]} {
        out "Failed tests:"
        foreach t $::failed_list {
            out "  - $t"
        }
    }
    if {$::failed > 0 || $::files_broken > 0} {
        exit 1
    }
    exit 0
}

main $argv
