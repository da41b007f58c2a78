# Propagation: what write commands append to the AOF, in the deterministic
# form Redis 7.0 propagates (absolute times, what was picked at random,
# plain pops instead of blocking ones, XCLAIM for stream deliveries), and
# that replaying the file (DEBUG LOADAOF) gives back the same dataset.

# The incr file the server appends to: the last `type i` line of the manifest.
proc aof_incr_path {} {
    set dir [file join [srv 0 dir] appendonlydir]
    set fh [open [file join $dir appendonly.aof.manifest] r]
    set lines [split [read $fh] "\n"]
    close $fh
    set name {}
    foreach line $lines {
        if {[llength $line] >= 2 && [dict exists $line type] && [dict get $line type] eq "i"} {
            set name [dict get $line file]
        }
    }
    if {$name eq {}} { fail "no incr file in the manifest" }
    file join $dir $name
}

# Where the next command will be appended (a mark for aof_commands).
proc aof_mark {} {
    file size [aof_incr_path]
}

# The commands in the incr file from byte offset `from`, each a list of
# its arguments.
proc aof_commands {{from 0}} {
    set fh [open [aof_incr_path] rb]
    seek $fh $from
    set data [read $fh]
    close $fh
    set cmds {}
    set i 0
    set n [string length $data]
    while {$i < $n} {
        if {[string index $data $i] ne "*"} {
            fail "not a multibulk at offset [expr {$from + $i}]"
        }
        set e [string first "\r\n" $data $i]
        set argc [string range $data [expr {$i + 1}] [expr {$e - 1}]]
        set i [expr {$e + 2}]
        set cmd {}
        for {set k 0} {$k < $argc} {incr k} {
            set e [string first "\r\n" $data $i]
            set len [string range $data [expr {$i + 1}] [expr {$e - 1}]]
            set i [expr {$e + 2}]
            lappend cmd [string range $data $i [expr {$i + $len - 1}]]
            set i [expr {$i + $len + 2}]
        }
        lappend cmds $cmd
    }
    return $cmds
}

# Checks the commands appended since `mark` (SELECTs left out) against
# `expected`, a list of commands whose arguments are glob patterns; the
# command names are compared without case.
proc assert_aof_since {mark expected} {
    set got {}
    foreach c [aof_commands $mark] {
        if {![string equal -nocase [lindex $c 0] select]} { lappend got $c }
    }
    set ok [expr {[llength $got] == [llength $expected]}]
    for {set i 0} {$ok && $i < [llength $got]} {incr i} {
        set g [lindex $got $i]
        set e [lindex $expected $i]
        if {[llength $g] != [llength $e] || ![string equal -nocase [lindex $g 0] [lindex $e 0]]} {
            set ok 0
            break
        }
        for {set j 1} {$j < [llength $g]} {incr j} {
            if {![string match [lindex $e $j] [lindex $g $j]]} {
                set ok 0
                break
            }
        }
    }
    if {!$ok} {
        fail "AOF since mark: expected '$expected' but got '$got'"
    }
}

# Replays the AOF and checks the dataset is what it was.
proc assert_replay_same {} {
    set before [r debug digest]
    assert_equal OK [r debug loadaof]
    assert_equal $before [r debug digest]
}

