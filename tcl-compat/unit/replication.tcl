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
