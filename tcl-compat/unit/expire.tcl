# Expiry: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL PTTL
# EXPIRETIME PEXPIRETIME PERSIST, lazy and active expiry, and the expiry
# counters of INFO.

# The db0 line of INFO keyspace ("" when db0 is empty).
proc db0_info {} {
    getInfoProperty [r info keyspace] db0
}

start_server {tags {"expire"}} {

    # ------------------------------------------------------------ setting

    test {EXPIRE sets a TTL in seconds and returns 1} {
        r flushall
        r set k v
        assert_equal 1 [r expire k 100]
        assert_range [r ttl k] 90 100
        assert_range [r pttl k] 90000 100000
        assert_equal v [r get k]
        # Setting it again just changes the TTL.
        assert_equal 1 [r expire k 200]
        assert_range [r ttl k] 190 200
    }

    test {PEXPIRE sets a TTL in milliseconds} {
        r set k v
        assert_equal 1 [r pexpire k 100000]
        assert_range [r pttl k] 90000 100000
        assert_range [r ttl k] 90 100
    }

    test {EXPIREAT and PEXPIREAT set an absolute time} {
        r set k v
        set at [expr {[clock seconds] + 1000}]
        assert_equal 1 [r expireat k $at]
        assert_equal $at [r expiretime k]
        assert_equal [expr {$at * 1000}] [r pexpiretime k]
        set pat [expr {[clock milliseconds] + 2000000}]
        assert_equal 1 [r pexpireat k $pat]
        assert_equal $pat [r pexpiretime k]
        assert_equal [expr {($pat + 500) / 1000}] [r expiretime k]
    }

    test {EXPIRE family on a missing key returns 0} {
        r del nokey
        assert_equal 0 [r expire nokey 100]
        assert_equal 0 [r pexpire nokey 100]
        assert_equal 0 [r expireat nokey [expr {[clock seconds] + 100}]]
        assert_equal 0 [r pexpireat nokey [expr {[clock milliseconds] + 100000}]]
        assert_equal 0 [r expire nokey 100 nx]
        assert_equal 0 [r expire nokey 100 gt]
        assert_equal 0 [r expire nokey -1]
        assert_equal 0 [r exists nokey]
    }

    test {EXPIRE with a negative or zero time deletes the key and returns 1} {
        foreach {cmd t} {expire 0 expire -1 pexpire 0 pexpire -100 expireat 0
                         expireat 1 pexpireat 1 pexpireat -5} {
            r set k v
            assert_equal 1 [r $cmd k $t] "$cmd $t"
            assert_equal 0 [r exists k] "$cmd $t"
        }
    }

    test {EXPIREAT in the past deletes the key} {
        r set k v
        assert_equal 1 [r expireat k [expr {[clock seconds] - 10}]]
        assert_equal 0 [r exists k]
        assert_equal -2 [r ttl k]
    }

    test {EXPIRE with an overflowing time} {
        r set k v
        assert_equal {ERR invalid expire time in 'expire' command} [err_of {r expire k 9223372036854775807}]
        assert_equal {ERR invalid expire time in 'expire' command} [err_of {r expire k 9223372036854775}]
        assert_equal {ERR invalid expire time in 'expire' command} [err_of {r expire k -9223372036854775808}]
        assert_equal {ERR invalid expire time in 'pexpire' command} [err_of {r pexpire k 9223372036854775807}]
        assert_equal {ERR invalid expire time in 'expireat' command} [err_of {r expireat k 9223372036854775807}]
        assert_equal {ERR invalid expire time in 'expireat' command} [err_of {r expireat k -9223372036854775808}]
        assert_equal 1 [r exists k]
        assert_equal -1 [r ttl k]
    }

    test {PEXPIREAT accepts times up to LLONG_MAX} {
        r set k v
        assert_equal 1 [r pexpireat k 9223372036854775807]
        assert_equal 9223372036854775807 [r pexpiretime k]
        # 9223372036854775.807 s, rounded to the nearest second.
        assert_equal 9223372036854776 [r expiretime k]
        assert_morethan [r ttl k] 9000000000000000
        assert_equal v [r get k]
    }

    test {EXPIRE with a non-integer time} {
        r set k v
        foreach t {abc 1.5 "" " 10" 10x 9223372036854775808} {
            assert_equal {ERR value is not an integer or out of range} [err_of {r expire k $t}] "time '$t'"
            assert_equal {ERR value is not an integer or out of range} [err_of {r pexpireat k $t}] "time '$t'"
        }
        assert_equal -1 [r ttl k]
    }

    test {EXPIRE family arity} {
        foreach cmd {expire pexpire expireat pexpireat} {
            assert_equal "ERR wrong number of arguments for '$cmd' command" [err_of {r $cmd k}]
            assert_equal "ERR wrong number of arguments for '$cmd' command" [err_of {r $cmd}]
        }
        foreach cmd {ttl pttl expiretime pexpiretime persist} {
            assert_equal "ERR wrong number of arguments for '$cmd' command" [err_of {r $cmd}]
            assert_equal "ERR wrong number of arguments for '$cmd' command" [err_of {r $cmd a b}]
        }
    }

    # ------------------------------------------------------------ NX XX GT LT

    test {EXPIRE NX only sets a TTL on keys without one} {
        r set k v
        assert_equal 1 [r expire k 100 nx]
        assert_equal 0 [r expire k 200 nx]
        assert_range [r ttl k] 90 100
    }

    test {EXPIRE XX only sets a TTL on keys that have one} {
        r set k v
        assert_equal 0 [r expire k 100 xx]
        assert_equal -1 [r ttl k]
        r expire k 100
        assert_equal 1 [r expire k 200 xx]
        assert_range [r ttl k] 190 200
    }

    test {EXPIRE GT only extends the TTL, never sets a first one} {
        r set k v
        # No TTL counts as an infinite TTL: nothing is greater.
        assert_equal 0 [r expire k 100 gt]
        assert_equal -1 [r ttl k]
        r expire k 100
        assert_equal 0 [r expire k 50 gt]
        assert_equal 0 [r expire k 99 gt]
        assert_equal 1 [r expire k 200 gt]
        assert_range [r ttl k] 190 200
    }

    test {EXPIRE GT and LT with the same expire time do nothing} {
        r set k v
        set at [expr {[clock milliseconds] + 100000}]
        r pexpireat k $at
        assert_equal 0 [r pexpireat k $at gt]
        assert_equal 0 [r pexpireat k $at lt]
        assert_equal $at [r pexpiretime k]
    }

    test {EXPIRE LT only shortens the TTL, and sets one on keys without} {
        r set k v
        assert_equal 1 [r expire k 100 lt]
        assert_range [r ttl k] 90 100
        assert_equal 0 [r expire k 200 lt]
        assert_equal 1 [r expire k 50 lt]
        assert_range [r ttl k] 40 50
    }

    test {EXPIRE XX GT and XX LT can be combined} {
        r set k v
        assert_equal 0 [r expire k 100 xx gt]
        assert_equal 0 [r expire k 100 xx lt]
        r expire k 100
        assert_equal 1 [r expire k 200 xx gt]
        assert_equal 1 [r expire k 50 lt xx]
        assert_range [r ttl k] 40 50
    }

    test {PEXPIRE, EXPIREAT and PEXPIREAT honour the options} {
        r set k v
        assert_equal 0 [r pexpire k 100000 xx]
        assert_equal 1 [r pexpire k 100000 nx]
        set at [expr {[clock seconds] + 1000}]
        assert_equal 1 [r expireat k $at gt]
        assert_equal 0 [r expireat k [expr {$at - 10}] gt]
        assert_equal $at [r expiretime k]
        assert_equal 1 [r pexpireat k [expr {$at * 1000 - 5000}] lt]
        assert_equal [expr {$at * 1000 - 5000}] [r pexpiretime k]
        assert_equal 0 [r pexpireat k [expr {$at * 1000}] lt]
    }

    test {EXPIRE options with a time in the past} {
        # GT with a past time never wins against an existing TTL.
        r set k v ex 100
        assert_equal 0 [r expire k -1 gt]
        assert_equal 1 [r exists k]
        assert_equal 1 [r expire k -1 lt]
        assert_equal 0 [r exists k]
        # XX on a key without TTL does nothing, NX deletes it.
        r set k v
        assert_equal 0 [r expire k -1 xx]
        assert_equal 1 [r exists k]
        assert_equal 1 [r expire k -1 nx]
        assert_equal 0 [r exists k]
    }

    test {EXPIRE options are case insensitive and may repeat} {
        r set k v
        assert_equal 1 [r expire k 100 Nx]
        assert_equal 1 [r expire k 200 gT]
        assert_equal 1 [r expire k 300 gt gt]
        assert_equal 1 [r expire k 400 xx xx]
    }

    test {EXPIRE incompatible options} {
        r set k v
        foreach opts {{nx xx} {xx nx} {nx gt} {nx lt} {gt nx} {nx xx gt}} {
            assert_equal {ERR NX and XX, GT or LT options at the same time are not compatible} [err_of {r expire k 100 {*}$opts}] $opts
            assert_equal {ERR NX and XX, GT or LT options at the same time are not compatible} [err_of {r pexpireat k 100 {*}$opts}] $opts
        }
        foreach opts {{gt lt} {lt gt} {xx gt lt}} {
            assert_equal {ERR GT and LT options at the same time are not compatible} [err_of {r expire k 100 {*}$opts}] $opts
        }
        assert_equal -1 [r ttl k]
    }

    test {EXPIRE unsupported options} {
        r set k v
        assert_equal {ERR Unsupported option foo} [err_of {r expire k 100 foo}]
        assert_equal {ERR Unsupported option bar} [err_of {r expire k 100 nx bar}]
        assert_equal {ERR Unsupported option KEEPTTL} [err_of {r pexpire k 100 KEEPTTL}]
        assert_equal {ERR Unsupported option 100} [err_of {r expireat k 100 100}]
        # Options are checked before the key is looked up.
        assert_equal {ERR Unsupported option foo} [err_of {r expire nokey 100 foo}]
        assert_equal -1 [r ttl k]
    }

    # ------------------------------------------------------------ reading

    test {TTL, PTTL, EXPIRETIME and PEXPIRETIME of missing keys and keys without TTL} {
        r del nokey
        r set k v
        foreach cmd {ttl pttl expiretime pexpiretime} {
            assert_equal -2 [r $cmd nokey] $cmd
            assert_equal -1 [r $cmd k] $cmd
        }
    }

    test {TTL rounds to the nearest second} {
        r set k v
        r pexpire k 100990
        # 100.99 s: rounded to 101, not truncated to 100.
        assert_equal 101 [r ttl k]
        r pexpire k 1400
        assert_equal 1 [r ttl k]
    }

    test {EXPIRETIME rounds PEXPIRETIME to the nearest second} {
        r set k v
        r pexpireat k 5000000000999
        assert_equal 5000000001 [r expiretime k]
        assert_equal 5000000000999 [r pexpiretime k]
        r pexpireat k 5000000000499
        assert_equal 5000000000 [r expiretime k]
        r pexpireat k 5000000000500
        assert_equal 5000000001 [r expiretime k]
    }

    test {PERSIST removes the TTL} {
        r set k v ex 100
        assert_equal 1 [r persist k]
        assert_equal -1 [r ttl k]
        assert_equal 0 [r persist k]
        assert_equal 0 [r persist nokey]
        assert_equal v [r get k]
    }

    # ------------------------------------------------------------ commands and TTLs

    test {SET clears the TTL, SET KEEPTTL keeps it} {
        r set k v ex 100
        r set k v2
        assert_equal -1 [r ttl k]
        r set k v ex 100
        r set k v3 keepttl
        assert_range [r ttl k] 90 100
    }

    test {DEL and re-create gives a key without TTL} {
        r set k v ex 100
        r del k
        r set k v
        assert_equal -1 [r ttl k]
    }

    test {Commands that modify a value keep its TTL} {
        r set k 10 ex 100
        r incr k
        r incrbyfloat k 1.5
        r append k 0
        r setrange k 0 9
        assert_range [r ttl k] 90 100
        # GETSET and MSET replace the value and drop the TTL.
        r getset k x
        assert_equal -1 [r ttl k]
        r set k v ex 100
        r mset k w
        assert_equal -1 [r ttl k]
    }

    # ------------------------------------------------------------ expiring

    test {A key with PX 100 is gone after waiting} {
        r set short v px 100
        after 300
        assert_equal {} [r get short]
        assert_equal 0 [r exists short]
        assert_equal -2 [r ttl short]
    }

    test {A key with EX 1 expires after a second} {
        r set short v ex 1
        assert_equal 1 [r exists short]
        wait_for_condition 50 100 {[r exists short] == 0} else {
            fail "key with EX 1 did not expire"
        }
        assert_equal {} [r get short]
    }

    test {Lazy expiry: an expired key is removed when accessed} {
        r flushall
        r debug set-active-expire 0
        try {
            set before [s expired_keys]
            r set lazy v px 50
            r set keep v
            after 200
            # Not accessed yet: still counted by DBSIZE.
            assert_equal 2 [r dbsize]
            assert_equal {} [r get lazy]
            assert_equal 1 [r dbsize]
            assert_equal [expr {$before + 1}] [s expired_keys]
        } finally {
            r debug set-active-expire 1
        }
    } {} {needs:debug}

    test {Expired keys are not visible to any command} {
        r flushall
        r debug set-active-expire 0
        try {
            foreach k {a b c d e f g h} {
                r set $k 5 px 50
            }
            after 200
            assert_equal 0 [r exists a]
            assert_equal -2 [r ttl b]
            assert_equal none [r type c]
            assert_equal [list {}] [r mget d]
            assert_equal 1 [r incr e]
            assert_equal -1 [r ttl e]
            assert_equal 1 [r setnx f new]
            assert_equal new [r get f]
            assert_equal 1 [r append g x]
            assert_equal 0 [r strlen h]
        } finally {
            r debug set-active-expire 1
        }
    } {} {needs:debug}

    test {Active expiry deletes keys that are never accessed} {
        r flushall
        for {set i 0} {$i < 1000} {incr i} {
            r set short:$i v px [expr {100 + $i % 50}]
        }
        r set long v ex 1000
        r set forever v
        # DBSIZE does not look at the keys: only active expiry can shrink it.
        wait_for_condition 100 100 {[r dbsize] == 2} else {
            fail "keys were not actively expired: dbsize [r dbsize]"
        }
        assert_equal {forever long} [lsort [r keys *]]
    }

    test {DEBUG SET-ACTIVE-EXPIRE 0 stops active expiry} {
        r flushall
        r debug set-active-expire 0
        try {
            for {set i 0} {$i < 100} {incr i} {
                r set short:$i v px 50
            }
            after 500
            assert_equal 100 [r dbsize]
        } finally {
            r debug set-active-expire 1
        }
        wait_for_condition 100 100 {[r dbsize] == 0} else {
            fail "active expiry did not resume: dbsize [r dbsize]"
        }
    } {} {needs:debug}

    test {expired_keys in INFO stats counts expired keys} {
        r flushall
        set before [s expired_keys]
        for {set i 0} {$i < 10} {incr i} {
            r set e:$i v px 50
        }
        wait_for_condition 100 100 {[r dbsize] == 0} else {
            fail "keys did not expire"
        }
        assert_equal [expr {$before + 10}] [s expired_keys]
        # Deleted and overwritten keys are not expired keys.
        r set d v ex 100
        r del d
        r set d v ex 100
        r set d w
        assert_equal [expr {$before + 10}] [s expired_keys]
    }

    test {Keys deleted by EXPIRE with a past time are not counted in expired_keys} {
        r flushall
        set before [s expired_keys]
        r set k v
        r expire k -1
        r set k v
        r pexpireat k 1
        assert_equal $before [s expired_keys]
        assert_equal 0 [r dbsize]
    }

    test {INFO keyspace reports keys and expires} {
        r flushall
        assert_equal {} [db0_info]
        r set a 1
        r set b 1 ex 100
        r set c 1 px 100000
        set line [db0_info]
        assert {[regexp {^keys=3,expires=2,avg_ttl=\d+$} $line]} $line
        r persist b
        assert_match {keys=3,expires=1,avg_ttl=*} [db0_info]
        r select 5
        r set x 1 ex 100
        r select 0
        assert_match {keys=1,expires=1,avg_ttl=*} [getInfoProperty [r info keyspace] db5]
        r flushall
        assert_equal "# Keyspace\r\n" [r info keyspace]
    }

    test {Expires survive in the other databases} {
        r flushall
        r select 3
        r set k v px 100
        r select 0
        r set k v
        wait_for_condition 50 100 {[getInfoProperty [r info keyspace] db3] eq {}} else {
            fail "key in db3 did not expire"
        }
        assert_equal v [r get k]
    }
}
