# Replication, master side, on a lone server: ROLE, WAIT without
# replicas, REPLCONF's options and errors, SYNC/PSYNC refusals, and the
# fields of INFO replication. (A real replica is tested in
# tests/replication.rs.)

start_server {tags {repl}} {
    test {ROLE on a master without replicas} {
        set role [r role]
        assert_equal master [lindex $role 0]
        assert {[string is integer [lindex $role 1]]}
        assert_equal {} [lindex $role 2]
    }

    test {WAIT with no replicas: 0 at once when 0 are wanted} {
        r set foo bar
        assert_equal 0 [r wait 0 0]
    }

    test {WAIT times out with the number of replicas that acked} {
        r set foo bar
        set start [clock milliseconds]
        assert_equal 0 [r wait 1 100]
        assert {[clock milliseconds] - $start >= 90}
    }

    test {WAIT inside MULTI does not block} {
        r multi
        r wait 1 0
        assert_equal {0} [r exec]
    }

    test {WAIT argument errors} {
        assert_error {*value is not an integer or out of range*} {r wait x 0}
        assert_error {*timeout is negative*} {r wait 1 -1}
        assert_error {*timeout is not an integer or out of range*} {r wait 1 x}
        assert_error {*wrong number of arguments for 'wait' command*} {r wait 1}
    }

    test {REPLCONF options a replica sends are accepted} {
        assert_equal OK [r replconf listening-port 6380]
        assert_equal OK [r replconf ip-address 10.0.0.1]
        assert_equal OK [r replconf capa eof capa psync2]
        assert_equal OK [r replconf capa unknown-capability]
        assert_equal OK [r replconf rdb-only 0]
        assert_equal OK [r replconf]
    }

    test {REPLCONF errors} {
        assert_error {*syntax error*} {r replconf listening-port}
        assert_error {*Unrecognized REPLCONF option: foo*} {r replconf foo bar}
        assert_error {*value is not an integer or out of range*} {r replconf listening-port abc}
        assert_error {*value is out of range, value must between 0 and 1*} {r replconf rdb-only 5}
        assert_error {*ip-address provided by replica instance is too long: 300 bytes*} \
            {r replconf ip-address [string repeat x 300]}
    }

    test {REPLCONF ACK and GETACK get no reply from a master} {
        # No reply: the PING after them is answered first.
        set rd [redis_deferring_client]
        $rd replconf ack 100
        $rd replconf getack *
        $rd ping
        assert_equal PONG [$rd read]
        $rd close
    }

    test {PSYNC errors} {
        assert_error {*value is not an integer or out of range*} {r psync abc x}
        assert_error {*PSYNC FAILOVER can't be sent to a master*} {r psync abc 1 failover}
        assert_error {*wrong number of arguments for 'psync' command*} {r psync abc}
    }

    test {SYNC and PSYNC are refused inside MULTI} {
        r multi
        assert_error {*Command not allowed inside a transaction*} {r sync}
        r discard
    }

    test {INFO replication of a master without replicas} {
        set info [r info replication]
        assert_equal master [getInfoProperty $info role]
        assert_equal 0 [getInfoProperty $info connected_slaves]
        assert_equal no-failover [getInfoProperty $info master_failover_state]
        assert_match {[0-9a-f]*} [getInfoProperty $info master_replid]
        assert_equal 40 [string length [getInfoProperty $info master_replid]]
        assert_equal [string repeat 0 40] [getInfoProperty $info master_replid2]
        assert_equal -1 [getInfoProperty $info second_repl_offset]
        assert_equal 0 [getInfoProperty $info repl_backlog_active]
        assert_equal 1048576 [getInfoProperty $info repl_backlog_size]
        assert_equal 0 [getInfoProperty $info repl_backlog_first_byte_offset]
        assert_equal 0 [getInfoProperty $info repl_backlog_histlen]
    }

    test {INFO stats has the sync counters} {
        set info [r info stats]
        assert_equal 0 [getInfoProperty $info sync_full]
        assert_equal 0 [getInfoProperty $info sync_partial_ok]
        assert_equal 0 [getInfoProperty $info sync_partial_err]
    }

    test {repl-backlog-size is shown by INFO after CONFIG SET} {
        r config set repl-backlog-size 2mb
        assert_equal 2097152 [getInfoProperty [r info replication] repl_backlog_size]
        r config set repl-backlog-size 1mb
    }

    test {PSYNC ? -1 starts a full resync: +FULLRESYNC, then the RDB} {
        set rd [redis_deferring_client]
        $rd psync ? -1
        set line [$rd read]
        assert_match {FULLRESYNC * *} $line
        set replid [lindex $line 1]
        assert_equal $replid [getInfoProperty [r info replication] master_replid]
        wait_for_condition 50 100 {
            [getInfoProperty [r info replication] slave0] ne {}
        } else {
            fail "no replica in INFO"
        }
        assert_equal 1 [getInfoProperty [r info replication] connected_slaves]
        assert_equal 1 [getInfoProperty [r info replication] repl_backlog_active]
        assert_equal 1 [getInfoProperty [r info stats] sync_full]
        # "?" asks for a full resync on purpose: not a failed PSYNC.
        assert_equal 0 [getInfoProperty [r info stats] sync_partial_err]
        assert_match {*flags=S*} [r client list type replica]
        assert_equal 1 [r client kill type replica]
        $rd close
    }
}

start_server {tags {repl}} {
    test {DEBUG CHANGE-REPL-ID: a new replid, replid2 cleared} {
        set before [getInfoProperty [r info replication] master_replid]
        assert_equal OK [r debug change-repl-id]
        set info [r info replication]
        assert {[getInfoProperty $info master_replid] ne $before}
        assert_equal 40 [string length [getInfoProperty $info master_replid]]
        assert_equal [string repeat 0 40] [getInfoProperty $info master_replid2]
        assert_equal -1 [getInfoProperty $info second_repl_offset]
    }

    test {min-replicas-to-write: INFO shows the good replicas only when enabled} {
        assert_equal {} [getInfoProperty [r info replication] min_slaves_good_slaves]
        r config set min-replicas-to-write 1
        assert_equal 0 [getInfoProperty [r info replication] min_slaves_good_slaves]
        # The old names are aliases.
        assert_equal {min-slaves-to-write 1} [r config get min-slaves-to-write]
        r config set min-replicas-max-lag 0
        assert_equal {} [getInfoProperty [r info replication] min_slaves_good_slaves]
        r config set min-replicas-max-lag 10
    }

    test {min-replicas-to-write: writes get -NOREPLICAS, reads do not} {
        r config set min-replicas-to-write 1
        assert_error {NOREPLICAS Not enough good replicas to write.} {r set foo bar}
        assert_error {NOREPLICAS*} {r del foo}
        assert_equal {} [r get foo]
        assert_equal PONG [r ping]
        assert_match {*errorstat_NOREPLICAS:count=2*} [r info errorstats]
        assert_match {*cmdstat_set:calls=0,*rejected_calls=1,*} [r info commandstats]
    }

    test {min-replicas-to-write: a write queued in MULTI fails EXEC} {
        r multi
        assert_error {NOREPLICAS*} {r set foo bar}
        assert_error {EXECABORT*} {r exec}
    }

    test {min-replicas-to-write: scripts} {
        # A script without flags fails at its first write.
        assert_error {NOREPLICAS Not enough good replicas to write. script:*} \
            {r eval {redis.call('get','x') return redis.call('set','x','1')} 0}
        # A script that declares writes is refused before it runs.
        assert_error {NOREPLICAS Not enough good replicas to write.} \
            {r eval "#!lua\nreturn redis.call('set','x','1')" 0}
        # A read-only script runs.
        assert_equal {} [r eval "#!lua flags=no-writes\nreturn redis.call('get','x')" 0]
        assert_equal {} [r eval {return redis.call('get','x')} 0]
    }

    test {min-replicas-to-write: an online replica is good, writes go through} {
        r config set min-replicas-max-lag 3
        set rd [redis_deferring_client]
        $rd psync ? -1
        assert_match {FULLRESYNC * *} [$rd read]
        wait_for_condition 50 100 {
            [string match {*state=online*} [getInfoProperty [r info replication] slave0]]
        } else {
            fail "the replica did not get online"
        }
        wait_for_condition 50 100 {
            [getInfoProperty [r info replication] min_slaves_good_slaves] == 1
        } else {
            fail "the replica is not counted as good"
        }
        assert_equal OK [r set foo bar]
        r multi
        r set foo baz
        assert_equal OK [r exec]
        # A second replica is wanted: EXEC of a queued write is refused.
        set other [redis_client]
        r multi
        r set foo qux
        $other config set min-replicas-to-write 2
        assert_error {EXECABORT*NOREPLICAS*} {r exec}
        assert_equal baz [r get foo]
        $other config set min-replicas-to-write 1
        $other close
        # No ACK for longer than the max lag: no longer good.
        wait_for_condition 100 100 {
            [getInfoProperty [r info replication] min_slaves_good_slaves] == 0
        } else {
            fail "the silent replica is still good"
        }
        assert_error {NOREPLICAS*} {r set foo bar}
        # An ACK makes it good again (at the next cron).
        $rd replconf ack 0
        wait_for_condition 50 100 {
            [getInfoProperty [r info replication] min_slaves_good_slaves] == 1
        } else {
            fail "the replica did not become good after its ACK"
        }
        assert_equal OK [r set foo bar]
        $rd close
        wait_for_condition 50 100 {
            [getInfoProperty [r info replication] connected_slaves] == 0
        } else {
            fail "the replica is still there"
        }
        assert_equal 0 [getInfoProperty [r info replication] min_slaves_good_slaves]
        r config set min-replicas-to-write 0
        assert_equal OK [r set foo bar]
    }
}

start_server {tags {repl}} {
    test {repl-backlog-ttl: the backlog is freed without replicas, with a new replid} {
        r config set repl-backlog-ttl 1
        set rd [redis_deferring_client]
        $rd psync ? -1
        assert_match {FULLRESYNC * *} [$rd read]
        set replid [getInfoProperty [r info replication] master_replid]
        assert_equal 1 [getInfoProperty [r info replication] repl_backlog_active]
        $rd close
        wait_for_condition 100 100 {
            [getInfoProperty [r info replication] repl_backlog_active] == 0
        } else {
            fail "the backlog was not freed"
        }
        set info [r info replication]
        assert {[getInfoProperty $info master_replid] ne $replid}
        assert_equal [string repeat 0 40] [getInfoProperty $info master_replid2]
        assert_equal 0 [getInfoProperty $info repl_backlog_histlen]
        r config set repl-backlog-ttl 3600
    }
}

start_server {tags {repl}} {
    test {total_net_repl_output_bytes counts what replicas get, not total_net_output_bytes} {
        r config set repl-diskless-sync no
        set out_before [getInfoProperty [r info stats] total_net_output_bytes]
        set rd [redis_deferring_client]
        $rd psync ? -1
        assert_match {FULLRESYNC * *} [$rd read]
        wait_for_condition 50 100 {
            [getInfoProperty [r info stats] total_net_repl_output_bytes] > 50
        } else {
            fail "no replication output counted"
        }
        assert_equal 0 [getInfoProperty [r info stats] total_net_repl_input_bytes]
        assert_match {*instantaneous_output_repl_kbps:*} [r info stats]
        wait_for_condition 50 100 {
            [string match {*state=online*} [getInfoProperty [r info replication] slave0]]
        } else {
            fail "the replica did not get online"
        }
        $rd close
    }

    test {Diskless sync: the RDB in the EOF-mark form, the stream after the first ACK} {
        r config set repl-diskless-sync yes
        r config set repl-diskless-sync-delay 0
        set dump [file join [lindex [r config get dir] 1] dump.rdb]
        file delete $dump
        r set before 1
        set fd [raw_open]
        raw_send $fd replconf capa eof
        raw_expect $fd "+OK\r\n"
        raw_send $fd psync ? -1
        set buf [raw_read_until $fd "+FULLRESYNC * *\r\n\$EOF:*\r\n*"]
        assert_match "+FULLRESYNC * *\r\n\$EOF:*\r\n*" $buf
        set at [string first "\$EOF:" $buf]
        set mark [string range $buf [expr {$at + 5}] [expr {$at + 44}]]
        assert_equal 40 [string length $mark]
        assert_equal "\r\n" [string range $buf [expr {$at + 45}] [expr {$at + 46}]]
        # The RDB follows, and ends with the same mark.
        set deadline [expr {[clock milliseconds] + 5000}]
        while {[string range $buf end-39 end] ne $mark && [clock milliseconds] < $deadline} {
            append buf [read $fd]
            after 2
        }
        assert_equal $mark [string range $buf end-39 end]
        assert_equal REDIS [string range $buf [expr {$at + 47}] [expr {$at + 51}]]
        wait_for_condition 50 100 {
            [string match {*state=online*} [getInfoProperty [r info replication] slave0]]
        } else {
            fail "the replica is not online after the transfer"
        }
        # The stream waits for the replica's first ACK.
        r set after 2
        after 300
        assert_equal {} [read $fd]
        raw_send $fd replconf ack 0
        set stream [raw_read_until $fd "*after*"]
        assert_match "*SELECT*after*" $stream
        assert_equal 0 [file exists $dump]
        assert_equal 0 [getInfoProperty [r info persistence] rdb_bgsave_in_progress]
        raw_close_all
    }

    test {Diskless sync: a replica without capa eof gets the file} {
        r config set repl-diskless-sync yes
        r config set repl-diskless-sync-delay 0
        set rd [redis_deferring_client]
        $rd psync ? -1
        assert_match {FULLRESYNC * *} [$rd read]
        wait_for_condition 50 100 {
            [string match {*state=online*} [getInfoProperty [r info replication] slave0]]
        } else {
            fail "the replica did not get online"
        }
        $rd close
    }
}
