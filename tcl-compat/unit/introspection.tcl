# Introspection: SLOWLOG (entries, limits, truncation, redaction), MONITOR
# (line format, quoting, databases, what is not shown), LATENCY (LATEST,
# HISTORY, RESET, GRAPH, DOCTOR, HISTOGRAM), CLIENT PAUSE / UNPAUSE, and
# client output buffer limits for pub/sub and normal clients.

# The local port of a client's connection (what the server shows as its
# peer address).
proc local_port {c} {
    lindex [fconfigure [$c channel] -sockname] 2
}

# The CLIENT LIST line of the client with this name ({} if none, unlike
# the shared one in support/raw.tcl, which fails).
proc client_line {name} {
    foreach line [split [string trim [r client list]] "\n"] {
        if {[string match "* name=$name *" $line]} {
            return $line
        }
    }
    return {}
}

# The argument lists of SLOWLOG GET -1 entries, newest first.
proc slowlog_args {} {
    set out {}
    foreach e [r slowlog get -1] {
        lappend out [lindex $e 3]
    }
    return $out
}

# Log everything, start from an empty slow log.
proc slowlog_fresh {} {
    r config set slowlog-log-slower-than 0
    r config set slowlog-max-len 128
    r slowlog reset
}

# Lines a MONITOR client receives until (and without) the line of
# `ECHO marker` sent now by the default client.
proc monitor_lines {mon marker} {
    r echo $marker
    set lines {}
    while 1 {
        set l [$mon read]
        if {[string match "*\"echo\" \"$marker\"" $l]} {
            return $lines
        }
        lappend lines $l
    }
}

