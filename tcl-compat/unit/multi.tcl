# Transactions: MULTI EXEC DISCARD WATCH UNWATCH — queueing, queue-time and
# run-time errors, commands refused inside a transaction, optimistic locking
# (what does and does not invalidate a WATCH), CLIENT LIST, notifications,
# INFO commandstats, RESP3 and pipelining.

# Whatever arrives within ms milliseconds.
proc raw_read_for {fd ms} {
    set buf {}
    set deadline [expr {[clock milliseconds] + $ms}]
    while {[clock milliseconds] < $deadline} {
        append buf [read $fd]
        after 5
    }
    append buf [read $fd]
    return $buf
}

# ---------------------------------------------------------------- helpers

# Start each test with the default client out of any transaction (a failed
# test may leave it in MULTI), with no watched keys, on db 0.
proc reset_r {} {
    catch {r discard}
    r unwatch
    r select 0
}

# Run a transaction with client c that only pings; returns the EXEC reply
# ({} when it was aborted by a WATCH).
proc try_exec {c} {
    assert_equal OK [$c multi]
    assert_equal QUEUED [$c ping]
    $c exec
}

# The cmdstat_<name> line of INFO commandstats as a dict (calls, usec, ...).
proc cmdstat {name} {
    set info [r info commandstats]
    foreach line [split $info "\r\n"] {
        if {[string match "cmdstat_$name:*" $line]} {
            set d {}
            foreach kv [split [string range $line [string length "cmdstat_$name:"] end] ","] {
                lassign [split $kv "="] k v
                dict set d $k $v
            }
            return $d
        }
    }
    return {}
}

