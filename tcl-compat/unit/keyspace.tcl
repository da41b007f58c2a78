# Keyspace commands: DEL UNLINK EXISTS TYPE RENAME RENAMENX KEYS SCAN TOUCH
# RANDOMKEY DBSIZE SELECT SWAPDB MOVE COPY FLUSHDB FLUSHALL and OBJECT.
#
# Tests tagged "needs:list" create a list key (RPUSH); skip them with
# --tags -needs:list while lists are missing.

# Back to database 0, every database empty.
proc reset_dbs {} {
    r select 0
    r flushall
}

# Create n keys prefix:0 .. prefix:(n-1) with MSET (like DEBUG POPULATE).
proc populate {n {prefix key}} {
    set args {}
    for {set i 0} {$i < $n} {incr i} {
        lappend args $prefix:$i value:$i
        if {[llength $args] >= 200} {
            r mset {*}$args
            set args {}
        }
    }
    if {[llength $args]} {
        r mset {*}$args
    }
}

# Every key returned by a full SCAN iteration (with extra SCAN arguments).
proc scan_all {args} {
    set cursor 0
    set keys {}
    while 1 {
        lassign [r scan $cursor {*}$args] cursor batch
        lappend keys {*}$batch
        if {$cursor == 0} {
            break
        }
    }
    return $keys
}

