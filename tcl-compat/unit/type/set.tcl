# Set commands: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS SPOP
# SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
# SDIFFSTORE SSCAN, the intset, listpack and hashtable encodings and their
# conversions, keyspace events.
#
# Results whose order Redis does not define (anything read from a
# hashtable-encoded set) are compared sorted; an intset is always read in
# ascending order, a listpack in insertion order.
#
# The file runs against Redis 7.0 (no listpack sets) and against servers
# with Redis 7.2's encodings: tests written before 7.2 expect the encoding
# of the server they talk to ([enc72]); tests of 7.2 behaviour alone are
# tagged redis72.

# Read the rest of a reply in readraw mode, given its first line.
proc raw_rest {c line} {
    set out "$line\r\n"
    set n [string range $line 1 end]
    switch -exact -- [string index $line 0] {
        * - ~ - > {
            for {set i 0} {$i < $n} {incr i} {
                append out [raw_rest $c [$c read]]
            }
        }
        % - | {
            for {set i 0} {$i < 2 * $n} {incr i} {
                append out [raw_rest $c [$c read]]
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

# Run a command on the default client and return the reply as sent.
proc rawr {args} {
    set c [srv 0 client]
    $c readraw 1
    try {
        return [raw_rest $c [$c {*}$args]]
    } finally {
        $c readraw 0
    }
}

proc changes {} {
    s rdb_changes_since_last_save
}

# SADD of from..to (inclusive) with the given prefix, in batches.
proc sadd_range {key from to {prefix ""}} {
    for {set i $from} {$i <= $to} {incr i 200} {
        set batch {}
        for {set j $i} {$j <= min($to, $i + 199)} {incr j} {
            lappend batch $prefix$j
        }
        r sadd $key {*}$batch
    }
}

proc lsorted {l} {
    lsort $l
}

# Whether the server has Redis 7.2's listpack sets (it knows their config).
proc has_set_listpack {} {
    expr {[llength [r config get set-max-listpack-entries]] > 0}
}

# The encoding expected on this server: `old` before Redis 7.2, `new` since.
proc enc72 {old new} {
    if {[has_set_listpack]} {
        return $new
    }
    return $old
}

# A deferring client subscribed to every keyevent of db 0.
proc events_client {} {
    r config set notify-keyspace-events KEAn
    set rd [redis_deferring_client]
    $rd psubscribe __keyevent@0__:*
    $rd read
    return $rd
}

# The events (name key) published before a PING sent now.
proc events_of {rd} {
    $rd ping sync
    set out {}
    while 1 {
        set f [$rd read]
        if {$f eq {pong sync}} {
            return $out
        }
        lappend out [string range [lindex $f 2] 15 end] [lindex $f 3]
    }
}

start_server {tags {"set"}} {

    # ------------------------------------------------------------ SADD / SCARD

    test {SADD creates an intset, counts only new members} {
        r flushdb
        assert_equal 3 [r sadd s 3 1 2]
        assert_equal 0 [r sadd s 1 2 3]
        assert_equal 2 [r sadd s 5 5 4 1]
        assert_equal 5 [r scard s]
        assert_encoding intset s
        assert_equal {1 2 3 4 5} [r smembers s]
        assert_type set s
    }

    test {SADD of a non-integer first member creates a hashtable (listpack since 7.2)} {
        r del s
        assert_equal 2 [r sadd s a 1]
        assert_encoding [enc72 hashtable listpack] s
        assert_equal {1 a} [lsorted [r smembers s]]
    }

    test {SADD converts an intset when a non-integer arrives} {
        r del s
        r sadd s 1 2 3
        assert_encoding intset s
        assert_equal 1 [r sadd s x]
        assert_encoding [enc72 hashtable listpack] s
        assert_equal {1 2 3 x} [lsorted [r smembers s]]
        # One-way: removing the string keeps the new encoding.
        r srem s x
        assert_encoding [enc72 hashtable listpack] s
        assert_equal 1 [r sismember s 2]
    }

    test {Strings that only look like integers are not intset members} {
        foreach m {01 -0 +1 { 1} {1 } 0x10 1.0 9223372036854775808 -9223372036854775809 {}} {
            r del s
            r sadd s $m
            assert_encoding [enc72 hashtable listpack] s
            assert_equal 1 [r sismember s $m]
            r del s
            r sadd s 7
            r sadd s $m
            assert_encoding [enc72 hashtable listpack] s
            assert_equal 2 [r scard s]
        }
    }

    test {Intset holds the whole 64-bit range, in ascending order} {
        r del s
        r sadd s 9223372036854775807 0 -1 -9223372036854775808 32768 -32769 2147483648
        assert_encoding intset s
        assert_equal {-9223372036854775808 -32769 -1 0 32768 2147483648 9223372036854775807} [r smembers s]
        assert_equal 1 [r sismember s -9223372036854775808]
        assert_equal 0 [r sismember s 9223372036854775806]
        assert_equal 0 [r sismember s 01]
    }

    test {set-max-intset-entries: one more member converts} {
        r config set set-max-intset-entries 4
        r del s
        r sadd s 1 2 3 4
        assert_encoding intset s
        assert_equal 0 [r sadd s 4]
        assert_encoding intset s
        r sadd s 5
        assert_encoding hashtable s
        # Redis 7.2 creates a set for the members named: too many for an
        # intset, a listpack.
        r del s
        r sadd s 1 2 3 4 5 6
        assert_encoding [enc72 hashtable listpack] s
        r config set set-max-intset-entries 0
        r del s
        r sadd s 1
        assert_encoding [enc72 hashtable listpack] s
        r config set set-max-intset-entries 512
        r del s
        sadd_range s 1 512
        assert_encoding intset s
        r sadd s 513
        assert_encoding hashtable s
        assert_equal 513 [r scard s]
    }

    test {SADD, SCARD, SISMEMBER errors} {
        r del s
        r set str foo
        assert_match {WRONGTYPE*} [err_of {r sadd str a}]
        assert_match {WRONGTYPE*} [err_of {r scard str}]
        assert_match {WRONGTYPE*} [err_of {r sismember str a}]
        assert_equal {ERR wrong number of arguments for 'sadd' command} [err_of {r sadd s}]
        assert_equal {ERR wrong number of arguments for 'scard' command} [err_of {r scard s x}]
        assert_equal {ERR wrong number of arguments for 'sismember' command} [err_of {r sismember s}]
        assert_equal 0 [r scard nokey]
        assert_equal 0 [r sismember nokey a]
        assert_equal foo [r get str]
    }

    test {Binary-safe members} {
        r del s
        set m "a\x00b\r\n\xff"
        assert_equal 2 [r sadd s $m "a\x00c"]
        assert_equal 1 [r sismember s $m]
        assert_equal 0 [r sismember s "a"]
        assert_equal [lsort [list $m "a\x00c"]] [lsorted [r smembers s]]
        set long [string repeat x 5000]
        r sadd s $long
        assert_equal 1 [r sismember s $long]
        assert_equal 1 [r srem s $long]
    }

    # ------------------------------------------------------------ SREM

    test {SREM counts removed members, ignores absent ones} {
        r del s
        r sadd s 1 2 3 4
        assert_equal 0 [r srem s 5 01 x]
        assert_equal 2 [r srem s 1 1 2 9]
        assert_equal {3 4} [r smembers s]
        assert_encoding intset s
        r sadd s a b
        assert_equal 2 [r srem s a 3]
        assert_equal {4 b} [lsorted [r smembers s]]
    }

    test {SREM deletes the key with its last member} {
        r del s
        r sadd s 1 a
        r expire s 100
        assert_equal 2 [r srem s a 1 x]
        assert_equal 0 [r exists s]
        assert_equal 0 [r srem s 1]
        assert_equal 0 [r srem nokey 1]
        r set str foo
        assert_match {WRONGTYPE*} [err_of {r srem str foo}]
        assert_equal {ERR wrong number of arguments for 'srem' command} [err_of {r srem s}]
    }

    # ------------------------------------------------------------ SMISMEMBER / SMEMBERS

    test {SMISMEMBER on intset, hashtable and missing keys} {
        r del s h
        r sadd s 1 2 3
        r sadd h a b 1
        assert_equal {1 0 1 0} [r smismember s 1 4 3 01]
        assert_equal {1 0 1 1} [r smismember h a c b 1]
        assert_equal {0 0} [r smismember nokey a b]
        r set str foo
        assert_match {WRONGTYPE*} [err_of {r smismember str a}]
        assert_equal {ERR wrong number of arguments for 'smismember' command} [err_of {r smismember s}]
    }

    test {SMEMBERS of a missing key and of the wrong type} {
        assert_equal {} [r smembers nokey]
        r set str foo
        assert_match {WRONGTYPE*} [err_of {r smembers str}]
    }

    test {Set replies in RESP3: sets, arrays, nulls} {
        r del s
        r sadd s 2 1
        r hello 3
        try {
            assert_equal "~2\r\n\$1\r\n1\r\n\$1\r\n2\r\n" [rawr smembers s]
            assert_equal "~0\r\n" [rawr smembers nokey]
            assert_equal "~2\r\n\$1\r\n1\r\n\$1\r\n2\r\n" [rawr sinter s s]
            assert_equal "~2\r\n\$1\r\n1\r\n\$1\r\n2\r\n" [rawr sunion s nokey]
            assert_equal "~0\r\n" [rawr sdiff nokey s]
            assert_equal "~0\r\n" [rawr sinter s nokey]
            assert_equal "*2\r\n\$1\r\n1\r\n\$1\r\n2\r\n" [rawr srandmember s 2]
            assert_equal "*0\r\n" [rawr srandmember s 0]
            assert_equal "*0\r\n" [rawr srandmember nokey 3]
            assert_equal "_\r\n" [rawr srandmember nokey]
            assert_equal "_\r\n" [rawr spop nokey]
            assert_equal "~0\r\n" [rawr spop nokey 3]
            assert_equal "~0\r\n" [rawr spop s 0]
            assert_equal "*2\r\n:1\r\n:0\r\n" [rawr smismember s 1 3]
            assert_equal "*2\r\n\$1\r\n0\r\n*2\r\n\$1\r\n1\r\n\$1\r\n2\r\n" [rawr sscan s 0]
            assert_equal "~2\r\n\$1\r\n1\r\n\$1\r\n2\r\n" [rawr spop s 2]
        } finally {
            r hello 2
        }
        assert_equal "*0\r\n" [rawr smembers nokey]
        assert_equal "\$-1\r\n" [rawr spop nokey]
        assert_equal "\$-1\r\n" [rawr srandmember nokey]
    }

    # ------------------------------------------------------------ SPOP

    test {SPOP pops every member once, then the key is gone} {
        foreach enc [list intset [enc72 hashtable listpack]] {
            r del s
            if {$enc eq "intset"} {
                r sadd s 1 2 3 4 5
            } else {
                r sadd s a b c d 5
            }
            assert_encoding $enc s
            set popped {}
            for {set i 0} {$i < 5} {incr i} {
                lappend popped [r spop s]
            }
            if {$enc eq "intset"} {
                assert_equal {1 2 3 4 5} [lsort -integer $popped]
            } else {
                assert_equal {5 a b c d} [lsort $popped]
            }
            assert_equal 0 [r exists s]
            assert_equal {} [r spop s]
        }
    }

    test {SPOP with count: all, more than all, zero} {
        r del s
        r sadd s 3 1 2
        assert_equal {} [r spop s 0]
        assert_equal 3 [r scard s]
        assert_equal {1 2 3} [r spop s 3]
        assert_equal 0 [r exists s]
        r sadd s 3 1 2
        # The whole set comes back as SUNION returns it: an intset is sorted.
        assert_equal {1 2 3} [r spop s 100]
        assert_equal 0 [r exists s]
        r sadd s a b c
        assert_equal {a b c} [lsort [r spop s 4]]
        assert_equal 0 [r exists s]
        assert_equal {} [r spop nokey 5]
    }

    test {SPOP with count: few members of a big set} {
        foreach prefix {"" m} {
            r del s
            sadd_range s 1 300 $prefix
            set popped [r spop s 10]
            assert_equal 10 [llength $popped]
            assert_equal 10 [llength [lsort -unique $popped]]
            assert_equal 290 [r scard s]
            foreach m $popped {
                assert_equal 0 [r sismember s $m]
            }
        }
    }

    test {SPOP with count: most of a set moves the rest to a new set} {
        # 600 integers are a hashtable; the 50 kept form a new intset (a
        # new listpack since Redis 7.2, which builds it from the
        # hashtable's strings).
        r del s
        sadd_range s 1 600
        assert_encoding hashtable s
        r expire s 1000
        set popped [r spop s 550]
        assert_equal 550 [llength [lsort -unique $popped]]
        assert_equal 50 [r scard s]
        assert_encoding [enc72 intset listpack] s
        assert_range [r ttl s] 900 1000
        set all [concat $popped [r smembers s]]
        assert_equal 600 [llength [lsort -unique $all]]
        # Strings stay in a hashtable (a listpack since Redis 7.2).
        r del s
        sadd_range s 1 100 m
        set popped [r spop s 90]
        assert_equal 10 [r scard s]
        assert_encoding [enc72 hashtable listpack] s
        assert_equal 100 [llength [lsort -unique [concat $popped [r smembers s]]]]
    }

    test {SPOP errors} {
        r del s
        r sadd s 1
        assert_equal {ERR value is out of range, must be positive} [err_of {r spop s -1}]
        assert_equal {ERR value is out of range, must be positive} [err_of {r spop s abc}]
        assert_equal {ERR value is out of range, must be positive} [err_of {r spop nokey -1}]
        assert_equal {ERR syntax error} [err_of {r spop s 1 2}]
        r set str foo
        assert_match {WRONGTYPE*} [err_of {r spop str}]
        assert_match {WRONGTYPE*} [err_of {r spop str 0}]
        assert_equal {ERR wrong number of arguments for 'spop' command} [err_of {r spop}]
        assert_equal 1 [r scard s]
    }

    # ------------------------------------------------------------ SRANDMEMBER

    test {SRANDMEMBER returns members without removing them} {
        foreach members {{1 2 3} {a b c}} {
            r del s
            r sadd s {*}$members
            for {set i 0} {$i < 20} {incr i} {
                assert {[lsearch -exact $members [r srandmember s]] >= 0}
            }
            assert_equal 3 [r scard s]
        }
        assert_equal {} [r srandmember nokey]
    }

    test {SRANDMEMBER with a count: distinct members, whole set at most} {
        foreach prefix {"" m} {
            r del s
            sadd_range s 1 100 $prefix
            # count >= size: the whole set.
            assert_equal 100 [llength [lsort -unique [r srandmember s 100]]]
            assert_equal 100 [llength [r srandmember s 1000]]
            # Most of the set (copy and remove), a few (pick until enough).
            foreach n {1 10 40 90 99} {
                set got [r srandmember s $n]
                assert_equal $n [llength $got]
                assert_equal $n [llength [lsort -unique $got]]
                foreach m $got {
                    assert_equal 1 [r sismember s $m]
                }
            }
            assert_equal 100 [r scard s]
        }
        r del s
        r sadd s 3 2 1
        assert_equal {1 2 3} [r srandmember s 3]
    }

    test {SRANDMEMBER with a negative count repeats members} {
        r del s
        r sadd s a b
        set got [r srandmember s -100]
        assert_equal 100 [llength $got]
        assert_equal {a b} [lsort -unique $got]
        r del s
        r sadd s 7
        assert_equal {7 7 7} [r srandmember s -3]
        assert_equal {7} [r srandmember s 1]
        assert_equal {} [r srandmember s 0]
        assert_equal {} [r srandmember nokey -5]
    }

    test {SRANDMEMBER picks fairly} {
        foreach prefix {"" m} {
            r del s
            sadd_range s 0 9 $prefix
            if {$prefix eq "m"} {
                assert_encoding [enc72 hashtable listpack] s
            }
            array unset hist
            foreach m [r srandmember s -10000] {
                incr hist($m)
            }
            assert_equal 10 [llength [array names hist]]
            foreach {m n} [array get hist] {
                assert_range $n 800 1200
            }
        }
    }

    test {SRANDMEMBER with a huge negative count stops at the output limit} {
        r del s
        r sadd s a b c
        r config set client-output-buffer-limit "normal 1mb 0 0"
        set c [redis_client]
        set failed [catch {$c srandmember s -5000000} e]
        r config set client-output-buffer-limit "normal 0 0 0"
        assert_equal 1 $failed "the client should have been closed, got a reply"
        assert_equal PONG [r ping]
        assert_equal 3 [r scard s]
    }

    test {SRANDMEMBER errors} {
        r del s
        r sadd s 1
        assert_equal {ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807} [err_of {r srandmember s -9223372036854775808}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r srandmember s abc}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r srandmember nokey 1.5}]
        assert_equal {ERR syntax error} [err_of {r srandmember s 1 2}]
        r set str foo
        assert_match {WRONGTYPE*} [err_of {r srandmember str}]
        assert_match {WRONGTYPE*} [err_of {r srandmember str 0}]
    }

    # ------------------------------------------------------------ SMOVE

    test {SMOVE between intsets and hashtables} {
        r del a b
        r sadd a 1 2 3
        r sadd b x
        assert_equal 1 [r smove a b 2]
        assert_equal {1 3} [r smembers a]
        assert_equal {2 x} [lsorted [r smembers b]]
        assert_equal 0 [r smove a b 2]
        assert_equal 1 [r smove b a x]
        assert_encoding [enc72 hashtable listpack] a
        assert_equal {1 3 x} [lsorted [r smembers a]]
        # Already in the destination: removed from the source, still 1.
        r sadd b 1
        assert_equal 1 [r smove a b 1]
        assert_equal {3 x} [lsorted [r smembers a]]
        assert_equal {1 2} [lsorted [r smembers b]]
    }

    test {SMOVE creates the destination, deletes an emptied source} {
        r del a b c
        r sadd a 5 x
        assert_equal 1 [r smove a b 5]
        assert_encoding intset b
        assert_equal 1 [r smove a c x]
        assert_encoding [enc72 hashtable listpack] c
        assert_equal 0 [r exists a]
        assert_equal {5} [r smembers b]
        assert_equal {x} [r smembers c]
    }

    test {SMOVE converts a full intset destination} {
        r config set set-max-intset-entries 2
        r del a b
        r sadd a 3
        r sadd b 1 2
        r smove a b 3
        assert_encoding hashtable b
        r config set set-max-intset-entries 512
    }

    test {SMOVE with the same key, a missing source, wrong types} {
        r del a b
        r sadd a 1 2
        assert_equal 1 [r smove a a 1]
        assert_equal 0 [r smove a a 9]
        assert_equal {1 2} [r smembers a]
        assert_equal 0 [r smove nokey a 1]
        r set str foo
        assert_equal 0 [r smove nokey str 1]
        assert_match {WRONGTYPE*} [err_of {r smove str a 1}]
        assert_match {WRONGTYPE*} [err_of {r smove a str 1}]
        assert_match {WRONGTYPE*} [err_of {r smove a str 9}]
        assert_equal {1 2} [r smembers a]
        assert_equal {ERR wrong number of arguments for 'smove' command} [err_of {r smove a b}]
    }

    # ------------------------------------------------------------ SINTER / SINTERCARD

    test {SINTER of intsets and hashtables} {
        r del a b c
        r sadd a 1 2 3 4 5
        r sadd b 3 4 5 6 x
        r sadd c 5 4 y
        assert_equal {3 4 5} [r sinter a b]
        assert_equal {4 5} [lsorted [r sinter a b c]]
        assert_equal {4 5 y} [lsorted [r sinter c c]]
        assert_equal {1 2 3 4 5} [r sinter a]
        assert_equal {} [r sinter a nokey]
        assert_equal {} [r sinter nokey a]
        r sadd d 100
        assert_equal {} [r sinter a d]
    }

    test {SINTER errors: a wrong type anywhere, even after a missing key} {
        r set str foo
        assert_match {WRONGTYPE*} [err_of {r sinter a str}]
        assert_match {WRONGTYPE*} [err_of {r sinter nokey str}]
        assert_match {WRONGTYPE*} [err_of {r sinterstore dst nokey str}]
        assert_match {WRONGTYPE*} [err_of {r sintercard 2 nokey str}]
        assert_equal {ERR wrong number of arguments for 'sinter' command} [err_of {r sinter}]
    }

    test {SINTERCARD counts up to LIMIT} {
        r del a b
        r sadd a 1 2 3 4 5
        r sadd b 3 4 5 6 x
        assert_equal 3 [r sintercard 2 a b]
        assert_equal 1 [r sintercard 2 a b LIMIT 1]
        assert_equal 3 [r sintercard 2 a b limit 3]
        assert_equal 3 [r sintercard 2 a b limit 10]
        assert_equal 3 [r sintercard 2 a b limit 0]
        assert_equal 2 [r sintercard 2 a b limit 5 limit 2]
        assert_equal 5 [r sintercard 1 a]
        assert_equal 0 [r sintercard 2 a nokey]
        assert_equal 0 [r sintercard 1 nokey LIMIT 3]
    }

    test {SINTERCARD errors} {
        assert_equal {ERR numkeys should be greater than 0} [err_of {r sintercard 0 a}]
        assert_equal {ERR numkeys should be greater than 0} [err_of {r sintercard -1 a}]
        assert_equal {ERR numkeys should be greater than 0} [err_of {r sintercard x a}]
        assert_equal {ERR Number of keys can't be greater than number of args} [err_of {r sintercard 3 a b}]
        assert_equal {ERR syntax error} [err_of {r sintercard 1 a b}]
        assert_equal {ERR syntax error} [err_of {r sintercard 1 a LIMIT}]
        assert_equal {ERR LIMIT can't be negative} [err_of {r sintercard 1 a LIMIT -1}]
        assert_equal {ERR LIMIT can't be negative} [err_of {r sintercard 1 a LIMIT x}]
        assert_equal {ERR wrong number of arguments for 'sintercard' command} [err_of {r sintercard 1}]
    }

    # ------------------------------------------------------------ SUNION / SDIFF

    test {SUNION and SDIFF} {
        r del a b c
        r sadd a 1 2 3 4 5
        r sadd b 3 4 5 6 x
        r sadd c 2 y
        assert_equal {1 2 3 4 5 6 x} [lsorted [r sunion a b]]
        assert_equal {1 2 3 4 5 6 x y} [lsorted [r sunion a nokey b c]]
        assert_equal {1 2} [r sdiff a b]
        assert_equal {1} [r sdiff a b c]
        assert_equal {6 x} [lsorted [r sdiff b a]]
        assert_equal {1 2 3 4 5} [r sdiff a nokey]
        assert_equal {} [r sdiff nokey a]
        assert_equal {} [r sunion nokey]
        # A key named twice: the difference is empty.
        assert_equal {} [r sdiff a a]
        assert_equal {} [r sdiff a b a]
        assert_equal {1 2 3 4 5} [r sunion a a]
    }

    test {Integer-only results come back as an intset: sorted} {
        r del a b
        r sadd a 9 x 7 -3 100
        r sadd b x
        assert_equal {-3 7 9 100} [r sdiff a b]
        assert_equal {-3 7 9 100} [r sdiff a b nokey]
        r srem a x
        assert_equal {-3 7 9 100} [r sunion a]
    }

    test {SUNION and SDIFF errors} {
        r set str foo
        assert_match {WRONGTYPE*} [err_of {r sunion a str}]
        assert_match {WRONGTYPE*} [err_of {r sunion nokey str}]
        assert_match {WRONGTYPE*} [err_of {r sdiff nokey str}]
        assert_match {WRONGTYPE*} [err_of {r sdiff str}]
        assert_match {WRONGTYPE*} [err_of {r sunionstore d str}]
        assert_match {WRONGTYPE*} [err_of {r sdiffstore d a str}]
        assert_equal {ERR wrong number of arguments for 'sunionstore' command} [err_of {r sunionstore d}]
        assert_equal {ERR wrong number of arguments for 'sdiff' command} [err_of {r sdiff}]
    }

    test {Big random sets: SINTER SUNION SDIFF agree with Tcl} {
        r del a b c
        set la {}; set lb {}; set lc {}
        for {set i 0} {$i < 400} {incr i} {
            lappend la [expr {int(rand() * 1000)}]
            lappend lb [expr {int(rand() * 1000)}]
            lappend lc m[expr {int(rand() * 300)}]
        }
        lappend lc 1 2 3
        r sadd a {*}$la
        r sadd b {*}$lb
        r sadd c {*}$lc
        set la [lsort -unique $la]; set lb [lsort -unique $lb]; set lc [lsort -unique $lc]
        set inter {}
        foreach x $la {
            if {[lsearch -exact -sorted $lb $x] >= 0} {lappend inter $x}
        }
        set diff {}
        foreach x $la {
            if {[lsearch -exact -sorted $lb $x] < 0 && [lsearch -exact $lc $x] < 0} {lappend diff $x}
        }
        assert_equal [lsort $inter] [lsorted [r sinter a b]]
        assert_equal [llength $inter] [r sintercard 2 a b]
        assert_equal [lsort -unique [concat $la $lb $lc]] [lsorted [r sunion a b c]]
        assert_equal [lsort $diff] [lsorted [r sdiff a b c]]
        assert_equal [llength $diff] [r sdiffstore d a b c]
        assert_equal [lsort $diff] [lsorted [r smembers d]]
    }

    # ------------------------------------------------------------ *STORE

    test {SINTERSTORE, SUNIONSTORE, SDIFFSTORE store and count} {
        r del a b d
        r sadd a 1 2 3 4 5
        r sadd b 3 4 5 6 x
        assert_equal 3 [r sinterstore d a b]
        assert_equal {3 4 5} [r smembers d]
        assert_encoding intset d
        assert_equal 7 [r sunionstore d a b]
        assert_encoding [enc72 hashtable listpack] d
        assert_equal {1 2 3 4 5 6 x} [lsorted [r smembers d]]
        assert_equal 2 [r sdiffstore d a b]
        assert_equal {1 2} [r smembers d]
        assert_encoding intset d
        assert_equal 2 [r sdiffstore d b a]
        assert_encoding [enc72 hashtable listpack] d
    }

    test {*STORE overwrites any type, drops the TTL, deletes on empty result} {
        r del a d
        r sadd a 1 2
        r set d foo
        r expire d 100
        assert_equal 2 [r sunionstore d a]
        assert_type set d
        assert_equal -1 [r ttl d]
        assert_equal 0 [r sinterstore d a nokey]
        assert_equal 0 [r exists d]
        r set d foo
        assert_equal 0 [r sdiffstore d a a]
        assert_equal 0 [r exists d]
        r set d foo
        assert_equal 0 [r sunionstore d nokey1 nokey2]
        assert_equal 0 [r exists d]
        r set d foo
        r sadd b 3
        assert_equal 0 [r sinterstore d a b]
        assert_equal 0 [r exists d]
    }

    test {*STORE with the destination among the sources} {
        r del a b
        r sadd a 1 2 3
        r sadd b 2 3 4
        assert_equal 2 [r sinterstore a a b]
        assert_equal {2 3} [r smembers a]
        assert_equal 3 [r sunionstore a a b]
        assert_equal {2 3 4} [r smembers a]
        assert_equal 0 [r sdiffstore a a b]
        assert_equal 0 [r exists a]
    }

    test {*STORE results get Redis's encoding} {
        r config set set-max-intset-entries 4
        r del a b d
        r sadd a 1 2 3 4 5
        # Five members named at once: a listpack since Redis 7.2.
        assert_encoding [enc72 hashtable listpack] a
        r sadd b 1 2
        # Built by adding members to a new intset.
        assert_equal 2 [r sinterstore d a b]
        assert_encoding intset d
        assert_equal 5 [r sunionstore d a]
        assert_encoding hashtable d
        r config set set-max-intset-entries 512
        # SDIFF copies the first set and removes the others' members when
        # that is less work: the copy became a hashtable (a listpack) on
        # the way.
        r del h i d
        r sadd h a 1 2
        r sadd i a
        assert_equal 2 [r sdiffstore d h i]
        assert_encoding intset d
        foreach k {k1 k2 k3 k4} {
            r del $k
            r sadd $k zz
        }
        assert_equal 2 [r sdiffstore d h i k1 k2 k3 k4]
        assert_encoding [enc72 hashtable listpack] d
        assert_equal {1 2} [lsorted [r smembers d]]
    }

    # ------------------------------------------------------------ SSCAN

    test {SSCAN of an intset returns everything with cursor 0} {
        r del s
        sadd_range s 1 300
        assert_encoding intset s
        set res [r sscan s 0 COUNT 5]
        assert_equal 0 [lindex $res 0]
        assert_equal 300 [llength [lindex $res 1]]
        assert_equal {0 {1 2}} [r sscan s 12345 MATCH {[12]}]
        assert_equal {0 {}} [r sscan s 0 MATCH x*]
        assert_equal {0 {}} [r sscan nokey 0]
        assert_equal {0 {}} [r sscan nokey 0 COUNT 0]
    }

    test {SSCAN of a hashtable visits every member} {
        r del s
        sadd_range s 1 1000 m
        foreach count {1 10 100} {
            set cur 0
            set seen {}
            set calls 0
            while 1 {
                set res [r sscan s $cur COUNT $count]
                set cur [lindex $res 0]
                lappend seen {*}[lindex $res 1]
                incr calls
                if {$cur == 0} break
            }
            assert_equal 1000 [llength [lsort -unique $seen]]
            assert_morethan $calls 1
        }
        set cur 0
        set seen {}
        while 1 {
            set res [r sscan s $cur MATCH m1?? COUNT 50]
            set cur [lindex $res 0]
            lappend seen {*}[lindex $res 1]
            if {$cur == 0} break
        }
        assert_equal 100 [llength [lsort -unique $seen]]
    }

    test {SSCAN errors} {
        r del s
        r sadd s 1
        assert_equal {ERR invalid cursor} [err_of {r sscan s abc}]
        assert_equal {ERR invalid cursor} [err_of {r sscan nokey abc}]
        assert_equal {ERR invalid cursor} [err_of {r sscan s 18446744073709551616}]
        assert_equal {ERR syntax error} [err_of {r sscan s 0 COUNT 0}]
        assert_equal {ERR syntax error} [err_of {r sscan s 0 COUNT}]
        assert_equal {ERR syntax error} [err_of {r sscan s 0 TYPE set}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r sscan s 0 COUNT x}]
        r set str foo
        assert_match {WRONGTYPE*} [err_of {r sscan str 0}]
        assert_match {WRONGTYPE*} [err_of {r sscan str 0 COUNT 0}]
    }

    # ------------------------------------------------------------ events, dirty, WATCH

    test {Keyspace events of SADD SREM SPOP} {
        r del s
        set rd [events_client]
        r sadd s 1 2 3
        r sadd s 1
        r srem s 1 9
        r srem s 9
        r spop s
        r spop s 0
        r spop s 5
        r sadd s a b c
        r spop s 1
        r srem s a b c
        assert_equal {new s sadd s srem s spop s spop s del s new s sadd s spop s srem s del s} [events_of $rd]
        $rd close
        r config set notify-keyspace-events {}
    }

    test {Keyspace events of SMOVE} {
        r del a b
        r sadd a 1 2
        set rd [events_client]
        r smove a b 1
        r smove a b 9
        r smove a a 2
        r sadd b 2
        r smove a b 2
        assert_equal {srem a new b sadd b sadd b srem a del a} [events_of $rd]
        $rd close
        r config set notify-keyspace-events {}
    }

    test {Keyspace events of the *STORE commands} {
        r del a b d
        r sadd a 1 2
        r sadd b 2 3
        set rd [events_client]
        r sinterstore d a b
        r sunionstore d a b
        r sdiffstore d a b
        r sdiffstore d a a
        r sdiffstore d a a
        r sinterstore d a nokey
        r set d x
        r sinterstore d a nokey
        assert_equal {new d sinterstore d sunionstore d sdiffstore d del d new d set d del d} [events_of $rd]
        $rd close
        r config set notify-keyspace-events {}
    }

    test {Writes count their changes} {
        r del s d
        set before [changes]
        r sadd s 1 2 3 4 5 6
        assert_equal 6 [expr {[changes] - $before}]
        r sadd s 1
        r srem s 9
        r smove s s 1
        assert_equal 6 [expr {[changes] - $before}]
        r srem s 1 2
        assert_equal 8 [expr {[changes] - $before}]
        r spop s 2
        assert_equal 10 [expr {[changes] - $before}]
        r spop s 10
        assert_equal 12 [expr {[changes] - $before}]
        r sadd s 1 2
        r smove s d 1
        assert_equal 16 [expr {[changes] - $before}]
        r sunionstore d s
        assert_equal 17 [expr {[changes] - $before}]
    }

    test {A set write breaks a WATCH} {
        r del s
        r sadd s 1
        r watch s
        set rd [redis_client]
        $rd sadd s 2
        $rd close
        r multi
        r ping
        assert_equal {} [r exec]
        r watch s
        r sadd s 3
        r multi
        r ping
        assert_equal {} [r exec]
        # A no-op does not.
        r watch s
        set rd [redis_client]
        $rd sadd s 2
        $rd srem s 99
        $rd close
        r multi
        r ping
        assert_equal {PONG} [r exec]
    }

    test {OBJECT ENCODING, TYPE, COPY and DUMP-free copies of sets} {
        r del s c
        r sadd s 1 2 x
        assert_equal 1 [r copy s c]
        r sadd c y
        assert_equal {1 2 x} [lsorted [r smembers s]]
        assert_equal {1 2 x y} [lsorted [r smembers c]]
        assert_encoding [enc72 hashtable listpack] c
        r del s c
        r sadd s 1 2
        r copy s c
        assert_encoding intset c
    }

    # ------------------------------------------------------------ listpack (Redis 7.2)

    tags {redis72} {

    # Whether `sub` is `all` with members left out (order kept).
    proc is_subsequence {sub all} {
        set i 0
        foreach m $all {
            if {$i < [llength $sub] && [lindex $sub $i] eq $m} {
                incr i
            }
        }
        expr {$i == [llength $sub]}
    }

    proc lp_defaults {} {
        r config set set-max-intset-entries 512
        r config set set-max-listpack-entries 128
        r config set set-max-listpack-value 64
    }

    test {Listpack: small sets of strings, members in insertion order} {
        r del s
        assert_equal 4 [r sadd s c a b 1]
        assert_encoding listpack s
        assert_equal {c a b 1} [r smembers s]
        assert_equal 4 [r scard s]
        assert_equal 0 [r sadd s a 1]
        assert_equal {1 0 1 0 0} [r smismember s c z 1 01 {}]
        assert_equal 1 [r sismember s 1]
        assert_equal 0 [r sismember s +1]
        assert_equal 2 [r srem s a 1 x]
        assert_equal {c b} [r smembers s]
        assert_equal 2 [r sadd s -5 {}]
        assert_equal {c b -5 {}} [r smembers s]
        assert_equal 1 [r sismember s {}]
        assert_equal {c b -5 {}} [lindex [r sscan s 0] 1]
        assert_encoding listpack s
        assert_equal 4 [r srem s c b -5 {}]
        assert_equal 0 [r exists s]
    }

    test {Listpack: set-max-listpack-entries, at the limit and one past it} {
        r config set set-max-listpack-entries 4
        r del s
        r sadd s a b c d
        assert_encoding listpack s
        assert_equal 0 [r sadd s d]
        assert_encoding listpack s
        r sadd s e
        assert_encoding hashtable s
        assert_equal {a b c d e} [lsorted [r smembers s]]
        # Created for more members than a listpack holds: a hashtable at once.
        r del s
        r sadd s a b c d e
        assert_encoding hashtable s
        # An existing listpack converts before SADD of more members than it
        # may hold, even if they turn out to be there already.
        r del s
        r sadd s a
        assert_equal 0 [r sadd s a a a a a]
        assert_encoding hashtable s
        # ... and an intset as well (set-max-intset-entries as the hint).
        r config set set-max-intset-entries 3
        r del s
        r sadd s 1
        r sadd s 1 2 3
        assert_encoding intset s
        r sadd s 1 1 1 1
        assert_encoding hashtable s
        r config set set-max-listpack-entries 0
        r del s
        r sadd s a
        assert_encoding hashtable s
        lp_defaults
    }

    test {Listpack: set-max-listpack-value, at the limit and one byte past it} {
        r config set set-max-listpack-value 5
        r del s
        r sadd s abcde
        assert_encoding listpack s
        r sadd s abcdef
        assert_encoding hashtable s
        r del s
        r sadd s abcdef
        assert_encoding hashtable s
        # Integers count with their decimal length.
        r del s
        r sadd s x 12345
        assert_encoding listpack s
        r sadd s -12345
        assert_encoding hashtable s
        lp_defaults
    }

    test {Listpack: an intset becomes a listpack only if it would fit} {
        r config set set-max-listpack-value 5
        r del s
        r sadd s 12345 1
        r sadd s x
        assert_encoding listpack s
        assert_equal {1 12345 x} [r smembers s]
        # The widest integer counts: -12345 is 6 characters.
        r del s
        r sadd s -12345 1
        r sadd s x
        assert_encoding hashtable s
        # The new member counts too.
        r del s
        r sadd s 1
        r sadd s abcdef
        assert_encoding hashtable s
        lp_defaults
        r config set set-max-listpack-entries 3
        r del s
        r sadd s 1 2
        r sadd s a
        assert_encoding listpack s
        r del s
        r sadd s 1 2 3
        r sadd s a
        assert_encoding hashtable s
        lp_defaults
    }

    test {Listpack: an intset past set-max-intset-entries becomes a hashtable} {
        r config set set-max-intset-entries 2
        r del s
        r sadd s 1
        r sadd s 2
        assert_encoding intset s
        r sadd s 3
        assert_encoding hashtable s
        lp_defaults
    }

    test {Listpack: SPOP and SRANDMEMBER} {
        r del s
        set all {}
        for {set i 0} {$i < 20} {incr i} {
            lappend all m$i
        }
        r sadd s {*}$all
        assert_encoding listpack s
        # Distinct members, in listpack order.
        for {set n 1} {$n < 20} {incr n} {
            set got [r srandmember s $n]
            assert_equal $n [llength $got]
            assert {[is_subsequence $got $all]}
        }
        assert_equal $all [r srandmember s 20]
        assert_equal $all [r srandmember s 1000]
        # Repeats.
        set got [r srandmember s -2500]
        assert_equal 2500 [llength $got]
        assert_equal 20 [llength [lsort -unique $got]]
        assert_equal {} [r srandmember s 0]
        assert {[lsearch $all [r srandmember s]] >= 0}
        # SPOP of a few: popped in listpack order, the rest stays in order.
        set popped [r spop s 3]
        assert_equal 3 [llength $popped]
        assert {[is_subsequence $popped $all]}
        set left [r smembers s]
        assert_equal 17 [llength $left]
        assert {[is_subsequence $left $all]}
        # SPOP of most of it: the members kept form a new listpack.
        set popped [r spop s 15]
        assert_equal 15 [llength $popped]
        assert_encoding listpack s
        set kept [r smembers s]
        assert_equal 2 [llength $kept]
        assert {[is_subsequence $kept $left]}
        assert_equal [lsort $left] [lsort [concat $popped $kept]]
        # One by one, then more than there is.
        set one [r spop s]
        assert {[lsearch $kept $one] >= 0}
        assert_equal [lsearch -all -inline -not $kept $one] [r spop s 5]
        assert_equal 0 [r exists s]
        assert_equal {} [r spop s 1]
        assert_equal {} [r spop s]
    }

    test {Listpack: SPOP of most of an intset or a hashtable} {
        # From a hashtable the members kept make a new listpack, even all
        # integers; from an intset, a new intset.
        r del s
        sadd_range s 1 200
        r sadd s x
        assert_encoding hashtable s
        r spop s 195
        assert_encoding listpack s
        assert_equal 6 [r scard s]
        r del s
        sadd_range s 1 300
        assert_encoding intset s
        r spop s 290
        assert_encoding intset s
        # Kept members past the listpack limits: converted on the way.
        r config set set-max-listpack-entries 3
        r del s
        sadd_range s 1 40 m
        assert_encoding hashtable s
        r spop s 34
        assert_encoding hashtable s
        assert_equal 6 [r scard s]
        lp_defaults
    }

    test {Listpack: SINTER SINTERCARD SUNION SDIFF with other encodings} {
        r del a b c
        r sadd a x 1 2 y
        r sadd b 2 3 x
        r sadd c 1 2 3 4
        assert_encoding listpack a
        assert_encoding listpack b
        assert_encoding intset c
        assert_equal {2 x} [lsorted [r sinter a b]]
        assert_equal {2} [r sinter a b c]
        assert_equal 2 [r sintercard 2 a b]
        assert_equal 1 [r sintercard 2 a b limit 1]
        assert_equal {1 2 3 4 x y} [lsorted [r sunion a b c]]
        assert_equal {1 y} [lsorted [r sdiff a b]]
        assert_equal {y} [r sdiff a b c]
        assert_equal {4} [r sdiff c a b]
        assert_equal 6 [r sunionstore u a b c]
        assert_equal {1 2 3 4 x y} [r sort u alpha]
        assert_equal {1 2 x y} [r sort a alpha]
        assert_equal {x 1 2 y} [r smembers a]
    }

    test {Listpack: *STORE result encodings} {
        r del a b c d
        r sadd a x 1 2 y
        r sadd b 2 1 z
        r sadd c 1 2 3 4
        # All integers: an intset, whatever the sources.
        assert_equal 2 [r sinterstore d a b]
        assert_encoding intset d
        assert_equal {1 2} [r smembers d]
        # Strings: a listpack in the first (smallest) set's order; b
        # began as an intset, so its integers come first, ascending.
        r sadd b x
        assert_equal {1 2 z x} [r smembers b]
        assert_equal 3 [r sinterstore d b a]
        assert_encoding listpack d
        assert_equal {1 2 x} [r smembers d]
        # A union starts as an intset that becomes a listpack at x.
        assert_equal 5 [r sunionstore d a b]
        assert_encoding listpack d
        assert_equal {x 1 2 y z} [r smembers d]
        assert_equal 1 [r sdiffstore d a b]
        assert_encoding listpack d
        assert_equal {y} [r smembers d]
        assert_equal 2 [r sdiffstore d c a]
        assert_encoding intset d
        # Past the listpack limits: a hashtable.
        r config set set-max-listpack-entries 3
        assert_equal 5 [r sunionstore d a b]
        assert_encoding hashtable d
        lp_defaults
        # From hashtables, a small result is a listpack.
        r del h1 h2
        sadd_range h1 1 200 m
        sadd_range h2 150 400 m
        assert_encoding hashtable h1
        assert_equal 51 [r sinterstore d h1 h2]
        assert_encoding listpack d
        r del h3
        sadd_range h3 1 200
        r sadd h3 x
        assert_encoding hashtable h3
        # An integer-only intersection is an intset, even of listpacks and
        # hashtables.
        r del i
        r sadd i 5 6 7 y
        assert_encoding listpack i
        assert_equal 3 [r sinterstore d h3 i]
        assert_encoding intset d
        assert_equal {5 6 7} [r smembers d]
    }

    test {Listpack: SMOVE between encodings} {
        r del lp is ht
        r sadd lp a b
        r sadd is 1 2
        sadd_range ht 1 200 m
        assert_equal 1 [r smove lp is a]
        assert_encoding listpack is
        assert_equal {1 2 a} [r smembers is]
        assert_equal 1 [r smove is lp 1]
        assert_equal {b 1} [r smembers lp]
        assert_equal 1 [r smove ht lp m7]
        assert_equal {b 1 m7} [r smembers lp]
        assert_equal 1 [r smove lp ht b]
        assert_encoding hashtable ht
        # A new destination for one member: an intset or a listpack.
        assert_equal 1 [r smove lp new1 1]
        assert_encoding intset new1
        assert_equal 1 [r smove lp new2 m7]
        assert_encoding listpack new2
        assert_equal 0 [r exists lp]
        # A full listpack destination converts.
        r config set set-max-listpack-entries 3
        r del d
        r sadd d x y z
        assert_equal 1 [r smove new2 d m7]
        assert_encoding hashtable d
        lp_defaults
    }

    test {Listpack: DEBUG RELOAD and DUMP/RESTORE keep members and choose the encoding} {
        r flushdb
        for {set i 0} {$i < 100} {incr i} { r sadd myintset $i }
        for {set i 0} {$i < 1280} {incr i} { r sadd mylargeintset $i }
        for {set i 0} {$i < 50} {incr i} { r sadd mysmallset [format "i%03d" $i] }
        for {set i 0} {$i < 256} {incr i} { r sadd mybigset [format "i%03d" $i] }
        # A hashtable shrunk below the limits: a listpack once reloaded.
        for {set i 0} {$i < 256} {incr i} { r sadd myshrunkset [format "s%03d" $i] }
        for {set i 10} {$i < 256} {incr i} { r srem myshrunkset [format "s%03d" $i] }
        r sadd mylongset [string repeat x 65] a
        set encs {myintset intset mylargeintset hashtable mysmallset listpack
                  mybigset hashtable myshrunkset hashtable mylongset hashtable}
        foreach {k enc} $encs {
            assert_encoding $enc $k
        }
        set digest [r debug digest]
        set order [r smembers mysmallset]
        r debug reload
        assert_equal $digest [r debug digest]
        assert_equal $order [r smembers mysmallset]
        foreach {k enc} $encs {
            if {$k eq "myshrunkset"} {
                set enc listpack
            }
            assert_encoding $enc $k
        }
        # DUMP and RESTORE, under the limits of the restoring server.
        set payload [r dump mysmallset]
        r restore copy 0 $payload
        assert_encoding listpack copy
        assert_equal $order [r smembers copy]
        r config set set-max-listpack-entries 49
        r restore copy2 0 $payload
        assert_encoding hashtable copy2
        assert_equal [lsort $order] [lsort [r smembers copy2]]
        r config set set-max-listpack-entries 128
        r config set set-max-listpack-value 3
        r restore copy3 0 $payload
        assert_encoding hashtable copy3
        lp_defaults
        # Integers and strings mixed.
        r del m
        r sadd m 3 x -1
        r restore m2 0 [r dump m]
        assert_encoding listpack m2
        assert_equal {3 x -1} [r smembers m2]
    }

    test {Listpack: COPY, DEBUG DIGEST-VALUE and MEMORY USAGE} {
        r del s c h
        r sadd s a b 1
        r copy s c
        assert_encoding listpack c
        r sadd c z
        assert_equal {a b 1} [r smembers s]
        assert_equal {a b 1 z} [r smembers c]
        # The same members as a hashtable digest the same.
        r config set set-max-listpack-entries 0
        r sadd h a b 1
        assert_encoding hashtable h
        lp_defaults
        assert_equal [r debug digest-value s] [r debug digest-value h]
        assert_morethan [r memory usage h] [r memory usage s]
    }

    test {Listpack: CONFIG SET bounds of the new directives} {
        assert_equal {set-max-listpack-entries 128} [r config get set-max-listpack-entries]
        assert_equal {set-max-listpack-value 64} [r config get set-max-listpack-value]
        assert_match {*must be between 0 and*} [err_of {r config set set-max-listpack-entries -1}]
        assert_match {*argument couldn't be parsed*} [err_of {r config set set-max-listpack-value 1k}]
        assert_equal OK [r config set set-max-listpack-value 1000]
        lp_defaults
    }

    }
}