# Strip "<secs>.<usecs> " from a MONITOR line after checking its format.
proc monitor_body {line} {
    if {![regexp {^([0-9]+)\.([0-9]{6}) (\[.*)$} $line -> secs usecs body]} {
        fail "bad MONITOR line '$line'"
    }
    assert_range $secs [expr {[clock seconds] - 60}] [expr {[clock seconds] + 60}]
    return $body
}

# Raw connections (support/raw.tcl) wait up to 5 s for expected bytes.
set ::raw_read_timeout_ms 5000

start_server {tags {"introspection"}} {

    # ------------------------------------------------------------ SLOWLOG

    test {SLOWLOG GET entry: id, timestamp, duration, arguments, peer, name} {
        slowlog_fresh
        r client setname slowname
        r set foo bar
        set e [lindex [r slowlog get 1] 0]
        assert_equal 6 [llength $e]
        lassign $e id ts dur argv peer name
        assert {[string is integer -strict $id] && $id >= 0}
        assert_range $ts [expr {[clock seconds] - 60}] [expr {[clock seconds] + 60}]
        assert {[string is integer -strict $dur] && $dur >= 0}
        assert_equal {set foo bar} $argv
        assert_equal "127.0.0.1:[local_port r]" $peer
        assert_equal slowname $name
        # The name is the one at the time of the command.
        r client setname othername
        set e [lindex [r slowlog get 3] 2]
        assert_equal {set foo bar} [lindex $e 3]
        assert_equal slowname [lindex $e 5]
        r client setname {}
        r slowlog reset
        r ping
        # No name: an empty string.
        assert_equal {} [lindex [r slowlog get 1] 0 5]
    }

    test {SLOWLOG GET: newest first, consecutive ids, count} {
        slowlog_fresh
        r set s1 1
        r set s2 2
        r set s3 3
        set all [r slowlog get -1]
        # SLOWLOG RESET itself is the oldest entry.
        assert_equal {{set s3 3} {set s2 2} {set s1 1} {slowlog reset}} [lmap e $all {lindex $e 3}]
        set ids [lmap e $all {lindex $e 0}]
        for {set i 1} {$i < [llength $ids]} {incr i} {
            assert_equal [expr {[lindex $ids [expr {$i - 1}]] - 1}] [lindex $ids $i]
        }
        # The previous SLOWLOG GET is now the newest entry.
        set two [r slowlog get 2]
        assert_equal 2 [llength $two]
        assert_equal {slowlog get -1} [lindex $two 0 3]
        assert_equal {set s3 3} [lindex $two 1 3]
        assert_equal {} [r slowlog get 0]
        # More than available: everything (reset, 3 sets, 3 gets).
        assert_equal 7 [llength [r slowlog get 1000]]
    }

    test {SLOWLOG GET without a count returns 10 entries} {
        slowlog_fresh
        for {set i 0} {$i < 20} {incr i} {
            r set k$i v
        }
        set got [r slowlog get]
        assert_equal 10 [llength $got]
        assert_equal {set k19 v} [lindex $got 0 3]
        assert_equal {set k10 v} [lindex $got 9 3]
    }

    test {SLOWLOG GET count errors} {
        assert_equal {ERR count should be greater than or equal to -1} [err_of {r slowlog get -2}]
        assert_equal {ERR count should be greater than or equal to -1} [err_of {r slowlog get abc}]
        # The subcommand is quoted as it was sent.
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.} [err_of {r slowlog get 1 2}]
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'GeT'. Try SLOWLOG HELP.} [err_of {r slowlog GeT 1 2}]
    }

    test {SLOWLOG LEN and RESET} {
        slowlog_fresh
        # The RESET was logged after it ran.
        assert_equal 1 [r slowlog len]
        r set a 1
        r set b 2
        # reset, len, set, set
        assert_equal 4 [r slowlog len]
        r config set slowlog-log-slower-than -1
        set n [r slowlog len]
        r set c 3
        assert_equal $n [r slowlog len]
        assert_equal OK [r slowlog reset]
        assert_equal 0 [r slowlog len]
        assert_equal {} [r slowlog get]
    }

    test {SLOWLOG HELP and errors} {
        set help [r slowlog help]
        assert_match {SLOWLOG <subcommand> *} [lindex $help 0]
        foreach sub {GET LEN RESET HELP} {
            assert {[lsearch -glob $help "$sub*"] >= 0} "$sub in SLOWLOG HELP"
        }
        assert_equal {ERR unknown subcommand 'foo'. Try SLOWLOG HELP.} [err_of {r slowlog foo}]
        assert_equal {ERR wrong number of arguments for 'slowlog' command} [err_of {r slowlog}]
        assert_equal {ERR wrong number of arguments for 'slowlog|len' command} [err_of {r slowlog len x}]
        assert_equal {ERR wrong number of arguments for 'slowlog|reset' command} [err_of {r slowlog reset x}]
    }

    test {SLOWLOG entry bytes in RESP2 and RESP3} {
        slowlog_fresh
        set fd [raw_open]
        raw_send $fd CLIENT SETNAME rawslow
        raw_expect $fd "+OK\r\n"
        raw_send $fd SET rawkey rawval
        raw_expect $fd "+OK\r\n"
        set port [lindex [fconfigure $fd -sockname] 2]
        set peer "127.0.0.1:$port"
        raw_send $fd SLOWLOG GET 1
        set got [raw_read_until $fd "*rawslow\r\n"]
        set re "^\\*1\r\n\\*6\r\n:\[0-9\]+\r\n:\[0-9\]+\r\n:\[0-9\]+\r\n\\*3\r\n\\\$3\r\nSET\r\n\\\$6\r\nrawkey\r\n\\\$6\r\nrawval\r\n\\\$[string length $peer]\r\n$peer\r\n\\\$7\r\nrawslow\r\n\$"
        assert {[regexp $re $got]} "RESP2 entry [vis $got]"
        # RESP3: the same arrays.
        raw_send $fd HELLO 3
        raw_read_until $fd "*modules\r\n\\*0\r\n"
        raw_send $fd SLOWLOG GET 1
        set got [raw_read_until $fd "*rawslow\r\n"]
        set re "^\\*1\r\n\\*6\r\n:\[0-9\]+\r\n:\[0-9\]+\r\n:\[0-9\]+\r\n\\*2\r\n\\\$5\r\nHELLO\r\n\\\$1\r\n3\r\n\\\$[string length $peer]\r\n$peer\r\n\\\$7\r\nrawslow\r\n\$"
        assert {[regexp $re $got]} "RESP3 entry [vis $got]"
        # reset, setname, set, get, hello, get
        raw_send $fd SLOWLOG LEN
        raw_expect $fd ":6\r\n"
        raw_close_all
    }

    test {slowlog-log-slower-than: negative disables, large logs only slow commands} {
        r config set slowlog-log-slower-than -1
        r slowlog reset
        r set x y
        debug_sleep 0.01
        assert_equal 0 [r slowlog len]
        # 100 ms
        r config set slowlog-log-slower-than 100000
        r slowlog reset
        r set x y
        r get x
        assert_equal 0 [r slowlog len]
        debug_sleep 0.2
        assert_equal 1 [r slowlog len]
        set e [lindex [r slowlog get] 0]
        assert_equal {debug sleep 0.2} [lindex $e 3]
        assert_morethan_equal [lindex $e 2] 190000
        assert_equal {ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument must be between -1 and 9223372036854775807 inclusive} \
            [err_of {r config set slowlog-log-slower-than -2}]
        assert_equal 100000 [lindex [r config get slowlog-log-slower-than] 1]
    } {} {needs:debug}

    test {slowlog-max-len trims the oldest entries} {
        slowlog_fresh
        r config set slowlog-max-len 5
        for {set i 0} {$i < 20} {incr i} {
            r set t$i v
        }
        assert_equal 5 [r slowlog len]
        # The LEN above is the newest entry now.
        assert_equal {{slowlog len} {set t19 v} {set t18 v} {set t17 v} {set t16 v}} [slowlog_args]
        # A smaller limit applies from the next entry on.
        r config set slowlog-max-len 2
        assert_equal 2 [r slowlog len]
        r config set slowlog-max-len 0
        r set u v
        assert_equal 0 [r slowlog len]
        r config set slowlog-max-len 128
    }

    test {SLOWLOG keeps at most 32 arguments} {
        slowlog_fresh
        # 32 arguments in all: kept as they are.
        set keys {}
        for {set i 0} {$i < 31} {incr i} {
            lappend keys key$i
        }
        r exists {*}$keys
        set argv [lindex [r slowlog get 1] 0 3]
        assert_equal 32 [llength $argv]
        assert_equal [list exists {*}$keys] $argv
        # 33 arguments: 31 of them and a note.
        r exists {*}$keys key31
        set argv [lindex [r slowlog get 1] 0 3]
        assert_equal 32 [llength $argv]
        assert_equal [list exists {*}[lrange $keys 0 29]] [lrange $argv 0 30]
        assert_equal {... (2 more arguments)} [lindex $argv 31]
        # 101 arguments.
        set many {}
        for {set i 0} {$i < 50} {incr i} {
            lappend many mk$i mv$i
        }
        r mset {*}$many
        set argv [lindex [r slowlog get 1] 0 3]
        assert_equal 32 [llength $argv]
        assert_equal {mset mk0 mv0 mk1} [lrange $argv 0 3]
        assert_equal {... (70 more arguments)} [lindex $argv 31]
    }

    test {SLOWLOG keeps at most 128 bytes of an argument} {
        slowlog_fresh
        r set big [string repeat a 128]
        assert_equal [list set big [string repeat a 128]] [lindex [r slowlog get 1] 0 3]
        r set big [string repeat b 129]
        assert_equal [list set big "[string repeat b 128]... (1 more bytes)"] [lindex [r slowlog get 1] 0 3]
        r set [string repeat k 200] [string repeat c 1000]
        assert_equal [list set "[string repeat k 128]... (72 more bytes)" "[string repeat c 128]... (872 more bytes)"] \
            [lindex [r slowlog get 1] 0 3]
        r del [string repeat k 200]
    }

    test {SLOWLOG redacts AUTH arguments} {
        slowlog_fresh
        catch {r auth secretpass}
        catch {r auth someuser secretpass}
        set c [redis_client]
        catch {$c hello 2 auth default secretpass}
        $c close
        set args [slowlog_args]
        assert_equal {auth (redacted)} [lindex $args 2]
        assert_equal {auth (redacted) (redacted)} [lindex $args 1]
        assert_equal {hello 2 auth (redacted) (redacted)} [lindex $args 0]
        assert_no_match *secretpass* $args
    }

    test {SLOWLOG logs the commands of a transaction, not EXEC} {
        slowlog_fresh
        r multi
        r set tx 1
        r incr tx
        assert_equal {OK 2} [r exec]
        assert_equal {{incr tx} {set tx 1} multi {slowlog reset}} [slowlog_args]
        slowlog_fresh
        r multi
        r set tx 1
        r discard
        assert_equal {discard multi {slowlog reset}} [slowlog_args]
        r config set slowlog-log-slower-than 10000
    }

    # ------------------------------------------------------------ MONITOR

    test {MONITOR line format} {
        set mon [redis_deferring_client]
        $mon monitor
        assert_equal OK [$mon read]
        r set foo bar
        r get foo
        set lines [monitor_lines $mon m1]
        assert_equal 2 [llength $lines]
        set peer "127.0.0.1:[local_port r]"
        assert_equal "\[0 $peer\] \"set\" \"foo\" \"bar\"" [monitor_body [lindex $lines 0]]
        assert_equal "\[0 $peer\] \"get\" \"foo\"" [monitor_body [lindex $lines 1]]
        $mon close
    }

    test {MONITOR line bytes} {
        set fd [raw_open]
        raw_send $fd MONITOR
        raw_expect $fd "+OK\r\n"
        r set k v
        set got [raw_read_until $fd "*\r\n"]
        set peer "127.0.0.1:[local_port r]"
        assert {[regexp "^\\+\[0-9\]+\\.\[0-9\]{6} \\\[0 $peer\\\] \"set\" \"k\" \"v\"\r\n\$" $got]} [vis $got]
        raw_close_all
    }

    test {MONITOR quotes special characters} {
        set mon [redis_deferring_client]
        $mon monitor
        $mon read
        r set q "a\nb\"c\\d\x01\xff e\t\r"
        r set empty ""
        set lines [monitor_lines $mon m2]
        assert_equal "\"set\" \"q\" \"a\\nb\\\"c\\\\d\\x01\\xff e\\t\\r\"" \
            [string range [lindex $lines 0] [string first "\"set\"" [lindex $lines 0]] end]
        assert_match {*"set" "empty" ""} [lindex $lines 1]
        $mon close
    }

    test {MONITOR shows the database of each command} {
        set mon [redis_deferring_client]
        $mon monitor
        $mon read
        set c [redis_client]
        set peer "127.0.0.1:[local_port $c]"
        $c set a 1
        $c select 3
        $c get a
        $c select 0
        $c get a
        $c close
        set lines [lmap l [monitor_lines $mon m3] {monitor_body $l}]
        # SELECT's own line already shows the new database.
        assert_equal [list \
            "\[0 $peer\] \"set\" \"a\" \"1\"" \
            "\[3 $peer\] \"select\" \"3\"" \
            "\[3 $peer\] \"get\" \"a\"" \
            "\[0 $peer\] \"select\" \"0\"" \
            "\[0 $peer\] \"get\" \"a\""] $lines
        $mon close
    }

    test {MONITOR does not show admin commands} {
        set mon [redis_deferring_client]
        $mon monitor
        $mon read
        r config get maxmemory
        r slowlog len
        r debug sleep 0
        r client list
        r set visible 1
        r client id
        set lines [monitor_lines $mon m4]
        assert_equal 2 [llength $lines] "lines: $lines"
        assert_match {*"set" "visible" "1"} [lindex $lines 0]
        assert_match {*"client" "id"} [lindex $lines 1]
        $mon close
    } {} {needs:debug}

    test {MONITOR does not show rejected commands} {
        set mon [redis_deferring_client]
        $mon monitor
        $mon read
        catch {r nosuchcommand x}
        catch {r get}
        catch {r incr}
        r ping
        set lines [monitor_lines $mon m5]
        assert_equal 1 [llength $lines] "lines: $lines"
        assert_match {*"ping"} [lindex $lines 0]
        $mon close
    }

    test {MONITOR redacts AUTH arguments} {
        set mon [redis_deferring_client]
        $mon monitor
        $mon read
        catch {r auth secretpass}
        catch {r auth someuser secretpass}
        set c [redis_client]
        catch {$c hello 2 auth default secretpass}
        $c close
        set lines [monitor_lines $mon m6]
        assert_equal 3 [llength $lines] "lines: $lines"
        assert_match {*"auth" "(redacted)"} [lindex $lines 0]
        assert_match {*"auth" "(redacted)" "(redacted)"} [lindex $lines 1]
        assert_match {*"hello" "2" "auth" "(redacted)" "(redacted)"} [lindex $lines 2]
        assert_no_match *secretpass* $lines
        $mon close
    }

    test {MONITOR shows the commands of a transaction when EXEC runs them} {
        set mon [redis_deferring_client]
        $mon monitor
        $mon read
        r multi
        r set m 1
        r incr m
        r exec
        set lines [monitor_lines $mon m7]
        set cmds [lmap l $lines {string range $l [string first "\] " $l]+2 end}]
        assert_equal {{"multi"} {"set" "m" "1"} {"incr" "m"} {"exec"}} $cmds
        $mon close
    }

    test {Every MONITOR client gets the lines} {
        set mon1 [redis_deferring_client]
        set mon2 [redis_deferring_client]
        $mon1 monitor
        $mon1 read
        $mon2 monitor
        $mon2 read
        r set both 1
        assert_match {*"set" "both" "1"} [lindex [monitor_lines $mon1 m8] 0]
        # mon2 also saw the ECHO of mon1's marker.
        set l2 [monitor_lines $mon2 m8]
        assert_match {*"set" "both" "1"} [lindex $l2 0]
        $mon1 close
        $mon2 close
    }

    test {A MONITOR client cannot touch the keyspace and sees its own commands} {
        set mon [redis_deferring_client]
        $mon monitor
        assert_equal OK [$mon read]
        $mon set monkey v
        assert_equal {ERR Replica can't interact with the keyspace} [err_of {$mon read}]
        $mon get monkey
        assert_equal {ERR Replica can't interact with the keyspace} [err_of {$mon read}]
        # Other commands run, and are fed back to the monitor after their
        # reply.
        $mon ping
        assert_equal PONG [$mon read]
        assert_match {*"ping"} [monitor_body [$mon read]]
        $mon echo hi
        assert_equal hi [$mon read]
        assert_match {*"echo" "hi"} [monitor_body [$mon read]]
        # RESET leaves the monitor mode.
        $mon reset
        assert_equal RESET [$mon read]
        $mon get monkey
        assert_equal {} [$mon read]
        assert_equal 0 [r exists monkey]
        $mon close
    }

    test {CLIENT LIST shows a MONITOR client with flag O} {
        set mon [redis_deferring_client]
        $mon client setname monclient
        assert_equal OK [$mon read]
        assert_equal N [client_field [client_line monclient] flags]
        $mon monitor
        $mon read
        set line [client_line monclient]
        assert_equal O [client_field $line flags]
        assert_equal monitor [client_field $line cmd]
        $mon close
        wait_for_condition 100 20 {[client_line monclient] eq {}} else {
            fail "MONITOR client still listed"
        }
    }

    # ------------------------------------------------------------ LATENCY

    test {LATENCY with monitoring disabled records nothing} {
        assert_equal 0 [lindex [r config get latency-monitor-threshold] 1]
        r latency reset
        debug_sleep 0.05
        assert_equal {} [r latency latest]
        assert_equal {} [r latency history command]
        assert_match {I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance.*} [r latency doctor]
        assert_equal {ERR No samples available for event 'command'} [err_of {r latency graph command}]
    } {} {needs:debug}

    test {LATENCY DOCTOR reply type in RESP2 and RESP3} {
        set fd [raw_open]
        raw_send $fd LATENCY DOCTOR
        set got [raw_read_until $fd "*\n\r\n"]
        assert_match "\$*\r\nI'm sorry, Dave*" $got
        set fd3 [raw_open3]
        raw_send $fd3 LATENCY DOCTOR
        set got [raw_read_until $fd3 "*\n\r\n"]
        assert_match "=*\r\ntxt:I'm sorry, Dave*" $got
        raw_close_all
    }

    test {LATENCY LATEST and HISTORY after slow commands} {
        r config set latency-monitor-threshold 20
        r latency reset
        set before [clock seconds]
        debug_sleep 0.05
        debug_sleep 0.1
        set after [clock seconds]
        set latest [r latency latest]
        assert_equal 1 [llength $latest]
        lassign [lindex $latest 0] event ts last max
        assert_equal command $event
        assert_range $ts [expr {$before - 2}] [expr {$after + 2}]
        assert_morethan_equal $last 95
        assert_morethan_equal $max $last
        set hist [r latency history command]
        # Samples of the same second are merged.
        assert_range [llength $hist] 1 2
        set prev 0
        foreach sample $hist {
            assert_equal 2 [llength $sample]
            lassign $sample sts lat
            assert_range $sts [expr {$before - 2}] [expr {$after + 2}]
            assert {$sts > $prev}
            set prev $sts
            assert_morethan_equal $lat 45
        }
        assert_equal $last [lindex $hist end 1]
        # Fast commands below the threshold add nothing.
        r set x y
        assert_equal $hist [r latency history command]
        assert_equal {} [r latency history nosuchevent]
    } {} {needs:debug}

    test {LATENCY GRAPH header} {
        set graph [r latency graph command]
        set lines [split $graph "\n"]
        assert {[regexp {^command - high ([0-9]+) ms, low ([0-9]+) ms \(all time high ([0-9]+) ms\)$} [lindex $lines 0] -> high low alltime]} \
            "first line: [lindex $lines 0]"
        assert_morethan_equal $high $low
        assert_morethan_equal $alltime $high
        assert_morethan_equal $high 95
        assert_equal [string repeat - 80] [lindex $lines 1]
        assert_equal {ERR No samples available for event 'nosuch'} [err_of {r latency graph nosuch}]
    } {} {needs:debug}

    test {LATENCY RESET returns the number of events reset} {
        assert_equal 1 [r latency reset command nosuch command]
        assert_equal {} [r latency latest]
        assert_equal {} [r latency history command]
        assert_equal 0 [r latency reset]
        debug_sleep 0.05
        assert_equal 1 [llength [r latency latest]]
        assert_equal 1 [r latency reset]
        assert_equal 0 [r latency reset]
        assert_equal OK [r config set latency-monitor-threshold 0]
    } {} {needs:debug}

    test {LATENCY HELP and errors} {
        set help [r latency help]
        assert_match {LATENCY <subcommand> *} [lindex $help 0]
        foreach sub {DOCTOR GRAPH HISTORY LATEST RESET HISTOGRAM HELP} {
            assert {[lsearch -glob $help "$sub*"] >= 0} "$sub in LATENCY HELP"
        }
        assert_equal {ERR unknown subcommand 'foo'. Try LATENCY HELP.} [err_of {r latency foo}]
        assert_equal {ERR wrong number of arguments for 'latency' command} [err_of {r latency}]
        assert_equal {ERR wrong number of arguments for 'latency|latest' command} [err_of {r latency latest x}]
        assert_equal {ERR wrong number of arguments for 'latency|history' command} [err_of {r latency history}]
        assert_equal {ERR wrong number of arguments for 'latency|graph' command} [err_of {r latency graph}]
    }

    test {LATENCY HISTOGRAM for named commands} {
        r config resetstat
        r set h 1
        r set h 2
        r set h 3
        r get h
        set reply [r latency histogram set get nosuchcmd client|id]
        # Unknown commands and commands never called are left out.
        assert_equal {set get} [dict keys $reply]
        foreach {cmd calls} {set 3 get 1} {
            set d [dict get $reply $cmd]
            assert_equal {calls histogram_usec} [dict keys $d]
            assert_equal $calls [dict get $d calls]
            set prev_bucket 0
            set prev_count 0
            foreach {bucket count} [dict get $d histogram_usec] {
                assert {$bucket > $prev_bucket} "buckets increase"
                assert {$count >= $prev_count} "counts are cumulative"
                set prev_bucket $bucket
                set prev_count $count
            }
            assert_equal $calls $prev_count
        }
        # Names are case insensitive; the reply uses lower case.
        assert_equal {set} [dict keys [r latency histogram SET]]
        assert_equal {} [r latency histogram nosuchcmd]
    }

    test {LATENCY HISTOGRAM of every command, and of subcommands} {
        r config resetstat
        r set h 1
        r client id
        set all [r latency histogram]
        foreach cmd {set client|id config|resetstat} {
            assert {[dict exists $all $cmd]} "$cmd in [dict keys $all]"
            assert_equal 1 [dict get $all $cmd calls]
        }
        assert {![dict exists $all get]}
        # A container command name gives its subcommands.
        assert_equal {client|id} [dict keys [r latency histogram client]]
        assert_equal {client|id} [dict keys [r latency histogram client|id]]
    }

    test {LATENCY HISTOGRAM bytes in RESP2 and RESP3} {
        r config resetstat
        r set h 1
        set fd [raw_open]
        set pattern "\\*2\r\n\$3\r\nset\r\n\\*4\r\n\$5\r\ncalls\r\n:1\r\n\$14\r\nhistogram_usec\r\n\\*2\r\n:*\r\n:1\r\n"
        raw_send $fd LATENCY HISTOGRAM set
        set got [raw_read_until $fd $pattern]
        assert {[string match $pattern $got]} "RESP2 reply [vis $got]"
        set pattern "%1\r\n\$3\r\nset\r\n%2\r\n\$5\r\ncalls\r\n:1\r\n\$14\r\nhistogram_usec\r\n%1\r\n:*\r\n:1\r\n"
        set fd3 [raw_open3]
        raw_send $fd3 LATENCY HISTOGRAM set
        set got [raw_read_until $fd3 $pattern]
        assert {[string match $pattern $got]} "RESP3 reply [vis $got]"
        raw_send $fd3 LATENCY HISTOGRAM nosuch
        raw_expect $fd3 "%0\r\n"
        raw_send $fd LATENCY HISTOGRAM nosuch
        raw_expect $fd "*0\r\n"
        raw_close_all
    }

    # ------------------------------------------------------------ CLIENT PAUSE

    test {CLIENT PAUSE WRITE: reads go on, writes wait for CLIENT UNPAUSE} {
        r set pw old
        assert_equal OK [r client pause 30000 write]
        try {
            set rd [redis_deferring_client]
            $rd set pw new
            # The write is held: it counts as a blocked client.
            wait_for_blocked_clients_count 1 200 20
            set t0 [clock milliseconds]
            set c [redis_client]
            assert_equal old [$c get pw]
            assert_equal 1 [$c exists pw]
            assert_equal PONG [$c ping]
            assert_lessthan [expr {[clock milliseconds] - $t0}] 2000
            assert_equal old [r get pw]
            assert_equal 1 [s blocked_clients]
        } finally {
            assert_equal OK [r client unpause]
        }
        assert_equal OK [$rd read]
        assert_equal new [r get pw]
        assert_equal 0 [s blocked_clients]
        $c close
        $rd close
    }

    test {CLIENT PAUSE WRITE ends by itself after the timeout} {
        set rd [redis_deferring_client]
        set t0 [clock milliseconds]
        assert_equal OK [r client pause 1500 write]
        $rd set pt 1
        # A read from another client is not held.
        set c [redis_client]
        $c get pt
        set read_ms [expr {[clock milliseconds] - $t0}]
        assert_equal OK [$rd read]
        set write_ms [expr {[clock milliseconds] - $t0}]
        assert_lessthan $read_ms 1000
        assert_morethan_equal $write_ms 1200
        assert_lessthan $write_ms 20000
        $c close
        $rd close
    }

    test {CLIENT PAUSE ALL holds every command until the timeout} {
        set rd [redis_deferring_client]
        set t0 [clock milliseconds]
        assert_equal OK [r client pause 1500 all]
        $rd ping
        assert_equal PONG [$rd read]
        assert_morethan_equal [expr {[clock milliseconds] - $t0}] 1200
        $rd get anything
        assert_equal {} [$rd read]
        # Everything runs normally again.
        assert_equal PONG [r ping]
        $rd close
    }

    test {CLIENT PAUSE errors} {
        assert_equal {ERR CLIENT PAUSE mode must be WRITE or ALL} [err_of {r client pause 100 foo}]
        assert_equal {ERR timeout is negative} [err_of {r client pause -1}]
        assert_equal {ERR timeout is not an integer or out of range} [err_of {r client pause abc}]
        assert_equal {ERR timeout is not an integer or out of range} [err_of {r client pause 99999999999999999999}]
        assert_equal {ERR wrong number of arguments for 'client|pause' command} [err_of {r client pause}]
        assert_equal {ERR wrong number of arguments for 'client|unpause' command} [err_of {r client unpause x}]
        # Not paused by any of these: a write goes through.
        assert_equal OK [r set notpaused 1]
        # UNPAUSE when nothing is paused.
        assert_equal OK [r client unpause]
    }

    # ------------------------------------------------------------ output buffer limits

    test {A pub/sub client that does not read is disconnected at the output buffer limit} {
        r config set client-output-buffer-limit "pubsub 1mb 512kb 5"
        # Sizes are shown in bytes, every class is listed.
        assert_equal {normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 5} \
            [lindex [r config get client-output-buffer-limit] 1]
        set fd [raw_open]
        raw_send $fd CLIENT SETNAME slowsub
        raw_expect $fd "+OK\r\n"
        raw_send $fd SUBSCRIBE oblchan
        raw_expect $fd "*3\r\n\$9\r\nsubscribe\r\n\$7\r\noblchan\r\n:1\r\n"
        # From now on the subscriber reads nothing.
        set before [s used_memory]
        set peak $before
        set payload [string repeat x 100000]
        set gone 0
        for {set i 0} {$i < 500 && !$gone} {incr i} {
            if {[r publish oblchan $payload] == 0} {
                set gone 1
            }
            if {$i % 10 == 0} {
                set m [s used_memory]
                if {$m > $peak} {
                    set peak $m
                }
            }
        }
        assert_equal 1 $gone "the subscriber was still there after $i messages of 100 kB"
        wait_for_condition 100 50 {[client_line slowsub] eq {}} else {
            fail "slowsub still in CLIENT LIST"
        }
        # Several MB were published; far less was kept for the subscriber.
        assert_lessthan [expr {$peak - $before}] 20000000
        assert_equal {oblchan 0} [r pubsub numsub oblchan]
        assert_equal PONG [r ping]
        raw_close_all
    }

    test {A normal client that does not read its replies is disconnected at the hard limit} {
        r config set client-output-buffer-limit "normal 1mb 0 0"
        r set bigval [string repeat v 4000000]
        set fd [raw_open]
        raw_send $fd CLIENT SETNAME slowreader
        raw_expect $fd "+OK\r\n"
        set pipeline {}
        for {set i 0} {$i < 10} {incr i} {
            append pipeline [mbulk GET bigval]
        }
        puts -nonewline $fd $pipeline
        flush $fd
        wait_for_condition 100 50 {[client_line slowreader] eq {}} else {
            fail "slowreader still in CLIENT LIST"
        }
        # Others are served as usual (replies under the limit).
        set c [redis_client]
        assert_equal 4000000 [$c strlen bigval]
        assert_equal PONG [$c ping]
        assert_equal PONG [r ping]
        $c close
        raw_close_all
        r config set client-output-buffer-limit "normal 0 0 0"
        r del bigval
    }

    test {A pub/sub client over the soft limit for long enough is disconnected} {
        # No hard limit: only the soft limit of 200 kB for 1 second.
        r config set client-output-buffer-limit "pubsub 0 200kb 1"
        set fd [raw_open]
        raw_send $fd CLIENT SETNAME softsub
        raw_expect $fd "+OK\r\n"
        raw_send $fd SUBSCRIBE softchan
        raw_expect $fd "*3\r\n\$9\r\nsubscribe\r\n\$8\r\nsoftchan\r\n:1\r\n"
        set payload [string repeat y 50000]
        set t0 [clock milliseconds]
        set gone 0
        # 10 MB at once (more than the socket buffers take), then 20
        # messages a second for at most 15 seconds.
        for {set i 0} {$i < 500 && !$gone} {incr i} {
            if {[r publish softchan $payload] == 0} {
                set gone 1
            } elseif {$i >= 200} {
                after 50
            }
        }
        set elapsed [expr {[clock milliseconds] - $t0}]
        assert_equal 1 $gone "the subscriber was still there after $i messages"
        assert_morethan_equal $elapsed 1000
        wait_for_condition 100 50 {[client_line softsub] eq {}} else {
            fail "softsub still in CLIENT LIST"
        }
        raw_close_all
        r config set client-output-buffer-limit "pubsub 32mb 8mb 60"
    }

    test {The server log names clients closed for their output buffer} {
        wait_for_log {*scheduled to be closed ASAP for overcoming of output buffer limits*} 50 100
        # At least the two clients over a hard limit.
        assert_morethan_equal [count_log_message {*scheduled to be closed ASAP for overcoming of output buffer limits*}] 2
    } {} {needs:redis-log}

    test {Cleanup of raw connections} {
        raw_close_all
        r config set client-output-buffer-limit "normal 0 0 0 pubsub 32mb 8mb 60"
        assert_equal PONG [r ping]
    }
}
