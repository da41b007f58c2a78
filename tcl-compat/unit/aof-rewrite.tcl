# AOF rewrite in command form (aof-use-rdb-preamble no): the base file is
# the commands that rebuild every type (rewriteAppendOnlyFileRio), and
# loading it, by DEBUG LOADAOF or a restart, gives the same dataset back.
# DEBUG DIGEST does not cover stream groups, TTL values or functions, so
# those are compared on their own.

proc wait_for_aof_rewrite {} {
    wait_for_condition 500 20 {
        [s aof_rewrite_in_progress] == 0 && [s aof_rewrite_scheduled] == 0
    } else {
        fail "the AOF rewrite did not finish"
    }
    assert_equal ok [s aof_last_bgrewrite_status]
}

proc aof_files {pattern} {
    lsort [glob -nocomplain -directory [file join [srv 0 dir] appendonlydir] $pattern]
}

proc read_bytes {path} {
    set fh [open $path rb]
    set data [read $fh]
    close $fh
    return $data
}

# The one base file; a rewrite deletes the older ones, in the background.
proc base_file {} {
    wait_for_condition 100 20 {
        [llength [aof_files *.base.*]] == 1
    } else {
        fail "base files: [aof_files *.base.*]"
    }
    set bases [aof_files *.base.*]
    assert_equal 1 [llength $bases] "base files: $bases"
    lindex $bases 0
}

# A command as the AOF holds it.
proc resp_command {argv} {
    set out "*[llength $argv]\r\n"
    foreach a $argv {
        append out "\$[string length $a]\r\n$a\r\n"
    }
    return $out
}

# How many commands `name key ...` the base holds.
proc base_commands {data name key} {
    set pat "\$[string length $name]\r\n$name\r\n\$[string length $key]\r\n$key\r\n"
    regexp -all -- [string map {\\ \\\\ $ \\$ * \\* . \\. + \\+ ? \\? ( \\( ) \\) [ \\[ ] \\] \{ \\\{ \} \\\}} $pat] $data
}

# Every type, big collections (several commands each), a stream with
# groups, consumers and pending entries, an empty stream, a function
# library, TTLs, and several databases.
proc fill_all_types {} {
    r flushall
    r function flush
    r set str hello
    r set int 12345
    r set big [string repeat x 5000]
    r rpush list a b 3 -4
    for {set i 0} {$i < 200} {incr i} {
        lappend items e$i
        lappend nums $i
        lappend scored [expr {$i / 3.0}] m$i
        lappend fields f$i v$i
    }
    r rpush biglist {*}$items
    r sadd intset 1 2 3 -5
    r sadd bigintset {*}$nums
    r sadd set x y z
    r sadd bigset {*}$items
    r zadd zset 1.5 a 0.1 b -inf c 1e20 d 3 e
    r zadd bigzset {*}$scored
    r hset hash f v g 12
    r hset bighash {*}$fields
    r pexpire bighash 9000000
    r set ttl v px 500000

    r xadd st 1-1 f v
    r xadd st 2-1 f v g w
    r xadd st 3-1 a 1
    r xadd st 4-1 b 2
    r xdel st 2-1
    r xgroup create st g1 0
    r xreadgroup group g1 alice count 2 streams st >
    r xreadgroup group g1 bob count 1 streams st >
    r xack st g1 4-1
    r xgroup createconsumer st g1 carol
    r xgroup create st g2 $ entriesread 3
    r xadd es 5-5 a b
    r xdel es 5-5
    r xgroup create es eg 0

    r function load "#!lua name=aoflib\nredis.register_function('aof_f', function() return 'fn-ok' end)"

    r select 3
    r set in3 three
    r rpush l3 p q
    r pexpire l3 800000
    r select 15
    r zadd z15 7 seven
    r select 0
}

# What DEBUG DIGEST leaves out, in a comparable form.
proc extra_state {} {
    set out {}
    foreach db {0 3 15} {
        r select $db
        foreach k [lsort [r keys *]] {
            lappend out $db $k [r pexpiretime $k]
        }
    }
    r select 0
    foreach key {st es} {
        set info [r xinfo stream $key full]
        foreach f {length last-generated-id max-deleted-entry-id entries-added recorded-first-entry-id} {
            lappend out $key $f [dict get $info $f]
        }
        foreach g [dict get $info groups] {
            foreach f {name last-delivered-id entries-read lag pel-count pending} {
                lappend out $f [dict get $g $f]
            }
            foreach c [dict get $g consumers] {
                lappend out consumer [dict get $c name] [dict get $c pel-count] [dict get $c pending]
            }
        }
    }
    lappend out [r function list withcode] [r fcall aof_f 0]
    return $out
}

