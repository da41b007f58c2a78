# Server commands: TIME LASTSAVE DBSIZE DEBUG MEMORY SHUTDOWN, the CLIENT
# subcommands, maxclients, the idle timeout and requirepass.

# ---------------------------------------------------------------- raw sockets

# These replace the helpers of support/raw.tcl in this file: plain writes,
# and reads with a caller's deadline.

proc raw_open {{level 0}} {
    set fd [socket [srv $level host] [srv $level port]]
    fconfigure $fd -translation binary -buffering none -blocking 0
    return $fd
}

proc raw_send {fd data} {
    puts -nonewline $fd $data
    flush $fd
}

# Read until n bytes arrived, EOF, or the deadline.
proc raw_read_bytes {fd n {timeout_ms 10000}} {
    set buf {}
    set deadline [expr {[clock milliseconds] + $timeout_ms}]
    while {[string length $buf] < $n} {
        if {[catch {read $fd [expr {$n - [string length $buf]}]} chunk]} {
            break
        }
        append buf $chunk
        if {[string length $buf] >= $n || [eof $fd] || [clock milliseconds] > $deadline} {
            break
        }
        after 5
    }
    return $buf
}

# Read until the server closes the connection: {data closed}.
proc raw_read_to_eof {fd {timeout_ms 10000}} {
    set buf {}
    set deadline [expr {[clock milliseconds] + $timeout_ms}]
    while 1 {
        if {[catch {read $fd} chunk]} {
            return [list $buf 1]
        }
        append buf $chunk
        if {[eof $fd]} {
            return [list $buf 1]
        }
        if {[clock milliseconds] > $deadline} {
            return [list $buf 0]
        }
        after 10
    }
}

# 1 if the server closed the connection (a read returns EOF).
proc raw_is_closed {fd} {
    if {[catch {read $fd}]} {
        return 1
    }
    eof $fd
}

# The "ip:port" of the local end of a client's connection.
proc client_addr {c} {
    set me [fconfigure [$c channel] -sockname]
    return "[lindex $me 0]:[lindex $me 2]"
}

# Parse one CLIENT LIST/INFO line into a dict.
proc client_fields {line} {
    set d {}
    foreach kv [split [string trim $line] " "] {
        set idx [string first = $kv]
        dict set d [string range $kv 0 $idx-1] [string range $kv $idx+1 end]
    }
    return $d
}

# The CLIENT LIST line of the client with this id ({} if none).
proc client_line {id} {
    foreach line [split [r client list] "\n"] {
        if {[string match "id=$id *" $line]} {
            return $line
        }
    }
    return {}
}

set ::client_fields_order {id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp lib-name lib-ver}

