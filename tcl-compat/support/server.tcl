# server.tcl -- starting, stopping and addressing servers under test.
#
# The stack of active servers is ::servers (a list of server ids, innermost
# last); the properties of server $sid live in ::fk_srv($sid,<property>).

set ::servers {}
set ::fk_next_sid 0
array set ::fk_srv {}
set ::fk_port_base 21111
set ::fk_port_count 100
set ::fk_port_cursor 0
set ::fk_server_bin {}
set ::fk_ext_host 127.0.0.1
set ::fk_ext_port 6379
set ::fk_start_timeout_ms 10000

# ---------------------------------------------------------------- processes

# The fields of /proc/<pid>/stat that follow the command name (state, ppid,
# ...; index 19 is the start time), or {} if there is no such process.
proc fk_proc_stat {pid} {
    if {![string is integer -strict $pid] || $pid <= 0} {
        return {}
    }
    if {[catch {open /proc/$pid/stat r} fd]} {
        return {}
    }
    set data [read $fd]
    close $fd
    return [string range $data [string last ")" $data]+2 end]
}

# Remember the start time of a process we started, so that a later process
# that happens to get the same pid is never taken for it (pids wrap quickly
# on a busy machine).
proc fk_remember_pid {pid} {
    set st [fk_proc_stat $pid]
    if {$st ne {}} {
        set ::fk_pid_start($pid) [lindex $st 19]
    }
}

# 1 if the process exists, is not a zombie and is the one we remembered.
proc fk_pid_alive {pid} {
    set st [fk_proc_stat $pid]
    if {$st eq {} || [lindex $st 0] in {Z X x}} {
        return 0
    }
    if {[info exists ::fk_pid_start($pid)] && [lindex $st 19] ne $::fk_pid_start($pid)} {
        return 0
    }
    return 1
}

# Descendants of a process (e.g. children of a wrapper script, or a fork
# doing a background save), found through the parent pids in /proc.
proc fk_descendants {pid} {
    set children [dict create]
    foreach stat [glob -nocomplain /proc/\[0-9\]*/stat] {
        if {[catch {open $stat r} fd]} {
            continue
        }
        set data [read $fd]
        close $fd
        set rest [string range $data [string last ")" $data]+2 end]
        dict lappend children [lindex $rest 1] [lindex [file split $stat] 2]
    }
    set out {}
    set todo [list $pid]
    while {[llength $todo]} {
        set p [lindex $todo 0]
        set todo [lrange $todo 1 end]
        if {[dict exists $children $p]} {
            foreach c [dict get $children $p] {
                fk_remember_pid $c
                lappend out $c
                lappend todo $c
            }
        }
    }
    return $out
}

# Terminate a process and its descendants: SIGTERM, then SIGKILL after a
# grace period.
proc fk_kill_pid {pid {grace_ms 10000}} {
    if {[fk_pid_alive $pid]} {
        set pids [list $pid {*}[fk_descendants $pid]]
        foreach p $pids {
            if {[fk_pid_alive $p]} {
                catch {exec kill -TERM $p}
            }
        }
        set deadline [expr {[clock milliseconds] + $grace_ms}]
        foreach p $pids {
            while {[fk_pid_alive $p] && [clock milliseconds] < $deadline} {
                after 20
            }
        }
        foreach p $pids {
            if {[fk_pid_alive $p]} {
                catch {exec kill -KILL $p}
                set deadline [expr {[clock milliseconds] + 5000}]
                while {[fk_pid_alive $p] && [clock milliseconds] < $deadline} {
                    after 20
                }
            }
        }
    }
    fk_emit srvstop $pid
}

