# RDB persistence: SAVE, BGSAVE (point in time, without fork), LASTSAVE,
# save points, stop-writes-on-bgsave-error, FLUSHALL and SHUTDOWN saves,
# loading at start-up, DEBUG RELOAD, DUMP and RESTORE.

proc wait_for_bgsave_done {} {
    wait_for_condition 500 20 {
        [s rdb_bgsave_in_progress] == 0
    } else {
        fail "BGSAVE did not finish"
    }
}

# A few keys of every type, some with a TTL, in two databases.
proc fill_typed_keys {} {
    r flushall
    r set str hello
    r set int 12345
    r set big [string repeat x 5000]
    r rpush list a b 3 4
    r hset hash f1 v1 f2 v2
    r sadd intset 1 2 3
    r sadd set a b c
    r zadd zset 1.5 a 2 b -inf c
    r set ttl v
    r pexpire ttl 500000
    r select 9
    r set in9 nine
    r select 0
}

proc check_typed_keys {} {
    assert_equal hello [r get str]
    assert_equal 12345 [r get int]
    assert_equal 5000 [r strlen big]
    assert_equal {a b 3 4} [r lrange list 0 -1]
    assert_equal {f1 v1 f2 v2} [r hgetall hash]
    assert_equal {1 2 3} [lsort [r smembers intset]]
    assert_encoding intset intset
    assert_equal {a b c} [lsort [r smembers set]]
    assert_equal {c -inf a 1.5 b 2} [r zrange zset 0 -1 withscores]
    assert_range [r pttl ttl] 1 500000
    assert_equal -1 [r ttl str]
    r select 9
    assert_equal nine [r get in9]
    r select 0
}

