# INFO: sections and their order, section selection, field names and the
# counters of Stats, Commandstats and Errorstats, CONFIG RESETSTAT.
#
# Tests tagged "needs:list" create a list key (RPUSH) to get a WRONGTYPE
# error; skip them with --tags -needs:list while lists are missing.

# The section headers of an INFO reply, without the "# ".
proc info_sections {text} {
    set out {}
    foreach line [split $text "\n"] {
        set line [string trimright $line "\r"]
        if {[string match "# *" $line]} {
            lappend out [string range $line 2 end]
        }
    }
    return $out
}

proc is_int {v} {
    regexp {^-?[0-9]+$} $v
}

# The value of a field of INFO commandstats/errorstats ("" if absent).
proc info_field {section field} {
    getInfoProperty [r info $section] $field
}

# calls, usec, usec_per_call, rejected_calls and failed_calls of a command
# as a dict ({} if the command has no stats line).
proc cmdstat {cmd} {
    set line [info_field commandstats cmdstat_$cmd]
    if {$line eq {}} {
        return {}
    }
    set d {}
    foreach kv [split $line ,] {
        lassign [split $kv =] k v
        dict set d $k $v
    }
    return $d
}

set ::default_sections {Server Clients Memory Persistence Stats Replication CPU Modules Errorstats Cluster Keyspace}
set ::all_sections {Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Latencystats Cluster Keyspace}

