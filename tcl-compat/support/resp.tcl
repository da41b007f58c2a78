# resp.tcl -- a small pure-Tcl RESP2/RESP3 client for the Fastkey test harness.
#
# A client is a command (a proc) created by ::fkresp::connect.  Any subcommand
# that is not one of the local methods below is sent to the server as a
# command; the reply is read and returned (unless the client is deferring, in
# which case the command is only sent and the reply must be fetched with
# `$c read`).
#
# Local methods:
#   $c read            read one reply (or one raw line in readraw mode)
#   $c readraw 0|1     switch raw mode: each read returns one protocol line
#   $c write DATA      queue raw bytes (not flushed)
#   $c flush           flush queued bytes
#   $c close           close the connection and delete the command
#   $c attributes      attributes (flat key/value list) seen before the last reply
#   $c channel         the underlying Tcl channel
#   $c deferred        1 if this is a deferring client
#
# A read waits at most ::fkresp::read_timeout seconds (default 60) for data.
#
# Reply mapping:
#   simple string, bulk string, double, big number -> string
#   integer -> number, boolean -> 1/0, null / nil bulk / nil array -> {}
#   array, set, push -> list, map -> flat list {k v k v ...}
#   verbatim string -> its text without the "xxx:" format prefix
#   error / blob error -> Tcl error whose message is the error text without
#   the leading "-" and whose errorCode is {RESP ERR <text>}.  An error nested
#   inside an aggregate is raised after the whole aggregate has been read, so
#   the connection stays in sync.
#   attribute frames are stored (see `attributes`) and skipped.
#   push frames: a non-deferring client that reads the reply to an ordinary
#   command queues push frames that arrive first and returns the real reply;
#   queued frames are then returned by `$c read`.  A deferring client's read
#   returns the next frame whatever it is.

namespace eval ::fkresp {
    variable next_id 0
    variable state
    array set state {}
    # Seconds to wait for a reply before raising an error (errorCode
    # {RESP TIMEOUT}); a server that never answers fails the test instead of
    # hanging the file until the file timeout of run.tcl.
    variable read_timeout 60
    variable wake
    array set wake {}
    # Commands whose reply is itself a push frame in RESP3.
    variable push_commands {subscribe unsubscribe psubscribe punsubscribe
        ssubscribe sunsubscribe}
}

# Open a connection; returns the name of the client command.
proc ::fkresp::connect {host port {deferred 0}} {
    variable next_id
    variable state
    set fd [socket $host $port]
    fconfigure $fd -translation binary -buffering full -blocking 1
    set id [incr next_id]
    set state($id,fd) $fd
    set state($id,host) $host
    set state($id,port) $port
    set state($id,deferred) $deferred
    set state($id,readraw) 0
    set state($id,attributes) {}
    set state($id,pushes) {}
    set name ::fkresp::client$id
    proc $name {args} "::fkresp::dispatch $id \{*\}\$args"
    return $name
}

proc ::fkresp::dispatch {id args} {
    variable state
    variable push_commands
    if {![info exists state($id,fd)]} {
        error "client $id is closed"
    }
    if {[llength $args] == 0} {
        error "wrong # args: should be \"client method ?arg ...?\""
    }
    set fd $state($id,fd)
    set method [lindex $args 0]
    switch -exact -- $method {
        read {
            return [read_any $id 1]
        }
        readraw {
            set state($id,readraw) [expr {[lindex $args 1] ? 1 : 0}]
            return
        }
        write {
            puts -nonewline $fd [to_bytes [lindex $args 1]]
            return
        }
        flush {
            flush $fd
            return
        }
        close {
            close_client $id
            return
        }
        attributes {
            return $state($id,attributes)
        }
        channel {
            return $fd
        }
        deferred {
            return $state($id,deferred)
        }
    }
    # A real command: encode as a multibulk request.
    puts -nonewline $fd [encode_command $args]
    flush $fd
    if {$state($id,deferred)} {
        return
    }
    if {$state($id,readraw)} {
        return [read_line $id]
    }
    set allow_push [expr {[lsearch -exact $push_commands [string tolower $method]] >= 0}]
    return [read_any $id 0 $allow_push]
}

proc ::fkresp::close_client {id} {
    variable state
    catch {close $state($id,fd)}
    array unset state $id,*
    catch {rename ::fkresp::client$id {}}
}

# Strings are byte strings: characters up to U+00FF are sent as one byte each
# (binary safe).  A string holding any character above U+00FF is sent as UTF-8.
proc ::fkresp::to_bytes {s} {
    if {[regexp {[^\x00-\xff]} $s]} {
        return [encoding convertto utf-8 $s]
    }
    return $s
}

proc ::fkresp::encode_command {argv} {
    set out "*[llength $argv]\r\n"
    foreach a $argv {
        set a [to_bytes $a]
        append out "\$[string length $a]\r\n" $a "\r\n"
    }
    return $out
}