start_server {tags {"persistence"} overrides {enable-protected-configs yes}} {

    # ------------------------------------------------------------ SAVE

    test {SAVE writes a file that is loaded at start-up} {
        fill_typed_keys
        assert_equal OK [r save]
        assert_equal 0 [s rdb_changes_since_last_save]
        assert {[file exists [file join [srv 0 dir] dump.rdb]]}
        restart_server
        check_typed_keys
        assert_equal 10 [s rdb_last_load_keys_loaded]
        assert_equal 0 [s rdb_last_load_keys_expired]
    }

    test {Start-up logs the loading lines of Redis} {
        assert_equal 1 [count_log_message {*Loading RDB produced by version 7.0.15*}]
        assert_equal 1 [count_log_message {*Done loading RDB, keys loaded: 10, keys expired: 0.*}]
        assert_equal 1 [count_log_message {*DB loaded from disk: **}]
    }

    test {Function libraries are saved and loaded with the data} {
        r flushall
        r function flush
        r function load {#!lua name=persistlib
redis.register_function('pget', function(keys, args) return redis.call('get', keys[1]) end)}
        r set k v
        r save
        restart_server
        assert_equal v [r fcall pget 1 k]
        assert_equal persistlib [dict get [lindex [r function list] 0] library_name]
        # DEBUG RELOAD brings them back; FLUSHALL leaves them alone.
        r debug reload
        assert_equal v [r fcall pget 1 k]
        r flushall
        assert_equal 1 [llength [r function list]]
        r function flush
    }

    test {Keys that expired while on disk are not loaded} {
        r flushall
        r set keep v
        r set gone v
        r pexpire gone 100
        r save
        after 200
        restart_server
        assert_equal v [r get keep]
        assert_equal 0 [r exists gone]
        assert_equal 1 [s rdb_last_load_keys_expired]
    }

    test {LASTSAVE changes after a save} {
        r set k v
        set before [r lastsave]
        after 1100
        r save
        assert_morethan [r lastsave] $before
        assert_equal [s rdb_last_save_time] [r lastsave]
    }

    test {SAVE is refused inside MULTI} {
        r multi
        assert_equal {ERR Command not allowed inside a transaction} [err_of {r save}]
        assert_match {EXECABORT*} [err_of {r exec}]
    }

    # ---------------------------------------------------------- BGSAVE

    test {BGSAVE saves in the background} {
        fill_typed_keys
        set saves [s rdb_saves]
        assert_equal {Background saving started} [r bgsave]
        wait_for_bgsave_done
        assert_equal ok [s rdb_last_bgsave_status]
        assert_equal [expr {$saves + 1}] [s rdb_saves]
        assert_equal 0 [s rdb_changes_since_last_save]
        wait_for_log {*Background saving terminated with success*}
        restart_server
        check_typed_keys
    }

    test {BGSAVE while one runs is an error} {
        r flushall
        r debug populate 300000
        set rd [redis_deferring_client]
        $rd bgsave
        $rd bgsave
        assert_equal {Background saving started} [$rd read]
        assert_error {ERR Background save already in progress} {$rd read}
        assert_error {ERR Background save already in progress} {r save}
        $rd close
        wait_for_bgsave_done
    }

    test {BGSAVE inside MULTI is scheduled} {
        r flushall
        set saves [s rdb_saves]
        r multi
        r bgsave
        assert_equal {{Background saving scheduled}} [r exec]
        wait_for_condition 100 50 {
            [s rdb_saves] == $saves + 1 && [s rdb_bgsave_in_progress] == 0
        } else {
            fail "the scheduled BGSAVE did not run"
        }
    }

    test {BGSAVE takes a point-in-time snapshot while writes go on} {
        wait_for_bgsave_done
        r flushall
        r debug populate 200000
        r set str old
        r rpush list a b c
        r hset hash f old
        r sadd set x
        r zadd zset 1 m
        r set deleted v
        r set renamed v
        r set ttl v
        r set persist v
        r expire persist 1000
        r select 5
        r set in5 v
        r select 7
        r set in7 seven
        r select 0
        set rd [redis_deferring_client]
        $rd bgsave
        $rd set str new
        $rd rpush list d
        $rd hset hash f new g new
        $rd sadd set y
        $rd zadd zset 2 m
        $rd del deleted
        $rd rename renamed renamed2
        $rd expire ttl 1000
        $rd persist persist
        $rd set created v
        $rd del key:1 key:2 key:3
        $rd select 5
        $rd flushdb
        $rd swapdb 7 8
        $rd select 0
        $rd mset key:100 x key:101 y
        for {set i 0} {$i < 17} {incr i} {
            $rd read
        }
        $rd close
        # The live data has the new values...
        assert_equal new [r get str]
        assert_equal 0 [r exists key:1]
        wait_for_bgsave_done
        assert_equal ok [s rdb_last_bgsave_status]
        # ...and the file the ones of when BGSAVE started.
        r debug reload nosave
        assert_equal 200009 [r dbsize]
        assert_equal old [r get str]
        assert_equal {a b c} [r lrange list 0 -1]
        assert_equal {f old} [r hgetall hash]
        assert_equal x [r smembers set]
        assert_equal 1 [r zscore zset m]
        assert_equal v [r get deleted]
        assert_equal v [r get renamed]
        assert_equal 0 [r exists renamed2]
        assert_equal -1 [r ttl ttl]
        assert_range [r ttl persist] 900 1000
        assert_equal 0 [r exists created]
        assert_equal value:1 [r get key:1]
        assert_equal value:100 [r get key:100]
        r select 5
        assert_equal v [r get in5]
        r select 7
        assert_equal seven [r get in7]
        r select 8
        assert_equal 0 [r dbsize]
        r select 0
    }

    test {Writes during a BGSAVE are all kept} {
        r flushall
        r debug populate 100000
        r bgsave
        for {set i 0} {$i < 1000} {incr i} {
            r set key:$i changed
        }
        wait_for_bgsave_done
        assert_equal changed [r get key:999]
        assert_equal 100000 [r dbsize]
    }

    test {FLUSHALL stops a running BGSAVE} {
        r flushall
        r debug populate 300000
        set rd [redis_deferring_client]
        $rd bgsave
        $rd flushall
        assert_equal {Background saving started} [$rd read]
        assert_equal OK [$rd read]
        $rd close
        assert_equal 0 [s rdb_bgsave_in_progress]
        assert_equal ok [s rdb_last_bgsave_status]
        wait_for_log {*Background saving terminated by signal 10*}
    }

    # ------------------------------------------------------ save points

    test {A save point starts a BGSAVE} {
        r config set save {1 1}
        r set k v
        wait_for_condition 100 50 {
            [s rdb_changes_since_last_save] == 0
        } else {
            fail "the save point did not fire"
        }
        wait_for_log {*1 changes in 1 seconds. Saving...*}
        r config set save {}
    }

    test {FLUSHALL with save points writes an empty dump} {
        r set k v
        r save
        r config set save {3600 1}
        r flushall
        r config set save {}
        restart_server
        assert_equal 0 [r dbsize]
    }

    test {A failed BGSAVE stops writes with MISCONF (stop-writes-on-bgsave-error)} {
        set dir [file join [srv 0 dir] gone]
        file mkdir $dir
        r config set dir $dir
        r config set save {3600 1}
        file delete -force $dir
        r bgsave
        wait_for_bgsave_done
        assert_equal err [s rdb_last_bgsave_status]
        assert_error {MISCONF Redis is configured to save RDB snapshots*} {r set k v}
        assert_error {MISCONF *} {r ping}
        assert_equal {} [r get k]
        r multi
        assert_error {MISCONF *} {r set k v}
        catch {r discard}
        # Writes are allowed again once a save succeeds.
        r config set dir [srv 0 dir]
        r bgsave
        wait_for_bgsave_done
        assert_equal ok [s rdb_last_bgsave_status]
        assert_equal OK [r set k v]
        r config set save {}
    }

    test {stop-writes-on-bgsave-error no lets writes through} {
        set dir [file join [srv 0 dir] gone2]
        file mkdir $dir
        r config set dir $dir
        r config set save {3600 1}
        r config set stop-writes-on-bgsave-error no
        file delete -force $dir
        r bgsave
        wait_for_bgsave_done
        assert_equal err [s rdb_last_bgsave_status]
        assert_equal OK [r set k v]
        assert_equal ERR [err_of {r save}]
        r config set stop-writes-on-bgsave-error yes
        r config set save {}
        r config set dir [srv 0 dir]
        r save
    }

    # ------------------------------------------------------ DEBUG RELOAD

    test {DEBUG RELOAD saves and loads the dataset back} {
        fill_typed_keys
        assert_equal OK [r debug reload]
        check_typed_keys
    }

    test {DEBUG DIGEST is stable across a reload and tracks changes} {
        fill_typed_keys
        set d [r debug digest]
        assert_match {[0-9a-f]*} $d
        assert_equal 40 [string length $d]
        r debug reload
        assert_equal $d [r debug digest]
        r set str changed
        assert_not_equal $d [r debug digest]
        r set str hello
        assert_equal $d [r debug digest]
        r flushall
        assert_equal [string repeat 0 40] [r debug digest]
    }

    test {DEBUG DIGEST-VALUE digests values, zeros for a missing key} {
        r set a hello
        r set b hello
        r rpush l1 x y
        r rpush l2 y x
        lassign [r debug digest-value a b nokey] da db dn
        assert_equal $da $db
        assert_equal [string repeat 0 40] $dn
        lassign [r debug digest-value l1 l2] d1 d2
        assert_not_equal $d1 $d2
        # Redis's value for "hello" (same across servers).
        assert_equal 36b23a1456b2dce2c3ed252c456761301dba8060 $da
    }

    test {DEBUG RELOAD NOSAVE NOFLUSH MERGE keeps keys missing from the file} {
        r flushall
        r set a 1
        r save
        r set a 2
        r set b 2
        assert_equal OK [r debug reload nosave noflush merge]
        assert_equal 1 [r get a]
        assert_equal 2 [r get b]
    }

    test {DEBUG RELOAD without MERGE fails on a duplicate key} {
        r flushall
        r set a 1
        r save
        assert_error {ERR Error trying to load the RDB dump*} {r debug reload nosave noflush}
        assert_error {ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.} {r debug reload foo}
    }

    # ------------------------------------------------------------ INFO

    test {INFO persistence has Redis's fields} {
        set info [r info persistence]
        foreach f {loading async_loading current_cow_peak current_save_keys_processed
                   current_save_keys_total rdb_changes_since_last_save rdb_bgsave_in_progress
                   rdb_last_save_time rdb_last_bgsave_status rdb_last_bgsave_time_sec
                   rdb_current_bgsave_time_sec rdb_saves rdb_last_cow_size
                   rdb_last_load_keys_expired rdb_last_load_keys_loaded aof_enabled} {
            assert {[getInfoProperty $info $f] ne {}}
        }
        assert_equal 0 [s loading]
    }
}