start_server {tags {"info"}} {

    # ------------------------------------------------------------ sections

    test {INFO without arguments: the default sections, in order} {
        r set k v
        r get k
        # An error makes sure Errorstats has a line.
        catch {r nosuchcommand}
        assert_equal $::default_sections [info_sections [r info]]
    }

    test {INFO default is the same as no argument} {
        assert_equal $::default_sections [info_sections [r info default]]
        assert_equal $::default_sections [info_sections [r info DEFAULT]]
    }

    test {INFO all and INFO everything add Commandstats and Latencystats} {
        assert_equal $::all_sections [info_sections [r info all]]
        assert_equal $::all_sections [info_sections [r info everything]]
    }

    test {INFO of one section} {
        foreach sec $::all_sections {
            assert_equal [list $sec] [info_sections [r info $sec]] $sec
            assert_equal [list $sec] [info_sections [r info [string tolower $sec]]] $sec
            assert_equal [list $sec] [info_sections [r info [string toupper $sec]]] $sec
        }
    }

    test {INFO of several sections keeps the canonical order} {
        assert_equal {Server Clients} [info_sections [r info server clients]]
        assert_equal {Server Keyspace} [info_sections [r info keyspace server]]
        assert_equal {Server Commandstats} [info_sections [r info commandstats server]]
        assert_equal {Server} [info_sections [r info server server]]
        assert_equal $::all_sections [info_sections [r info all server]]
        assert_equal {Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Cluster Keyspace} [info_sections [r info default commandstats]]
    }

    test {INFO of an unknown section is an empty string} {
        assert_equal {} [r info foo]
        assert_equal {} [r info foo bar]
        set c [srv 0 client]
        $c readraw 1
        set lines [list [r info nosuchsection] [$c read]]
        $c readraw 0
        assert_equal [list {$0} {}] $lines
        assert_equal {Server} [info_sections [r info server foo]]
    }

    test {INFO text format: CRLF lines, blank line between sections} {
        set text [r info server clients]
        assert_match "# Server\r\n*" $text
        assert_match "*\r\n\r\n# Clients\r\n*" $text
        # The reply ends with a single CRLF.
        assert_equal "\r\n" [string range $text end-1 end]
        assert_not_equal "\r\n\r\n" [string range $text end-3 end]
        foreach line [lrange [split $text "\n"] 0 end-1] {
            assert_equal "\r" [string index $line end] "line '$line'"
            set line [string trimright $line "\r"]
            if {$line eq {} || [string match "# *" $line]} {
                continue
            }
            assert {[regexp {^[a-z0-9_]+:} $line]} "line '$line'"
        }
    }

    test {INFO of an empty section is just its header} {
        assert_equal "# Modules\r\n" [r info modules]
        r config resetstat
        assert_equal "# Errorstats\r\n" [r info errorstats]
        r flushall
        assert_equal "# Keyspace\r\n" [r info keyspace]
    } {} {needs:config}

    # ------------------------------------------------------------ Server

    test {INFO server fields} {
        set info [r info server]
        foreach f {redis_version redis_git_sha1 redis_git_dirty redis_mode arch_bits
                   multiplexing_api process_id run_id tcp_port server_time_usec
                   uptime_in_seconds uptime_in_days hz configured_hz lru_clock config_file} {
            assert {[string first "\r\n$f:" "\r\n$info"] >= 0} "missing field $f"
        }
        assert_match {7.*} [getInfoProperty $info redis_version]
        assert_equal standalone [getInfoProperty $info redis_mode]
        assert_equal 64 [getInfoProperty $info arch_bits]
        assert_equal [srv port] [getInfoProperty $info tcp_port]
        assert_equal [srv pid] [getInfoProperty $info process_id]
        assert_equal [srv config_file] [getInfoProperty $info config_file]
        assert {[regexp {^[0-9a-f]{40}$} [getInfoProperty $info run_id]]}
        assert_equal 0 [getInfoProperty $info uptime_in_days]
        assert_equal 10 [getInfoProperty $info hz]
        assert_equal 10 [getInfoProperty $info configured_hz]
        set usec [getInfoProperty $info server_time_usec]
        assert_range [expr {$usec / 1000}] [expr {[clock milliseconds] - 10000}] [expr {[clock milliseconds] + 10000}]
    } {} {external:skip}

    test {INFO uptime_in_seconds grows} {
        set up [s uptime_in_seconds]
        assert {[is_int $up]}
        wait_for_condition 50 100 {[s uptime_in_seconds] > $up} else {
            fail "uptime_in_seconds did not grow"
        }
    }

    test {INFO run_id does not change while the server runs} {
        assert_equal [s run_id] [s run_id]
    }

    # ------------------------------------------------------------ Clients

    test {INFO clients fields} {
        set info [r info clients]
        foreach f {connected_clients maxclients client_recent_max_input_buffer
                   client_recent_max_output_buffer blocked_clients tracking_clients
                   clients_in_timeout_table} {
            assert {[is_int [getInfoProperty $info $f]]} "field $f"
        }
        assert_equal 10000 [getInfoProperty $info maxclients]
        assert_equal 0 [getInfoProperty $info blocked_clients]
    }

    test {INFO connected_clients follows connections} {
        # Wait until the connections of earlier tests are gone.
        wait_for_condition 50 100 {[s connected_clients] == 1} else {
            fail "connections of earlier tests are still open"
        }
        set before [s connected_clients]
        set c1 [redis_client]
        set c2 [redis_client]
        $c1 ping
        $c2 ping
        assert_equal [expr {$before + 2}] [s connected_clients]
        $c1 close
        $c2 close
        wait_for_condition 50 100 {[s connected_clients] == $before} else {
            fail "connected_clients did not go back to $before"
        }
    }

    # ------------------------------------------------------------ Memory

    test {INFO memory fields} {
        set info [r info memory]
        foreach f {used_memory used_memory_rss used_memory_peak used_memory_overhead
                   used_memory_startup used_memory_dataset total_system_memory maxmemory} {
            assert {[is_int [getInfoProperty $info $f]]} "field $f"
        }
        assert_morethan [getInfoProperty $info used_memory] 0
        assert_morethan [getInfoProperty $info used_memory_rss] 0
        assert_match {jemalloc*} [getInfoProperty $info mem_allocator]
        assert_equal 0 [getInfoProperty $info maxmemory]
        assert_equal 0B [getInfoProperty $info maxmemory_human]
        assert_equal noeviction [getInfoProperty $info maxmemory_policy]
        assert_match {*[0-9.][KMGB]} [getInfoProperty $info used_memory_human]
    }

    test {INFO maxmemory follows CONFIG SET} {
        r config set maxmemory 100mb
        r config set maxmemory-policy allkeys-lru
        try {
            assert_equal 104857600 [s maxmemory]
            assert_equal 100.00M [s maxmemory_human]
            assert_equal allkeys-lru [s maxmemory_policy]
        } finally {
            r config set maxmemory 0
            r config set maxmemory-policy noeviction
        }
    } {} {needs:config}

    test {INFO used_memory grows with data} {
        r flushall
        set before [s used_memory]
        r set big [string repeat x 1000000]
        assert_morethan [s used_memory] [expr {$before + 900000}]
        r del big
    }

    # ------------------------------------------------------------ Persistence

    test {INFO persistence fields} {
        set info [r info persistence]
        assert_equal 0 [getInfoProperty $info loading]
        assert_equal 0 [getInfoProperty $info rdb_bgsave_in_progress]
        assert_equal 0 [getInfoProperty $info aof_enabled]
        assert_equal 0 [getInfoProperty $info aof_rewrite_in_progress]
        assert_equal ok [getInfoProperty $info rdb_last_bgsave_status]
        assert {[is_int [getInfoProperty $info rdb_last_save_time]]}
        assert_equal [r lastsave] [getInfoProperty $info rdb_last_save_time]
    }

    test {INFO rdb_changes_since_last_save counts writes} {
        set before [s rdb_changes_since_last_save]
        r set a 1
        r set b 2
        r get a
        r del a b
        assert_equal [expr {$before + 4}] [s rdb_changes_since_last_save]
    }

    # ------------------------------------------------------------ Stats

    test {INFO stats fields} {
        set info [r info stats]
        foreach f {total_connections_received total_commands_processed instantaneous_ops_per_sec
                   total_net_input_bytes total_net_output_bytes rejected_connections
                   expired_keys evicted_keys keyspace_hits keyspace_misses pubsub_channels
                   pubsub_patterns latest_fork_usec total_forks total_error_replies
                   unexpected_error_replies total_reads_processed total_writes_processed} {
            assert {[is_int [getInfoProperty $info $f]]} "field $f"
        }
        assert_equal 0 [getInfoProperty $info total_forks]
        assert_equal 0 [getInfoProperty $info evicted_keys]
    }

    test {INFO total_commands_processed increases} {
        set before [s total_commands_processed]
        r ping
        r ping
        r ping
        # The three PINGs and the first INFO.
        assert_equal [expr {$before + 4}] [s total_commands_processed]
    }

    test {INFO total_connections_received increases with connections} {
        set before [s total_connections_received]
        set c [redis_client]
        $c ping
        $c close
        assert_equal [expr {$before + 1}] [s total_connections_received]
    }

    test {INFO keyspace_hits and keyspace_misses count lookups} {
        r flushall
        r set a 1
        set hits [s keyspace_hits]
        set misses [s keyspace_misses]
        r get a
        r get nokey
        r mget a nokey nokey2
        assert_equal [expr {$hits + 2}] [s keyspace_hits]
        assert_equal [expr {$misses + 3}] [s keyspace_misses]
        r exists a nokey
        assert_equal [expr {$hits + 3}] [s keyspace_hits]
        assert_equal [expr {$misses + 4}] [s keyspace_misses]
        # Writes do not count.
        r set a 2
        r del nokey
        assert_equal [expr {$hits + 3}] [s keyspace_hits]
        assert_equal [expr {$misses + 4}] [s keyspace_misses]
    }

    test {INFO expired_keys} {
        r flushall
        r set a 1
        set before [s expired_keys]
        r set e1 v px 10
        r set e2 v px 10
        wait_for_condition 50 100 {[r dbsize] == 1} else {
            fail "keys did not expire"
        }
        assert_equal [expr {$before + 2}] [s expired_keys]
    }

    test {INFO total_error_replies counts error replies} {
        set before [s total_error_replies]
        catch {r get}
        catch {r nosuchcommand}
        catch {r incr a-string-key-xyz}
        r set a-string-key-xyz abc
        catch {r incr a-string-key-xyz}
        assert_equal [expr {$before + 3}] [s total_error_replies]
    }

    # ------------------------------------------------------------ Replication CPU Cluster Keyspace

    test {INFO replication of a standalone master} {
        set info [r info replication]
        assert_equal master [getInfoProperty $info role]
        assert_equal 0 [getInfoProperty $info connected_slaves]
        assert_equal no-failover [getInfoProperty $info master_failover_state]
        assert {[regexp {^[0-9a-f]{40}$} [getInfoProperty $info master_replid]]}
        assert_equal 0000000000000000000000000000000000000000 [getInfoProperty $info master_replid2]
        assert_equal 0 [getInfoProperty $info master_repl_offset]
        assert_equal -1 [getInfoProperty $info second_repl_offset]
    }

    test {INFO cpu fields} {
        set info [r info cpu]
        foreach f {used_cpu_sys used_cpu_user used_cpu_sys_children used_cpu_user_children} {
            assert {[regexp {^\d+\.\d{6}$} [getInfoProperty $info $f]]} "field $f: [getInfoProperty $info $f]"
        }
    }

    test {INFO cluster} {
        assert_equal "# Cluster\r\ncluster_enabled:0\r\n" [r info cluster]
    }

    test {INFO keyspace lines} {
        r flushall
        r set a 1
        r set b 1 ex 100
        r select 3
        r set c 1
        r select 0
        set info [r info keyspace]
        assert {[regexp "^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\\d+\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n\$" $info]} $info
        r flushall
    }

    # ------------------------------------------------------------ Commandstats

    test {INFO commandstats line format} {
        r config resetstat
        r set k v
        r get k
        r get k
        set line [info_field commandstats cmdstat_get]
        assert {[regexp {^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$} $line]} $line
        set d [cmdstat get]
        assert_equal [format %.2f [expr {double([dict get $d usec]) / 2}]] [dict get $d usec_per_call]
    } {} {needs:config}

    test {INFO commandstats names subcommands command|subcommand} {
        r config resetstat
        r config get maxmemory
        r client id
        assert_equal 1 [dict get [cmdstat config|get] calls]
        assert_equal 1 [dict get [cmdstat client|id] calls]
        # CONFIG RESETSTAT itself is counted after the reset.
        assert_equal 1 [dict get [cmdstat config|resetstat] calls]
    } {} {needs:config}

    test {Wrong arity errors count as rejected calls} {
        r config resetstat
        catch {r get}
        catch {r get}
        set d [cmdstat get]
        assert_equal 0 [dict get $d calls]
        assert_equal 2 [dict get $d rejected_calls]
        assert_equal 0 [dict get $d failed_calls]
        catch {r config get}
        assert_equal 1 [dict get [cmdstat config|get] rejected_calls]
    } {} {needs:config}

    test {Errors raised by a command count as failed calls} {
        r config resetstat
        r set str abc
        catch {r incr str}
        catch {r incrbyfloat str 1}
        set d [cmdstat incr]
        assert_equal 1 [dict get $d calls]
        assert_equal 0 [dict get $d rejected_calls]
        assert_equal 1 [dict get $d failed_calls]
        assert_equal 1 [dict get [cmdstat incrbyfloat] failed_calls]
    } {} {needs:config}

    test {WRONGTYPE errors count as failed calls} {
        r config resetstat
        r del l
        r rpush l x
        catch {r get l}
        set d [cmdstat get]
        assert_equal 1 [dict get $d calls]
        assert_equal 1 [dict get $d failed_calls]
        assert_equal 0 [dict get $d rejected_calls]
    } {} {needs:list needs:config}

    test {Unknown commands have no commandstats line} {
        r config resetstat
        catch {r nosuchcommand}
        assert_equal {} [cmdstat nosuchcommand]
        assert_no_match {*nosuchcommand*} [r info commandstats]
    } {} {needs:config}

    # ------------------------------------------------------------ Errorstats

    test {INFO errorstats counts errors by their first word} {
        r config resetstat
        catch {r get}
        catch {r nosuchcommand}
        r set str abc
        catch {r incr str}
        catch {r hello 4}
        assert_equal {count=3} [info_field errorstats errorstat_ERR]
        assert_equal {count=1} [info_field errorstats errorstat_NOPROTO]
        set text [r info errorstats]
        assert_equal "# Errorstats\r\nerrorstat_ERR:count=3\r\nerrorstat_NOPROTO:count=1\r\n" $text
    } {} {needs:config}

    test {INFO errorstats WRONGTYPE} {
        r config resetstat
        r del l
        r rpush l x
        catch {r get l}
        catch {r append l x}
        assert_equal "# Errorstats\r\nerrorstat_WRONGTYPE:count=2\r\n" [r info errorstats]
    } {} {needs:list needs:config}

    # ------------------------------------------------------------ Latencystats

    test {INFO latencystats line format} {
        r config resetstat
        r set k v
        set line [info_field latencystats latency_percentiles_usec_set]
        assert {[regexp {^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$} $line]} $line
    } {} {needs:config}

    # ------------------------------------------------------------ CONFIG RESETSTAT

    test {CONFIG RESETSTAT zeroes the statistics} {
        r set a 1
        r get a
        r get nokey
        catch {r get}
        catch {r nosuchcommand}
        set c [redis_client]
        $c ping
        $c close
        assert_equal OK [r config resetstat]
        set info [r info all]
        foreach f {keyspace_hits keyspace_misses expired_keys total_error_replies
                   total_connections_received rejected_connections evicted_keys total_forks} {
            assert_equal 0 [getInfoProperty $info $f] $f
        }
        # Only the RESETSTAT itself was counted before the INFO.
        assert_equal 1 [getInfoProperty $info total_commands_processed]
        assert_equal {} [getInfoProperty $info cmdstat_get]
        assert_equal {} [getInfoProperty $info errorstat_ERR]
        assert_match {calls=1,*} [getInfoProperty $info cmdstat_config|resetstat]
        assert_equal {ERR wrong number of arguments for 'config|resetstat' command} [err_of {r config resetstat x}]
    } {} {needs:config}

    test {CONFIG RESETSTAT keeps the data and the uptime} {
        r set keep 1
        set up [s uptime_in_seconds]
        r config resetstat
        assert_equal 1 [r get keep]
        assert_morethan_equal [s uptime_in_seconds] $up
    } {} {needs:config}
}
