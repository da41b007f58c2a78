# Self-tests of the tcl-compat harness itself.  They pass against a real
# redis-server 7.  Tests that rely on more than the basic commands carry
# "needs:" tags (needs:debug for DEBUG, needs:config for CONFIG GET/SET and
# config directives, needs:encoding for OBJECT ENCODING, needs:redis-log for
# Redis's own log lines), so they can be left out with e.g.
# --tags -needs:debug.  The whole file can be left out with --tags -harness.

tags {harness} {

# ------------------------------------------------------------ assertions

test {assertions pass on good values} {
    assert {1 + 1 == 2}
    assert_equal abc abc
    assert_not_equal abc abd
    assert_match {a*c} abbbc
    assert_no_match {a*c} abbbd
    assert_range 5 1 10
    assert_range 1.5 1.5 1.5
    assert_morethan 3 2
    assert_morethan_equal 3 3
    assert_lessthan 2 3
    assert_lessthan_equal 3 3
    assert_error {*boom*} {error "it went boom"}
}

test {assertions fail with expected and actual values} {
    assert_error {Expected 'a' to be equal to 'b'*} {assert_equal a b}
    assert_error {Expected 'a' to be not equal to 'a'*} {assert_not_equal a a}
    assert_error {Expected 'yz' to match 'x\*'*} {assert_match x* yz}
    assert_error {Expected 'xy' to not match 'x\*'*} {assert_no_match x* xy}
    assert_error {Expected '1 == 2' to be true*} {assert {1 == 2}}
    set two 2
    assert_error {*evaluated: '1 == 2'*} {assert {1 == $two}}
    assert_error {Expected '5' to be between '1' and '3'*} {assert_range 5 1 3}
    assert_error {Expected '1' to be more than '2'*} {assert_morethan 1 2}
    assert_error {*more than or equal*} {assert_morethan_equal 1 2}
    assert_error {Expected '3' to be less than '2'*} {assert_lessthan 3 2}
    assert_error {*less than or equal*} {assert_lessthan_equal 3 2}
    assert_error {Expected a number*} {assert_morethan abc 2}
    assert_error {custom message*} {assert_failed "custom message"}
    assert_error {*(detail: extra)*} {assert_equal 1 2 extra}
    assert_error {custom failure*} {fail "custom failure"}
}

test {assert_error needs an error matching the pattern} {
    assert_error {Expected an error matching '\*' but the code returned 'ok'*} {
        assert_error * {set x ok}
    }
    assert_error {Expected an error matching 'foo\*' but got 'bar'*} {
        assert_error foo* {error bar}
    }
}

test {assertion failures point at the file and line} {
    catch {assert_equal 1 2} e; set here [fk_where]
    assert_match "*[file tail [info script]]:*" $here
    assert_match "*at $here" $e
}

test {wait_for_condition retries, then runs the else body} {
    set ::fk_counter 0
    wait_for_condition 50 1 {[incr ::fk_counter] >= 3} else {
        fail "condition never became true"
    }
    assert_equal 3 $::fk_counter
    assert_error {gave up*} {
        wait_for_condition 3 1 {0} else {
            fail "gave up"
        }
    }
}

test {randstring and randomInt} {
    for {set i 0} {$i < 50} {incr i} {
        set s [randstring 3 10 alpha]
        assert_range [string length $s] 3 10
        assert {[regexp {^[a-zA-Z0-9]+$} $s]}
        assert_range [randomInt 10] 0 9
    }
    assert_equal 100 [string length [randstring 100 100 binary]]
    assert {[regexp {^[a-d]+$} [randstring 20 20 compr]]}
    assert_error {*unknown type*} {randstring 1 2 nosuchtype}
}

test {getInfoProperty parses INFO text} {
    set info "# Server\r\nredis_version:7.0.15\r\nsome_field:a:b\r\n\r\n# Clients\r\nconnected_clients:1\r\n"
    assert_equal 7.0.15 [getInfoProperty $info redis_version]
    assert_equal a:b [getInfoProperty $info some_field]
    assert_equal 1 [getInfoProperty $info connected_clients]
    assert_equal {} [getInfoProperty $info missing]
}

test {the optional expected result is compared with string equal} {
    set x "a*"
} {a*}

test {tags_acceptable honours allowed and denied tags} {
    set saved [list $::allowtags $::denytags]
    set ::allowtags {a}
    set ::denytags {b}
    set r1 [tags_acceptable {a x} why]
    set r2 [tags_acceptable {x} why]
    set r3 [tags_acceptable {a b} why]
    lassign $saved ::allowtags ::denytags
    assert_equal {1 0 0} [list $r1 $r2 $r3]
}

tags {outer-tag} {
    test {tags blocks and per-test tags are active in the body} {
        assert {"harness" in $::tags}
        assert {"outer-tag" in $::tags}
        assert {"per-test-tag" in $::tags}
    } {} {per-test-tag}
}

# A test carrying a denied tag is reported as skipped and its body never runs.
set fk_saved_deny $::denytags
lappend ::denytags fk-always-denied
test {this test is skipped by the tag filter} {
    error "a skipped test must not run"
} {} {fk-always-denied}
set ::denytags $fk_saved_deny

test {r without a server is an error} {
    assert_error {*no server at level 0*} {r ping}
    assert_error {*unknown option*} {start_server {nosuchoption 1} {}}
}

# ------------------------------------------------------------ RESP2 client

start_server {tags {client}} {
    test {status, bulk, integer and nil replies} {
        assert_equal PONG [r ping]
        assert_equal OK [r set foo bar]
        assert_equal bar [r get foo]
        r del n
        assert_equal 1 [r incr n]
        assert_equal 11 [r incrby n 10]
        assert {[r incrby n 1] == 12}
        assert_equal {} [r get no-such-key]
    }

    test {array replies are Tcl lists, nested arrays nested lists} {
        r del l
        r rpush l a b {c d} {}
        assert_equal {a b {c d} {}} [r lrange l 0 -1]
        assert_equal 4 [llength [r lrange l 0 -1]]
        r multi
        r set nested 1
        r lrange l 0 1
        r lrange no-such-list 0 -1
        assert_equal {OK {a b} {}} [r exec]
        assert_equal {} [r lrange no-such-list 0 -1]
    } {} {needs:list needs:multi}

    test {error replies raise Tcl errors without the leading dash} {
        catch {r no-such-command} e
        assert_match {ERR unknown command*} $e
        assert_error {ERR wrong number of arguments*} {r get}
        r set s v
        assert_error {WRONGTYPE*} {r lpush s x}
        assert_equal PONG [r ping]
    } {} {needs:list}

    test {an error inside an array is raised and the stream stays in sync} {
        r set s v
        r multi
        r set t 1
        r lpush s x
        assert_error {WRONGTYPE*} {r exec}
        assert_equal 1 [r get t]
        assert_equal PONG [r ping]
    } {} {needs:list needs:multi}

    test {arguments and replies are binary safe} {
        set v "a\r\nb\x00c\xff\r\n$"
        append v [randstring 0 1000 binary]
        r set bin $v
        assert_equal $v [r get bin]
        assert_equal [string length $v] [r strlen bin]
        r set "key with spaces\r\n" x
        assert_equal x [r get "key with spaces\r\n"]
    }

    test {characters above U+00FF are sent as UTF-8} {
        r set euro "\u20ac"
        assert_equal 3 [r strlen euro]
        assert_equal [encoding convertto utf-8 "\u20ac"] [r get euro]
    }

    test {readraw returns one protocol line per read} {
        r del foo
        r readraw 1
        assert_equal +OK [r set foo bar]
        assert_equal {$3} [r get foo]
        assert_equal bar [r read]
        assert_equal {$-1} [r get no-such-key]
        assert_equal :1 [r exists foo]
        assert_equal *2 [r mget foo no-such-key]
        assert_equal {$3} [r read]
        assert_equal bar [r read]
        assert_equal {$-1} [r read]
        assert_match {-ERR*} [r get]
        r readraw 0
        assert_equal bar [r get foo]
    }

    test {raw write, flush and read} {
        set c [redis_client]
        $c write "*3\r\n\$3\r\nSET\r\n\$3\r\nraw\r\n\$5\r\nbytes\r\n"
        $c write "GET raw\r\n"
        $c flush
        assert_equal OK [$c read]
        assert_equal bytes [$c read]
        $c close
        assert_equal {} [info commands $c]
    }

    test {select changes the database of the client} {
        r select 1
        r set dbkey one
        r select 0
        assert_equal {} [r get dbkey]
        r select 1
        assert_equal one [r get dbkey]
        r flushdb
        r select 0
    }

    test {redis_client gives an independent connection} {
        set c [redis_client]
        $c set shared 42
        assert_equal 42 [r get shared]
        assert_not_equal [srv client] $c
        $c select 1
        assert_equal {} [$c get shared]
        assert_equal 42 [r get shared]
        $c close
    }

    test {deferring client: commands only send, read fetches replies} {
        set rd [redis_deferring_client]
        assert_equal 1 [$rd deferred]
        assert_equal {} [$rd set x 1]
        $rd incr x
        $rd get no-such-key
        $rd lpush x y
        assert_equal OK [$rd read]
        assert_equal 2 [$rd read]
        assert_equal {} [$rd read]
        assert_error {WRONGTYPE*} {$rd read}
        $rd close
    } {} {needs:list}

    test {deferring client with a blocking command} {
        r del q
        set rd [redis_deferring_client]
        $rd blpop q 0
        wait_for_blocked_client
        r rpush q hello
        assert_equal {q hello} [$rd read]
        $rd close
    } {} {needs:blocking}

    test {a read gives up when the server does not answer} {
        set saved $::fkresp::read_timeout
        set ::fkresp::read_timeout 0.3
        set rd [redis_deferring_client]
        $rd blpop no-such-list 0
        set rc [catch {$rd read} e]
        set ::fkresp::read_timeout $saved
        $rd close
        assert_equal 1 $rc
        assert_match {timeout: no reply from *within 0.3 s} $e
    } {} {needs:blocking}

    test {s reads INFO fields of the server} {
        assert_equal [srv 0 port] [s tcp_port]
        assert_morethan [s connected_clients] 0
    }

    test {debug_sleep blocks the server} {
        set start [clock milliseconds]
        debug_sleep 0.2
        assert_morethan_equal [expr {[clock milliseconds] - $start}] 190
    } {} {needs:debug}

    test {assert_type} {
        r del lst
        r rpush lst a
        assert_type list lst
        assert_error {Expected type of key 'lst' to be 'hash'*} {assert_type hash lst}
    } {} {needs:list}

    test {assert_encoding} {
        r set num 12345
        assert_encoding int num
        assert_encoding {*int*} num
        assert_error {Expected encoding of key 'num' to be 'raw'*} {assert_encoding raw num}
    } {} {needs:encoding}
}

# ------------------------------------------------------------ RESP3

start_server {tags {resp3}} {
    test {HELLO 3 switches to RESP3, the map reply is a flat list} {
        set reply [r hello 3]
        assert_equal 3 [dict get $reply proto]
        assert_equal 0 [expr {[llength $reply] % 2}]
    }

    test {RESP3 scalar types} {
        assert_equal {Hello World} [r debug protocol string]
        assert_equal 12345 [r debug protocol integer]
        assert_equal 3.141 [r debug protocol double]
        assert_equal 1234567999999999999999999999999999999 [r debug protocol bignum]
        assert_equal {} [r debug protocol null]
        assert_equal 1 [r debug protocol true]
        assert_equal 0 [r debug protocol false]
        assert_equal "This is a verbatim\nstring" [r debug protocol verbatim]
    } {} {needs:debug}

    test {RESP3 aggregate types} {
        assert_equal {0 1 2} [r debug protocol array]
        assert_equal {0 1 2} [r debug protocol set]
        assert_equal {0 0 1 1 2 0} [r debug protocol map]
    } {} {needs:debug}

    test {RESP3 attributes are skipped and kept aside} {
        assert_equal {Some real reply following the attribute} [r debug protocol attrib]
        assert_equal {key-popularity {key:123 90}} [r attributes]
        assert_equal PONG [r ping]
        assert_equal {} [r attributes]
    } {} {needs:debug}

    test {RESP3 push before a reply is queued and returned by read} {
        assert_equal {Some real reply following the push reply} [r debug protocol push]
        assert_equal {server-cpu-usage 42} [r read]
        assert_equal PONG [r ping]
    } {} {needs:debug}

    test {RESP3 doubles are returned as sent} {
        r del z h
        r zadd z 3.5 a
        r zadd z inf b
        assert_equal 3.5 [r zscore z a]
        assert_equal inf [r zscore z b]
        r hset h f1 v1 f2 v2
        assert_equal {f1 v1 f2 v2} [lsort -stride 2 [r hgetall h]]
    } {} {needs:zset needs:hash}

    test {RESP3 error replies raise errors} {
        assert_error {ERR unknown command*} {r no-such-command}
        assert_equal PONG [r ping]
    }

    test {RESP3 push frames on a deferring client} {
        set rd [redis_deferring_client]
        $rd hello 3
        $rd read
        $rd subscribe chan
        assert_equal {subscribe chan 1} [$rd read]
        assert_equal 1 [r publish chan hi]
        assert_equal {message chan hi} [$rd read]
        $rd close
    } {} {needs:pubsub}

    test {back to RESP2} {
        r hello 2
        assert_equal 0 [r exists no-such-key]
        assert_equal {} [r get no-such-key]
        r del h
        r hset h f v
        assert_equal {f v} [r hgetall h]
    } {} {needs:hash}
}

# ------------------------------------------------------------ overrides
# With a server started by the harness the overrides go to the config file;
# with an external server (--host/--port) they are applied with CONFIG SET and
# undone when the block ends.

start_server {tags {needs:config} overrides {hz 33}} {
    test {overrides are in effect inside the block} {
        assert_equal {hz 33} [r config get hz]
    }
}

start_server {tags {needs:config}} {
    test {overrides do not leak out of their block} {
        assert_equal {hz 10} [r config get hz]
    }
}

# ------------------------------------------------------------ servers

start_server {tags {servers external:skip}} {
    r set where outer

    start_server {} {
        test {nested servers: srv 0 is the inner one, srv -1 the outer} {
            assert_not_equal [srv 0 port] [srv -1 port]
            assert_not_equal [srv 0 pid] [srv -1 pid]
            r set where inner
            assert_equal outer [r -1 get where]
            assert_equal inner [r get where]
            set c [redis_client -1]
            assert_equal outer [$c get where]
            $c close
            assert_equal 2 [llength $::servers]
        }
    }

    test {the outer server is current again after the inner block} {
        assert_equal outer [r get where]
        assert_equal 1 [llength $::servers]
    }

    test {srv properties} {
        assert_equal 127.0.0.1 [srv host]
        assert_equal [srv port] [srv 0 port]
        assert {[process_is_alive [srv pid]]}
        assert {[file isfile [srv config_file]]}
        assert {[file isfile [srv stdout]]}
        assert {[file isdirectory [srv dir]]}
        assert_equal [srv port] [dict get [srv config] port]
        assert_error {*unknown property*} {srv 0 no-such-property}
        assert_error {*no server at level -1*} {srv -1 port}
    }

    test {wait_for_log and count_log_message read the server log} {
        wait_for_log {*Ready to accept connections*}
        assert_equal 1 [count_log_message {*Ready to accept connections*}]
        assert_equal 1 [count_log_message 0 {*Ready to accept connections*}]
        assert_equal 0 [count_log_message {*no such log line*}]
        assert_error {No server log line matched*} {wait_for_log {*no such log line*} 3 10}
    } {} {needs:redis-log}

    test {stop_server and restart_server} {
        r set before-restart 1
        set oldpid [srv pid]
        set port [srv port]
        stop_server
        assert {![server_is_alive]}
        restart_server
        assert {[server_is_alive]}
        assert_not_equal $oldpid [srv pid]
        assert_equal $port [srv port]
        assert_equal PONG [r ping]
    }

    test {a server that cannot start is reported with its output} {
        set ran 0
        catch {
            start_server {overrides {no-such-directive yes}} {
                set ran 1
            }
        } e
        assert_equal 0 $ran
        assert_match {*failed to start*no-such-directive*} $e
        assert_equal 1 [llength $::servers]
        assert_equal PONG [r ping]
    } {} {needs:config}
}

start_server {tags {servers external:skip needs:config}
              overrides {maxmemory 12345678 hz 42}
              config_lines {
                  maxmemory-policy allkeys-lru
              }
              args {--databases 7}} {
    test {overrides, config_lines and args reach the server} {
        assert_equal {maxmemory 12345678} [r config get maxmemory]
        assert_equal {hz 42} [r config get hz]
        assert_equal {maxmemory-policy allkeys-lru} [r config get maxmemory-policy]
        assert_equal {databases 7} [r config get databases]
        set fd [open [srv config_file]]
        set conf [read $fd]
        close $fd
        assert_match "*\nport [srv port]\n*" $conf
        assert_match "*\nsave \"\"\n*" $conf
        assert_match "*\nhz 42\n*" $conf
    }
}

}