start_server {tags {"persistence"}} {
    test {SHUTDOWN saves when save points are configured} {
        r config set save {3600 1}
        r set k shutdown-save
        catch {r shutdown}
        wait_for_log {*Saving the final RDB snapshot before exiting.*}
        wait_for_log {*DB saved on disk*}
        restart_server
        assert_equal shutdown-save [r get k]
    }

    test {SHUTDOWN NOSAVE does not save} {
        r config set save {3600 1}
        r set k changed
        catch {r shutdown nosave}
        restart_server
        assert_equal shutdown-save [r get k]
    }

    test {SHUTDOWN SAVE saves without save points} {
        r config set save {}
        r set k saved-anyway
        catch {r shutdown save}
        restart_server
        assert_equal saved-anyway [r get k]
    }

    test {SIGTERM saves when save points are configured} {
        r config set save {3600 1}
        r set k sigterm
        exec kill -TERM [srv 0 pid]
        wait_for_condition 100 50 {
            ![process_is_alive [srv 0 pid]]
        } else {
            fail "the server did not exit on SIGTERM"
        }
        restart_server
        assert_equal sigterm [r get k]
        r config set save {}
    }

    test {A dump.rdb written by redis-server 7.0.15 loads} {
        set fixture [file join $::fk_repo_dir tests fixtures rdb redis-7.0.15-types.rdb]
        file copy -force $fixture [file join [srv 0 dir] dump.rdb]
        restart_server
        assert_morethan [r dbsize] 0
        assert_equal 0 [s loading]
        assert_equal stream [r type [lindex [r keys *] [lsearch [lmap k [r keys *] {r type $k}] stream]]]
    }
}

