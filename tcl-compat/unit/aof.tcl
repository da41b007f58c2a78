# The append-only file: Redis 7's multi-part layout (manifest, base, incr
# files), loading at start-up, BGREWRITEAOF, CONFIG SET appendonly,
# automatic rewrites, history files, DEBUG LOADAOF and INFO's aof fields.

proc aof_dir {} {
    return [file join [srv 0 dir] appendonlydir]
}

proc aof_manifest {} {
    set fd [open [file join [aof_dir] appendonly.aof.manifest] r]
    set text [read $fd]
    close $fd
    return $text
}

# The files of the AOF directory, sorted (the manifest included).
proc aof_files {} {
    set names {}
    foreach f [glob -nocomplain -directory [aof_dir] -tails *] {
        lappend names $f
    }
    return [lsort $names]
}

proc read_file_bytes {path} {
    set fd [open $path r]
    fconfigure $fd -translation binary
    set data [read $fd]
    close $fd
    return $data
}

# The incr file being appended to, as the manifest names it.
proc current_incr {} {
    set name [lindex [regexp -inline {(\S+\.incr\.aof) seq \d+ type i} [aof_manifest]] 1]
    return [file join [aof_dir] $name]
}

proc wait_for_rewrite_done {} {
    wait_for_condition 500 20 {
        [s aof_rewrite_in_progress] == 0 && [s aof_rewrite_scheduled] == 0
    } else {
        fail "the AOF rewrite did not finish"
    }
}

# Some keys of every type with TTLs, in two dbs.
proc fill_aof_keys {} {
    r set str hello
    r incr counter
    r incrby counter 41
    r rpush list a b c
    r hset hash f v g w
    r sadd set x y z
    r zadd zset 1 a 2.5 b
    r set ttl v
    r pexpire ttl 800000
    r select 9
    r set in9 nine
    r select 0
}

proc check_aof_keys {} {
    assert_equal hello [r get str]
    assert_equal 42 [r get counter]
    assert_equal {a b c} [r lrange list 0 -1]
    assert_equal {f v g w} [r hgetall hash]
    assert_equal {x y z} [lsort [r smembers set]]
    assert_equal {a 1 b 2.5} [r zrange zset 0 -1 withscores]
    assert_range [r pttl ttl] 1 800000
    r select 9
    assert_equal nine [r get in9]
    r select 0
}

start_server {tags {aof}} {
    test {Without appendonly there is no AOF and INFO says so} {
        assert_equal 0 [s aof_enabled]
        assert_equal {} [s aof_current_size]
        assert {![file exists [aof_dir]]}
        assert_equal ok [s aof_last_write_status]
        assert_equal ok [s aof_last_bgrewrite_status]
    }
}

