# The RESP protocol as seen on the wire: inline and multibulk requests,
# protocol errors, pipelining, big and binary-safe values, RESP3 / HELLO,
# DEBUG PROTOCOL, authentication limits, command errors, PING ECHO QUIT
# RESET and CLIENT REPLY.
#
# Most tests talk to the server over raw sockets: every read has a deadline,
# so a server that does not answer (or does not close) fails the test
# instead of hanging it.

# ---------------------------------------------------------------- raw sockets

# These replace the helpers of support/raw.tcl in this file (connections
# to any server level, reads with a caller's deadline).

proc raw_open {{level 0}} {
    set fd [socket [srv $level host] [srv $level port]]
    fconfigure $fd -translation binary -buffering none -blocking 0
    lappend ::raw_fds $fd
    return $fd
}

proc raw_close {fd} {
    catch {close $fd}
    set idx [lsearch -exact $::raw_fds $fd]
    if {$idx >= 0} {
        set ::raw_fds [lreplace $::raw_fds $idx $idx]
    }
}

proc raw_close_all {} {
    foreach fd $::raw_fds {
        catch {close $fd}
    }
    set ::raw_fds {}
}

proc raw_send {fd data} {
    puts -nonewline $fd $data
    flush $fd
}

# Read until n bytes arrived, EOF, or the deadline; returns what was read.
proc raw_read_bytes {fd n {timeout_ms 10000}} {
    set buf {}
    set deadline [expr {[clock milliseconds] + $timeout_ms}]
    while {[string length $buf] < $n} {
        append buf [read $fd [expr {$n - [string length $buf]}]]
        if {[string length $buf] >= $n || [eof $fd]} {
            break
        }
        if {[clock milliseconds] > $deadline} {
            break
        }
        after 5
    }
    return $buf
}

# Read everything until the server closes the connection; returns
# {data closed} where closed is 1 if EOF was seen before the deadline.
proc raw_read_to_eof {fd {timeout_ms 5000}} {
    set buf {}
    set deadline [expr {[clock milliseconds] + $timeout_ms}]
    while 1 {
        if {[catch {read $fd} chunk]} {
            # A reset connection counts as closed.
            return [list $buf 1]
        }
        append buf $chunk
        if {[eof $fd]} {
            return [list $buf 1]
        }
        if {[clock milliseconds] > $deadline} {
            return [list $buf 0]
        }
        after 5
    }
}

# Read whatever arrives within ms milliseconds.
proc raw_read_for {fd ms} {
    set buf {}
    set deadline [expr {[clock milliseconds] + $ms}]
    while {[clock milliseconds] < $deadline} {
        append buf [read $fd]
        after 5
    }
    append buf [read $fd]
    return $buf
}

# Send data and expect exactly the reply bytes `expected`.
proc raw_expect {fd expected} {
    set got [raw_read_bytes $fd [string length $expected]]
    assert_equal [vis $got] [vis $expected]
}

# Send data on a fresh connection, expect `expected` and then the server
# closing the connection.
proc raw_expect_close {data expected} {
    set fd [raw_open]
    raw_send $fd $data
    lassign [raw_read_to_eof $fd] got closed
    raw_close $fd
    assert_equal [vis $got] [vis $expected]
    assert_equal 1 $closed "connection not closed after [vis $expected]"
}

# Printable form of protocol data for messages.
proc vis {s} {
    string map [list "\r" {\r} "\n" {\n}] $s
}

proc mbulk {args} {
    set out "*[llength $args]\r\n"
    foreach a $args {
        append out "\$[string length $a]\r\n$a\r\n"
    }
    return $out
}

# ---------------------------------------------------------------- readraw helpers

# The rest of a reply in readraw mode, given its first line, as wire bytes.
proc raw_rest {c line} {
    set out "$line\r\n"
    set n [string range $line 1 end]
    switch -exact -- [string index $line 0] {
        * - ~ - > {
            for {set i 0} {$i < $n} {incr i} {
                append out [raw_rest $c [$c read]]
            }
        }
        % - | {
            for {set i 0} {$i < 2 * $n} {incr i} {
                append out [raw_rest $c [$c read]]
            }
        }
        $ - = - ! {
            if {$n >= 0} {
                # Bulk payloads may contain newlines: read by length.
                set data [read [$c channel] [expr {$n + 2}]]
                append out $data
            }
        }
    }
    return $out
}

proc rawr {args} {
    set c [srv 0 client]
    $c readraw 1
    try {
        return [raw_rest $c [$c {*}$args]]
    } finally {
        $c readraw 0
    }
}

