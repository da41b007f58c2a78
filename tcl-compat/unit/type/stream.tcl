# Streams without consumer groups: XADD (IDs, NOMKSTREAM, trimming),
# XLEN, XRANGE/XREVRANGE, XDEL, XTRIM, XSETID, XREAD (with BLOCK), XINFO
# STREAM, node limits, keyspace events and RESP3 forms.

proc serr {code} {
    if {[catch {uplevel 1 $code} e]} {
        return $e
    }
    fail "expected an error, got '$e'"
}

# Read the rest of a reply in readraw mode, given its first line.
proc sraw_rest {c line} {
    set out "$line\r\n"
    set n [string range $line 1 end]
    switch -exact -- [string index $line 0] {
        * - ~ - > {
            for {set i 0} {$i < $n} {incr i} {
                append out [sraw_rest $c [$c read]]
            }
        }
        % - | {
            for {set i 0} {$i < 2 * $n} {incr i} {
                append out [sraw_rest $c [$c read]]
            }
        }
        $ - = - ! {
            if {$n >= 0} {
                append out "[$c read]\r\n"
            }
        }
    }
    return $out
}

# A command's reply as sent, on a client speaking `proto`.
proc sraw {proto args} {
    set c [redis_client]
    if {$proto == 3} {
        $c hello 3
    }
    $c readraw 1
    set out [sraw_rest $c [$c {*}$args]]
    $c close
    return $out
}

# A dict of XINFO STREAM's fields.
proc xinfo_field {key field} {
    dict get [r xinfo stream $key] $field
}

# Adds n entries ms-0 for ms in 1..n with a field f = ms.
proc fill_stream {key n} {
    r del $key
    for {set i 1} {$i <= $n} {incr i} {
        r xadd $key $i-0 f $i
    }
}

