# Pub/Sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE
# SUNSUBSCRIBE PUBLISH SPUBLISH and PUBSUB, the RESP2 subscribed context,
# RESP3 push frames, glob patterns, cleanup on disconnect, CLIENT LIST and
# INFO fields.
#
# Subscribers are deferring clients: each (un)subscribe reply and each
# message is one frame read with `$rd read`.  To check that nothing else
# arrived, `pending_frames` sends a PING and returns every frame that came
# before its reply: messages published before the PING was sent are always
# written to the subscriber first.

# A deferring client; in RESP3 when proto is 3.
proc ps_client {{proto 2}} {
    set rd [redis_deferring_client]
    if {$proto == 3} {
        $rd hello 3
        $rd read
    }
    return $rd
}

# Send a (un)subscribe-like command and read n reply frames (by default one
# per argument, at least one); returns the list of frames.
proc ps_cmd {rd n cmd args} {
    $rd $cmd {*}$args
    if {$n eq {}} {
        set n [expr {[llength $args] ? [llength $args] : 1}]
    }
    set frames {}
    for {set i 0} {$i < $n} {incr i} {
        lappend frames [$rd read]
    }
    return $frames
}

# The counts (third element) of a list of subscription frames.
proc ps_counts {frames} {
    set out {}
    foreach f $frames {
        lappend out [lindex $f 2]
    }
    return $out
}

# Wait until no channel, pattern or shard channel has subscribers (closed
# clients of earlier tests are cleaned up asynchronously).
proc wait_clean {} {
    wait_for_condition 100 10 {
        [r pubsub numpat] == 0 && [r pubsub channels] eq {} && [r pubsub shardchannels] eq {}
    } else {
        fail "subscriptions of earlier tests still present"
    }
}

