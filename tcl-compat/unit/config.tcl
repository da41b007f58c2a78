# CONFIG GET / SET / RESETSTAT / REWRITE / HELP, configuration aliases,
# value formats and errors, and overrides given at startup.

# CONFIG GET reply as a list of name/value pairs sorted by name: the order
# of the reply is not defined.
proc cget {args} {
    lsort -stride 2 -index 0 [r config get {*}$args]
}

# The error text of a rejected CONFIG SET for one parameter.
proc set_err {param reason} {
    return "ERR CONFIG SET failed (possibly related to argument '$param') - $reason"
}

proc read_file {path} {
    set fd [open $path r]
    set data [read $fd]
    close $fd
    return $data
}

start_server {tags {"config" needs:config}} {

    # ------------------------------------------------------------ CONFIG GET

    test {CONFIG GET of one parameter} {
        assert_equal [list port [srv port]] [r config get port]
        assert_equal {appendonly no} [r config get appendonly]
        assert_equal {maxmemory 0} [r config get maxmemory]
        assert_equal {save {}} [r config get save]
    }

    test {CONFIG GET of an unknown parameter is an empty list} {
        assert_equal {} [r config get nosuchparameter]
        assert_equal {} [r config get nosuch*]
    }

    test {CONFIG GET with a glob pattern} {
        assert_equal {maxmemory 0 maxmemory-clients 0 maxmemory-eviction-tenacity 10 maxmemory-policy noeviction maxmemory-samples 5} [cget maxmemory*]
        assert_equal {maxmemory-policy noeviction} [cget *memory-pol?cy]
        set all [r config get *]
        assert_equal 0 [expr {[llength $all] % 2}]
        assert_morethan [llength $all] 300
        assert_equal [list port [srv port]] [dict filter $all key port]
    }

    test {CONFIG GET with several patterns} {
        set bind [lindex [r config get bind] 1]
        assert_equal [list bind $bind port [srv port]] [cget port bind]
        # A parameter matched by several patterns is reported once.
        assert_equal {maxmemory 0} [r config get maxmemory maxmemory]
        assert_equal {maxmemory 0 maxmemory-clients 0 maxmemory-eviction-tenacity 10 maxmemory-policy noeviction maxmemory-samples 5} [cget maxmemory maxmemory* nosuch]
        assert_equal {appendonly no} [r config get nosuch appendonly]
    }

    test {CONFIG GET is case insensitive, an exact name is echoed as given} {
        assert_equal {MAXMEMORY 0} [r config get MAXMEMORY]
        assert_equal {MaxMemory-Policy noeviction} [r config get MaxMemory-Policy]
        # With a pattern the canonical names are reported.
        assert_equal {maxmemory-policy noeviction} [cget MAXMEMORY-POL*]
    }

    test {CONFIG GET reply is a map in RESP3} {
        set c [redis_client]
        $c hello 3
        $c readraw 1
        set lines [list [$c config get maxmemory]]
        for {set i 0} {$i < 4} {incr i} {
            lappend lines [$c read]
        }
        assert_equal [list %1 {$9} maxmemory {$1} 0] $lines
        assert_equal %0 [$c config get nosuchparameter]
        $c close
        r readraw 1
        assert_equal *0 [r config get nosuchparameter]
        r readraw 0
    }

    test {CONFIG GET arity} {
        assert_equal {ERR wrong number of arguments for 'config|get' command} [err_of {r config get}]
        assert_equal {ERR wrong number of arguments for 'config' command} [err_of {r config}]
    }

    # ------------------------------------------------------------ aliases

    test {Config aliases: GET reports the name that was asked for} {
        assert_equal {hash-max-ziplist-entries 512} [r config get hash-max-ziplist-entries]
        assert_equal {hash-max-listpack-entries 512} [r config get hash-max-listpack-entries]
        assert_equal {zset-max-ziplist-value 64} [r config get zset-max-ziplist-value]
    }

    test {Config aliases: SET through one name is seen through the other} {
        assert_equal OK [r config set hash-max-ziplist-entries 100]
        assert_equal {hash-max-listpack-entries 100} [r config get hash-max-listpack-entries]
        assert_equal {hash-max-ziplist-entries 100} [r config get hash-max-ziplist-entries]
        assert_equal OK [r config set hash-max-listpack-entries 200]
        assert_equal {hash-max-ziplist-entries 200} [r config get hash-max-ziplist-entries]
        r config set hash-max-listpack-entries 512
    }

    test {Config aliases: a pattern matches both names} {
        assert_equal {hash-max-listpack-entries 512 hash-max-listpack-value 64 hash-max-ziplist-entries 512 hash-max-ziplist-value 64} [cget hash-max-*]
        assert_equal {hash-max-ziplist-entries 512 hash-max-ziplist-value 64} [cget hash-max-ziplist-*]
    }

    test {Config aliases: setting both names at once is not a duplicate} {
        # Only the same name twice is rejected; the last value wins.
        assert_equal OK [r config set hash-max-ziplist-entries 300 hash-max-listpack-entries 400]
        assert_equal {hash-max-listpack-entries 400} [r config get hash-max-listpack-entries]
        r config set hash-max-listpack-entries 512
    }

    # ------------------------------------------------------------ CONFIG SET

    test {CONFIG SET of one parameter} {
        assert_equal OK [r config set maxmemory-samples 7]
        assert_equal {maxmemory-samples 7} [r config get maxmemory-samples]
        assert_equal OK [r config set maxmemory-samples 5]
    }

    test {CONFIG SET names and enum values are case insensitive} {
        assert_equal OK [r config set MAXMEMORY-POLICY ALLKEYS-LRU]
        assert_equal {maxmemory-policy allkeys-lru} [r config get maxmemory-policy]
        assert_equal OK [r config set lazyfree-lazy-eviction YES]
        assert_equal {lazyfree-lazy-eviction yes} [r config get lazyfree-lazy-eviction]
        r config set maxmemory-policy noeviction
        r config set lazyfree-lazy-eviction no
    }

    test {CONFIG SET of several parameters at once} {
        assert_equal OK [r config set maxmemory 10mb hz 20 maxmemory-policy allkeys-lru]
        assert_equal {hz 20 maxmemory 10485760 maxmemory-policy allkeys-lru} [cget maxmemory hz maxmemory-policy]
        r config set maxmemory 0 hz 10 maxmemory-policy noeviction
        assert_equal {hz 10 maxmemory 0 maxmemory-policy noeviction} [cget maxmemory hz maxmemory-policy]
    }

    test {CONFIG SET is atomic: one bad value and nothing changes} {
        assert_equal [set_err hz {argument couldn't be parsed into an integer}] [err_of {r config set maxmemory 10mb hz abc}]
        assert_equal {maxmemory 0} [r config get maxmemory]
        assert_equal [set_err maxmemory {argument must be a memory value}] [err_of {r config set hz 20 maxmemory lots}]
        assert_equal {hz 10} [r config get hz]
        assert_equal {ERR Unknown option or number of arguments for CONFIG SET - 'foo'} [err_of {r config set maxmemory 10mb foo 1}]
        assert_equal {maxmemory 0} [r config get maxmemory]
        assert_equal [set_err daemonize {can't set immutable config}] [err_of {r config set hz 20 daemonize no}]
        assert_equal {hz 10} [r config get hz]
    }

    test {CONFIG SET with the same parameter twice} {
        assert_equal [set_err maxmemory {duplicate parameter}] [err_of {r config set maxmemory 1mb maxmemory 2mb}]
        # The error names the second spelling.
        assert_equal [set_err MAXMEMORY {duplicate parameter}] [err_of {r config set maxmemory 1mb MAXMEMORY 2mb}]
        assert_equal {maxmemory 0} [r config get maxmemory]
    }

    test {CONFIG SET of an unknown parameter} {
        assert_equal {ERR Unknown option or number of arguments for CONFIG SET - 'nosuchparameter'} [err_of {r config set nosuchparameter 1}]
        assert_equal {ERR Unknown option or number of arguments for CONFIG SET - 'NoSuch'} [err_of {r config set NoSuch 1}]
    }

    test {CONFIG SET of immutable and protected parameters} {
        assert_equal [set_err daemonize {can't set immutable config}] [err_of {r config set daemonize yes}]
        assert_equal [set_err databases {can't set immutable config}] [err_of {r config set databases 4}]
        # dir is protected (enable-protected-configs is no by default).
        assert_equal [set_err dir {can't set protected config}] [err_of {r config set dir /tmp}]
    }

    test {CONFIG SET arity} {
        assert_equal {ERR wrong number of arguments for 'config|set' command} [err_of {r config set}]
        assert_equal {ERR wrong number of arguments for 'config|set' command} [err_of {r config set maxmemory}]
        # An odd number of arguments beyond the first pair is a syntax error.
        assert_equal {ERR syntax error} [err_of {r config set maxmemory 1mb hz}]
    }

    test {CONFIG SET bool parameters} {
        assert_equal [set_err appendonly {argument must be 'yes' or 'no'}] [err_of {r config set appendonly maybe}]
        assert_equal [set_err lazyfree-lazy-eviction {argument must be 'yes' or 'no'}] [err_of {r config set lazyfree-lazy-eviction 1}]
        assert_equal [set_err lazyfree-lazy-eviction {argument must be 'yes' or 'no'}] [err_of {r config set lazyfree-lazy-eviction ""}]
        assert_equal OK [r config set lazyfree-lazy-eviction yes]
        assert_equal {lazyfree-lazy-eviction yes} [r config get lazyfree-lazy-eviction]
        assert_equal OK [r config set lazyfree-lazy-eviction no]
    }

    test {CONFIG SET integer parameters} {
        assert_equal [set_err hz {argument couldn't be parsed into an integer}] [err_of {r config set hz abc}]
        assert_equal [set_err hz {argument couldn't be parsed into an integer}] [err_of {r config set hz 1.5}]
        assert_equal [set_err maxclients {argument couldn't be parsed into an integer}] [err_of {r config set maxclients ""}]
        assert_equal [set_err hz {argument must be between 0 and 2147483647 inclusive}] [err_of {r config set hz -1}]
        assert_equal [set_err timeout {argument must be between 0 and 2147483647 inclusive}] [err_of {r config set timeout -1}]
        assert_equal [set_err maxmemory-samples {argument must be between 1 and 2147483647 inclusive}] [err_of {r config set maxmemory-samples 0}]
        assert_equal [set_err port {argument must be between 0 and 65535 inclusive}] [err_of {r config set port 99999}]
        assert_equal [set_err proto-max-bulk-len {argument must be between 1048576 and 9223372036854775807 inclusive}] [err_of {r config set proto-max-bulk-len 1000}]
    }

    test {CONFIG SET hz is clamped to 1..500} {
        assert_equal OK [r config set hz 1000000]
        assert_equal {hz 500} [r config get hz]
        assert_equal OK [r config set hz 0]
        assert_equal {hz 1} [r config get hz]
        r config set hz 10
    }

    test {CONFIG SET enum parameters} {
        assert_equal [set_err maxmemory-policy {argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction}] [err_of {r config set maxmemory-policy foo}]
        assert_equal [set_err loglevel {argument(s) must be one of the following: debug, verbose, notice, warning}] [err_of {r config set loglevel foo}]
        assert_equal {maxmemory-policy noeviction} [r config get maxmemory-policy]
    }

    test {CONFIG SET memory values and units} {
        assert_equal OK [r config set maxmemory 1gb]
        assert_equal {maxmemory 1073741824} [r config get maxmemory]
        assert_equal OK [r config set maxmemory 1GB]
        assert_equal {maxmemory 1073741824} [r config get maxmemory]
        foreach {value bytes} {
            100 100 100b 100 1k 1000 1kb 1024 2m 2000000 2mb 2097152
            1g 1000000000 3Gb 3221225472 1K 1000 1KB 1024 0 0
        } {
            assert_equal OK [r config set maxmemory $value]
            assert_equal [list maxmemory $bytes] [r config get maxmemory] $value
        }
        # An empty string is accepted as 0.
        r config set maxmemory 1mb
        assert_equal OK [r config set maxmemory ""]
        assert_equal {maxmemory 0} [r config get maxmemory]
        foreach bad {1.5gb -1 1tb abc 10xb " 1" "1 "} {
            assert_equal [set_err maxmemory {argument must be a memory value}] [err_of {r config set maxmemory $bad}] "value '$bad'"
        }
        r config set maxmemory 0
    }

    test {CONFIG SET proto-max-bulk-len accepts units} {
        assert_equal OK [r config set proto-max-bulk-len 1mb]
        assert_equal {proto-max-bulk-len 1048576} [r config get proto-max-bulk-len]
        assert_equal OK [r config set proto-max-bulk-len 512mb]
        assert_equal {proto-max-bulk-len 536870912} [r config get proto-max-bulk-len]
    }

    test {CONFIG SET save} {
        assert_equal OK [r config set save "100 10 20 5"]
        assert_equal {save {100 10 20 5}} [r config get save]
        assert_equal OK [r config set save ""]
        assert_equal {save {}} [r config get save]
        assert_equal [set_err save {Invalid save parameters}] [err_of {r config set save 100}]
        assert_equal [set_err save {Invalid save parameters}] [err_of {r config set save "abc 10"}]
        assert_equal [set_err save {Invalid save parameters}] [err_of {r config set save "100 10 20"}]
        assert_equal {save {}} [r config get save]
    }

    test {CONFIG SET client-output-buffer-limit} {
        assert_equal {client-output-buffer-limit {normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60}} [r config get client-output-buffer-limit]
        assert_equal OK [r config set client-output-buffer-limit "normal 1mb 2mb 60"]
        assert_equal {client-output-buffer-limit {normal 1048576 2097152 60 slave 268435456 67108864 60 pubsub 33554432 8388608 60}} [r config get client-output-buffer-limit]
        assert_equal OK [r config set client-output-buffer-limit "normal 0 0 0 pubsub 32mb 8mb 60"]
        assert_equal [set_err client-output-buffer-limit {Invalid client class specified in buffer limit configuration.}] [err_of {r config set client-output-buffer-limit "foo 1 2 3"}]
        assert_equal [set_err client-output-buffer-limit {Wrong number of arguments in buffer limit configuration.}] [err_of {r config set client-output-buffer-limit "normal 1 2"}]
        assert_equal {client-output-buffer-limit {normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60}} [r config get client-output-buffer-limit]
    }

    test {CONFIG SET loglevel takes effect} {
        assert_equal OK [r config set loglevel debug]
        assert_equal {loglevel debug} [r config get loglevel]
        assert_equal OK [r config set loglevel warning]
        assert_equal {loglevel warning} [r config get loglevel]
        assert_equal OK [r config set loglevel notice]
    }

    test {CONFIG SET maxmemory-policy changes OBJECT FREQ behaviour} {
        r set k v
        assert_match {ERR An LFU maxmemory policy is not selected*} [err_of {r object freq k}]
        r config set maxmemory-policy allkeys-lfu
        assert {[string is integer -strict [r object freq k]]}
        assert_equal OK [r config set maxmemory-policy noeviction]
    } {} {needs:encoding}

    # ------------------------------------------------------------ RESETSTAT HELP

    test {CONFIG RESETSTAT} {
        r get nokey
        assert_morethan [s keyspace_misses] 0
        assert_equal OK [r config resetstat]
        assert_equal 0 [s keyspace_misses]
    }

    test {CONFIG HELP} {
        set expected [list \
            {CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:} \
            {GET <pattern>} \
            {    Return parameters matching the glob-like <pattern> and their values.} \
            {SET <directive> <value>} \
            {    Set the configuration <directive> to <value>.} \
            RESETSTAT \
            {    Reset statistics reported by the INFO command.} \
            REWRITE \
            {    Rewrite the configuration file.} \
            HELP \
            {    Prints this help.}]
        assert_equal $expected [r config help]
        # Help lines are status replies.
        r readraw 1
        set first [list [r config help] [r read]]
        for {set i 1} {$i < 11} {incr i} {
            r read
        }
        r readraw 0
        assert_equal [list *11 {+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:}] $first
    }

    test {CONFIG unknown subcommand} {
        assert_equal {ERR unknown subcommand 'foo'. Try CONFIG HELP.} [err_of {r config foo}]
        assert_equal {ERR wrong number of arguments for 'config|help' command} [err_of {r config help x}]
        assert_equal {ERR wrong number of arguments for 'config|rewrite' command} [err_of {r config rewrite x}]
    }
}

# ---------------------------------------------------------------- REWRITE

start_server {tags {"config" needs:config external:skip} overrides {hz 15}} {
    test {CONFIG REWRITE updates lines in place and appends new ones} {
        set before [read_file [srv config_file]]
        assert_match "*\nhz 15\n*" $before
        r config set hz 20
        r config set maxmemory 1mb
        r config set maxmemory-policy allkeys-lru
        assert_equal OK [r config rewrite]
        set after [read_file [srv config_file]]
        set lines [split $after "\n"]
        # The lines of the original file are kept, in order.
        assert_equal [lindex [split $before "\n"] 0] [lindex $lines 0]
        assert {"port [srv port]" in $lines}
        assert {"bind 127.0.0.1" in $lines}
        assert {"appendonly no" in $lines}
        # The changed value replaces the old line at the same place.
        assert {"hz 20" in $lines}
        assert {"hz 15" ni $lines}
        assert_equal [lsearch -exact [split $before "\n"] "hz 15"] [lsearch -exact $lines "hz 20"]
        # New parameters go after a marker, memory values keep their unit.
        set marker [lsearch -exact $lines "# Generated by CONFIG REWRITE"]
        assert_morethan $marker 0
        assert_morethan [lsearch -exact $lines "maxmemory 1mb"] $marker
        assert_morethan [lsearch -exact $lines "maxmemory-policy allkeys-lru"] $marker
    }

    test {CONFIG REWRITE again updates the generated lines} {
        r config set maxmemory 2mb
        r config rewrite
        set lines [split [read_file [srv config_file]] "\n"]
        assert {"maxmemory 2mb" in $lines}
        assert {"maxmemory 1mb" ni $lines}
        assert_equal 1 [llength [lsearch -all -exact $lines "# Generated by CONFIG REWRITE"]]
    }

    test {The rewritten file is used after a restart} {
        restart_server
        assert_equal {hz 20} [r config get hz]
        assert_equal {maxmemory 2097152} [r config get maxmemory]
        assert_equal {maxmemory-policy allkeys-lru} [r config get maxmemory-policy]
    }
}

# ---------------------------------------------------------------- overrides

start_server {tags {"config" needs:config} overrides {
    maxmemory-policy allkeys-lfu
    timeout 300
    maxmemory 5mb
    hash-max-ziplist-entries 77
    save {900 1}
}} {
    test {Overrides given at startup are reported by CONFIG GET} {
        assert_equal {maxmemory-policy allkeys-lfu} [r config get maxmemory-policy]
        assert_equal {timeout 300} [r config get timeout]
        assert_equal {maxmemory 5242880} [r config get maxmemory]
        assert_equal {hash-max-listpack-entries 77} [r config get hash-max-listpack-entries]
        assert_equal {hash-max-ziplist-entries 77} [r config get hash-max-ziplist-entries]
        assert_equal {save {900 1}} [r config get save]
        assert_equal [list port [srv port]] [r config get port]
    }
}
