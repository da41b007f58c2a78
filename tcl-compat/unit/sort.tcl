# SORT and SORT_RO: numeric and ALPHA sorting of lists, sets and sorted
# sets, BY patterns (`nosort`, string keys, `->field` hash lookups), GET
# (`#`, several), LIMIT, ASC/DESC, STORE, errors, key extraction.
# Expected replies were checked against redis-server 7.0.15.

proc sort_raw_rest {c line} {
    set out "$line\r\n"
    set n [string range $line 1 end]
    switch -exact -- [string index $line 0] {
        * - ~ - > {
            for {set i 0} {$i < $n} {incr i} {
                append out [sort_raw_rest $c [$c read]]
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

# Run a command on the default client and return the reply as sent.
proc sortraw {args} {
    set c [srv 0 client]
    $c readraw 1
    try {
        return [sort_raw_rest $c [$c {*}$args]]
    } finally {
        $c readraw 0
    }
}

# A list, weights and hashes most tests use.
proc sort_fixture {} {
    r del l w_1 w_2 w_3 w_10 w_-5 h_1 h_2 h_3 h_10
    r rpush l 3 1 2 10 -5
    r mset w_3 30 w_1 10 w_2 -2 w_10 5 w_-5 1
    r hset h_1 f b n 3
    r hset h_2 f a n 1
    r hset h_3 f c n 2
    r hset h_10 f a
}

start_server {tags {sort}} {
    test {SORT sorts a list numerically, ASC and DESC} {
        sort_fixture
        assert_equal {-5 1 2 3 10} [r sort l]
        assert_equal {-5 1 2 3 10} [r sort l asc]
        assert_equal {10 3 2 1 -5} [r sort l desc]
        # The last order given wins.
        assert_equal {-5 1 2 3 10} [r sort l desc asc]
        r del f
        r rpush f 2.5 1e3 0x10 -inf inf "" " 7" 1
        assert_equal {-inf {} 1 2.5 { 7} 0x10 1e3 inf} [r sort f]
    }

    test {SORT ALPHA compares bytes} {
        sort_fixture
        assert_equal {-5 1 10 2 3} [r sort l alpha]
        assert_equal {3 2 10 1 -5} [r sort l alpha desc]
        r del words
        r rpush words banana Apple cherry apple
        assert_equal {Apple apple banana cherry} [r sort words alpha]
        assert_error {ERR One or more scores can't be converted into double} {r sort words}
    }

    test {SORT LIMIT} {
        sort_fixture
        assert_equal {1 2 3} [r sort l limit 1 3]
        assert_equal {-5 1 2} [r sort l limit -5 3]
        assert_equal {2 3 10} [r sort l limit 2 -1]
        assert_equal {} [r sort l limit 100 5]
        assert_equal {} [r sort l limit 0 0]
        assert_equal {-5 1 2 3 10} [r sort l limit 0 9223372036854775807]
        assert_equal {1 2 3 10} [r sort l limit 1 9223372036854775807]
        assert_equal {} [r sort l limit 9223372036854775807 1]
        assert_equal {3 2} [r sort l desc limit 1 2]
        assert_error {ERR value is not an integer or out of range} {r sort l limit a 1}
        assert_error {ERR value is not an integer or out of range} {r sort l limit 1 1.5}
        assert_error {ERR syntax error} {r sort l limit 1}
    }

    test {SORT BY nosort keeps the list order} {
        sort_fixture
        assert_equal {3 1 2 10 -5} [r sort l by nosort]
        assert_equal {-5 10 2 1 3} [r sort l by nosort desc]
        assert_equal {2 10 -5} [r sort l by nosort limit 2 3]
        assert_equal {2 1 3} [r sort l by nosort desc limit 2 3]
        assert_equal {} [r sort l by nosort limit 20 3]
        assert_equal {3 1 2 10 -5} [r sort l by nosort alpha]
    }

    test {SORT BY nosort keeps the score order of a sorted set} {
        r del z
        r zadd z 3 a 1 b 2 c 5 d
        assert_equal {b c a d} [r sort z by nosort]
        assert_equal {d a c b} [r sort z by nosort desc]
        assert_equal {c a} [r sort z by nosort limit 1 2]
        assert_equal {a c} [r sort z by nosort desc limit 1 2]
        assert_equal {d} [r sort z by nosort limit 3 5]
        assert_equal {} [r sort z by nosort desc limit 10 5]
        assert_equal {a b c d} [r sort z alpha]
        assert_error {ERR One or more scores*} {r sort z}
        # Redis converts a listpack sorted set it sorts, for good.
        assert_encoding skiplist z
    }

    test {SORT of sets} {
        r del s s2
        r sadd s 5 3 1 4
        assert_equal {1 3 4 5} [r sort s]
        assert_equal {5 4 3 1} [r sort s desc]
        assert_equal {3 4} [r sort s alpha limit 1 2]
        r sadd s2 b a c
        assert_equal {a b c} [r sort s2 alpha]
        assert_equal {c b a} [r sort s2 alpha desc]
        # BY nosort with STORE sorts a set anyway, as strings.
        r sadd s 10
        assert_equal 5 [r sort s by nosort store out]
        assert_equal {1 10 3 4 5} [r lrange out 0 -1]
    }

    test {SORT BY a pattern} {
        sort_fixture
        assert_equal {2 -5 10 1 3} [r sort l by w_*]
        assert_equal {3 1 10 -5 2} [r sort l by w_* desc]
        assert_equal {2 -5 1 3 10} [r sort l by w_* alpha]
        # Missing weights count as 0, ties go by the elements.
        assert_equal {-5 1 10 2 3} [r sort l by nosuch_*]
        assert_equal {3 2 10 1 -5} [r sort l by nosuch_* desc]
        r set w_bad x
        r rpush l bad
        assert_error {ERR One or more scores can't be converted into double} {r sort l by w_*}
    }

    test {SORT BY a hash field} {
        sort_fixture
        # Elements whose key is missing come first with ALPHA; ties keep the
        # list order.
        assert_equal {-5 2 10 1 3} [r sort l by h_*->f alpha]
        assert_equal {-5 10 2 3 1} [r sort l by h_*->n]
        # `->` with nothing after it is a plain key name.
        assert_equal {-5 1 10 2 3} [r sort l by h_*->]
    }

    test {SORT GET} {
        sort_fixture
        assert_equal {-2 2 1 -5 5 10 10 1 30 3} [r sort l by w_* get w_* get #]
        assert_equal {10 1 30 3} [r sort l by w_* get w_* get # limit 3 2]
        assert_equal {1 10 -2 30 5} [r sort l get w_*]
        assert_equal {{} b a c a} [r sort l get h_*->f]
        assert_equal {{} 3 1 2 {}} [r sort l get h_*->n]
        # A pattern without `*` names no key.
        assert_equal {{} {} {} {} {}} [r sort l get nostar]
        assert_equal {30 3 10 1 -2 2 5 10 1 -5} [r sort l by nosort get w_* get #]
        assert_equal {3 1 2 10 -5} [r sort l by nosort get #]
        # A string key read as a hash (and the reverse) gives nothing.
        assert_equal {{} {} {} {} {}} [r sort l get w_*->f]
        assert_equal {{} {} {} {} {}} [r sort l get h_*]
    }

    test {SORT STORE makes a list} {
        sort_fixture
        r set out x ex 100
        assert_equal 5 [r sort l store out]
        assert_equal {-5 1 2 3 10} [r lrange out 0 -1]
        assert_equal list [r type out]
        assert_equal -1 [r ttl out]
        assert_equal 3 [r sort l store out limit 0 3]
        assert_equal {-5 1 2} [r lrange out 0 -1]
        # Missing GET values are stored as empty strings.
        assert_equal 10 [r sort l get h_*->f get # store out]
        assert_equal {{} -5 b 1 a 2 c 3 a 10} [r lrange out 0 -1]
        # An empty result deletes the destination.
        assert_equal 0 [r sort l store out limit 0 0]
        assert_equal 0 [r exists out]
        r set out x
        assert_equal 0 [r sort nokey store out]
        assert_equal 0 [r exists out]
        # STORE compares bytes for ALPHA.
        r del words
        r rpush words b a c
        assert_equal 3 [r sort words alpha desc store out]
        assert_equal {c b a} [r lrange out 0 -1]
        # The last STORE wins.
        assert_equal 3 [r sort words alpha store out1 store out2]
        assert_equal {0 1} [list [r exists out1] [r exists out2]]
    }

    test {SORT of a missing key, and of other types} {
        assert_equal {} [r sort nokey]
        assert_equal {} [r sort nokey by nosort get #]
        r set str x
        assert_error {WRONGTYPE*} {r sort str}
        r hset hh a 1
        assert_error {WRONGTYPE*} {r sort hh}
        # Options are parsed before the key is looked up.
        assert_error {ERR syntax error} {r sort str foo}
    }

    test {SORT syntax errors} {
        sort_fixture
        assert_error {ERR syntax error} {r sort l foo}
        assert_error {ERR syntax error} {r sort l by}
        assert_error {ERR syntax error} {r sort l get}
        assert_error {ERR syntax error} {r sort l store}
        assert_error {ERR wrong number of arguments for 'sort' command} {r sort}
    }

    test {SORT_RO} {
        sort_fixture
        assert_equal {2 -5 10 1 3} [r sort_ro l by w_*]
        assert_equal {10 3} [r sort_ro l desc limit 0 2]
        assert_equal {-2 1 5} [r sort_ro l by w_* get w_* limit 0 3]
        assert_error {ERR syntax error} {r sort_ro l store out}
        assert_error {ERR wrong number of arguments for 'sort_ro' command} {r sort_ro}
    }

    test {SORT replies in RESP3} {
        sort_fixture
        r hello 3
        try {
            assert_equal "*2\r\n\$1\r\n1\r\n_\r\n" [sortraw sort l get w_* get nope_* limit 0 1]
        } finally {
            r hello 2
        }
        assert_equal "*2\r\n\$1\r\n1\r\n\$-1\r\n" [sortraw sort l get w_* get nope_* limit 0 1]
    }

    test {SORT of big collections} {
        r del big bigs
        set vals {}
        for {set i 0} {$i < 1000} {incr i} {
            lappend vals [expr {($i * 7919) % 1000}]
        }
        r rpush big {*}$vals
        r sadd bigs {*}$vals
        set want [lsort -integer $vals]
        assert_equal $want [r sort big]
        assert_equal $want [r sort bigs]
        assert_equal [lrange $want 990 end] [r sort bigs limit 990 100]
        assert_equal [lreverse $want] [r sort big desc]
        assert_equal 1000 [r sort big store out]
        assert_equal $want [r lrange out 0 -1]
    }

    test {SORT STORE makes a listpack when the result fits one node} {
        r del l out
        r rpush l 3 1 2
        assert_equal 3 [r sort l store out]
        assert_encoding listpack out
        # 1000 elements of 20 bytes are past the 8 KB of one node.
        for {set i 0} {$i < 1000} {incr i} {
            r rpush l [format %020d $i]
        }
        assert_equal 1003 [r sort l alpha store out]
        assert_encoding quicklist out
    } {} {needs:encoding redis72}

    test {SORT STORE keyspace events} {
        sort_fixture
        r del out out2
        r config set notify-keyspace-events KEA
        set rd [redis_deferring_client]
        $rd psubscribe __keyevent@0__:*
        $rd read
        r sort l store out
        r sort l limit 0 0 store out
        r sort l store out2 limit 0 0
        r sort l
        r set done 1
        set events {}
        for {set i 0} {$i < 3} {incr i} {
            lappend events [string range [lindex [$rd read] 2] 15 end]
        }
        assert_equal {sortstore del set} $events
        $rd close
        r config set notify-keyspace-events {}
        set _ {}
    } {} {needs:config}

    test {SORT STORE wakes a client blocked on the destination} {
        sort_fixture
        r del out
        set rd [redis_deferring_client]
        $rd blpop out 0
        wait_for_blocked_client
        r sort l store out
        assert_equal {out -5} [$rd read]
        assert_equal {1 2 3 10} [r lrange out 0 -1]
        $rd close
    }

    test {COMMAND INFO and GETKEYS of SORT} {
        assert_equal {sort -2 {write denyoom movablekeys} 1 1 1} [lrange [lindex [r command info sort] 0] 0 5]
        assert_equal {sort_ro -2 {readonly movablekeys} 1 1 1} [lrange [lindex [r command info sort_ro] 0] 0 5]
        assert_equal {@write @set @sortedset @list @slow @dangerous} [lindex [r command info sort] 0 6]
        set specs [lindex [r command info sort] 0 8]
        assert_equal 3 [llength $specs]
        assert_match {For the optional STORE keyword*} [dict get [lindex $specs 2] notes]
        assert_equal {type unknown spec {}} [dict get [lindex $specs 2] begin_search]
        assert_equal {l e} [r command getkeys sort l by x store d get y store e limit 1 2]
        assert_equal {l} [r command getkeys sort l store]
        assert_equal {l} [r command getkeys sort l limit store x]
        assert_equal {l} [r command getkeys sort l get store x]
        assert_equal {l} [r command getkeys sort_ro l get x]
        assert_equal {{l {RO access}} {d {OW update}}} [r command getkeysandflags sort l store d]
    }
}