start_server {tags {"protocol"}} {

    # ------------------------------------------------------------ inline

    test {Inline commands} {
        set fd [raw_open]
        raw_send $fd "SET inline hello\r\nGET inline\r\n"
        raw_expect $fd "+OK\r\n\$5\r\nhello\r\n"
        raw_send $fd "  PiNg   \r\n"
        raw_expect $fd "+PONG\r\n"
        raw_close $fd
    }

    test {Inline commands terminated by LF only} {
        set fd [raw_open]
        raw_send $fd "PING\nECHO abc\n"
        raw_expect $fd "+PONG\r\n\$3\r\nabc\r\n"
        raw_close $fd
    }

    test {Inline commands with double quotes and escapes} {
        set fd [raw_open]
        raw_send $fd "SET q \"hello world\"\r\nGET q\r\n"
        raw_expect $fd "+OK\r\n\$11\r\nhello world\r\n"
        raw_send $fd "ECHO \"\\x41\\x42\\x7a\"\r\n"
        raw_expect $fd "\$3\r\nABz\r\n"
        raw_send $fd "ECHO \"a\\nb\\tc\\\"d\\\\e\"\r\n"
        raw_expect $fd "\$9\r\na\nb\tc\"d\\e\r\n"
        # An invalid hex escape keeps the x, an unknown escape the character.
        raw_send $fd "ECHO \"\\x4g\"\r\nECHO \"a\\qb\"\r\n"
        raw_expect $fd "\$3\r\nx4g\r\n\$3\r\naqb\r\n"
        raw_close $fd
    }

    test {Inline commands with single quotes} {
        set fd [raw_open]
        raw_send $fd "ECHO 'it\\'s'\r\nECHO 'a\\nb'\r\nECHO ''\r\nECHO \"\"\r\n"
        raw_expect $fd "\$4\r\nit's\r\n\$4\r\na\\nb\r\n\$0\r\n\r\n\$0\r\n\r\n"
        raw_close $fd
    }

    test {Inline quotes may start inside a word} {
        set fd [raw_open]
        raw_send $fd "ECHO a\"b c\"\r\n"
        raw_expect $fd "\$4\r\nab c\r\n"
        raw_close $fd
    }

    test {Inline unbalanced quotes: protocol error and the connection is closed} {
        set err "-ERR Protocol error: unbalanced quotes in request\r\n"
        raw_expect_close "SET a \"unterminated\r\nPING\r\n" $err
        raw_expect_close "SET a 'unterminated\r\n" $err
        # A closing quote must be followed by a space or the end.
        raw_expect_close "SET a \"foo\"bar\r\n" $err
        raw_expect_close "SET a 'foo'bar\r\n" $err
    }

    test {Empty lines are ignored} {
        set fd [raw_open]
        raw_send $fd "\r\n\r\n\n   \r\nPING\r\n"
        raw_expect $fd "+PONG\r\n"
        assert_equal {} [raw_read_for $fd 100]
        raw_close $fd
    }

    test {Inline command split across writes} {
        set fd [raw_open]
        foreach piece {"SE" "T spl" "it va" "lue\r" "\nGET split" "\r\n"} {
            raw_send $fd $piece
            after 5
        }
        raw_expect $fd "+OK\r\n\$5\r\nvalue\r\n"
        raw_close $fd
    }

    # ------------------------------------------------------------ multibulk

    test {Multibulk request split across many small writes} {
        set fd [raw_open]
        set req [mbulk SET split-mb "hello\r\nworld"]
        append req [mbulk GET split-mb]
        foreach ch [split $req {}] {
            raw_send $fd $ch
        }
        raw_expect $fd "+OK\r\n\$12\r\nhello\r\nworld\r\n"
        raw_close $fd
    }

    test {Multibulk request with the bulk header and payload in separate writes} {
        set fd [raw_open]
        raw_send $fd "*2\r\n\$4\r\nECHO\r\n\$10\r\n"
        after 50
        raw_send $fd "0123"
        after 50
        raw_send $fd "456789\r"
        after 50
        raw_send $fd "\n"
        raw_expect $fd "\$10\r\n0123456789\r\n"
        raw_close $fd
    }

    test {*0 and negative multibulk counts are ignored} {
        set fd [raw_open]
        raw_send $fd "*0\r\n*-1\r\n*-5\r\nPING\r\n"
        raw_expect $fd "+PONG\r\n"
        assert_equal {} [raw_read_for $fd 100]
        raw_close $fd
    }

    test {Inline and multibulk requests can be mixed} {
        set fd [raw_open]
        raw_send $fd "PING\r\n[mbulk ECHO x]PING\r\n"
        raw_expect $fd "+PONG\r\n\$1\r\nx\r\n+PONG\r\n"
        raw_close $fd
    }

    test {An empty command name is an unknown command} {
        set fd [raw_open]
        raw_send $fd "*1\r\n\$0\r\n\r\n"
        raw_expect $fd "-ERR unknown command '', with args beginning with: \r\n"
        raw_close $fd
    }

    test {Invalid multibulk length} {
        set err "-ERR Protocol error: invalid multibulk length\r\n"
        raw_expect_close "*abc\r\n" $err
        raw_expect_close "*\r\n" $err
        raw_expect_close "*1 \r\n" $err
        raw_expect_close "* 1\r\n" $err
        raw_expect_close "*+1\r\n" $err
        raw_expect_close "*01\r\n" $err
        raw_expect_close "*2147483648\r\n" $err
        raw_expect_close "*99999999999999999999\r\n" $err
    }

    test {Large multibulk counts are accepted while waiting for arguments} {
        set fd [raw_open]
        raw_send $fd "*2147483647\r\n"
        assert_equal {} [raw_read_for $fd 200]
        assert_equal {PONG} [r ping]
        raw_close $fd
    }

    test {Expected a bulk header} {
        raw_expect_close "*1\r\nx\r\n" "-ERR Protocol error: expected '\$', got 'x'\r\n"
        raw_expect_close "*2\r\n\$4\r\nECHO\r\n:1\r\n" "-ERR Protocol error: expected '\$', got ':'\r\n"
        # A bulk longer than announced: the extra bytes are taken as the next header.
        raw_expect_close "*2\r\n\$4\r\nf\r\noo\r\n\$1\r\nc\r\n" "-ERR Protocol error: expected '\$', got ' '\r\n"
    }

    test {Invalid bulk length} {
        set err "-ERR Protocol error: invalid bulk length\r\n"
        raw_expect_close "*1\r\n\$-1\r\n" $err
        raw_expect_close "*1\r\n\$-2\r\n" $err
        raw_expect_close "*1\r\n\$abc\r\n" $err
        raw_expect_close "*1\r\n\$\r\n" $err
        raw_expect_close "*1\r\n\$04\r\nPING\r\n" $err
        raw_expect_close "*1\r\n\$+4\r\nPING\r\n" $err
        raw_expect_close "*2\r\n\$4\r\nECHO\r\n\$-1\r\n" $err
        raw_expect_close "*1\r\n\$99999999999999999999999\r\n" $err
    }

    test {Bulk length above the default proto-max-bulk-len (512mb)} {
        raw_expect_close "*1\r\n\$536870913\r\n" "-ERR Protocol error: invalid bulk length\r\n"
    }

    test {Bulk length above a configured proto-max-bulk-len} {
        set err "-ERR Protocol error: invalid bulk length\r\n"
        r config set proto-max-bulk-len 1mb
        try {
            raw_expect_close "*2\r\n\$4\r\nECHO\r\n\$1048577\r\n" $err
            set fd [raw_open]
            raw_send $fd "*2\r\n\$4\r\nECHO\r\n\$1048576\r\n"
            raw_send $fd "[string repeat x 1048576]\r\n"
            set got [raw_read_bytes $fd [expr {1048576 + 12}]]
            assert_equal "\$1048576\r\n" [string range $got 0 9]
            raw_close $fd
            assert_equal [expr {1048576 + 12}] [string length $got]
        } finally {
            r config set proto-max-bulk-len 512mb
        }
    } {} {needs:config}

    test {Too big inline request} {
        raw_expect_close [string repeat a 70000] "-ERR Protocol error: too big inline request\r\n"
        raw_expect_close "SET a [string repeat b 70000]" "-ERR Protocol error: too big inline request\r\n"
    }

    test {An inline request of 64KB without a newline is still accepted} {
        set fd [raw_open]
        raw_send $fd "ECHO [string repeat x 65531]"
        assert_equal {} [raw_read_for $fd 200]
        raw_send $fd "\r\n"
        set got [raw_read_bytes $fd [expr {65531 + 10}]]
        assert_equal "\$65531\r\n[string repeat x 65531]\r\n" $got
        raw_close $fd
    }

    test {Too big multibulk and bulk count strings} {
        raw_expect_close "*[string repeat 1 70000]" "-ERR Protocol error: too big mbulk count string\r\n"
        raw_expect_close "*1\r\n\$[string repeat 1 70000]" "-ERR Protocol error: too big bulk count string\r\n"
    }

    test {Replies already queued are sent before the protocol error} {
        raw_expect_close "PING\r\n[mbulk ECHO hi]*abc\r\nPING\r\n" "+PONG\r\n\$2\r\nhi\r\n-ERR Protocol error: invalid multibulk length\r\n"
    }

    test {The server keeps working after protocol errors} {
        assert_equal PONG [r ping]
        set info [r info stats]
        assert {[string is integer -strict [getInfoProperty $info total_connections_received]]}
    }

    # ------------------------------------------------------------ pipelining, big values

    test {1000 pipelined commands in one write are answered in order} {
        r del pipe
        set fd [raw_open]
        set req {}
        set want {}
        for {set i 1} {$i <= 1000} {incr i} {
            append req [mbulk INCR pipe]
            append want ":$i\r\n"
        }
        raw_send $fd $req
        raw_expect $fd $want
        raw_close $fd
        assert_equal 1000 [r get pipe]
    }

    test {Pipelined SET and GET of different keys} {
        set fd [raw_open]
        set req {}
        set want {}
        for {set i 0} {$i < 500} {incr i} {
            append req [mbulk SET pk:$i v$i] [mbulk GET pk:$i]
            append want "+OK\r\n\$[string length v$i]\r\nv$i\r\n"
        }
        raw_send $fd $req
        raw_expect $fd $want
        raw_close $fd
    }

    test {A 10MB value written in pieces is stored and read back intact} {
        set chunk [string repeat "0123456789abcdefghijklmnopqrstuv" 32768]
        set size [expr {10 * [string length $chunk]}]
        set fd [raw_open]
        fconfigure $fd -blocking 1
        raw_send $fd "*3\r\n\$3\r\nSET\r\n\$7\r\nbig-val\r\n\$$size\r\n"
        for {set i 0} {$i < 10} {incr i} {
            raw_send $fd $chunk
        }
        raw_send $fd "\r\n"
        fconfigure $fd -blocking 0
        raw_expect $fd "+OK\r\n"
        raw_close $fd
        assert_equal $size [r strlen big-val]
        set v [r get big-val]
        assert_equal $size [string length $v]
        assert_equal [string repeat $chunk 10] $v
        r del big-val
    }

    test {Keys and values are binary safe} {
        set key "k\r\n\x00\xff"
        set val "\x00\r\n\$3\r\n*1\r\n\x00"
        set fd [raw_open]
        raw_send $fd [mbulk SET $key $val]
        raw_send $fd [mbulk GET $key]
        raw_expect $fd "+OK\r\n\$[string length $val]\r\n$val\r\n"
        raw_close $fd
        assert_equal $val [r get $key]
        assert_equal 1 [r exists $key]
        assert_equal 0 [r exists "k\r\n"]
    }

    # ------------------------------------------------------------ HELLO / RESP3

    test {HELLO 3 replies with a map of 7 fields} {
        set c [redis_client]
        $c readraw 1
        set raw [raw_rest $c [$c hello 3]]
        $c close
        set re "^%7\r\n\\\$6\r\nserver\r\n\\\$5\r\nredis\r\n\\\$7\r\nversion\r\n\\\$\\d+\r\n7\\.\[0-9.\]+\r\n\\\$5\r\nproto\r\n:3\r\n\\\$2\r\nid\r\n:\\d+\r\n\\\$4\r\nmode\r\n\\\$10\r\nstandalone\r\n\\\$4\r\nrole\r\n\\\$6\r\nmaster\r\n\\\$7\r\nmodules\r\n\\*0\r\n\$"
        assert {[regexp $re $raw]} [vis $raw]
    }

    test {HELLO fields} {
        set c [redis_client]
        set reply [$c hello 3]
        assert_equal {server version proto id mode role modules} [dict keys $reply]
        assert_equal redis [dict get $reply server]
        assert_match {7.*} [dict get $reply version]
        assert_equal [s redis_version] [dict get $reply version]
        assert_equal 3 [dict get $reply proto]
        assert_equal [$c client id] [dict get $reply id]
        assert_equal standalone [dict get $reply mode]
        assert_equal master [dict get $reply role]
        assert_equal {} [dict get $reply modules]
        $c close
    }

    test {HELLO 2 and HELLO without arguments reply with a flat array} {
        set c [redis_client]
        $c readraw 1
        set raw [raw_rest $c [$c hello 2]]
        assert_match "\\*14\r\n\$6\r\nserver\r\n*\$5\r\nproto\r\n:2\r\n*" $raw
        # Without a version HELLO only reports, in the current protocol.
        set raw [raw_rest $c [$c hello]]
        assert_match "\\*14\r\n*\$5\r\nproto\r\n:2\r\n*" $raw
        raw_rest $c [$c hello 3]
        set raw [raw_rest $c [$c hello]]
        assert_match "%7\r\n*\$5\r\nproto\r\n:3\r\n*" $raw
        $c close
    }

    test {HELLO with an unsupported protocol version} {
        assert_equal {NOPROTO unsupported protocol version} [err_of {r hello 4}]
        assert_equal {NOPROTO unsupported protocol version} [err_of {r hello 1}]
        assert_equal {NOPROTO unsupported protocol version} [err_of {r hello 0}]
        assert_equal {NOPROTO unsupported protocol version} [err_of {r hello -1}]
        assert_equal {ERR Protocol version is not an integer or out of range} [err_of {r hello abc}]
        assert_equal {ERR Protocol version is not an integer or out of range} [err_of {r hello 3.0}]
        assert_equal {ERR Protocol version is not an integer or out of range} [err_of {r hello setname x}]
        # The connection is still in RESP2.
        assert_equal "\$-1\r\n" [rawr get nokey]
    }

    test {HELLO option errors} {
        assert_equal {ERR Syntax error in HELLO option 'x'} [err_of {r hello 3 x}]
        assert_equal {ERR Syntax error in HELLO option 'foo'} [err_of {r hello 3 foo bar}]
        assert_equal {ERR Syntax error in HELLO option 'setname'} [err_of {r hello 3 setname}]
        assert_equal {ERR Syntax error in HELLO option 'auth'} [err_of {r hello 3 auth default}]
        assert_equal {ERR Syntax error in HELLO option 'auth'} [err_of {r hello 2 auth}]
        assert_equal {ERR Client names cannot contain spaces, newlines or special characters.} [err_of {r hello 3 setname "a b"}]
        assert_equal "\$-1\r\n" [rawr get nokey]
    }

    test {HELLO SETNAME sets the client name} {
        set c [redis_client]
        $c hello 3 setname first
        assert_equal first [$c client getname]
        $c hello 2 setname a setname second
        assert_equal second [$c client getname]
        $c close
    }

    test {HELLO AUTH without a configured password accepts any password} {
        # The default user has nopass, so every password matches.
        set c [redis_client]
        set reply [$c hello 3 auth default anything]
        assert_equal 3 [dict get $reply proto]
        assert_equal {WRONGPASS invalid username-password pair or user is disabled.} [err_of {$c hello 3 auth nosuchuser x}]
        $c close
    }

    test {RESP3 null replies} {
        set c [redis_client]
        $c hello 3
        $c select 14
        $c readraw 1
        assert_equal "_\r\n" [raw_rest $c [$c get nokey]]
        assert_equal "*2\r\n_\r\n_\r\n" [raw_rest $c [$c mget nokey nokey2]]
        assert_equal "_\r\n" [raw_rest $c [$c randomkey]]
        assert_equal "_\r\n" [raw_rest $c [$c getdel nokey]]
        $c readraw 0
        $c hello 2
        $c readraw 1
        assert_equal "\$-1\r\n" [raw_rest $c [$c get nokey]]
        assert_equal "*2\r\n\$-1\r\n\$-1\r\n" [raw_rest $c [$c mget nokey nokey2]]
        $c close
    }

    test {RESP3 keeps simple types the same} {
        set c [redis_client]
        $c hello 3
        $c readraw 1
        assert_equal "+OK\r\n" [raw_rest $c [$c set r3 v]]
        assert_equal "\$1\r\nv\r\n" [raw_rest $c [$c get r3]]
        assert_equal ":1\r\n" [raw_rest $c [$c exists r3]]
        assert_equal "+PONG\r\n" [raw_rest $c [$c ping]]
        assert_equal "-ERR wrong number of arguments for 'get' command\r\n" [raw_rest $c [$c get]]
        $c close
    }

    # ------------------------------------------------------------ DEBUG PROTOCOL

    test {DEBUG PROTOCOL in RESP2} {
        foreach {type expected} {
            string   "\$11\r\nHello World\r\n"
            integer  ":12345\r\n"
            double   "\$5\r\n3.141\r\n"
            bignum   "\$37\r\n1234567999999999999999999999999999999\r\n"
            null     "\$-1\r\n"
            array    "*3\r\n:0\r\n:1\r\n:2\r\n"
            set      "*3\r\n:0\r\n:1\r\n:2\r\n"
            map      "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n"
            attrib   "\$39\r\nSome real reply following the attribute\r\n"
            push     "-ERR RESP2 is not supported by this command\r\n"
            verbatim "\$25\r\nThis is a verbatim\nstring\r\n"
            true     ":1\r\n"
            false    ":0\r\n"
        } {
            set fd [raw_open]
            raw_send $fd [mbulk DEBUG PROTOCOL $type]
            raw_expect $fd $expected
            assert_equal {} [raw_read_for $fd 20] $type
            raw_close $fd
        }
    } {} {needs:debug}

    test {DEBUG PROTOCOL in RESP3} {
        foreach {type expected} {
            string   "\$11\r\nHello World\r\n"
            integer  ":12345\r\n"
            double   ",3.141\r\n"
            bignum   "(1234567999999999999999999999999999999\r\n"
            null     "_\r\n"
            array    "*3\r\n:0\r\n:1\r\n:2\r\n"
            set      "~3\r\n:0\r\n:1\r\n:2\r\n"
            map      "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"
            attrib   "|1\r\n\$14\r\nkey-popularity\r\n*2\r\n\$7\r\nkey:123\r\n:90\r\n\$39\r\nSome real reply following the attribute\r\n"
            push     ">2\r\n\$16\r\nserver-cpu-usage\r\n:42\r\n\$40\r\nSome real reply following the push reply\r\n"
            verbatim "=29\r\ntxt:This is a verbatim\nstring\r\n"
            true     "#t\r\n"
            false    "#f\r\n"
        } {
            set fd [raw_open]
            raw_send $fd [mbulk HELLO 3]
            # Skip the HELLO reply: it ends with the empty modules array.
            set hello {}
            set deadline [expr {[clock milliseconds] + 5000}]
            while {![string match "*modules\r\n\\*0\r\n" $hello] && [clock milliseconds] < $deadline} {
                append hello [read $fd]
                after 2
            }
            raw_send $fd [mbulk DEBUG PROTOCOL $type]
            raw_expect $fd $expected
            assert_equal {} [raw_read_for $fd 20] $type
            raw_close $fd
        }
    } {} {needs:debug}

    test {DEBUG PROTOCOL with an unknown type} {
        assert_equal {ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false} [err_of {r debug protocol foo}]
    } {} {needs:debug}

    # ------------------------------------------------------------ command errors

    test {Unknown command error echoes the arguments} {
        assert_equal {ERR unknown command 'foo', with args beginning with: } [err_of {r foo}]
        assert_equal {ERR unknown command 'foo', with args beginning with: 'a' 'b' } [err_of {r foo a b}]
        assert_equal {ERR unknown command 'FooBar', with args beginning with: '' } [err_of {r FooBar ""}]
        set fd [raw_open]
        raw_send $fd "foo a b\r\n"
        raw_expect $fd "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"
        raw_close $fd
    }

    test {Unknown command error truncates to 128 characters} {
        set a [string repeat a 200]
        assert_equal "ERR unknown command 'foo', with args beginning with: '[string repeat a 128]' " [err_of {r foo $a x y}]
        set c [string repeat c 200]
        assert_equal "ERR unknown command '[string repeat c 128]', with args beginning with: 'x' " [err_of {r $c x}]
        # Arguments are added while the list is shorter than 128 characters,
        # the last one is cut so the list does not exceed 128.
        set a [string repeat a 100]
        set b [string repeat b 100]
        assert_equal "ERR unknown command 'foo', with args beginning with: '$a' '[string repeat b 25]' " [err_of {r foo $a $b c}]
    }

    test {Newlines in error messages are replaced by spaces} {
        assert_equal "ERR unknown command 'foo', with args beginning with: 'a  b' 'c' " [err_of {r foo "a\r\nb" c}]
        assert_equal "ERR unknown command 'x y', with args beginning with: " [err_of {r "x\ny"}]
    }

    test {Wrong arity errors name the command in lower case} {
        assert_equal {ERR wrong number of arguments for 'get' command} [err_of {r get}]
        assert_equal {ERR wrong number of arguments for 'get' command} [err_of {r GET}]
        assert_equal {ERR wrong number of arguments for 'set' command} [err_of {r SeT x}]
        assert_equal {ERR wrong number of arguments for 'ping' command} [err_of {r ping a b}]
        assert_equal {ERR wrong number of arguments for 'echo' command} [err_of {r echo}]
        assert_equal {ERR wrong number of arguments for 'echo' command} [err_of {r echo a b}]
    }

    test {Wrong arity of subcommands names command|subcommand} {
        assert_equal {ERR wrong number of arguments for 'config|get' command} [err_of {r config get}]
        assert_equal {ERR wrong number of arguments for 'config|get' command} [err_of {r CONFIG GET}]
        assert_equal {ERR wrong number of arguments for 'client|reply' command} [err_of {r client reply}]
        assert_equal {ERR wrong number of arguments for 'object|encoding' command} [err_of {r object encoding}]
        assert_equal {ERR wrong number of arguments for 'config' command} [err_of {r config}]
        assert_equal {ERR unknown subcommand 'FoO'. Try CONFIG HELP.} [err_of {r config FoO}]
    }

    # ------------------------------------------------------------ PING ECHO QUIT

    test {PING} {
        assert_equal "+PONG\r\n" [rawr ping]
        assert_equal "\$5\r\nhello\r\n" [rawr ping hello]
        assert_equal "\$0\r\n\r\n" [rawr ping ""]
        assert_equal "\$4\r\nPONG\r\n" [rawr ping PONG]
    }

    test {ECHO} {
        assert_equal "\$5\r\nhello\r\n" [rawr echo hello]
        assert_equal "\$0\r\n\r\n" [rawr echo ""]
        set v "a\x00b\r\nc"
        assert_equal $v [r echo $v]
    }

    test {QUIT replies +OK and closes the connection} {
        set fd [raw_open]
        raw_send $fd "[mbulk QUIT]PING\r\n"
        lassign [raw_read_to_eof $fd] got closed
        raw_close $fd
        assert_equal "+OK\r\n" $got
        assert_equal 1 $closed
        # Extra arguments are accepted.
        raw_expect_close [mbulk QUIT now please] "+OK\r\n"
    }

    test {QUIT with a deferring client} {
        set rd [redis_deferring_client]
        $rd ping
        $rd quit
        assert_equal PONG [$rd read]
        assert_equal OK [$rd read]
        assert_error {*connection closed*} {$rd read}
        $rd close
    }

    # ------------------------------------------------------------ RESET

    test {RESET replies +RESET and restores the connection state} {
        set c [redis_client]
        $c hello 3
        $c select 2
        $c client setname before-reset
        $c readraw 1
        assert_equal "+RESET\r\n" [raw_rest $c [$c reset]]
        # Back to RESP2, database 0 and no name.
        assert_equal "\$-1\r\n" [raw_rest $c [$c client getname]]
        assert_equal "\$-1\r\n" [raw_rest $c [$c get nokey]]
        $c readraw 0
        assert_match {*db=0 *resp=2*} [$c client info]
        $c close
    }

    test {RESET turns CLIENT REPLY back on} {
        set fd [raw_open]
        raw_send $fd "CLIENT REPLY OFF\r\nRESET\r\nPING\r\n"
        raw_expect $fd "+RESET\r\n+PONG\r\n"
        raw_close $fd
    }

    test {RESET arity} {
        assert_equal {ERR wrong number of arguments for 'reset' command} [err_of {r reset a}]
    }

    # ------------------------------------------------------------ CLIENT REPLY

    test {CLIENT REPLY OFF suppresses every reply until ON} {
        set rd [redis_deferring_client]
        $rd client reply off
        $rd set cr 1
        $rd get cr
        $rd foo
        $rd client reply on
        $rd ping marker
        # Only the replies of CLIENT REPLY ON and the PING arrive.
        assert_equal OK [$rd read]
        assert_equal marker [$rd read]
        $rd close
        assert_equal 1 [r get cr]
    }

    test {CLIENT REPLY SKIP suppresses the reply of the next command only} {
        set rd [redis_deferring_client]
        $rd client reply skip
        $rd ping one
        $rd ping two
        assert_equal two [$rd read]
        $rd close
    }

    test {CLIENT REPLY SKIP also suppresses error replies} {
        set fd [raw_open]
        raw_send $fd "CLIENT REPLY SKIP\r\nFOO\r\nPING\r\n"
        raw_expect $fd "+PONG\r\n"
        assert_equal {} [raw_read_for $fd 50]
        raw_close $fd
    }

    test {CLIENT REPLY SKIP twice in a row} {
        # The second SKIP is itself skipped and skips the next command.
        set fd [raw_open]
        raw_send $fd "CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nPING 1\r\nPING 2\r\n"
        raw_expect $fd "\$1\r\n2\r\n"
        raw_close $fd
    }

    test {CLIENT REPLY ON right after SKIP replies +OK} {
        set fd [raw_open]
        raw_send $fd "CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING 2\r\n"
        raw_expect $fd "+OK\r\n\$1\r\n2\r\n"
        raw_close $fd
    }

    test {CLIENT REPLY errors} {
        assert_equal {ERR syntax error} [err_of {r client reply foo}]
        assert_equal {ERR wrong number of arguments for 'client|reply' command} [err_of {r client reply on off}]
        assert_equal OK [r client reply on]
    }

    test {Cleanup of raw connections} {
        raw_close_all
        assert_equal PONG [r ping]
    }
}

