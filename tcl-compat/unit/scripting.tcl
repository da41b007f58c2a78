# Lua scripting: EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT — the redis API
# (call, pcall, error_reply, status_reply, sha1hex, log, setresp, set_repl),
# conversions both ways in RESP2 and RESP3, error texts and their script
# name/line suffix, the sandbox, the libraries (cjson, cmsgpack, bit,
# struct), shebang flags, what scripts do to the rest of the server (WATCH,
# blocked clients, notifications, stats), busy scripts with SCRIPT KILL, and
# two real-world scripts (a sliding-window rate limiter, a reliable queue).

# The sha1 of a script body, as Redis names scripts in errors.
proc sha_of {body} {
    r script load $body
}

# " script: <sha>, on @user_script:<line>." — the suffix of script errors.
proc at {body {line 1}} {
    return " script: [sha_of $body], on @user_script:$line."
}

proc eval_err {body args} {
    err_of {r eval $body {*}$args}
}

# The raw bytes of one reply to a command sent on a RESP3 connection.
proc resp3_raw {args} {
    set c [redis_client]
    $c hello 3
    $c readraw 1
    set fd [$c channel]
    puts -nonewline $fd [::fkresp::encode_command $args]
    flush $fd
    set out {}
    set deadline [expr {[clock milliseconds] + 3000}]
    fconfigure $fd -blocking 0
    while {[clock milliseconds] < $deadline} {
        append out [read $fd]
        if {[string match "*\r\n" $out]} {
            after 20
            append out [read $fd]
            break
        }
        after 2
    }
    $c close
    string map [list "\r\n" " "] [string trim $out]
}

