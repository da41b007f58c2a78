# List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET
# LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP, the listpack and quicklist
# encodings and the conversions between them (Redis 7.2's; tests of them are
# tagged redis72, as Redis 7.0 has only quicklists), quicklist node size
# limits and plain nodes. The blocking commands are tested in
# list-blocking.tcl.

# The error message of a command, or "" if it did not fail.
proc lerr {code} {
    if {[catch {uplevel 1 $code} e]} {
        return $e
    }
    return ""
}

# A field of DEBUG OBJECT (ql_nodes, ql_listpack_max, ...).
proc ql_field {key field} {
    foreach kv [split [r debug object $key]] {
        lassign [split $kv :] k v
        if {$k eq $field} {
            return $v
        }
    }
    error "no $field in DEBUG OBJECT $key"
}

# Reads the rest of a reply in readraw mode, given its first line, and
# returns the protocol text.
proc lraw_rest {c line} {
    set out "$line\r\n"
    set n [string range $line 1 end]
    switch -exact -- [string index $line 0] {
        * - ~ - > {
            for {set i 0} {$i < $n} {incr i} {
                append out [lraw_rest $c [$c read]]
            }
        }
        % {
            for {set i 0} {$i < 2 * $n} {incr i} {
                append out [lraw_rest $c [$c read]]
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

# Runs a command with the default client and returns the reply as sent.
proc lraw {args} {
    set c [srv 0 client]
    $c readraw 1
    try {
        return [lraw_rest $c [$c {*}$args]]
    } finally {
        $c readraw 0
    }
}

# Fills `key` with the elements of `items`, from scratch.
proc lfill {key items} {
    r del $key
    if {[llength $items]} {
        r rpush $key {*}$items
    }
}

start_server {tags {list}} {

    # ------------------------------------------------------------ push / len

    test {LPUSH and RPUSH return the new length and build the list} {
        r del l
        assert_equal 1 [r rpush l b]
        assert_equal 2 [r lpush l a]
        assert_equal 5 [r rpush l c d e]
        assert_equal 7 [r lpush l y z]
        assert_equal {z y a b c d e} [r lrange l 0 -1]
        assert_equal 7 [r llen l]
        assert_equal list [r type l]
    }

    test {A small list is a listpack, a big one a quicklist} {
        r del l
        r rpush l 1
        assert_encoding listpack l
        r rpush l [string repeat x 10000]
        assert_encoding quicklist l
    } {} {needs:encoding redis72}

    test {LPUSHX and RPUSHX push only onto an existing list} {
        r del l
        assert_equal 0 [r lpushx l a]
        assert_equal 0 [r rpushx l a b]
        assert_equal 0 [r exists l]
        r rpush l m
        assert_equal 3 [r lpushx l b a]
        assert_equal 5 [r rpushx l y z]
        assert_equal {a b m y z} [r lrange l 0 -1]
    }

    test {LLEN of a missing key is 0} {
        r del nokey
        assert_equal 0 [r llen nokey]
    }

    test {Push arity errors} {
        foreach cmd {lpush rpush lpushx rpushx} {
            assert_equal "ERR wrong number of arguments for '$cmd' command" [lerr {r $cmd l}]
        }
    }

    test {Elements are binary safe, empty ones included} {
        r del l
        set bin "a\x00b\r\n\xff"
        r rpush l $bin {} " "
        assert_equal [list $bin {} " "] [r lrange l 0 -1]
        assert_equal {} [r lindex l 1]
    }

    test {Integer-looking elements come back exactly as pushed} {
        set items [list 0 -1 123 -123 9223372036854775807 -9223372036854775808 \
            9223372036854775808 -9223372036854775809 007 -0 +1 { 1} 1.5 0x10 12345678901234567890]
        lfill l $items
        assert_equal $items [r lrange l 0 -1]
        for {set i 0} {$i < [llength $items]} {incr i} {
            assert_equal [lindex $items $i] [r lindex l $i]
        }
    }

    # ------------------------------------------------------------ pop

    test {LPOP and RPOP take one element from each end} {
        lfill l {a b c}
        assert_equal a [r lpop l]
        assert_equal c [r rpop l]
        assert_equal {b} [r lrange l 0 -1]
    }

    test {Popping the last element deletes the key} {
        lfill l {only}
        assert_equal only [r rpop l]
        assert_equal 0 [r exists l]
        assert_equal {} [r lpop l]
        assert_equal {} [r rpop l]
    }

    test {LPOP and RPOP with a count} {
        lfill l {a b c d e}
        assert_equal {a b} [r lpop l 2]
        assert_equal {e d} [r rpop l 2]
        assert_equal {c} [r lpop l 10]
        assert_equal 0 [r exists l]
    }

    test {LPOP with count 0, and counts against a missing key} {
        lfill l {a b}
        # Count 0: an empty array for a list, nil for a missing key.
        assert_equal "*0\r\n" [lraw lpop l 0]
        assert_equal "*-1\r\n" [lraw lpop nokey 0]
        assert_equal "*-1\r\n" [lraw rpop nokey 3]
        assert_equal "\$-1\r\n" [lraw lpop nokey]
        assert_equal {a b} [r lrange l 0 -1]
    }

    test {LPOP count errors come before the key lookup} {
        lfill l {a b}
        set msg {ERR value is out of range, must be positive}
        assert_equal $msg [lerr {r lpop l -1}]
        assert_equal $msg [lerr {r rpop l x}]
        assert_equal $msg [lerr {r lpop nokey -1}]
        r set s str
        assert_equal $msg [lerr {r lpop s x}]
        assert_match {WRONGTYPE*} [lerr {r lpop s 1}]
        assert_equal {ERR wrong number of arguments for 'lpop' command} [lerr {r lpop l 1 2}]
        assert_equal {ERR wrong number of arguments for 'rpop' command} [lerr {r rpop}]
    }

    test {A large count pops everything} {
        lfill l {1 2 3}
        assert_equal {3 2 1} [r rpop l 9223372036854775807]
    }

    # ------------------------------------------------------------ LRANGE

    test {LRANGE with positive and negative indexes} {
        lfill l {0 1 2 3 4 5 6 7 8 9}
        assert_equal {0 1 2} [r lrange l 0 2]
        assert_equal {7 8 9} [r lrange l -3 -1]
        assert_equal {2 3 4 5 6 7} [r lrange l 2 -3]
        assert_equal {9} [r lrange l -1 -1]
        assert_equal {} [r lrange l 5 4]
        assert_equal {} [r lrange l -1 -2]
    }

    test {LRANGE clamps out of range indexes} {
        lfill l {a b c}
        assert_equal {a b c} [r lrange l -100 100]
        assert_equal {a} [r lrange l -100 0]
        assert_equal {} [r lrange l 3 10]
        assert_equal {} [r lrange l 0 -100]
        assert_equal {a b c} [r lrange l -9223372036854775808 9223372036854775807]
        assert_equal {} [r lrange l 9223372036854775807 -9223372036854775808]
    }

    test {LRANGE parses its indexes before looking at the key} {
        r del nokey
        assert_equal {} [r lrange nokey 0 -1]
        assert_equal "*0\r\n" [lraw lrange nokey 0 -1]
        assert_equal {ERR value is not an integer or out of range} [lerr {r lrange nokey x 1}]
        assert_equal {ERR value is not an integer or out of range} [lerr {r lrange nokey 1 9223372036854775808}]
    }

    test {LRANGE of a long list matches a walk from either end} {
        r del l
        set items {}
        for {set i 0} {$i < 3000} {incr i} {
            lappend items "e$i"
        }
        r rpush l {*}$items
        assert_equal $items [r lrange l 0 -1]
        assert_equal [lrange $items 1000 1010] [r lrange l 1000 1010]
        assert_equal [lrange $items 2900 end] [r lrange l -100 -1]
        assert_equal [lrange $items 1500 1500] [r lrange l 1500 1500]
    }

    # ------------------------------------------------------------ LINDEX / LSET

    test {LINDEX from both ends, out of range is nil} {
        lfill l {a b c}
        assert_equal a [r lindex l 0]
        assert_equal c [r lindex l -1]
        assert_equal a [r lindex l -3]
        assert_equal {} [r lindex l 3]
        assert_equal {} [r lindex l -4]
        assert_equal {} [r lindex l 9223372036854775807]
        assert_equal {} [r lindex l -9223372036854775808]
    }

    test {LINDEX looks at the key before parsing the index} {
        r del nokey
        assert_equal {} [r lindex nokey x]
        lfill l {a}
        assert_equal {ERR value is not an integer or out of range} [lerr {r lindex l x}]
        r set s str
        assert_match {WRONGTYPE*} [lerr {r lindex s x}]
    }

    test {LSET replaces an element} {
        lfill l {a b c}
        assert_equal OK [r lset l 1 B]
        assert_equal OK [r lset l -1 C]
        assert_equal OK [r lset l 0 12345]
        assert_equal {12345 B C} [r lrange l 0 -1]
    }

    test {LSET errors} {
        lfill l {a b c}
        assert_equal {ERR index out of range} [lerr {r lset l 3 x}]
        assert_equal {ERR index out of range} [lerr {r lset l -4 x}]
        assert_equal {ERR value is not an integer or out of range} [lerr {r lset l x x}]
        r del nokey
        assert_equal {ERR no such key} [lerr {r lset nokey 0 x}]
        assert_equal {ERR no such key} [lerr {r lset nokey x x}]
        r set s str
        assert_match {WRONGTYPE*} [lerr {r lset s 0 x}]
    }

    # ------------------------------------------------------------ LINSERT

    test {LINSERT before and after the first match of the pivot} {
        lfill l {a b c b}
        assert_equal 5 [r linsert l before b X]
        assert_equal 6 [r linsert l after b Y]
        assert_equal 7 [r linsert l AFTER b Z]
        assert_equal {a X b Z Y c b} [r lrange l 0 -1]
        assert_equal 8 [r linsert l before a first]
        assert_equal 9 [r linsert l after b last-b]
        assert_equal 10 [r linsert l after c after-c]
        assert_equal {first a X b last-b Z Y c after-c b} [r lrange l 0 -1]
    }

    test {LINSERT with a missing pivot or key} {
        lfill l {a b}
        assert_equal -1 [r linsert l before zz x]
        r del nokey
        assert_equal 0 [r linsert nokey before a x]
        assert_equal 0 [r exists nokey]
    }

    test {LINSERT compares integers as strings} {
        lfill l {10 010 -5}
        r linsert l after 10 A
        r linsert l after 010 B
        r linsert l before -5 C
        assert_equal -1 [r linsert l before +10 x]
        assert_equal -1 [r linsert l before 10.0 x]
        assert_equal {10 A 010 B C -5} [r lrange l 0 -1]
    }

    test {LINSERT errors} {
        lfill l {a}
        assert_equal {ERR syntax error} [lerr {r linsert l middle a x}]
        assert_equal {ERR syntax error} [lerr {r linsert nokey middle a x}]
        r set s str
        assert_match {WRONGTYPE*} [lerr {r linsert s before a x}]
        assert_equal {ERR syntax error} [lerr {r linsert s middle a x}]
    }

    # ------------------------------------------------------------ LREM

    test {LREM from the head, from the tail, and all} {
        lfill l {a b a c a b a}
        assert_equal 2 [r lrem l 2 a]
        assert_equal {b c a b a} [r lrange l 0 -1]
        assert_equal 1 [r lrem l -1 b]
        assert_equal {b c a a} [r lrange l 0 -1]
        assert_equal 2 [r lrem l 0 a]
        assert_equal {b c} [r lrange l 0 -1]
        assert_equal 0 [r lrem l 0 zz]
    }

    test {LREM removing every element deletes the key} {
        lfill l {x x x}
        assert_equal 3 [r lrem l 0 x]
        assert_equal 0 [r exists l]
        assert_equal 0 [r lrem l 0 x]
    }

    test {LREM matches integers exactly} {
        lfill l {1 01 1 -1 1}
        assert_equal 3 [r lrem l 0 1]
        assert_equal {01 -1} [r lrange l 0 -1]
    }

    test {LREM with the most negative count removes all from the tail} {
        lfill l {a b a b a}
        assert_equal 3 [r lrem l -9223372036854775808 a]
        assert_equal {b b} [r lrange l 0 -1]
    }

    test {LREM errors} {
        assert_equal {ERR value is not an integer or out of range} [lerr {r lrem nokey x a}]
        r set s str
        assert_match {WRONGTYPE*} [lerr {r lrem s 0 a}]
    }

    # ------------------------------------------------------------ LTRIM

    test {LTRIM keeps a range} {
        lfill l {0 1 2 3 4 5 6 7 8 9}
        assert_equal OK [r ltrim l 2 -3]
        assert_equal {2 3 4 5 6 7} [r lrange l 0 -1]
        assert_equal OK [r ltrim l -100 100]
        assert_equal {2 3 4 5 6 7} [r lrange l 0 -1]
        assert_equal OK [r ltrim l 1 1]
        assert_equal {3} [r lrange l 0 -1]
    }

    test {LTRIM to an empty range deletes the key} {
        lfill l {a b c}
        assert_equal OK [r ltrim l 2 1]
        assert_equal 0 [r exists l]
        lfill l {a b c}
        assert_equal OK [r ltrim l 5 10]
        assert_equal 0 [r exists l]
        assert_equal OK [r ltrim nokey 0 1]
    }

    test {LTRIM errors} {
        assert_equal {ERR value is not an integer or out of range} [lerr {r ltrim nokey a 1}]
        r set s str
        assert_match {WRONGTYPE*} [lerr {r ltrim s 0 1}]
    }

    test {LTRIM as a capped log} {
        r del log
        for {set i 0} {$i < 200} {incr i} {
            r lpush log $i
            r ltrim log 0 9
        }
        assert_equal {199 198 197 196 195 194 193 192 191 190} [r lrange log 0 -1]
    }

    # ------------------------------------------------------------ LPOS

    test {LPOS finds the first match} {
        lfill l {a b c 1 2 3 c c}
        assert_equal 2 [r lpos l c]
        assert_equal 3 [r lpos l 1]
        assert_equal {} [r lpos l zz]
        assert_equal {} [r lpos nokey a]
    }

    test {LPOS with RANK, COUNT and MAXLEN} {
        lfill l {a b c d c e c f}
        assert_equal 4 [r lpos l c RANK 2]
        assert_equal 6 [r lpos l c RANK -1]
        assert_equal 2 [r lpos l c RANK -3]
        assert_equal {} [r lpos l c RANK 4]
        assert_equal {2 4} [r lpos l c COUNT 2]
        assert_equal {2 4 6} [r lpos l c COUNT 0]
        assert_equal {4 6} [r lpos l c RANK 2 COUNT 0]
        assert_equal {6 4} [r lpos l c RANK -1 COUNT 2]
        assert_equal {2} [r lpos l c COUNT 0 MAXLEN 4]
        assert_equal {} [r lpos l c MAXLEN 2]
        assert_equal {4} [r lpos l c RANK -2 MAXLEN 4]
        assert_equal {} [r lpos l zz COUNT 3]
        assert_equal 6 [r lpos l c RANK -9223372036854775808]
        assert_equal {6 4 2} [r lpos l c RANK -9223372036854775808 COUNT 1]
    }

    test {LPOS errors} {
        lfill l {a}
        assert_match {ERR RANK can't be zero: use 1 to start from the first match*} [lerr {r lpos l a RANK 0}]
        assert_equal {ERR COUNT can't be negative} [lerr {r lpos l a COUNT -1}]
        assert_equal {ERR COUNT can't be negative} [lerr {r lpos l a COUNT x}]
        assert_equal {ERR MAXLEN can't be negative} [lerr {r lpos l a MAXLEN -1}]
        assert_equal {ERR value is not an integer or out of range} [lerr {r lpos l a RANK x}]
        assert_equal {ERR syntax error} [lerr {r lpos l a RANK}]
        assert_equal {ERR syntax error} [lerr {r lpos l a FOO 1}]
        # Options are checked before the key.
        assert_match {ERR RANK can't be zero*} [lerr {r lpos nokey a RANK 0}]
        r set s str
        assert_match {WRONGTYPE*} [lerr {r lpos s a}]
    }

    test {LPOS with COUNT against a missing key is an empty array} {
        r del nokey
        assert_equal "*0\r\n" [lraw lpos nokey a COUNT 1]
        assert_equal "\$-1\r\n" [lraw lpos nokey a]
    }

    # ------------------------------------------------------------ LMOVE / RPOPLPUSH

    test {LMOVE in the four directions} {
        foreach {from to expect_src expect_dst} {
            LEFT LEFT {b c} {a x y}
            LEFT RIGHT {b c} {x y a}
            RIGHT LEFT {a b} {c x y}
            RIGHT RIGHT {a b} {x y c}
        } {
            lfill src {a b c}
            lfill dst {x y}
            r lmove src dst $from $to
            assert_equal $expect_src [r lrange src 0 -1]
            assert_equal $expect_dst [r lrange dst 0 -1]
        }
    }

    test {LMOVE returns the element, creates the destination, deletes an emptied source} {
        lfill src {only}
        r del dst
        assert_equal only [r lmove src dst right left]
        assert_equal 0 [r exists src]
        assert_equal {only} [r lrange dst 0 -1]
        assert_equal {} [r lmove src dst left left]
        assert_equal "\$-1\r\n" [lraw lmove src dst left left]
    }

    test {LMOVE within one list rotates it} {
        lfill l {a b c}
        assert_equal a [r lmove l l left right]
        assert_equal {b c a} [r lrange l 0 -1]
        assert_equal a [r lmove l l right left]
        assert_equal {a b c} [r lrange l 0 -1]
        lfill one {x}
        assert_equal x [r lmove one one left left]
        assert_equal {x} [r lrange one 0 -1]
    }

    test {LMOVE checks the destination type before popping} {
        lfill src {a b}
        r set str v
        assert_match {WRONGTYPE*} [lerr {r lmove src str left left}]
        assert_match {WRONGTYPE*} [lerr {r rpoplpush src str}]
        assert_equal {a b} [r lrange src 0 -1]
        assert_match {WRONGTYPE*} [lerr {r lmove str src left left}]
        # A missing source wins over a wrong destination.
        r del nokey
        assert_equal {} [r lmove nokey str left left]
    }

    test {LMOVE direction errors} {
        assert_equal {ERR syntax error} [lerr {r lmove a b middle left}]
        assert_equal {ERR syntax error} [lerr {r lmove a b left up}]
    }

    test {RPOPLPUSH moves the tail to the head} {
        lfill src {a b c}
        lfill dst {x}
        assert_equal c [r rpoplpush src dst]
        assert_equal {c x} [r lrange dst 0 -1]
        assert_equal b [r rpoplpush src src]
        assert_equal {b a} [r lrange src 0 -1]
        r del nokey
        assert_equal {} [r rpoplpush nokey dst]
    }

    # ------------------------------------------------------------ LMPOP

    test {LMPOP pops from the first non-empty list} {
        r del k1 k2 k3
        r rpush k2 a b c
        r rpush k3 x
        assert_equal {k2 a} [r lmpop 3 k1 k2 k3 LEFT]
        assert_equal {k2 {c b}} [r lmpop 3 k1 k2 k3 right COUNT 5]
        assert_equal 0 [r exists k2]
        assert_equal {k3 x} [r lmpop 2 k2 k3 left count 1]
        assert_equal {} [r lmpop 2 k1 k3 left]
        assert_equal "*-1\r\n" [lraw lmpop 1 k1 left]
    }

    test {LMPOP stops at a key of another type before any list} {
        r del k1 k2
        r set s str
        r rpush k2 a
        assert_match {WRONGTYPE*} [lerr {r lmpop 3 k1 s k2 left}]
        assert_equal {k2 a} [r lmpop 2 k2 s left]
    }

    test {LMPOP errors} {
        assert_equal {ERR numkeys should be greater than 0} [lerr {r lmpop 0 a left}]
        assert_equal {ERR numkeys should be greater than 0} [lerr {r lmpop -1 a left}]
        assert_equal {ERR numkeys should be greater than 0} [lerr {r lmpop x a left}]
        assert_equal {ERR syntax error} [lerr {r lmpop 2 a left}]
        assert_equal {ERR syntax error} [lerr {r lmpop 9223372036854775807 a left}]
        assert_equal {ERR syntax error} [lerr {r lmpop 1 a middle}]
        assert_equal {ERR syntax error} [lerr {r lmpop 1 a left count}]
        assert_equal {ERR syntax error} [lerr {r lmpop 1 a left count 1 count 1}]
        assert_equal {ERR syntax error} [lerr {r lmpop 1 a left foo}]
        assert_equal {ERR count should be greater than 0} [lerr {r lmpop 1 a left count 0}]
        assert_equal {ERR count should be greater than 0} [lerr {r lmpop 1 a left count x}]
        assert_equal {ERR wrong number of arguments for 'lmpop' command} [lerr {r lmpop 1 a}]
    }

    test {COMMAND GETKEYS finds the keys of LMPOP and LMOVE} {
        assert_equal {a b} [r command getkeys lmpop 2 a b left count 3]
        assert_equal {a b} [r command getkeys lmove a b left right]
        assert_equal {a b} [r command getkeys blpop a b 0]
        assert_equal {a} [r command getkeys blmpop 0 1 a left]
    }

    # ------------------------------------------------------------ types and RESP3

    test {Every list command rejects a key of another type} {
        r set s str
        foreach cmd {
            {lpush s a} {rpush s a} {lpushx s a} {rpushx s a} {lpop s} {rpop s}
            {lpop s 1} {llen s} {lrange s 0 1} {lindex s 0} {lset s 0 a}
            {linsert s before a b} {lrem s 0 a} {ltrim s 0 1} {lpos s a}
            {lmove s d left left} {rpoplpush s d} {lmpop 1 s left}
        } {
            assert_match {WRONGTYPE*} [lerr {r {*}$cmd}] $cmd
        }
        assert_equal str [r get s]
    }

    test {RESP3 nulls of the list commands} {
        r hello 3
        r del nokey
        assert_equal "_\r\n" [lraw lpop nokey]
        assert_equal "_\r\n" [lraw rpop nokey 2]
        assert_equal "_\r\n" [lraw lindex nokey 0]
        assert_equal "_\r\n" [lraw lpos nokey a]
        assert_equal "_\r\n" [lraw lmove nokey d left left]
        assert_equal "_\r\n" [lraw lmpop 1 nokey left]
        assert_equal "*0\r\n" [lraw lrange nokey 0 -1]
        lfill l {a 1}
        assert_equal "*2\r\n\$1\r\na\r\n\$1\r\n1\r\n" [lraw lrange l 0 -1]
        assert_equal "*2\r\n\$1\r\nl\r\n*1\r\n\$1\r\na\r\n" [lraw lmpop 1 l left]
        r hello 2
    }

    test {List commands inside MULTI} {
        r del l
        r multi
        r rpush l a b c
        r lpop l
        r lrange l 0 -1
        assert_equal {3 a {b c}} [r exec]
    } {} {needs:multi}

    test {A push invalidates a WATCH on the list} {
        r del l
        r watch l
        set c [redis_client]
        $c rpush l x
        $c close
        r multi
        r ping
        assert_equal {} [r exec]
    } {} {needs:multi}

    # ------------------------------------------------------------ quicklist nodes

    test {Node size follows list-max-listpack-size given in bytes} {
        set saved [lindex [r config get list-max-listpack-size] 1]
        # 100-byte elements: 8 KB nodes hold 79, 4 KB nodes 39.
        foreach {fill nodes} {-2 4 -1 8} {
            r config set list-max-listpack-size $fill
            r del l
            for {set i 0} {$i < 300} {incr i} {
                r rpush l [string repeat x 100]
            }
            assert_equal $nodes [ql_field l ql_nodes] "fill $fill"
            assert_equal $fill [ql_field l ql_listpack_max]
        }
        r config set list-max-listpack-size $saved
        assert_equal $saved [lindex [r config get list-max-listpack-size] 1]
    } {} {needs:debug needs:config}

    test {Node size follows list-max-listpack-size given in entries} {
        set saved [lindex [r config get list-max-listpack-size] 1]
        r config set list-max-listpack-size 3
        r del l
        r rpush l 1 2 3 4 5 6 7 8 9 10
        assert_equal 4 [ql_field l ql_nodes]
        r lpush l 0
        assert_equal 5 [ql_field l ql_nodes]
        # Even with room for entries, a node stops at 8 KB.
        r config set list-max-listpack-size 1000
        r del big
        for {set i 0} {$i < 20} {incr i} {
            r rpush big [string repeat y 1000]
        }
        assert_equal 3 [ql_field big ql_nodes]
        r config set list-max-listpack-size $saved
        assert_equal $saved [lindex [r config get list-max-listpack-size] 1]
    } {} {needs:debug needs:config}

    test {A quicklist keeps the node size it was made with} {
        set saved [lindex [r config get list-max-listpack-size] 1]
        r config set list-max-listpack-size 2
        r del l
        r rpush l a b c
        r config set list-max-listpack-size 100
        r rpush l d e
        assert_equal 3 [ql_field l ql_nodes]
        assert_equal 2 [ql_field l ql_listpack_max]
        # Out of range settings are clamped per list (elements past a
        # node's limit make these quicklists).
        r config set list-max-listpack-size -100
        r del l2
        r rpush l2 [string repeat a 70000]
        assert_equal -5 [ql_field l2 ql_listpack_max]
        r config set list-max-listpack-size 100000
        r del l3
        r rpush l3 [string repeat a 9000]
        assert_equal 32767 [ql_field l3 ql_listpack_max]
        r config set list-max-listpack-size $saved
        assert_equal $saved [lindex [r config get list-max-listpack-size] 1]
    } {} {needs:debug needs:config}

    test {LINSERT into a full node splits it and merges small neighbours} {
        set saved [lindex [r config get list-max-listpack-size] 1]
        r config set list-max-listpack-size 4
        r del l
        r rpush l 1 2 3 4 5 6 7 8
        assert_equal 2 [ql_field l ql_nodes]
        r linsert l after 2 X
        assert_equal {1 2 X 3 4 5 6 7 8} [r lrange l 0 -1]
        assert_equal 3 [ql_field l ql_nodes]
        r linsert l before 6 Y
        assert_equal {1 2 X 3 4 5 Y 6 7 8} [r lrange l 0 -1]
        assert_equal 4 [ql_field l ql_nodes]
        # At the edge of a full node the element goes to the neighbour.
        r linsert l after 4 Z
        assert_equal {1 2 X 3 4 Z 5 Y 6 7 8} [r lrange l 0 -1]
        r config set list-max-listpack-size $saved
        assert_equal $saved [lindex [r config get list-max-listpack-size] 1]
    } {} {needs:debug needs:config}

    test {Big elements get plain nodes of their own} {
        set saved [lindex [r config get list-max-listpack-size] 1]
        # Two entries per node: three elements make a quicklist at once.
        r config set list-max-listpack-size 2
        assert_equal OK [r debug quicklist-packed-threshold 100b]
        r del l
        set big [string repeat B 150]
        r rpush l a $big b
        assert_equal 3 [ql_field l ql_nodes]
        assert_equal $big [r lindex l 1]
        r rpush l c
        assert_equal 3 [ql_field l ql_nodes]
        r linsert l before b $big
        assert_equal [list a $big $big b c] [r lrange l 0 -1]
        assert_equal 4 [ql_field l ql_nodes]
        # A small value replaces a plain node, a big one replaces a packed element.
        r lset l 1 small
        r lset l 0 $big
        assert_equal [list $big small $big b c] [r lrange l 0 -1]
        assert_equal 1 [r lrem l 1 $big]
        assert_equal 1 [r lpos l $big]
        assert_equal c [r lmove l l right left]
        assert_equal [list c small $big b] [r lrange l 0 -1]
        assert_equal c [r lmove l l left left]
        assert_equal [list c small] [r lpop l 2]
        r config set list-max-listpack-size $saved
        assert_equal OK [r debug quicklist-packed-threshold 0]
    } {} {needs:debug needs:config}

    test {DEBUG QUICKLIST-PACKED-THRESHOLD errors} {
        set msg {ERR argument must be a memory value bigger than 1 and smaller than 4gb}
        assert_equal $msg [lerr {r debug quicklist-packed-threshold abc}]
        assert_equal $msg [lerr {r debug quicklist-packed-threshold -1}]
        assert_equal $msg [lerr {r debug quicklist-packed-threshold 5gb}]
        assert_equal OK [r debug quicklist-packed-threshold 4293918720]
        assert_equal OK [r debug quicklist-packed-threshold 0]
    } {} {needs:debug}

    test {Random operations agree with a Tcl model} {
        set saved [lindex [r config get list-max-listpack-size] 1]
        foreach fill {-1 3} {
            r config set list-max-listpack-size $fill
            r del l
            set m {}
            for {set i 0} {$i < 600} {incr i} {
                set v [lindex {a b c 1 2 -3} [randomInt 6]][string repeat z [randomInt 300]]
                set n [llength $m]
                switch [randomInt 8] {
                    0 { r lpush l $v; set m [linsert $m 0 $v] }
                    1 { r rpush l $v; lappend m $v }
                    2 {
                        if {$n} {
                            assert_equal [lindex $m 0] [r lpop l]
                            set m [lrange $m 1 end]
                        }
                    }
                    3 {
                        if {$n} {
                            set j [randomInt $n]
                            r lset l $j $v
                            lset m $j $v
                        }
                    }
                    4 {
                        if {$n} {
                            set p [lindex $m [randomInt $n]]
                            r linsert l before $p $v
                            set m [linsert $m [lsearch -exact $m $p] $v]
                        }
                    }
                    5 {
                        if {$n} {
                            set p [lindex $m [randomInt $n]]
                            set cnt [r lrem l -1 $p]
                            assert_equal 1 $cnt
                            set j [lsearch -exact -all $m $p]
                            set m [lreplace $m [lindex $j end] [lindex $j end]]
                        }
                    }
                    6 {
                        if {$n > 5} {
                            r ltrim l 1 -1
                            r ltrim l 0 -2
                            set m [lrange $m 1 end-1]
                        }
                    }
                    7 { r rpush l $v; lappend m $v }
                }
                if {$i % 50 == 0} {
                    assert_equal $m [r lrange l 0 -1]
                }
            }
            assert_equal [llength $m] [r llen l]
            assert_equal $m [r lrange l 0 -1]
        }
        r config set list-max-listpack-size $saved
        assert_equal $saved [lindex [r config get list-max-listpack-size] 1]
    } {} {needs:config}

    # ------------------------------------------------------------ listpack and quicklist

    # Runs body with list-max-listpack-size at fill, then restores it.
    proc with_fill {fill body} {
        set saved [lindex [r config get list-max-listpack-size] 1]
        r config set list-max-listpack-size $fill
        set code [catch {uplevel 1 $body} res opts]
        r config set list-max-listpack-size $saved
        return -options $opts $res
    }

    test {A listpack becomes a quicklist past the entry limit, and back at half of it} {
        with_fill 4 {
            r del l
            r rpush l a b c d
            assert_encoding listpack l
            r rpush l e
            assert_encoding quicklist l
            assert_equal 2 [ql_field l ql_nodes]
            # One node of 4, then 3 entries: still more than half the limit.
            r rpop l
            assert_encoding quicklist l
            r rpop l
            assert_encoding quicklist l
            r rpop l
            assert_encoding listpack l
            assert_equal {a b} [r lrange l 0 -1]
        }
    } {} {needs:debug needs:config needs:encoding redis72}

    test {All elements of one push count against the limit at once} {
        with_fill 4 {
            r del l l2
            r rpush l a b c d e
            assert_encoding quicklist l
            assert_equal 2 [ql_field l ql_nodes]
            r lpush l2 a b c d
            assert_encoding listpack l2
        }
    } {} {needs:debug needs:config needs:encoding redis72}

    test {A listpack becomes a quicklist past the byte limit, and back at half of it} {
        with_fill -1 {
            # 100-byte elements take 103 bytes each; with the 7-byte header
            # 39 fit in 4096 bytes.
            r del l
            set v [string repeat x 100]
            for {set i 0} {$i < 39} {incr i} {
                r rpush l $v
            }
            assert_encoding listpack l
            r rpush l $v
            assert_encoding quicklist l
            r rpop l
            assert_encoding quicklist l
            # 20 elements are 2067 bytes, past half the limit; 19 are 1964.
            r ltrim l 0 19
            assert_encoding quicklist l
            r ltrim l 0 18
            assert_encoding listpack l
            assert_equal 19 [r llen l]
        }
    } {} {needs:config needs:encoding redis72}

    test {LINSERT converts before looking for the pivot} {
        with_fill 2 {
            r del l
            r rpush l a b
            assert_encoding listpack l
            assert_equal -1 [r linsert l before nosuch x]
            assert_encoding quicklist l
            assert_equal {a b} [r lrange l 0 -1]
        }
    } {} {needs:config needs:encoding redis72}

    test {LSET counts its value as an addition, then lets the list shrink} {
        with_fill 3 {
            r del l
            r rpush l a b c
            assert_encoding listpack l
            r lset l 0 x
            assert_encoding quicklist l
            assert_equal {x b c} [r lrange l 0 -1]
            assert_equal 1 [r lrem l 0 x]
            assert_encoding quicklist l
            r rpop l
            assert_encoding listpack l
            assert_equal {b} [r lrange l 0 -1]
        }
    } {} {needs:config needs:encoding redis72}

    test {LMOVE converts its destination and its source} {
        with_fill 2 {
            r del src dst
            r rpush src x y z
            assert_encoding quicklist src
            r rpush dst a b
            assert_encoding listpack dst
            assert_equal x [r lmove src dst left right]
            assert_encoding quicklist dst
            assert_encoding quicklist src
            assert_equal y [r lmove src dst left right]
            assert_encoding listpack src
            assert_equal {a b x y} [r lrange dst 0 -1]
            assert_equal {z} [r lrange src 0 -1]
        }
    } {} {needs:config needs:encoding redis72}

    test {A list built in one go is a listpack when it fits one node} {
        with_fill 4 {
            r del l l2 big
            r rpush l a b c d e
            r rpop l
            # One node of 4 entries: a quicklist, as it only shrank to the
            # limit, not half of it.
            assert_encoding quicklist l
            r rpush big 1 2 3 4 5 6 7 8 9
            set dump [r dump l]
            r restore l2 0 $dump
            assert_encoding listpack l2
            r debug reload
            assert_encoding listpack l
            assert_encoding quicklist big
            assert_equal {a b c d} [r lrange l 0 -1]
            assert_equal {a b c d} [r lrange l2 0 -1]
        }
    } {} {needs:debug needs:config needs:encoding redis72}

    test {A listpack converts under the limit configured now} {
        r del l
        with_fill 128 {
            r rpush l 1 2 3 4 5 6 7 8 9 10
            assert_encoding listpack l
        }
        with_fill 2 {
            r rpush l 11
            assert_encoding quicklist l
            assert_equal 2 [ql_field l ql_listpack_max]
            # The listpack becomes the first node whole.
            assert_equal 2 [ql_field l ql_nodes]
        }
    } {} {needs:debug needs:config needs:encoding redis72}

    test {A listpack list keeps big elements packed} {
        assert_equal OK [r debug quicklist-packed-threshold 100b]
        r del l
        set big [string repeat B 150]
        r rpush l a $big b
        assert_encoding listpack l
        r lset l 0 $big
        r linsert l after b $big
        assert_encoding listpack l
        assert_equal [list $big $big b $big] [r lrange l 0 -1]
        assert_equal OK [r debug quicklist-packed-threshold 0]
    } {} {needs:debug needs:encoding redis72}

    # ------------------------------------------------------------ events and changes

    test {Keyspace events of the list commands} {
        r config set notify-keyspace-events Elgn
        r del l dst
        set rd [redis_deferring_client]
        $rd psubscribe __keyevent@0__:*
        $rd read
        r rpush l a b c
        r lpush l z
        r lpop l
        r rpop l 5
        r rpush l a b
        r lmove l dst left right
        r linsert l before b x
        r lset l 0 y
        r lrem l 0 b
        r ltrim l 0 0
        r rpop l
        set events {}
        for {set i 0} {$i < 16} {incr i} {
            set msg [$rd read]
            lappend events "[lindex [split [lindex $msg 2] :] 1]:[lindex $msg 3]"
        }
        assert_equal {new:l rpush:l lpush:l lpop:l rpop:l del:l new:l rpush:l new:dst rpush:dst lpop:l linsert:l lset:l lrem:l ltrim:l rpop:l} $events
        r config set notify-keyspace-events ""
        assert_equal {pmessage __keyevent@0__:* __keyevent@0__:del l} [$rd read]
        $rd close
    } {} {needs:config needs:pubsub}

    test {Changes are counted per element} {
        r del l
        set before [s rdb_changes_since_last_save]
        r rpush l a b c
        assert_equal [expr {$before + 3}] [s rdb_changes_since_last_save]
        r lpop l 2
        assert_equal [expr {$before + 5}] [s rdb_changes_since_last_save]
        r ltrim l 0 -1
        assert_equal [expr {$before + 5}] [s rdb_changes_since_last_save]
        r rpush l x x x
        r lrem l 0 x
        assert_equal [expr {$before + 11}] [s rdb_changes_since_last_save]
    }
}
