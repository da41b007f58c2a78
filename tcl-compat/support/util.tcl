# util.tcl -- assertions and helpers for test bodies.
#
# Assertion failures raise a Tcl error with errorCode FKASSERT; `test`
# reports them as failures with the file and line of the assertion.

proc fk_assert_fail {msg {detail {}}} {
    if {$detail ne {}} {
        append msg " (detail: $detail)"
    }
    append msg "\n    at [fk_where]"
    error $msg "" FKASSERT
}

# fail message -- unconditional failure.
proc fail {msg} {
    fk_assert_fail $msg
}

proc assert_failed {msg {detail {}}} {
    fk_assert_fail $msg $detail
}

# assert {expression} ?detail?
proc assert {condition {detail {}}} {
    if {![uplevel 1 [list expr $condition]]} {
        set shown {}
        catch {set shown [uplevel 1 [list subst -nocommands -nobackslashes $condition]]}
        set msg "Expected '$condition' to be true"
        if {$shown ne {} && $shown ne $condition} {
            append msg " (evaluated: '$shown')"
        }
        fk_assert_fail $msg $detail
    }
}

proc assert_equal {value expected {detail {}}} {
    if {![string equal $value $expected]} {
        fk_assert_fail "Expected '$value' to be equal to '$expected'" $detail
    }
}

proc assert_not_equal {value expected {detail {}}} {
    if {[string equal $value $expected]} {
        fk_assert_fail "Expected '$value' to be not equal to '$expected'" $detail
    }
}

proc assert_match {pattern value {detail {}}} {
    if {![string match $pattern $value]} {
        fk_assert_fail "Expected '$value' to match '$pattern'" $detail
    }
}

proc assert_no_match {pattern value {detail {}}} {
    if {[string match $pattern $value]} {
        fk_assert_fail "Expected '$value' to not match '$pattern'" $detail
    }
}

# assert_error pattern {code} ?detail? -- code must raise an error whose
# message matches the glob pattern.
proc assert_error {pattern code {detail {}}} {
    if {[catch {uplevel 1 $code} err]} {
        if {![string match $pattern $err]} {
            fk_assert_fail "Expected an error matching '$pattern' but got '$err'" $detail
        }
        return
    }
    fk_assert_fail "Expected an error matching '$pattern' but the code returned '$err'" $detail
}

proc fk_assert_number {value what} {
    if {![string is double -strict $value]} {
        fk_assert_fail "Expected a number for $what but got '$value'"
    }
}

proc assert_range {value min max {detail {}}} {
    fk_assert_number $value value
    if {!($value >= $min && $value <= $max)} {
        fk_assert_fail "Expected '$value' to be between '$min' and '$max'" $detail
    }
}

proc assert_morethan {value min {detail {}}} {
    fk_assert_number $value value
    if {!($value > $min)} {
        fk_assert_fail "Expected '$value' to be more than '$min'" $detail
    }
}

proc assert_morethan_equal {value min {detail {}}} {
    fk_assert_number $value value
    if {!($value >= $min)} {
        fk_assert_fail "Expected '$value' to be more than or equal to '$min'" $detail
    }
}

proc assert_lessthan {value max {detail {}}} {
    fk_assert_number $value value
    if {!($value < $max)} {
        fk_assert_fail "Expected '$value' to be less than '$max'" $detail
    }
}

proc assert_lessthan_equal {value max {detail {}}} {
    fk_assert_number $value value
    if {!($value <= $max)} {
        fk_assert_fail "Expected '$value' to be less than or equal to '$max'" $detail
    }
}

# assert_encoding encoding key ?level? -- OBJECT ENCODING must match (glob).
proc assert_encoding {enc key {level 0}} {
    set actual [r $level object encoding $key]
    if {![string match $enc $actual]} {
        fk_assert_fail "Expected encoding of key '$key' to be '$enc' but it is '$actual'"
    }
}

# assert_type type key ?level? -- TYPE must be equal.
proc assert_type {type key {level 0}} {
    set actual [r $level type $key]
    if {$actual ne $type} {
        fk_assert_fail "Expected type of key '$key' to be '$type' but it is '$actual'"
    }
}

# wait_for_condition maxtries delay_ms {condition} else {body}
# Evaluates condition up to maxtries times, sleeping delay_ms in between; if
# it never holds, runs body (usually a `fail`).
proc wait_for_condition {maxtries delay condition elseword elsebody} {
    if {$elseword ne "else"} {
        error "wait_for_condition: expected 'else', got '$elseword'"
    }
    while {$maxtries > 0} {
        if {[uplevel 1 [list expr $condition]]} {
            return
        }
        incr maxtries -1
        if {$maxtries > 0} {
            after $delay
        }
    }
    uplevel 1 $elsebody
}