start_server {tags {"propagation needs:debug"} overrides {appendonly yes appendfsync always enable-debug-command yes}} {

    # ------------------------------------------------------------ strings

    test {SET EX propagates as SET PXAT with the absolute time} {
        r flushall
        set m [aof_mark]
        set before [clock milliseconds]
        r set k v ex 100
        set after [clock milliseconds]
        assert_aof_since $m {{SET k v PXAT *}}
        set at [lindex [lindex [aof_commands $m] end] 4]
        assert_range $at [expr {$before + 100000}] [expr {$after + 100000}]
        assert_replay_same
        assert_range [r pttl k] 1 100000
    }

    test {SET PX/EXAT with NX and GET propagates only the value and PXAT} {
        r flushall
        set m [aof_mark]
        r set k v px 50000 nx
        r set k w get exat 4000000000
        assert_aof_since $m {{SET k v PXAT *} {SET k w PXAT 4000000000000}}
        assert_replay_same
        assert_equal 4000000000 [r expiretime k]
    }

    test {SET GET without an expire propagates without GET} {
        r flushall
        r set k v
        set m [aof_mark]
        assert_equal v [r set k w GET keepttl]
        assert_equal w [r getset k x]
        assert_equal x [r set k get GET]
        assert_aof_since $m {{SET k w keepttl} {SET k x} {SET k get}}
        assert_replay_same
    }

    test {SETEX and PSETEX propagate as SET PXAT} {
        r flushall
        set m [aof_mark]
        r setex k 100 v
        r psetex k2 100000 v2
        assert_aof_since $m {{SET k v PXAT *} {SET k2 v2 PXAT *}}
        assert_replay_same
        assert_range [r ttl k] 1 100
        assert_range [r ttl k2] 1 100
    }

    test {SET with a time already past is kept until accessed, as in Redis 7.0} {
        r flushall
        r debug set-active-expire 0
        set m [aof_mark]
        r set k v pxat 1000
        assert_aof_since $m {{SET k v PXAT 1000}}
        # The replay keeps it (not expired while loading), then it expires.
        assert_equal OK [r debug loadaof]
        assert_equal 1 [r dbsize]
        set m [aof_mark]
        assert_equal {} [r get k]
        r debug set-active-expire 1
        assert_aof_since $m {{DEL k}}
    }

    test {GETEX propagates PEXPIREAT, PERSIST or DEL} {
        r flushall
        r set k v
        r set k2 v
        r set k3 v
        set m [aof_mark]
        r getex k ex 100
        r getex k pxat 5000000000000
        r getex k persist
        r getex k persist
        r getex k2 exat 1
        r getex k3
        assert_aof_since $m {{PEXPIREAT k *} {PEXPIREAT k 5000000000000} {PERSIST k} {DEL k2}}
        assert_replay_same
        assert_equal -1 [r ttl k]
        assert_equal 0 [r exists k2]
    }

    test {GETEX and GETDEL delete with UNLINK when lazyfree says so} {
        r flushall
        r set k v
        r set k2 v
        r config set lazyfree-lazy-expire yes
        r config set lazyfree-lazy-user-del yes
        set m [aof_mark]
        r getex k pxat 1
        r getdel k2
        r config set lazyfree-lazy-expire no
        r config set lazyfree-lazy-user-del no
        assert_aof_since $m {{UNLINK k} {UNLINK k2}}
    }

    test {GETDEL propagates as DEL, and nothing for a missing key} {
        r flushall
        r set k v
        set m [aof_mark]
        assert_equal v [r getdel k]
        assert_equal {} [r getdel k]
        assert_aof_since $m {{DEL k}}
        assert_replay_same
    }

    test {INCRBYFLOAT propagates the result as SET KEEPTTL} {
        r flushall
        r set k 10.5
        r expire k 1000
        set m [aof_mark]
        assert_equal 13.6 [r incrbyfloat k 3.1]
        assert_equal 3.1 [r incrbyfloat new 3.1]
        assert_aof_since $m {{SET k 13.6 KEEPTTL} {SET new 3.1 KEEPTTL}}
        assert_replay_same
        assert_range [r ttl k] 1 1000
    }

    test {HINCRBYFLOAT propagates the result as HSET} {
        r flushall
        set m [aof_mark]
        r hincrbyfloat h f 1.5
        r hincrbyfloat h f 0.25
        assert_aof_since $m {{HSET h f 1.5} {HSET h f 1.75}}
        assert_replay_same
    }

    # ------------------------------------------------------------ sets

    test {SPOP propagates SREM of the member popped} {
        r flushall
        r sadd s a b c
        set m [aof_mark]
        set p [r spop s]
        assert_aof_since $m [list [list SREM s $p]]
        assert_replay_same
    }

    test {SPOP with a count propagates one SREM per member, in MULTI/EXEC} {
        r flushall
        r sadd s a b c d e f g h i j
        set m [aof_mark]
        set popped [r spop s 3]
        set expected [list MULTI]
        foreach p $popped { lappend expected [list SREM s $p] }
        lappend expected EXEC
        assert_aof_since $m $expected
        # Most of the set: the members that stay are picked instead.
        set m [aof_mark]
        set popped [r spop s 6]
        set got {}
        foreach c [aof_commands $m] {
            if {[string equal -nocase [lindex $c 0] srem]} { lappend got [lindex $c 2] }
        }
        assert_equal [lsort $popped] [lsort $got]
        assert_replay_same
        assert_equal 1 [r scard s]
    }

    test {SPOP of the whole set propagates DEL} {
        r flushall
        r sadd s a b c
        set m [aof_mark]
        r spop s 10
        r spop s 10
        assert_aof_since $m {{DEL s}}
        assert_replay_same
    }

    test {SPOP of the last member propagates SREM} {
        r flushall
        r sadd s a
        set m [aof_mark]
        r spop s
        assert_aof_since $m {{SREM s a}}
        assert_equal 0 [r exists s]
    }

    test {Read-only commands and no-op writes propagate nothing} {
        r flushall
        r sadd s a b c
        r set str v
        set m [aof_mark]
        r srandmember s 2
        r randomkey
        r get str
        r srem s nosuch
        r set str x nx
        r del nosuch
        r expire nosuch 10
        r getex str
        r spop nosuch
        catch {r hincrbyfloat str f 1}
        catch {r incrbyfloat str 1}
        assert_aof_since $m {}
    }

    test {SMOVE propagates as it was called} {
        r flushall
        r sadd s a b
        set m [aof_mark]
        r smove s d a
        assert_aof_since $m {{smove s d a}}
        assert_replay_same
    }

    # ------------------------------------------------------------ lists

    test {LMPOP propagates LPOP/RPOP of the key with the count popped} {
        r flushall
        r rpush l1 a b c
        set m [aof_mark]
        r lmpop 2 nosuch l1 right count 10
        r rpush l2 a b c
        r lmpop 1 l2 left
        assert_aof_since $m {{RPOP l1 3} {rpush l2 a b c} {LPOP l2 1}}
        assert_replay_same
    }

    test {BLPOP/BRPOP with data propagate LPOP/RPOP} {
        r flushall
        r rpush l a b c
        set m [aof_mark]
        r blpop nosuch l 0
        r brpop l 0
        assert_aof_since $m {{LPOP l} {RPOP l}}
        assert_replay_same
    }

    test {A blocked BLPOP served later propagates the push, then LPOP} {
        r flushall
        set rd [redis_deferring_client]
        set m [aof_mark]
        $rd blpop l 0
        wait_for_blocked_client
        r rpush l x y
        assert_equal {l x} [$rd read]
        $rd close
        assert_aof_since $m {{rpush l x y} {LPOP l}}
        assert_replay_same
        assert_equal {y} [r lrange l 0 -1]
    }

    test {A blocked BLMPOP served later propagates LPOP key count} {
        r flushall
        set rd [redis_deferring_client]
        set m [aof_mark]
        $rd blmpop 0 2 a b left count 5
        wait_for_blocked_client
        r rpush b 1 2
        assert_equal {b {1 2}} [$rd read]
        $rd close
        assert_aof_since $m {{rpush b 1 2} {LPOP b 2}}
        assert_replay_same
    }

    test {BLMOVE and BRPOPLPUSH propagate LMOVE and RPOPLPUSH} {
        r flushall
        r rpush src a b c
        set m [aof_mark]
        r blmove src dst left right 0
        r brpoplpush src dst 0
        assert_aof_since $m {{LMOVE src dst LEFT RIGHT} {RPOPLPUSH src dst}}
        set rd [redis_deferring_client]
        $rd brpoplpush empty dst 0
        wait_for_blocked_client
        set m [aof_mark]
        r rpush empty z
        assert_equal z [$rd read]
        $rd blmove empty2 dst right left 0
        wait_for_blocked_client
        r rpush empty2 w
        assert_equal w [$rd read]
        $rd close
        assert_aof_since $m {{rpush empty z} {RPOPLPUSH empty dst} {rpush empty2 w} {LMOVE empty2 dst RIGHT LEFT}}
        assert_replay_same
        assert_equal {w z c a} [r lrange dst 0 -1]
    }

    # ------------------------------------------------------------ sorted sets

    test {BZPOPMIN/BZPOPMAX with data propagate ZPOPMIN/ZPOPMAX} {
        r flushall
        r zadd z 1 a 2 b 3 c
        set m [aof_mark]
        r bzpopmin nosuch z 0
        r bzpopmax z 0
        assert_aof_since $m {{ZPOPMIN z} {ZPOPMAX z}}
        assert_replay_same
        assert_equal {b} [r zrange z 0 -1]
    }

    test {ZMPOP and BZMPOP propagate ZPOPMIN/ZPOPMAX key count} {
        r flushall
        r zadd z 1 a 2 b 3 c
        set m [aof_mark]
        r zmpop 2 nosuch z max count 2
        r bzmpop 0 1 z min
        assert_aof_since $m {{ZPOPMAX z 2} {ZPOPMIN z 1}}
        assert_replay_same
        assert_equal 0 [r exists z]
    }

    test {A blocked BZPOPMIN served later propagates ZPOPMIN} {
        r flushall
        set rd [redis_deferring_client]
        $rd bzpopmin z 0
        wait_for_blocked_client
        set m [aof_mark]
        r zadd z 5 x 6 y
        assert_equal {z x 5} [$rd read]
        $rd close
        assert_aof_since $m {{zadd z 5 x 6 y} {ZPOPMIN z}}
        assert_replay_same
    }

    # ------------------------------------------------------------ keyspace

    test {RESTORE with a relative TTL propagates the absolute time and ABSTTL} {
        r flushall
        r set src hello
        set dump [r dump src]
        set m [aof_mark]
        r restore k 100000 $dump
        r restore k2 0 $dump
        r restore k3 4000000000000 $dump absttl
        assert_aof_since $m [list [list restore k * $dump ABSTTL] [list restore k2 0 $dump] [list restore k3 4000000000000 $dump absttl]]
        set at [lindex [lindex [aof_commands $m] 0] 2]
        assert_range $at [expr {[clock milliseconds] + 90000}] [expr {[clock milliseconds] + 100000}]
        assert_replay_same
        assert_range [r pttl k] 1 100000
    }

    test {RESTORE REPLACE with a time already past propagates DEL} {
        r flushall
        r set k old
        set dump [r dump k]
        set m [aof_mark]
        r restore k 1 $dump absttl replace
        assert_equal 0 [r exists k]
        assert_aof_since $m {{DEL k}}
        assert_replay_same
    }

    test {EXPIRE propagates PEXPIREAT, a time already past DEL} {
        r flushall
        r set k v
        r set k2 v
        set m [aof_mark]
        r expire k 100
        r expireat k2 1
        assert_aof_since $m {{PEXPIREAT k *} {DEL k2}}
        assert_replay_same
    }

    test {An expired key accessed by GET propagates a DEL} {
        r flushall
        # Only the GET may find it expired.
        r debug set-active-expire 0
        r set k v px 1
        after 5
        set m [aof_mark]
        assert_equal {} [r get k]
        r debug set-active-expire 1
        assert_aof_since $m {{DEL k}}
        assert_replay_same
    }

    # ------------------------------------------------------------ transactions

    test {EXEC with several writes propagates them in MULTI/EXEC} {
        r flushall
        r sadd s a
        set m [aof_mark]
        r multi
        r set k v ex 100
        r get k
        r spop s
        r incrbyfloat f 1.5
        r exec
        assert_aof_since $m {MULTI {SET k v PXAT *} {SREM s a} {SET f 1.5 KEEPTTL} EXEC}
        assert_replay_same
    }

    test {EXEC with one write propagates it alone, with none nothing} {
        r flushall
        set m [aof_mark]
        r multi
        r set k v
        r get k
        r exec
        r multi
        r get k
        r exec
        assert_aof_since $m {{set k v}}
    }
    # ------------------------------------------------------------ streams

    test {XADD with * or <ms>-* propagates the ID it generated} {
        r flushall
        set m [aof_mark]
        set id1 [r xadd s * f v]
        set id2 [r xadd s 99999999999999-* f v]
        r xadd s 99999999999999-5 f v
        assert_equal 99999999999999-0 $id2
        assert_aof_since $m [list [list xadd s $id1 f v] [list xadd s $id2 f v] {xadd s 99999999999999-5 f v}]
        assert_replay_same
    }

    test {XADD and XTRIM with ~ propagate the exact trim they did} {
        r flushall
        r config set stream-node-max-entries 10
        for {set i 1} {$i <= 35} {incr i} { r xadd s $i-0 f v }
        set m [aof_mark]
        r xadd s maxlen ~ 12 36-0 f v
        set len [r xlen s]
        r xtrim s minid ~ 32 limit 100
        set first [lindex [r xrange s - + count 1] 0 0]
        r xtrim s maxlen = 100
        r xtrim s maxlen ~ 5
        r config set stream-node-max-entries 100
        # Whole nodes of 10 go: 36 entries down to 16, then to the node of 31.
        assert_equal 16 $len
        assert_equal 31-0 $first
        assert_aof_since $m [list [list xadd s maxlen = 16 36-0 f v] [list xtrim s minid = 31-0 limit 100]]
        assert_replay_same
        assert_equal 6 [r xlen s]
    }

    # Group state the digest leaves out: consumers, PEL owners and counts,
    # last delivered ID.
    proc group_state {key} {
        set out {}
        foreach g [r xinfo groups $key] {
            set name [dict get $g name]
            lappend out $name [dict get $g consumers] [dict get $g pending] [dict get $g last-delivered-id]
            foreach p [r xpending $key $name - + 100] {
                lappend out [lindex $p 0] [lindex $p 1] [lindex $p 3]
            }
        }
        return $out
    }

    proc assert_replay_same_group {key} {
        set before [group_state $key]
        assert_replay_same
        assert_equal $before [group_state $key]
    }

    test {XREADGROUP propagates an XCLAIM per entry delivered} {
        r flushall
        r xadd s 1-0 a 1
        r xadd s 2-0 b 2
        r xgroup create s g 0
        set m [aof_mark]
        r xreadgroup group g alice streams s >
        assert_aof_since $m {
            MULTI
            {XCLAIM s g alice 0 1-0 TIME * RETRYCOUNT 1 FORCE JUSTID LASTID 1-0}
            {XCLAIM s g alice 0 2-0 TIME * RETRYCOUNT 1 FORCE JUSTID LASTID 2-0}
            EXEC
        }
        set t [lindex [aof_commands $m] 1 7]
        assert_range $t [expr {[clock milliseconds] - 10000}] [clock milliseconds]
        assert_replay_same_group s
        # Reading its own history again propagates nothing.
        set m [aof_mark]
        r xreadgroup group g alice streams s 0
        assert_aof_since $m {}
    }

    test {XREADGROUP NOACK propagates the consumer it created and XGROUP SETID} {
        r flushall
        r xadd s 1-0 a 1
        r xadd s 2-0 b 2
        r xgroup create s g 0
        set m [aof_mark]
        r xreadgroup group g bob noack streams s >
        assert_aof_since $m {MULTI {XGROUP CREATECONSUMER s g bob} {XGROUP SETID s g 2-0 ENTRIESREAD 2} EXEC}
        assert_replay_same_group s
        assert_equal 1 [llength [r xinfo consumers s g]]
    }

    test {A blocked XREADGROUP served later propagates the XCLAIM} {
        r flushall
        r xgroup create s g $ mkstream
        set rd [redis_deferring_client]
        $rd xreadgroup group g carol block 0 streams s >
        wait_for_blocked_client
        set m [aof_mark]
        r xadd s 5-0 f v
        assert_equal {{s {{5-0 {f v}}}}} [$rd read]
        $rd close
        assert_aof_since $m {{xadd s 5-0 f v} {XCLAIM s g carol 0 5-0 TIME * RETRYCOUNT 1 FORCE JUSTID LASTID 5-0}}
        assert_replay_same_group s
    }

    test {XCLAIM propagates XCLAIM FORCE JUSTID, for deleted entries too, and SETID for LASTID alone} {
        r flushall
        foreach id {1-0 2-0 3-0} { r xadd s $id f v }
        r xgroup create s g 0
        r xreadgroup group g alice streams s >
        r xdel s 2-0
        set m [aof_mark]
        r xclaim s g bob 0 1-0 2-0 retrycount 7
        assert_aof_since $m {
            MULTI
            {XCLAIM s g bob 0 1-0 TIME * RETRYCOUNT 7 FORCE JUSTID LASTID 3-0}
            {XCLAIM s g alice 0 2-0 TIME * RETRYCOUNT 1 FORCE JUSTID LASTID 3-0}
            EXEC
        }
        set m [aof_mark]
        r xclaim s g bob 0 3-0 lastid 9-0
        r xclaim s g bob 0 77-0 lastid 10-0
        r xclaim s g bob 0 77-0
        assert_aof_since $m {
            {XCLAIM s g bob 0 3-0 TIME * RETRYCOUNT 2 FORCE JUSTID LASTID 9-0}
            {XGROUP SETID s g 10-0 ENTRIESREAD *}
        }
        assert_replay_same_group s
    }

    test {XAUTOCLAIM propagates an XCLAIM per entry claimed or deleted} {
        r flushall
        foreach id {1-0 2-0 3-0} { r xadd s $id f v }
        r xgroup create s g 0
        r xreadgroup group g alice streams s >
        r xdel s 2-0
        set m [aof_mark]
        r xautoclaim s g bob 0 0-0 count 10
        assert_aof_since $m {
            MULTI
            {XCLAIM s g bob 0 1-0 TIME * RETRYCOUNT 2 FORCE JUSTID LASTID 3-0}
            {XCLAIM s g alice 0 2-0 TIME * RETRYCOUNT 1 FORCE JUSTID LASTID 3-0}
            {XCLAIM s g bob 0 3-0 TIME * RETRYCOUNT 2 FORCE JUSTID LASTID 3-0}
            EXEC
        }
        assert_replay_same_group s
        set m [aof_mark]
        r xautoclaim s g bob 3600000 0-0
        assert_aof_since $m {}
    }

    test {XGROUP subcommands propagate as they were called} {
        r flushall
        set m [aof_mark]
        r xgroup create s g $ mkstream
        r xgroup createconsumer s g c1
        r xgroup setid s g 0 entriesread 0
        r xgroup delconsumer s g c1
        r xgroup destroy s g
        assert_aof_since $m {{xgroup create s g $ mkstream} {xgroup createconsumer s g c1} {xgroup setid s g 0 entriesread 0} {xgroup delconsumer s g c1} {xgroup destroy s g}}
    }

    # ------------------------------------------------------------ scripts

    test {A script with several writes propagates them in MULTI/EXEC, rewritten} {
        r flushall
        r debug set-active-expire 0
        r set old v px 1
        after 5
        set m [aof_mark]
        r eval {
            redis.call('set', KEYS[1], '1', 'ex', '100')
            redis.call('get', 'old')
            redis.call('incrbyfloat', KEYS[2], '1.5')
            return redis.call('get', KEYS[1])
        } 2 a b
        r debug set-active-expire 1
        # The expired key's deletion goes out at once, ahead of the block.
        assert_aof_since $m {{DEL old} MULTI {SET a 1 PXAT *} {SET b 1.5 KEEPTTL} EXEC}
        assert_replay_same
        # One write alone needs no MULTI; a read-only script propagates nothing.
        set m [aof_mark]
        r eval {return redis.call('set', KEYS[1], '2')} 1 a
        r eval {return redis.call('get', KEYS[1])} 1 a
        assert_aof_since $m {{set a 2}}
    }

    test {redis.set_repl decides what reaches the AOF} {
        r flushall
        set m [aof_mark]
        r eval {
            redis.set_repl(redis.REPL_NONE)
            redis.call('set', 'x', '1')
            redis.set_repl(redis.REPL_REPLICA)
            redis.call('set', 'y', '1')
            redis.set_repl(redis.REPL_AOF)
            redis.call('set', 'z', '1')
            redis.set_repl(redis.REPL_ALL)
            redis.call('set', 'w', '1')
        } 0
        assert_aof_since $m {MULTI {set z 1} {set w 1} EXEC}
        set m [aof_mark]
        r eval {
            redis.set_repl(redis.REPL_NONE)
            redis.call('set', 'v', '1')
        } 0
        assert_aof_since $m {}
        assert_equal OK [r debug loadaof]
        assert_equal {0 0 1 1 0} [list [r exists x] [r exists y] [r exists z] [r exists w] [r exists v]]
    }
}
