# Client side caching: CLIENT TRACKING (default, OPTIN, OPTOUT, BCAST with
# and without PREFIX, NOLOOP, REDIRECT), CLIENT CACHING, CLIENT GETREDIR,
# CLIENT TRACKINGINFO, invalidation push frames in RESP3 and
# __redis__:invalidate messages for RESP2 redirection, flushes, expiry,
# broken redirections, CLIENT LIST flags and the INFO fields.
#
# Tracking clients are deferring RESP3 clients: every reply and every push
# is one frame read with `$rd read`.  Expected pushes are read one by one
# (they may arrive at any time); `pending_frames` then sends a PING and
# returns whatever arrived before its reply, to check that nothing else was
# sent.

# Missing pushes should fail a test quickly, not after a minute.
set ::fkresp::read_timeout 10

# A deferring client in RESP3 (or RESP2), with CLIENT TRACKING ON and the
# given options unless opts is "none".
proc tclient {{opts {}} {proto 3}} {
    set rd [redis_deferring_client]
    if {$proto == 3} {
        $rd hello 3
        $rd read
    }
    if {$opts ne "none"} {
        $rd client tracking on {*}$opts
        assert_equal OK [$rd read]
    }
    return $rd
}

# Send a command with a deferring client and read its reply.
proc dcall {rd args} {
    $rd {*}$args
    $rd read
}

# The next n frames.
proc next_frames {rd n} {
    set frames {}
    for {set i 0} {$i < $n} {incr i} {
        lappend frames [$rd read]
    }
    return $frames
}

# Read n invalidate pushes; returns the sorted list of invalidated keys.
proc invalidated_keys {rd n} {
    set keys {}
    foreach f [next_frames $rd $n] {
        assert_equal invalidate [lindex $f 0] "frame '$f'"
        lappend keys {*}[lindex $f 1]
    }
    lsort $keys
}

proc client_id {rd} {
    dcall $rd client id
}

# Disconnect every other client (a failed test may leave its clients open)
# and wait until no client has tracking enabled (closed clients are cleaned
# up asynchronously).
proc wait_no_tracking {} {
    r client kill type normal skipme yes
    r client kill type pubsub skipme yes
    wait_for_condition 100 20 {[s tracking_clients] == 0} else {
        fail "tracking clients of earlier tests still present: [s tracking_clients]"
    }
}

# Raw connections (support/raw.tcl) wait up to 5 s for expected bytes.
set ::raw_read_timeout_ms 5000

# The bytes of a RESP3 invalidate push for these keys.
proc inv_push {args} {
    set out ">2\r\n\$10\r\ninvalidate\r\n*[llength $args]\r\n"
    foreach k $args {
        append out [bulk $k]
    }
    return $out
}