# ---------------------------------------------------------------- authentication

start_server {tags {"protocol" "auth" external:skip} overrides {requirepass secret}} {

    test {Commands before AUTH get NOAUTH} {
        set fd [raw_open]
        raw_send $fd "GET foo\r\n"
        raw_expect $fd "-NOAUTH Authentication required.\r\n"
        raw_send $fd [mbulk SET foo bar]
        raw_expect $fd "-NOAUTH Authentication required.\r\n"
        raw_close $fd
    }

    test {Unknown commands and arity errors come before NOAUTH} {
        set fd [raw_open]
        raw_send $fd "FOO\r\nGET\r\n"
        raw_expect $fd "-ERR unknown command 'FOO', with args beginning with: \r\n-ERR wrong number of arguments for 'get' command\r\n"
        raw_close $fd
    }

    test {QUIT, AUTH and HELLO do not need authentication} {
        set fd [raw_open]
        raw_send $fd "AUTH wrong\r\n"
        raw_expect $fd "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        raw_send $fd "AUTH default wrong\r\n"
        raw_expect $fd "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        raw_send $fd "AUTH nosuchuser secret\r\n"
        raw_expect $fd "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        raw_send $fd "AUTH secret\r\nGET foo\r\n"
        raw_expect $fd "+OK\r\n\$-1\r\n"
        raw_close $fd
        set fd [raw_open]
        raw_send $fd "AUTH default secret\r\nPING\r\n"
        raw_expect $fd "+OK\r\n+PONG\r\n"
        raw_close $fd
        raw_expect_close "QUIT\r\n" "+OK\r\n"
    }

    test {AUTH syntax} {
        set fd [raw_open]
        raw_send $fd "AUTH a b c\r\nAUTH\r\n"
        raw_expect $fd "-ERR syntax error\r\n-ERR wrong number of arguments for 'auth' command\r\n"
        raw_close $fd
    }

    test {HELLO before authentication} {
        set fd [raw_open]
        raw_send $fd "HELLO 3\r\n"
        raw_expect $fd "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n"
        raw_send $fd "HELLO 3 AUTH default wrong\r\n"
        raw_expect $fd "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        raw_send $fd "HELLO 3 AUTH default secret SETNAME authed\r\n"
        set got [raw_read_bytes $fd 4]
        assert_equal "%7\r\n" $got
        raw_close $fd
        set c [redis_client]
        set reply [$c hello 3 auth default secret]
        assert_equal 3 [dict get $reply proto]
        assert_equal PONG [$c ping]
        $c close
    }

    test {Unauthenticated clients: multibulk length limited to 10} {
        set fd [raw_open]
        raw_send $fd "*10\r\n"
        assert_equal {} [raw_read_for $fd 100]
        raw_close $fd
        raw_expect_close "*11\r\n" "-ERR Protocol error: unauthenticated multibulk length\r\n"
    }

    test {Unauthenticated clients: bulk length limited to 16384} {
        set fd [raw_open]
        raw_send $fd "*1\r\n\$16384\r\n"
        assert_equal {} [raw_read_for $fd 100]
        raw_close $fd
        raw_expect_close "*1\r\n\$16385\r\n" "-ERR Protocol error: unauthenticated bulk length\r\n"
    }

    test {Authenticated clients have no such limits} {
        set fd [raw_open]
        raw_send $fd "AUTH secret\r\n"
        raw_expect $fd "+OK\r\n"
        set args {}
        for {set i 0} {$i < 20} {incr i} {
            lappend args k$i v$i
        }
        raw_send $fd [mbulk MSET {*}$args]
        raw_expect $fd "+OK\r\n"
        set big [string repeat x 20000]
        raw_send $fd [mbulk ECHO $big]
        raw_expect $fd "\$20000\r\n$big\r\n"
        raw_close $fd
    }

    test {Inline requests of unauthenticated clients are not limited to 10 arguments} {
        set fd [raw_open]
        raw_send $fd "PING a b c d e f g h i j k l\r\n"
        raw_expect $fd "-NOAUTH Authentication required.\r\n"
        raw_close $fd
    }

    test {Cleanup of raw connections (auth)} {
        raw_close_all
    }
}

start_server {tags {"protocol" "auth"}} {
    test {AUTH without a configured password} {
        assert_equal {ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?} [err_of {r auth foo}]
        # With a user name, the nopass default user accepts anything.
        assert_equal OK [r auth default foo]
        assert_equal {WRONGPASS invalid username-password pair or user is disabled.} [err_of {r auth nosuchuser foo}]
    }
}
