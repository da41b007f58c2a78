# MEMORY STATS, DOCTOR, MALLOC-STATS, PURGE and HELP: reply shapes, field
# names and order, the doctor's texts, errors. (MEMORY USAGE's basics are in
# server.tcl.) Figures are not compared: they differ between servers and
# runs; only their shape and the relations Redis guarantees are checked.

# MEMORY STATS's top-level names in Redis 7.0's order; `db.N` entries come
# between functions.caches and overhead.total.
set ::memstats_head {
    peak.allocated total.allocated startup.allocated replication.backlog
    clients.slaves clients.normal cluster.links aof.buffer lua.caches
    functions.caches
}
set ::memstats_tail {
    overhead.total keys.count keys.bytes-per-key dataset.bytes
    dataset.percentage peak.percentage allocator.allocated allocator.active
    allocator.resident allocator-fragmentation.ratio
    allocator-fragmentation.bytes allocator-rss.ratio allocator-rss.bytes
    rss-overhead.ratio rss-overhead.bytes fragmentation fragmentation.bytes
}
# The fields given as doubles (bulk strings in RESP2); the rest are integers.
set ::memstats_doubles {
    dataset.percentage peak.percentage allocator-fragmentation.ratio
    allocator-rss.ratio rss-overhead.ratio fragmentation
}

# The names of a flat name/value list, in order.
proc memstats_names {stats} {
    set names {}
    foreach {k v} $stats {
        lappend names $k
    }
    return $names
}

set ::doctor_empty "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
set ::doctor_fine "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"

# Store about `mb` megabytes as 64 KB strings key:0 ... (small commands, so
# the query buffer stays small and no client-buffer issue is reported).
proc fill_mb {mb {prefix key}} {
    set v [string repeat x 65536]
    for {set i 0} {$i < $mb * 16} {incr i} {
        r set $prefix:$i $v
    }
}

