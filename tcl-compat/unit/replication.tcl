# Replication, master side, on a lone server: ROLE, WAIT without
# replicas, REPLCONF's options and errors, SYNC/PSYNC refusals, and the
# fields of INFO replication; then fastkey replicas of fastkey masters,
# and WAITAOF (Redis 7.2, tagged redis72). (More with real replicas in
# tests/replication.rs.)

# A client that sent PSYNC ? -1 and is now an online replica (it never
# reads its file: the small data sets here fit in the socket buffers).
proc fake_replica_online {} {
    set rd [redis_deferring_client]
    $rd psync ? -1
    assert_match {FULLRESYNC * *} [$rd read]
    wait_for_condition 50 100 {
        [string match {*state=online*} [getInfoProperty [r info replication] slave0]]
    } else {
        fail "the replica did not get online"
    }
    return $rd
}

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

# Replica side: a second local server replicates from the first.
proc wait_for_link_up {{level 0}} {
    wait_for_condition 100 50 {
        [s $level master_link_status] eq "up"
    } else {
        fail "the replica did not sync with its master"
    }
}

start_server {tags {repl external:skip} overrides {repl-diskless-sync-delay 0 enable-debug-command yes}} {
    start_server {tags {repl} overrides {enable-debug-command yes}} {
        set mhost [srv -1 host]
        set mport [srv -1 port]

        test {REPLICAOF makes a replica that loads the master's data and follows it} {
            r -1 set foo bar
            r -1 rpush list a b c
            set other [redis_client -1]
            $other select 5
            $other set in5 five
            $other close
            assert_equal OK [r replicaof $mhost $mport]
            wait_for_link_up
            assert_equal bar [r get foo]
            assert_equal {a b c} [r lrange list 0 -1]
            r -1 set foo baz
            r -1 hset h f v
            wait_for_condition 100 20 {[r hget h f] eq "v"} else { fail "writes not replicated" }
            assert_equal baz [r get foo]
            set other [redis_client]
            $other select 5
            assert_equal five [$other get in5]
            $other close
        }

        test {The replica's offset follows the master's} {
            r -1 incr counter
            wait_for_condition 100 20 {
                [s master_repl_offset] == [s -1 master_repl_offset]
            } else {
                fail "offsets differ: [s master_repl_offset] vs [s -1 master_repl_offset]"
            }
            assert_equal [s -1 master_replid] [s master_replid]
            assert_equal [s master_repl_offset] [s slave_repl_offset]
            assert_equal [s master_repl_offset] [s slave_read_repl_offset]
        }

        test {ROLE on a connected replica} {
            set role [r role]
            assert_equal [list slave $mhost $mport connected] [lrange $role 0 3]
            assert {[string is integer -strict [lindex $role 4]]}
            set mrole [r -1 role]
            assert_equal master [lindex $mrole 0]
            assert_equal 1 [llength [lindex $mrole 2]]
        }

        test {INFO replication on a replica} {
            set info [r info replication]
            assert_equal slave [getInfoProperty $info role]
            assert_equal $mhost [getInfoProperty $info master_host]
            assert_equal $mport [getInfoProperty $info master_port]
            assert_equal 0 [getInfoProperty $info master_sync_in_progress]
            assert_equal 100 [getInfoProperty $info slave_priority]
            assert_equal 1 [getInfoProperty $info slave_read_only]
            assert_equal 1 [getInfoProperty $info replica_announced]
            assert_equal 1 [getInfoProperty $info repl_backlog_active]
            assert_equal {} [getInfoProperty $info master_link_down_since_seconds]
            assert_range [getInfoProperty $info master_last_io_seconds_ago] 0 5
        }

        test {The master connection is a client of type master, flags M} {
            assert_match {*flags=M*user=(superuser)*} [r client list type master]
            assert_equal {} [r client list type replica]
            assert_match {*flags=S*} [r -1 client list type replica]
        }

        test {A read-only replica refuses writes} {
            assert_error {READONLY You can't write against a read only replica.} {r set x 1}
            assert_error {READONLY*} {r eval {#!lua
                return 1} 0}
            assert_error {*READONLY You can't write against a read only replica.*} \
                {r eval {return redis.call('set','x','1')} 0}
            assert_equal 1 [r eval {#!lua flags=no-writes
                return 1} 0]
            r multi
            catch {r set x 1} e
            assert_match {READONLY*} $e
            assert_error {EXECABORT*} {r exec}
            assert_equal 0 [r exists x]
        }

        test {replica-read-only no: the replica takes writes of its own} {
            r config set replica-read-only no
            assert_equal OK [r set local 1]
            assert_equal 1 [r get local]
            r del local
            r config set replica-read-only yes
        }

        test {WAIT on a replica is an error} {
            assert_error {*WAIT cannot be used with replica instances*} {r wait 1 0}
        }

        test {The replica leaves expiry to its master and hides expired keys} {
            r -1 debug set-active-expire 0
            r -1 set shortlived v px 300
            wait_for_condition 100 5 {[r exists shortlived]} else { fail "key not replicated" }
            set before [r dbsize]
            after 400
            assert_equal {} [r get shortlived]
            assert_equal 0 [r exists shortlived]
            # Still in the keyspace until the master says otherwise.
            assert_equal $before [r dbsize]
            # The master expires it on access and sends a DEL.
            assert_equal {} [r -1 get shortlived]
            wait_for_condition 100 20 {[r dbsize] == $before - 1} else { fail "DEL not replicated" }
            r -1 debug set-active-expire 1
        }

        test {A killed link resumes with a partial resync} {
            set partial [s -1 sync_partial_ok]
            set full [s -1 sync_full]
            assert_equal 1 [r client kill type master]
            r -1 set during-outage 1
            wait_for_condition 100 50 {
                [s -1 sync_partial_ok] == $partial + 1 && [s master_link_status] eq "up"
            } else {
                fail "no partial resync"
            }
            assert_equal $full [s -1 sync_full]
            wait_for_condition 100 20 {[r get during-outage] eq "1"} else { fail "write lost" }
        }

        test {Blocked clients are unblocked with an error when the master becomes a replica} {
            # The master (level -1) becomes a replica of a port nobody serves.
            set rd [redis_deferring_client -1]
            $rd blpop nosuchlist 0
            wait_for_blocked_clients_count 1 100 10 -1
            r -1 replicaof 127.0.0.1 1
            assert_error {UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)} {$rd read}
            $rd close
            assert_equal OK [r -1 replicaof no one]
            wait_for_link_up
        }

        test {Link down: stale data is served, or MASTERDOWN with replica-serve-stale-data no} {
            r replicaof 127.0.0.1 1
            assert_equal down [s master_link_status]
            assert_match {*master_link_down_since_seconds:*} [r info replication]
            assert_equal baz [r get foo]
            r config set replica-serve-stale-data no
            assert_error {MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.} {r get foo}
            # Commands flagged stale still run.
            assert_match {*role:slave*} [r info replication]
            r config set replica-serve-stale-data yes
            assert_equal baz [r get foo]
        }

        test {SYNC to a replica without its master link: NOMASTERLINK} {
            set rd [redis_deferring_client]
            $rd sync
            assert_error {NOMASTERLINK Can't SYNC while not connected with my master} {$rd read}
            $rd close
        }

        test {REPLICAOF errors and repeated requests} {
            assert_error {*Invalid master port*} {r replicaof 127.0.0.1 x}
            assert_error {*Invalid master port*} {r replicaof 127.0.0.1 70000}
            assert_error {*Invalid master port*} {r replicaof 127.0.0.1 -1}
            assert_error {*wrong number of arguments for 'replicaof' command*} {r replicaof 127.0.0.1}
            assert_error {*wrong number of arguments for 'slaveof' command*} {r slaveof no}
            assert_equal {OK Already connected to specified master} [r replicaof 127.0.0.1 1]
        }

        test {REPLICAOF NO ONE promotes: the old id stays valid as the secondary id} {
            r replicaof $mhost $mport
            wait_for_link_up
            r -1 set before-promotion 1
            wait_for_condition 100 20 {[r get before-promotion] eq "1"} else { fail "not replicated" }
            set id [s master_replid]
            set off [s master_repl_offset]
            assert_equal OK [r replicaof no one]
            assert_equal master [lindex [r role] 0]
            assert_equal $id [s master_replid2]
            assert_equal [expr {$off + 1}] [s second_repl_offset]
            assert_not_equal $id [s master_replid]
            assert_equal OK [r set now-a-master 1]
            assert_equal OK [r replicaof no one]
        }

        test {The old master rejoins the promoted replica with a partial resync} {
            set partial [s sync_partial_ok]
            r -1 replicaof [srv 0 host] [srv 0 port]
            wait_for_link_up -1
            assert_equal [expr {$partial + 1}] [s sync_partial_ok]
            wait_for_condition 100 20 {[r -1 get now-a-master] eq "1"} else { fail "not replicated" }
            r -1 replicaof no one
        }
    }
}

# A master that requires a password, a replica that announces another
# address and keeps an AOF.
start_server {tags {repl external:skip} overrides {requirepass s3cret repl-diskless-sync-delay 0}} {
    start_server {tags {repl} overrides {masterauth s3cret replica-announce-ip 10.1.2.3 replica-announce-port 1234 appendonly yes}} {
        test {The replica authenticates with masterauth and announces its address} {
            r -1 auth s3cret
            r -1 set secret-key 1
            r replicaof [srv -1 host] [srv -1 port]
            wait_for_link_up
            wait_for_condition 100 20 {
                [string match {ip=10.1.2.3,port=1234,state=online,*} [s -1 slave0]]
            } else {
                fail "slave0 is [s -1 slave0]"
            }
            assert_equal 1 [r get secret-key]
        }

        test {After a full sync the replica's AOF is rewritten from the new data set} {
            wait_for_condition 100 50 {
                [s aof_rewrite_in_progress] == 0 && [s aof_rewrites] >= 1 && [s aof_enabled] == 1
            } else {
                fail "no AOF rewrite after the sync"
            }
            r -1 set after-sync 2
            wait_for_condition 100 20 {[r get after-sync] eq "2"} else { fail "not replicated" }
            r debug loadaof
            assert_equal 1 [r get secret-key]
            assert_equal 2 [r get after-sync]
        }

        test {Without masterauth the handshake fails and the link stays down} {
            r config set masterauth wrong
            r client kill type master
            after 1500
            assert_equal down [s master_link_status]
            r config set masterauth s3cret
            wait_for_link_up
            r replicaof no one
        }
    }
}

# FAILOVER: a coordinated hand-over from the master (level -1) to its
# replica (level 0).
start_server {tags {repl external:skip} overrides {repl-diskless-sync-delay 0 enable-debug-command yes}} {
    start_server {tags {repl} overrides {repl-diskless-sync-delay 0 enable-debug-command yes}} {
        test {FAILOVER errors} {
            assert_error {ERR FAILOVER requires connected replicas.} {r -1 failover}
            assert_error {ERR No failover in progress.} {r -1 failover abort}
            assert_error {ERR syntax error} {r -1 failover bogus}
            assert_error {ERR syntax error} {r -1 failover to 127.0.0.1}
            assert_error {ERR FAILOVER timeout must be greater than 0} {r -1 failover timeout 0}
            assert_error {*not an integer*} {r -1 failover timeout x}
            r replicaof [srv -1 host] [srv -1 port]
            wait_for_link_up
            assert_error {ERR FAILOVER is not valid when server is a replica.} {r failover}
            assert_error {ERR FAILOVER with force option requires both a timeout and target HOST and IP.} \
                {r -1 failover force}
            assert_error {ERR FAILOVER with force option requires both a timeout and target HOST and IP.} \
                {r -1 failover to [srv host] [srv port] force}
            assert_error {ERR FAILOVER target HOST and PORT is not a replica.} {r -1 failover to 10.0.0.1 1}
            assert_equal no-failover [s -1 master_failover_state]
        }

        test {FAILOVER waits for the replica, pauses writes, and ABORT resumes them} {
            set sleeper [redis_deferring_client]
            $sleeper debug sleep 1
            after 100
            r -1 set before-failover 1
            assert_equal OK [r -1 failover]
            assert_equal waiting-for-sync [s -1 master_failover_state]
            assert_error {ERR FAILOVER already in progress.} {r -1 failover}
            assert_error {ERR REPLICAOF not allowed while failing over.} {r -1 replicaof no one}
            # Writes wait; reads are served.
            set writer [redis_deferring_client -1]
            $writer set paused-write 1
            assert_equal 1 [r -1 get before-failover]
            assert_equal OK [r -1 failover abort]
            assert_equal no-failover [s -1 master_failover_state]
            assert_equal OK [$writer read]
            assert_equal master [lindex [r -1 role] 0]
            $sleeper read
            $sleeper close
            $writer close
        }

        test {FAILOVER hands the master role to the replica, which continues the history} {
            r -1 set handed-over yes
            set partial [s sync_partial_ok]
            assert_equal OK [r -1 failover to [srv host] [srv port]]
            wait_for_condition 100 50 {
                [s -1 master_failover_state] eq "no-failover" && [s -1 role] eq "slave"
            } else {
                fail "the failover did not complete: [s -1 master_failover_state]"
            }
            assert_equal master [lindex [r role] 0]
            wait_for_link_up -1
            assert_equal [expr {$partial + 1}] [s sync_partial_ok]
            assert_equal yes [r get handed-over]
            r set after-failover 1
            wait_for_condition 100 20 {[r -1 get after-failover] eq "1"} else { fail "not replicated" }
            assert_error {READONLY*} {r -1 set x 1}
        }
    }
}

start_server {tags {repl external:skip} overrides {repl-diskless-sync-delay 0}} {
    start_server {tags {repl}} {
        test {A replica restarted from its own dump resumes with a partial resync} {
            r replicaof [srv -1 host] [srv -1 port]
            wait_for_link_up
            r -1 set k1 v1
            wait_for_condition 100 20 {[r get k1] eq "v1"} else { fail "not replicated" }
            # The replicaof in force goes to the config file; the dump
            # records the replication id and offset.
            r config rewrite
            r save
            set partial [s -1 sync_partial_ok]
            set full [s -1 sync_full]
            restart_server
            wait_for_link_up
            assert_equal [expr {$partial + 1}] [s -1 sync_partial_ok]
            assert_equal $full [s -1 sync_full]
            assert_equal v1 [r get k1]
            r -1 set k2 v2
            wait_for_condition 100 20 {[r get k2] eq "v2"} else { fail "not replicated" }
        }
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
        set rd [fake_replica_online]
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
        set rd [fake_replica_online]
        $rd close
    }
}

# What Sentinel relies on to reconfigure a server: REPLICAOF persisted by
# CONFIG REWRITE, and its reconfiguration transaction.

proc config_file_lines {} {
    set fd [open [srv config_file] r]
    set data [read $fd]
    close $fd
    return [split $data "\n"]
}

start_server {tags {repl needs:config external:skip}} {
    test {CONFIG REWRITE writes the master of REPLICAOF, and drops it after REPLICAOF NO ONE} {
        assert_equal OK [r replicaof 127.0.0.1 1]
        assert_equal OK [r config rewrite]
        set lines [config_file_lines]
        assert {"replicaof 127.0.0.1 1" in $lines}
        assert_equal OK [r replicaof no one]
        assert_equal OK [r config rewrite]
        set lines [config_file_lines]
        assert_equal {} [lsearch -all -glob $lines "replicaof*"]
        assert_equal {} [lsearch -all -glob $lines "slaveof*"]
    }

    test {Sentinel's transaction: REPLICAOF, CONFIG REWRITE and CLIENT KILL inside MULTI/EXEC} {
        set rd [redis_deferring_client]
        $rd ping
        assert_equal PONG [$rd read]
        r multi
        r replicaof 127.0.0.1 1
        r config rewrite
        r client kill type normal
        r client kill type pubsub
        set res [r exec]
        # The caller is skipped (SKIPME yes): only the other client goes.
        assert_equal {OK OK 1 0} $res
        assert_equal slave [lindex [r role] 0]
        assert_equal 1 [lindex [r role] 2]
        assert {"replicaof 127.0.0.1 1" in [config_file_lines]}
        $rd close
    }

    test {The rewritten replicaof is used after a restart} {
        restart_server
        assert_equal {slave 127.0.0.1 1} [lrange [r role] 0 2]
        assert_equal OK [r replicaof no one]
    }
}

start_server {tags {repl external:skip} overrides {repl-diskless-sync yes repl-diskless-sync-delay 0 repl-timeout 2 rdbcompression no}} {
    test {A replica that stops reading a diskless transfer is dropped after repl-timeout} {
        # Far more than the socket buffers and the 256 KB fastkey queues.
        r debug populate 20000 key 1000
        set rd [redis_deferring_client]
        $rd replconf capa eof capa psync2
        assert_equal OK [$rd read]
        $rd psync ? -1
        # The replica never reads: the transfer stalls with output pending.
        wait_for_condition 100 100 {
            [count_log_message 0 "*Disconnecting timedout replica (full sync)*"] > 0
        } else {
            fail "the stalled replica was not dropped"
        }
        wait_for_condition 50 100 {[s connected_slaves] == 0} else { fail "still connected" }
        # The transfer, left without a replica, is stopped.
        wait_for_log {*Background transfer terminated by signal 10*}
        $rd close
        assert_equal PONG [r ping]
    }
}

# ---------------------------------------------------------------- shutdown
# A fake replica never acknowledges on its own, so it lags until it sends
# REPLCONF ACK with the master's offset.

proc shutdown_waiting {} {
    wait_for_log {*Waiting for replicas before shutting down.*}
}

proc wait_server_gone {} {
    wait_for_condition 100 50 {![server_is_alive]} else { fail "the server did not exit" }
}

start_server {tags {repl external:skip}} {
    test {shutdown-timeout and shutdown-on-sigint/sigterm: defaults, values and errors} {
        assert_equal {shutdown-timeout 10} [r config get shutdown-timeout]
        assert_equal {shutdown-on-sigterm default} [r config get shutdown-on-sigterm]
        assert_error {*shutdown-timeout*argument must be between 0 and 2147483647 inclusive*} {r config set shutdown-timeout -1}
        assert_error {*shutdown options SAVE and NOSAVE can't be used simultaneously*} {r config set shutdown-on-sigterm "save nosave"}
        assert_error {*argument(s) must be one of the following: default, save, nosave, now, force*} {r config set shutdown-on-sigint bogus}
        r config set shutdown-on-sigint "now force"
        assert_equal {shutdown-on-sigint {now force}} [r config get shutdown-on-sigint]
        r config set shutdown-on-sigint default
        assert_equal {shutdown-on-sigint default} [r config get shutdown-on-sigint]
    } {} {needs:config}

    test {SHUTDOWN waits for a lagging replica with writes paused; ABORT cancels it} {
        set rep [fake_replica_online]
        r set k v
        set rd [redis_deferring_client]
        $rd shutdown
        shutdown_waiting
        assert_equal 1 [s blocked_clients]
        # Reads are served, writes wait.
        assert_equal v [r get k]
        set wr [redis_deferring_client]
        $wr set k2 v2
        after 200
        assert_equal {} [r get k2]
        assert_equal OK [r shutdown abort]
        assert_error {*Errors trying to SHUTDOWN. Check logs.*} {$rd read}
        assert_equal OK [$wr read]
        assert_equal v2 [r get k2]
        assert_equal 1 [count_log_message {*Shutdown manually aborted.*}]
        assert_equal {ERR No shutdown in progress.} [err_of {r shutdown abort}]
        assert [server_is_alive]
        $rd close
        $wr close
        $rep close
    }

    # Redis 7.0.15 panics here ("Unknown btype in
    # replyToBlockedClientTimedOut()"); the tag leaves it out when the file
    # is checked against it.
    test {CLIENT UNBLOCK does not release a client waiting in SHUTDOWN} {
        set rep [fake_replica_online]
        r set k v
        set rd [redis_deferring_client]
        $rd client id
        set rd_id [$rd read]
        $rd shutdown
        shutdown_waiting
        assert_equal 0 [r client unblock $rd_id]
        assert_equal 0 [r client unblock $rd_id error]
        assert_equal OK [r shutdown abort]
        assert_error {*Errors trying to SHUTDOWN. Check logs.*} {$rd read}
        $rd close
        $rep close
    } {} {redis70-crashes}

    test {SHUTDOWN ends as soon as the replicas acknowledged the whole stream} {
        set rep [fake_replica_online]
        r set k v
        set rd [redis_deferring_client]
        $rd shutdown nosave
        shutdown_waiting
        # Still waiting: nothing was acknowledged.
        after 300
        assert [server_is_alive]
        $rep replconf ack [s master_repl_offset]
        wait_server_gone
        assert_equal 1 [count_log_message {*1 of 1 replicas are in sync when shutting down.*}]
        restart_server
    }
}

start_server {tags {repl external:skip} overrides {shutdown-timeout 1}} {
    test {SHUTDOWN gives up on a lagging replica after shutdown-timeout} {
        set rep [fake_replica_online]
        r set k v
        set start [clock milliseconds]
        set rd [redis_deferring_client]
        $rd shutdown nosave
        wait_server_gone
        assert {[clock milliseconds] - $start >= 900}
        assert_equal 1 [count_log_message {*Lagging replica * reported offset * behind master, lag=*, state=online.*}]
        assert_equal 1 [count_log_message {*0 of 1 replicas are in sync when shutting down.*}]
        restart_server
    }

    test {SHUTDOWN NOW and shutdown-timeout 0 do not wait} {
        set rep [fake_replica_online]
        r set k v
        catch {r shutdown nosave now}
        wait_server_gone
        restart_server
        r config set shutdown-timeout 0
        set rep [fake_replica_online]
        r set k v
        set waited [count_log_message {*Waiting for replicas before shutting down.*}]
        catch {r shutdown nosave}
        wait_server_gone
        assert_equal $waited [count_log_message {*Waiting for replicas before shutting down.*}]
        restart_server
    }
}

start_server {tags {repl external:skip needs:config}} {
    test {SIGTERM waits for replicas too, and SHUTDOWN ABORT cancels it} {
        set rep [fake_replica_online]
        r set k v
        exec kill -TERM [srv pid]
        shutdown_waiting
        assert_equal OK [r shutdown abort]
        assert [server_is_alive]
        assert_equal {ERR No shutdown in progress.} [err_of {r shutdown abort}]
    }

    test {shutdown-on-sigterm flags apply to SIGTERM} {
        r config set shutdown-on-sigterm "nosave now"
        assert_equal {shutdown-on-sigterm {nosave now}} [r config get shutdown-on-sigterm]
        r set k changed
        exec kill -TERM [srv pid]
        wait_server_gone
        assert_equal 1 [count_log_message {*Waiting for replicas before shutting down.*}]
        restart_server
    }
}

# WAITAOF (Redis 7.2): tagged redis72 so that `--tags -redis72` leaves them
# out when this file is checked against redis-server 7.0, which lacks it.
start_server {tags {repl redis72}} {
    test {WAITAOF: argument errors, in Redis 7.2's order and words} {
        assert_error {ERR wrong number of arguments for 'waitaof' command} {r waitaof 0 0}
        assert_error {ERR value is out of range, value must between 0 and 1} {r waitaof 2 0 0}
        assert_error {ERR value is out of range, value must between 0 and 1} {r waitaof -1 0 0}
        assert_error {ERR value is not an integer or out of range} {r waitaof x 0 0}
        assert_error {ERR value is out of range, must be positive} {r waitaof 0 -1 0}
        assert_error {ERR value is not an integer or out of range} {r waitaof 0 x 0}
        assert_error {ERR timeout is negative} {r waitaof 0 0 -1}
        assert_error {ERR timeout is not an integer or out of range} {r waitaof 0 0 x}
        # Arguments are checked before the AOF is.
        assert_error {ERR value is out of range, must be positive} {r waitaof 1 -1 0}
    }

    test {WAITAOF with appendonly no: numlocal is refused, 0 0 answers at once} {
        r incr foo
        assert_error {ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.} {r waitaof 1 0 0}
        assert_equal {0 0} [r waitaof 0 0 0]
    }

    test {WAITAOF: replicas that are not there time out with what was acked} {
        r incr foo
        set start [clock milliseconds]
        assert_equal {0 0} [r waitaof 0 1 100]
        assert_morethan_equal [expr {[clock milliseconds] - $start}] 100
    }

    test {WAITAOF in MULTI answers at once; scripts may not call it} {
        r multi
        r incr foo
        r waitaof 0 1 0
        assert_equal {0 0} [lindex [r exec] 1]
        assert_error {*not allowed from script*} {r eval {return redis.call('waitaof', 0, 0, 0)} 0}
    }

    test {WAITAOF: a blocked client counts in blocked_clients; CLIENT UNBLOCK} {
        set rd [redis_deferring_client]
        $rd client id
        set id [$rd read]
        $rd incr foo
        $rd read
        $rd waitaof 0 1 0
        wait_for_blocked_client
        # As a timeout: the counts of now.
        assert_equal 1 [r client unblock $id]
        assert_equal {0 0} [$rd read]
        assert_equal 0 [s blocked_clients]
        $rd waitaof 0 1 0
        wait_for_blocked_client
        assert_equal 1 [r client unblock $id error]
        assert_error {UNBLOCKED client unblocked via CLIENT UNBLOCK} {$rd read}
        # A pipelined command behind it ran once it was unblocked.
        $rd ping
        assert_equal PONG [$rd read]
        $rd close
    }
}

start_server {tags {repl redis72} overrides {appendonly yes appendfsync everysec}} {
    test {WAITAOF: without replicas every op moves the offset by one when the AOF is on} {
        set before [s master_repl_offset]
        r set k v
        r mset a 1 b 2
        assert_equal [expr {$before + 2}] [s master_repl_offset]
        assert_equal 0 [s repl_backlog_active]
    }

    test {WAITAOF local: everysec} {
        r incr foo
        assert_equal {1 0} [r waitaof 1 0 0]
    }

    test {WAITAOF local: always} {
        r config set appendfsync always
        r incr foo
        assert_equal {1 0} [r waitaof 1 0 0]
        # Pipelined behind the write: answered in the same turn.
        set rd [redis_deferring_client]
        $rd incr foo
        $rd waitaof 1 0 0
        $rd read
        assert_equal {1 0} [$rd read]
        $rd close
        r config set appendfsync everysec
    }

    test {WAITAOF local: appendfsync no never fsyncs, so it times out} {
        r config set appendfsync no
        r incr foo
        assert_equal {0 0} [r waitaof 1 0 50]
        r config set appendfsync everysec
        # The next once-a-second fsync covers it.
        assert_equal {1 0} [r waitaof 1 0 0]
    }

    test {WAITAOF local: turning the AOF off unblocks with an error} {
        r config set appendfsync no
        set rd [redis_deferring_client]
        $rd incr foo
        $rd read
        $rd waitaof 1 0 0
        wait_for_blocked_client
        r config set appendonly no
        assert_error {ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.} {$rd read}
        $rd close
        assert_error {ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.} {r waitaof 1 0 0}
        r config set appendfsync everysec
    }

    test {WAITAOF local: an AOF turned on at runtime counts once its base is written} {
        r config set appendonly yes
        wait_for_condition 100 50 {
            [s aof_rewrite_in_progress] == 0 && [s aof_rewrite_scheduled] == 0
        } else {
            fail "the first AOF rewrite did not finish"
        }
        r incr foo
        assert_equal {1 0} [r waitaof 1 0 0]
    }
}

start_server {tags {repl redis72 external:skip} overrides {appendonly yes appendfsync always repl-diskless-sync-delay 0}} {
    start_server {tags {repl redis72} overrides {appendonly yes appendfsync everysec}} {
        set mhost [srv -1 host]
        set mport [srv -1 port]

        test {WAITAOF: a blocked client of a master that becomes a replica is unblocked} {
            set rd [redis_deferring_client]
            $rd incr foo
            $rd read
            $rd waitaof 0 1 0
            wait_for_blocked_client
            r replicaof $mhost $mport
            assert_error {UNBLOCKED force unblock from blocking operation,*} {$rd read}
            $rd close
            wait_for_link_up
        }

        test {WAITAOF is refused on a replica} {
            assert_error {ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.} {r waitaof 0 0 0}
        }

        test {WAITAOF: a replica with the AOF on acknowledges its fsyncs (FACK)} {
            set m [redis_client -1]
            $m incr foo
            assert_equal {1 1} [$m waitaof 1 1 0]
            $m incr foo
            assert_equal {1 1} [$m waitaof 0 1 0]
            $m close
        }

        test {WAITAOF: a replica with the AOF off acknowledges nothing} {
            r config set appendonly no
            set m [redis_client -1]
            $m config set appendonly no
            $m incr foo
            assert_equal {0 0} [$m waitaof 0 1 200]
            $m config set appendonly yes
            wait_for_condition 100 50 {
                [s -1 aof_rewrite_in_progress] == 0 && [s -1 aof_rewrite_scheduled] == 0
            } else {
                fail "the master's AOF rewrite did not finish"
            }
            $m incr foo
            assert_equal {1 0} [$m waitaof 1 1 200]
            # Its AOF back on: the replica's first base covers the stream.
            r config set appendonly yes
            assert_equal {1 1} [$m waitaof 1 1 0]
            $m close
        }

        test {WAITAOF: clients blocked on the same replica are all released} {
            set rd [redis_deferring_client -1]
            set rd2 [redis_deferring_client -1]
            $rd incr foo
            $rd read
            $rd2 incr foo
            $rd2 read
            $rd waitaof 0 1 0
            $rd2 waitaof 0 1 0
            # Its ACK comes once a second (or for the GETACK).
            assert_equal {1 1} [$rd read]
            assert_equal {1 1} [$rd2 read]
            $rd ping
            assert_equal PONG [$rd read]
            $rd close
            $rd2 close
        }

        test {WAITAOF on a promoted replica} {
            r replicaof no one
            r incr foo
            assert_equal {1 0} [r waitaof 1 0 0]
        }

        test {WAITAOF: a master without backlog is released when a replica ends its full sync} {
            r -1 config set repl-backlog-ttl 1
            wait_for_condition 50 100 {
                [s -1 repl_backlog_active] == 0
            } else {
                fail "the master kept its backlog"
            }
            set rd [redis_deferring_client -1]
            $rd incr foo
            $rd read
            $rd waitaof 0 1 0
            wait_for_blocked_client -1
            r replicaof $mhost $mport
            assert_equal {1 1} [$rd read]
            $rd close
            r -1 config set repl-backlog-ttl 3600
        }
    }
}

start_server {tags {repl redis72 external:skip} overrides {appendonly yes appendfsync always repl-diskless-sync-delay 0}} {
    start_server {tags {repl redis72} overrides {appendonly yes appendfsync always repl-diskless-sync-delay 0}} {
        start_server {tags {repl redis72} overrides {appendonly yes appendfsync always}} {
            test {WAITAOF: a replica moved to a master with lower offsets leaves its old fsynced offset behind} {
                # Master -2 gets far ahead of master -1 in offsets.
                r replicaof [srv -2 host] [srv -2 port]
                wait_for_link_up
                set big [string repeat x 1000]
                for {set i 0} {$i < 200} {incr i} { r -2 set k$i $big }
                assert_equal {1 1} [r -2 waitaof 1 1 0]
                assert_morethan [s -2 master_repl_offset] [expr {[s -1 master_repl_offset] + 100000}]
                # Moved to master -1 with fsyncs off: its first base covers
                # the sync; later writes are never fsynced, so never acked.
                r config set appendfsync no
                r replicaof [srv -1 host] [srv -1 port]
                wait_for_link_up
                set m [redis_client -1]
                assert_equal {1 1} [$m waitaof 1 1 0]
                $m incr foo
                assert_equal {1 0} [$m waitaof 1 1 300]
                r config set appendfsync always
                assert_equal {1 1} [$m waitaof 1 1 0]
                $m close
            }
        }
    }
}