start_server {tags {"keyspace"}} {

    # ------------------------------------------------------------ DEL UNLINK EXISTS

    test {DEL removes keys and counts those that existed} {
        r flushdb
        r mset a 1 b 2 c 3
        assert_equal 2 [r del a b nokey]
        assert_equal 0 [r exists a]
        assert_equal 0 [r exists b]
        assert_equal 1 [r exists c]
        assert_equal 0 [r del a]
    }

    test {DEL of the same key twice counts it once} {
        r set a 1
        assert_equal 1 [r del a a a]
    }

    test {UNLINK works like DEL} {
        r mset a 1 b 2
        r set big [string repeat x 100000]
        assert_equal 3 [r unlink a b big nokey]
        assert_equal 0 [r unlink a]
        r set c 3
        assert_equal 1 [r unlink c c]
        assert_equal 0 [r dbsize]
    }

    test {EXISTS counts every argument, duplicates included} {
        r flushdb
        r mset a 1 b 2
        assert_equal 1 [r exists a]
        assert_equal 2 [r exists a b]
        assert_equal 3 [r exists a a a]
        assert_equal 2 [r exists a nokey a]
        assert_equal 0 [r exists nokey]
    }

    test {DEL, UNLINK and EXISTS arity} {
        assert_equal {ERR wrong number of arguments for 'del' command} [err_of {r del}]
        assert_equal {ERR wrong number of arguments for 'unlink' command} [err_of {r unlink}]
        assert_equal {ERR wrong number of arguments for 'exists' command} [err_of {r exists}]
    }

    test {EXISTS and DEL are binary safe} {
        set k "a\x00b\r\nc"
        r set $k v
        assert_equal 1 [r exists $k]
        assert_equal 0 [r exists "a\x00b"]
        assert_equal 1 [r del $k]
    }

    # ------------------------------------------------------------ TYPE

    test {TYPE of a string and of a missing key} {
        r set s v
        r set i 123
        assert_equal string [r type s]
        assert_equal string [r type i]
        assert_equal none [r type nokey]
        r readraw 1
        set raw [r type nokey]
        r readraw 0
        assert_equal {+none} $raw
        assert_equal {ERR wrong number of arguments for 'type' command} [err_of {r type}]
    }

    test {TYPE of a list} {
        r del l
        r rpush l x
        assert_equal list [r type l]
    } {} {needs:list}

    # ------------------------------------------------------------ RENAME RENAMENX

    test {RENAME moves the value to the new name} {
        r flushdb
        r set src hello
        assert_equal OK [r rename src dst]
        assert_equal 0 [r exists src]
        assert_equal hello [r get dst]
    }

    test {RENAME of a missing key} {
        assert_equal {ERR no such key} [err_of {r rename nokey dst}]
        assert_equal {ERR no such key} [err_of {r rename nokey nokey}]
        assert_equal {ERR no such key} [err_of {r renamenx nokey dst}]
        assert_equal {ERR no such key} [err_of {r renamenx nokey nokey}]
    }

    test {RENAME to the same name} {
        r set same v
        r expire same 100
        assert_equal OK [r rename same same]
        assert_equal v [r get same]
        assert_range [r ttl same] 90 100
        assert_equal 0 [r renamenx same same]
    }

    test {RENAME overwrites the destination} {
        r set src new
        r set dst old
        assert_equal OK [r rename src dst]
        assert_equal new [r get dst]
        assert_equal 0 [r exists src]
    }

    test {RENAME carries the TTL of the source} {
        r set src v
        r expire src 100
        r rename src dst
        assert_range [r ttl dst] 90 100
    }

    test {RENAME over a destination with a TTL clears that TTL} {
        r set src v
        r set dst old ex 100
        r rename src dst
        assert_equal -1 [r ttl dst]
        assert_equal v [r get dst]
    }

    test {RENAME replaces a destination of another type} {
        r del l
        r rpush l x
        r set s v
        r rename s l
        assert_equal string [r type l]
        assert_equal v [r get l]
    } {} {needs:list}

    test {RENAMENX only renames when the destination is missing} {
        r flushdb
        r set src v
        r set dst old
        assert_equal 0 [r renamenx src dst]
        assert_equal old [r get dst]
        assert_equal v [r get src]
        r del dst
        r expire src 100
        assert_equal 1 [r renamenx src dst]
        assert_equal v [r get dst]
        assert_range [r ttl dst] 90 100
        assert_equal 0 [r exists src]
    }

    test {RENAME and RENAMENX arity} {
        assert_equal {ERR wrong number of arguments for 'rename' command} [err_of {r rename a}]
        assert_equal {ERR wrong number of arguments for 'rename' command} [err_of {r rename a b c}]
        assert_equal {ERR wrong number of arguments for 'renamenx' command} [err_of {r renamenx a}]
    }

    test {RENAME of an integer value} {
        r set n 12345
        r rename n m
        assert_equal 12346 [r incr m]
    }

    # ------------------------------------------------------------ KEYS

    test {KEYS with glob patterns} {
        r flushdb
        foreach k {foo foobar fxo f*o f?o bar fao a\[b} {
            r set $k 1
        }
        assert_equal [lsort {foo foobar fxo f*o f?o bar fao a[b}] [lsort [r keys *]]
        assert_equal {f*o f?o fao foo fxo} [lsort [r keys f?o]]
        assert_equal {foo foobar} [lsort [r keys foo*]]
        assert_equal {fao foo} [lsort [r keys {f[a-o]o}]]
        assert_equal {f*o f?o foo fxo} [lsort [r keys {f[^a]o}]]
        assert_equal {bar foobar} [lsort [r keys *bar]]
        assert_equal [list a\[b bar] [lsort [r keys {[ab]*}]]
    }

    test {KEYS escapes with a backslash} {
        assert_equal {f*o} [r keys {f\*o}]
        assert_equal {f?o} [r keys {f\?o}]
        assert_equal [list a\[b] [r keys {a\[b}]
    }

    test {KEYS bracket corner cases} {
        # Only ^ negates a class; ! is an ordinary character.
        assert_equal {fao} [r keys {f[!a]o}]
        # A reversed range is swapped.
        assert_equal {fao foo fxo} [lsort [r keys {f[x-a]o}]]
        # An unterminated class matches nothing.
        assert_equal {} [r keys {a[b}]
    }

    test {KEYS with no match returns an empty array} {
        assert_equal {} [r keys nomatch*]
        r readraw 1
        set raw [r keys nomatch*]
        r readraw 0
        assert_equal {*0} $raw
        assert_equal {ERR wrong number of arguments for 'keys' command} [err_of {r keys}]
        assert_equal {ERR wrong number of arguments for 'keys' command} [err_of {r keys a b}]
    }

    test {KEYS does not return expired keys} {
        r flushdb
        r set live 1
        r set dying 1 px 1
        after 20
        assert_equal {live} [r keys *]
    }

    test {KEYS only sees the selected database} {
        reset_dbs
        r set k0 1
        r select 9
        r set k9 1
        assert_equal {k9} [r keys *]
        r select 0
        assert_equal {k0} [r keys *]
        reset_dbs
    }

    # ------------------------------------------------------------ SCAN

    test {SCAN returns the same keys as KEYS (DEBUG POPULATE 1500)} {
        r flushdb
        r debug populate 1500
        set scanned [lsort -unique [scan_all]]
        assert_equal 1500 [llength $scanned]
        assert_equal [lsort [r keys *]] $scanned
    } {} {needs:debug}

    test {SCAN with COUNT returns the same set} {
        r flushdb
        populate 1500
        foreach count {1 10 100 10000} {
            set scanned [lsort -unique [scan_all count $count]]
            assert_equal 1500 [llength $scanned] "count $count"
        }
    }

    test {SCAN with MATCH} {
        r flushdb
        populate 1500
        set scanned [lsort -unique [scan_all match key:1?? count 50]]
        assert_equal [lsort [r keys key:1??]] $scanned
        assert_equal 100 [llength $scanned]
        assert_equal {} [scan_all match nomatch*]
    }

    test {SCAN with TYPE} {
        r flushdb
        populate 1500
        assert_equal 1500 [llength [lsort -unique [scan_all type string]]]
        # The type name is case insensitive; an unknown type matches nothing.
        assert_equal 1500 [llength [lsort -unique [scan_all type STRING]]]
        assert_equal {} [scan_all type nosuchtype]
    }

    test {SCAN with TYPE on mixed types} {
        r flushdb
        r set s1 v
        r set s2 v
        r rpush l1 x
        assert_equal {s1 s2} [lsort [scan_all type string]]
        assert_equal {l1} [scan_all type list]
        assert_equal {s1} [lsort [scan_all type string match *1]]
    } {} {needs:list}

    test {SCAN reply shape: the cursor is a bulk string} {
        r flushdb
        r set only 1
        r readraw 1
        set lines [list [r scan 0]]
        for {set i 0} {$i < 5} {incr i} {
            lappend lines [r read]
        }
        r readraw 0
        assert_equal [list *2 {$1} 0 *1 {$4} only] $lines
    }

    test {SCAN of an empty database} {
        r flushdb
        assert_equal {0 {}} [r scan 0]
    }

    test {SCAN cursor errors} {
        assert_equal {ERR invalid cursor} [err_of {r scan abc}]
        assert_equal {ERR invalid cursor} [err_of {r scan 1.5}]
        assert_equal {ERR invalid cursor} [err_of {r scan " 1"}]
        assert_equal {ERR invalid cursor} [err_of {r scan 18446744073709551616}]
        # The cursor is parsed with strtoul: -1 wraps around and is accepted,
        # and so is an empty string (cursor 0).
        assert_equal {0 {}} [r scan ""]
        assert_equal {0 {}} [r scan 18446744073709551615]
        assert_equal {0 {}} [r scan -1]
    }

    test {SCAN option errors} {
        assert_equal {ERR syntax error} [err_of {r scan 0 count 0}]
        assert_equal {ERR syntax error} [err_of {r scan 0 count -1}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r scan 0 count abc}]
        assert_equal {ERR syntax error} [err_of {r scan 0 count}]
        assert_equal {ERR syntax error} [err_of {r scan 0 match}]
        assert_equal {ERR syntax error} [err_of {r scan 0 type}]
        assert_equal {ERR syntax error} [err_of {r scan 0 foo bar}]
        assert_equal {ERR wrong number of arguments for 'scan' command} [err_of {r scan}]
    }

    test {SCAN options are case insensitive, the last one wins} {
        r flushdb
        r mset a1 1 a2 2 b1 3
        assert_equal {a1 a2} [lsort [scan_all MATCH b* Match a* CoUnT 1 count 10]]
    }

    test {SCAN returns keys present for the whole scan while others are added} {
        r flushdb
        populate 500 stable
        set cursor 0
        set seen {}
        set n 0
        while 1 {
            lassign [r scan $cursor count 10] cursor batch
            lappend seen {*}$batch
            for {set i 0} {$i < 10} {incr i} {
                r set added:[incr n] x
            }
            if {$cursor == 0} {
                break
            }
        }
        set stable_seen [lsort -unique [lsearch -all -inline $seen stable:*]]
        assert_equal 500 [llength $stable_seen]
        assert_equal [lsort [r keys stable:*]] $stable_seen
    }

    test {SCAN returns keys present for the whole scan while others are deleted} {
        r flushdb
        populate 1000 k
        set cursor 0
        set seen {}
        set n 0
        while 1 {
            lassign [r scan $cursor count 20] cursor batch
            lappend seen {*}$batch
            # Delete keys with an odd number, they may or may not be seen.
            for {set i 0} {$i < 20} {incr i} {
                r del k:[expr {2 * $n + 1}]
                incr n
            }
            if {$cursor == 0} {
                break
            }
        }
        set even {}
        for {set i 0} {$i < 1000} {incr i 2} {
            lappend even k:$i
        }
        set seen [lsort -unique $seen]
        foreach k $even {
            assert {[lsearch -exact -sorted $seen $k] >= 0} "$k not returned"
        }
    }

    # ------------------------------------------------------------ TOUCH RANDOMKEY DBSIZE

    test {TOUCH counts the existing keys} {
        r flushdb
        r mset a 1 b 2
        assert_equal 2 [r touch a b nokey]
        assert_equal 3 [r touch a a b]
        assert_equal 0 [r touch nokey]
        assert_equal {ERR wrong number of arguments for 'touch' command} [err_of {r touch}]
    }

    test {RANDOMKEY of an empty database is nil} {
        r flushdb
        assert_equal {} [r randomkey]
        r readraw 1
        set raw [r randomkey]
        r readraw 0
        assert_equal {$-1} $raw
        assert_equal {ERR wrong number of arguments for 'randomkey' command} [err_of {r randomkey x}]
    }

    test {RANDOMKEY returns existing keys} {
        r flushdb
        r set only v
        assert_equal only [r randomkey]
        r mset a 1 b 2 c 3
        array unset ::rk_seen
        for {set i 0} {$i < 200} {incr i} {
            set ::rk_seen([r randomkey]) 1
        }
        assert_equal {a b c only} [lsort [array names ::rk_seen]]
    }

    test {RANDOMKEY does not return expired keys} {
        r flushdb
        r set live 1
        r debug set-active-expire 0
        try {
            for {set i 0} {$i < 20} {incr i} {
                r set dead:$i 1 px 1
            }
            after 20
            for {set i 0} {$i < 30} {incr i} {
                assert_equal live [r randomkey]
            }
        } finally {
            r debug set-active-expire 1
        }
    } {} {needs:debug}

    test {DBSIZE counts the keys of the selected database} {
        reset_dbs
        assert_equal 0 [r dbsize]
        r mset a 1 b 2 c 3
        assert_equal 3 [r dbsize]
        r select 9
        assert_equal 0 [r dbsize]
        r set x 1
        assert_equal 1 [r dbsize]
        r select 0
        r del a
        assert_equal 2 [r dbsize]
        reset_dbs
        assert_equal {ERR wrong number of arguments for 'dbsize' command} [err_of {r dbsize x}]
    }

    # ------------------------------------------------------------ SELECT

    test {SELECT switches database, each connection has its own} {
        reset_dbs
        r select 3
        r set k three
        set c [redis_client]
        assert_equal {} [$c get k]
        $c select 3
        assert_equal three [$c get k]
        $c close
        r select 0
        assert_equal {} [r get k]
        r select 15
        assert_equal OK [r select 15]
        r select 0
        reset_dbs
    }

    test {SELECT errors} {
        assert_equal {ERR DB index is out of range} [err_of {r select 16}]
        assert_equal {ERR DB index is out of range} [err_of {r select -1}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r select abc}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r select 1.5}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r select 01}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r select " 1"}]
        assert_equal {ERR value is out of range, value must between -2147483648 and 2147483647} [err_of {r select 9999999999999}]
        assert_equal {ERR wrong number of arguments for 'select' command} [err_of {r select}]
        r set stillzero 1
        assert_equal 1 [r exists stillzero]
    }

    # ------------------------------------------------------------ SWAPDB

    test {SWAPDB swaps the contents of two databases} {
        reset_dbs
        r set a db0
        r set b db0 ex 100
        r select 1
        r set c db1
        r select 0
        assert_equal OK [r swapdb 0 1]
        assert_equal {c} [r keys *]
        assert_equal db1 [r get c]
        r select 1
        assert_equal {a b} [lsort [r keys *]]
        assert_equal db0 [r get a]
        assert_range [r ttl b] 90 100
        r select 0
        assert_equal OK [r swapdb 1 0]
        assert_equal {a b} [lsort [r keys *]]
        reset_dbs
    }

    test {SWAPDB with the same database twice} {
        r set k v
        assert_equal OK [r swapdb 0 0]
        assert_equal v [r get k]
    }

    test {SWAPDB affects other connections} {
        reset_dbs
        r set k db0
        set c [redis_client]
        $c select 5
        assert_equal {} [$c get k]
        r swapdb 0 5
        assert_equal db0 [$c get k]
        assert_equal {} [r get k]
        $c close
        reset_dbs
    }

    test {SWAPDB errors} {
        assert_equal {ERR invalid first DB index} [err_of {r swapdb abc 0}]
        assert_equal {ERR invalid second DB index} [err_of {r swapdb 0 abc}]
        assert_equal {ERR invalid first DB index} [err_of {r swapdb 9999999999999 0}]
        assert_equal {ERR invalid second DB index} [err_of {r swapdb 0 1.5}]
        assert_equal {ERR invalid first DB index} [err_of {r swapdb abc def}]
        assert_equal {ERR DB index is out of range} [err_of {r swapdb 0 16}]
        assert_equal {ERR DB index is out of range} [err_of {r swapdb 16 0}]
        assert_equal {ERR DB index is out of range} [err_of {r swapdb -1 0}]
        assert_equal {ERR DB index is out of range} [err_of {r swapdb 0 -1}]
        assert_equal {ERR wrong number of arguments for 'swapdb' command} [err_of {r swapdb 0}]
    }

    # ------------------------------------------------------------ MOVE

    test {MOVE moves a key to another database} {
        reset_dbs
        r set k v
        assert_equal 1 [r move k 1]
        assert_equal 0 [r exists k]
        r select 1
        assert_equal v [r get k]
        r select 0
    }

    test {MOVE of a missing key returns 0} {
        reset_dbs
        assert_equal 0 [r move nokey 1]
    }

    test {MOVE does not overwrite a key in the target database} {
        reset_dbs
        r set k source
        r select 1
        r set k target
        r select 0
        assert_equal 0 [r move k 1]
        assert_equal source [r get k]
        r select 1
        assert_equal target [r get k]
        r select 0
    }

    test {MOVE keeps the TTL} {
        reset_dbs
        r set k v ex 100
        assert_equal 1 [r move k 1]
        r select 1
        assert_range [r ttl k] 90 100
        r select 0
        r set p v
        r move p 1
        r select 1
        assert_equal -1 [r ttl p]
        r select 0
    }

    test {MOVE errors} {
        reset_dbs
        r set k v
        assert_equal {ERR source and destination objects are the same} [err_of {r move k 0}]
        # The database check comes before the key lookup.
        assert_equal {ERR source and destination objects are the same} [err_of {r move nokey 0}]
        assert_equal {ERR DB index is out of range} [err_of {r move k 16}]
        assert_equal {ERR DB index is out of range} [err_of {r move k -1}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r move k abc}]
        assert_equal {ERR value is out of range, value must between -2147483648 and 2147483647} [err_of {r move k 9999999999999}]
        assert_equal {ERR wrong number of arguments for 'move' command} [err_of {r move k}]
        assert_equal v [r get k]
    }

    # ------------------------------------------------------------ COPY

    test {COPY copies a value within the database} {
        reset_dbs
        r set src hello
        assert_equal 1 [r copy src dst]
        assert_equal hello [r get dst]
        assert_equal hello [r get src]
        r append dst " world"
        assert_equal hello [r get src]
    }

    test {COPY does not overwrite without REPLACE} {
        r set src new
        r set dst old
        assert_equal 0 [r copy src dst]
        assert_equal old [r get dst]
        assert_equal 1 [r copy src dst replace]
        assert_equal new [r get dst]
    }

    test {COPY of a missing source returns 0} {
        assert_equal 0 [r copy nokey dst2]
        assert_equal 0 [r exists dst2]
        assert_equal 0 [r copy nokey dst replace]
        assert_equal new [r get dst]
    }

    test {COPY to another database with DB} {
        reset_dbs
        r set src v
        assert_equal 1 [r copy src dst db 1]
        assert_equal 1 [r copy src src db 2]
        assert_equal 0 [r exists dst]
        r select 1
        assert_equal v [r get dst]
        r select 2
        assert_equal v [r get src]
        r select 1
        r set dst other
        r select 0
        assert_equal 0 [r copy src dst db 1]
        assert_equal 1 [r copy src dst db 1 replace]
        r select 1
        assert_equal v [r get dst]
        r select 0
    }

    test {COPY copies the TTL, REPLACE clears the old destination TTL} {
        reset_dbs
        r set src v ex 100
        r copy src dst
        assert_range [r ttl dst] 90 100
        r set plain x
        r set withttl y ex 100
        assert_equal 1 [r copy plain withttl replace]
        assert_equal -1 [r ttl withttl]
        r copy src other db 3
        r select 3
        assert_range [r ttl other] 90 100
        r select 0
    }

    test {COPY of an integer value} {
        r set n 42
        r copy n m
        assert_equal 43 [r incr m]
        assert_equal 42 [r get n]
    }

    test {COPY errors} {
        reset_dbs
        r set src v
        assert_equal {ERR source and destination objects are the same} [err_of {r copy src src}]
        assert_equal {ERR source and destination objects are the same} [err_of {r copy src src db 0}]
        assert_equal {ERR source and destination objects are the same} [err_of {r copy src src replace}]
        assert_equal {ERR DB index is out of range} [err_of {r copy src dst db 16}]
        assert_equal {ERR DB index is out of range} [err_of {r copy src dst db -1}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r copy src dst db abc}]
        assert_equal {ERR syntax error} [err_of {r copy src dst db}]
        assert_equal {ERR syntax error} [err_of {r copy src dst foo}]
        assert_equal {ERR wrong number of arguments for 'copy' command} [err_of {r copy src}]
        # Repeated options are accepted.
        assert_equal 1 [r copy src dst replace replace]
    }

    test {COPY of a list is independent of the source} {
        r del l l2
        r rpush l a b
        assert_equal 1 [r copy l l2]
        assert_equal list [r type l2]
        r rpush l2 c
        assert_equal 2 [r llen l]
    } {} {needs:list}

    # ------------------------------------------------------------ FLUSHDB FLUSHALL

    test {FLUSHDB empties only the selected database} {
        reset_dbs
        r set a 1
        r select 1
        r set b 1
        assert_equal OK [r flushdb]
        assert_equal 0 [r dbsize]
        r select 0
        assert_equal 1 [r dbsize]
    }

    test {FLUSHALL empties every database} {
        r set a 1
        r select 1
        r set b 1
        r select 0
        assert_equal OK [r flushall]
        assert_equal 0 [r dbsize]
        r select 1
        assert_equal 0 [r dbsize]
        r select 0
    }

    test {FLUSHDB and FLUSHALL with ASYNC and SYNC} {
        foreach cmd {flushdb flushall} {
            foreach mode {async sync ASYNC Sync} {
                populate 100
                assert_equal OK [r $cmd $mode]
                assert_equal 0 [r dbsize] "$cmd $mode"
            }
        }
    }

    test {FLUSHDB and FLUSHALL argument errors} {
        foreach cmd {flushdb flushall} {
            assert_equal {ERR syntax error} [err_of {r $cmd foo}]
            assert_equal {ERR syntax error} [err_of {r $cmd async sync}]
            assert_equal {ERR syntax error} [err_of {r $cmd async async}]
        }
    }

    # ------------------------------------------------------------ OBJECT

    test {OBJECT subcommands on a missing key return nil} {
        reset_dbs
        foreach sub {encoding refcount idletime} {
            assert_equal {} [r object $sub nokey]
            r readraw 1
            set raw [r object $sub nokey]
            r readraw 0
            assert_equal {$-1} $raw
        }
        # Without an LFU policy FREQ of a missing key is nil as well.
        assert_equal {} [r object freq nokey]
    } {} {needs:encoding}

    test {OBJECT ENCODING of strings} {
        r set i 123
        r set e abc
        r set raw [string repeat x 100]
        assert_equal int [r object encoding i]
        assert_equal embstr [r object encoding e]
        assert_equal raw [r object encoding raw]
        assert_equal {ERR wrong number of arguments for 'object|encoding' command} [err_of {r object encoding}]
        assert_equal {ERR wrong number of arguments for 'object|encoding' command} [err_of {r object encoding i e}]
    } {} {needs:encoding}

    test {OBJECT ENCODING of a list} {
        r del l
        r rpush l a
        assert_equal listpack [r object encoding l]
    } {} {needs:list needs:encoding redis72}

    test {OBJECT REFCOUNT} {
        # Small integers (0..9999) are shared objects with the maximum refcount.
        r set small 100
        assert_equal 2147483647 [r object refcount small]
        r set small 0
        assert_equal 2147483647 [r object refcount small]
        r set big 10000
        assert_equal 1 [r object refcount big]
        r set s abc
        assert_equal 1 [r object refcount s]
        r set neg -1
        assert_equal 1 [r object refcount neg]
    } {} {needs:encoding}

    test {OBJECT IDLETIME returns an integer} {
        r set k v
        set idle [r object idletime k]
        assert {[string is integer -strict $idle]}
        assert_range $idle 0 5
    } {} {needs:encoding}

    test {OBJECT IDLETIME grows while the key is not accessed} {
        r set idle v
        wait_for_condition 50 100 {[r object idletime idle] >= 2} else {
            fail "idle time did not grow"
        }
        # OBJECT itself does not touch the key, GET does.
        assert_morethan_equal [r object idletime idle] 2
        r get idle
        assert_range [r object idletime idle] 0 1
    } {} {needs:encoding}

    test {OBJECT FREQ without an LFU policy} {
        r set k v
        assert_equal {ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.} [err_of {r object freq k}]
    } {} {needs:encoding}

    test {OBJECT FREQ and IDLETIME with an LFU policy} {
        r config set maxmemory-policy allkeys-lfu
        try {
            r set freq v
            set f [r object freq freq]
            assert {[string is integer -strict $f]}
            # New keys start with a counter of 5 (LFU_INIT_VAL).
            assert_equal 5 $f
            for {set i 0} {$i < 100} {incr i} {
                r get freq
            }
            assert_morethan [r object freq freq] 5
            assert_equal {} [r object freq nokey]
            assert_equal {ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.} [err_of {r object idletime freq}]
        } finally {
            r config set maxmemory-policy noeviction
        }
    } {} {needs:encoding needs:config}

    test {OBJECT HELP} {
        set help [r object help]
        assert_equal 15 [llength $help]
        assert_equal {OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:} [lindex $help 0]
        assert_equal {ENCODING <key>} [lindex $help 1]
        assert_equal {FREQ <key>} [lindex $help 4]
        assert_equal {IDLETIME <key>} [lindex $help 7]
        assert_equal {REFCOUNT <key>} [lindex $help 10]
        assert_equal {HELP} [lindex $help 13]
        assert_equal {    Prints this help.} [lindex $help 14]
        r readraw 1
        set lines [list [r object help] [r read]]
        for {set i 1} {$i < 15} {incr i} {
            r read
        }
        r readraw 0
        assert_equal [list *15 {+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:}] $lines
        assert_equal {ERR wrong number of arguments for 'object|help' command} [err_of {r object help x}]
    } {} {needs:encoding}

    test {OBJECT unknown subcommand and arity} {
        assert_equal {ERR unknown subcommand 'foo'. Try OBJECT HELP.} [err_of {r object foo}]
        assert_equal {ERR unknown subcommand 'foo'. Try OBJECT HELP.} [err_of {r object foo bar}]
        assert_equal {ERR wrong number of arguments for 'object' command} [err_of {r object}]
        assert_equal {ERR wrong number of arguments for 'object|refcount' command} [err_of {r object refcount}]
        assert_equal {ERR wrong number of arguments for 'object|freq' command} [err_of {r object freq}]
        assert_equal {ERR wrong number of arguments for 'object|idletime' command} [err_of {r object idletime}]
    } {} {needs:encoding}
}