start_server {tags {"scripting"}} {

    # ------------------------------------------------------------ EVAL basics

    test {EVAL returns strings, integers, arrays} {
        assert_equal hello [r eval {return 'hello'} 0]
        assert_equal 42 [r eval {return 42} 0]
        assert_equal {1 2 3} [r eval {return {1, 2, 3}} 0]
        assert_equal {a {b c}} [r eval {return {'a', {'b', 'c'}}} 0]
    }

    test {EVAL passes KEYS and ARGV} {
        assert_equal {k1 k2 a1 2 1} [r eval {return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}} 2 k1 k2 a1]
        assert_equal {0 0} [r eval {return {#KEYS, #ARGV}} 0]
    }

    test {EVAL numkeys errors} {
        assert_equal {ERR Number of keys can't be negative} [eval_err {return 1} -1]
        assert_equal {ERR Number of keys can't be greater than number of args} [eval_err {return 1} 2 a]
        assert_equal {ERR value is not an integer or out of range} [eval_err {return 1} x]
        assert_equal {ERR wrong number of arguments for 'eval' command} [err_of {r eval {return 1}}]
    }

    test {Lua numbers become integers by truncation} {
        assert_equal 3 [r eval {return 3.99} 0]
        assert_equal -3 [r eval {return -3.99} 0]
        assert_equal {1 2 3} [r eval {return {1.1, 2.5, 3.9}} 0]
        assert_equal -9223372036854775808 [r eval {return math.huge} 0]
    }

    test {Lua booleans and nil in RESP2} {
        assert_equal 1 [r eval {return true} 0]
        assert_equal {} [r eval {return false} 0]
        assert_equal {} [r eval {return nil} 0]
        assert_equal {1 {}} [r eval {return {true, false}} 0]
    }

    test {Arrays stop at the first nil} {
        assert_equal {1 2} [r eval {return {1, 2, nil, 4}} 0]
        assert_equal {} [r eval {return {}} 0]
    }

    test {Tables with ok and err fields become status and error replies} {
        assert_equal fine [r eval {return {ok = 'fine'}} 0]
        assert_equal {MY boom} [eval_err {return {err = 'MY boom'}} 0]
        assert_equal {X y} [eval_err {return redis.error_reply('X y')} 0]
        assert_equal {ERR y} [eval_err {return redis.error_reply('y')} 0]
        assert_equal FINE [r eval {return redis.status_reply('FINE')} 0]
        assert_equal {1 fine} [r eval {return {1, {ok = 'fine'}}} 0]
    }

    test {error_reply and status_reply with bad arguments} {
        assert_equal {ERR wrong number or type of arguments} [eval_err {return redis.error_reply()} 0]
        assert_equal {ERR wrong number or type of arguments} [eval_err {return redis.status_reply(1)} 0]
    }

    test {Redis replies become Lua values} {
        r del s l h
        r set s 1
        assert_equal {string 1} [r eval {local v = redis.call('get', 's') return {type(v), v}} 0]
        assert_equal {boolean} [r eval {return {type(redis.call('get', 'nokey'))}} 0]
        assert_equal {number 2} [r eval {local v = redis.call('incr', 's') return {type(v), v}} 0]
        assert_equal {table OK} [r eval {local v = redis.call('set', 's', 'x') return {type(v), v.ok}} 0]
        r rpush l a b
        assert_equal {a b} [r eval {return redis.call('lrange', 'l', 0, -1)} 0]
        assert_equal PONG [r eval {return redis.call('ping')} 0]
    }

    test {Numbers passed to redis.call are formatted with %.17g} {
        r eval {redis.call('set', 'n1', 3.0) redis.call('set', 'n2', 0.1) redis.call('set', 'n3', 1e20)} 0
        assert_equal {3 0.10000000000000001 1e+20} [r mget n1 n2 n3]
    }

    test {redis.call errors carry the script and line} {
        r set str v
        set body "return redis.call('lpush', 'str', 'x')"
        assert_equal "WRONGTYPE Operation against a key holding the wrong kind of value[at $body]" [eval_err $body 0]
        set body "local x = 1\nredis.call('nosuch')"
        assert_equal "ERR Unknown Redis command called from script[at $body 2]" [eval_err $body 0]
    }

    test {redis.call refusals} {
        set body {return redis.call('get')}
        assert_equal "ERR Wrong number of args calling Redis command from script[at $body]" [eval_err $body 0]
        set body {return redis.call('multi')}
        assert_equal "ERR This Redis command is not allowed from script[at $body]" [eval_err $body 0]
        set body {return redis.call()}
        assert_equal "ERR Please specify at least one argument for this redis lib call[at $body]" [eval_err $body 0]
        set body {return redis.call({})}
        assert_equal "ERR Lua redis lib command arguments must be strings or integers[at $body]" [eval_err $body 0]
        set body {return redis.call('config', 'nosuch')}
        assert_equal "ERR Unknown Redis command called from script[at $body]" [eval_err $body 0]
    }

    test {noscript commands are refused from scripts} {
        foreach cmd {{'multi'} {'exec'} {'watch', 'k'} {'eval', 'return 1', 0} {'script', 'flush'} {'subscribe', 'ch'} {'blpop', 'l', 0} {'brpoplpush', 'a', 'b', 0}} {
            set body "return redis.call($cmd)"
            assert_equal "ERR This Redis command is not allowed from script[at $body]" [eval_err $body 0]
        }
    }

    test {redis.pcall returns error tables} {
        r set str v
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} \
            [eval_err {return redis.pcall('lpush', 'str', 'x')} 0]
        assert_equal {table {ERR Unknown Redis command called from script}} \
            [r eval {local t = redis.pcall('nosuch') return {type(t), t.err}} 0]
    }

    test {pcall catches errors as strings, like Redis 7.0} {
        assert_equal {false string {ERR Unknown Redis command called from script}} \
            [r eval {local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), type(e), e}} 0]
        assert_equal {false x} [r eval {local ok, e = pcall(error, 'x', 0) return {tostring(ok), e}} 0]
        assert_equal {true 1} [r eval {local ok, v = pcall(function() return 1 end) return {tostring(ok), v}} 0]
    }

    test {Runtime errors of scripts} {
        set body {error('boom')}
        assert_equal "ERR user_script:1: boom[at $body]" [eval_err $body 0]
        set body {error('x', 0)}
        assert_equal "ERR x[at $body]" [eval_err $body 0]
        set body {error({err = 'MY boom'})}
        assert_equal "MY boom[at $body]" [eval_err $body 0]
        set body "local t = {}\nt.x.y = 1"
        assert_equal "ERR user_script:2: attempt to index field 'x' (a nil value)[at $body 2]" [eval_err $body 0]
    }

    test {Compilation errors} {
        assert_equal {ERR Error compiling script (new function): user_script:1: '=' expected near 'error'} \
            [eval_err {syntax error here} 0]
    }

    # ------------------------------------------------------------ the sandbox

    test {Globals cannot be read when missing nor written} {
        set body {return x}
        assert_equal "ERR user_script:1: Script attempted to access nonexistent global variable 'x'[at $body]" [eval_err $body 0]
        set body {x = 1}
        assert_equal "ERR user_script:1: Attempt to modify a readonly table[at $body]" [eval_err $body 0]
        set body {redis = nil}
        assert_equal "ERR user_script:1: Attempt to modify a readonly table[at $body]" [eval_err $body 0]
        set body {rawset(_G, 'x', 1)}
        assert_equal "ERR Attempt to modify a readonly table[at $body]" [eval_err $body 0]
        set body {table.insert(_G, 1)}
        assert_equal "ERR Attempt to modify a readonly table[at $body]" [eval_err $body 0]
        set body {return setmetatable(_G, nil)}
        assert_equal "ERR Attempt to modify a readonly table[at $body]" [eval_err $body 0]
    }

    test {Libraries and the redis table are read-only} {
        foreach stmt {{string.x = 1} {redis.call = nil} {cjson.encode = nil} {math.pi = 3}} {
            assert_equal "ERR user_script:1: Attempt to modify a readonly table[at $stmt]" [eval_err $stmt 0]
        }
        # Nothing leaked into the next script.
        assert_equal PONG [r eval {return redis.call('ping')} 0]
    }

    test {Unsafe functions are not there} {
        foreach name {loadfile dofile os io print require package getfenv setfenv newproxy debug module} {
            set body "return $name"
            assert_equal "ERR user_script:1: Script attempted to access nonexistent global variable '$name'[at $body]" \
                [eval_err $body 0]
        }
    }

    test {What the sandbox keeps} {
        assert_equal {Lua 5.1} [r eval {return _VERSION} 0]
        assert_equal 2 [r eval {return loadstring('return 1 + 1')()} 0]
        assert_equal {3 5 ababab 1-2} [r eval {return {math.floor(3.7), math.max(1, 5), string.rep('ab', 3), table.concat({1, 2}, '-')}} 0]
        assert_equal 5 [r eval {return coroutine.wrap(function() coroutine.yield(5) end)()} 0]
        assert_equal 1 [r eval {return rawget(_G, 'redis') ~= nil} 0]
        assert_equal 1 [r eval {return getmetatable('').__index == string} 0]
        assert_equal {X} [r eval {return {('x'):upper()}} 0]
    }

    test {Code loaded by a script is sandboxed too} {
        set body {loadstring('y = 1')()}
        assert_match "*Attempt to modify a readonly table*" [eval_err $body 0]
    }

    # ------------------------------------------------------------ the redis API

    test {redis.sha1hex} {
        assert_equal da39a3ee5e6b4b0d3255bfef95601890afd80709 [r eval {return redis.sha1hex('')} 0]
        assert_equal a9993e364706816aba3e25717850c26c9cd0d89d [r eval {return redis.sha1hex('abc')} 0]
        set body {return redis.sha1hex()}
        assert_equal "ERR wrong number of arguments[at $body]" [eval_err $body 0]
    }

    test {redis.log levels and errors} {
        assert_equal {0 1 2 3} [r eval {return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}} 0]
        assert_equal {} [r eval {return redis.log(redis.LOG_WARNING, 'hello from a script')} 0]
        set body {return redis.log(1)}
        assert_equal "ERR redis.log() requires two arguments or more.[at $body]" [eval_err $body 0]
        set body {return redis.log(99, 'x')}
        assert_equal "ERR Invalid debug level.[at $body]" [eval_err $body 0]
        set body {return redis.log('x', 'y')}
        assert_equal "ERR First argument must be a number (log level).[at $body]" [eval_err $body 0]
    }

    test {redis.set_repl, replicate_commands, breakpoint, debug} {
        assert_equal {0 1 2 2 3} [r eval {return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}} 0]
        assert_equal {} [r eval {return redis.set_repl(redis.REPL_ALL)} 0]
        set body {return redis.set_repl(99)}
        assert_equal "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.[at $body]" [eval_err $body 0]
        assert_equal 1 [r eval {return redis.replicate_commands()} 0]
        assert_equal {} [r eval {return redis.breakpoint()} 0]
        assert_equal {} [r eval {return redis.debug('x')} 0]
    }

    test {redis.REDIS_VERSION and REDIS_VERSION_NUM} {
        set v [r eval {return redis.REDIS_VERSION} 0]
        assert_match {7.0.*} $v
        lassign [split $v .] a b c
        assert_equal [expr {($a << 16) | ($b << 8) | $c}] [r eval {return redis.REDIS_VERSION_NUM} 0]
    }

    test {redis.setresp errors} {
        set body {return redis.setresp(4)}
        assert_equal "ERR RESP version must be 2 or 3.[at $body]" [eval_err $body 0]
        set body {return redis.setresp()}
        assert_equal "ERR redis.setresp() requires one argument.[at $body]" [eval_err $body 0]
    }

    # ------------------------------------------------------------ RESP3

    test {RESP3 replies inside a script after redis.setresp(3)} {
        r del h z st
        r hset h f v
        r zadd z 1.5 a
        r sadd st m
        assert_equal {table v} [r eval {redis.setresp(3) local t = redis.call('hgetall', 'h') return {type(t.map), t.map.f}} 0]
        assert_equal 1.5 [r eval {redis.setresp(3) return tostring(redis.call('zscore', 'z', 'a').double)} 0]
        assert_equal 1 [r eval {redis.setresp(3) return redis.call('smembers', 'st').set.m} 0]
        assert_equal nil [r eval {redis.setresp(3) return type(redis.call('get', 'nokey'))} 0]
        # Without setresp the same replies are RESP2.
        assert_equal {f v} [r eval {return redis.call('hgetall', 'h')} 0]
        assert_equal boolean [r eval {return type(redis.call('get', 'nokey'))} 0]
    }

    test {Lua to RESP3 for a RESP3 caller} {
        assert_equal {,3.5} [resp3_raw eval {return {double = 3.5}} 0]
        assert_equal {%1 $1 a :1} [resp3_raw eval {return {map = {a = 1}}} 0]
        assert_equal {~1 $1 a} [resp3_raw eval {return {set = {a = true}}} 0]
        assert_equal {(123} [resp3_raw eval {return {big_number = '123'}} 0]
        assert_equal {=9 txt:hello} [resp3_raw eval {return {verbatim_string = {format = 'txt', string = 'hello'}}} 0]
        assert_equal {:1} [resp3_raw eval {return true} 0]
        assert_equal {_} [resp3_raw eval {return false} 0]
        assert_equal {#t} [resp3_raw eval {redis.setresp(3) return true} 0]
        assert_equal {#f} [resp3_raw eval {redis.setresp(3) return false} 0]
        assert_equal {_} [resp3_raw eval {return nil} 0]
    }

    test {RESP3 forms for a RESP2 caller} {
        assert_equal 3.5 [r eval {return {double = 3.5}} 0]
        assert_equal {a 1} [r eval {return {map = {a = 1}}} 0]
        assert_equal {a} [r eval {return {set = {a = true}}} 0]
        assert_equal 123 [r eval {return {big_number = '123'}} 0]
        assert_equal 1 [r eval {redis.setresp(3) return true} 0]
        assert_equal 0 [r eval {redis.setresp(3) return false} 0]
    }

    test {A table nested in itself ends with the stack limit error} {
        assert_match {*reached lua stack limit*} [resp3_raw eval {local a = {} a[1] = a return a} 0]
    }

    # ------------------------------------------------------------ EVALSHA, SCRIPT

    test {SCRIPT LOAD and EVALSHA} {
        set sha [r script load {return 'loaded'}]
        assert_equal [r eval {return redis.sha1hex('return \'loaded\'')} 0] $sha
        assert_equal loaded [r evalsha $sha 0]
        assert_equal loaded [r evalsha [string toupper $sha] 0]
    }

    test {EVALSHA of an unknown script} {
        assert_equal {NOSCRIPT No matching script. Please use EVAL.} [err_of {r evalsha ffffffffffffffffffffffffffffffffffffffff 0}]
        assert_equal {NOSCRIPT No matching script. Please use EVAL.} [err_of {r evalsha fff 0}]
    }

    test {EVAL caches the script for EVALSHA} {
        r eval {return 'cached'} 0
        assert_equal cached [r evalsha [r eval {return redis.sha1hex("return 'cached'")} 0] 0]
    }

    test {SCRIPT EXISTS} {
        set sha [r script load {return 1}]
        assert_equal {1 0 0} [r script exists $sha ffffffffffffffffffffffffffffffffffffffff abc]
    }

    test {SCRIPT FLUSH [ASYNC|SYNC]} {
        set sha [r script load {return 1}]
        assert_equal OK [r script flush]
        assert_equal 0 [r script exists $sha]
        r script load {return 1}
        assert_equal OK [r script flush async]
        r script load {return 1}
        assert_equal OK [r script flush sync]
        assert_equal 0 [r script exists $sha]
        assert_equal {ERR SCRIPT FLUSH only support SYNC|ASYNC option} [err_of {r script flush foo}]
    }

    test {SCRIPT LOAD of a bad script} {
        assert_match {ERR Error compiling script (new function): user_script:1: *} [err_of {r script load {return (}}]
    }

    test {SCRIPT KILL without a running script} {
        assert_equal {NOTBUSY No scripts in execution right now.} [err_of {r script kill}]
    }

    test {SCRIPT HELP and unknown subcommands} {
        assert_match {SCRIPT <subcommand>*} [lindex [r script help] 0]
        assert_match {ERR unknown subcommand 'nosuch'*} [err_of {r script nosuch}]
    }

    # ------------------------------------------------------------ read-only scripts and flags

    test {EVAL_RO refuses writes} {
        set body {return redis.call('set', 'k', 'v')}
        assert_equal "ERR Write commands are not allowed from read-only scripts.[at $body]" [err_of {r eval_ro $body 0}]
        r set k v
        assert_equal v [r eval_ro {return redis.call('get', 'k')} 0]
        set sha [r script load {return redis.call('get', 'k')}]
        assert_equal v [r evalsha_ro $sha 0]
    }

    test {Shebang flags} {
        set body "#!lua flags=no-writes\nreturn redis.call('set', 'x', 'y')"
        assert_equal "ERR Write commands are not allowed from read-only scripts.[at $body 2]" [eval_err $body 0]
        assert_equal OK [r eval "#!lua\nreturn redis.call('set', 'x', 'y')" 0]
        assert_equal 1 [r eval_ro "#!lua flags=no-writes\nreturn 1" 0]
        assert_equal {ERR Can not execute a script with write flag using *_ro command.} [err_of {r eval_ro "#!lua\nreturn 1" 0}]
        assert_equal 1 [r eval "#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1" 0]
        assert_equal 1 [r eval "#!lua flags=\nreturn 1" 0]
    }

    test {Shebang errors} {
        assert_equal {ERR Unexpected engine in script shebang: #!foo} [eval_err "#!foo\nreturn 1" 0]
        assert_equal {ERR Unexpected flag in script shebang: bad} [eval_err "#!lua flags=bad\nreturn 1" 0]
        assert_equal {ERR Unknown lua shebang option: x=1} [eval_err "#!lua x=1\nreturn 1" 0]
        assert_equal {ERR Invalid script shebang} [eval_err "#!lua" 0]
    }

    test {Line numbers count the shebang line} {
        set body "#!lua\nerror('x')"
        assert_equal "ERR user_script:2: x[at $body 2]" [eval_err $body 0]
    }

    # ------------------------------------------------------------ scripts and the server

    test {Scripts may touch keys they did not declare} {
        r del undeclared
        r eval {redis.call('set', 'undeclared', 'yes')} 0
        assert_equal yes [r get undeclared]
    }

    test {SELECT inside a script does not change the caller's db} {
        r select 0
        r eval {redis.call('select', 1) redis.call('set', 'dbkey', 'in1')} 0
        assert_equal 0 [r exists dbkey]
        r select 1
        assert_equal in1 [r get dbkey]
        r del dbkey
        r select 0
    }

    test {A script's write wakes a blocked client after the script} {
        r del q
        set rd [redis_deferring_client]
        $rd blpop q 0
        wait_for_blocked_client
        assert_equal 1 [r eval {redis.call('lpush', KEYS[1], 'a') return redis.call('llen', KEYS[1])} 1 q]
        assert_equal {q a} [$rd read]
        $rd close
    }

    test {A script's write fails a WATCHed transaction} {
        set c [redis_client]
        r set wk 1
        $c watch wk
        r eval {redis.call('incr', 'wk')} 0
        $c multi
        $c ping
        assert_equal {} [$c exec]
        $c close
    }

    test {A script's writes fire keyspace notifications} {
        r config set notify-keyspace-events KEA
        set c [redis_client]
        $c subscribe __keyevent@0__:set
        r eval {redis.call('set', 'notified', '1')} 0
        assert_equal {message __keyevent@0__:set notified} [$c read]
        $c close
        r config set notify-keyspace-events {}
    }

    test {MONITOR shows commands run by scripts} {
        set m [redis_client]
        $m monitor
        r eval {redis.call('set', 'monitored', '1')} 0
        # The script's command comes with the lua client as its origin.
        # EVAL itself comes first, then the commands it ran.
        set line [$m read]
        while {![string match {*"eval"*monitored*} $line]} {
            set line [$m read]
        }
        assert_match {*\[0 lua\] "set" "monitored" "1"} [$m read]
        $m close
    }

    test {Stats: commands in scripts are counted, errors once} {
        r config resetstat
        r del str
        r set str v
        catch {r eval {return redis.call('nosuch')} 0}
        catch {r eval {return redis.call('lpush', 'str', 'x')} 0}
        catch {r eval {error('x')} 0}
        catch {r eval {return redis.pcall('lpush', 'str', 'x')} 0}
        set info [r info errorstats]
        assert_match {*errorstat_ERR:count=2*} $info
        assert_match {*errorstat_WRONGTYPE:count=2*} $info
        assert_equal 4 [s total_error_replies]
        assert_match {*cmdstat_lpush:calls=2,*failed_calls=2*} [r info commandstats]
        assert_match {*cmdstat_eval:calls=4,*failed_calls=4*} [r info commandstats]
    }

    test {INFO memory reports scripts} {
        r script flush
        r script load {return 'one'}
        r script load {return 'two'}
        assert_equal 2 [s number_of_cached_scripts]
        assert_morethan [s used_memory_lua] 0
        assert_morethan [s used_memory_vm_eval] 0
        assert_morethan [s used_memory_scripts_eval] 0
        assert_morethan [s used_memory_vm_total] [s used_memory_vm_eval]
        r script flush
        assert_equal 0 [s number_of_cached_scripts]
    }

    test {busy-reply-threshold and its alias lua-time-limit} {
        r config set lua-time-limit 1234
        assert_equal {busy-reply-threshold 1234} [r config get busy-reply-threshold]
        r config set busy-reply-threshold 5000
        assert_equal {lua-time-limit 5000} [r config get lua-time-limit]
    }

    # ------------------------------------------------------------ busy scripts

    test {A busy script: other clients get BUSY, SCRIPT KILL stops it} {
        r config set busy-reply-threshold 100
        set rd [redis_deferring_client]
        $rd eval {local i = 0 while true do i = i + 1 end} 0
        set c [redis_client]
        wait_for_condition 100 20 {
            [catch {$c ping} e] && [string match BUSY* $e]
        } else {
            fail "no BUSY reply"
        }
        assert_equal {BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.} [err_of {$c get x}]
        # The loop keeps accepting new clients meanwhile.
        set c2 [redis_client]
        assert_match BUSY* [err_of {$c2 ping}]
        assert_match BUSY* [err_of {$c function stats}]
        assert_match BUSY* [err_of {$c function kill}]
        assert_match BUSY* [err_of {$c shutdown}]
        assert_equal OK [$c script kill]
        assert_match {ERR Script killed by user with SCRIPT KILL... script: *, on @user_script:1.} [err_of {$rd read}]
        assert_equal PONG [$c ping]
        $c close
        $c2 close
        $rd close
        r config set busy-reply-threshold 5000
    }

    test {pcall cannot swallow SCRIPT KILL} {
        r config set busy-reply-threshold 100
        set rd [redis_deferring_client]
        $rd eval {while true do pcall(function() while true do end end) end} 0
        set c [redis_client]
        wait_for_condition 100 20 {
            [catch {$c ping} e] && [string match BUSY* $e]
        } else {
            fail "no BUSY reply"
        }
        assert_equal OK [$c script kill]
        assert_match {ERR Script killed by user with SCRIPT KILL...*} [err_of {$rd read}]
        $c close
        $rd close
        r config set busy-reply-threshold 5000
    }

    test {A script that wrote is UNKILLABLE} {
        r config set busy-reply-threshold 100
        set rd [redis_deferring_client]
        $rd eval {
            redis.call('set', 'w', '1')
            local t = redis.call('time')
            while true do
                local n = redis.call('time')
                if (tonumber(n[1]) - tonumber(t[1])) * 1000000 + tonumber(n[2]) - tonumber(t[2]) > 600000 then break end
            end
            return 'done'
        } 0
        set c [redis_client]
        wait_for_condition 100 20 {
            [catch {$c ping} e] && [string match BUSY* $e]
        } else {
            fail "no BUSY reply"
        }
        assert_equal {UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.} [err_of {$c script kill}]
        assert_equal done [$rd read]
        assert_equal 1 [$c get w]
        $c close
        $rd close
        r config set busy-reply-threshold 5000
    }

    # ------------------------------------------------------------ libraries

    test {cjson.encode} {
        assert_equal {{"a":1}} [r eval {return cjson.encode({a = 1})} 0]
        assert_equal {[1,2,3,null,5]} [r eval {return cjson.encode({1, 2, 3, nil, 5})} 0]
        assert_equal {{}} [r eval {return cjson.encode({})} 0]
        assert_equal {"a\"b\\c\/d\n"} [r eval {return cjson.encode('a"b\\c/d\n')} 0]
        assert_equal {[1.5,0.33333333333333,1e+100,true,false,null]} \
            [r eval {return cjson.encode({1.5, 1/3, 1e100, true, false, cjson.null})} 0]
        assert_equal 1.2345678901235e+17 [r eval {return cjson.encode(123456789012345678)} 0]
    }

    test {cjson.encode errors} {
        assert_match {*Cannot serialise table: excessively sparse array*} [eval_err {return cjson.encode({[1] = 1, [20] = 2})} 0]
        assert_match {*Cannot serialise number: must not be NaN or Inf*} [eval_err {return cjson.encode(0/0)} 0]
        assert_match {*Cannot serialise function: type not supported*} [eval_err {return cjson.encode(function() end)} 0]
        assert_match {*Cannot serialise boolean: table key must be a number or string*} [eval_err {return cjson.encode({[true] = 1})} 0]
    }

    test {cjson.decode} {
        assert_equal 2 [r eval {return cjson.decode('{"a":[1,2,{"b":null}]}').a[2]} 0]
        assert_equal 1 [r eval {return cjson.decode('null') == cjson.null} 0]
        assert_equal 1500 [r eval {return cjson.decode('1.5e3')} 0]
        assert_equal "A\n" [r eval {return cjson.decode('"\\u0041\\n"')} 0]
        assert_equal 2 [r eval {return string.len(cjson.decode('"\\u00e9"'))} 0]
        assert_equal {a b} [r eval {local t = cjson.decode('{"x":["a","b"]}') return t.x} 0]
    }

    test {cjson.decode errors} {
        set body {return cjson.decode('[1,2')}
        assert_equal "ERR user_script:1: Expected comma or array end but found T_END at character 5[at $body]" [eval_err $body 0]
        set body {return cjson.decode('{"a" 1}')}
        assert_equal "ERR user_script:1: Expected colon but found T_NUMBER at character 6[at $body]" [eval_err $body 0]
        assert_match {*Expected value but found T_END at character 1*} [eval_err {return cjson.decode('')} 0]
        assert_match {*Expected the end but found T_NUMBER*} [eval_err {return cjson.decode('[1] 2')} 0]
    }

    test {cmsgpack pack and unpack} {
        assert_equal {1 a {1 2} y} [r eval {local a, b, c, d = cmsgpack.unpack(cmsgpack.pack(1, 'a', {1, 2}, {x = 'y'})) return {a, b, c, d.x}} 0]
        set packed [r eval {return cmsgpack.pack(1, -1, 128, 65536, -129, 'abc', true, false)} 0]
        assert_equal [binary format c* {1 -1 -52 -128 -50 0 1 0 0 -47 -1 127 -93 97 98 99 -61 -62}] $packed
        assert_equal {-1 1} [r eval {return {cmsgpack.unpack_one(cmsgpack.pack(1))}} 0]
        assert_equal {2 1 2} [r eval {return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}} 0]
        assert_match {*Missing bytes in input.*} [eval_err {return cmsgpack.unpack('\146\1')} 0]
        assert_match {*MessagePack pack needs input.*} [eval_err {return cmsgpack.pack()} 0]
    }

    test {bit operations} {
        assert_equal {-1 -1 1 7 4} [r eval {return {bit.tobit(4294967295), bit.bnot(0), bit.band(7, 3, 1), bit.bor(1, 2, 4), bit.bxor(5, 1)}} 0]
        assert_equal {-2147483648 15 -4 2 -2147483648 67305985} \
            [r eval {return {bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-16, 2), bit.rol(1, 33), bit.ror(1, 1), bit.bswap(0x01020304)}} 0]
        assert_equal {000000ff ffff FF} [r eval {return {bit.tohex(255), bit.tohex(-1, 4), bit.tohex(255, -2)}} 0]
        assert_match {*bad argument #1 to 'band' (number expected, got no value)*} [eval_err {return bit.band()} 0]
    }

    test {struct pack, unpack and size} {
        assert_equal "\x00\x00\x00\x01\x02\x00" [r eval {return struct.pack('>i4<h', 1, 2)} 0]
        assert_equal {-1 -2 7} [r eval {return {struct.unpack('>i4<h', struct.pack('>i4<h', -1, -2))}} 0]
        assert_equal {1 -1 2 -2 3 -3 abc zs 1.5 37} \
            [r eval {local t = {struct.unpack('BbHhLlc3sd', struct.pack('BbHhLlc3sd', 1, -1, 2, -2, 3, -3, 'abc', 'zs', 1.5))} t[9] = tostring(t[9]) return t} 0]
        assert_equal 7 [r eval {return struct.size('i4hb')} 0]
        assert_match {*bad argument #1 to 'pack' (invalid format option 'q')*} [eval_err {return struct.pack('q', 1)} 0]
        assert_match {*bad argument #1 to 'size' (option 's' has no fixed size)*} [eval_err {return struct.size('s')} 0]
    }

    # ------------------------------------------------------------ real-world scripts

    # A sliding-window rate limiter: at most `limit` calls per window.
    set ::limiter {
        local key = KEYS[1]
        local now = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local limit = tonumber(ARGV[3])
        redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
        local count = redis.call('ZCARD', key)
        if count < limit then
            redis.call('ZADD', key, now, ARGV[4])
            redis.call('PEXPIRE', key, window)
            return {1, limit - count - 1}
        end
        return {0, 0}
    }

    test {Sliding-window rate limiter} {
        r del rl
        set got {}
        foreach {t id} {1000 a 1100 b 1200 c 1300 d 2050 e 2150 f 2250 g} {
            lappend got [r eval $::limiter 1 rl $t 1000 3 $id]
        }
        # At 2250 the call of 1200 left the window.
        assert_equal {{1 2} {1 1} {1 0} {0 0} {1 0} {1 0} {1 0}} $got
        assert_equal {e f g} [r zrange rl 0 -1]
        assert_range [r pttl rl] 1 1000
    }

    # A reliable queue: move a job to a per-worker processing list and
    # record it in a hash of leases, none of which is a declared key.
    set ::reliable_pop {
        local queue = ARGV[1]
        local worker = ARGV[2]
        local job = redis.call('RPOP', queue)
        if not job then return false end
        redis.call('LPUSH', queue .. ':processing:' .. worker, job)
        redis.call('HSET', queue .. ':leases', job, worker)
        redis.call('INCR', queue .. ':popped')
        return job
    }

    test {Reliable queue pop touching undeclared keys} {
        r del jobs jobs:processing:w1 jobs:leases jobs:popped
        # Producers LPUSH, so RPOP takes the oldest job.
        r lpush jobs j1 j2 j3
        assert_equal j1 [r eval $::reliable_pop 0 jobs w1]
        assert_equal j2 [r eval $::reliable_pop 0 jobs w1]
        assert_equal {j2 j1} [r lrange jobs:processing:w1 0 -1]
        assert_equal {j1 w1 j2 w1} [r hgetall jobs:leases]
        assert_equal j3 [r eval $::reliable_pop 0 jobs w1]
        assert_equal {} [r eval $::reliable_pop 0 jobs w1]
        assert_equal 3 [r get jobs:popped]
    }

    test {Scripts inside MULTI/EXEC} {
        r del mx
        r multi
        r eval {return redis.call('incr', 'mx')} 0
        r eval {return redis.call('incr', 'mx')} 0
        assert_equal {1 2} [r exec]
    }

    test {COMMAND INFO of EVAL} {
        set info [lindex [r command info eval] 0]
        assert_equal {eval -3 {noscript stale skip_monitor no_mandatory_keys movablekeys} 0 0 0} [lrange $info 0 5]
        assert_equal {notes {We cannot tell how the keys will be used so we assume the worst, RW and UPDATE} flags {RW access update} begin_search {type index spec {index 2}} find_keys {type keynum spec {keynumidx 0 firstkey 1 keystep 1}}} [lindex $info 8 0]
    }
}

start_server {tags {"scripting" external:skip}} {
    test {SHUTDOWN NOSAVE stops the server under a busy script} {
        set pid [srv pid]
        r config set busy-reply-threshold 100
        set rd [redis_deferring_client]
        $rd eval {while true do end} 0
        set c [redis_client]
        wait_for_condition 100 20 {
            [catch {$c ping} e] && [string match BUSY* $e]
        } else {
            fail "no BUSY reply"
        }
        assert_equal {BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.} [err_of {$c shutdown}]
        catch {$c shutdown nosave}
        wait_for_condition 100 20 {![process_is_alive $pid]} else {
            fail "server process $pid still running after SHUTDOWN NOSAVE"
        }
        catch {$c close}
        catch {$rd close}
        # Start it again so the block ends with a running server.
        restart_server
        assert_equal PONG [r ping]
    }
}