start_server {tags {"multi"}} {

    # ------------------------------------------------------------ basics

    test {MULTI/EXEC runs the queued commands and returns their replies} {
        reset_r
        r flushall
        assert_equal OK [r multi]
        assert_equal QUEUED [r set a 1]
        assert_equal QUEUED [r incr a]
        assert_equal QUEUED [r get a]
        assert_equal QUEUED [r mget a nokey]
        assert_equal QUEUED [r ping]
        assert_equal {OK 2 2 {2 {}} PONG} [r exec]
        assert_equal 2 [r get a]
    }

    test {Queued commands run at EXEC time, not when queued} {
        reset_r
        r set q old
        set c [redis_client]
        assert_equal OK [$c multi]
        assert_equal QUEUED [$c get q]
        r set q new
        assert_equal {new} [$c exec]
        $c close
    }

    test {MULTI/EXEC reply bytes} {
        reset_r
        set fd [raw_open]
        raw_send $fd MULTI
        raw_expect $fd "+OK\r\n"
        raw_send $fd SET rb 10
        raw_expect $fd "+QUEUED\r\n"
        raw_send $fd INCR rb
        raw_expect $fd "+QUEUED\r\n"
        raw_send $fd GET nokey
        raw_expect $fd "+QUEUED\r\n"
        raw_send $fd EXEC
        raw_expect $fd "*3\r\n+OK\r\n:11\r\n\$-1\r\n"
        raw_close_all
    }

    test {An empty transaction} {
        reset_r
        set fd [raw_open]
        raw_send $fd MULTI
        raw_send $fd EXEC
        raw_expect $fd "+OK\r\n*0\r\n"
        raw_close_all
    }

    test {EXEC and DISCARD without MULTI} {
        reset_r
        assert_equal {ERR EXEC without MULTI} [err_of {r exec}]
        assert_equal {ERR DISCARD without MULTI} [err_of {r discard}]
        set fd [raw_open]
        raw_send $fd EXEC
        raw_send $fd DISCARD
        raw_expect $fd "-ERR EXEC without MULTI\r\n-ERR DISCARD without MULTI\r\n"
        raw_close_all
    }

    test {DISCARD drops the queued commands} {
        reset_r
        r flushall
        r set d 1
        assert_equal OK [r multi]
        assert_equal QUEUED [r set d 2]
        assert_equal QUEUED [r del d]
        assert_equal OK [r discard]
        assert_equal 1 [r get d]
        # Out of the transaction: commands run directly again.
        assert_equal OK [r set d 3]
        assert_equal {ERR EXEC without MULTI} [err_of {r exec}]
    }

    test {Nested MULTI is an error that does not abort the transaction} {
        reset_r
        r del n
        assert_equal OK [r multi]
        assert_equal QUEUED [r set n 1]
        assert_equal {ERR MULTI calls can not be nested} [err_of {r multi}]
        assert_equal QUEUED [r incr n]
        assert_equal {OK 2} [r exec]
        assert_equal 2 [r get n]
    }

    test {WATCH inside MULTI is an error that does not abort the transaction} {
        reset_r
        r del n
        assert_equal OK [r multi]
        assert_equal {ERR WATCH inside MULTI is not allowed} [err_of {r watch n}]
        assert_equal QUEUED [r set n 1]
        assert_equal {OK} [r exec]
        assert_equal 1 [r get n]
    }

    test {UNWATCH inside MULTI is queued} {
        reset_r
        assert_equal OK [r multi]
        assert_equal QUEUED [r unwatch]
        assert_equal {OK} [r exec]
    }

    test {Arity errors of MULTI EXEC DISCARD WATCH UNWATCH} {
        reset_r
        assert_equal {ERR wrong number of arguments for 'multi' command} [err_of {r multi x}]
        assert_equal {ERR wrong number of arguments for 'discard' command} [err_of {r discard x}]
        assert_equal {ERR wrong number of arguments for 'watch' command} [err_of {r watch}]
        assert_equal {ERR wrong number of arguments for 'unwatch' command} [err_of {r unwatch x}]
        # An EXEC rejected before it runs is reported as EXECABORT, even
        # outside a transaction.
        assert_equal {EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command} [err_of {r exec x}]
        assert_equal OK [r unwatch]
    }

    test {EXEC with extra arguments discards the transaction} {
        reset_r
        r del ex
        assert_equal OK [r multi]
        assert_equal QUEUED [r set ex 1]
        assert_equal {EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command} [err_of {r exec x}]
        assert_equal {ERR EXEC without MULTI} [err_of {r exec}]
        assert_equal 0 [r exists ex]
    }

    # ------------------------------------------------------------ queue-time errors

    test {An unknown command while queueing aborts the transaction} {
        reset_r
        r flushall
        assert_equal OK [r multi]
        assert_equal QUEUED [r set a 1]
        assert_equal {ERR unknown command 'nosuchcmd', with args beginning with: 'x' } [err_of {r nosuchcmd x}]
        assert_equal QUEUED [r set b 2]
        assert_equal {EXECABORT Transaction discarded because of previous errors.} [err_of {r exec}]
        assert_equal {0 0} [list [r exists a] [r exists b]]
        # The client left the transaction.
        assert_equal {ERR EXEC without MULTI} [err_of {r exec}]
    }

    test {A wrong number of arguments while queueing aborts the transaction} {
        reset_r
        r flushall
        assert_equal OK [r multi]
        assert_equal QUEUED [r set a 1]
        assert_equal {ERR wrong number of arguments for 'get' command} [err_of {r get}]
        assert_equal {ERR wrong number of arguments for 'discard' command} [err_of {r discard x}]
        assert_equal {EXECABORT Transaction discarded because of previous errors.} [err_of {r exec}]
        assert_equal 0 [r exists a]
    }

    test {Queue-time error bytes} {
        reset_r
        set fd [raw_open]
        raw_write $fd "[mbulk MULTI][mbulk SET x 1][mbulk GET][mbulk EXEC][mbulk EXEC]"
        raw_expect $fd "+OK\r\n+QUEUED\r\n-ERR wrong number of arguments for 'get' command\r\n-EXECABORT Transaction discarded because of previous errors.\r\n-ERR EXEC without MULTI\r\n"
        raw_close_all
    }

    test {DISCARD after a queue-time error} {
        reset_r
        assert_equal OK [r multi]
        catch {r nosuchcmd}
        assert_equal OK [r discard]
        assert_equal OK [r multi]
        assert_equal QUEUED [r ping]
        assert_equal {PONG} [r exec]
    }

    # ------------------------------------------------------------ run-time errors

    test {A run-time error only fails its own command} {
        reset_r
        r flushall
        r set s abc
        assert_equal OK [r multi]
        assert_equal QUEUED [r set a 1]
        assert_equal QUEUED [r incr s]
        assert_equal QUEUED [r incrbyfloat s 1]
        assert_equal QUEUED [r set b 2]
        # The Tcl client raises the first error after reading the whole array.
        assert_equal {ERR value is not an integer or out of range} [err_of {r exec}]
        assert_equal {1 2 abc} [list [r get a] [r get b] [r get s]]
    }

    test {Run-time error bytes inside the EXEC array} {
        reset_r
        r set s abc
        set fd [raw_open]
        raw_write $fd "[mbulk MULTI][mbulk INCR s][mbulk SET s 5][mbulk INCR s][mbulk RENAME nokey x][mbulk GETRANGE s 0 -1][mbulk EXEC]"
        raw_expect $fd "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*5\r\n-ERR value is not an integer or out of range\r\n+OK\r\n:6\r\n-ERR no such key\r\n\$1\r\n6\r\n"
        raw_close_all
    }

    test {Syntax errors that are only detected when running fail at EXEC} {
        reset_r
        r del k
        # Right arity, bad options: queued, then failing.
        set fd [raw_open]
        raw_write $fd "[mbulk MULTI][mbulk SET k v NX XX][mbulk SET k v][mbulk EXPIRE k abc][mbulk EXEC]"
        raw_expect $fd "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n-ERR syntax error\r\n+OK\r\n-ERR value is not an integer or out of range\r\n"
        raw_close_all
        assert_equal v [r get k]
    }

    # ------------------------------------------------------------ commands not allowed

    test {SHUTDOWN is not allowed inside a transaction} {
        reset_r
        assert_equal OK [r multi]
        if {![catch {r shutdown nosave} e]} {
            # Queued: do not let EXEC run it.
            catch {r discard}
            fail "SHUTDOWN was queued ($e)"
        }
        assert_equal {ERR Command not allowed inside a transaction} $e
        assert_equal {EXECABORT Transaction discarded because of previous errors.} [err_of {r exec}]
        assert_equal PONG [r ping]
    }

    test {SAVE is not allowed inside a transaction} {
        reset_r
        assert_equal OK [r multi]
        if {![catch {r save} e]} {
            catch {r discard}
            fail "SAVE was queued ($e)"
        }
        assert_equal {ERR Command not allowed inside a transaction} $e
        assert_equal {EXECABORT Transaction discarded because of previous errors.} [err_of {r exec}]
    } {} {needs:persistence}

    test {QUIT inside MULTI closes the connection at once} {
        reset_r
        set fd [raw_open]
        raw_write $fd "[mbulk MULTI][mbulk SET quitkey 1][mbulk QUIT][mbulk EXEC]"
        raw_expect $fd "+OK\r\n+QUEUED\r\n+OK\r\n"
        set deadline [expr {[clock milliseconds] + 5000}]
        set rest {}
        while {![eof $fd] && [clock milliseconds] < $deadline} {
            append rest [read $fd]
            after 5
        }
        assert_equal 1 [eof $fd] "connection closed"
        assert_equal {} $rest
        raw_close_all
        assert_equal 0 [r exists quitkey]
    }

    test {RESET inside MULTI discards the transaction} {
        reset_r
        set fd [raw_open]
        raw_write $fd "[mbulk MULTI][mbulk SET resetkey 1][mbulk RESET][mbulk EXEC]"
        raw_expect $fd "+OK\r\n+QUEUED\r\n+RESET\r\n-ERR EXEC without MULTI\r\n"
        raw_close_all
        assert_equal 0 [r exists resetkey]
    }

    test {SELECT inside MULTI changes the database for good} {
        reset_r
        r flushall
        set c [redis_client]
        assert_equal OK [$c multi]
        assert_equal QUEUED [$c select 3]
        assert_equal QUEUED [$c set dbkey 1]
        assert_equal {OK OK} [$c exec]
        assert_equal 1 [$c get dbkey]
        assert_equal 0 [r exists dbkey]
        assert_match {*db=3 *} [$c client info]
        $c close
    }

    test {SUBSCRIBE inside MULTI enters the subscribed context after EXEC} {
        reset_r
        set fd [raw_open]
        raw_write $fd "[mbulk MULTI][mbulk SUBSCRIBE txchan][mbulk EXEC]"
        raw_expect $fd "+OK\r\n+QUEUED\r\n*1\r\n*3\r\n\$9\r\nsubscribe\r\n\$6\r\ntxchan\r\n:1\r\n"
        assert_equal 1 [r publish txchan hi]
        raw_expect $fd "*3\r\n\$7\r\nmessage\r\n\$6\r\ntxchan\r\n\$2\r\nhi\r\n"
        raw_send $fd GET x
        raw_expect $fd "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
        raw_close_all
    }

    test {SSUBSCRIBE inside MULTI fails when EXEC runs it} {
        reset_r
        set fd [raw_open]
        raw_write $fd "[mbulk MULTI][mbulk SSUBSCRIBE txs][mbulk PING][mbulk EXEC]"
        raw_expect $fd "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n+PONG\r\n"
        raw_close_all
        assert_equal {txs 0} [r pubsub shardnumsub txs]
    }

    test {EXEC refused in the RESP2 subscribed context is reported as EXECABORT} {
        reset_r
        set fd [raw_open]
        raw_write $fd "[mbulk SUBSCRIBE ctx][mbulk EXEC][mbulk MULTI]"
        raw_expect $fd "*3\r\n\$9\r\nsubscribe\r\n\$3\r\nctx\r\n:1\r\n-EXECABORT Transaction discarded because of: Can't execute 'exec': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n-ERR Can't execute 'multi': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
        raw_close_all
    }

    # ------------------------------------------------------------ WATCH

    test {WATCH and UNWATCH reply OK} {
        reset_r
        assert_equal OK [r watch a b c]
        assert_equal OK [r watch a]
        assert_equal OK [r unwatch]
        assert_equal OK [r unwatch]
    }

    test {EXEC runs when the watched keys were not modified} {
        reset_r
        r flushall
        r set w 1
        set c [redis_client]
        assert_equal OK [$c watch w nokey]
        r get w
        r exists nokey
        assert_equal {PONG} [try_exec $c]
        $c close
    }

    test {EXEC fails when a watched key was modified by another client} {
        reset_r
        r flushall
        r set w 1
        set c [redis_client]
        $c watch w
        r set w 2
        assert_equal OK [$c multi]
        assert_equal QUEUED [$c set w 3]
        assert_equal {} [$c exec]
        assert_equal 2 [r get w]
        $c close
    }

    test {EXEC fails when the watched key is modified after MULTI} {
        reset_r
        r set w 1
        set c [redis_client]
        $c watch w
        assert_equal OK [$c multi]
        assert_equal QUEUED [$c ping]
        r incr w
        assert_equal {} [$c exec]
        $c close
    }

    test {EXEC fails when the client itself modified the watched key before MULTI} {
        reset_r
        r set w 1
        r watch w
        r set w 2
        assert_equal {} [try_exec r]
    }

    test {Changes made inside the transaction do not abort it} {
        reset_r
        r set w 1
        r watch w
        assert_equal OK [r multi]
        assert_equal QUEUED [r set w 2]
        assert_equal QUEUED [r get w]
        assert_equal {OK 2} [r exec]
    }

    test {Aborted EXEC bytes: *-1 in RESP2, _ in RESP3} {
        reset_r
        r set w 1
        set fd [raw_open]
        raw_send $fd WATCH w
        raw_expect $fd "+OK\r\n"
        r set w 2
        raw_write $fd "[mbulk MULTI][mbulk GET w][mbulk EXEC]"
        raw_expect $fd "+OK\r\n+QUEUED\r\n*-1\r\n"
        set fd3 [raw_open3]
        raw_send $fd3 WATCH w
        raw_expect $fd3 "+OK\r\n"
        r set w 3
        raw_write $fd3 "[mbulk MULTI][mbulk GET w][mbulk EXEC]"
        raw_expect $fd3 "+OK\r\n+QUEUED\r\n_\r\n"
        raw_close_all
    }

    test {Any one of several watched keys invalidates} {
        reset_r
        r mset a 1 b 1 c 1
        set c [redis_client]
        $c watch a b
        $c watch c
        r set c 2
        assert_equal {} [try_exec $c]
        $c watch a a a
        r del a
        assert_equal {} [try_exec $c]
        $c close
    }

    test {Creating a watched missing key invalidates} {
        reset_r
        r del newkey
        set c [redis_client]
        $c watch newkey
        r set newkey 1
        assert_equal {} [try_exec $c]
        $c close
    }

    test {Writes to other keys or to the same name in another db do not invalidate} {
        reset_r
        r flushall
        r set w 1
        set c [redis_client]
        $c watch w
        r set other 1
        r select 1
        r set w changed
        r del w
        r select 0
        assert_equal {PONG} [try_exec $c]
        $c close
    }

    test {A key watched in another db is tracked in that db} {
        reset_r
        r flushall
        set c [redis_client]
        $c select 2
        $c watch w
        $c select 0
        # The same name in db 0 is another key.
        r set w 1
        assert_equal {PONG} [try_exec $c]
        $c select 2
        $c watch w
        $c select 0
        r select 2
        r set w 1
        r select 0
        assert_equal {} [try_exec $c]
        $c close
    }

    test {Commands that change nothing do not invalidate} {
        reset_r
        r flushall
        set c [redis_client]
        foreach {setup cmd} {
            {set k 1}          {get k}
            {set k 1}          {set k 2 nx}
            {set k 1}          {setnx k 2}
            {set k 1}          {persist k}
            {set k 1 ex 100}   {expire k 200 nx}
            {set k 1}          {setrange k 0 ""}
            {set k 1}          {getex k}
            {}                 {del k}
            {}                 {expire k 100}
            {}                 {rename nokey k}
            {set k 1}          {copy k k2}
            {set k 1}          {move nokey 1}
        } {
            r flushall
            if {$setup ne {}} {
                r {*}$setup
            }
            $c watch k
            catch {r {*}$cmd}
            assert_equal {PONG} [try_exec $c] "$cmd should not invalidate"
        }
        $c close
    }

    test {Writes invalidate even when the value stays the same} {
        reset_r
        r flushall
        set c [redis_client]
        foreach {setup cmd} {
            {set k 1}          {set k 1}
            {set k 1}          {append k ""}
            {set k 1}          {incrby k 0}
            {set k 1}          {expire k 100}
            {set k 1 ex 100}   {persist k}
            {set k 1}          {getex k ex 100}
            {set k 1}          {getdel k}
            {set k 1}          {del k}
            {set k 1}          {unlink k}
            {set k 1}          {expire k -1}
            {set k 1}          {rename k k2}
            {set k2 1}         {rename k2 k}
            {set k2 1}         {copy k2 k}
            {set k 1}          {move k 1}
            {set k 1}          {mset x 1 k 1}
        } {
            r flushall
            r {*}$setup
            $c watch k
            r {*}$cmd
            assert_equal {} [try_exec $c] "$cmd should invalidate"
        }
        $c close
    }

    test {MOVE into the watched db invalidates} {
        reset_r
        r flushall
        r select 1
        r set k 1
        r select 0
        set c [redis_client]
        $c watch k
        r select 1
        assert_equal 1 [r move k 0]
        r select 0
        assert_equal {} [try_exec $c]
        $c close
    }

    test {FLUSHDB and FLUSHALL invalidate only watched keys that existed} {
        reset_r
        set c [redis_client]
        foreach flush {flushdb flushall} {
            r flushall
            r set k 1
            $c watch k
            r $flush
            assert_equal {} [try_exec $c] "$flush, key existed"
            $c watch k
            r $flush
            assert_equal {PONG} [try_exec $c] "$flush, key missing"
        }
        $c close
    }

    test {FLUSHDB of another db does not invalidate} {
        reset_r
        r flushall
        r set k 1
        set c [redis_client]
        $c watch k
        r select 1
        r set k 1
        r flushdb
        r select 0
        assert_equal {PONG} [try_exec $c]
        $c close
    }

    test {SWAPDB invalidates when the watched key exists in either db} {
        reset_r
        set c [redis_client]
        # The key only in the watched db.
        r flushall
        r set k 1
        $c watch k
        r swapdb 0 1
        assert_equal {} [try_exec $c]
        # The key only in the other db.
        r flushall
        r select 1
        r set k 1
        r select 0
        $c watch k
        r swapdb 1 0
        assert_equal {} [try_exec $c]
        # In neither db.
        r flushall
        $c watch k
        r swapdb 0 1
        assert_equal {PONG} [try_exec $c]
        # Swapping two other databases.
        r flushall
        r set k 1
        r select 2
        r set k 1
        r select 0
        $c watch k
        r swapdb 1 2
        assert_equal {PONG} [try_exec $c]
        # Swapping a db with itself.
        $c watch k
        r swapdb 0 0
        assert_equal {PONG} [try_exec $c]
        $c close
    }

    test {A watched key that expires before EXEC invalidates (lazy expiry)} {
        reset_r
        r flushall
        r debug set-active-expire 0
        try {
            set c [redis_client]
            r set k 1 px 300
            $c watch k
            assert_morethan [r pttl k] 0
            after 350
            assert_equal {} [try_exec $c]
            # Also when something else accessed it in between.
            r set k 1 px 300
            $c watch k
            assert_morethan [r pttl k] 0
            after 350
            assert_equal {} [r get k]
            assert_equal {} [try_exec $c]
            $c close
        } finally {
            r debug set-active-expire 1
        }
    } {} {needs:debug}

    test {A watched key that expires before EXEC invalidates (active expiry)} {
        reset_r
        r flushall
        set c [redis_client]
        r set k 1 px 300
        $c watch k
        assert_morethan [r pttl k] 0
        wait_for_condition 100 10 {
            [r dbsize] == 0
        } else {
            fail "key not expired"
        }
        assert_equal {} [try_exec $c]
        $c close
    }

    test {A key already expired when watched does not invalidate} {
        reset_r
        r flushall
        r debug set-active-expire 0
        try {
            set c [redis_client]
            # Nothing removes it.
            r set k 1 px 1
            after 10
            $c watch k
            assert_equal {PONG} [try_exec $c]
            # Removing the expired key is not a change.
            foreach cmd {{get k} {exists k} {del k} {flushdb} {flushall} {swapdb 0 1}} {
                r flushall
                r set k 1 px 1
                after 10
                $c watch k
                r {*}$cmd
                assert_equal {PONG} [try_exec $c] "$cmd after WATCH of an expired key"
            }
            # But setting it again does invalidate.
            r flushall
            r set k 1 px 1
            after 10
            $c watch k
            r set k 2
            assert_equal {} [try_exec $c]
            $c close
        } finally {
            r debug set-active-expire 1
        }
    } {} {needs:debug}

    test {A key already expired when watched, removed by active expiry} {
        reset_r
        r flushall
        set c [redis_client]
        r set k 1 px 1
        after 10
        $c watch k
        wait_for_condition 100 10 {
            [r dbsize] == 0
        } else {
            fail "key not expired"
        }
        assert_equal {PONG} [try_exec $c]
        $c close
    }

    test {UNWATCH forgets the watched keys} {
        reset_r
        r set w 1
        set c [redis_client]
        $c watch w
        assert_equal OK [$c unwatch]
        r set w 2
        assert_equal {PONG} [try_exec $c]
        $c close
    }

    test {EXEC unwatches, also when it was aborted} {
        reset_r
        r set w 1
        set c [redis_client]
        $c watch w
        assert_equal {PONG} [try_exec $c]
        r set w 2
        assert_equal {PONG} [try_exec $c]
        # An EXEC that returned nil.
        $c watch w
        r set w 3
        assert_equal {} [try_exec $c]
        r set w 4
        assert_equal {PONG} [try_exec $c]
        # An EXEC aborted by a queue-time error.
        $c watch w
        r set w 5
        $c multi
        catch {$c nosuchcmd}
        assert_match {EXECABORT*} [err_of {$c exec}]
        assert_equal {PONG} [try_exec $c]
        $c close
    }

    test {DISCARD unwatches} {
        reset_r
        r set w 1
        set c [redis_client]
        $c watch w
        assert_equal OK [$c multi]
        assert_equal OK [$c discard]
        r set w 2
        assert_equal {PONG} [try_exec $c]
        $c close
    }

    test {RESET unwatches} {
        reset_r
        r set w 1
        set c [redis_client]
        $c watch w
        assert_equal RESET [$c reset]
        r set w 2
        assert_equal {PONG} [try_exec $c]
        $c close
    }

    test {A closed client's watches are dropped} {
        reset_r
        r set w 1
        set c [redis_client]
        $c watch w
        $c close
        r set w 2
        assert_equal OK [r watch w]
        assert_equal {PONG} [try_exec r]
    }

    # ------------------------------------------------------------ introspection

    test {CLIENT LIST multi= and flag x} {
        reset_r
        set c [redis_client]
        $c client setname txn
        set line [client_line txn]
        assert_equal -1 [client_field $line multi]
        assert_equal N [client_field $line flags]
        $c multi
        set line [client_line txn]
        assert_equal 0 [client_field $line multi]
        assert_equal x [client_field $line flags]
        $c set a 1
        $c get a
        $c ping
        assert_equal 3 [client_field [client_line txn] multi]
        # A command refused while queueing is not counted.
        catch {$c nosuchcmd}
        assert_equal 3 [client_field [client_line txn] multi]
        $c discard
        set line [client_line txn]
        assert_equal -1 [client_field $line multi]
        assert_equal N [client_field $line flags]
        $c multi
        $c ping
        $c exec
        set line [client_line txn]
        assert_equal -1 [client_field $line multi]
        assert_equal N [client_field $line flags]
        $c close
    }

    test {CLIENT INFO run by EXEC shows the x flag} {
        reset_r
        set c [redis_client]
        $c multi
        $c client info
        set info [lindex [$c exec] 0]
        assert_equal x [client_field $info flags]
        assert_equal -1 [client_field [$c client info] multi]
        $c close
    }

    test {INFO commandstats counts the commands run by EXEC} {
        reset_r
        r flushall
        r config resetstat
        r multi
        r set cs 1
        r incr cs
        r incr cs
        r get cs
        r exec
        assert_equal 1 [dict get [cmdstat set] calls]
        assert_equal 2 [dict get [cmdstat incr] calls]
        assert_equal 1 [dict get [cmdstat get] calls]
        assert_equal 1 [dict get [cmdstat multi] calls]
        assert_equal 1 [dict get [cmdstat exec] calls]
        # Discarded commands never ran.
        r multi
        r set cs 2
        r discard
        assert_equal 1 [dict get [cmdstat set] calls]
        assert_equal 1 [dict get [cmdstat discard] calls]
    }

    test {INFO commandstats failed_calls and rejected_calls in transactions} {
        reset_r
        r config resetstat
        r set s abc
        r multi
        r incr s
        assert_error {*wrong number of arguments*} {r get}
        assert_match {EXECABORT*} [err_of {r exec}]
        # Queued but never run; the arity error is a rejected GET.
        assert_equal {} [cmdstat incr]
        assert_equal 0 [dict get [cmdstat get] calls]
        assert_equal 1 [dict get [cmdstat get] rejected_calls]
        assert_equal 1 [dict get [cmdstat exec] failed_calls]
        r multi
        r incr s
        assert_equal {ERR value is not an integer or out of range} [err_of {r exec}]
        assert_equal 1 [dict get [cmdstat incr] calls]
        assert_equal 1 [dict get [cmdstat incr] failed_calls]
    }

    test {Keyspace notifications are published for commands run by EXEC} {
        reset_r
        r flushall
        r config set notify-keyspace-events KEA
        try {
            set rd [redis_deferring_client]
            $rd psubscribe __keyevent@0__:*
            $rd read
            r multi
            r set n 1
            r incr n
            r expire n 100
            r del n
            assert_equal {OK 2 1 1} [r exec]
            $rd ping
            assert_equal {pmessage __keyevent@0__:* __keyevent@0__:set n} [$rd read]
            assert_equal {pmessage __keyevent@0__:* __keyevent@0__:incrby n} [$rd read]
            assert_equal {pmessage __keyevent@0__:* __keyevent@0__:expire n} [$rd read]
            assert_equal {pmessage __keyevent@0__:* __keyevent@0__:del n} [$rd read]
            assert_equal {pong {}} [$rd read]
            $rd close
        } finally {
            r config set notify-keyspace-events ""
        }
    }

    test {PUBLISH inside MULTI delivers when EXEC runs} {
        reset_r
        set rd [redis_deferring_client]
        $rd subscribe txpub
        $rd read
        r multi
        assert_equal QUEUED [r publish txpub one]
        assert_equal QUEUED [r publish txpub two]
        assert_equal {1 1} [r exec]
        assert_equal {message txpub one} [$rd read]
        assert_equal {message txpub two} [$rd read]
        $rd close
    }

    # ------------------------------------------------------------ RESP3 and pipelining

    test {MULTI/EXEC in RESP3} {
        reset_r
        r del r3 r3s
        r set r3s abc
        set fd [raw_open3]
        raw_send $fd MULTI
        raw_expect $fd "+OK\r\n"
        raw_send $fd SET r3 5
        raw_expect $fd "+QUEUED\r\n"
        raw_write $fd "[mbulk GET nokey][mbulk INCR r3][mbulk EXISTS r3][mbulk INCR r3s][mbulk MGET r3 nokey][mbulk CONFIG GET maxmemory]"
        raw_expect $fd "+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n"
        raw_send $fd EXEC
        raw_expect $fd "*7\r\n+OK\r\n_\r\n:6\r\n:1\r\n-ERR value is not an integer or out of range\r\n*2\r\n\$1\r\n6\r\n_\r\n%1\r\n\$9\r\nmaxmemory\r\n\$1\r\n0\r\n"
        # Errors and an empty transaction look the same as in RESP2.
        raw_write $fd "[mbulk MULTI][mbulk EXEC][mbulk EXEC][mbulk DISCARD]"
        raw_expect $fd "+OK\r\n*0\r\n-ERR EXEC without MULTI\r\n-ERR DISCARD without MULTI\r\n"
        raw_write $fd "[mbulk MULTI][mbulk NOSUCH][mbulk EXEC]"
        raw_expect $fd "+OK\r\n-ERR unknown command 'NOSUCH', with args beginning with: \r\n-EXECABORT Transaction discarded because of previous errors.\r\n"
        raw_close_all
    }

    test {A RESP3 client gets typed replies from EXEC} {
        reset_r
        set c [redis_client]
        $c hello 3
        $c del t3
        $c multi
        $c set t3 1
        $c get nokey
        $c config get maxmemory
        assert_equal {OK {} {maxmemory 0}} [$c exec]
        $c close
    }

    test {A whole transaction pipelined in one write} {
        reset_r
        r del p
        set fd [raw_open]
        raw_write $fd "[mbulk MULTI][mbulk SET p 1][mbulk INCR p][mbulk INCRBY p 10][mbulk GET p][mbulk EXEC][mbulk GET p]"
        raw_expect $fd "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n+OK\r\n:2\r\n:12\r\n\$2\r\n12\r\n\$2\r\n12\r\n"
        assert_equal {} [raw_read_for $fd 50]
        raw_close_all
    }

    test {Pipelined WATCH / MULTI / EXEC with inline commands} {
        reset_r
        r set iw 1
        set fd [raw_open]
        raw_write $fd "WATCH iw\r\nGET iw\r\nMULTI\r\nINCR iw\r\nEXEC\r\n"
        raw_expect $fd "+OK\r\n\$1\r\n1\r\n+OK\r\n+QUEUED\r\n*1\r\n:2\r\n"
        raw_close_all
    }

    test {Several transactions back to back on one connection} {
        reset_r
        r del bb
        set fd [raw_open]
        set req {}
        for {set i 0} {$i < 50} {incr i} {
            append req [mbulk MULTI] [mbulk INCR bb] [mbulk EXEC]
        }
        raw_write $fd $req
        set want {}
        for {set i 1} {$i <= 50} {incr i} {
            append want "+OK\r\n+QUEUED\r\n*1\r\n:$i\r\n"
        }
        raw_expect $fd $want
        raw_close_all
        assert_equal 50 [r get bb]
    }

    test {Cleanup of raw connections} {
        reset_r
        raw_close_all
        assert_equal PONG [r ping]
    }
}
