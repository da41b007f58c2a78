# raw.tcl -- helpers shared by the suites: an error's text, raw protocol
# connections (exact bytes in and out), and CLIENT LIST lookups.

# The error message of code, failing the test if it succeeds.
proc err_of {code} {
    if {[catch {uplevel 1 $code} e]} {
        return $e
    }
    fail "expected an error, got '$e'"
}

# ---------------------------------------------------------------- raw sockets

set ::raw_fds {}
# How long raw_read_bytes waits for the bytes it expects.
set ::raw_read_timeout_ms 3000

# A non-blocking binary connection to the server of the current block;
# raw_close_all closes every one opened.
proc raw_open {} {
    set fd [socket [srv 0 host] [srv 0 port]]
    fconfigure $fd -translation binary -buffering none -blocking 0
    lappend ::raw_fds $fd
    return $fd
}

proc raw_close_all {} {
    foreach fd $::raw_fds {
        catch {close $fd}
    }
    set ::raw_fds {}
}

# A command as a RESP multibulk.
proc mbulk {args} {
    set out "*[llength $args]\r\n"
    foreach a $args {
        append out "\$[string length $a]\r\n$a\r\n"
    }
    return $out
}

proc bulk {s} {
    return "\$[string length $s]\r\n$s\r\n"
}

proc raw_write {fd data} {
    puts -nonewline $fd $data
    flush $fd
}

proc raw_send {fd args} {
    raw_write $fd [mbulk {*}$args]
}

# Read until n bytes arrived, EOF or the ::raw_read_timeout_ms deadline.
proc raw_read_bytes {fd n} {
    set buf {}
    set deadline [expr {[clock milliseconds] + $::raw_read_timeout_ms}]
    while {[string length $buf] < $n} {
        append buf [read $fd [expr {$n - [string length $buf]}]]
        if {[string length $buf] >= $n || [eof $fd] || [clock milliseconds] > $deadline} {
            break
        }
        after 2
    }
    return $buf
}

# Read until the buffer matches the glob pattern (or 5 s passed, or EOF).
proc raw_read_until {fd pattern} {
    set buf {}
    set deadline [expr {[clock milliseconds] + 5000}]
    while {![string match $pattern $buf] && [clock milliseconds] < $deadline && ![eof $fd]} {
        append buf [read $fd]
        after 2
    }
    return $buf
}

# Visible CR/LF, for readable byte comparisons.
proc vis {s} {
    string map [list "\r" {\r} "\n" {\n}] $s
}

# Expect exactly these bytes next on fd.
proc raw_expect {fd expected} {
    set got [raw_read_bytes $fd [string length $expected]]
    assert_equal [vis $got] [vis $expected]
}

# A RESP3 raw connection (the HELLO reply is skipped: it ends with the
# empty modules array).
proc raw_open3 {} {
    set fd [raw_open]
    raw_send $fd HELLO 3
    raw_read_until $fd "*modules\r\n\\*0\r\n"
    return $fd
}

# ---------------------------------------------------------------- clients

# The CLIENT LIST line of the client with this name; fails when none
# (introspection.tcl has a variant that answers {}).
proc client_line {name} {
    foreach line [split [string trim [r client list]] "\n"] {
        if {[string match "* name=$name *" $line]} {
            return $line
        }
    }
    fail "no client named $name in CLIENT LIST"
}

# One field of a CLIENT LIST line.
proc client_field {line field} {
    foreach kv [split $line " "] {
        if {[string match "$field=*" $kv]} {
            return [string range $kv [expr {[string length $field] + 1}] end]
        }
    }
    fail "no field $field in '$line'"
}

# Frames that arrived on deferring client rd before a PING sent now.
proc pending_frames {rd} {
    $rd ping fk-sync
    set frames {}
    while 1 {
        set f [$rd read]
        if {$f eq "fk-sync" || $f eq {pong fk-sync}} {
            return $frames
        }
        lappend frames $f
    }
}