start_server {tags {aof external:skip} overrides {appendonly yes aof-use-rdb-preamble no enable-debug-command yes}} {
    test {BGREWRITEAOF without the RDB preamble writes the dataset as commands} {
        fill_all_types
        r bgrewriteaof
        wait_for_aof_rewrite
        set data [read_bytes [base_file]]
        assert {![string match REDIS* $data]}
        # Functions come before the first SELECT.
        assert_match "\*3\r\n\$8\r\nFUNCTION\r\n\$4\r\nLOAD\r\n*\*2\r\n\$6\r\nSELECT\r\n\$1\r\n0\r\n*" $data
        # 200 items are four commands of at most 64.
        assert_equal 4 [base_commands $data RPUSH biglist]
        assert_equal 4 [base_commands $data SADD bigintset]
        assert_equal 4 [base_commands $data SADD bigset]
        assert_equal 4 [base_commands $data ZADD bigzset]
        assert_equal 4 [base_commands $data HMSET bighash]
        assert_equal 1 [base_commands $data HMSET hash]
        assert_equal 3 [base_commands $data XADD st]
        assert_equal 1 [base_commands $data XSETID st]
        assert_equal 2 [base_commands $data XCLAIM st]
        assert_equal 1 [base_commands $data PEXPIREAT bighash]
        assert_equal 0 [base_commands $data PEXPIREAT bigset]
        # Scores as %.17g.
        assert_match "*\$19\r\n0.10000000000000001\r\n\$1\r\nb\r\n*" $data
        assert_match "*\$5\r\n1e+20\r\n\$1\r\nd\r\n*" $data
        # The empty stream.
        assert_match "*\$4\r\nXADD\r\n\$2\r\nes\r\n\$6\r\nMAXLEN\r\n\$1\r\n0\r\n\$3\r\n0-1\r\n*" $data
        assert_match "*\$6\r\nXGROUP\r\n\$14\r\nCREATECONSUMER\r\n\$2\r\nst\r\n\$2\r\ng1\r\n\$5\r\ncarol\r\n*" $data
    }

    test {DEBUG LOADAOF of a command-form base gives the same dataset} {
        fill_all_types
        set digest [r debug digest]
        set extra [extra_state]
        r bgrewriteaof
        wait_for_aof_rewrite
        # Nothing written since: the base alone carries the dataset. (The
        # old incr files are deleted in the background: wait for them.)
        wait_for_condition 100 20 {
            [llength [aof_files *.incr.*]] == 1
        } else {
            fail "incr files: [aof_files *.incr.*]"
        }
        foreach f [aof_files *.incr.*] {
            assert_equal 0 [file size $f] $f
        }
        assert {![string match REDIS* [read_bytes [base_file]]]}
        r debug loadaof
        assert_equal $digest [r debug digest]
        assert_equal $extra [extra_state]
        assert_equal 200 [r llen biglist]
        assert_equal {c -inf b 0.10000000000000001 a 1.5 e 3 d 1e+20} [r zrange zset 0 -1 withscores]
    }

    test {A restart loads the command-form base with the same digest} {
        fill_all_types
        set digest [r debug digest]
        set extra [extra_state]
        r bgrewriteaof
        wait_for_aof_rewrite
        restart_server
        assert_equal 0 [s loading]
        assert_equal $digest [r debug digest]
        assert_equal $extra [extra_state]
        # Writes after the rewrite go to the incremental file and survive too.
        r rpush biglist tail
        set digest [r debug digest]
        restart_server
        assert_equal $digest [r debug digest]
        assert_equal tail [r lindex biglist -1]
    }

    test {Streams, groups, pending entries and TTLs are written as Redis writes them} {
        fill_all_types
        set info [r xinfo stream st full]
        set g1 [lindex [dict get $info groups] 0]
        lassign [lindex [dict get $g1 pending] 0] pid pconsumer ptime pcount
        r bgrewriteaof
        wait_for_aof_rewrite
        set data [read_bytes [base_file]]
        foreach cmd [list \
            [list XSETID st 4-1 ENTRIESADDED 4 MAXDELETEDID 2-1] \
            [list XGROUP CREATE st g1 4-1 ENTRIESREAD 4] \
            [list XCLAIM st g1 $pconsumer 0 $pid TIME $ptime RETRYCOUNT $pcount JUSTID FORCE] \
            [list XGROUP CREATECONSUMER st g1 bob] \
            [list XGROUP CREATE st g2 4-1 ENTRIESREAD 3] \
            [list XSETID es 5-5 ENTRIESADDED 1 MAXDELETEDID 5-5] \
            [list XGROUP CREATE es eg 0-0 ENTRIESREAD -1] \
            [list PEXPIREAT bighash [r pexpiretime bighash]] \
            [list PEXPIREAT ttl [r pexpiretime ttl]] \
        ] {
            assert {[string first [resp_command $cmd] $data] >= 0} "missing: $cmd"
        }
    }
}

start_server {tags {aof external:skip} overrides {appendonly no aof-use-rdb-preamble no enable-debug-command yes}} {
    test {CONFIG SET appendonly yes writes the first base as commands} {
        fill_all_types
        set digest [r debug digest]
        set extra [extra_state]
        r config set appendonly yes
        wait_for_aof_rewrite
        assert {![string match REDIS* [read_bytes [base_file]]]}
        r debug loadaof
        assert_equal $digest [r debug digest]
        assert_equal $extra [extra_state]
    }
}