start_server {tags {"server"}} {

    # ------------------------------------------------------------ TIME LASTSAVE DBSIZE

    test {TIME returns seconds and microseconds} {
        set t [r time]
        assert_equal 2 [llength $t]
        lassign $t sec usec
        assert {[regexp {^[0-9]+$} $sec]}
        assert {[regexp {^[0-9]+$} $usec]}
        assert_range $usec 0 999999
        assert_range $sec [expr {[clock seconds] - 10}] [expr {[clock seconds] + 10}]
        r readraw 1
        set lines [list [r time] [r read] [r read] [r read] [r read]]
        r readraw 0
        assert_equal *2 [lindex $lines 0]
        assert_match {$*} [lindex $lines 1]
        assert_match {$*} [lindex $lines 3]
        assert_equal {ERR wrong number of arguments for 'time' command} [err_of {r time x}]
    }

    test {TIME advances} {
        lassign [r time] s1 u1
        after 20
        lassign [r time] s2 u2
        assert {$s2 * 1000000 + $u2 > $s1 * 1000000 + $u1}
    }

    test {LASTSAVE is an integer} {
        set t [r lastsave]
        assert {[regexp {^[0-9]+$} $t]}
        assert_lessthan_equal $t [expr {[clock seconds] + 10}]
        assert_equal $t [s rdb_last_save_time]
        r readraw 1
        assert_match {:*} [r lastsave]
        r readraw 0
        assert_equal {ERR wrong number of arguments for 'lastsave' command} [err_of {r lastsave x}]
    }

    test {DBSIZE} {
        r flushall
        assert_equal 0 [r dbsize]
        r mset a 1 b 2
        assert_equal 2 [r dbsize]
        r readraw 1
        assert_equal :2 [r dbsize]
        r readraw 0
    }

    # ------------------------------------------------------------ DEBUG

    test {DEBUG SLEEP} {
        assert_equal OK [r debug sleep 0]
        set start [clock milliseconds]
        assert_equal OK [r debug sleep 0.2]
        assert_morethan_equal [expr {[clock milliseconds] - $start}] 150
        # The argument is parsed with atof: garbage sleeps 0 seconds.
        assert_equal OK [r debug sleep abc]
    } {} {needs:debug}

    test {DEBUG OBJECT format} {
        r set k hello
        set line [r debug object k]
        assert {[regexp {^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:6 lru:[0-9]+ lru_seconds_idle:[0-9]+$} $line]} $line
        r readraw 1
        assert_match {+Value at:*} [r debug object k]
        r readraw 0
    } {} {needs:debug}

    test {DEBUG OBJECT encodings, refcounts and serialized lengths} {
        foreach {value enc refcount serlen} {
            "" embstr 1 1
            hello embstr 1 6
            12345 int 1 3
            5 int 2147483647 2
            -70000 int 1 5
        } {
            r set k $value
            assert_match "Value at:* refcount:$refcount encoding:$enc serializedlength:$serlen lru:* lru_seconds_idle:*" [r debug object k] "value '$value'"
        }
        r set k [string repeat x 45]
        assert_match {Value at:* refcount:1 encoding:raw serializedlength:* lru:* lru_seconds_idle:*} [r debug object k]
    } {} {needs:debug}

    test {DEBUG OBJECT errors} {
        assert_equal {ERR no such key} [err_of {r debug object nokey}]
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'object'. Try DEBUG HELP.} [err_of {r debug object}]
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'object'. Try DEBUG HELP.} [err_of {r debug object a b}]
    } {} {needs:debug}

    test {DEBUG POPULATE with the default prefix} {
        r flushall
        assert_equal OK [r debug populate 5]
        assert_equal 5 [r dbsize]
        assert_equal {key:0 key:1 key:2 key:3 key:4} [lsort [r keys *]]
        assert_equal {value:0 value:4} [r mget key:0 key:4]
    } {} {needs:debug}

    test {DEBUG POPULATE with a prefix and a size} {
        r flushall
        r debug populate 3 p 10
        assert_equal "value:0\x00\x00\x00" [r get p:0]
        assert_equal "value:2\x00\x00\x00" [r get p:2]
        assert_equal 10 [r strlen p:1]
        # A size shorter than the value cuts it.
        r debug populate 12 q 3
        assert_equal val [r get q:0]
        assert_equal val [r get q:11]
        # Size 0 means no padding.
        r debug populate 2 r 0
        assert_equal value:1 [r get r:1]
        assert_equal OK [r debug populate 0]
        assert_equal 17 [r dbsize]
    } {} {needs:debug}

    test {DEBUG POPULATE does not overwrite existing keys} {
        r flushall
        r set key:1 mine
        r set key:3 mine ex 100
        r debug populate 5
        assert_equal 5 [r dbsize]
        assert_equal mine [r get key:1]
        assert_equal mine [r get key:3]
        assert_range [r ttl key:3] 90 100
        assert_equal value:2 [r get key:2]
        assert_equal -1 [r ttl key:2]
    } {} {needs:debug}

    test {DEBUG POPULATE in the selected database} {
        r flushall
        r select 4
        r debug populate 10
        assert_equal 10 [r dbsize]
        r select 0
        assert_equal 0 [r dbsize]
        assert_equal OK [r flushall]
    } {} {needs:debug}

    test {DEBUG POPULATE errors} {
        foreach args {{-1} {abc} {2 p abc} {2 p -1} {1.5}} {
            assert_equal {ERR value is out of range, must be positive} [err_of {r debug populate {*}$args}] $args
        }
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'populate'. Try DEBUG HELP.} [err_of {r debug populate}]
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'populate'. Try DEBUG HELP.} [err_of {r debug populate 1 a b c}]
    } {} {needs:debug}

    test {DEBUG ERROR replies with the given error} {
        assert_equal {my custom error} [err_of {r debug error "my custom error"}]
        assert_equal {ERR x} [err_of {r debug error "ERR x"}]
        set fd [raw_open]
        raw_send $fd "DEBUG ERROR \"no prefix\"\r\n"
        assert_equal "-no prefix\r\n" [raw_read_bytes $fd 12]
        close $fd
    } {} {needs:debug}

    test {DEBUG LOG writes to the server log} {
        assert_equal OK [r debug log "hello from the test suite"]
        wait_for_log {*DEBUG LOG: hello from the test suite*}
    } {} {needs:debug needs:redis-log external:skip}

    test {DEBUG SET-ACTIVE-EXPIRE} {
        assert_equal OK [r debug set-active-expire 0]
        assert_equal OK [r debug set-active-expire 1]
    } {} {needs:debug}

    test {DEBUG PROTOCOL and DEBUG HELP} {
        assert_equal 12345 [r debug protocol integer]
        set help [r debug help]
        assert_equal {DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:} [lindex $help 0]
        assert_equal {    Prints this help.} [lindex $help end]
    } {} {needs:debug}

    test {DEBUG unknown subcommand and arity} {
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.} [err_of {r debug foo}]
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.} [err_of {r debug sleep}]
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'log'. Try DEBUG HELP.} [err_of {r debug log}]
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'error'. Try DEBUG HELP.} [err_of {r debug error}]
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'set-active-expire'. Try DEBUG HELP.} [err_of {r debug set-active-expire}]
        assert_equal {ERR wrong number of arguments for 'debug' command} [err_of {r debug}]
    } {} {needs:debug}

    # ------------------------------------------------------------ MEMORY USAGE

    test {MEMORY USAGE of an existing key} {
        r set big [string repeat x 1000]
        set usage [r memory usage big]
        assert {[regexp {^[0-9]+$} $usage]}
        assert_morethan $usage 1000
        r set small 5
        assert_morethan [r memory usage small] 0
        assert_morethan [r memory usage big samples 0] 1000
        assert_morethan [r memory usage big samples 5] 1000
    }

    test {MEMORY USAGE grows with the value} {
        r set v [string repeat x 100]
        set a [r memory usage v]
        r set v [string repeat x 10000]
        assert_morethan [r memory usage v] [expr {$a + 9000}]
    }

    test {MEMORY USAGE of a missing key is nil} {
        assert_equal {} [r memory usage nokey]
        r readraw 1
        assert_equal {$-1} [r memory usage nokey]
        r readraw 0
    }

    test {MEMORY USAGE errors} {
        r set k v
        assert_equal {ERR syntax error} [err_of {r memory usage k samples}]
        assert_equal {ERR syntax error} [err_of {r memory usage k samples -1}]
        assert_equal {ERR syntax error} [err_of {r memory usage k foo}]
        assert_equal {ERR syntax error} [err_of {r memory usage k samples 1 2}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r memory usage k samples abc}]
        assert_equal {ERR wrong number of arguments for 'memory|usage' command} [err_of {r memory usage}]
        assert_equal {ERR wrong number of arguments for 'memory' command} [err_of {r memory}]
        assert_equal {ERR unknown subcommand 'foo'. Try MEMORY HELP.} [err_of {r memory foo}]
    }

    # ------------------------------------------------------------ SHUTDOWN errors

    test {SHUTDOWN syntax errors leave the server running} {
        foreach args {{foo} {nosave save} {save nosave} {now foo} {abort nosave} {nosave abort}} {
            assert_equal {ERR syntax error} [err_of {r shutdown {*}$args}] $args
        }
        assert_equal PONG [r ping]
    }

    test {SHUTDOWN ABORT without a shutdown in progress} {
        assert_equal {ERR No shutdown in progress.} [err_of {r shutdown abort}]
        assert_equal {ERR No shutdown in progress.} [err_of {r shutdown ABORT}]
        assert_equal PONG [r ping]
    }

    # ------------------------------------------------------------ CLIENT ID NAME

    test {CLIENT ID is a positive integer, unique and increasing} {
        set id [r client id]
        assert {[regexp {^[0-9]+$} $id]}
        assert_morethan $id 0
        assert_equal $id [r client id]
        set c [redis_client]
        set id2 [$c client id]
        assert_morethan $id2 $id
        $c close
        set c [redis_client]
        assert_morethan [$c client id] $id2
        $c close
        assert_equal {ERR wrong number of arguments for 'client|id' command} [err_of {r client id x}]
    }

    test {CLIENT GETNAME is nil until CLIENT SETNAME} {
        set c [redis_client]
        assert_equal {} [$c client getname]
        $c readraw 1
        assert_equal {$-1} [$c client getname]
        $c readraw 0
        assert_equal OK [$c client setname my-connection]
        assert_equal my-connection [$c client getname]
        # An empty name removes the name.
        assert_equal OK [$c client setname ""]
        assert_equal {} [$c client getname]
        $c close
    }

    test {CLIENT SETNAME name validation} {
        set msg {ERR Client names cannot contain spaces, newlines or special characters.}
        foreach name [list "a b" "a\nb" "a\rb" "tab\there" "\x7f" "caf\xe9" "\x00"] {
            assert_equal $msg [err_of {r client setname $name}]
        }
        # Every printable ASCII character other than space is allowed.
        assert_equal OK [r client setname {!~abc-_:;[]{}()<>@#$%^&*=+|\/'"?.,`}]
        assert_equal {!~abc-_:;[]{}()<>@#$%^&*=+|\/'"?.,`} [r client getname]
        r client setname ""
    }

    test {CLIENT SETNAME and GETNAME arity} {
        assert_equal {ERR wrong number of arguments for 'client|setname' command} [err_of {r client setname}]
        assert_equal {ERR wrong number of arguments for 'client|setname' command} [err_of {r client setname a b}]
        assert_equal {ERR wrong number of arguments for 'client|getname' command} [err_of {r client getname x}]
    }

    # ------------------------------------------------------------ CLIENT LIST INFO

    test {CLIENT INFO fields and their order} {
        set line [r client info]
        assert_equal "\n" [string index $line end]
        set d [client_fields $line]
        assert_equal $::client_fields_order [dict keys $d]
        assert_equal [r client id] [dict get $d id]
        assert_equal [client_addr [srv client]] [dict get $d addr]
        assert_equal "127.0.0.1:[srv port]" [dict get $d laddr]
        assert_equal N [dict get $d flags]
        assert_equal 0 [dict get $d db]
        assert_equal client|info [dict get $d cmd]
        assert_equal default [dict get $d user]
        assert_equal -1 [dict get $d multi]
        assert_equal -1 [dict get $d redir]
        assert_equal 2 [dict get $d resp]
        assert_equal {} [dict get $d name]
        foreach f {fd age idle sub psub ssub qbuf qbuf-free argv-mem multi-mem rbs rbp obl oll omem tot-mem} {
            assert {[regexp {^[0-9]+$} [dict get $d $f]]} "field $f: [dict get $d $f]"
        }
        assert_equal {ERR wrong number of arguments for 'client|info' command} [err_of {r client info x}]
    }

    test {CLIENT INFO follows the connection state} {
        set c [redis_client]
        $c select 5
        $c client setname info-test
        $c hello 3
        $c ping
        set d [client_fields [$c client info]]
        assert_equal info-test [dict get $d name]
        assert_equal 5 [dict get $d db]
        assert_equal 3 [dict get $d resp]
        $c close
    }

    test {CLIENT INFO and CLIENT LIST in RESP3 are verbatim strings} {
        set c [redis_client]
        $c hello 3
        $c readraw 1
        set hdr [$c client info]
        assert_match {=*} $hdr
        set body [read [$c channel] [expr {[string range $hdr 1 end] + 2}]]
        assert_match "txt:id=* resp=3 lib-name= lib-ver=\n\r\n" $body
        $c close
    }

    test {CLIENT LIST shows every connection, one per line} {
        set c1 [redis_client]
        set c2 [redis_client]
        set id1 [$c1 client id]
        set id2 [$c2 client id]
        $c1 client setname first
        $c2 client setname second
        $c2 select 2
        set list [r client list]
        assert_equal "\n" [string index $list end]
        set lines [split [string trimright $list "\n"] "\n"]
        assert_morethan_equal [llength $lines] 3
        foreach line $lines {
            assert_equal $::client_fields_order [dict keys [client_fields $line]] $line
        }
        set d1 [client_fields [client_line $id1]]
        set d2 [client_fields [client_line $id2]]
        assert_equal first [dict get $d1 name]
        assert_equal second [dict get $d2 name]
        assert_equal 2 [dict get $d2 db]
        assert_equal client|setname [dict get $d1 cmd]
        assert_equal select [dict get $d2 cmd]
        assert_equal [client_addr $c1] [dict get $d1 addr]
        set mine [client_fields [client_line [r client id]]]
        assert_equal client|list [dict get $mine cmd]
        $c1 close
        $c2 close
    }

    test {CLIENT LIST TYPE} {
        wait_for_condition 50 100 {[s connected_clients] == 1} else {
            fail "connections of earlier tests are still open"
        }
        set all [r client list]
        assert_equal [llength [split $all "\n"]] [llength [split [r client list type normal] "\n"]]
        assert_match "id=*" [r client list TYPE NORMAL]
        foreach type {master replica slave pubsub} {
            assert_equal {} [r client list type $type] $type
        }
        assert_equal {ERR Unknown client type 'foo'} [err_of {r client list type foo}]
        assert_equal {ERR syntax error} [err_of {r client list type}]
        assert_equal {ERR syntax error} [err_of {r client list type normal x}]
    }

    test {CLIENT LIST ID} {
        set c [redis_client]
        set id [$c client id]
        set myid [r client id]
        set list [r client list id $id]
        assert_match "id=$id *" $list
        assert_equal 1 [llength [split [string trimright $list "\n"] "\n"]]
        set both [r client list id $id $myid 999999999]
        assert_equal 2 [llength [split [string trimright $both "\n"] "\n"]]
        # Unknown or non-positive ids are simply not listed.
        assert_equal {} [r client list id 999999999]
        assert_equal {} [r client list id 0]
        assert_equal {} [r client list id -1]
        assert_equal {ERR Invalid client ID} [err_of {r client list id 1 abc}]
        assert_equal {ERR syntax error} [err_of {r client list id}]
        assert_equal {ERR syntax error} [err_of {r client list foo}]
        $c close
    }

    # ------------------------------------------------------------ CLIENT KILL

    test {CLIENT KILL old form closes the other connection} {
        set c [redis_client]
        $c ping
        assert_equal OK [r client kill [client_addr $c]]
        assert_error {*} {$c ping}
        $c close
        assert_equal PONG [r ping]
    }

    test {CLIENT KILL old form with an unknown address} {
        assert_equal {ERR No such client} [err_of {r client kill 1.2.3.4:5}]
        assert_equal {ERR No such client} [err_of {r client kill id}]
        assert_equal {ERR No such client} [err_of {r client kill nonsense}]
    }

    test {CLIENT KILL ID} {
        set c [redis_client]
        set id [$c client id]
        assert_equal 1 [r client kill id $id]
        assert_error {*} {$c ping}
        $c close
        assert_equal 0 [r client kill id $id]
        assert_equal 0 [r client kill id 999999999]
    }

    test {CLIENT KILL ADDR} {
        set c [redis_client]
        $c ping
        assert_equal 1 [r client kill addr [client_addr $c]]
        assert_error {*} {$c ping}
        $c close
        assert_equal 0 [r client kill addr 1.2.3.4:5]
    }

    test {CLIENT KILL closes the connection of a deferring client} {
        set fd [raw_open]
        raw_send $fd "CLIENT ID\r\n"
        set reply [raw_read_bytes $fd 3]
        after 50
        append reply [read $fd]
        set id [string trim [string range $reply 1 end]]
        assert_equal 1 [r client kill id $id]
        lassign [raw_read_to_eof $fd] data closed
        assert_equal {} $data
        assert_equal 1 $closed
        close $fd
    }

    test {CLIENT KILL MAXAGE kills only connections older than that} {
        set c [redis_client]
        $c ping
        # Nobody has been connected for an hour.
        assert_equal 0 [r client kill maxage 3600]
        after 2100
        set young [redis_client]
        $young ping
        # Combined with ID, so connections of the harness stay.
        assert_equal 0 [r client kill maxage 1 id [$young client id]]
        assert_equal 1 [r client kill maxage 1 id [$c client id]]
        assert_error {*} {$c ping}
        assert_equal PONG [$young ping]
        $c close
        $young close
        assert_equal {ERR maxage should be greater than 0} [err_of {r client kill maxage 0}]
        assert_equal {ERR maxage should be greater than 0} [err_of {r client kill maxage -5}]
        assert_equal {ERR maxage is not an integer or out of range} [err_of {r client kill maxage abc}]
    }

    test {CLIENT SETINFO sets lib-name and lib-ver, shown by CLIENT INFO and LIST} {
        set c [redis_client]
        assert_equal OK [$c client setinfo lib-name redis-py]
        assert_equal OK [$c client setinfo LIB-VER 5.0.1]
        set d [client_fields [$c client info]]
        assert_equal redis-py [dict get $d lib-name]
        assert_equal 5.0.1 [dict get $d lib-ver]
        assert_match "*id=[$c client id] *lib-name=redis-py lib-ver=5.0.1*" [r client list]
        # An empty value clears it.
        assert_equal OK [$c client setinfo lib-name {}]
        assert_equal {} [dict get [client_fields [$c client info]] lib-name]
        $c close
    }

    test {CLIENT SETINFO errors} {
        assert_equal {ERR Unrecognized option 'lib-foo'} [err_of {r client setinfo lib-foo x}]
        assert_equal {ERR lib-name cannot contain spaces, newlines or special characters.} [err_of {r client setinfo lib-name {a b}}]
        assert_equal {ERR LIB-VER cannot contain spaces, newlines or special characters.} [err_of {r client setinfo LIB-VER "1\n2"}]
        assert_equal {ERR wrong number of arguments for 'client|setinfo' command} [err_of {r client setinfo lib-name}]
        # Nothing was set by the failures.
        assert_equal {} [dict get [client_fields [r client info]] lib-name]
    }

    test {CLIENT KILL SKIPME} {
        set myid [r client id]
        # SKIPME defaults to yes.
        assert_equal 0 [r client kill id $myid]
        assert_equal 0 [r client kill id $myid skipme yes]
        assert_equal PONG [r ping]
        set c [redis_client]
        set cid [$c client id]
        assert_equal 1 [$c client kill id $cid skipme no]
        assert_error {*} {$c ping}
        $c close
    }

    test {CLIENT KILL TYPE and several filters} {
        wait_for_condition 50 100 {[s connected_clients] == 1} else {
            fail "connections of earlier tests are still open"
        }
        set c1 [redis_client]
        set c2 [redis_client]
        $c1 ping
        $c2 ping
        set before [s connected_clients]
        assert_equal 3 $before
        # Every normal client except the caller.
        assert_equal [expr {$before - 1}] [r client kill type normal]
        assert_error {*} {$c1 ping}
        assert_error {*} {$c2 ping}
        $c1 close
        $c2 close
        assert_equal PONG [r ping]
        set c3 [redis_client]
        # All the filters must match.
        assert_equal 0 [r client kill id [$c3 client id] addr 1.2.3.4:5]
        assert_equal 1 [r client kill id [$c3 client id] addr [client_addr $c3] type normal]
        $c3 close
    }

    test {CLIENT KILL of the calling connection replies first} {
        set fd [raw_open]
        raw_send $fd "CLIENT KILL TYPE normal SKIPME no\r\n"
        lassign [raw_read_to_eof $fd] data closed
        close $fd
        assert_match ":*\r\n" $data
        assert_equal 1 $closed
        reconnect
        assert_equal PONG [r ping]
    }

    test {CLIENT KILL errors} {
        assert_equal {ERR client-id should be greater than 0} [err_of {r client kill id 0}]
        assert_equal {ERR client-id should be greater than 0} [err_of {r client kill id -5}]
        assert_equal {ERR client-id should be greater than 0} [err_of {r client kill id abc}]
        assert_equal {ERR syntax error} [err_of {r client kill skipme foo}]
        assert_equal {ERR syntax error} [err_of {r client kill foo bar}]
        assert_equal {ERR syntax error} [err_of {r client kill id 1 foo}]
        assert_equal {ERR Unknown client type 'foo'} [err_of {r client kill type foo}]
        assert_equal {ERR No such user 'nosuch'} [err_of {r client kill user nosuch}]
        assert_equal {ERR wrong number of arguments for 'client|kill' command} [err_of {r client kill}]
    }

    # ------------------------------------------------------------ CLIENT misc

    test {CLIENT NO-EVICT} {
        set c [redis_client]
        assert_equal OK [$c client no-evict on]
        assert_equal e [dict get [client_fields [$c client info]] flags]
        assert_equal OK [$c client no-evict OFF]
        assert_equal N [dict get [client_fields [$c client info]] flags]
        assert_equal {ERR syntax error} [err_of {$c client no-evict foo}]
        assert_equal {ERR wrong number of arguments for 'client|no-evict' command} [err_of {$c client no-evict}]
        $c close
    }

    test {CLIENT UNBLOCK of a client that is not blocked} {
        assert_equal 0 [r client unblock [r client id]]
        assert_equal 0 [r client unblock 999999999]
        assert_equal 0 [r client unblock 0]
        assert_equal 0 [r client unblock 999999999 timeout]
        assert_equal 0 [r client unblock 999999999 ERROR]
    }

    test {CLIENT UNBLOCK argument errors} {
        assert_equal {ERR value is not an integer or out of range} [err_of {r client unblock abc}]
        assert_equal {ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR} [err_of {r client unblock 1 foo}]
        assert_equal {ERR wrong number of arguments for 'client|unblock' command} [err_of {r client unblock}]
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.} [err_of {r client unblock 1 error x}]
    }

    test {CLIENT HELP} {
        set help [r client help]
        # Redis 7.0.15's 48 lines, NO-TOUCH's 2 and SETINFO's 4 (7.2),
        # KILL MAXAGE's 2 (7.4).
        assert_equal 56 [llength $help]
        assert_equal {CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:} [lindex $help 0]
        foreach entry {{GETNAME} {ID} {INFO} {KILL <ip:port>} {SETNAME <name>} {REPLY (ON|OFF|SKIP)} {NO-EVICT (ON|OFF)} {UNBLOCK <clientid> [TIMEOUT|ERROR]} {HELP}} {
            assert {[lsearch -exact $help $entry] > 0} "missing '$entry'"
        }
        assert_equal {    Prints this help.} [lindex $help end]
    }

    test {CLIENT unknown subcommand and arity} {
        assert_equal {ERR unknown subcommand 'foo'. Try CLIENT HELP.} [err_of {r client foo}]
        assert_equal {ERR wrong number of arguments for 'client' command} [err_of {r client}]
    }
}

# ---------------------------------------------------------------- DEBUG disabled

start_server {tags {"server" needs:debug external:skip} overrides {enable-debug-command no}} {
    test {DEBUG is refused when enable-debug-command is no} {
        set msg {ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.}
        assert_equal $msg [err_of {r debug sleep 0}]
        assert_equal $msg [err_of {r debug help}]
        assert_equal $msg [err_of {r debug foo}]
        # Arity is checked first.
        assert_equal {ERR wrong number of arguments for 'debug' command} [err_of {r debug}]
        assert_equal {enable-debug-command no} [r config get enable-debug-command]
    }
}

# ---------------------------------------------------------------- SHUTDOWN

start_server {tags {"server" external:skip}} {
    test {SHUTDOWN NOSAVE closes the connection and the process exits} {
        set pid [srv pid]
        r set k v
        set fd [raw_open]
        raw_send $fd "SHUTDOWN NOSAVE\r\n"
        lassign [raw_read_to_eof $fd] data closed
        close $fd
        # No reply: the connection is just closed.
        assert_equal {} $data
        assert_equal 1 $closed
        wait_for_condition 100 100 {![process_is_alive $pid]} else {
            fail "server process $pid still running after SHUTDOWN NOSAVE"
        }
        # Start it again so the block ends with a running server.
        restart_server
        assert_equal PONG [r ping]
        # Nothing was saved.
        assert_equal 0 [r dbsize]
    }

    test {SHUTDOWN with a deferring client} {
        set pid [srv pid]
        set rd [redis_deferring_client]
        $rd shutdown nosave
        assert_error {*connection closed*} {$rd read}
        $rd close
        wait_for_condition 100 100 {![process_is_alive $pid]} else {
            fail "server process $pid still running after SHUTDOWN NOSAVE"
        }
        restart_server
        assert_equal PONG [r ping]
    }
}

# ---------------------------------------------------------------- maxclients

start_server {tags {"server" external:skip} overrides {maxclients 2}} {
    test {maxclients: the connection above the limit gets an error and is closed} {
        assert_equal {maxclients 2} [r config get maxclients]
        wait_for_condition 50 100 {[s connected_clients] == 1} else {
            fail "extra connections still open"
        }
        set c2 [redis_client]
        assert_equal PONG [$c2 ping]
        set fd [raw_open]
        raw_send $fd "PING\r\n"
        lassign [raw_read_to_eof $fd] data closed
        close $fd
        assert_equal "-ERR max number of clients reached\r\n" $data
        assert_equal 1 $closed
        assert_equal PONG [$c2 ping]
        assert_equal PONG [r ping]
        $c2 close
        assert_morethan_equal [s rejected_connections] 1
    }

    test {maxclients: a slot is free again after a client leaves} {
        wait_for_condition 50 100 {[s connected_clients] == 1} else {
            fail "client did not go away"
        }
        set c2 [redis_client]
        assert_equal PONG [$c2 ping]
        $c2 close
    }
}

# ---------------------------------------------------------------- timeout

start_server {tags {"server" external:skip} overrides {timeout 1}} {
    test {An idle client is disconnected after the timeout} {
        set fd [raw_open]
        raw_send $fd "PING\r\n"
        assert_equal "+PONG\r\n" [raw_read_bytes $fd 7]
        # timeout 1 closes clients idle for more than a second; the check is
        # periodic, so allow plenty of time.
        lassign [raw_read_to_eof $fd 15000] data closed
        close $fd
        assert_equal {} $data
        assert_equal 1 $closed
    }

    test {An active client is not disconnected} {
        set c [redis_client]
        set start [clock milliseconds]
        while {[clock milliseconds] - $start < 4000} {
            assert_equal PONG [$c ping]
            after 200
        }
        $c close
    }

    test {The default client reconnects after being timed out} {
        reconnect
        assert_equal {timeout 1} [r config get timeout]
        r config set timeout 0
        reconnect
        assert_equal {timeout 0} [r config get timeout]
    } {} {needs:config}
}

# ---------------------------------------------------------------- requirepass

start_server {tags {"server" external:skip} overrides {requirepass foobar}} {
    test {requirepass: commands need AUTH} {
        reconnect
        assert_equal {NOAUTH Authentication required.} [err_of {r ping}]
        assert_equal {NOAUTH Authentication required.} [err_of {r get k}]
    }

    test {requirepass: wrong password} {
        assert_equal {WRONGPASS invalid username-password pair or user is disabled.} [err_of {r auth wrong}]
        assert_equal {WRONGPASS invalid username-password pair or user is disabled.} [err_of {r auth default wrong}]
        assert_equal {NOAUTH Authentication required.} [err_of {r ping}]
    }

    test {requirepass: AUTH with the password} {
        assert_equal OK [r auth foobar]
        assert_equal PONG [r ping]
        assert_equal OK [r set k v]
        assert_equal v [r get k]
        # AUTH again with a wrong password does not log the client out.
        assert_equal {WRONGPASS invalid username-password pair or user is disabled.} [err_of {r auth wrong}]
        assert_equal PONG [r ping]
    }

    test {requirepass: AUTH default <password>} {
        set c [redis_client]
        assert_equal OK [$c auth default foobar]
        assert_equal v [$c get k]
        $c close
    }

    test {requirepass: CONFIG GET shows the password, CONFIG SET changes it} {
        assert_equal {requirepass foobar} [r config get requirepass]
        r config set requirepass newpass
        set c [redis_client]
        assert_equal {WRONGPASS invalid username-password pair or user is disabled.} [err_of {$c auth foobar}]
        assert_equal OK [$c auth newpass]
        $c close
        # The connection that is already authenticated stays so.
        assert_equal PONG [r ping]
    } {} {needs:config}

    test {requirepass: removing the password opens the server} {
        r config set requirepass ""
        set c [redis_client]
        assert_equal PONG [$c ping]
        assert_equal {ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?} [err_of {$c auth foobar}]
        $c close
    } {} {needs:config}
}
