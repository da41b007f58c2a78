# maxmemory and eviction (Redis's evict.c): each policy keeps used_memory
# near the limit and evicts the keys it should; noeviction refuses
# DENYOOM commands with -OOM; evictions are notified and reach the AOF.

set ::val [string repeat x 1000]

# Sets maxmemory `headroom` bytes above what is used now (after a FLUSHALL
# and with the limit off, so the reading is the baseline).
proc limit_above_used {headroom policy} {
    r config set maxmemory 0
    r flushall
    r config set maxmemory-policy $policy
    set limit [expr {[s used_memory] + $headroom}]
    r config set maxmemory $limit
    return $limit
}

# Writes n 1000-byte keys prefix:0 .. prefix:n-1, with a TTL (seconds,
# growing with i when ttl_step is set) unless ttl is 0.
proc fill {prefix n {ttl 0} {ttl_step 0}} {
    for {set i 0} {$i < $n} {incr i} {
        if {$ttl > 0} {
            r setex $prefix:$i [expr {$ttl + $i * $ttl_step}] $::val
        } else {
            r set $prefix:$i $::val
        }
    }
}

proc read_incr {path} {
    set fd [open $path r]
    fconfigure $fd -translation binary
    set data [read $fd]
    close $fd
    return $data
}

proc count_existing {prefix n} {
    set c 0
    for {set i 0} {$i < $n} {incr i} {
        incr c [r exists $prefix:$i]
    }
    return $c
}

start_server {tags {maxmemory}} {
    foreach policy {allkeys-lru allkeys-lfu allkeys-random volatile-lru volatile-lfu volatile-random volatile-ttl} {
        test "maxmemory is honoured ($policy)" {
            set limit [limit_above_used [expr {2*1024*1024}] $policy]
            set before [s evicted_keys]
            if {[string match volatile-* $policy]} {
                # Keys without a TTL must all survive.
                fill keep 500
                fill vol 3500 10000
            } else {
                fill k 4000
            }
            set used [s used_memory]
            assert_lessthan $used [expr {$limit + 256*1024}]
            assert_morethan [s evicted_keys] $before
            if {[string match volatile-* $policy]} {
                assert_equal 500 [count_existing keep 500]
                assert_morethan [count_existing vol 3500] 0
            } else {
                assert_morethan [r dbsize] 0
                assert_lessthan [r dbsize] 4000
            }
        }
    }

    test {volatile-ttl evicts the nearest expiry first} {
        limit_above_used [expr {2*1024*1024}] volatile-ttl
        r config set maxmemory-samples 10
        # TTLs grow with i: the early keys expire first.
        fill t 4000 1000 10
        set early [count_existing t 1000]
        set late 0
        for {set i 3000} {$i < 4000} {incr i} {
            incr late [r exists t:$i]
        }
        assert_morethan $late $early
        assert_equal 1000 $late
        r config set maxmemory-samples 5
    }

    test {allkeys-lru keeps the keys that are being read} {
        limit_above_used [expr {2*1024*1024}] allkeys-lru
        r config set maxmemory-samples 10
        fill cold 1400
        # The LRU clock ticks in seconds: make the cold keys older.
        after 2100
        fill hot 100
        for {set i 0} {$i < 1000} {incr i} {
            r set new:$i $::val
            if {$i % 50 == 0} {
                for {set j 0} {$j < 100} {incr j} {
                    r get hot:$j
                }
            }
        }
        assert_morethan [s evicted_keys] 0
        assert_lessthan [count_existing cold 1400] 1400
        assert_equal 100 [count_existing hot 100]
        r config set maxmemory-samples 5
    }

    test {noeviction refuses writes with -OOM but serves reads and deletes} {
        limit_above_used [expr {1024*1024}] noeviction
        set before [s evicted_keys]
        set err {}
        for {set i 0} {$i < 4000} {incr i} {
            if {[catch {r set n:$i $::val} e]} {
                set err $e
                break
            }
        }
        assert_equal {OOM command not allowed when used memory > 'maxmemory'.} $err
        assert_equal $before [s evicted_keys]
        assert_equal $::val [r get n:0]
        # Queued in MULTI: refused, and EXEC aborts.
        r multi
        assert_error {OOM command not allowed*} {r set x y}
        assert_error {EXECABORT*} {r exec}
        # Deleting makes room again.
        for {set j 0} {$j < $i} {incr j} {
            r del n:$j
        }
        assert_equal OK [r set n:0 $::val]
        r config set maxmemory 0
    }

    test {scripts under OOM follow Redis's rules} {
        limit_above_used [expr {1024*1024}] noeviction
        fill s 1
        # Far over the limit, not just at its edge.
        r config set maxmemory 1
        # The first DENYOOM call of a script is refused...
        assert_error {OOM command not allowed*} {r eval {return redis.call('set','x','y')} 0}
        # ...reads are not; a script with flags needs allow-oom or no-writes.
        assert_equal $::val [r eval {return redis.call('get','s:0')} 0]
        assert_error {OOM command not allowed*} {r eval "#!lua\nreturn 1" 0}
        assert_equal 1 [r eval "#!lua flags=no-writes\nreturn 1" 0]
        assert_equal OK [r eval "#!lua flags=allow-oom\nreturn redis.call('set','x','y')" 0]
        r flushall
        r config set maxmemory 0
    }

    test {volatile-lru with no volatile keys behaves as noeviction} {
        limit_above_used [expr {1024*1024}] volatile-lru
        set before [s evicted_keys]
        assert_error {OOM command not allowed*} {fill p 4000}
        assert_equal $before [s evicted_keys]
        assert_equal {} [r get nosuchkey]
        r config set maxmemory 0
    }

    test {INFO shows the maxmemory settings} {
        r config set maxmemory 100mb
        r config set maxmemory-policy allkeys-lfu
        assert_equal 104857600 [s maxmemory]
        assert_equal 100.00M [s maxmemory_human]
        assert_equal allkeys-lfu [s maxmemory_policy]
        assert_equal 0 [s mem_not_counted_for_evict]
        r config set maxmemory 0
        r config set maxmemory-policy noeviction
    }

    test {evicted keys are notified as evicted events} {
        r config set notify-keyspace-events Ee
        set rd [redis_deferring_client]
        $rd subscribe __keyevent@0__:evicted
        $rd read
        limit_above_used [expr {1024*1024}] allkeys-random
        fill e 3000
        assert_morethan [s evicted_keys] 0
        set msg [$rd read]
        assert_equal message [lindex $msg 0]
        assert_equal __keyevent@0__:evicted [lindex $msg 1]
        assert_match e:* [lindex $msg 2]
        assert_equal 0 [r exists [lindex $msg 2]]
        $rd close
        r config set notify-keyspace-events ""
        r config set maxmemory 0
    }
}

start_server {tags {maxmemory external:skip} overrides {appendonly yes}} {
    test {evicted keys reach the AOF as DEL} {
        limit_above_used [expr {1024*1024}] allkeys-random
        fill a 3000
        assert_morethan [s evicted_keys] 0
        r config set maxmemory 0
        set dir [file join [srv 0 dir] appendonlydir]
        set incr [lindex [lsort [glob -directory $dir *.incr.aof]] end]
        wait_for_condition 50 100 {
            [string first "*2\r\n\$3\r\nDEL\r\n\$" [read_incr $incr]] >= 0
        } else {
            fail "no DEL in the AOF"
        }
    }
}