start_server {tags {"tracking"}} {

    # ------------------------------------------------------------ default mode

    test {Keys read by a tracking client are invalidated when another client writes them} {
        r flushall
        set rd [tclient]
        assert_equal {} [dcall $rd get t:a]
        assert_equal {{} {}} [dcall $rd mget t:b t:c]
        assert_equal 0 [dcall $rd strlen t:d]
        assert_equal 0 [dcall $rd exists t:e]
        # t:f is never read.
        assert_equal OK [r mset t:a 1 t:b 2 t:c 3 t:d 4 t:e 5 t:f 6]
        # One push per key.
        assert_equal {t:a t:b t:c t:d t:e} [invalidated_keys $rd 5]
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    test {Other read commands track their keys too} {
        set rd [tclient]
        dcall $rd getrange o:1 0 5
        dcall $rd ttl o:2
        dcall $rd type o:3
        dcall $rd exists o:4 o:5
        # GETEX is a write command: its key is not tracked.
        dcall $rd getex o:6
        r mset o:1 a o:2 b o:3 c o:4 d o:5 e o:6 f o:7 g
        assert_equal {o:1 o:2 o:3 o:4 o:5} [invalidated_keys $rd 5]
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    test {The invalidate push bytes} {
        set fd [raw_open3]
        raw_send $fd CLIENT TRACKING ON
        raw_expect $fd "+OK\r\n"
        raw_send $fd GET bytes:key
        raw_expect $fd "_\r\n"
        r set bytes:key v
        raw_expect $fd [inv_push bytes:key]
        raw_send $fd MGET bytes:a bytes:key
        raw_expect $fd "*2\r\n_\r\n\$1\r\nv\r\n"
        r mset bytes:a 1 bytes:key 2
        raw_expect $fd "[inv_push bytes:a][inv_push bytes:key]"
        raw_send $fd PING
        raw_expect $fd "+PONG\r\n"
        raw_close_all
    }

    test {A key is invalidated once, then forgotten until it is read again} {
        set rd [tclient]
        dcall $rd get once
        r set once 1
        assert_equal {{invalidate once}} [next_frames $rd 1]
        r set once 2
        r del once
        assert_equal {} [pending_frames $rd]
        # Read again: tracked again.
        dcall $rd get once
        r set once 3
        assert_equal {{invalidate once}} [next_frames $rd 1]
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    test {Writes to keys that were not read send nothing} {
        set rd [tclient]
        dcall $rd get read:me
        r set not:read 1
        r incr other
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    test {Every kind of modification invalidates} {
        set rd [tclient]
        r mset m:del 1 m:exp 1 m:app a m:incr 1 m:src s
        foreach k {m:del m:exp m:app m:incr m:src m:dst m:new} {
            dcall $rd get $k
        }
        r del m:del
        assert_equal {{invalidate m:del}} [next_frames $rd 1]
        r expire m:exp 100
        assert_equal {{invalidate m:exp}} [next_frames $rd 1]
        r append m:app b
        assert_equal {{invalidate m:app}} [next_frames $rd 1]
        r incr m:incr
        assert_equal {{invalidate m:incr}} [next_frames $rd 1]
        # RENAME touches both keys.
        r rename m:src m:dst
        assert_equal {m:dst m:src} [invalidated_keys $rd 2]
        # Creating a key that did not exist when it was read.
        r set m:new x
        assert_equal {{invalidate m:new}} [next_frames $rd 1]
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    test {Deleting a key that does not exist does not invalidate it} {
        set rd [tclient]
        dcall $rd get ghost
        assert_equal 0 [r del ghost]
        assert_equal {} [pending_frames $rd]
        r set ghost 1
        assert_equal {{invalidate ghost}} [next_frames $rd 1]
        $rd close
    }

    test {Several tracking clients reading one key all get the push} {
        set rd1 [tclient]
        set rd2 [tclient]
        set rd3 [tclient]
        dcall $rd1 get shared
        dcall $rd2 get shared
        # rd3 tracks, but did not read it.
        dcall $rd3 get unrelated
        r set shared 1
        assert_equal {{invalidate shared}} [next_frames $rd1 1]
        assert_equal {{invalidate shared}} [next_frames $rd2 1]
        assert_equal {} [pending_frames $rd3]
        $rd1 close
        $rd2 close
        $rd3 close
    }

    test {Reads by a client without tracking are not tracked} {
        set rd [tclient none]
        dcall $rd get untracked
        r set untracked 1
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    test {Invalidations caused by the client itself come after the command's reply} {
        set fd [raw_open3]
        raw_send $fd CLIENT TRACKING ON
        raw_expect $fd "+OK\r\n"
        raw_send $fd GET self:k
        raw_expect $fd "_\r\n"
        raw_send $fd SET self:k v
        raw_expect $fd "+OK\r\n[inv_push self:k]"
        raw_send $fd GET self:k
        raw_expect $fd "\$1\r\nv\r\n"
        raw_send $fd INCRBY self:n 5
        raw_expect $fd ":5\r\n"
        raw_send $fd GET self:n
        raw_expect $fd "\$1\r\n5\r\n"
        raw_send $fd DEL self:k self:n
        raw_expect $fd ":2\r\n[inv_push self:k][inv_push self:n]"
        raw_send $fd PING
        raw_expect $fd "+PONG\r\n"
        raw_close_all
    }

    test {NOLOOP: the client's own writes do not invalidate, others' still do} {
        set rd [tclient noloop]
        dcall $rd get nl:a
        dcall $rd get nl:b
        assert_equal OK [dcall $rd set nl:a 1]
        assert_equal {} [pending_frames $rd]
        r set nl:b 1
        assert_equal {{invalidate nl:b}} [next_frames $rd 1]
        # The own write still made the server forget nl:a.
        r set nl:a 2
        assert_equal {} [pending_frames $rd]
        dcall $rd get nl:a
        r set nl:a 3
        assert_equal {{invalidate nl:a}} [next_frames $rd 1]
        $rd close
    }

    test {CLIENT TRACKING OFF stops the pushes} {
        set rd [tclient]
        dcall $rd get off:k
        assert_equal OK [dcall $rd client tracking off]
        r set off:k 1
        assert_equal {} [pending_frames $rd]
        # Reads while off are not tracked either.
        dcall $rd get off:other
        r set off:other 1
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    test {RESET turns tracking off} {
        set rd [tclient {bcast prefix rst:}]
        assert_equal RESET [dcall $rd reset]
        # RESET also went back to RESP2.
        assert_equal {flags off redirect -1 prefixes {}} [dcall $rd client trackinginfo]
        assert_equal -1 [dcall $rd client getredir]
        dcall $rd hello 3
        r set rst:1 x
        assert_equal {} [pending_frames $rd]
        # Any mode can be chosen again.
        assert_equal OK [dcall $rd client tracking on]
        dcall $rd get rst:2
        r set rst:2 x
        assert_equal {{invalidate rst:2}} [next_frames $rd 1]
        $rd close
    }

    test {CLIENT TRACKING ON in RESP2 without redirection is accepted} {
        set c [redis_client]
        assert_equal OK [$c client tracking on]
        assert_equal {flags on redirect 0 prefixes {}} [$c client trackinginfo]
        $c get resp2:k
        r set resp2:k 1
        # Nothing can be pushed to a RESP2 connection: the next reply is the
        # reply.
        assert_equal 1 [$c get resp2:k]
        assert_equal OK [$c client tracking off]
        $c close
    }

    # ------------------------------------------------------------ OPTIN / OPTOUT

    test {OPTIN: only the command after CLIENT CACHING YES is tracked} {
        set rd [tclient optin]
        dcall $rd get in:a
        assert_equal OK [dcall $rd client caching yes]
        dcall $rd get in:b
        dcall $rd get in:c
        # A command in between consumes the CACHING YES.
        assert_equal OK [dcall $rd client caching yes]
        dcall $rd ping
        dcall $rd get in:d
        assert_equal OK [dcall $rd client caching yes]
        dcall $rd mget in:e in:f
        r mset in:a 1 in:b 2 in:c 3 in:d 4 in:e 5 in:f 6
        assert_equal {in:b in:e in:f} [invalidated_keys $rd 3]
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    test {OPTIN: a rejected command also uses up CLIENT CACHING YES} {
        set rd [tclient optin]
        assert_equal OK [dcall $rd client caching yes]
        assert_equal {ERR wrong number of arguments for 'get' command} [err_of {dcall $rd get}]
        dcall $rd get rej:a
        assert_equal OK [dcall $rd client caching yes]
        assert_match {ERR unknown command*} [err_of {dcall $rd nosuchcommand rej:b}]
        dcall $rd get rej:b
        r mset rej:a 1 rej:b 2
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    test {OPTIN: CLIENT CACHING YES before MULTI covers the whole transaction} {
        set rd [tclient optin]
        assert_equal OK [dcall $rd client caching yes]
        assert_equal OK [dcall $rd multi]
        assert_equal QUEUED [dcall $rd get tx:a]
        assert_equal QUEUED [dcall $rd get tx:b]
        assert_equal {{} {}} [dcall $rd exec]
        dcall $rd get tx:c
        r mset tx:a 1 tx:b 2 tx:c 3
        assert_equal {tx:a tx:b} [invalidated_keys $rd 2]
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    test {OPTOUT: every read is tracked except the one after CLIENT CACHING NO} {
        set rd [tclient optout]
        dcall $rd get out:a
        assert_equal OK [dcall $rd client caching no]
        dcall $rd get out:b
        dcall $rd get out:c
        r mset out:a 1 out:b 2 out:c 3
        assert_equal {out:a out:c} [invalidated_keys $rd 2]
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    test {CLIENT TRACKINGINFO shows caching-yes and caching-no until the next command} {
        set c [redis_client]
        $c client tracking on optin
        $c client caching yes
        assert_equal {flags {on optin caching-yes} redirect 0 prefixes {}} [$c client trackinginfo]
        # CLIENT subcommands leave the flag in place, any other command
        # clears it.
        assert_equal {flags {on optin caching-yes} redirect 0 prefixes {}} [$c client trackinginfo]
        $c ping
        assert_equal {flags {on optin} redirect 0 prefixes {}} [$c client trackinginfo]
        $c client tracking off
        $c client tracking on optout noloop
        $c client caching no
        assert_equal {flags {on optout caching-no noloop} redirect 0 prefixes {}} [$c client trackinginfo]
        $c get anything
        assert_equal {flags {on optout noloop} redirect 0 prefixes {}} [$c client trackinginfo]
        $c close
    }

    test {CLIENT CACHING errors} {
        set c [redis_client]
        set notmode {ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled}
        assert_equal $notmode [err_of {$c client caching yes}]
        assert_equal $notmode [err_of {$c client caching no}]
        $c client tracking on
        assert_equal {ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.} [err_of {$c client caching yes}]
        assert_equal {ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.} [err_of {$c client caching no}]
        $c client tracking off
        $c client tracking on optin
        assert_equal OK [$c client caching yes]
        assert_equal OK [$c client caching YES]
        assert_equal {ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.} [err_of {$c client caching no}]
        assert_equal {ERR syntax error} [err_of {$c client caching maybe}]
        assert_equal {ERR wrong number of arguments for 'client|caching' command} [err_of {$c client caching}]
        assert_equal {ERR wrong number of arguments for 'client|caching' command} [err_of {$c client caching yes no}]
        $c client tracking off
        $c client tracking on optout
        assert_equal {ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.} [err_of {$c client caching yes}]
        assert_equal OK [$c client caching no]
        $c client tracking off
        $c client tracking on bcast
        assert_equal {ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.} [err_of {$c client caching yes}]
        assert_equal {ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.} [err_of {$c client caching no}]
        $c client tracking off
        assert_equal $notmode [err_of {$c client caching yes}]
        $c close
    }

    # ------------------------------------------------------------ BCAST

    test {BCAST without prefix: every modified key, one sorted message per batch} {
        set rd [tclient bcast]
        # Nothing was read; a key written twice appears once.
        assert_equal OK [r mset bc:z 1 bc:b 2 bc:a 3 bc:b 4]
        assert_equal {{invalidate {bc:a bc:b bc:z}}} [next_frames $rd 1]
        assert_equal {} [pending_frames $rd]
        r set bc:x 1
        assert_equal {{invalidate bc:x}} [next_frames $rd 1]
        $rd close
    }

    test {BCAST: the keys of one transaction come in one message} {
        set rd [tclient bcast]
        set c [redis_client]
        $c multi
        $c set tb:3 x
        $c incr tb:1
        $c del tb:3
        $c set tb:2 y
        $c exec
        assert_equal {{invalidate {tb:1 tb:2 tb:3}}} [next_frames $rd 1]
        assert_equal {} [pending_frames $rd]
        $c close
        $rd close
    }

    test {BCAST: pipelined commands read together are batched} {
        set rd [tclient bcast]
        set fd [raw_open]
        puts -nonewline $fd "[mbulk SET pb:2 a][mbulk SET pb:1 b][mbulk SET pb:3 c]"
        flush $fd
        raw_expect $fd "+OK\r\n+OK\r\n+OK\r\n"
        assert_equal {{invalidate {pb:1 pb:2 pb:3}}} [next_frames $rd 1]
        assert_equal {} [pending_frames $rd]
        raw_close_all
        $rd close
    }

    test {BCAST bytes, and the client's own writes after the reply} {
        set fd [raw_open3]
        raw_send $fd CLIENT TRACKING ON BCAST
        raw_expect $fd "+OK\r\n"
        r mset bb:2 x bb:1 y
        raw_expect $fd [inv_push bb:1 bb:2]
        raw_send $fd SET bb:self v
        raw_expect $fd "+OK\r\n[inv_push bb:self]"
        raw_send $fd PING
        raw_expect $fd "+PONG\r\n"
        raw_close_all
    }

    test {BCAST with NOLOOP skips the client's own writes} {
        set rd [tclient {bcast noloop}]
        assert_equal OK [dcall $rd set bn:own 1]
        assert_equal {} [pending_frames $rd]
        r set bn:other 1
        assert_equal {{invalidate bn:other}} [next_frames $rd 1]
        $rd close
    }

    test {BCAST with PREFIX: only matching keys, one message per prefix} {
        set rd [tclient {bcast prefix user: prefix obj:}]
        assert_equal OK [r mset user:2 a obj:1 b other c user:1 d usr:1 e]
        set frames [next_frames $rd 2]
        assert_equal {{invalidate obj:1} {invalidate {user:1 user:2}}} [lsort $frames]
        assert_equal {} [pending_frames $rd]
        r set other 1
        r set USER:1 1
        assert_equal {} [pending_frames $rd]
        # The prefix itself is a matching key.
        r set user: 1
        assert_equal {{invalidate user:}} [next_frames $rd 1]
        $rd close
    }

    test {BCAST with PREFIX bytes} {
        set fd [raw_open3]
        raw_send $fd CLIENT TRACKING ON BCAST PREFIX p: PREFIX q:
        raw_expect $fd "+OK\r\n"
        r mset q:b 1 p:x 2 q:a 3 zz 4
        raw_expect $fd "[inv_push p:x][inv_push q:a q:b]"
        raw_send $fd PING
        raw_expect $fd "+PONG\r\n"
        raw_close_all
    }

    test {BCAST: CLIENT TRACKING ON again adds prefixes} {
        set c [redis_client]
        assert_equal OK [$c client tracking on bcast prefix b: prefix c:]
        assert_equal OK [$c client tracking on bcast prefix a:]
        assert_equal {flags {on bcast} redirect 0 prefixes {a: b: c:}} [$c client trackinginfo]
        $c close
    }

    test {Prefix overlap errors} {
        set c [redis_client]
        assert_equal {ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap.} \
            [err_of {$c client tracking on bcast prefix a prefix ab}]
        assert_equal {ERR Prefix 'ab' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap.} \
            [err_of {$c client tracking on bcast prefix ab prefix a}]
        assert_equal {ERR Prefix 'x' overlaps with another provided prefix 'x'. Prefixes for a single client must not overlap.} \
            [err_of {$c client tracking on bcast prefix x prefix x}]
        assert_equal {ERR Prefix 'a' overlaps with another provided prefix ''. Prefixes for a single client must not overlap.} \
            [err_of {$c client tracking on bcast prefix a prefix {}}]
        # A failed command does not enable tracking.
        assert_equal {flags off redirect -1 prefixes {}} [$c client trackinginfo]
        assert_equal OK [$c client tracking on bcast prefix a prefix b]
        assert_equal {ERR Prefix 'abc' overlaps with an existing prefix 'a'. Prefixes for a single client must not overlap.} \
            [err_of {$c client tracking on bcast prefix abc}]
        assert_equal {ERR Prefix 'b' overlaps with an existing prefix 'b'. Prefixes for a single client must not overlap.} \
            [err_of {$c client tracking on bcast prefix b}]
        assert_equal {flags {on bcast} redirect 0 prefixes {a b}} [$c client trackinginfo]
        # Turning tracking off forgets the prefixes.
        assert_equal OK [$c client tracking off]
        assert_equal OK [$c client tracking on bcast prefix abc]
        assert_equal {flags {on bcast} redirect 0 prefixes abc} [$c client trackinginfo]
        $c close
    }

    # ------------------------------------------------------------ errors

    test {CLIENT TRACKING option errors} {
        set c [redis_client]
        assert_equal {ERR You can't specify both OPTIN mode and OPTOUT mode} [err_of {$c client tracking on optin optout}]
        assert_equal {ERR OPTIN and OPTOUT are not compatible with BCAST} [err_of {$c client tracking on bcast optin}]
        assert_equal {ERR OPTIN and OPTOUT are not compatible with BCAST} [err_of {$c client tracking on optout bcast}]
        assert_equal {ERR PREFIX option requires BCAST mode to be enabled} [err_of {$c client tracking on prefix a}]
        assert_equal {ERR The client ID you want redirect to does not exist} [err_of {$c client tracking on redirect 999999}]
        assert_equal {ERR The client ID you want redirect to does not exist} [err_of {$c client tracking on redirect 0}]
        assert_equal {ERR value is not an integer or out of range} [err_of {$c client tracking on redirect abc}]
        assert_equal {ERR syntax error} [err_of {$c client tracking on foo}]
        assert_equal {ERR syntax error} [err_of {$c client tracking maybe}]
        assert_equal {ERR syntax error} [err_of {$c client tracking on prefix}]
        assert_equal {ERR syntax error} [err_of {$c client tracking on redirect}]
        assert_equal {ERR wrong number of arguments for 'client|tracking' command} [err_of {$c client tracking}]
        assert_equal {ERR wrong number of arguments for 'client|getredir' command} [err_of {$c client getredir x}]
        assert_equal {ERR wrong number of arguments for 'client|trackinginfo' command} [err_of {$c client trackinginfo x}]
        # None of these enabled tracking.
        assert_equal -1 [$c client getredir]
        # Options are case insensitive.
        assert_equal OK [$c client tracking On BCast PREFIX x NoLoop]
        assert_equal {flags {on bcast noloop} redirect 0 prefixes x} [$c client trackinginfo]
        $c close
    }

    test {Switching BCAST, OPTIN or OPTOUT while tracking is on} {
        set c [redis_client]
        set bcast_err {ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.}
        set opt_err {ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.}
        $c client tracking on bcast
        assert_equal $bcast_err [err_of {$c client tracking on}]
        assert_equal $bcast_err [err_of {$c client tracking on optin}]
        $c client tracking off
        $c client tracking on
        assert_equal $bcast_err [err_of {$c client tracking on bcast}]
        $c client tracking off
        $c client tracking on optin
        assert_equal $opt_err [err_of {$c client tracking on optout}]
        assert_equal $bcast_err [err_of {$c client tracking on bcast}]
        # The same mode again is fine.
        assert_equal OK [$c client tracking on optin]
        assert_equal {flags {on optin} redirect 0 prefixes {}} [$c client trackinginfo]
        $c client tracking off
        $c client tracking on optout
        assert_equal $opt_err [err_of {$c client tracking on optin}]
        assert_equal {flags {on optout} redirect 0 prefixes {}} [$c client trackinginfo]
        # OFF takes no mode checks.
        assert_equal OK [$c client tracking off optin optout]
        assert_equal OK [$c client tracking off prefix x]
        assert_equal {flags off redirect -1 prefixes {}} [$c client trackinginfo]
        $c close
    }

    test {CLIENT TRACKING ON again replaces OPTIN and NOLOOP} {
        set c [redis_client]
        $c client tracking on optin noloop
        assert_equal {flags {on optin noloop} redirect 0 prefixes {}} [$c client trackinginfo]
        # Not a switch to OPTOUT: the options of the new command replace
        # the old ones.
        assert_equal OK [$c client tracking on]
        assert_equal {flags on redirect 0 prefixes {}} [$c client trackinginfo]
        $c close
    }

    # ------------------------------------------------------------ REDIRECT

    test {REDIRECT to a RESP2 client subscribed to __redis__:invalidate} {
        set sub [redis_deferring_client]
        set subid [client_id $sub]
        $sub subscribe __redis__:invalidate
        assert_equal {subscribe __redis__:invalidate 1} [$sub read]
        set c [redis_client]
        assert_equal OK [$c client tracking on redirect $subid]
        assert_equal $subid [$c client getredir]
        $c get rd:a
        $c mget rd:b rd:c
        r mset rd:a 1 rd:b 2 rd:c 3 rd:d 4
        set keys {}
        foreach f [next_frames $sub 3] {
            assert_equal message [lindex $f 0]
            assert_equal __redis__:invalidate [lindex $f 1]
            lappend keys {*}[lindex $f 2]
        }
        assert_equal {rd:a rd:b rd:c} [lsort $keys]
        assert_equal {} [pending_frames $sub]
        # The tracking client's own connection got nothing.
        assert_equal PONG [$c ping]
        $c close
        $sub close
    }

    test {Redirected invalidation bytes in RESP2: the payload is an array of keys} {
        set fd [raw_open]
        raw_send $fd CLIENT ID
        set line [raw_read_bytes $fd 4]
        while {![string match "*\r\n" $line]} {
            append line [raw_read_bytes $fd 1]
        }
        set subid [string range $line 1 end-2]
        raw_send $fd SUBSCRIBE __redis__:invalidate
        raw_expect $fd "*3\r\n\$9\r\nsubscribe\r\n\$20\r\n__redis__:invalidate\r\n:1\r\n"
        set c [redis_client]
        $c client tracking on redirect $subid
        $c get rb:key
        r set rb:key 1
        raw_expect $fd "*3\r\n\$7\r\nmessage\r\n\$20\r\n__redis__:invalidate\r\n*1\r\n\$6\r\nrb:key\r\n"
        # Flushes send a nil payload.
        r flushall
        raw_expect $fd "*3\r\n\$7\r\nmessage\r\n\$20\r\n__redis__:invalidate\r\n\$-1\r\n"
        $c close
        raw_close_all
    }

    test {REDIRECT to a RESP3 client: it gets the invalidate pushes} {
        set target [tclient none]
        set tid [client_id $target]
        set c [redis_client]
        $c client tracking on redirect $tid
        $c get r3:k
        r set r3:k 1
        assert_equal {{invalidate r3:k}} [next_frames $target 1]
        assert_equal {} [pending_frames $target]
        $c close
        $target close
    }

    test {REDIRECT with BCAST} {
        set sub [redis_deferring_client]
        set subid [client_id $sub]
        $sub subscribe __redis__:invalidate
        $sub read
        set c [redis_client]
        $c client tracking on bcast prefix rbc: redirect $subid
        assert_equal [list flags {on bcast} redirect $subid prefixes rbc:] [$c client trackinginfo]
        r mset rbc:2 x rbc:1 y other z
        assert_equal {{message __redis__:invalidate {rbc:1 rbc:2}}} [next_frames $sub 1]
        assert_equal {} [pending_frames $sub]
        $c close
        $sub close
    }

    test {A client can redirect to itself} {
        set rd [tclient none]
        set id [client_id $rd]
        assert_equal OK [dcall $rd client tracking on redirect $id]
        assert_equal $id [dcall $rd client getredir]
        dcall $rd get selfredir
        r set selfredir 1
        assert_equal {{invalidate selfredir}} [next_frames $rd 1]
        $rd close
    }

    test {Broken redirection: tracking-redir-broken push, R flag, broken_redirect} {
        set target [redis_deferring_client]
        set tid [client_id $target]
        set rd [tclient none]
        dcall $rd client setname brokenredir
        assert_equal OK [dcall $rd client tracking on redirect $tid]
        dcall $rd get br:k
        dcall $rd get br:k2
        $target close
        wait_for_condition 100 20 {[r client list id $tid] eq {}} else {
            fail "redirection target still connected"
        }
        r set br:k 1
        assert_equal [list [list tracking-redir-broken $tid]] [next_frames $rd 1]
        assert_equal {} [pending_frames $rd]
        set line [client_line brokenredir]
        assert_equal tR [client_field $line flags]
        assert_equal $tid [client_field $line redir]
        assert_equal [list flags {on broken_redirect} redirect $tid prefixes {}] [dcall $rd client trackinginfo]
        assert_equal $tid [dcall $rd client getredir]
        # Each further invalidation repeats the notice.
        r set br:k2 1
        assert_equal [list [list tracking-redir-broken $tid]] [next_frames $rd 1]
        $rd close
    }

    test {tracking-redir-broken bytes} {
        set target [redis_deferring_client]
        set tid [client_id $target]
        set fd [raw_open3]
        raw_send $fd CLIENT TRACKING ON REDIRECT $tid
        raw_expect $fd "+OK\r\n"
        raw_send $fd GET brb:k
        raw_expect $fd "_\r\n"
        $target close
        wait_for_condition 100 20 {[r client list id $tid] eq {}} else {
            fail "redirection target still connected"
        }
        r set brb:k 1
        raw_expect $fd ">2\r\n\$21\r\ntracking-redir-broken\r\n:$tid\r\n"
        raw_send $fd PING
        raw_expect $fd "+PONG\r\n"
        raw_close_all
    }

    test {A RESP2 client with a broken redirection gets nothing, but has the R flag} {
        set target [redis_deferring_client]
        set tid [client_id $target]
        set c [redis_client]
        $c client setname broken2
        $c client tracking on redirect $tid
        $c get b2:k
        $target close
        wait_for_condition 100 20 {[r client list id $tid] eq {}} else {
            fail "redirection target still connected"
        }
        r set b2:k 1
        assert_equal PONG [$c ping]
        assert_equal tR [client_field [client_line broken2] flags]
        assert_equal [list flags {on broken_redirect} redirect $tid prefixes {}] [$c client trackinginfo]
        $c close
    }

    # ------------------------------------------------------------ flush and expiry

    test {FLUSHALL and FLUSHDB invalidate everything with a null} {
        set rd [tclient]
        set bc [tclient bcast]
        # A tracking client that read nothing gets it as well.
        set idle [tclient]
        dcall $rd get fl:a
        r set fl:x 1
        assert_equal {{invalidate fl:x}} [next_frames $bc 1]
        r flushall
        assert_equal {{invalidate {}}} [next_frames $rd 1]
        assert_equal {{invalidate {}}} [next_frames $bc 1]
        assert_equal {{invalidate {}}} [next_frames $idle 1]
        r flushdb
        assert_equal {{invalidate {}}} [next_frames $rd 1]
        assert_equal {{invalidate {}}} [next_frames $bc 1]
        assert_equal {{invalidate {}}} [next_frames $idle 1]
        # The flush forgot fl:a.
        r set fl:a 1
        assert_equal {} [pending_frames $rd]
        assert_equal {} [pending_frames $idle]
        assert_equal {{invalidate fl:a}} [next_frames $bc 1]
        $rd close
        $bc close
        $idle close
    }

    test {FLUSHALL invalidation bytes in RESP3, also for the flushing client} {
        set fd [raw_open3]
        raw_send $fd CLIENT TRACKING ON
        raw_expect $fd "+OK\r\n"
        r flushall
        raw_expect $fd ">2\r\n\$10\r\ninvalidate\r\n_\r\n"
        raw_send $fd FLUSHDB
        raw_expect $fd "+OK\r\n>2\r\n\$10\r\ninvalidate\r\n_\r\n"
        raw_send $fd FLUSHALL ASYNC
        raw_expect $fd "+OK\r\n>2\r\n\$10\r\ninvalidate\r\n_\r\n"
        raw_send $fd PING
        raw_expect $fd "+PONG\r\n"
        raw_close_all
    }

    test {An expired key is invalidated} {
        set rd [tclient]
        r set exp:k v px 100
        assert_equal v [dcall $rd get exp:k]
        # Active expiry or a read by another client deletes it.
        wait_for_condition 200 20 {[r exists exp:k] == 0} else {
            fail "key did not expire"
        }
        assert_equal {{invalidate exp:k}} [next_frames $rd 1]
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    test {An expired key is invalidated for BCAST clients} {
        set rd [tclient {bcast prefix bexp:}]
        r set bexp:k v px 100
        assert_equal {{invalidate bexp:k}} [next_frames $rd 1]
        wait_for_condition 200 20 {[r exists bexp:k] == 0} else {
            fail "key did not expire"
        }
        assert_equal {{invalidate bexp:k}} [next_frames $rd 1]
        assert_equal {} [pending_frames $rd]
        $rd close
    }

    # ------------------------------------------------------------ introspection

    test {CLIENT GETREDIR} {
        set c [redis_client]
        set other [redis_client]
        set oid [$other client id]
        assert_equal -1 [$c client getredir]
        $c client tracking on
        assert_equal 0 [$c client getredir]
        $c client tracking on redirect $oid
        assert_equal $oid [$c client getredir]
        $c client tracking off
        assert_equal -1 [$c client getredir]
        $c client tracking on bcast redirect $oid
        assert_equal $oid [$c client getredir]
        $c close
        $other close
    }

    test {CLIENT TRACKINGINFO in RESP2 and RESP3} {
        set fd [raw_open]
        raw_send $fd CLIENT TRACKINGINFO
        raw_expect $fd "*6\r\n\$5\r\nflags\r\n*1\r\n\$3\r\noff\r\n\$8\r\nredirect\r\n:-1\r\n\$8\r\nprefixes\r\n*0\r\n"
        raw_send $fd CLIENT TRACKING ON BCAST PREFIX b PREFIX a NOLOOP
        raw_expect $fd "+OK\r\n"
        raw_send $fd CLIENT TRACKINGINFO
        raw_expect $fd "*6\r\n\$5\r\nflags\r\n*3\r\n\$2\r\non\r\n\$5\r\nbcast\r\n\$6\r\nnoloop\r\n\$8\r\nredirect\r\n:0\r\n\$8\r\nprefixes\r\n*2\r\n\$1\r\na\r\n\$1\r\nb\r\n"
        set fd3 [raw_open3]
        raw_send $fd3 CLIENT TRACKINGINFO
        raw_expect $fd3 "%3\r\n\$5\r\nflags\r\n~1\r\n\$3\r\noff\r\n\$8\r\nredirect\r\n:-1\r\n\$8\r\nprefixes\r\n*0\r\n"
        raw_send $fd3 CLIENT TRACKING ON
        raw_expect $fd3 "+OK\r\n"
        raw_send $fd3 CLIENT TRACKINGINFO
        raw_expect $fd3 "%3\r\n\$5\r\nflags\r\n~1\r\n\$2\r\non\r\n\$8\r\nredirect\r\n:0\r\n\$8\r\nprefixes\r\n*0\r\n"
        # Plain BCAST tracks the empty prefix.
        raw_send $fd3 CLIENT TRACKING OFF
        raw_expect $fd3 "+OK\r\n"
        raw_send $fd3 CLIENT TRACKING ON BCAST
        raw_expect $fd3 "+OK\r\n"
        raw_send $fd3 CLIENT TRACKINGINFO
        raw_expect $fd3 "%3\r\n\$5\r\nflags\r\n~2\r\n\$2\r\non\r\n\$5\r\nbcast\r\n\$8\r\nredirect\r\n:0\r\n\$8\r\nprefixes\r\n*1\r\n\$0\r\n\r\n"
        raw_close_all
    }

    test {CLIENT TRACKINGINFO with a redirection} {
        set other [redis_client]
        set oid [$other client id]
        set c [redis_client]
        $c client tracking on redirect $oid optout
        assert_equal [list flags {on optout} redirect $oid prefixes {}] [$c client trackinginfo]
        $c close
        $other close
    }

    test {CLIENT LIST flags t and B, and redir=} {
        set other [redis_client]
        set oid [$other client id]
        set c [redis_client]
        $c client setname trklist
        set line [client_line trklist]
        assert_equal N [client_field $line flags]
        assert_equal -1 [client_field $line redir]
        $c client tracking on
        set line [client_line trklist]
        assert_equal t [client_field $line flags]
        assert_equal 0 [client_field $line redir]
        $c client tracking on redirect $oid
        assert_equal $oid [client_field [client_line trklist] redir]
        $c client tracking off
        $c client tracking on bcast
        set line [client_line trklist]
        assert_equal tB [client_field $line flags]
        assert_equal 0 [client_field $line redir]
        assert_match {*flags=tB *redir=0 *} [$c client info]
        $c client tracking off
        set line [client_line trklist]
        assert_equal N [client_field $line flags]
        assert_equal -1 [client_field $line redir]
        $c close
        $other close
    }

    test {INFO tracking_clients} {
        wait_no_tracking
        set c1 [redis_client]
        set c2 [redis_client]
        $c1 client tracking on
        assert_equal 1 [s tracking_clients]
        $c2 client tracking on bcast
        assert_equal 2 [s tracking_clients]
        # ON again does not count twice.
        $c1 client tracking on
        assert_equal 2 [s tracking_clients]
        $c1 client tracking off
        assert_equal 1 [s tracking_clients]
        $c1 client tracking off
        assert_equal 1 [s tracking_clients]
        $c2 close
        wait_no_tracking
        $c1 close
    }

    test {INFO tracking_total_keys, tracking_total_items and tracking_total_prefixes} {
        wait_no_tracking
        r flushall
        assert_equal 0 [s tracking_total_keys]
        assert_equal 0 [s tracking_total_items]
        assert_equal 0 [s tracking_total_prefixes]
        set rd1 [tclient]
        set rd2 [tclient]
        dcall $rd1 mget ti:x ti:y ti:z
        dcall $rd2 mget ti:x ti:w
        # Keys: x y z w; items: one per (key, client).
        assert_equal 4 [s tracking_total_keys]
        assert_equal 5 [s tracking_total_items]
        # Reading again adds nothing.
        dcall $rd1 get ti:x
        assert_equal 4 [s tracking_total_keys]
        assert_equal 5 [s tracking_total_items]
        r set ti:x 1
        next_frames $rd1 1
        next_frames $rd2 1
        assert_equal 3 [s tracking_total_keys]
        assert_equal 3 [s tracking_total_items]
        set b1 [tclient {bcast prefix p1 prefix p2}]
        set b2 [tclient {bcast prefix p1}]
        set b3 [tclient bcast]
        # p1, p2 and the empty prefix.
        assert_equal 3 [s tracking_total_prefixes]
        $b1 close
        # p2 has no client left.
        wait_for_condition 100 20 {[s tracking_total_prefixes] == 2} else {
            fail "tracking_total_prefixes is [s tracking_total_prefixes]"
        }
        dcall $b3 client tracking off
        assert_equal 1 [s tracking_total_prefixes]
        # A flush empties the table of keys.
        r flushall
        assert_equal 0 [s tracking_total_keys]
        assert_equal 0 [s tracking_total_items]
        $rd1 close
        $rd2 close
        $b2 close
        $b3 close
    }

    test {Cleanup of raw connections} {
        raw_close_all
        assert_equal PONG [r ping]
    }
}