start_server {tags {"persistence dump"}} {

    # ------------------------------------------------------ DUMP/RESTORE

    test {DUMP gives Redis's payload bytes} {
        r set s hello
        r set n 12345
        r rpush l a b 3
        r sadd st 1 2 3
        r hset h f v
        r zadd z 1.5 m
        assert_equal "\x00\x05hello\n\x00cr\xdfve4 \n" [r dump s]
        assert_equal "\x00\xc190\n\x00\x9d\x94\xea'\x93\xfc\b\xb9" [r dump n]
        assert_equal "\x12\x01\x02\x0f\x0f\x00\x00\x00\x03\x00\x81a\x02\x81b\x02\x03\x01\xff\n\x00\xdc\xa1\xe6\}P\x05PH" [r dump l]
        assert_equal "\x0b\x0e\x02\x00\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00\x03\x00\n\x00\xa5\x02\\\xe2mnM\x1b" [r dump st]
        assert_equal "\x10\r\r\x00\x00\x00\x02\x00\x81f\x02\x81v\x02\xff\n\x00 \xf1=D#T\b\x9d" [r dump h]
        assert_equal "\x11\x0f\x0f\x00\x00\x00\x02\x00\x81m\x02\x831.5\x04\xff\n\x00I\xd9\x87`x%N\x8a" [r dump z]
    }

    test {DUMP of a missing key is nil} {
        assert_equal {} [r dump nokey]
    }

    test {DUMP / RESTORE round-trips every type and encoding} {
        r flushall
        r set s hello
        r set n -7
        r set big [string repeat ab 3000]
        r rpush l a b 3
        for {set i 0} {$i < 300} {incr i} {
            r rpush bigl element-$i
            r hset bigh f$i v$i
            r sadd bigs m$i
            r zadd bigz $i m$i
        }
        r sadd st 1 2 3
        r hset h f v
        r zadd z 1.5 m
        foreach k {s n big l bigl st bigs h bigh z bigz} {
            set type [r type $k]
            set enc [r object encoding $k]
            set payload [r dump $k]
            assert_equal OK [r restore $k-copy 0 $payload]
            assert_equal $type [r type $k-copy]
            assert_equal $enc [r object encoding $k-copy]
            # A hash table's order depends on how it grew (bigs was a
            # listpack until its 129th member), so its copy may list the
            # same members in another order.
            if {$enc ne "hashtable"} {
                assert_equal $payload [r dump $k-copy]
            }
        }
        assert_equal [lsort [r smembers bigs]] [lsort [r smembers bigs-copy]]
        assert_equal [r lrange bigl 0 -1] [r lrange bigl-copy 0 -1]
        assert_equal [lsort [r hgetall bigh]] [lsort [r hgetall bigh-copy]]
        assert_equal [r zrange bigz 0 -1 withscores] [r zrange bigz-copy 0 -1 withscores]
    }

    test {RESTORE with a TTL, and ABSTTL} {
        r set k v
        set p [r dump k]
        r del k
        assert_equal OK [r restore k 5000 $p]
        assert_range [r pttl k] 4000 5000
        set at [expr {[clock milliseconds] + 100000}]
        assert_equal OK [r restore k2 $at $p absttl]
        assert_range [r pttl k2] 90000 100000
    }

    test {RESTORE with a TTL already in the past creates nothing} {
        r set k v
        set p [r dump k]
        assert_equal OK [r restore k 1 $p replace absttl]
        assert_equal 0 [r exists k]
    }

    test {RESTORE refuses an existing key without REPLACE} {
        r set k v
        set p [r dump k]
        assert_error {BUSYKEY Target key name already exists.} {r restore k 0 $p}
        r set k other
        assert_equal OK [r restore k 0 $p replace]
        assert_equal v [r get k]
    }

    test {RESTORE IDLETIME sets the idle time} {
        r set k v
        set p [r dump k]
        assert_equal OK [r restore idle 0 $p idletime 1000]
        assert_range [r object idletime idle] 1000 1010
    }

    test {RESTORE FREQ sets the LFU counter under an LFU policy} {
        r config set maxmemory-policy allkeys-lfu
        r set k v
        set p [r dump k]
        assert_equal OK [r restore k3 0 $p freq 100]
        assert_equal 100 [r object freq k3]
        r config set maxmemory-policy noeviction
    }

    test {RESTORE errors} {
        r set k v
        set p [r dump k]
        assert_error {ERR Invalid TTL value, must be >= 0} {r restore new -1 $p}
        assert_error {ERR value is not an integer or out of range} {r restore new abc $p}
        assert_error {ERR syntax error} {r restore new 0 $p foo}
        assert_error {ERR syntax error} {r restore new 0 $p idletime 10 freq 10}
        assert_error {ERR Invalid IDLETIME value, must be >= 0} {r restore new 0 $p idletime -1}
        assert_error {ERR Invalid FREQ value, must be >= 0 and <= 255} {r restore new 0 $p freq 256}
        assert_error {ERR DUMP payload version or checksum are wrong} {r restore new 0 garbage}
        assert_error {ERR DUMP payload version or checksum are wrong} {r restore new 0 ""}
        # A flipped bit in the value breaks the checksum.
        set bad [string replace $p 3 3 X]
        assert_error {ERR DUMP payload version or checksum are wrong} {r restore new 0 $bad}
        assert_equal 0 [r exists new]
    }

    test {RESTORE answers Bad data format for a payload it cannot decode} {
        r debug set-skip-checksum-validation 1
        # An unknown type byte.
        assert_error {ERR Bad data format} {r restore new 0 "\x63\x00\n\x00AAAAAAAA"}
        # A string whose length runs past the end of the payload.
        assert_error {ERR Bad data format} {r restore new 0 "\x00\x09abc\n\x00AAAAAAAA"}
        # A newer RDB version than the server reads (12: Redis 7.4's) is
        # refused before decoding.
        assert_error {ERR DUMP payload version or checksum are wrong} {r restore new 0 "\x00\x03abc\x0c\x00AAAAAAAA"}
        # With the checksum skipped, a good value still restores.
        assert_equal OK [r restore new 0 "\x00\x03abc\n\x00AAAAAAAA"]
        assert_equal abc [r get new]
        r debug set-skip-checksum-validation 0
        assert_error {ERR DUMP payload version or checksum are wrong} {r restore new2 0 "\x00\x03abc\n\x00AAAAAAAA"}
        assert_equal 0 [r exists new2]
    }

    test {RESTORE takes Redis 7.2's payloads: version 11, a listpack set} {
        r debug set-skip-checksum-validation 1
        # SADD s a b in Redis 7.2: type 20, the 13-byte listpack, version 11.
        set lp "\x0d\x00\x00\x00\x02\x00\x81a\x02\x81b\x02\xff"
        assert_equal OK [r restore s72 0 "\x14\x0d$lp\x0b\x00AAAAAAAA"]
        assert_equal {a b} [r smembers s72]
        assert_encoding listpack s72
        assert_equal OK [r restore str72 0 "\x00\x03abc\x0b\x00AAAAAAAA"]
        r debug set-skip-checksum-validation 0
        assert_equal abc [r get str72]
    } {} {needs:debug redis72}

    test {RESTORE fires the restore event and counts as a write} {
        r config set notify-keyspace-events KEA
        set rd [redis_deferring_client]
        $rd psubscribe __keyevent@*
        $rd read
        r set k v
        set p [r dump k]
        r restore k5 0 $p
        assert_equal {pmessage __keyevent@* __keyevent@0__:set k} [$rd read]
        assert_equal {pmessage __keyevent@* __keyevent@0__:restore k5} [$rd read]
        $rd close
        r config set notify-keyspace-events {}
    }
}