start_server {tags {"pubsub"}} {

    # ------------------------------------------------------------ SUBSCRIBE / UNSUBSCRIBE

    test {SUBSCRIBE replies once per channel with the running count} {
        set rd [ps_client]
        assert_equal {{subscribe ch1 1} {subscribe ch2 2} {subscribe ch3 3}} [ps_cmd $rd {} subscribe ch1 ch2 ch3]
        # Subscribing again to a channel does not change the count.
        assert_equal {{subscribe ch2 3} {subscribe ch4 4}} [ps_cmd $rd {} subscribe ch2 ch4]
        assert_equal {{subscribe dup 5} {subscribe dup 5}} [ps_cmd $rd {} subscribe dup dup]
        $rd close
    }

    test {SUBSCRIBE reply bytes in RESP2} {
        set fd [raw_open]
        raw_send $fd SUBSCRIBE a bb
        raw_expect $fd "*3\r\n\$9\r\nsubscribe\r\n\$1\r\na\r\n:1\r\n*3\r\n\$9\r\nsubscribe\r\n\$2\r\nbb\r\n:2\r\n"
        raw_send $fd UNSUBSCRIBE bb
        raw_expect $fd "*3\r\n\$11\r\nunsubscribe\r\n\$2\r\nbb\r\n:1\r\n"
        raw_send $fd PSUBSCRIBE p*
        raw_expect $fd "*3\r\n\$10\r\npsubscribe\r\n\$2\r\np*\r\n:2\r\n"
        raw_send $fd PUNSUBSCRIBE p*
        raw_expect $fd "*3\r\n\$12\r\npunsubscribe\r\n\$2\r\np*\r\n:1\r\n"
        raw_send $fd SSUBSCRIBE s
        raw_expect $fd "*3\r\n\$10\r\nssubscribe\r\n\$1\r\ns\r\n:1\r\n"
        raw_send $fd SUNSUBSCRIBE s
        raw_expect $fd "*3\r\n\$12\r\nsunsubscribe\r\n\$1\r\ns\r\n:0\r\n"
        raw_close_all
    }

    test {UNSUBSCRIBE from named channels, subscribed or not} {
        set rd [ps_client]
        ps_cmd $rd {} subscribe a b c
        assert_equal {{unsubscribe b 2} {unsubscribe nosuch 2} {unsubscribe b 2}} [ps_cmd $rd {} unsubscribe b nosuch b]
        assert_equal {{unsubscribe a 1} {unsubscribe c 0}} [ps_cmd $rd {} unsubscribe a c]
        # No subscription left: back to a normal client.
        $rd get nokey
        assert_equal {} [$rd read]
        $rd close
    }

    test {UNSUBSCRIBE without arguments leaves every channel, not patterns} {
        wait_clean
        set rd [ps_client]
        ps_cmd $rd {} subscribe c1 c2 c3
        ps_cmd $rd {} psubscribe pat*
        set frames [ps_cmd $rd 3 unsubscribe]
        set chans {}
        foreach f $frames {
            assert_equal unsubscribe [lindex $f 0]
            lappend chans [lindex $f 1]
        }
        assert_equal {c1 c2 c3} [lsort $chans]
        # The count goes down one by one, the pattern still counts.
        assert_equal {3 2 1} [ps_counts $frames]
        assert_equal {} [r pubsub channels]
        assert_equal 1 [r pubsub numpat]
        assert_equal {{punsubscribe pat* 0}} [ps_cmd $rd {} punsubscribe]
        assert_equal 0 [r pubsub numpat]
        $rd close
    }

    test {Unsubscribing when not subscribed replies with a nil channel} {
        set fd [raw_open]
        raw_send $fd UNSUBSCRIBE
        raw_expect $fd "*3\r\n\$11\r\nunsubscribe\r\n\$-1\r\n:0\r\n"
        raw_send $fd PUNSUBSCRIBE
        raw_expect $fd "*3\r\n\$12\r\npunsubscribe\r\n\$-1\r\n:0\r\n"
        raw_send $fd SUNSUBSCRIBE
        raw_expect $fd "*3\r\n\$12\r\nsunsubscribe\r\n\$-1\r\n:0\r\n"
        # The connection did not enter the subscribed context.
        raw_send $fd GET nokey
        raw_expect $fd "\$-1\r\n"
        raw_close_all
    }

    test {Unsubscribing when not subscribed in RESP3: push frame with a null channel} {
        set fd [raw_open3]
        raw_send $fd UNSUBSCRIBE
        raw_expect $fd ">3\r\n\$11\r\nunsubscribe\r\n_\r\n:0\r\n"
        raw_send $fd PUNSUBSCRIBE
        raw_expect $fd ">3\r\n\$12\r\npunsubscribe\r\n_\r\n:0\r\n"
        raw_send $fd SUNSUBSCRIBE
        raw_expect $fd ">3\r\n\$12\r\nsunsubscribe\r\n_\r\n:0\r\n"
        raw_close_all
    }

    test {Unsubscribing a named channel when not subscribed} {
        set rd [ps_client]
        assert_equal {{unsubscribe x 0} {unsubscribe y 0}} [ps_cmd $rd {} unsubscribe x y]
        assert_equal {{punsubscribe x* 0}} [ps_cmd $rd {} punsubscribe x*]
        assert_equal {{sunsubscribe x 0}} [ps_cmd $rd {} sunsubscribe x]
        $rd get nokey
        assert_equal {} [$rd read]
        $rd close
    }

    test {Channels and patterns share one count} {
        set rd [ps_client]
        assert_equal {1 2} [ps_counts [ps_cmd $rd {} subscribe c1 c2]]
        assert_equal {3 4} [ps_counts [ps_cmd $rd {} psubscribe p1* p2*]]
        # The same string as a channel and as a pattern counts twice.
        assert_equal {5} [ps_counts [ps_cmd $rd {} psubscribe c1]]
        assert_equal {4} [ps_counts [ps_cmd $rd {} unsubscribe c1]]
        assert_equal {3} [ps_counts [ps_cmd $rd {} punsubscribe p1*]]
        assert_equal {3} [ps_counts [ps_cmd $rd {} punsubscribe nosuch*]]
        set frames [ps_cmd $rd 2 punsubscribe]
        assert_equal {2 1} [ps_counts $frames]
        assert_equal {{unsubscribe c2 0}} [ps_cmd $rd {} unsubscribe]
        $rd close
    }

    test {Shard channels have a count of their own} {
        set rd [ps_client]
        ps_cmd $rd {} subscribe c1 c2
        ps_cmd $rd {} psubscribe p*
        assert_equal {{ssubscribe s1 1} {ssubscribe s2 2} {ssubscribe s1 2}} [ps_cmd $rd {} ssubscribe s1 s2 s1]
        assert_equal {{subscribe c3 4}} [ps_cmd $rd {} subscribe c3]
        assert_equal {{sunsubscribe s1 1}} [ps_cmd $rd {} sunsubscribe s1]
        assert_equal {{unsubscribe c1 3}} [ps_cmd $rd {} unsubscribe c1]
        assert_equal {{sunsubscribe s2 0}} [ps_cmd $rd {} sunsubscribe]
        $rd close
    }

    test {A client with only shard subscriptions left stays in the subscribed context} {
        set rd [ps_client]
        ps_cmd $rd {} subscribe c
        ps_cmd $rd {} ssubscribe s
        # The unsubscribe count only covers channels and patterns.
        assert_equal {{unsubscribe c 0}} [ps_cmd $rd {} unsubscribe c]
        $rd get nokey
        assert_match {ERR Can't execute 'get'*} [err_of {$rd read}]
        assert_equal {{sunsubscribe s 0}} [ps_cmd $rd {} sunsubscribe]
        $rd get nokey
        assert_equal {} [$rd read]
        $rd close
    }

    test {Subscribing to many channels in one command} {
        wait_clean
        set rd [ps_client]
        set chans {}
        for {set i 0} {$i < 1000} {incr i} {
            lappend chans many:$i
        }
        set frames [ps_cmd $rd {} subscribe {*}$chans]
        assert_equal 1000 [llength $frames]
        assert_equal {subscribe many:0 1} [lindex $frames 0]
        assert_equal {subscribe many:999 1000} [lindex $frames end]
        assert_equal 1000 [llength [r pubsub channels many:*]]
        assert_equal 1 [r publish many:500 x]
        assert_equal {{message many:500 x}} [pending_frames $rd]
        set frames [ps_cmd $rd 1000 unsubscribe]
        assert_equal 0 [lindex $frames end 2]
        assert_equal {} [r pubsub channels many:*]
        $rd close
    }

    test {PSUBSCRIBE twice to one pattern; PUNSUBSCRIBE compares the pattern text} {
        set rd [ps_client]
        assert_equal {{psubscribe a* 1} {psubscribe a* 1}} [ps_cmd $rd {} psubscribe a* a*]
        assert_equal 1 [r publish abc x]
        assert_equal {{pmessage a* abc x}} [pending_frames $rd]
        # A pattern that would match "a*" is still another pattern.
        assert_equal {{punsubscribe a? 1} {punsubscribe * 1} {punsubscribe A* 1}} [ps_cmd $rd {} punsubscribe a? * A*]
        assert_equal {{punsubscribe a* 0}} [ps_cmd $rd {} punsubscribe a*]
        $rd close
    }

    test {SUBSCRIBE, PSUBSCRIBE and SSUBSCRIBE need at least one argument} {
        assert_equal {ERR wrong number of arguments for 'subscribe' command} [err_of {r subscribe}]
        assert_equal {ERR wrong number of arguments for 'psubscribe' command} [err_of {r psubscribe}]
        assert_equal {ERR wrong number of arguments for 'ssubscribe' command} [err_of {r ssubscribe}]
        assert_equal {ERR wrong number of arguments for 'publish' command} [err_of {r publish ch}]
        assert_equal {ERR wrong number of arguments for 'publish' command} [err_of {r publish ch a b}]
        assert_equal {ERR wrong number of arguments for 'spublish' command} [err_of {r spublish ch}]
        assert_equal {ERR wrong number of arguments for 'spublish' command} [err_of {r spublish}]
        # The failed commands did not put the client in the subscribed context.
        assert_equal PONG [r ping]
    }

    # ------------------------------------------------------------ PUBLISH

    test {PUBLISH with no subscriber returns 0} {
        r publish nobody hello
    } {0}

    test {PUBLISH returns the number of receiving clients} {
        set rd1 [ps_client]
        set rd2 [ps_client]
        set rd3 [ps_client]
        ps_cmd $rd1 {} subscribe news
        ps_cmd $rd2 {} subscribe news other
        ps_cmd $rd3 {} psubscribe n*
        assert_equal 3 [r publish news hello]
        assert_equal {{message news hello}} [pending_frames $rd1]
        assert_equal {{message news hello}} [pending_frames $rd2]
        assert_equal {{pmessage n* news hello}} [pending_frames $rd3]
        assert_equal 1 [r publish other x]
        assert_equal {} [pending_frames $rd1]
        assert_equal {{message other x}} [pending_frames $rd2]
        assert_equal 1 [r publish nothing y]
        assert_equal {{pmessage n* nothing y}} [pending_frames $rd3]
        $rd1 close
        $rd2 close
        $rd3 close
    }

    test {A client subscribed to a channel and a matching pattern gets both messages} {
        set rd [ps_client]
        ps_cmd $rd {} subscribe foo.bar
        ps_cmd $rd {} psubscribe foo.* *.bar
        assert_equal 3 [r publish foo.bar hi]
        # The channel message comes first, then one per matching pattern.
        set frames [pending_frames $rd]
        assert_equal 3 [llength $frames]
        assert_equal {message foo.bar hi} [lindex $frames 0]
        assert_equal {{pmessage *.bar foo.bar hi} {pmessage foo.* foo.bar hi}} [lsort [lrange $frames 1 end]]
        assert_equal 1 [r publish foo.baz x]
        assert_equal {{pmessage foo.* foo.baz x}} [pending_frames $rd]
        $rd close
    }

    test {message and pmessage bytes in RESP2} {
        set fd [raw_open]
        raw_send $fd SUBSCRIBE chan
        raw_expect $fd "*3\r\n\$9\r\nsubscribe\r\n\$4\r\nchan\r\n:1\r\n"
        raw_send $fd PSUBSCRIBE ch*
        raw_expect $fd "*3\r\n\$10\r\npsubscribe\r\n\$3\r\nch*\r\n:2\r\n"
        assert_equal 2 [r publish chan "hello world"]
        raw_expect $fd "*3\r\n\$7\r\nmessage\r\n\$4\r\nchan\r\n\$11\r\nhello world\r\n*4\r\n\$8\r\npmessage\r\n\$3\r\nch*\r\n\$4\r\nchan\r\n\$11\r\nhello world\r\n"
        assert_equal 1 [r publish chx ""]
        raw_expect $fd "*4\r\n\$8\r\npmessage\r\n\$3\r\nch*\r\n\$3\r\nchx\r\n\$0\r\n\r\n"
        raw_close_all
    }

    test {Subscribing to the empty channel name} {
        set rd [ps_client]
        assert_equal {{subscribe {} 1}} [ps_cmd $rd {} subscribe ""]
        assert_equal 1 [r publish "" ""]
        assert_equal {{message {} {}}} [pending_frames $rd]
        assert_equal {{} 1} [r pubsub numsub ""]
        $rd close
    }

    test {Channel names and messages are binary safe} {
        set rd [ps_client]
        set ch "ch\x00\r\n\xff"
        set msg "m\x00\r\n\x80\xfe end"
        ps_cmd $rd {} subscribe $ch
        ps_cmd $rd {} psubscribe "ch\x00*"
        assert_equal 2 [r publish $ch $msg]
        assert_equal [list [list message $ch $msg] [list pmessage "ch\x00*" $ch $msg]] [pending_frames $rd]
        # A channel that differs after the NUL byte is another channel.
        assert_equal 1 [r publish "ch\x00other" x]
        assert_equal 0 [r publish "ch" x]
        assert_equal [list $ch 1 "ch\x00" 0] [r pubsub numsub $ch "ch\x00"]
        assert_equal [list $ch] [r pubsub channels "ch\x00*"]
        $rd close
    }

    test {Binary safe message bytes on the wire} {
        set fd [raw_open]
        raw_send $fd SUBSCRIBE "a\r\nb"
        raw_expect $fd "*3\r\n\$9\r\nsubscribe\r\n\$4\r\na\r\nb\r\n:1\r\n"
        assert_equal 1 [r publish "a\r\nb" "\x00\r\n"]
        raw_expect $fd "*3\r\n\$7\r\nmessage\r\n\$4\r\na\r\nb\r\n\$3\r\n\x00\r\n\r\n"
        raw_close_all
    }

    test {A large message is delivered whole} {
        set rd [ps_client]
        ps_cmd $rd {} subscribe big
        set msg [string repeat "0123456789abcdef" 20000]
        assert_equal 1 [r publish big $msg]
        set frames [pending_frames $rd]
        assert_equal 1 [llength $frames]
        assert_equal [string length $msg] [string length [lindex $frames 0 2]]
        assert {[lindex $frames 0 2] eq $msg}
        $rd close
    }

    test {Messages arrive in publishing order} {
        set rd [ps_client]
        ps_cmd $rd {} subscribe seq
        for {set i 0} {$i < 100} {incr i} {
            r publish seq $i
        }
        set got {}
        foreach f [pending_frames $rd] {
            lappend got [lindex $f 2]
        }
        set want {}
        for {set i 0} {$i < 100} {incr i} {
            lappend want $i
        }
        assert_equal $want $got
        $rd close
    }

    # ------------------------------------------------------------ patterns

    test {PSUBSCRIBE glob patterns: * ? [set] [^set] [a-z] and escapes} {
        set rd [ps_client]
        ps_cmd $rd {} psubscribe {a[bc]d} {x?z} {[^q]1} {m[a-c]n} {lit\*} {es\?c} {h*o}
        foreach {chan receivers} {
            abd 1 acd 1 aad 0 abcd 0
            xyz 1 xz 0 xyyz 0
            r1 1 q1 0 11 1 1 0
            mbn 1 mdn 0 man 1 mcn 1
            lit* 1 litx 0 lit 0
            es?c 1 esxc 0
            ho 1 hello 1 helloo 1 hell 0 oh 0
        } {
            assert_equal $receivers [r publish $chan v] "publish to $chan"
            set frames [pending_frames $rd]
            assert_equal $receivers [llength $frames] "messages for $chan"
        }
        $rd close
    }

    test {A pattern matches the whole channel name, case sensitive} {
        set rd [ps_client]
        ps_cmd $rd {} psubscribe news
        assert_equal 1 [r publish news x]
        assert_equal 0 [r publish News x]
        assert_equal 0 [r publish news2 x]
        assert_equal 0 [r publish xnews x]
        assert_equal {{pmessage news news x}} [pending_frames $rd]
        $rd close
    }

    test {Several clients on one pattern, several patterns on one client} {
        wait_clean
        set rd1 [ps_client]
        set rd2 [ps_client]
        ps_cmd $rd1 {} psubscribe ev.* ev.?
        ps_cmd $rd2 {} psubscribe ev.*
        assert_equal 3 [r publish ev.a payload]
        assert_equal {{pmessage ev.* ev.a payload} {pmessage ev.? ev.a payload}} [lsort [pending_frames $rd1]]
        assert_equal {{pmessage ev.* ev.a payload}} [pending_frames $rd2]
        # NUMPAT counts distinct patterns.
        assert_equal 2 [r pubsub numpat]
        assert_equal 2 [r publish ev.long payload]
        $rd1 close
        $rd2 close
    }

    # ------------------------------------------------------------ shard channels

    test {SPUBLISH only reaches SSUBSCRIBE clients} {
        set rds [ps_client]
        set rdc [ps_client]
        set rdp [ps_client]
        ps_cmd $rds {} ssubscribe shard
        ps_cmd $rdc {} subscribe shard
        ps_cmd $rdp {} psubscribe sh*
        assert_equal 1 [r spublish shard hello]
        assert_equal {{smessage shard hello}} [pending_frames $rds]
        assert_equal {} [pending_frames $rdc]
        assert_equal {} [pending_frames $rdp]
        # And PUBLISH does not reach shard subscribers.
        assert_equal 2 [r publish shard bye]
        assert_equal {} [pending_frames $rds]
        assert_equal {{message shard bye}} [pending_frames $rdc]
        assert_equal {{pmessage sh* shard bye}} [pending_frames $rdp]
        assert_equal 0 [r spublish nobody x]
        $rds close
        $rdc close
        $rdp close
    }

    test {smessage bytes in RESP2 and RESP3} {
        set fd [raw_open]
        raw_send $fd SSUBSCRIBE sc
        raw_expect $fd "*3\r\n\$10\r\nssubscribe\r\n\$2\r\nsc\r\n:1\r\n"
        set fd3 [raw_open3]
        raw_send $fd3 SSUBSCRIBE sc
        raw_expect $fd3 ">3\r\n\$10\r\nssubscribe\r\n\$2\r\nsc\r\n:1\r\n"
        assert_equal 2 [r spublish sc data]
        raw_expect $fd "*3\r\n\$8\r\nsmessage\r\n\$2\r\nsc\r\n\$4\r\ndata\r\n"
        raw_expect $fd3 ">3\r\n\$8\r\nsmessage\r\n\$2\r\nsc\r\n\$4\r\ndata\r\n"
        raw_close_all
    }

    test {SSUBSCRIBE does not treat the name as a pattern} {
        set rd [ps_client]
        ps_cmd $rd {} ssubscribe s*
        assert_equal 0 [r spublish sx v]
        assert_equal 1 [r spublish s* v]
        assert_equal {{smessage s* v}} [pending_frames $rd]
        $rd close
    }

    # ------------------------------------------------------------ PUBSUB

    test {PUBSUB CHANNELS lists channels with subscribers} {
        wait_clean
        assert_equal {} [r pubsub channels]
        set rd1 [ps_client]
        set rd2 [ps_client]
        ps_cmd $rd1 {} subscribe news.tech news.art misc
        ps_cmd $rd2 {} subscribe news.tech
        ps_cmd $rd2 {} psubscribe pat.*
        ps_cmd $rd2 {} ssubscribe shardchan
        # Patterns and shard channels are not listed; each channel once.
        assert_equal {misc news.art news.tech} [lsort [r pubsub channels]]
        assert_equal {misc news.art news.tech} [lsort [r pubsub channels *]]
        assert_equal {news.art news.tech} [lsort [r pubsub channels news.*]]
        assert_equal {news.tech} [r pubsub channels *.t?ch]
        assert_equal {} [r pubsub channels pat.*]
        assert_equal {} [r pubsub channels nomatch*]
        ps_cmd $rd1 {} unsubscribe news.art
        assert_equal {misc news.tech} [lsort [r pubsub channels]]
        $rd1 close
        $rd2 close
    }

    test {PUBSUB NUMSUB: a flat channel / count array} {
        set rd1 [ps_client]
        set rd2 [ps_client]
        ps_cmd $rd1 {} subscribe a b
        ps_cmd $rd2 {} subscribe a
        ps_cmd $rd2 {} psubscribe a*
        ps_cmd $rd2 {} ssubscribe b
        # Pattern and shard subscriptions are not counted.
        assert_equal {a 2 b 1 c 0 a 2} [r pubsub numsub a b c a]
        assert_equal {} [r pubsub numsub]
        set fd [raw_open]
        raw_send $fd PUBSUB NUMSUB a c
        raw_expect $fd "*4\r\n\$1\r\na\r\n:2\r\n\$1\r\nc\r\n:0\r\n"
        raw_send $fd PUBSUB NUMSUB
        raw_expect $fd "*0\r\n"
        # RESP3 uses the same flat array, not a map.
        set fd3 [raw_open3]
        raw_send $fd3 PUBSUB NUMSUB a c
        raw_expect $fd3 "*4\r\n\$1\r\na\r\n:2\r\n\$1\r\nc\r\n:0\r\n"
        raw_close_all
        $rd1 close
        $rd2 close
    }

    test {PUBSUB NUMPAT counts distinct patterns} {
        wait_clean
        assert_equal 0 [r pubsub numpat]
        set rd1 [ps_client]
        set rd2 [ps_client]
        ps_cmd $rd1 {} psubscribe x* y*
        ps_cmd $rd2 {} psubscribe x* z
        ps_cmd $rd2 {} subscribe x1
        assert_equal 3 [r pubsub numpat]
        ps_cmd $rd1 {} punsubscribe x*
        assert_equal 3 [r pubsub numpat]
        ps_cmd $rd2 {} punsubscribe x*
        assert_equal 2 [r pubsub numpat]
        set fd [raw_open]
        raw_send $fd PUBSUB NUMPAT
        raw_expect $fd ":2\r\n"
        raw_close_all
        $rd1 close
        $rd2 close
    }

    test {PUBSUB SHARDCHANNELS and SHARDNUMSUB} {
        wait_clean
        assert_equal {} [r pubsub shardchannels]
        set rd1 [ps_client]
        set rd2 [ps_client]
        ps_cmd $rd1 {} ssubscribe s.a s.b other
        ps_cmd $rd2 {} ssubscribe s.a
        ps_cmd $rd2 {} subscribe plain
        assert_equal {other s.a s.b} [lsort [r pubsub shardchannels]]
        assert_equal {s.a s.b} [lsort [r pubsub shardchannels s.*]]
        assert_equal {} [r pubsub shardchannels plain]
        assert_equal {s.a 2 s.b 1 plain 0 none 0} [r pubsub shardnumsub s.a s.b plain none]
        assert_equal {} [r pubsub shardnumsub]
        set fd [raw_open]
        raw_send $fd PUBSUB SHARDNUMSUB s.a
        raw_expect $fd "*2\r\n\$3\r\ns.a\r\n:2\r\n"
        raw_close_all
        $rd1 close
        $rd2 close
    }

    test {PUBSUB HELP} {
        set help [r pubsub help]
        assert_equal 14 [llength $help]
        assert_match {PUBSUB <subcommand> *} [lindex $help 0]
        foreach sub {CHANNELS NUMPAT NUMSUB SHARDCHANNELS SHARDNUMSUB HELP} {
            assert {[lsearch -glob $help "$sub*"] >= 0} "$sub in PUBSUB HELP"
        }
        set fd [raw_open]
        raw_send $fd PUBSUB HELP
        raw_expect $fd "*14\r\n+PUBSUB <subcommand> \[<arg> \[value\] \[opt\] ...\]. Subcommands are:\r\n+CHANNELS \[<pattern>\]\r\n"
        raw_close_all
    }

    test {PUBSUB errors} {
        assert_equal {ERR wrong number of arguments for 'pubsub' command} [err_of {r pubsub}]
        assert_equal {ERR unknown subcommand 'foo'. Try PUBSUB HELP.} [err_of {r pubsub foo}]
        assert_equal {ERR unknown subcommand 'FOO'. Try PUBSUB HELP.} [err_of {r pubsub FOO bar}]
        assert_equal {ERR wrong number of arguments for 'pubsub|numpat' command} [err_of {r pubsub numpat x}]
        assert_equal {ERR wrong number of arguments for 'pubsub|help' command} [err_of {r pubsub help x}]
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.} [err_of {r pubsub channels a b}]
        assert_equal {ERR unknown subcommand or wrong number of arguments for 'shardchannels'. Try PUBSUB HELP.} [err_of {r pubsub shardchannels a b}]
        # Subcommand names are case insensitive.
        assert_equal 0 [r pubsub NumPat]
    }

    # ------------------------------------------------------------ RESP2 subscribed context

    test {RESP2 subscribed context refuses other commands} {
        set rd [ps_client]
        ps_cmd $rd {} subscribe ctx
        foreach {cmd name} {
            {get foo} get
            {set foo bar} set
            {publish ctx x} publish
            {client list} client|list
            {config get maxmemory} config|get
            {multi} multi
            {hello 3} hello
        } {
            $rd {*}$cmd
            assert_equal "ERR Can't execute '$name': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context" [err_of {$rd read}]
        }
        assert_equal 0 [r exists foo]
        $rd close
    }

    test {The subscribed context error bytes} {
        set fd [raw_open]
        raw_send $fd PSUBSCRIBE p
        raw_expect $fd "*3\r\n\$10\r\npsubscribe\r\n\$1\r\np\r\n:1\r\n"
        raw_send $fd CLIENT LIST
        raw_expect $fd "-ERR Can't execute 'client|list': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
        raw_close_all
    }

    test {Unknown commands and arity errors come before the subscribed context check} {
        set rd [ps_client]
        ps_cmd $rd {} subscribe ctx
        $rd nosuchcmd a
        assert_equal {ERR unknown command 'nosuchcmd', with args beginning with: 'a' } [err_of {$rd read}]
        $rd get
        assert_equal {ERR wrong number of arguments for 'get' command} [err_of {$rd read}]
        $rd close
    }

    test {PING in the RESP2 subscribed context replies with a pong array} {
        set fd [raw_open]
        raw_send $fd SUBSCRIBE pingchan
        raw_expect $fd "*3\r\n\$9\r\nsubscribe\r\n\$8\r\npingchan\r\n:1\r\n"
        raw_send $fd PING
        raw_expect $fd "*2\r\n\$4\r\npong\r\n\$0\r\n\r\n"
        raw_send $fd PING hello
        raw_expect $fd "*2\r\n\$4\r\npong\r\n\$5\r\nhello\r\n"
        raw_send $fd PING a b
        raw_expect $fd "-ERR wrong number of arguments for 'ping' command\r\n"
        # After the last unsubscribe PING is a plain PONG again.
        raw_send $fd UNSUBSCRIBE
        raw_expect $fd "*3\r\n\$11\r\nunsubscribe\r\n\$8\r\npingchan\r\n:0\r\n"
        raw_send $fd PING
        raw_expect $fd "+PONG\r\n"
        raw_close_all
    }

    test {PING while subscribed to shard channels only} {
        set rd [ps_client]
        ps_cmd $rd {} ssubscribe s
        $rd ping
        assert_equal {pong {}} [$rd read]
        $rd close
    }

    test {QUIT is allowed in the subscribed context} {
        set rd [ps_client]
        ps_cmd $rd {} subscribe quitchan
        assert_equal {quitchan 1} [r pubsub numsub quitchan]
        $rd quit
        assert_equal OK [$rd read]
        assert_error {*connection closed*} {$rd read}
        $rd close
        wait_for_condition 100 10 {
            [r pubsub numsub quitchan] eq {quitchan 0}
        } else {
            fail "subscription not removed after QUIT"
        }
    }

    test {RESET leaves the subscribed context} {
        wait_clean
        set rd [ps_client]
        ps_cmd $rd {} subscribe rc1 rc2
        ps_cmd $rd {} psubscribe rp*
        ps_cmd $rd {} ssubscribe rs
        $rd reset
        assert_equal RESET [$rd read]
        assert_equal {rc1 0 rc2 0} [r pubsub numsub rc1 rc2]
        assert_equal 0 [r pubsub numpat]
        assert_equal {rs 0} [r pubsub shardnumsub rs]
        assert_equal 0 [r publish rc1 x]
        # A normal client again.
        $rd set afterreset 1
        assert_equal OK [$rd read]
        $rd ping
        assert_equal PONG [$rd read]
        $rd close
    }

    test {Switching a RESP3 subscriber to RESP2 enters the restricted context} {
        set rd [ps_client 3]
        ps_cmd $rd {} subscribe sw
        $rd get nokey
        assert_equal {} [$rd read]
        $rd hello 2
        $rd read
        $rd get nokey
        assert_match {ERR Can't execute 'get'*} [err_of {$rd read}]
        $rd close
    }

    test {Subscription replies ignore CLIENT REPLY OFF and SKIP} {
        set fd [raw_open]
        raw_send $fd CLIENT REPLY SKIP
        raw_send $fd SUBSCRIBE skipchan
        raw_expect $fd "*3\r\n\$9\r\nsubscribe\r\n\$8\r\nskipchan\r\n:1\r\n"
        raw_send $fd UNSUBSCRIBE skipchan
        raw_expect $fd "*3\r\n\$11\r\nunsubscribe\r\n\$8\r\nskipchan\r\n:0\r\n"
        set fd3 [raw_open3]
        raw_send $fd3 CLIENT REPLY OFF
        raw_send $fd3 SUBSCRIBE offchan
        raw_expect $fd3 ">3\r\n\$9\r\nsubscribe\r\n\$7\r\noffchan\r\n:1\r\n"
        # Messages are delivered too, ordinary replies are not.
        assert_equal 1 [r publish offchan m]
        raw_expect $fd3 ">3\r\n\$7\r\nmessage\r\n\$7\r\noffchan\r\n\$1\r\nm\r\n"
        raw_send $fd3 PING
        raw_send $fd3 CLIENT REPLY ON
        raw_send $fd3 PING after
        raw_expect $fd3 "+OK\r\n\$5\r\nafter\r\n"
        raw_close_all
    }

    # ------------------------------------------------------------ RESP3

    test {RESP3 subscription replies are push frames} {
        set fd [raw_open3]
        raw_send $fd SUBSCRIBE c1 c2
        raw_expect $fd ">3\r\n\$9\r\nsubscribe\r\n\$2\r\nc1\r\n:1\r\n>3\r\n\$9\r\nsubscribe\r\n\$2\r\nc2\r\n:2\r\n"
        raw_send $fd PSUBSCRIBE c*
        raw_expect $fd ">3\r\n\$10\r\npsubscribe\r\n\$2\r\nc*\r\n:3\r\n"
        raw_send $fd UNSUBSCRIBE c2
        raw_expect $fd ">3\r\n\$11\r\nunsubscribe\r\n\$2\r\nc2\r\n:2\r\n"
        assert_equal 2 [r publish c1 hi]
        raw_expect $fd ">3\r\n\$7\r\nmessage\r\n\$2\r\nc1\r\n\$2\r\nhi\r\n>4\r\n\$8\r\npmessage\r\n\$2\r\nc*\r\n\$2\r\nc1\r\n\$2\r\nhi\r\n"
        raw_send $fd PUNSUBSCRIBE c*
        raw_expect $fd ">3\r\n\$12\r\npunsubscribe\r\n\$2\r\nc*\r\n:1\r\n"
        raw_close_all
    }

    test {A RESP3 subscriber can run ordinary commands} {
        set fd [raw_open3]
        raw_send $fd SUBSCRIBE r3
        raw_expect $fd ">3\r\n\$9\r\nsubscribe\r\n\$2\r\nr3\r\n:1\r\n"
        raw_send $fd SET r3key val
        raw_expect $fd "+OK\r\n"
        raw_send $fd GET r3key
        raw_expect $fd "\$3\r\nval\r\n"
        # PING is the ordinary PING.
        raw_send $fd PING
        raw_expect $fd "+PONG\r\n"
        raw_send $fd PING msg
        raw_expect $fd "\$3\r\nmsg\r\n"
        raw_send $fd PUBSUB NUMSUB r3
        raw_expect $fd "*2\r\n\$2\r\nr3\r\n:1\r\n"
        raw_close_all
    }

    test {RESP3: push frames interleaved with replies} {
        set rd [ps_client 3]
        ps_cmd $rd {} subscribe inter
        assert_equal 1 [r publish inter one]
        $rd get nokey
        assert_equal {message inter one} [$rd read]
        assert_equal {} [$rd read]
        $rd set k3 v
        assert_equal OK [$rd read]
        assert_equal 1 [r publish inter two]
        $rd get k3
        assert_equal {message inter two} [$rd read]
        assert_equal v [$rd read]
        $rd close
    }

    test {RESP3: publishing to a channel the client itself is subscribed to} {
        set fd [raw_open3]
        raw_send $fd SUBSCRIBE self
        raw_expect $fd ">3\r\n\$9\r\nsubscribe\r\n\$4\r\nself\r\n:1\r\n"
        raw_send $fd PSUBSCRIBE s*
        raw_expect $fd ">3\r\n\$10\r\npsubscribe\r\n\$2\r\ns*\r\n:2\r\n"
        # The push frames come before the integer reply of PUBLISH.
        raw_send $fd PUBLISH self hello
        raw_expect $fd ">3\r\n\$7\r\nmessage\r\n\$4\r\nself\r\n\$5\r\nhello\r\n>4\r\n\$8\r\npmessage\r\n\$2\r\ns*\r\n\$4\r\nself\r\n\$5\r\nhello\r\n:2\r\n"
        raw_send $fd SSUBSCRIBE sself
        raw_expect $fd ">3\r\n\$10\r\nssubscribe\r\n\$5\r\nsself\r\n:1\r\n"
        raw_send $fd SPUBLISH sself x
        raw_expect $fd ">3\r\n\$8\r\nsmessage\r\n\$5\r\nsself\r\n\$1\r\nx\r\n:1\r\n"
        raw_close_all
    }

    test {RESP3 self-publish through the client API} {
        set c [redis_client]
        $c hello 3
        assert_equal {subscribe me 1} [$c subscribe me]
        # The client keeps the push frame aside and returns the count.
        assert_equal 1 [$c publish me payload]
        assert_equal {message me payload} [$c read]
        $c close
    }

    test {RESP3 unsubscribe with no arguments} {
        set rd [ps_client 3]
        ps_cmd $rd {} subscribe u1 u2
        set frames [ps_cmd $rd 2 unsubscribe]
        assert_equal {u1 u2} [lsort [list [lindex $frames 0 1] [lindex $frames 1 1]]]
        assert_equal {1 0} [ps_counts $frames]
        assert_equal {{unsubscribe {} 0}} [ps_cmd $rd {} unsubscribe]
        $rd close
    }

    # ------------------------------------------------------------ cleanup and introspection

    test {Subscriptions are removed when the subscriber disconnects} {
        wait_clean
        set rd [ps_client]
        ps_cmd $rd {} subscribe gone1 gone2
        ps_cmd $rd {} psubscribe gone*
        ps_cmd $rd {} ssubscribe sgone
        set rd2 [ps_client]
        ps_cmd $rd2 {} subscribe gone1
        assert_equal {gone1 2 gone2 1} [r pubsub numsub gone1 gone2]
        assert_equal 1 [r pubsub numpat]
        $rd close
        wait_for_condition 100 10 {
            [r pubsub numsub gone1 gone2] eq {gone1 1 gone2 0}
        } else {
            fail "NUMSUB after disconnect: [r pubsub numsub gone1 gone2]"
        }
        assert_equal 0 [r pubsub numpat]
        assert_equal {sgone 0} [r pubsub shardnumsub sgone]
        assert_equal {gone1} [r pubsub channels]
        assert_equal {} [r pubsub shardchannels]
        assert_equal 1 [r publish gone1 x]
        assert_equal 0 [r publish gone2 x]
        assert_equal 0 [r spublish sgone x]
        $rd2 close
        wait_for_condition 100 10 {
            [r pubsub numsub gone1] eq {gone1 0}
        } else {
            fail "NUMSUB after the second disconnect: [r pubsub numsub gone1]"
        }
        assert_equal {} [r pubsub channels]
    }

    test {Subscriptions are removed when the subscriber is killed} {
        wait_clean
        set rd [ps_client]
        $rd client id
        set id [$rd read]
        ps_cmd $rd {} subscribe killed
        ps_cmd $rd {} psubscribe killed*
        ps_cmd $rd {} ssubscribe skilled
        assert_equal 1 [r client kill id $id]
        # CLIENT KILL frees the client at once.
        assert_equal {killed 0} [r pubsub numsub killed]
        assert_equal 0 [r pubsub numpat]
        assert_equal {skilled 0} [r pubsub shardnumsub skilled]
        assert_equal 0 [r publish killed x]
        $rd close
    }

    test {CLIENT LIST sub= psub= ssub= and flag P} {
        set rd [ps_client]
        $rd client setname pslist
        assert_equal OK [$rd read]
        set line [client_line pslist]
        assert_equal N [client_field $line flags]
        assert_equal {0 0 0} [list [client_field $line sub] [client_field $line psub] [client_field $line ssub]]
        ps_cmd $rd {} subscribe a b c
        ps_cmd $rd {} psubscribe p*
        set line [client_line pslist]
        assert_equal P [client_field $line flags]
        assert_equal {3 1 0} [list [client_field $line sub] [client_field $line psub] [client_field $line ssub]]
        ps_cmd $rd {} ssubscribe s1 s2
        set line [client_line pslist]
        assert_equal {3 1 2} [list [client_field $line sub] [client_field $line psub] [client_field $line ssub]]
        ps_cmd $rd 3 unsubscribe
        ps_cmd $rd {} punsubscribe
        ps_cmd $rd 2 sunsubscribe
        set line [client_line pslist]
        assert_equal N [client_field $line flags]
        assert_equal {0 0 0} [list [client_field $line sub] [client_field $line psub] [client_field $line ssub]]
        $rd close
    }

    test {CLIENT LIST flag P for a RESP3 subscriber, shown by CLIENT INFO too} {
        set c [redis_client]
        $c hello 3
        $c client setname ps3
        $c subscribe x
        assert_match {*flags=P *sub=1 psub=0 ssub=0 *resp=3*} [$c client info]
        set line [client_line ps3]
        assert_equal P [client_field $line flags]
        $c close
    }

    test {INFO stats pubsub_channels, pubsub_patterns and pubsubshard_channels} {
        wait_clean
        assert_equal 0 [s pubsub_channels]
        assert_equal 0 [s pubsub_patterns]
        assert_equal 0 [s pubsubshard_channels]
        set rd1 [ps_client]
        set rd2 [ps_client]
        ps_cmd $rd1 {} subscribe i1 i2
        ps_cmd $rd2 {} subscribe i2 i3
        ps_cmd $rd1 {} psubscribe ip*
        ps_cmd $rd2 {} psubscribe ip* iq*
        ps_cmd $rd2 {} ssubscribe is1 is2
        ps_cmd $rd1 {} ssubscribe is1
        # Distinct channels, patterns and shard channels.
        assert_equal 3 [s pubsub_channels]
        assert_equal 2 [s pubsub_patterns]
        assert_equal 2 [s pubsubshard_channels]
        ps_cmd $rd2 2 unsubscribe
        assert_equal 2 [s pubsub_channels]
        $rd1 close
        $rd2 close
        wait_for_condition 100 10 {
            [s pubsub_channels] == 0 && [s pubsub_patterns] == 0 && [s pubsubshard_channels] == 0
        } else {
            fail "pubsub INFO fields not back to 0"
        }
    }

    test {Cleanup of raw connections} {
        raw_close_all
        assert_equal PONG [r ping]
    }
}
