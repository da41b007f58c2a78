# Stream consumer groups: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER,
# DELCONSUMER), XREADGROUP (new entries, history, NOACK, BLOCK), XACK,
# XPENDING, XCLAIM, XAUTOCLAIM, XINFO GROUPS/CONSUMERS, lag and
# entries-read tracking, and blocked consumers woken with errors.

proc cgerr {code} {
    if {[catch {uplevel 1 $code} e]} {
        return $e
    }
    fail "expected an error, got '$e'"
}

# The IDs of an XRANGE/XREADGROUP entry list.
proc ids_of {entries} {
    lmap e $entries {lindex $e 0}
}

# A field of the first (or the named) group of XINFO GROUPS.
proc group_field {key field {group {}}} {
    foreach g [r xinfo groups $key] {
        if {$group eq {} || [dict get $g name] eq $group} {
            return [dict get $g $field]
        }
    }
    fail "no group $group"
}

# A stream with entries 1-0 .. n-0 and a group g at 0.
proc cg_setup {key n} {
    r del $key
    for {set i 1} {$i <= $n} {incr i} {
        r xadd $key $i-0 f $i
    }
    r xgroup create $key g 0
}

start_server {tags {stream}} {

    # ------------------------------------------------------------ XGROUP

    test {XGROUP CREATE, MKSTREAM and BUSYGROUP} {
        r del q
        assert_match {ERR The XGROUP subcommand requires the key to exist*} [cgerr {r xgroup create q g $}]
        assert_equal OK [r xgroup create q g $ MKSTREAM]
        assert_equal stream [r type q]
        assert_equal 0 [r xlen q]
        assert_equal {BUSYGROUP Consumer Group name already exists} [cgerr {r xgroup create q g $}]
        assert_equal OK [r xgroup create q g2 0 ENTRIESREAD 0]
        assert_equal {ERR value for ENTRIESREAD must be positive or -1} [cgerr {r xgroup create q g3 0 ENTRIESREAD -2}]
        assert_match {ERR unknown subcommand or wrong number of arguments for 'create'*} [cgerr {r xgroup create q g3 0 FOO}]
        assert_equal {ERR Invalid stream ID specified as stream command argument} [cgerr {r xgroup create q g3 x}]
        r set str x
        assert_match {WRONGTYPE*} [cgerr {r xgroup create str g 0}]
        assert_equal {g g2} [lmap g [r xinfo groups q] {dict get $g name}]
    }

    test {XGROUP CREATE $ starts after the last entry} {
        cg_setup q 3
        r xgroup create q late $
        assert_equal 3-0 [group_field q last-delivered-id late]
        assert_equal {} [r xreadgroup GROUP late c STREAMS q >]
    }

    test {XGROUP SETID, DESTROY, CREATECONSUMER, DELCONSUMER} {
        cg_setup q 3
        assert_equal OK [r xgroup setid q g 2-0]
        assert_equal 2-0 [group_field q last-delivered-id]
        assert_equal {} [group_field q entries-read]
        assert_equal OK [r xgroup setid q g $ ENTRIESREAD 3]
        assert_equal 3 [group_field q entries-read]
        assert_equal 0 [group_field q lag]
        assert_equal {NOGROUP No such consumer group 'nog' for key name 'q'} [cgerr {r xgroup setid q nog 0}]
        assert_equal 1 [r xgroup createconsumer q g alice]
        assert_equal 0 [r xgroup createconsumer q g alice]
        assert_equal 1 [group_field q consumers]
        r xgroup setid q g 0
        r xreadgroup GROUP g bob STREAMS q >
        assert_equal 3 [r xgroup delconsumer q g bob]
        assert_equal 0 [r xgroup delconsumer q g bob]
        assert_equal 0 [group_field q pending]
        assert_equal 1 [r xgroup destroy q g]
        assert_equal 0 [r xgroup destroy q g]
        assert_equal {} [r xinfo groups q]
        assert_match {ERR The XGROUP subcommand requires the key to exist*} [cgerr {r xgroup destroy nokey g}]
    }

    test {XGROUP HELP and errors} {
        set help [r xgroup help]
        assert_match {XGROUP <subcommand>*} [lindex $help 0]
        assert_equal HELP [lindex $help end-1]
        assert_match {ERR unknown subcommand 'foo'. Try XGROUP HELP.} [cgerr {r xgroup foo q g}]
        assert_match {ERR wrong number of arguments for 'xgroup|destroy' command} [cgerr {r xgroup destroy q g x}]
    }

    # ------------------------------------------------------------ XREADGROUP

    test {XREADGROUP > delivers each entry once across consumers} {
        cg_setup q 4
        assert_equal {1-0} [ids_of [lindex [r xreadgroup GROUP g c1 COUNT 1 STREAMS q >] 0 1]]
        assert_equal {2-0 3-0 4-0} [ids_of [lindex [r xreadgroup GROUP g c2 STREAMS q >] 0 1]]
        assert_equal {} [r xreadgroup GROUP g c2 STREAMS q >]
        assert_equal 4-0 [group_field q last-delivered-id]
        assert_equal 4 [group_field q entries-read]
        assert_equal 0 [group_field q lag]
    }

    test {XREADGROUP history returns the consumer's pending entries} {
        cg_setup q 4
        r xreadgroup GROUP g c1 COUNT 2 STREAMS q >
        r xreadgroup GROUP g c2 STREAMS q >
        assert_equal {1-0 2-0} [ids_of [lindex [r xreadgroup GROUP g c1 STREAMS q 0] 0 1]]
        assert_equal {2-0} [ids_of [lindex [r xreadgroup GROUP g c1 STREAMS q 1-0] 0 1]]
        assert_equal {3-0} [ids_of [lindex [r xreadgroup GROUP g c2 COUNT 1 STREAMS q 0] 0 1]]
        # History is served even when empty.
        assert_equal {{q {}}} [r xreadgroup GROUP g nobody STREAMS q 0]
        # A deleted entry still pending shows with a null body.
        r xdel q 1-0
        assert_equal {{q {{1-0 {}} {2-0 {f 2}}}}} [r xreadgroup GROUP g c1 STREAMS q 0]
        # Each history read counts a delivery.
        set p [r xpending q g - + 10 c1]
        assert_equal {2-0 c1} [lrange [lindex $p 1] 0 1]
        assert_equal 4 [lindex $p 1 3]
    }

    test {XREADGROUP NOACK does not fill the PEL} {
        cg_setup q 3
        r xreadgroup GROUP g c NOACK STREAMS q >
        assert_equal {0 {} {} {}} [r xpending q g]
        assert_equal 3 [group_field q entries-read]
        assert_equal 1 [group_field q consumers]
    }

    test {XREADGROUP errors} {
        cg_setup q 1
        assert_equal {NOGROUP No such key 'q' or consumer group 'nog' in XREADGROUP with GROUP option} [cgerr {r xreadgroup GROUP nog c STREAMS q >}]
        assert_equal {NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option} [cgerr {r xreadgroup GROUP g c STREAMS nokey >}]
        assert_match {ERR The $ ID is meaningless in the context of XREADGROUP*} [cgerr {r xreadgroup GROUP g c STREAMS q $}]
        assert_equal {ERR Missing GROUP option for XREADGROUP} [cgerr {r xreadgroup COUNT 1 NOACK STREAMS q >}]
        assert_match {WRONGTYPE*} [cgerr {r xreadgroup GROUP g c STREAMS str >}]
    }

    test {Reading past a new XGROUP SETID gives pending entries to the new reader} {
        cg_setup q 2
        r xreadgroup GROUP g c1 STREAMS q >
        r xgroup setid q g 0
        r xreadgroup GROUP g c2 STREAMS q >
        set p [r xpending q g - + 10]
        assert_equal {{1-0 c2} {2-0 c2}} [lmap e $p {lrange $e 0 1}]
        assert_equal {1 1} [lmap e $p {lindex $e 3}]
        assert_equal {{c2 2}} [lindex [r xpending q g] 3]
    }

    # ------------------------------------------------------------ lag

    test {Lag and entries-read follow reads, deletions and trims} {
        cg_setup q 5
        assert_equal 5 [group_field q lag]
        assert_equal {} [group_field q entries-read]
        r xreadgroup GROUP g c COUNT 2 STREAMS q >
        assert_equal 2 [group_field q entries-read]
        assert_equal 3 [group_field q lag]
        # A tombstone ahead of the group makes the lag unknown.
        r xdel q 4-0
        assert_equal {} [group_field q lag]
        r xreadgroup GROUP g c STREAMS q >
        assert_equal 0 [group_field q lag]
        r xadd q 6-0 f 6
        assert_equal 1 [group_field q lag]
        # Trimming everything: the lag is still known.
        r xtrim q MAXLEN 0
        assert_equal 1 [group_field q lag]
    }

    # ------------------------------------------------------------ XACK / XPENDING

    test {XACK removes entries from the group and consumer PELs} {
        cg_setup q 3
        r xreadgroup GROUP g c STREAMS q >
        assert_equal 2 [r xack q g 1-0 2-0 9-0]
        assert_equal 0 [r xack q g 1-0]
        assert_equal {1 3-0 3-0 {{c 1}}} [r xpending q g]
        assert_equal 0 [r xack q nog 1-0]
        assert_equal 0 [r xack nokey g 1-0]
        assert_equal {ERR Invalid stream ID specified as stream command argument} [cgerr {r xack q g 3-0 x}]
        # All or nothing: the valid ID before the bad one was not acked.
        assert_equal 1 [lindex [r xpending q g] 0]
    }

    test {XPENDING summary and extended forms} {
        cg_setup q 4
        r xreadgroup GROUP g c1 COUNT 1 STREAMS q >
        r xreadgroup GROUP g c2 STREAMS q >
        assert_equal {4 1-0 4-0 {{c1 1} {c2 3}}} [r xpending q g]
        assert_equal {1-0 2-0} [lmap e [r xpending q g - + 2] {lindex $e 0}]
        assert_equal {2-0 3-0 4-0} [lmap e [r xpending q g - + 10 c2] {lindex $e 0}]
        assert_equal {3-0} [lmap e [r xpending q g (2-0 (4-0 10] {lindex $e 0}]
        assert_equal {} [r xpending q g - + 10 nobody]
        assert_equal {} [r xpending q g - + 0]
        assert_equal {} [r xpending q g IDLE 1000000 - + 10]
        assert_equal 4 [llength [r xpending q g IDLE 0 - + 10]]
        assert_equal {NOGROUP No such key 'q' or consumer group 'nog'} [cgerr {r xpending q nog}]
        assert_equal {ERR syntax error} [cgerr {r xpending q g - +}]
        assert_equal {ERR syntax error} [cgerr {r xpending q g IDLE 10 - +}]
    }

    test {XPENDING idle times grow} {
        cg_setup q 1
        r xreadgroup GROUP g c STREAMS q >
        after 30
        set idle [lindex [r xpending q g - + 1] 0 2]
        assert_morethan_equal $idle 20
    }

    # ------------------------------------------------------------ XCLAIM

    test {XCLAIM moves pending entries between consumers} {
        cg_setup q 3
        r xreadgroup GROUP g c1 STREAMS q >
        assert_equal {{1-0 {f 1}} {2-0 {f 2}}} [r xclaim q g c2 0 1-0 2-0]
        assert_equal {{c1 1} {c2 2}} [lindex [r xpending q g] 3]
        assert_equal {1-0} [r xclaim q g c3 0 1-0 JUSTID]
        set e [lindex [r xpending q g 1-0 1-0 1] 0]
        # JUSTID does not count a delivery.
        assert_equal {1-0 c3 2} [list [lindex $e 0] [lindex $e 1] [lindex $e 3]]
        # min-idle-time filters recently delivered entries.
        assert_equal {} [r xclaim q g c4 1000000 1-0]
    }

    test {XCLAIM options: IDLE TIME RETRYCOUNT FORCE LASTID} {
        cg_setup q 3
        r xreadgroup GROUP g c1 COUNT 1 STREAMS q >
        r xclaim q g c1 0 1-0 IDLE 500000 JUSTID
        assert_morethan_equal [lindex [r xpending q g - + 1] 0 2] 500000
        r xclaim q g c1 0 1-0 RETRYCOUNT 9 JUSTID
        assert_equal 9 [lindex [r xpending q g - + 1] 0 3]
        # TIME in the future is clamped to now.
        r xclaim q g c1 0 1-0 TIME 99999999999999 JUSTID
        assert_lessthan [lindex [r xpending q g - + 1] 0 2] 1000
        # FORCE creates a PEL entry for an existing entry never delivered.
        assert_equal {3-0} [r xclaim q g c2 0 3-0 FORCE JUSTID]
        assert_equal {} [r xclaim q g c2 0 9-0 FORCE JUSTID]
        assert_equal 2 [lindex [r xpending q g] 0]
        r xclaim q g c2 0 3-0 LASTID 50-0 JUSTID
        assert_equal 50-0 [group_field q last-delivered-id]
    }

    test {XCLAIM drops pending entries that were deleted} {
        cg_setup q 2
        r xreadgroup GROUP g c1 STREAMS q >
        r xdel q 1-0
        assert_equal {{2-0 {f 2}}} [r xclaim q g c2 0 1-0 2-0]
        assert_equal {1 2-0 2-0 {{c2 1}}} [r xpending q g]
    }

    test {XCLAIM errors} {
        cg_setup q 1
        assert_equal {NOGROUP No such key 'q' or consumer group 'nog'} [cgerr {r xclaim q nog c 0 1-0}]
        assert_equal {NOGROUP No such key 'nokey' or consumer group 'g'} [cgerr {r xclaim nokey g c 0 1-0}]
        assert_equal {ERR Invalid min-idle-time argument for XCLAIM} [cgerr {r xclaim q g c x 1-0}]
        assert_equal {ERR Invalid IDLE option argument for XCLAIM} [cgerr {r xclaim q g c 0 1-0 IDLE x}]
        assert_equal {ERR Invalid TIME option argument for XCLAIM} [cgerr {r xclaim q g c 0 1-0 TIME x}]
        assert_equal {ERR Invalid RETRYCOUNT option argument for XCLAIM} [cgerr {r xclaim q g c 0 1-0 RETRYCOUNT x}]
        assert_equal {ERR Unrecognized XCLAIM option 'FOO'} [cgerr {r xclaim q g c 0 1-0 FOO}]
        assert_equal {ERR Unrecognized XCLAIM option 'x'} [cgerr {r xclaim q g c 0 x}]
    }

    # ------------------------------------------------------------ XAUTOCLAIM

    test {XAUTOCLAIM claims in ID order with a cursor} {
        cg_setup q 5
        r xreadgroup GROUP g c1 STREAMS q >
        set r1 [r xautoclaim q g c2 0 0 COUNT 2]
        assert_equal 3-0 [lindex $r1 0]
        assert_equal {1-0 2-0} [ids_of [lindex $r1 1]]
        assert_equal {} [lindex $r1 2]
        set r2 [r xautoclaim q g c2 0 [lindex $r1 0] COUNT 10 JUSTID]
        assert_equal {0-0 {3-0 4-0 5-0} {}} $r2
        assert_equal {{c2 5}} [lindex [r xpending q g] 3]
        assert_equal {0-0 {} {}} [r xautoclaim q g c3 1000000 0]
        # The last entry claimed: no cursor left.
        assert_equal {0-0 5-0 {}} [r xautoclaim q g c3 0 (4-0 COUNT 1 JUSTID]
    }

    test {XAUTOCLAIM reports and removes deleted entries} {
        cg_setup q 4
        r xreadgroup GROUP g c1 STREAMS q >
        r xdel q 2-0 3-0
        set r1 [r xautoclaim q g c2 0 0]
        assert_equal {0-0 {{1-0 {f 1}} {4-0 {f 4}}} {2-0 3-0}} $r1
        assert_equal 2 [lindex [r xpending q g] 0]
    }

    test {XAUTOCLAIM errors} {
        cg_setup q 1
        assert_equal {ERR COUNT must be > 0} [cgerr {r xautoclaim q g c 0 0 COUNT 0}]
        assert_equal {ERR COUNT must be > 0} [cgerr {r xautoclaim q g c 0 0 COUNT x}]
        assert_equal {ERR COUNT must be > 0} [cgerr {r xautoclaim q g c 0 0 COUNT 9223372036854775807}]
        assert_equal {ERR Invalid min-idle-time argument for XAUTOCLAIM} [cgerr {r xautoclaim q g c x 0}]
        assert_equal {ERR syntax error} [cgerr {r xautoclaim q g c 0 0 FOO}]
        assert_equal {NOGROUP No such key 'q' or consumer group 'nog'} [cgerr {r xautoclaim q nog c 0 0}]
    }

    # ------------------------------------------------------------ XINFO

    test {XINFO GROUPS and CONSUMERS} {
        cg_setup q 3
        r xreadgroup GROUP g alice COUNT 1 STREAMS q >
        r xreadgroup GROUP g bob STREAMS q >
        set g [lindex [r xinfo groups q] 0]
        assert_equal {name consumers pending last-delivered-id entries-read lag} [dict keys $g]
        assert_equal {g 2 3 3-0 3 0} [dict values $g]
        set cs [r xinfo consumers q g]
        assert_equal {alice bob} [lmap c $cs {dict get $c name}]
        assert_equal {1 2} [lmap c $cs {dict get $c pending}]
        assert_equal {name pending idle} [dict keys [lindex $cs 0]]
        assert_equal {NOGROUP No such consumer group 'nog' for key name 'q'} [cgerr {r xinfo consumers q nog}]
        assert_equal {ERR no such key} [cgerr {r xinfo groups nokey}]
    }

    test {XINFO STREAM FULL shows groups, PEL and consumers} {
        cg_setup q 3
        r xreadgroup GROUP g alice STREAMS q >
        r xclaim q g alice 0 1-0 TIME 1000 RETRYCOUNT 4 JUSTID
        set full [r xinfo stream q FULL]
        set g [lindex [dict get $full groups] 0]
        assert_equal {name last-delivered-id entries-read lag pel-count pending consumers} [dict keys $g]
        assert_equal {1-0 alice 1000 4} [lindex [dict get $g pending] 0]
        set c [lindex [dict get $g consumers] 0]
        assert_equal {name seen-time pel-count pending} [dict keys $c]
        assert_equal {1-0 1000 4} [lindex [dict get $c pending] 0]
        assert_equal 1 [llength [dict get [lindex [dict get [r xinfo stream q FULL COUNT 1] groups] 0] pending]]
    }

    test {XINFO HELP} {
        assert_match {XINFO <subcommand>*} [lindex [r xinfo help] 0]
    }

    # ------------------------------------------------------------ blocking

    test {Blocked XREADGROUP is served by XADD} {
        r del q
        r xgroup create q g $ MKSTREAM
        set rd [redis_deferring_client]
        $rd xreadgroup GROUP g c BLOCK 0 STREAMS q >
        wait_for_blocked_clients_count 1
        r xadd q 1-0 f v
        assert_equal {{q {{1-0 {f v}}}}} [$rd read]
        assert_equal {1 1-0 1-0 {{c 1}}} [r xpending q g]
        $rd close
    }

    test {Blocked consumers of one group are served in order, one entry each} {
        r del q
        r xgroup create q g $ MKSTREAM
        set rd1 [redis_deferring_client]
        set rd2 [redis_deferring_client]
        $rd1 xreadgroup GROUP g c1 BLOCK 0 STREAMS q >
        wait_for_blocked_clients_count 1
        $rd2 xreadgroup GROUP g c2 BLOCK 0 STREAMS q >
        wait_for_blocked_clients_count 2
        r xadd q 1-0 f 1
        assert_equal {{q {{1-0 {f 1}}}}} [$rd1 read]
        assert_equal 1 [s blocked_clients]
        r xadd q 2-0 f 2
        assert_equal {{q {{2-0 {f 2}}}}} [$rd2 read]
        $rd1 close
        $rd2 close
    }

    test {A blocked XREADGROUP does not create its consumer until served} {
        r del q
        r xgroup create q g $ MKSTREAM
        set rd [redis_deferring_client]
        $rd xreadgroup GROUP g waiting BLOCK 50 STREAMS q >
        assert_equal {} [$rd read]
        assert_equal {} [r xinfo consumers q g]
        $rd close
    }

    test {Destroying the group unblocks its consumers with NOGROUP} {
        r del q
        r xgroup create q g $ MKSTREAM
        set rd [redis_deferring_client]
        $rd xreadgroup GROUP g c BLOCK 0 STREAMS q >
        wait_for_blocked_clients_count 1
        r xgroup destroy q g
        assert_error {NOGROUP the consumer group this client was blocked on no longer exists} {$rd read}
        $rd close
    }

    test {Deleting the stream unblocks XREADGROUP with an error} {
        r del q
        r xgroup create q g $ MKSTREAM
        set rd [redis_deferring_client]
        $rd xreadgroup GROUP g c BLOCK 0 STREAMS q >
        wait_for_blocked_clients_count 1
        r del q
        assert_error {UNBLOCKED the stream key no longer exists} {$rd read}
        assert_equal 0 [s blocked_clients]
        $rd close
    }

    test {Overwriting the stream with another type unblocks XREADGROUP} {
        r del q
        r xgroup create q g $ MKSTREAM
        set rd [redis_deferring_client]
        $rd xreadgroup GROUP g c BLOCK 0 STREAMS q >
        wait_for_blocked_clients_count 1
        r set q string
        assert_error {UNBLOCKED the stream key no longer exists} {$rd read}
        $rd close
    }

    test {FLUSHALL and SWAPDB unblock XREADGROUP with an error} {
        r del q
        r xgroup create q g $ MKSTREAM
        set rd [redis_deferring_client]
        $rd xreadgroup GROUP g c BLOCK 0 STREAMS q >
        wait_for_blocked_clients_count 1
        r flushall
        assert_error {UNBLOCKED the stream key no longer exists} {$rd read}
        r xgroup create q g $ MKSTREAM
        $rd xreadgroup GROUP g c BLOCK 0 STREAMS q >
        wait_for_blocked_clients_count 1
        r swapdb 0 1
        assert_error {UNBLOCKED the stream key no longer exists} {$rd read}
        r swapdb 0 1
        r flushall
        $rd close
    }

    test {Blocked XREADGROUP times out with a null array} {
        r del q
        r xgroup create q g $ MKSTREAM
        set rd [redis_deferring_client]
        $rd readraw 1
        $rd xreadgroup GROUP g c BLOCK 30 STREAMS q >
        assert_equal {*-1} [$rd read]
        $rd close
    }

    test {Blocked XREADGROUP in RESP3, woken by XADD} {
        r del q
        r xgroup create q g $ MKSTREAM
        set rd [redis_deferring_client]
        $rd hello 3
        $rd read
        $rd readraw 1
        $rd xreadgroup GROUP g c BLOCK 0 STREAMS q >
        wait_for_blocked_clients_count 1
        r xadd q 7-0 f v
        set lines {}
        for {set i 0} {$i < 9} {incr i} {
            lappend lines [$rd read]
        }
        assert_equal {%1 $1 q *1 *2 $3 7-0 *2 $1} [join $lines " "]
        $rd close
    }

    test {Several groups on one stream are each served by one XADD} {
        r del q
        r xgroup create q g1 $ MKSTREAM
        r xgroup create q g2 $
        set rd1 [redis_deferring_client]
        set rd2 [redis_deferring_client]
        set rd3 [redis_deferring_client]
        $rd1 xreadgroup GROUP g1 a BLOCK 0 STREAMS q >
        $rd2 xreadgroup GROUP g2 b BLOCK 0 STREAMS q >
        $rd3 xread BLOCK 0 STREAMS q $
        wait_for_blocked_clients_count 3
        r xadd q 1-0 f v
        assert_equal {{q {{1-0 {f v}}}}} [$rd1 read]
        assert_equal {{q {{1-0 {f v}}}}} [$rd2 read]
        assert_equal {{q {{1-0 {f v}}}}} [$rd3 read]
        assert_equal 1 [group_field q pending g1]
        assert_equal 1 [group_field q pending g2]
        $rd1 close
        $rd2 close
        $rd3 close
    }

    test {XREADGROUP with a history ID never blocks} {
        r del q
        r xgroup create q g $ MKSTREAM
        assert_equal {{q {}}} [r xreadgroup GROUP g c BLOCK 0 STREAMS q 0]
    }

    test {XREADGROUP BLOCK inside MULTI does not block} {
        r del q
        r xgroup create q g $ MKSTREAM
        r multi
        r xreadgroup GROUP g c BLOCK 0 STREAMS q >
        assert_equal {{}} [r exec]
    } {} {needs:multi}

    test {Consumer group keyspace events} {
        r config set notify-keyspace-events KEA
        set rd [redis_deferring_client]
        $rd psubscribe __keyevent@*__:xgroup-*
        $rd read
        r del q
        r xgroup create q g $ MKSTREAM
        r xgroup createconsumer q g c
        r xgroup setid q g 0
        r xgroup delconsumer q g c
        r xgroup destroy q g
        set got {}
        for {set i 0} {$i < 5} {incr i} {
            lappend got [lindex [split [lindex [$rd read] 2] :] 1]
        }
        assert_equal {xgroup-create xgroup-createconsumer xgroup-setid xgroup-delconsumer xgroup-destroy} $got
        $rd close
        r config set notify-keyspace-events ""
    } {OK} {needs:config}
}
