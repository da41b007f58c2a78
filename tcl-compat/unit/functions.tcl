# Functions: FUNCTION LOAD [REPLACE] | DELETE | FLUSH | LIST | STATS | DUMP |
# RESTORE | KILL | HELP, FCALL and FCALL_RO, redis.register_function in its
# positional and named forms with flags, the load-time sandbox, error texts,
# and busy functions with FUNCTION KILL.

proc lib {name body} {
    return "#!lua name=$name\n$body"
}

# FUNCTION LIST as a dict of library name -> {functions ...} (order-free).
proc libraries {args} {
    set out {}
    foreach l [r function list {*}$args] {
        dict set out [dict get $l library_name] $l
    }
    return $out
}

start_server {tags {"functions"}} {

    test {FUNCTION LOAD and FCALL} {
        r function flush
        assert_equal lib1 [r function load [lib lib1 {redis.register_function('f1', function(keys, args) return {keys[1], args[1]} end)}]]
        assert_equal {k a} [r fcall f1 1 k a]
        assert_equal {} [r fcall f1 0]
    }

    test {Function names are case-insensitive} {
        assert_equal {k a} [r fcall F1 1 k a]
    }

    test {FCALL errors} {
        assert_equal {ERR Function not found} [err_of {r fcall nosuch 0}]
        assert_equal {ERR Bad number of keys provided} [err_of {r fcall f1 x}]
        assert_equal {ERR Number of keys can't be negative} [err_of {r fcall f1 -1}]
        assert_equal {ERR Number of keys can't be greater than number of args} [err_of {r fcall f1 5}]
        assert_equal {ERR wrong number of arguments for 'fcall' command} [err_of {r fcall f1}]
    }

    test {FUNCTION LOAD of an existing library needs REPLACE} {
        assert_equal {ERR Library 'lib1' already exists} [err_of {r function load [lib lib1 {redis.register_function('f1', function() return 1 end)}]}]
        assert_equal lib1 [r function load replace [lib lib1 {redis.register_function('f1', function() return 2 end)}]]
        assert_equal 2 [r fcall f1 0]
    }

    test {FUNCTION LOAD metadata errors} {
        assert_equal {ERR Missing library metadata} [err_of {r function load {return 1}}]
        assert_equal {ERR Invalid library metadata} [err_of {r function load "#!lua"}]
        assert_equal {ERR Library name was not given} [err_of {r function load "#!lua\nreturn 1"}]
        assert_equal {ERR Engine 'foo' not found} [err_of {r function load "#!foo name=x\nreturn 1"}]
        assert_equal {ERR Invalid metadata value given: foo=bar} [err_of {r function load "#!lua name=x foo=bar\nreturn 1"}]
        assert_equal {ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long} \
            [err_of {r function load "#!lua name=a-b\nreturn 1"}]
        assert_equal {ERR No functions registered} [err_of {r function load [lib x {return 1}]}]
    }

    test {FUNCTION LOAD code errors} {
        assert_match {ERR Error compiling function: user_function:2: *} [err_of {r function load [lib x {syntax error}]}]
        assert_equal {ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'error'} \
            [err_of {r function load [lib x {error('boom')}]}]
        assert_equal {ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'} \
            [err_of {r function load [lib x {redis.call('ping')}]}]
        assert_equal {ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'string'} \
            [err_of {r function load [lib x {local s = string.len('x')}]}]
    }

    test {redis.register_function argument errors} {
        foreach {code msg} {
            {redis.register_function()} {wrong number of arguments to redis.register_function}
            {redis.register_function('a')} {calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).}
            {redis.register_function('a', 1)} {second argument to redis.register_function must be a function}
            {redis.register_function({})} {redis.register_function must get a function name argument}
            {redis.register_function({function_name='a'})} {redis.register_function must get a callback argument}
            {redis.register_function({function_name='a', callback=function() end, flags={'bad'}})} {unknown flag given}
            {redis.register_function({function_name='a', callback=function() end, flags='no-writes'})} {flags argument to redis.register_function must be a table representing function flags}
            {redis.register_function({function_name='a', callback=function() end, foo=1})} {unknown argument given to redis.register_function}
            {redis.register_function({function_name='a-b', callback=function() end})} {Library names can only contain letters, numbers, or underscores(_) and must be at least one character long}
            {redis.register_function('a', function() end) redis.register_function('a', function() end)} {Function already exists in the library}
            {redis.register_function('a', function() end, 3)} {wrong number of arguments to redis.register_function}
        } {
            assert_equal "ERR Error registering functions: ERR $msg" [err_of {r function load [lib x $code]}]
        }
    }

    test {A function name used by another library} {
        assert_equal {ERR Function f1 already exists} [err_of {r function load [lib other {redis.register_function('f1', function() end)}]}]
    }

    test {register_function outside FUNCTION LOAD} {
        r function load replace [lib late {redis.register_function('late', function() return redis.register_function('x', function() end) end)}]
        assert_equal {ERR user_function:2: attempt to call field 'register_function' (a nil value) script: late, on @user_function:2.} [err_of {r fcall late 0}]
        r function delete late
    }

    test {Named arguments, flags and descriptions; FCALL_RO} {
        r function load replace [lib lib2 {
redis.register_function{function_name='ro', callback=function(k, a) return redis.call('get', k[1]) end, flags={'no-writes'}, description='reads'}
redis.register_function{function_name='w', callback=function(k, a) return redis.call('set', k[1], a[1]) end}
}]
        assert_equal OK [r fcall w 1 fk v]
        assert_equal v [r fcall ro 1 fk]
        assert_equal v [r fcall_ro ro 1 fk]
        assert_equal {ERR Can not execute a script with write flag using *_ro command.} [err_of {r fcall_ro w 1 fk v}]
    }

    test {A no-writes function cannot write} {
        r function load replace [lib lib3 {redis.register_function{function_name='sneaky', callback=function(k) return redis.call('set', k[1], 'x') end, flags={'no-writes'}}}]
        assert_equal {ERR Write commands are not allowed from read-only scripts. script: sneaky, on @user_function:2.} [err_of {r fcall sneaky 1 fk}]
        r function delete lib3
    }

    test {Function errors name the function} {
        r function load replace [lib lib4 {redis.register_function('boom', function() error('bad') end)}]
        assert_equal {ERR user_function:2: bad script: boom, on @user_function:2.} [err_of {r fcall boom 0}]
        r function delete lib4
    }

    test {FUNCTION LIST} {
        set libs [libraries]
        assert_equal {lib1 lib2} [lsort [dict keys $libs]]
        set l2 [dict get $libs lib2]
        assert_equal LUA [dict get $l2 engine]
        set fns {}
        foreach f [dict get $l2 functions] {
            dict set fns [dict get $f name] $f
        }
        assert_equal {name ro description reads flags no-writes} [dict get $fns ro]
        assert_equal {name w description {} flags {}} [dict get $fns w]
        assert_equal 0 [dict exists $l2 library_code]
    }

    test {FUNCTION LIST WITHCODE and LIBRARYNAME} {
        set libs [libraries withcode libraryname LIB1]
        assert_equal {lib1} [dict keys $libs]
        assert_equal [lib lib1 {redis.register_function('f1', function() return 2 end)}] [dict get [dict get $libs lib1] library_code]
        assert_equal {} [r function list libraryname nomatch*]
        assert_equal {ERR library name argument was not given} [err_of {r function list libraryname}]
        assert_equal {ERR Unknown argument foo} [err_of {r function list foo}]
    }

    test {FUNCTION STATS} {
        assert_equal {running_script {} engines {LUA {libraries_count 2 functions_count 3}}} [r function stats]
    }

    test {FUNCTION DELETE} {
        assert_equal {ERR Library not found} [err_of {r function delete nosuch}]
        r function load [lib gone {redis.register_function('gonef', function() return 1 end)}]
        assert_equal OK [r function delete gone]
        assert_equal {ERR Function not found} [err_of {r fcall gonef 0}]
    }

    test {FUNCTION DUMP and RESTORE} {
        set dump [r function dump]
        r function flush
        assert_equal {} [r function list]
        assert_equal OK [r function restore $dump]
        assert_equal {lib1 lib2} [lsort [dict keys [libraries]]]
        assert_equal 2 [r fcall f1 0]
    }

    test {FUNCTION RESTORE policies} {
        set dump [r function dump]
        assert_equal {ERR Library lib1 already exists} [err_of {r function restore $dump}]
        assert_equal {ERR Library lib1 already exists} [err_of {r function restore $dump append}]
        assert_equal OK [r function restore $dump replace]
        r function load [lib extra {redis.register_function('ex', function() return 1 end)}]
        assert_equal OK [r function restore $dump flush]
        assert_equal {lib1 lib2} [lsort [dict keys [libraries]]]
        assert_equal {ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.} [err_of {r function restore $dump foo}]
    }

    test {FUNCTION RESTORE of a bad payload} {
        assert_equal {ERR DUMP payload version or checksum are wrong} [err_of {r function restore bad}]
        set dump [r function dump]
        set bad [string replace $dump end end [binary format c [expr {([scan [string index $dump end] %c] ^ 1)}]]]
        assert_equal {ERR DUMP payload version or checksum are wrong} [err_of {r function restore $bad}]
    }

    test {FUNCTION DUMP of Redis 7.0 restores here} {
        # FUNCTION DUMP of "#!lua name=mylib\nredis.register_function('myfunc', function() return 'hello' end)"
        # from redis-server 7.0.15: opcode 245, the code, RDB version 10, CRC64.
        set code "#!lua name=mylib\nredis.register_function('myfunc', function() return 'hello' end)"
        set payload [r function dump]
        r function flush
        r function load $code
        set ours [r function dump]
        assert_equal [binary format c -11] [string index $ours 0]
        r function flush
        assert_equal OK [r function restore $ours]
        assert_equal hello [r fcall myfunc 0]
        r function flush
        r function restore $payload
    }

    test {FUNCTION FLUSH} {
        assert_equal OK [r function flush async]
        assert_equal {} [r function list]
        r function load [lib lib1 {redis.register_function('f1', function() return 2 end)}]
        assert_equal OK [r function flush sync]
        assert_equal {ERR FUNCTION FLUSH only supports SYNC|ASYNC option} [err_of {r function flush foo}]
    }

    test {FUNCTION KILL without a running function} {
        assert_equal {NOTBUSY No scripts in execution right now.} [err_of {r function kill}]
    }

    test {FUNCTION HELP} {
        assert_match {FUNCTION <subcommand>*} [lindex [r function help] 0]
    }

    test {Functions and EVAL do not share globals} {
        r function load [lib g {redis.register_function('g', function() return type(redis.setresp) end)}]
        assert_equal function [r fcall g 0]
        r function flush
    }

    test {A busy function: FUNCTION KILL, not SCRIPT KILL} {
        r config set busy-reply-threshold 100
        r function load replace [lib spin {redis.register_function('spin', function() while true do end end)}]
        set rd [redis_deferring_client]
        $rd fcall spin 0
        set c [redis_client]
        wait_for_condition 100 20 {
            [catch {$c ping} e] && [string match BUSY* $e]
        } else {
            fail "no BUSY reply"
        }
        assert_equal {BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.} [err_of {$c ping}]
        assert_equal {BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.} [err_of {$c script kill}]
        set stats [$c function stats]
        assert_equal spin [dict get [dict get $stats running_script] name]
        assert_equal {fcall spin 0} [dict get [dict get $stats running_script] command]
        assert_equal OK [$c function kill]
        assert_equal {ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.} [err_of {$rd read}]
        $c close
        $rd close
        r function flush
        r config set busy-reply-threshold 5000
    }

    test {INFO memory reports functions} {
        r function load [lib m {redis.register_function('m1', function() return 1 end) redis.register_function('m2', function() return 1 end)}]
        assert_equal 2 [s number_of_functions]
        assert_equal 1 [s number_of_libraries]
        assert_morethan [s used_memory_vm_functions] 0
        assert_morethan [s used_memory_functions] 0
        r function flush
        assert_equal 0 [s number_of_functions]
    }

    test {FUNCTION inside a script is refused} {
        assert_match {*This Redis command is not allowed from script*} [err_of {r eval {return redis.call('function', 'list')} 0}]
        assert_match {*This Redis command is not allowed from script*} [err_of {r eval {return redis.call('fcall', 'x', 0)} 0}]
    }
}
