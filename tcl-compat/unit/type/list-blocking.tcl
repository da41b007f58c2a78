# Blocking list commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP) and the
# machinery behind them: FIFO service, timeouts, wake-ups from other
# clients and transactions, pipelined commands of a blocked client,
# CLIENT UNBLOCK, INFO and CLIENT LIST, disconnections, keys that change
# type while clients wait.

proc berr {code} {
    if {[catch {uplevel 1 $code} e]} {
        return $e
    }
    return ""
}

# Waits until `n` clients are blocked.
proc wait_blocked {n} {
    wait_for_blocked_clients_count $n 200 5
}

# The reply of a deferring client in readraw mode (one protocol reply,
# with its nested lines).
proc braw_read {c} {
    set line [$c read]
    set out "$line\r\n"
    set n [string range $line 1 end]
    switch -exact -- [string index $line 0] {
        * {
            for {set i 0} {$i < $n} {incr i} {
                append out [braw_read $c]
            }
        }
        $ {
            if {$n >= 0} {
                append out "[$c read]\r\n"
            }
        }
    }
    return $out
}

start_server {tags {list blocking}} {

    # ------------------------------------------------------------ no wait

    test {BLPOP and BRPOP serve at once from a non-empty list} {
        r del a b
        r rpush b 1 2 3
        assert_equal {b 1} [r blpop a b 0]
        assert_equal {b 3} [r brpop a b 0]
        assert_equal {2} [r lrange b 0 -1]
    }

    test {BLPOP takes the first non-empty key in argument order} {
        r del a b c
        r rpush b x
        r rpush c y
        assert_equal {b x} [r blpop a b c 1]
        assert_equal 0 [r exists b]
        assert_equal {c y} [r blpop a b c 1]
    }

    test {BLPOP against a key of another type fails} {
        r del a
        r set s str
        assert_match {WRONGTYPE*} [berr {r blpop a s 0}]
        r rpush a v
        # A list before the wrong type is served first.
        assert_equal {a v} [r blpop a s 0]
    }

    test {Timeout errors} {
        assert_equal {ERR timeout is negative} [berr {r blpop a -1}]
        assert_equal {ERR timeout is not a float or out of range} [berr {r blpop a x}]
        assert_equal {ERR timeout is not a float or out of range} [berr {r brpoplpush a b 1x}]
        assert_equal {ERR timeout is negative} [berr {r blmove a b left left -0.5}]
        assert_equal {ERR timeout is negative} [berr {r blmpop -1 1 a left}]
        # The timeout is checked before the keys.
        r set s str
        assert_equal {ERR timeout is negative} [berr {r blpop s -1}]
    }

    # ------------------------------------------------------------ wake-ups

    test {A blocked BLPOP is served by a push from another client} {
        r del q
        set rd [redis_deferring_client]
        $rd blpop q 0
        wait_blocked 1
        r rpush q hello world
        assert_equal {q hello} [$rd read]
        assert_equal {world} [r lrange q 0 -1]
        $rd close
    }

    test {BRPOP takes the tail of the pushed elements} {
        r del q
        set rd [redis_deferring_client]
        $rd brpop q 0
        wait_blocked 1
        r rpush q a b c
        assert_equal {q c} [$rd read]
        assert_equal {a b} [r lrange q 0 -1]
        $rd close
    }

    test {Clients are served in the order they blocked} {
        r del q
        set clients {}
        for {set i 0} {$i < 5} {incr i} {
            set rd [redis_deferring_client]
            $rd blpop q 0
            wait_blocked [expr {$i + 1}]
            lappend clients $rd
        }
        r rpush q e0 e1 e2
        assert_equal {q e0} [[lindex $clients 0] read]
        assert_equal {q e1} [[lindex $clients 1] read]
        assert_equal {q e2} [[lindex $clients 2] read]
        assert_equal 2 [s blocked_clients]
        assert_equal 0 [r exists q]
        r rpush q e3
        assert_equal {q e3} [[lindex $clients 3] read]
        r rpush q e4
        assert_equal {q e4} [[lindex $clients 4] read]
        foreach rd $clients {
            $rd close
        }
    }

    test {One push serves many waiters, each one element} {
        r del q
        set clients {}
        for {set i 0} {$i < 20} {incr i} {
            set rd [redis_deferring_client]
            $rd brpop q 0
            lappend clients $rd
        }
        wait_blocked 20
        set items {}
        for {set i 0} {$i < 25} {incr i} {
            lappend items $i
        }
        r lpush q {*}$items
        for {set i 0} {$i < 20} {incr i} {
            assert_equal [list q $i] [[lindex $clients $i] read]
        }
        assert_equal 5 [r llen q]
        foreach rd $clients {
            $rd close
        }
    }

    test {Pushes inside MULTI/EXEC wake clients after EXEC} {
        r del q
        set rd [redis_deferring_client]
        $rd blpop q 0
        wait_blocked 1
        r multi
        r rpush q a
        r rpush q b
        r lpop q
        assert_equal {1 2 a} [r exec]
        assert_equal {q b} [$rd read]
        assert_equal 0 [r exists q]
        $rd close
    } {} {needs:multi}

    test {A push and a pop in one transaction wake nobody} {
        r del q
        set rd [redis_deferring_client]
        $rd blpop q 0
        wait_blocked 1
        r multi
        r rpush q a
        r del q
        r exec
        assert_equal 1 [s blocked_clients]
        r rpush q b
        assert_equal {q b} [$rd read]
        $rd close
    } {} {needs:multi}

    test {A client waiting on several keys is served from the key that became ready first} {
        r del k1 k2
        set rd [redis_deferring_client]
        $rd blpop k1 k2 0
        wait_blocked 1
        r multi
        r rpush k2 from-k2
        r rpush k1 from-k1
        r exec
        assert_equal {k2 from-k2} [$rd read]
        assert_equal {from-k1} [r lrange k1 0 -1]
        $rd close
    } {} {needs:multi}

    test {BLPOP on the same key twice waits once} {
        r del q
        set rd [redis_deferring_client]
        $rd blpop q q 0
        wait_blocked 1
        r rpush q a b
        assert_equal {q a} [$rd read]
        assert_equal {b} [r lrange q 0 -1]
        $rd close
    }

    test {Blocked clients in different databases are independent} {
        r del q
        set rd [redis_deferring_client]
        $rd select 1
        $rd read
        $rd blpop q 0
        wait_blocked 1
        r rpush q db0
        assert_equal 1 [s blocked_clients]
        r select 1
        r rpush q db1
        assert_equal {q db1} [$rd read]
        r del q
        r select 0
        assert_equal {db0} [r lrange q 0 -1]
        $rd close
    }

    test {Keys created by RENAME, COPY, MOVE and SWAPDB wake clients} {
        r flushall
        set rd [redis_deferring_client]
        $rd blpop target 0
        wait_blocked 1
        r rpush src renamed
        r rename src target
        assert_equal {target renamed} [$rd read]

        $rd blpop target 0
        wait_blocked 1
        r rpush src copied
        r copy src target
        assert_equal {target copied} [$rd read]

        $rd blpop target 0
        wait_blocked 1
        r select 1
        r rpush target moved
        r move target 0
        r select 0
        assert_equal {target moved} [$rd read]

        $rd blpop target 0
        wait_blocked 1
        r select 1
        r rpush target swapped
        r select 0
        r swapdb 0 1
        assert_equal {target swapped} [$rd read]
        r flushall
        $rd close
    }

    test {A key replaced by another type keeps clients waiting} {
        r del q
        set rd [redis_deferring_client]
        $rd blpop q 0
        wait_blocked 1
        r set q string
        r append q more
        assert_equal 1 [s blocked_clients]
        r del q
        r rpush q now
        assert_equal {q now} [$rd read]
        $rd close
    }

    # ------------------------------------------------------------ timeouts

    test {BLPOP times out with a nil reply} {
        r del q
        set rd [redis_deferring_client]
        set start [clock milliseconds]
        $rd blpop q 0.2
        assert_equal {} [$rd read]
        set elapsed [expr {[clock milliseconds] - $start}]
        assert_morethan_equal $elapsed 190
        assert_lessthan $elapsed 2000
        assert_equal 0 [s blocked_clients]
        $rd close
    }

    test {Every blocking list command times out with a null array} {
        set rd [redis_deferring_client]
        $rd readraw 1
        foreach cmd {{blpop q 0.01} {brpop q 0.01} {blmove q d left right 0.01}
                     {brpoplpush q d 0.01} {blmpop 0.01 1 q left}} {
            $rd {*}$cmd
            assert_equal "*-1\r\n" [braw_read $rd] $cmd
        }
        $rd close
        set rd [redis_deferring_client]
        $rd hello 3
        $rd read
        $rd readraw 1
        $rd blmove q d left right 0.01
        assert_equal "_" [$rd read]
        $rd close
    }

    test {A zero timeout waits until served} {
        r del q
        set rd [redis_deferring_client]
        $rd blpop q 0
        wait_blocked 1
        after 300
        assert_equal 1 [s blocked_clients]
        r lpush q late
        assert_equal {q late} [$rd read]
        $rd close
    }

    test {Timeouts fire in deadline order, whatever the blocking order} {
        r del q
        set slow [redis_deferring_client]
        set fast [redis_deferring_client]
        $slow blpop q 0.6
        $fast blpop q 0.2
        wait_blocked 2
        assert_equal 2 [s clients_in_timeout_table]
        assert_equal {} [$fast read]
        assert_equal 1 [s blocked_clients]
        assert_equal {} [$slow read]
        assert_equal 0 [s clients_in_timeout_table]
        $slow close
        $fast close
    }

    test {The idle timeout does not close blocked clients} {
        set saved [lindex [r config get timeout] 1]
        r config set timeout 1
        set rd [redis_deferring_client]
        $rd blpop q 0
        wait_blocked 1
        after 2200
        # The default client was idle too: reconnect it.
        reconnect
        assert_equal 1 [s blocked_clients]
        r config set timeout $saved
        r rpush q v
        assert_equal {q v} [$rd read]
        $rd close
    } {} {needs:config}

    # ------------------------------------------------------------ blocked clients' state

    test {Pipelined commands of a blocked client run after it is served} {
        r del q x
        set rd [redis_deferring_client]
        $rd write "*3\r\n\$5\r\nBLPOP\r\n\$1\r\nq\r\n\$1\r\n0\r\n*1\r\n\$4\r\nPING\r\n*2\r\n\$3\r\nGET\r\n\$1\r\nx\r\n"
        $rd flush
        wait_blocked 1
        r set x 1
        r rpush q v
        assert_equal {q v} [$rd read]
        assert_equal PONG [$rd read]
        assert_equal 1 [$rd read]
        $rd close
    }

    test {Pipelined commands of a blocked client run after its timeout} {
        r del q
        set rd [redis_deferring_client]
        $rd write "*3\r\n\$5\r\nBLPOP\r\n\$1\r\nq\r\n\$3\r\n0.1\r\n*1\r\n\$4\r\nPING\r\n"
        $rd flush
        assert_equal {} [$rd read]
        assert_equal PONG [$rd read]
        $rd close
    }

    test {INFO and CLIENT LIST show blocked clients} {
        r del q
        set rd [redis_deferring_client]
        set rd2 [redis_deferring_client]
        $rd blpop q 0
        $rd2 brpop q 10
        wait_blocked 2
        assert_equal 1 [s clients_in_timeout_table]
        set lines [split [string trim [r client list]] "\n"]
        set flags {}
        foreach l $lines {
            if {[regexp {flags=(\S+).*cmd=(\S+)} $l -> f c]} {
                lappend flags $f $c
            }
        }
        assert_equal 2 [llength [lsearch -all -exact $flags b]]
        assert_match {*b blpop*} $flags
        assert_match {*b brpop*} $flags
        r rpush q 1 2
        $rd read
        $rd2 read
        assert_equal 0 [s blocked_clients]
        assert_equal 0 [s clients_in_timeout_table]
        $rd close
        $rd2 close
    }

    test {CLIENT UNBLOCK with TIMEOUT and ERROR} {
        r del q
        set rd [redis_deferring_client]
        $rd client id
        set id [$rd read]
        $rd blpop q 0
        wait_blocked 1
        assert_equal 1 [r client unblock $id]
        assert_equal {} [$rd read]
        $rd brpoplpush q d 0
        wait_blocked 1
        assert_equal 1 [r client unblock $id timeout]
        $rd readraw 1
        assert_equal "*-1" [$rd read]
        $rd readraw 0
        $rd blmove q d left left 0
        wait_blocked 1
        r config resetstat
        assert_equal 1 [r client unblock $id error]
        assert_equal {UNBLOCKED client unblocked via CLIENT UNBLOCK} [berr {$rd read}]
        assert_match {*errorstat_UNBLOCKED:count=1*} [r info errorstats]
        assert_equal 0 [r client unblock $id]
        assert_equal 0 [s blocked_clients]
        # The client works normally afterwards.
        $rd ping
        assert_equal PONG [$rd read]
        $rd close
    } {} {needs:config}

    test {A client that disconnects while blocked is forgotten} {
        r del q
        set rd [redis_deferring_client]
        $rd blpop q 0
        wait_blocked 1
        $rd close
        wait_blocked 0
        r rpush q kept
        assert_equal {kept} [r lrange q 0 -1]
    }

    test {A client killed while blocked is forgotten} {
        r del q
        set rd [redis_deferring_client]
        $rd client id
        set id [$rd read]
        $rd blpop q 0
        wait_blocked 1
        assert_equal 1 [r client kill id $id]
        wait_blocked 0
        r rpush q kept
        assert_equal 1 [r llen q]
        $rd close
    }

    test {BLPOP inside MULTI does not block} {
        r del q
        r multi
        r blpop q 0
        r brpop q 10
        r blmpop 0 1 q left
        assert_equal {{} {} {}} [r exec]
        r multi
        r blmove q d left left 0
        r brpoplpush q d 0
        assert_equal {{} {}} [r exec]
        r readraw 1
        assert_equal "+OK" [r multi]
        assert_equal "+QUEUED" [r blmove q d left left 0]
        assert_equal "+QUEUED" [r brpoplpush q d 0]
        assert_equal "+QUEUED" [r blpop q 0]
        assert_equal "*3" [r exec]
        assert_equal "\$-1" [r read]
        assert_equal "\$-1" [r read]
        assert_equal "*-1" [r read]
        r readraw 0
    } {} {needs:multi}

    # ------------------------------------------------------------ BLMOVE / BRPOPLPUSH

    test {BLMOVE serves at once from a non-empty source} {
        r del src dst
        r rpush src a b
        assert_equal a [r blmove src dst left right 0]
        assert_equal b [r brpoplpush src dst 0]
        assert_equal {b a} [r lrange dst 0 -1]
        assert_equal 0 [r exists src]
    }

    test {BLMOVE waits and then moves} {
        r del src dst
        set rd [redis_deferring_client]
        $rd blmove src dst right left 0
        wait_blocked 1
        r rpush src x y
        assert_equal y [$rd read]
        assert_equal {x} [r lrange src 0 -1]
        assert_equal {y} [r lrange dst 0 -1]
        $rd close
    }

    test {BRPOPLPUSH within one list} {
        r del q
        set rd [redis_deferring_client]
        $rd brpoplpush q q 0
        wait_blocked 1
        r rpush q a b
        assert_equal b [$rd read]
        assert_equal {b a} [r lrange q 0 -1]
        $rd close
    }

    test {A waiting BLMOVE whose destination became another type gets WRONGTYPE} {
        r del src dst
        set rd [redis_deferring_client]
        $rd blmove src dst left left 0
        wait_blocked 1
        r set dst string
        r rpush src v
        assert_match {WRONGTYPE*} [berr {$rd read}]
        assert_equal {v} [r lrange src 0 -1]
        assert_equal 0 [s blocked_clients]
        $rd close
    }

    test {BLMOVE against a source of another type fails at once} {
        r set s str
        assert_match {WRONGTYPE*} [berr {r blmove s d left left 0}]
        assert_match {WRONGTYPE*} [berr {r brpoplpush s d 0}]
        r del src
        r rpush src a
        assert_match {WRONGTYPE*} [berr {r blmove src s left left 0}]
        assert_equal {a} [r lrange src 0 -1]
    }

    test {A chain of blocked moves is followed in one go} {
        r del a b c
        set rd1 [redis_deferring_client]
        set rd2 [redis_deferring_client]
        set rd3 [redis_deferring_client]
        $rd1 blmove a b left left 0
        $rd2 brpoplpush b c 0
        $rd3 blpop c 0
        wait_blocked 3
        r rpush a token
        assert_equal token [$rd1 read]
        assert_equal token [$rd2 read]
        assert_equal {c token} [$rd3 read]
        assert_equal 0 [r exists a b c]
        $rd1 close
        $rd2 close
        $rd3 close
    }

    # ------------------------------------------------------------ BLMPOP

    test {BLMPOP serves at once with COUNT} {
        r del k1 k2
        r rpush k2 a b c
        assert_equal {k2 {a b}} [r blmpop 0 2 k1 k2 left count 2]
        assert_equal {k2 c} [r blmpop 0 2 k1 k2 right count 5]
        assert_equal 0 [r exists k2]
    }

    test {BLMPOP waits and then pops up to COUNT} {
        r del k1 k2
        set rd [redis_deferring_client]
        $rd blmpop 0 2 k1 k2 right count 3
        wait_blocked 1
        r rpush k2 a b c d
        assert_equal {k2 {d c b}} [$rd read]
        assert_equal {a} [r lrange k2 0 -1]
        $rd close
    }

    test {BLMPOP errors} {
        assert_equal {ERR numkeys should be greater than 0} [berr {r blmpop 0 0 k left}]
        assert_equal {ERR syntax error} [berr {r blmpop 0 2 k left}]
        assert_equal {ERR syntax error} [berr {r blmpop 0 1 k middle}]
        assert_equal {ERR count should be greater than 0} [berr {r blmpop 0 1 k left count 0}]
        # Options are checked before the timeout.
        assert_equal {ERR count should be greater than 0} [berr {r blmpop x 1 k left count 0}]
        assert_equal {ERR timeout is not a float or out of range} [berr {r blmpop x 1 k left}]
        assert_equal {ERR wrong number of arguments for 'blmpop' command} [berr {r blmpop 0 1 k}]
    }

    # ------------------------------------------------------------ events

    test {Serving a blocked client emits the pop events} {
        r config set notify-keyspace-events Elg
        r del q
        set rd [redis_deferring_client]
        $rd blpop q 0
        wait_blocked 1
        set sub [redis_deferring_client]
        $sub psubscribe __keyevent@0__:*
        $sub read
        r rpush q only
        assert_equal {q only} [$rd read]
        set events {}
        for {set i 0} {$i < 3} {incr i} {
            lappend events [lindex [split [lindex [$sub read] 2] :] 1]
        }
        r config set notify-keyspace-events ""
        assert_equal {rpush lpop del} $events
        $rd close
        $sub close
    } {} {needs:config needs:pubsub}
}