# ---------------------------------------------------------------- random data

proc randomInt {max} {
    expr {int(rand() * $max)}
}

# randstring min max ?type? -- type: alpha (letters and digits), binary (any
# byte 0-255), compr (few distinct characters, compresses well).
proc randstring {min max {type binary}} {
    set len [expr {$min + int(rand() * ($max - $min + 1))}]
    set out {}
    switch -exact -- $type {
        alpha {
            set chars abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789
            set n [string length $chars]
            for {set i 0} {$i < $len} {incr i} {
                append out [string index $chars [expr {int(rand() * $n)}]]
            }
        }
        binary {
            for {set i 0} {$i < $len} {incr i} {
                append out [format %c [expr {int(rand() * 256)}]]
            }
        }
        compr {
            for {set i 0} {$i < $len} {incr i} {
                append out [format %c [expr {97 + int(rand() * 4)}]]
            }
        }
        default {
            error "randstring: unknown type '$type' (alpha, binary or compr)"
        }
    }
    return $out
}

# ---------------------------------------------------------------- INFO

# getInfoProperty infostr property -- value of "property:value" in INFO text.
proc getInfoProperty {infostr property} {
    foreach line [split $infostr "\n"] {
        set line [string trimright $line "\r"]
        set idx [string first : $line]
        if {$idx > 0 && [string range $line 0 $idx-1] eq $property} {
            return [string range $line $idx+1 end]
        }
    }
    return {}
}

# s ?level? field -- an INFO field of the server at ?level?.
proc s {args} {
    set level 0
    if {[llength $args] == 2} {
        lassign $args level field
    } elseif {[llength $args] == 1} {
        set field [lindex $args 0]
    } else {
        error "wrong # args: should be \"s ?level? field\""
    }
    getInfoProperty [r $level info] $field
}

# ---------------------------------------------------------------- misc

proc debug_sleep {args} {
    set level 0
    if {[llength $args] == 2} {
        lassign $args level seconds
    } else {
        set seconds [lindex $args 0]
    }
    r $level debug sleep $seconds
}

proc process_is_alive {pid} {
    fk_pid_alive $pid
}

# wait_for_blocked_clients_count count ?maxtries? ?delay_ms? ?level?
proc wait_for_blocked_clients_count {count {maxtries 100} {delay 10} {level 0}} {
    wait_for_condition $maxtries $delay {[s $level blocked_clients] == $count} else {
        fail "Timeout waiting for $count blocked clients (have [s $level blocked_clients])"
    }
}

proc wait_for_blocked_client {{level 0}} {
    wait_for_blocked_clients_count 1 100 10 $level
}

# ---------------------------------------------------------------- server logs
# The server's log is what it writes to stdout and stderr (both files are
# searched, line by line, with glob patterns).

proc fk_log_lines {level} {
    set lines {}
    foreach prop {stdout stderr} {
        set path [srv $level $prop]
        if {$path eq {} || [catch {open $path r} fd]} {
            continue
        }
        fconfigure $fd -translation binary
        lappend lines {*}[split [read $fd] "\n"]
        close $fd
    }
    return $lines
}

proc fk_level_and_rest {argv minrest} {
    if {[llength $argv] > $minrest && [regexp {^(0|-[0-9]+)$} [lindex $argv 0]]} {
        return [list [lindex $argv 0] [lrange $argv 1 end]]
    }
    return [list 0 $argv]
}

# count_log_message ?level? pattern -- number of log lines matching pattern.
proc count_log_message {args} {
    lassign [fk_level_and_rest $args 1] level rest
    if {[llength $rest] != 1} {
        error "wrong # args: should be \"count_log_message ?level? pattern\""
    }
    set pattern [lindex $rest 0]
    set n 0
    foreach line [fk_log_lines $level] {
        if {[string match $pattern [string trimright $line "\r"]]} {
            incr n
        }
    }
    return $n
}

# wait_for_log ?level? pattern ?maxtries? ?delay_ms? -- wait until a log line
# matches pattern (default 100 tries every 100 ms); fails otherwise.
proc wait_for_log {args} {
    lassign [fk_level_and_rest $args 1] level rest
    if {[llength $rest] < 1 || [llength $rest] > 3} {
        error "wrong # args: should be \"wait_for_log ?level? pattern ?maxtries? ?delay_ms?\""
    }
    lassign $rest pattern maxtries delay
    if {$maxtries eq {}} {
        set maxtries 100
    }
    if {$delay eq {}} {
        set delay 100
    }
    for {set i 0} {$i < $maxtries} {incr i} {
        if {[count_log_message $level $pattern] > 0} {
            return
        }
        after $delay
    }
    fk_assert_fail "No server log line matched '$pattern' after [expr {$maxtries * $delay}] ms"
}