start_server {tags {"memory"}} {
    test {MEMORY HELP lists the subcommands} {
        set help [r memory help]
        assert_equal {MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:} [lindex $help 0]
        assert_equal {DOCTOR} [lindex $help 1]
        assert_equal {    Return memory problems reports.} [lindex $help 2]
        assert_equal {MALLOC-STATS} [lindex $help 3]
        assert_equal {PURGE} [lindex $help 5]
        assert_equal {STATS} [lindex $help 7]
        assert_equal {USAGE <key> [SAMPLES <count>]} [lindex $help 9]
        assert_equal {HELP} [lindex $help end-1]
        llength $help
    } {14}

    test {MEMORY STATS on an empty instance: names in order, numbers} {
        r flushall
        set stats [r memory stats]
        assert_equal [list {*}$::memstats_head {*}$::memstats_tail] [memstats_names $stats]
        foreach {k v} $stats {
            if {$k in $::memstats_doubles} {
                assert {[string is double -strict $v]} "$k = $v"
            } else {
                assert {[string is wideinteger -strict $v]} "$k = $v"
            }
        }
        assert_equal 0 [dict get $stats keys.count]
        assert_equal 0 [dict get $stats keys.bytes-per-key]
        assert_equal 0 [dict get $stats cluster.links]
        assert_equal 0 [dict get $stats replication.backlog]
        assert_equal 0 [dict get $stats clients.slaves]
    }

    test {MEMORY STATS figures add up} {
        r flushall
        r set a 1
        set stats [r memory stats]
        set total [dict get $stats total.allocated]
        assert_morethan_equal [dict get $stats peak.allocated] [dict get $stats startup.allocated]
        assert_morethan $total 0
        # dataset = total - overhead, overhead includes the start-up memory.
        assert_equal [dict get $stats dataset.bytes] \
            [expr {$total - [dict get $stats overhead.total]}]
        assert_morethan_equal [dict get $stats overhead.total] [dict get $stats startup.allocated]
        assert_range [dict get $stats dataset.percentage] 0 100
        assert_range [dict get $stats peak.percentage] 0 100.0001
        # bytes-per-key is the memory above start-up divided by the keys.
        assert_equal [dict get $stats keys.bytes-per-key] \
            [expr {($total - [dict get $stats startup.allocated]) / 1}]
    }

    test {MEMORY STATS has one entry per non-empty db} {
        r flushall
        r set a 1
        r select 9
        r set b 1
        r set c 1
        r expire c 100
        r select 0
        set stats [r memory stats]
        assert_equal [list {*}$::memstats_head db.0 db.9 {*}$::memstats_tail] [memstats_names $stats]
        assert_equal 3 [dict get $stats keys.count]
        set db0 [dict get $stats db.0]
        set db9 [dict get $stats db.9]
        assert_equal {overhead.hashtable.main overhead.hashtable.expires overhead.hashtable.slot-to-keys} [memstats_names $db9]
        assert_morethan [dict get $db0 overhead.hashtable.main] 0
        assert_equal 0 [dict get $db0 overhead.hashtable.expires]
        assert_morethan [dict get $db9 overhead.hashtable.main] [dict get $db0 overhead.hashtable.main]
        assert_morethan [dict get $db9 overhead.hashtable.expires] 0
        assert_equal 0 [dict get $db9 overhead.hashtable.slot-to-keys]
        r flushall
        memstats_names [r memory stats]
    } [list {*}$::memstats_head {*}$::memstats_tail]

    test {MEMORY STATS in RESP3 is a map with nested db maps} {
        r flushall
        r set a 1
        set c [redis_client]
        $c hello 3
        $c readraw 1
        set head [$c memory stats]
        $c close
        set head
    } {%28}

    test {MEMORY STATS counts a big key in the dataset, not in the overhead} {
        r flushall
        set before [r memory stats]
        r set big [string repeat x 1000000]
        set after [r memory stats]
        assert_morethan [dict get $after dataset.bytes] 1000000
        assert_morethan [expr {[dict get $after total.allocated] - [dict get $before total.allocated]}] 900000
        assert_lessthan [expr {[dict get $after overhead.total] - [dict get $before overhead.total]}] 100000
        r del big
    }

    test {MEMORY DOCTOR on an (almost) empty instance} {
        r flushall
        r memory doctor
    } $::doctor_empty

    test {MEMORY DOCTOR with data and no issue} {
        r flushall
        fill_mb 6
        r memory doctor
    } $::doctor_fine

    test {MEMORY DOCTOR reports a past peak} {
        r flushall
        fill_mb 6 keep
        fill_mb 12 drop
        # INFO memory records the peak at once (the cron would within 100 ms).
        r info memory
        for {set i 0} {$i < 12 * 16} {incr i} {
            r del drop:$i
        }
        set report [r memory doctor]
        r flushall
        assert_match "Sam, I detected a few issues in this Redis instance memory implants:\n\n * Peak memory: In the past this instance used more than 150% the memory that is currently using.*" $report
        assert_match "*\n\nI'm here to keep you safe, Sam. I want to help you.\n" $report
    }

    test {MEMORY MALLOC-STATS is jemalloc's report} {
        set s [r memory malloc-stats]
        assert_match "___ Begin jemalloc statistics ___\n*" $s
        assert_match "*--- End jemalloc statistics ---\n" $s
    }

    test {MEMORY PURGE} {
        r set a [string repeat x 100000]
        r del a
        r memory purge
    } {OK}

    test {MEMORY subcommands are case-insensitive} {
        r flushall
        assert_equal OK [r MEMORY Purge]
        assert_equal $::doctor_empty [r memory DOCTOR]
        assert_equal peak.allocated [lindex [r Memory Stats] 0]
    }

    test {MEMORY subcommand arity and unknown subcommands} {
        foreach sub {stats doctor malloc-stats purge help} {
            assert_equal "ERR wrong number of arguments for 'memory|$sub' command" [err_of {r memory $sub extra}]
        }
        assert_equal {ERR wrong number of arguments for 'memory|stats' command} [err_of {r memory stats a b}]
        assert_equal {ERR unknown subcommand 'overhead'. Try MEMORY HELP.} [err_of {r memory overhead}]
        assert_equal {ERR unknown subcommand 'malloc_stats'. Try MEMORY HELP.} [err_of {r memory malloc_stats}]
        assert_equal {ERR wrong number of arguments for 'memory' command} [err_of {r memory}]
    }

    test {MEMORY USAGE SAMPLES on collections} {
        r flushall
        for {set i 0} {$i < 200} {incr i} {
            r hset h field:$i [string repeat v 100]
            r rpush l [string repeat v 100]
        }
        foreach k {h l} {
            set all [r memory usage $k samples 0]
            assert_morethan $all 20000 $k
            assert_morethan [r memory usage $k] 0 $k
            assert_morethan [r memory usage $k samples 1] 0 $k
            assert_morethan [r memory usage $k samples 1000000] 20000 $k
            # The last SAMPLES option wins; each is still validated.
            assert_morethan [r memory usage $k samples 1 samples 0] 20000 $k
            assert_equal {ERR syntax error} [err_of {r memory usage $k samples 0 samples -5}]
        }
        assert_equal {ERR value is not an integer or out of range} [err_of {r memory usage h samples 1.5}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r memory usage h samples 99999999999999999999}]
        r select 9
        set r9 [r memory usage h]
        r select 0
        set r9
    } {}

    test {MEMORY USAGE SAMPLES extrapolates from the sampled elements} {
        r flushall
        # Members and fields of one size: any sample gives the exact mean,
        # so every SAMPLES count gives the same figure.
        for {set i 0} {$i < 1000} {incr i} {
            r sadd s [format "member-%06d-%s" $i [string repeat m 80]]
            r hset h [format "field-%06d" $i] [string repeat v 100]
        }
        foreach k {s h} {
            set all [r memory usage $k samples 0]
            assert_morethan $all 100000 $k
            assert_equal $all [r memory usage $k] $k
            assert_equal $all [r memory usage $k samples 1] $k
            assert_equal $all [r memory usage $k samples 999] $k
        }
    }

    test {MEMORY USAGE of a key with a TTL} {
        r flushall
        r set s 1
        r expire s 100
        set with_ttl [r memory usage s]
        r persist s
        assert_morethan_equal $with_ttl [r memory usage s]
    }
}