start_server {tags {stream}} {

    # ------------------------------------------------------------ XADD

    test {XADD with explicit IDs and XLEN} {
        r del s
        assert_equal 1-1 [r xadd s 1-1 a 1]
        assert_equal 1-2 [r xadd s 1-2 b 2 c 3]
        assert_equal 5-0 [r xadd s 5 d 4]
        assert_equal 3 [r xlen s]
        assert_equal {{1-1 {a 1}} {1-2 {b 2 c 3}} {5-0 {d 4}}} [r xrange s - +]
        assert_type stream s
        assert_encoding stream s
    }

    test {XADD * generates increasing IDs from the clock} {
        r del s
        set a [r xadd s * f v]
        set b [r xadd s * f v]
        lassign [split $a -] ams aseq
        lassign [split $b -] bms bseq
        assert {$ams > 1600000000000}
        assert {$bms > $ams || ($bms == $ams && $bseq == $aseq + 1)}
        # An ID in the future holds the clock back: seq increments.
        r xadd s 99999999999999-5 f v
        assert_equal 99999999999999-6 [r xadd s * f v]
    }

    test {XADD <ms>-* picks the next sequence} {
        r del s
        assert_equal 5-0 [r xadd s 5-* f v]
        assert_equal 5-1 [r xadd s 5-* f v]
        assert_equal 6-0 [r xadd s 6-* f v]
        assert_match {*equal or smaller*} [serr {r xadd s 4-* f v}]
    }

    test {XADD rejects IDs not above the top item, and 0-0} {
        r del s
        r xadd s 5-5 f v
        assert_equal {ERR The ID specified in XADD is equal or smaller than the target stream top item} [serr {r xadd s 5-5 f v}]
        assert_match {*equal or smaller*} [serr {r xadd s 5-4 f v}]
        assert_equal {ERR The ID specified in XADD must be greater than 0-0} [serr {r xadd s 0-0 f v}]
        assert_equal {ERR The ID specified in XADD must be greater than 0-0} [serr {r xadd fresh 0 f v}]
        assert_equal 0 [r exists fresh]
    }

    test {XADD ID syntax errors} {
        foreach id {abc 1-x -1 + - (5 1- 18446744073709551616-0 1-18446744073709551616} {
            assert_equal {ERR Invalid stream ID specified as stream command argument} [serr {r xadd s $id f v}] $id
        }
    }

    test {XADD field/value arity} {
        assert_equal {ERR wrong number of arguments for 'xadd' command} [serr {r xadd s 9-9 f}]
        assert_equal {ERR wrong number of arguments for 'xadd' command} [serr {r xadd s 9-9 f v g}]
        assert_equal {ERR wrong number of arguments for 'xadd' command} [serr {r xadd s NOMKSTREAM}]
    }

    test {XADD NOMKSTREAM} {
        r del nos
        assert_equal {} [r xadd nos NOMKSTREAM * f v]
        assert_equal 0 [r exists nos]
        r xadd nos 1-1 f v
        assert_equal 2-0 [r xadd nos NOMKSTREAM 2 f v]
    }

    test {XADD against a key of another type} {
        r set str x
        assert_match {WRONGTYPE*} [serr {r xadd str * f v}]
        assert_match {WRONGTYPE*} [serr {r xlen str}]
        assert_match {WRONGTYPE*} [serr {r xrange str - +}]
    }

    test {XADD at the last possible ID} {
        r del big
        r xadd big 18446744073709551615-18446744073709551614 f v
        assert_equal 18446744073709551615-18446744073709551615 [r xadd big 18446744073709551615-* f v]
        assert_equal {ERR The stream has exhausted the last possible ID, unable to add more items} [serr {r xadd big * f v}]
        assert_match {ERR The stream has exhausted*} [serr {r xadd big 18446744073709551615-* f v}]
        r del big
        r xadd big 18446744073709551615-18446744073709551614 f v
        assert_match {*equal or smaller*} [serr {r xadd big 18446744073709551615-18446744073709551614 f v}]
    }

    test {XADD keeps binary fields and values} {
        r del s
        r xadd s 1-1 "a\x00b" "\r\n\x00" "" ""
        assert_equal [list [list 1-1 [list "a\x00b" "\r\n\x00" "" ""]]] [r xrange s - +]
    }

    test {XADD fields that look like numbers round-trip as written} {
        r del s
        r xadd s 1-1 01 -0 1 -1 9223372036854775807 9223372036854775808
        assert_equal {{1-1 {01 -0 1 -1 9223372036854775807 9223372036854775808}}} [r xrange s - +]
    }

    # ------------------------------------------------------------ trimming

    test {XADD MAXLEN trims exactly with = or nothing} {
        fill_stream s 10
        r xadd s MAXLEN 5 11-0 f 11
        assert_equal 5 [r xlen s]
        assert_equal 7-0 [lindex [r xrange s - + COUNT 1] 0 0]
        r xadd s MAXLEN = 2 12-0 f 12
        assert_equal {11-0 12-0} [lmap e [r xrange s - +] {lindex $e 0}]
    }

    test {XADD MINID trims entries below the ID} {
        fill_stream s 10
        r xadd s MINID 8 11-0 f 11
        assert_equal {8-0 9-0 10-0 11-0} [lmap e [r xrange s - +] {lindex $e 0}]
    }

    test {XADD trimming errors} {
        assert_equal {ERR The MAXLEN argument must be >= 0.} [serr {r xadd s MAXLEN -1 * f v}]
        assert_equal {ERR value is not an integer or out of range} [serr {r xadd s MAXLEN x * f v}]
        assert_equal {ERR syntax error, MAXLEN and MINID options at the same time are not compatible} [serr {r xadd s MAXLEN 5 MINID 1 * f v}]
        assert_equal {ERR syntax error, LIMIT cannot be used without specifying a trimming strategy} [serr {r xadd s LIMIT 5 * f v}]
        assert_equal {ERR syntax error, LIMIT cannot be used without the special ~ option} [serr {r xadd s MAXLEN 5 LIMIT 5 * f v}]
        assert_equal {ERR The LIMIT argument must be >= 0.} [serr {r xadd s MAXLEN ~ 5 LIMIT -1 * f v}]
        assert_equal {ERR Invalid stream ID specified as stream command argument} [serr {r xadd s MINID x * f v}]
    }

    test {XTRIM MAXLEN and MINID, exact} {
        fill_stream s 10
        assert_equal 4 [r xtrim s MAXLEN 6]
        assert_equal 6 [r xlen s]
        assert_equal 0 [r xtrim s MAXLEN 6]
        assert_equal 3 [r xtrim s MINID 8]
        assert_equal {8-0 9-0 10-0} [lmap e [r xrange s - +] {lindex $e 0}]
        assert_equal 8-0 [xinfo_field s recorded-first-entry-id]
        assert_equal 3 [r xtrim s MAXLEN 0]
        assert_equal 0 [r xlen s]
        assert_equal 1 [r exists s]
        assert_equal 0-0 [xinfo_field s recorded-first-entry-id]
        assert_equal 10-0 [xinfo_field s last-generated-id]
    }

    test {XTRIM ~ removes whole nodes only} {
        r config set stream-node-max-entries 3
        fill_stream s 10
        assert_equal 4 [xinfo_field s radix-tree-keys]
        # 10 entries in nodes of 3, 3, 3, 1: MAXLEN ~ 5 can drop one node.
        assert_equal 3 [r xtrim s MAXLEN ~ 5]
        assert_equal 7 [r xlen s]
        # LIMIT caps the entries removed, whole nodes only.
        assert_equal 0 [r xtrim s MAXLEN ~ 0 LIMIT 2]
        assert_equal 3 [r xtrim s MAXLEN ~ 0 LIMIT 5]
        assert_equal 4 [r xlen s]
        assert_equal 3 [r xtrim s MINID ~ 10]
        assert_equal 1 [r xlen s]
        r config set stream-node-max-entries 100
    } {OK} {needs:config}

    test {XTRIM errors} {
        assert_equal {ERR wrong number of arguments for 'xtrim' command} [serr {r xtrim s}]
        assert_equal {ERR syntax error} [serr {r xtrim s FOO 1}]
        assert_equal {ERR syntax error, XTRIM must be called with a trimming strategy} [serr {r xtrim s LIMIT 0}]
        assert_equal {ERR syntax error, LIMIT cannot be used without specifying a trimming strategy} [serr {r xtrim s LIMIT 1}]
        assert_equal {ERR syntax error} [serr {r xtrim s MAXLEN 1 extra}]
        assert_equal 0 [r xtrim nokey MAXLEN 1]
        assert_match {WRONGTYPE*} [serr {r xtrim str MAXLEN 1}]
    }

    # ------------------------------------------------------------ node limits

    test {stream-node-max-entries and stream-node-max-bytes split nodes} {
        r config set stream-node-max-entries 5
        fill_stream s 12
        assert_equal 3 [xinfo_field s radix-tree-keys]
        r config set stream-node-max-entries 0
        r config set stream-node-max-bytes 100
        r del s
        for {set i 1} {$i <= 10} {incr i} {
            r xadd s $i-0 field [string repeat x 30]
        }
        assert_morethan [xinfo_field s radix-tree-keys] 3
        r config set stream-node-max-bytes 0
        fill_stream s 300
        assert_equal 1 [xinfo_field s radix-tree-keys]
        r config set stream-node-max-entries 100
        r config set stream-node-max-bytes 4096
        assert_equal {stream-node-max-bytes 4096} [r config get stream-node-max-bytes]
    } {} {needs:config}

    # ------------------------------------------------------------ XRANGE

    test {XRANGE and XREVRANGE bounds, COUNT and exclusive ranges} {
        fill_stream s 5
        assert_equal {2-0 3-0 4-0} [lmap e [r xrange s 2 4] {lindex $e 0}]
        assert_equal {4-0 3-0 2-0} [lmap e [r xrevrange s 4 2] {lindex $e 0}]
        assert_equal {3-0} [lmap e [r xrange s (2-0 (4-0] {lindex $e 0}]
        assert_equal {1-0 2-0} [lmap e [r xrange s - + COUNT 2] {lindex $e 0}]
        assert_equal {5-0 4-0} [lmap e [r xrevrange s + - COUNT 2] {lindex $e 0}]
        assert_equal {} [r xrange s 4 2]
        assert_equal {} [r xrange nokey - +]
        # The ms-only form covers every sequence of that millisecond.
        r xadd s 5-7 f v
        assert_equal {5-0 5-7} [lmap e [r xrange s 5 5] {lindex $e 0}]
    }

    test {XRANGE COUNT 0 and negative COUNT give a null array} {
        fill_stream s 3
        assert_equal {} [r xrange s - + COUNT 0]
        assert_equal "*-1\r\n" [sraw 2 xrange s - + COUNT 0]
        assert_equal "*-1\r\n" [sraw 2 xrange s - + COUNT -5]
        assert_equal "*0\r\n" [sraw 2 xrange nokey - + COUNT 0]
    }

    test {XRANGE errors} {
        assert_equal {ERR Invalid stream ID specified as stream command argument} [serr {r xrange s x +}]
        assert_equal {ERR Invalid stream ID specified as stream command argument} [serr {r xrange s (- +}]
        assert_equal {ERR invalid start ID for the interval} [serr {r xrange s (18446744073709551615-18446744073709551615 +}]
        assert_equal {ERR invalid end ID for the interval} [serr {r xrange s - (0-0}]
        assert_equal {ERR syntax error} [serr {r xrange s - + COUNT}]
        assert_equal {ERR syntax error} [serr {r xrange s - + FOO 1}]
        assert_equal {ERR value is not an integer or out of range} [serr {r xrange s - + COUNT x}]
    }

    test {XRANGE with a huge COUNT on a small stream} {
        fill_stream s 3
        assert_equal 3 [llength [r xrange s - + COUNT 9223372036854775807]]
    }

    # ------------------------------------------------------------ XDEL

    test {XDEL removes entries and updates the metadata} {
        fill_stream s 5
        assert_equal 2 [r xdel s 1-0 3-0 3-0 9-0]
        assert_equal 3 [r xlen s]
        assert_equal {2-0 4-0 5-0} [lmap e [r xrange s - +] {lindex $e 0}]
        assert_equal 3-0 [xinfo_field s max-deleted-entry-id]
        assert_equal 2-0 [xinfo_field s recorded-first-entry-id]
        assert_equal 5 [xinfo_field s entries-added]
        assert_equal 0 [r xdel nokey 1-0]
        assert_equal {ERR Invalid stream ID specified as stream command argument} [serr {r xdel s x}]
        assert_equal 3 [r xlen s]
    }

    test {XDEL of every entry keeps an empty stream} {
        fill_stream s 3
        assert_equal 3 [r xdel s 1-0 2-0 3-0]
        assert_equal 1 [r exists s]
        assert_equal 0 [r xlen s]
        assert_equal 0 [xinfo_field s radix-tree-keys]
        assert_equal 0-0 [xinfo_field s recorded-first-entry-id]
        assert_equal {} [xinfo_field s first-entry]
    }

    test {XDEL across many nodes keeps ranges right} {
        r config set stream-node-max-entries 4
        fill_stream s 40
        for {set i 1} {$i <= 40} {incr i 3} {
            r xdel s $i-0
        }
        set want {}
        for {set i 1} {$i <= 40} {incr i} {
            if {($i - 1) % 3 != 0} {
                lappend want $i-0
            }
        }
        assert_equal $want [lmap e [r xrange s - +] {lindex $e 0}]
        assert_equal [lreverse $want] [lmap e [r xrevrange s + -] {lindex $e 0}]
        assert_equal [llength $want] [r xlen s]
        r config set stream-node-max-entries 100
    } {OK} {needs:config}

    # ------------------------------------------------------------ XSETID

    test {XSETID moves the last ID and the counters} {
        fill_stream s 3
        assert_equal {ERR The ID specified in XSETID is smaller than the target stream top item} [serr {r xsetid s 2-0}]
        assert_equal OK [r xsetid s 10-0]
        assert_equal 10-0 [xinfo_field s last-generated-id]
        assert_match {*equal or smaller*} [serr {r xadd s 10-0 f v}]
        assert_equal OK [r xsetid s 11-0 ENTRIESADDED 50 MAXDELETEDID 9-0]
        assert_equal 50 [xinfo_field s entries-added]
        assert_equal 9-0 [xinfo_field s max-deleted-entry-id]
        assert_equal {ERR The entries_added specified in XSETID is smaller than the target stream length} [serr {r xsetid s 12-0 ENTRIESADDED 1}]
        assert_equal {ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id} [serr {r xsetid s 12-0 MAXDELETEDID 13-0}]
        # 7.0 does not check the ID against the current max deleted ID.
        assert_equal OK [r xsetid s 8-0]
        assert_equal {ERR entries_added must be positive} [serr {r xsetid s 12-0 ENTRIESADDED -1}]
        assert_equal {ERR syntax error} [serr {r xsetid s 12-0 FOO}]
        assert_equal {ERR no such key} [serr {r xsetid nokey 1-0}]
    }

    # ------------------------------------------------------------ XREAD

    test {XREAD from several streams} {
        r del r1 r2
        r xadd r1 1-1 a 1
        r xadd r1 2-1 b 2
        r xadd r2 1-1 c 3
        assert_equal {{r1 {{1-1 {a 1}} {2-1 {b 2}}}} {r2 {{1-1 {c 3}}}}} [r xread STREAMS r1 r2 0 0]
        assert_equal {{r1 {{2-1 {b 2}}}}} [r xread COUNT 1 STREAMS r1 r2 1-1 1-1]
        assert_equal {} [r xread STREAMS r1 $]
        assert_equal {} [r xread STREAMS nokey 0]
    }

    test {XREAD errors} {
        assert_equal {ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.} [serr {r xread STREAMS r1 r2 0}]
        assert_equal {ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.} [serr {r xread STREAMS r1 >}]
        assert_equal {ERR Invalid stream ID specified as stream command argument} [serr {r xread STREAMS r1 +}]
        assert_equal {ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.} [serr {r xread GROUP g c STREAMS r1 0}]
        assert_equal {ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.} [serr {r xread NOACK STREAMS r1 0}]
        assert_equal {ERR timeout is not an integer or out of range} [serr {r xread BLOCK x STREAMS r1 0}]
        assert_equal {ERR timeout is negative} [serr {r xread BLOCK -1 STREAMS r1 0}]
        assert_equal {ERR syntax error} [serr {r xread COUNT 1 STREAMS}]
        assert_match {WRONGTYPE*} [serr {r xread STREAMS r1 str 0 0}]
    }

    test {XREAD BLOCK is served by XADD from another client} {
        r del b1
        set rd [redis_deferring_client]
        $rd xread BLOCK 0 STREAMS b1 $
        wait_for_blocked_clients_count 1
        r xadd b1 1-1 k v
        assert_equal {{b1 {{1-1 {k v}}}}} [$rd read]
        $rd close
    }

    test {XREAD BLOCK $ waits for entries after the ID at block time} {
        r del b1
        r xadd b1 1-1 old v
        set rd [redis_deferring_client]
        $rd xread BLOCK 0 STREAMS b1 $
        wait_for_blocked_clients_count 1
        r xadd b1 2-1 new v
        assert_equal {{b1 {{2-1 {new v}}}}} [$rd read]
        $rd close
    }

    test {XREAD BLOCK on several keys is served by the key written} {
        r del b1 b2
        set rd [redis_deferring_client]
        $rd xread BLOCK 0 STREAMS b1 b2 $ $
        wait_for_blocked_clients_count 1
        r xadd b2 1-1 k v
        assert_equal {{b2 {{1-1 {k v}}}}} [$rd read]
        $rd close
    }

    test {XREAD BLOCK serves every waiting client, COUNT honoured} {
        r del b1
        set rd1 [redis_deferring_client]
        set rd2 [redis_deferring_client]
        $rd1 xread BLOCK 0 STREAMS b1 $
        $rd2 xread COUNT 1 BLOCK 0 STREAMS b1 $
        wait_for_blocked_clients_count 2
        r multi
        r xadd b1 1-1 a 1
        r xadd b1 2-1 b 2
        r exec
        assert_equal {{b1 {{1-1 {a 1}} {2-1 {b 2}}}}} [$rd1 read]
        assert_equal {{b1 {{1-1 {a 1}}}}} [$rd2 read]
        $rd1 close
        $rd2 close
    } {} {needs:multi}

    test {XREAD BLOCK times out with a null array} {
        set rd [redis_deferring_client]
        $rd readraw 1
        $rd xread BLOCK 50 STREAMS b1 $
        assert_equal {*-1} [$rd read]
        $rd close
    }

    test {XREAD BLOCK stays blocked when the key is deleted or changes type} {
        r del b1
        set rd [redis_deferring_client]
        $rd xread BLOCK 0 STREAMS b1 $
        wait_for_blocked_clients_count 1
        r set b1 string
        r del b1
        assert_equal 1 [s blocked_clients]
        r xadd b1 3-3 f v
        assert_equal {{b1 {{3-3 {f v}}}}} [$rd read]
        $rd close
    }

    test {XREAD BLOCK inside MULTI does not block} {
        r del b1
        r multi
        r xread BLOCK 0 STREAMS b1 $
        assert_equal {{}} [r exec]
    } {} {needs:multi}

    test {XREAD BLOCK with data answers at once} {
        r del b1
        r xadd b1 1-1 f v
        assert_equal {{b1 {{1-1 {f v}}}}} [r xread BLOCK 0 STREAMS b1 0]
    }

    test {A blocked XREAD can be unblocked by CLIENT UNBLOCK} {
        set rd [redis_deferring_client]
        $rd client id
        set id [$rd read]
        $rd xread BLOCK 0 STREAMS nokey $
        wait_for_blocked_clients_count 1
        assert_equal 1 [r client unblock $id]
        assert_equal {} [$rd read]
        $rd close
    }

    # ------------------------------------------------------------ XINFO STREAM

    test {XINFO STREAM fields} {
        r del s
        r xadd s 1-1 a 1
        r xadd s 2-1 b 2
        set i [r xinfo stream s]
        assert_equal {length radix-tree-keys radix-tree-nodes last-generated-id max-deleted-entry-id entries-added recorded-first-entry-id groups first-entry last-entry} [dict keys $i]
        assert_equal 2 [dict get $i length]
        assert_equal 1 [dict get $i radix-tree-keys]
        assert_equal 2 [dict get $i radix-tree-nodes]
        assert_equal {1-1 {a 1}} [dict get $i first-entry]
        assert_equal {2-1 {b 2}} [dict get $i last-entry]
        assert_equal 0 [dict get $i groups]
    }

    test {XINFO STREAM FULL and COUNT} {
        fill_stream s 20
        set i [r xinfo stream s FULL]
        assert_equal {length radix-tree-keys radix-tree-nodes last-generated-id max-deleted-entry-id entries-added recorded-first-entry-id entries groups} [dict keys $i]
        assert_equal 10 [llength [dict get $i entries]]
        assert_equal 3 [llength [dict get [r xinfo stream s FULL COUNT 3] entries]]
        assert_equal 20 [llength [dict get [r xinfo stream s FULL COUNT 0] entries]]
        assert_match {ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.} [serr {r xinfo stream s FOO}]
        assert_equal {ERR no such key} [serr {r xinfo stream nokey}]
    }

    test {XINFO radix-tree-nodes follows the node keys} {
        r config set stream-node-max-entries 1
        r del s
        r xadd s 1-1 f v
        r xadd s 1-2 f v
        r xadd s 1-3 f v
        assert_equal 3 [xinfo_field s radix-tree-keys]
        assert_equal 5 [xinfo_field s radix-tree-nodes]
        r config set stream-node-max-entries 100
    } {OK} {needs:config}

    # ------------------------------------------------------------ RESP3

    test {XRANGE and XREAD in RESP2 and RESP3} {
        r del s
        r xadd s 1-1 f v
        assert_equal "*1\r\n*2\r\n\$3\r\n1-1\r\n*2\r\n\$1\r\nf\r\n\$1\r\nv\r\n" [sraw 3 xrange s - +]
        assert_equal "*1\r\n*2\r\n\$1\r\ns\r\n*1\r\n*2\r\n\$3\r\n1-1\r\n*2\r\n\$1\r\nf\r\n\$1\r\nv\r\n" [sraw 2 xread STREAMS s 0]
        assert_equal "%1\r\n\$1\r\ns\r\n*1\r\n*2\r\n\$3\r\n1-1\r\n*2\r\n\$1\r\nf\r\n\$1\r\nv\r\n" [sraw 3 xread STREAMS s 0]
        assert_equal "_\r\n" [sraw 3 xread STREAMS s 1-1]
        assert_equal "_\r\n" [sraw 3 xadd nos2 NOMKSTREAM * f v]
        assert_equal "\$-1\r\n" [sraw 2 xadd nos2 NOMKSTREAM * f v]
        assert_match "%10\r\n*" [sraw 3 xinfo stream s]
    }

    test {A blocked XREAD gets a RESP3 map} {
        r del b1
        set rd [redis_deferring_client]
        $rd hello 3
        $rd read
        $rd readraw 1
        $rd xread BLOCK 0 STREAMS nokey b1 $ $
        wait_for_blocked_clients_count 1
        r xadd b1 1-1 f v
        set lines {}
        for {set i 0} {$i < 9} {incr i} {
            lappend lines [$rd read]
        }
        assert_equal {%1 $2 b1 *1 *2 $3 1-1 *2 $1} [join $lines " "]
        $rd close
    }

    # ------------------------------------------------------------ metadata

    test {COMMAND INFO and GETKEYS of stream commands} {
        set xadd [lindex [r command info xadd] 0]
        assert_equal {xadd -5 {write denyoom fast} 1 1 1} [lrange $xadd 0 5]
        set spec [lindex $xadd 8 0]
        assert_equal {UPDATE instead of INSERT because of the optional trimming feature} [dict get $spec notes]
        set xread [lindex [r command info xread] 0]
        assert_equal {xread -4 {readonly blocking movablekeys} 0 0 0} [lrange $xread 0 5]
        assert_equal {a b} [r command getkeys xread COUNT 1 STREAMS a b 0 0]
        assert_equal {a} [r command getkeys xreadgroup GROUP g c STREAMS a >]
        assert_equal {xinfo|stream xinfo|groups xinfo|consumers xinfo|help} \
            [lsort -command {apply {{a b} {expr {[lsearch {xinfo|stream xinfo|groups xinfo|consumers xinfo|help} $a] - [lsearch {xinfo|stream xinfo|groups xinfo|consumers xinfo|help} $b]}}}} \
                [lmap e [lindex [r command info xinfo] 0 9] {lindex $e 0}]]
        assert_equal stream [dict get [lindex [r command docs xgroup|create] 1] group]
    }

    # ------------------------------------------------------------ events

    test {Keyspace events of XADD, XTRIM, XDEL and XSETID} {
        r config set notify-keyspace-events KEA
        set rd [redis_deferring_client]
        $rd psubscribe __keyevent@*__:x*
        $rd read
        r del s
        r xadd s 1-1 f v
        r xadd s MAXLEN 0 2-1 f v
        r xadd s 3-1 f v
        r xdel s 3-1
        r xtrim s MAXLEN 0
        r xsetid s 10-0
        set got {}
        for {set i 0} {$i < 6} {incr i} {
            lappend got [lindex [split [lindex [$rd read] 2] :] 1]
        }
        assert_equal {xadd xadd xtrim xadd xdel xsetid} $got
        $rd close
        r config set notify-keyspace-events ""
    } {OK} {needs:config}
}