# 1 if process $pid has a listening TCP socket on $port (Linux /proc), so
# that an answer to PING is known to come from our server and not from some
# other process that got the port first.  1 as well where /proc cannot tell.
proc fk_pid_listens {pid port} {
    set inodes {}
    set readable 0
    foreach table {/proc/net/tcp /proc/net/tcp6} {
        if {[catch {open $table r} fd]} {
            continue
        }
        set readable 1
        foreach line [lrange [split [read $fd] "\n"] 1 end] {
            set fields [regexp -inline -all {\S+} $line]
            if {[llength $fields] < 10 || [lindex $fields 3] ne "0A"} {
                continue
            }
            set local [lindex $fields 1]
            set hexport [string range $local [string last : $local]+1 end]
            if {[scan $hexport %x] == $port} {
                lappend inodes [lindex $fields 9]
            }
        }
        close $fd
    }
    if {!$readable || [catch {glob -nocomplain /proc/$pid/fd/*} fds]} {
        return 1
    }
    foreach f $fds {
        if {![catch {file readlink $f} target]
                && [regexp {^socket:\[(\d+)\]$} $target -> inode]
                && $inode in $inodes} {
            return 1
        }
    }
    return 0
}

# Last n lines of a file, or a note if there is nothing.
proc fk_tail {path {n 40}} {
    if {$path eq {} || [catch {open $path r} fd]} {
        return "(no file)"
    }
    fconfigure $fd -translation binary
    set data [read $fd]
    close $fd
    if {[string trim $data] eq {}} {
        return "(empty)"
    }
    set lines [split [string trimright $data "\n"] "\n"]
    return [join [lrange $lines end-[expr {$n - 1}] end] "\n"]
}

proc fk_server_logs {sid} {
    set out "--- [fk_relpath $::fk_srv($sid,stdout)] (tail) ---\n"
    append out [fk_tail $::fk_srv($sid,stdout)] "\n"
    append out "--- [fk_relpath $::fk_srv($sid,stderr)] (tail) ---\n"
    append out [fk_tail $::fk_srv($sid,stderr)]
    return $out
}

# ---------------------------------------------------------------- ports

proc fk_noop_accept {fd args} {
    close $fd
}

# A port in this worker's range that nobody listens on right now.
proc fk_find_free_port {} {
    for {set i 0} {$i < $::fk_port_count} {incr i} {
        set port [expr {$::fk_port_base + $::fk_port_cursor % $::fk_port_count}]
        incr ::fk_port_cursor
        if {![catch {socket -server fk_noop_accept -myaddr 127.0.0.1 $port} s]} {
            close $s
            return $port
        }
    }
    error "no free port in $::fk_port_base..[expr {$::fk_port_base + $::fk_port_count - 1}]"
}

# ---------------------------------------------------------------- config

proc fk_dict_get {d key {default {}}} {
    if {[dict exists $d $key]} {
        return [dict get $d $key]
    }
    return $default
}

proc fk_quote_path {p} {
    if {[regexp {[\s"'\\]} $p]} {
        return "\"[string map [list \\ \\\\ \" \\\"] $p]\""
    }
    return $p
}

proc fk_write_config {sid} {
    set conf [dict create]
    dict set conf port $::fk_srv($sid,port)
    dict set conf bind 127.0.0.1
    dict set conf dir [fk_quote_path $::fk_srv($sid,dir)]
    dict set conf save {""}
    dict set conf appendonly no
    dict set conf enable-debug-command yes
    foreach {k v} $::fk_srv($sid,overrides) {
        if {[string first "\n" $v] >= 0 || [string first "\n" $k] >= 0} {
            error "override $k: values cannot contain newlines"
        }
        if {$v eq {}} {
            set v {""}
        }
        dict set conf [string tolower $k] $v
    }
    set ::fk_srv($sid,config) $conf
    set fd [open $::fk_srv($sid,config_file) w]
    puts $fd "# written by the fastkey tcl-compat harness"
    dict for {k v} $conf {
        puts $fd "$k $v"
    }
    if {[string trim $::fk_srv($sid,config_lines)] ne {}} {
        foreach line [split $::fk_srv($sid,config_lines) "\n"] {
            set line [string trim $line]
            if {$line ne {}} {
                puts $fd $line
            }
        }
    }
    close $fd
}

# ---------------------------------------------------------------- start/stop

# Send PING on a fresh connection; 1 if the server answered (anything but a
# -LOADING error), 0 otherwise.
proc fk_ping {host port} {
    if {[catch {socket $host $port} fd]} {
        return 0
    }
    set ok 0
    catch {
        fconfigure $fd -translation binary -blocking 0 -buffering none
        puts -nonewline $fd "*1\r\n\$4\r\nPING\r\n"
        set deadline [expr {[clock milliseconds] + 1000}]
        while {[clock milliseconds] < $deadline} {
            if {[gets $fd line] >= 0} {
                set ok [expr {![string match -LOADING* $line]}]
                break
            }
            if {[eof $fd]} {
                break
            }
            after 10
        }
    }
    catch {close $fd}
    return $ok
}

# Start the server process of $sid (port, dir and config already chosen when
# keep_port is set).  Raises an error that includes the server's output if it
# dies or does not answer in time.
proc fk_start_process {sid {keep_port 0}} {
    set bin $::fk_srv($sid,bin)
    if {![file executable $bin]} {
        error "server binary '$bin' not found or not executable (use --server-bin or FASTKEY_BIN)" "" FKSTART
    }
    set attempts [expr {$keep_port ? 1 : 3}]
    for {set attempt 1} {$attempt <= $attempts} {incr attempt} {
        if {!$keep_port} {
            set ::fk_srv($sid,port) [fk_find_free_port]
            fk_write_config $sid
        }
        set cmd [list $bin $::fk_srv($sid,config_file) {*}$::fk_srv($sid,args)]
        fk_log "starting server: $cmd (port $::fk_srv($sid,port))"
        set olddir [pwd]
        cd $::fk_srv($sid,dir)
        set rc [catch {exec {*}$cmd >>$::fk_srv($sid,stdout) 2>>$::fk_srv($sid,stderr) &} pid]
        cd $olddir
        if {$rc} {
            error "could not execute server '$bin': $pid" "" FKSTART
        }
        fk_remember_pid $pid
        set ::fk_srv($sid,pid) $pid
        set ::fk_srv($sid,stopped) 0
        fk_emit srvstart $pid [fk_dict_get [array get ::fk_pid_start $pid] $pid]
        set deadline [expr {[clock milliseconds] + $::fk_start_timeout_ms}]
        set status timeout
        set foreign 0
        while {[clock milliseconds] < $deadline} {
            if {![fk_pid_alive $pid]} {
                set status dead
                break
            }
            if {[fk_ping $::fk_srv($sid,host) $::fk_srv($sid,port)]} {
                # Make sure it is our process that answered; if another
                # process holds the port, ours will soon exit (bind error).
                if {[fk_pid_listens $pid $::fk_srv($sid,port)]} {
                    set status ready
                    break
                }
                set foreign 1
            }
            after 20
        }
        if {$status eq "ready"} {
            return
        }
        if {$status eq "timeout"} {
            fk_kill_pid $pid 2000
            set why "no reply to PING on port $::fk_srv($sid,port) within [expr {$::fk_start_timeout_ms / 1000}] s"
            if {$foreign} {
                set why "a process answered PING on port $::fk_srv($sid,port), but it is not the server we started (pid $pid); the server binary must not fork (a wrapper script must exec the server)"
            }
            error "server failed to start: $why\ncommand: $cmd\n[fk_server_logs $sid]" "" FKSTART
        }
        fk_emit srvstop $pid
        set logs [fk_server_logs $sid]
        if {$attempt < $attempts && [string match -nocase "*address already in use*" $logs]} {
            fk_log "port $::fk_srv($sid,port) was taken, retrying with another port"
            continue
        }
        error "server failed to start (process exited)\ncommand: $cmd\n$logs" "" FKSTART
    }
}

proc fk_new_sid {} {
    return [incr ::fk_next_sid]
}

proc fk_sid_at {level} {
    if {![string is integer -strict $level] || $level > 0} {
        error "bad server level '$level': use 0 (current) or a negative number"
    }
    set idx [expr {[llength $::servers] - 1 + $level}]
    if {$idx < 0 || [llength $::servers] == 0} {
        error "no server at level $level (start_server not active)"
    }
    return [lindex $::servers $idx]
}

# Servers on the stack whose process died without being stopped on purpose.
proc fk_dead_servers {} {
    set dead {}
    foreach sid $::servers {
        if {$::fk_srv($sid,external) || $::fk_srv($sid,stopped)} {
            continue
        }
        if {![fk_pid_alive $::fk_srv($sid,pid)]} {
            lappend dead $sid
        }
    }
    return $dead
}

proc fk_describe_dead {sids} {
    set out {}
    foreach sid $sids {
        append out "server (pid $::fk_srv($sid,pid), port $::fk_srv($sid,port)) is no longer running\n"
        append out [fk_server_logs $sid] "\n"
    }
    return [string trimright $out]
}

proc fk_servers_log_tail {} {
    set out {}
    foreach sid $::servers {
        if {!$::fk_srv($sid,external)} {
            append out "\n[fk_server_logs $sid]"
        }
    }
    return $out
}

proc fk_abort_file {msg} {
    error $msg "" {FKABORT}
}

proc fk_close_clients {sid} {
    foreach c $::fk_srv($sid,clients) {
        if {[info commands $c] ne {}} {
            catch {$c close}
        }
    }
    set ::fk_srv($sid,clients) {}
    if {$::fk_srv($sid,client) ne {} && [info commands $::fk_srv($sid,client)] ne {}} {
        catch {$::fk_srv($sid,client) close}
    }
    set ::fk_srv($sid,client) {}
}

# Create the record of a server (not started yet).
proc fk_init_server {options} {
    set sid [fk_new_sid]
    set ::fk_srv($sid,external) $::external
    set ::fk_srv($sid,host) [expr {$::external ? $::fk_ext_host : "127.0.0.1"}]
    set ::fk_srv($sid,port) [expr {$::external ? $::fk_ext_port : 0}]
    set ::fk_srv($sid,pid) -1
    set ::fk_srv($sid,stopped) 0
    set ::fk_srv($sid,bin) $::fk_server_bin
    set ::fk_srv($sid,overrides) [fk_dict_get $options overrides]
    set ::fk_srv($sid,config_lines) [fk_dict_get $options config_lines]
    set ::fk_srv($sid,args) [fk_dict_get $options args]
    set ::fk_srv($sid,client) {}
    set ::fk_srv($sid,clients) {}
    set ::fk_srv($sid,config) {}
    set ::fk_srv($sid,dir) {}
    set ::fk_srv($sid,stdout) {}
    set ::fk_srv($sid,stderr) {}
    set ::fk_srv($sid,config_file) {}
    set ::fk_srv($sid,restore) {}
    if {[llength $::fk_srv($sid,overrides)] % 2} {
        error "start_server: overrides must be a list of directive/value pairs"
    }
    return $sid
}

proc fk_forget_server {sid} {
    array unset ::fk_srv $sid,*
}

# Local server: make the directory, write the config, start, wait.
proc fk_setup_local {sid} {
    set dir [file join $::fk_tmp_dir "server.[pid].$sid"]
    file delete -force $dir
    file mkdir $dir
    set ::fk_srv($sid,dir) [file normalize $dir]
    set ::fk_srv($sid,stdout) [file join $::fk_srv($sid,dir) stdout]
    set ::fk_srv($sid,stderr) [file join $::fk_srv($sid,dir) stderr]
    set ::fk_srv($sid,config_file) [file join $::fk_srv($sid,dir) fastkey.conf]
    if {[catch {fk_start_process $sid} err opts]} {
        if {!$::dont_clean} {
            catch {file delete -force $::fk_srv($sid,dir)}
        }
        return -options $opts $err
    }
}

# External server: apply overrides with CONFIG SET (undone at teardown).
# Returns {} on success or a reason to skip the block.
proc fk_setup_external {sid} {
    if {[string trim $::fk_srv($sid,config_lines)] ne {} || [llength $::fk_srv($sid,args)]} {
        return "config_lines/args need a server started by the harness"
    }
    if {![llength $::fk_srv($sid,overrides)]} {
        return {}
    }
    set c [::fkresp::connect $::fk_srv($sid,host) $::fk_srv($sid,port)]
    try {
        foreach {k v} $::fk_srv($sid,overrides) {
            if {[catch {$c config get $k} old] || [llength $old] != 2} {
                fk_restore_external $sid $c
                return "cannot read config '$k' of the external server"
            }
            if {[catch {$c config set $k $v} err]} {
                fk_restore_external $sid $c
                return "cannot CONFIG SET $k on the external server: $err"
            }
            lappend ::fk_srv($sid,restore) $k [lindex $old 1]
        }
    } finally {
        catch {$c close}
    }
    return {}
}

proc fk_restore_external {sid {c {}}} {
    if {![llength $::fk_srv($sid,restore)]} {
        return
    }
    set own 0
    if {$c eq {}} {
        if {[catch {::fkresp::connect $::fk_srv($sid,host) $::fk_srv($sid,port)} c]} {
            return
        }
        set own 1
    }
    set pairs $::fk_srv($sid,restore)
    for {set i [expr {[llength $pairs] - 2}]} {$i >= 0} {incr i -2} {
        catch {$c config set [lindex $pairs $i] [lindex $pairs $i+1]}
    }
    set ::fk_srv($sid,restore) {}
    if {$own} {
        catch {$c close}
    }
}

# ---------------------------------------------------------------- public API

# start_server {options} {body}
#   options: tags {..} overrides {directive value ..} config_lines {text}
#            args {extra command line arguments}
proc start_server {options code} {
    if {[llength $options] % 2} {
        error "start_server: options must be a dict (key value ...)"
    }
    foreach k [dict keys $options] {
        if {$k ni {tags overrides config_lines args}} {
            error "start_server: unknown option '$k' (known: tags overrides config_lines args)"
        }
    }
    set saved_tags $::tags
    lappend ::tags {*}[fk_dict_get $options tags]
    try {
        if {![tags_acceptable $::tags reason 0]} {
            fk_emit skip "server block with tags {$::tags}" $reason
            return
        }
        set sid [fk_init_server $options]
        if {$::external} {
            set reason [fk_setup_external $sid]
            if {$reason ne {}} {
                fk_forget_server $sid
                fk_emit skip "server block with tags {$::tags}" $reason
                return
            }
        } else {
            fk_setup_local $sid
        }
        lappend ::servers $sid
        set rc [catch {uplevel 1 $code} result opts]
        set death [fk_teardown $sid]
        if {$rc == 1} {
            if {$death ne {} && [dict get $opts -errorcode] ne "FKABORT"} {
                append result "\n$death"
            }
            return -code error -errorcode [dict get $opts -errorcode] \
                -errorinfo [dict get $opts -errorinfo] $result
        }
        if {$death ne {}} {
            fk_abort_file $death
        }
        return $result
    } finally {
        set ::tags $saved_tags
    }
}

# Pop and stop the server; returns a description if it had died on its own.
proc fk_teardown {sid} {
    set ::servers [lrange $::servers 0 end-1]
    fk_close_clients $sid
    set death {}
    if {$::fk_srv($sid,external)} {
        fk_restore_external $sid
    } else {
        if {!$::fk_srv($sid,stopped) && ![fk_pid_alive $::fk_srv($sid,pid)]} {
            set death [fk_describe_dead $sid]
        }
        fk_kill_pid $::fk_srv($sid,pid)
        if {!$::dont_clean} {
            catch {file delete -force $::fk_srv($sid,dir)}
        }
    }
    fk_forget_server $sid
    return $death
}

# srv ?level? property -- host port pid stdout stderr config_file dir client
# config (dict of the written directives) args bin external
proc srv {args} {
    switch [llength $args] {
        1 { set level 0; set prop [lindex $args 0] }
        2 { lassign $args level prop }
        default { error "wrong # args: should be \"srv ?level? property\"" }
    }
    set sid [fk_sid_at $level]
    if {$prop eq "client"} {
        set c $::fk_srv($sid,client)
        if {$c eq {} || [info commands $c] eq {}} {
            set c [::fkresp::connect $::fk_srv($sid,host) $::fk_srv($sid,port)]
            set ::fk_srv($sid,client) $c
        }
        return $c
    }
    if {![info exists ::fk_srv($sid,$prop)]} {
        error "srv: unknown property '$prop'"
    }
    return $::fk_srv($sid,$prop)
}

# r ?level? command ?arg ...? -- run a command with the server's default client.
proc r {args} {
    set level 0
    if {[string is integer -strict [lindex $args 0]]} {
        set level [lindex $args 0]
        set args [lrange $args 1 end]
    }
    [srv $level client] {*}$args
}

# A new client of the server at ?level?; closed automatically when the
# server's start_server block ends.
proc redis_client {{level 0}} {
    set sid [fk_sid_at $level]
    set c [::fkresp::connect $::fk_srv($sid,host) $::fk_srv($sid,port) 0]
    lappend ::fk_srv($sid,clients) $c
    return $c
}

proc redis_deferring_client {{level 0}} {
    set sid [fk_sid_at $level]
    set c [::fkresp::connect $::fk_srv($sid,host) $::fk_srv($sid,port) 1]
    lappend ::fk_srv($sid,clients) $c
    return $c
}

# Drop the default client of the server at ?level?; the next `r` reconnects.
proc reconnect {{level 0}} {
    set sid [fk_sid_at $level]
    if {$::fk_srv($sid,client) ne {} && [info commands $::fk_srv($sid,client)] ne {}} {
        catch {$::fk_srv($sid,client) close}
    }
    set ::fk_srv($sid,client) {}
}

proc server_is_alive {{level 0}} {
    set sid [fk_sid_at $level]
    if {$::fk_srv($sid,external)} {
        return [fk_ping $::fk_srv($sid,host) $::fk_srv($sid,port)]
    }
    return [fk_pid_alive $::fk_srv($sid,pid)]
}

# Stop the server at ?level? on purpose (it is not reported as crashed).
proc stop_server {{level 0}} {
    set sid [fk_sid_at $level]
    if {$::fk_srv($sid,external)} {
        error "stop_server is not possible with an external server"
    }
    reconnect $level
    set ::fk_srv($sid,stopped) 1
    fk_kill_pid $::fk_srv($sid,pid)
}

# Stop (if running) and start again the server at ?level?, on the same port
# with the same directory and config file.
proc restart_server {{level 0}} {
    set sid [fk_sid_at $level]
    if {$::fk_srv($sid,external)} {
        error "restart_server is not possible with an external server"
    }
    stop_server $level
    fk_start_process $sid 1
}