start_server {tags {aof} overrides {appendonly yes}} {
    test {A new AOF has a base, an incr file and a manifest} {
        assert_equal 1 [s aof_enabled]
        assert_equal {appendonly.aof.1.base.rdb appendonly.aof.1.incr.aof appendonly.aof.manifest} [aof_files]
        assert_equal "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n" [aof_manifest]
        assert_equal REDIS [string range [read_file_bytes [file join [aof_dir] appendonly.aof.1.base.rdb]] 0 4]
    }

    test {Writes are appended to the incr file as commands} {
        r set k v
        set incr [read_file_bytes [file join [aof_dir] appendonly.aof.1.incr.aof]]
        assert_match "*\*3\r\n\$3\r\nset\r\n\$1\r\nk\r\n\$1\r\nv\r\n" $incr
        # A new AOF counts from zero, as in Redis: its empty base is not
        # counted until a rewrite or a restart.
        set size [s aof_current_size]
        assert_equal [string length $incr] $size
        assert_equal 0 [s aof_base_size]
        assert_equal 0 [s aof_buffer_length]
        # Reads and failed writes add nothing.
        r get k
        catch {r lpush k x}
        assert_equal $size [s aof_current_size]
    }

    test {The dataset comes back from the AOF after a restart} {
        r flushall
        fill_aof_keys
        set digest [r debug digest]
        restart_server
        check_aof_keys
        assert_equal $digest [r debug digest]
    }

    test {A transaction is one MULTI/EXEC block in the AOF} {
        r multi
        r set t1 a
        r set t2 b
        r exec
        set incr [read_file_bytes [file join [aof_dir] appendonly.aof.1.incr.aof]]
        assert_match "*\*1\r\n\$5\r\nMULTI\r\n\*3\r\n\$3\r\nset\r\n\$2\r\nt1\r\n*\$2\r\nt2\r\n\$1\r\nb\r\n\*1\r\n\$4\r\nEXEC\r\n" $incr
        restart_server
        assert_equal {a b} [r mget t1 t2]
    }

    test {DEBUG LOADAOF replays the AOF into the same dataset} {
        set digest [r debug digest]
        assert_equal OK [r debug loadaof]
        assert_equal $digest [r debug digest]
        assert_equal 42 [r get counter]
    }

    test {BGREWRITEAOF writes a new base and removes the old files} {
        set rewrites [s aof_rewrites]
        assert_equal {Background append only file rewriting started} [r bgrewriteaof]
        wait_for_rewrite_done
        r set after-rewrite yes
        assert_equal [expr {$rewrites + 1}] [s aof_rewrites]
        assert_equal ok [s aof_last_bgrewrite_status]
        wait_for_condition 100 20 {
            [aof_files] eq {appendonly.aof.2.base.rdb appendonly.aof.2.incr.aof appendonly.aof.manifest}
        } else {
            fail "unexpected files: [aof_files]"
        }
        assert_equal "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n" [aof_manifest]
        set digest [r debug digest]
        restart_server
        assert_equal $digest [r debug digest]
        assert_equal yes [r get after-rewrite]
    }

    test {A second BGREWRITEAOF while one runs is refused; BGSAVE waits or is refused} {
        r debug populate 200000
        set fd [raw_open]
        raw_write $fd "[mbulk bgrewriteaof][mbulk bgrewriteaof][mbulk bgsave][mbulk bgsave schedule]"
        set reply [raw_read_until $fd "*\r\n*\r\n*\r\n*\r\n"]
        raw_close_all
        set lines [split [string trimright $reply "\r\n"] "\r\n"]
        set lines [lsearch -all -inline -not -exact $lines {}]
        assert_equal {+Background append only file rewriting started} [lindex $lines 0]
        assert_equal {-ERR Background append only file rewriting already in progress} [lindex $lines 1]
        assert_equal {-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.} [lindex $lines 2]
        assert_equal {+Background saving scheduled} [lindex $lines 3]
        wait_for_rewrite_done
        wait_for_condition 500 20 {
            [s rdb_bgsave_in_progress] == 0 && [s rdb_saves] >= 1
        } else {
            fail "the scheduled BGSAVE did not run"
        }
        assert_equal 200000 [llength [r keys key:*]]
    }

    test {BGREWRITEAOF during a BGSAVE is scheduled and runs after it} {
        set rewrites [s aof_rewrites]
        set fd [raw_open]
        raw_write $fd "[mbulk bgsave][mbulk bgrewriteaof]"
        set reply [raw_read_until $fd "*\r\n*\r\n"]
        raw_close_all
        assert_match "+Background saving started\r\n+Background append only file rewriting scheduled\r\n" $reply
        wait_for_rewrite_done
        assert_equal [expr {$rewrites + 1}] [s aof_rewrites]
        r flushall
    }

    test {The AOF grows by a percentage: an automatic rewrite} {
        # Start from a small base.
        r bgrewriteaof
        wait_for_rewrite_done
        set rewrites [s aof_rewrites]
        r config set auto-aof-rewrite-min-size 1
        r config set auto-aof-rewrite-percentage 10
        for {set i 0} {$i < 200} {incr i} {
            r set grow:$i [string repeat x 100]
        }
        wait_for_condition 100 20 {
            [s aof_rewrites] > $rewrites
        } else {
            fail "no automatic rewrite"
        }
        wait_for_rewrite_done
        r config set auto-aof-rewrite-percentage 0
        wait_for_log {*Starting automatic rewriting of AOF on * growth}
        # The base size restarts from the files a rewrite leaves.
        assert_lessthan_equal [s aof_base_size] [s aof_current_size]
        assert_lessthan [s aof_base_size] 200000
    }

    test {aof-disable-auto-gc keeps the history files in the manifest} {
        r config set aof-disable-auto-gc yes
        set base_seq [lindex [regexp -inline {base\.rdb seq (\d+)} [aof_manifest]] 1]
        r bgrewriteaof
        wait_for_rewrite_done
        assert_match "*type b\n*type h\n*type h\n*type i\n" [aof_manifest]
        assert {[file exists [file join [aof_dir] appendonly.aof.$base_seq.base.rdb]]}
        r config set aof-disable-auto-gc no
        r bgrewriteaof
        wait_for_rewrite_done
        wait_for_condition 100 20 {
            ![string match "*type h*" [aof_manifest]] && [llength [aof_files]] == 3
        } else {
            fail "history files left: [aof_files]"
        }
    }

    test {aof-timestamp-enabled annotates the AOF, and it still loads} {
        r config set aof-timestamp-enabled yes
        r set stamped 1
        set incr [lindex [regexp -inline {(\S+\.incr\.aof) seq \d+ type i} [aof_manifest]] 1]
        assert_match "*#TS:*\r\n*stamped*" [read_file_bytes [file join [aof_dir] $incr]]
        # A base in command form starts with one too.
        r config set aof-use-rdb-preamble no
        r bgrewriteaof
        wait_for_rewrite_done
        set base [lindex [regexp -inline {(\S+\.base\.aof) seq \d+ type b} [aof_manifest]] 1]
        assert_match "#TS:*\r\n*" [read_file_bytes [file join [aof_dir] $base]]
        r config set aof-use-rdb-preamble yes
        r config set aof-timestamp-enabled no
        restart_server
        assert_equal 1 [r get stamped]
    }

    test {INFO persistence has the AOF fields} {
        foreach f {aof_current_size aof_base_size aof_pending_rewrite aof_buffer_length aof_pending_bio_fsync aof_delayed_fsync aof_rewrites aof_rewrites_consecutive_failures} {
            assert_match {[0-9]*} [s $f]
        }
        assert_equal 0 [s aof_rewrite_in_progress]
        assert_equal -1 [s aof_current_rewrite_time_sec]
        assert_range [s mem_aof_buffer] 0 100000000
    }

    test {appendfsync always and no are accepted and keep working} {
        foreach mode {always no everysec} {
            r config set appendfsync $mode
            r set fsync-$mode 1
        }
        restart_server
        assert_equal {1 1 1} [r mget fsync-always fsync-no fsync-everysec]
    }
}