# Wait until the connection has something to read, up to read_timeout.
proc ::fkresp::wait_readable {id} {
    variable state
    variable wake
    variable read_timeout
    set fd $state($id,fd)
    if {[chan pending input $fd] > 0 || [eof $fd]} {
        return
    }
    set wake($id) {}
    fileevent $fd readable [list set ::fkresp::wake($id) ready]
    set timer [after [expr {int($read_timeout * 1000)}] [list set ::fkresp::wake($id) timeout]]
    vwait ::fkresp::wake($id)
    after cancel $timer
    fileevent $fd readable {}
    set result $wake($id)
    unset wake($id)
    if {$result eq "timeout"} {
        error "timeout: no reply from $state($id,host):$state($id,port) within $read_timeout s" "" {RESP TIMEOUT}
    }
}

# Read one line without its CRLF.
proc ::fkresp::read_line {id} {
    variable state
    set fd $state($id,fd)
    wait_readable $id
    if {[gets $fd line] < 0} {
        if {[eof $fd]} {
            error "connection closed by server ($state($id,host):$state($id,port))" "" {RESP EOF}
        }
        error "I/O error reading from $state($id,host):$state($id,port)" "" {RESP IO}
    }
    if {[string index $line end] eq "\r"} {
        set line [string range $line 0 end-1]
    }
    return $line
}

proc ::fkresp::read_exact {id n} {
    variable state
    set fd $state($id,fd)
    wait_readable $id
    set data [read $fd $n]
    if {[string length $data] != $n} {
        error "connection closed by server while reading $n bytes ($state($id,host):$state($id,port))" "" {RESP EOF}
    }
    return $data
}

proc ::fkresp::read_blob {id len} {
    if {$len < 0} {
        return {}
    }
    set data [read_exact $id [expr {$len + 2}]]
    return [string range $data 0 end-2]
}

# Read a reply for the user.
#   explicit_read: this is `$c read` (queued pushes first, and pushes allowed)
#   allow_push:    a push frame is an acceptable answer
proc ::fkresp::read_any {id explicit_read {allow_push 0}} {
    variable state
    if {$state($id,readraw)} {
        return [read_line $id]
    }
    if {$explicit_read} {
        if {[llength $state($id,pushes)]} {
            set p [lindex $state($id,pushes) 0]
            set state($id,pushes) [lrange $state($id,pushes) 1 end]
            return $p
        }
        set allow_push 1
    }
    if {$state($id,deferred)} {
        set allow_push 1
    }
    set state($id,attributes) {}
    while 1 {
        set kind [read_value $id value]
        if {$kind eq "push" && !$allow_push} {
            lappend state($id,pushes) $value
            continue
        }
        return $value
    }
}

# Reads one top-level value into the caller's variable; returns "push" for
# push frames and "value" otherwise.  Attribute frames are consumed here.
# Error replies are raised (after fully consuming the reply).
proc ::fkresp::read_value {id varname} {
    upvar 1 $varname value
    variable state
    while 1 {
        set line [read_line $id]
        if {[string index $line 0] eq "|"} {
            set state($id,attributes) [read_aggregate $id [string range $line 1 end] 2]
            continue
        }
        break
    }
    set value [parse $id $line]
    if {[string index $line 0] eq ">"} {
        return push
    }
    return value
}

# Parse a value whose header line has already been read.
proc ::fkresp::parse {id line} {
    set type [string index $line 0]
    set rest [string range $line 1 end]
    switch -exact -- $type {
        + { return $rest }
        - { error $rest "" [list RESP ERR $rest] }
        : { return $rest }
        $ { return [read_blob $id $rest] }
        * { return [read_aggregate $id $rest 1] }
        _ { return {} }
        , { return $rest }
        # { return [expr {$rest eq "t" ? 1 : 0}] }
        ( { return $rest }
        = {
            set text [read_blob $id $rest]
            # Strip the three-character format and the colon ("txt:").
            if {[string index $text 3] eq ":"} {
                set text [string range $text 4 end]
            }
            return $text
        }
        ! {
            set msg [read_blob $id $rest]
            error $msg "" [list RESP ERR $msg]
        }
        % { return [read_aggregate $id $rest 2] }
        ~ { return [read_aggregate $id $rest 1] }
        > { return [read_aggregate $id $rest 1] }
        | {
            # Attribute in a nested position: skip it and parse what follows.
            variable state
            set state($id,attributes) [read_aggregate $id $rest 2]
            return [parse $id [read_line $id]]
        }
        default {
            error "protocol error: unexpected reply line '$line'" "" {RESP PROTO}
        }
    }
}

# Read count*per elements (per = 2 for maps).  count -1 means nil.
proc ::fkresp::read_aggregate {id count per} {
    if {![string is integer -strict $count]} {
        error "protocol error: bad aggregate length '$count'" "" {RESP PROTO}
    }
    if {$count < 0} {
        return {}
    }
    set result {}
    set first_error {}
    set have_error 0
    for {set i 0} {$i < $count * $per} {incr i} {
        set line [read_line $id]
        if {[catch {parse $id $line} v opts]} {
            set code [dict get $opts -errorcode]
            if {[lindex $code 0] eq "RESP" && [lindex $code 1] eq "ERR"} {
                if {!$have_error} {
                    set have_error 1
                    set first_error $v
                }
                lappend result $v
                continue
            }
            return -options $opts $v
        }
        lappend result $v
    }
    if {$have_error} {
        error $first_error "" [list RESP ERR $first_error]
    }
    return $result
}