start_server {tags {aof} overrides {enable-debug-command yes}} {
    test {CONFIG SET appendonly yes writes a base of the dataset} {
        r set before-aof 1
        r rpush l 1 2 3
        assert_equal OK [r config set appendonly yes]
        assert_equal 1 [s aof_enabled]
        r set during-aof 2
        wait_for_rewrite_done
        r set after-aof 3
        assert_equal "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n" [aof_manifest]
        set digest [r debug digest]
        r config rewrite
        restart_server
        assert_equal 1 [s aof_enabled]
        assert_equal $digest [r debug digest]
        assert_equal {1 2 3} [r mget before-aof during-aof after-aof]
    }

    test {CONFIG SET appendonly no stops appending} {
        assert_equal OK [r config set appendonly no]
        assert_equal 0 [s aof_enabled]
        set size [file size [file join [aof_dir] appendonly.aof.1.incr.aof]]
        r set not-logged 1
        assert_equal $size [file size [file join [aof_dir] appendonly.aof.1.incr.aof]]
        # Turned on again: a new base with what happened meanwhile.
        r config set appendonly yes
        wait_for_rewrite_done
        r debug loadaof
        assert_equal 1 [r get not-logged]
        r config set appendonly no
    }

    test {BGREWRITEAOF with the AOF off writes a base without incr files} {
        r bgrewriteaof
        wait_for_rewrite_done
        assert_match "file appendonly.aof.*.base.rdb seq * type b\n" [aof_manifest]
        assert_equal 0 [s aof_enabled]
    }
}

start_server {tags {aof} overrides {appendonly yes}} {
    test {A key that expired in the base is there for the incr file's commands} {
        r set k v px 1500
        r bgrewriteaof
        wait_for_rewrite_done
        r persist k
        after 1600
        restart_server
        assert_equal v [r get k]
        assert_equal -1 [r ttl k]
    }

    test {DEBUG LOADAOF works after a failed DEBUG RELOAD} {
        file delete -force [file join [srv 0 dir] dump.rdb]
        catch {r debug reload nosave}
        assert_equal OK [r debug loadaof]
        assert_equal v [r get k]
    }

    test {Rewrites number their files on from the manifest, even started with the AOF off} {
        r bgrewriteaof
        wait_for_rewrite_done
        set seq [lindex [regexp -inline {base\.rdb seq (\d+)} [aof_manifest]] 1]
        r config set appendonly no
        r config rewrite
        r save
        restart_server
        assert_equal 0 [s aof_enabled]
        r config set appendonly yes
        wait_for_rewrite_done
        set next [expr {$seq + 1}]
        assert_match "file appendonly.aof.$next.base.rdb seq $next type b\n*" [aof_manifest]
        wait_for_condition 100 20 {
            [llength [aof_files]] == 3
        } else {
            fail "old files left: [aof_files]"
        }
        assert_equal v [r get k]
    }

    test {A rewrite stopped by CONFIG SET appendonly no is not a failure} {
        r debug populate 200000
        set fd [raw_open]
        raw_write $fd "[mbulk bgrewriteaof][mbulk config set appendonly no]"
        set reply [raw_read_until $fd "*\r\n*\r\n"]
        raw_close_all
        assert_match "+Background append only file rewriting started\r\n+OK\r\n" $reply
        after 200
        assert_equal ok [s aof_last_bgrewrite_status]
        assert_equal 0 [s aof_rewrites_consecutive_failures]
        assert_equal 0 [s aof_rewrite_scheduled]
        r flushall
        r config set appendonly yes
        wait_for_rewrite_done
    }

    test {Expired keys reach the AOF as DEL, and a replay keeps them gone} {
        r set gone v px 50
        after 120
        assert_equal {} [r get gone]
        set incr [read_file_bytes [current_incr]]
        assert_match "*\$3\r\nDEL\r\n\$4\r\ngone\r\n*" $incr
        # Found by a command, the deletion goes out on its own, not inside
        # a MULTI/EXEC with the command's own writes.
        r set gone2 v px 50
        after 120
        r set gone2 new
        set incr [read_file_bytes [current_incr]]
        assert_match "*\$3\r\nDEL\r\n\$5\r\ngone2\r\n\*3\r\n\$3\r\nset\r\n\$5\r\ngone2\r\n*" $incr
        restart_server
        assert_equal 0 [r exists gone]
    }
}
