# Keyspace notifications: notify-keyspace-events and the events that string
# and generic keyspace commands publish on __keyspace@<db>__:<key> and
# __keyevent@<db>__:<event>.
#
# A deferring client psubscribed to __key*__:* collects the events; `events`
# sends it a PING and returns every notification that arrived before the
# PING reply (notifications are published while the command runs, so they
# are written to the subscriber before it reads the PING).

proc notify {flags} {
    r config set notify-keyspace-events $flags
}

# A subscriber of every keyspace and keyevent channel.
proc ev_client {{proto 2}} {
    set rd [redis_deferring_client]
    if {$proto == 3} {
        $rd hello 3
        $rd read
    }
    $rd psubscribe __key*__:*
    $rd read
    return $rd
}

# Notifications received so far, as {channel message} pairs.
proc events {rd} {
    $rd ping fk-sync
    set out {}
    while 1 {
        set f [$rd read]
        if {$f eq "fk-sync" || $f eq {pong fk-sync}} {
            return $out
        }
        if {[lindex $f 0] ne "pmessage"} {
            fail "unexpected frame: $f"
        }
        lappend out [list [lindex $f 2] [lindex $f 3]]
    }
}

# Expected events: ks = keyspace only, ke = keyevent only, kse = both (the
# keyspace one first, as published).
proc ks {db key event} {
    list [list "__keyspace@${db}__:$key" $event]
}
proc ke {db key event} {
    list [list "__keyevent@${db}__:$event" $key]
}
proc kse {db key event} {
    concat [ks $db $key $event] [ke $db $key $event]
}

# Run a command with the default client and return the events it caused.
proc ev_of {rd args} {
    r {*}$args
    events $rd
}

# Read n bytes from a non-blocking socket, giving up after 3 s.
proc read_bytes {fd n} {
    set buf {}
    set deadline [expr {[clock milliseconds] + 3000}]
    while {[string length $buf] < $n && ![eof $fd] && [clock milliseconds] < $deadline} {
        append buf [read $fd [expr {$n - [string length $buf]}]]
        after 2
    }
    return $buf
}

proc vis {s} {
    string map [list "\r" {\r} "\n" {\n}] $s
}

start_server {tags {"pubsub notifications"}} {

    # ------------------------------------------------------------ configuration

    test {notify-keyspace-events is empty by default} {
        assert_equal {notify-keyspace-events {}} [r config get notify-keyspace-events]
    }

    test {CONFIG GET shows notify-keyspace-events normalised} {
        foreach {set get} {
            KEA AKE
            AKE AKE
            EAK AKE
            Kg$ g$K
            $Kg g$K
            gK$xE g$xKE
            KEAm AKEm
            Ag$lshzxeKEtd AKE
            A$ A
            E E
            x x
            {} {}
        } {
            assert_equal OK [notify $set]
            assert_equal [list notify-keyspace-events $get] [r config get notify-keyspace-events] "after setting '$set'"
        }
    }

    test {An invalid event class character is refused} {
        notify KEA
        assert_equal {ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.} [err_of {notify KEAQ}]
        assert_match {ERR CONFIG SET failed*Invalid event class*} [err_of {notify k}]
        # The previous value is kept.
        assert_equal {notify-keyspace-events AKE} [r config get notify-keyspace-events]
        notify ""
    }

    test {No events when notifications are off} {
        r flushall
        notify ""
        set rd [ev_client]
        r set k v
        r expire k 100
        r del k
        r get nokey
        assert_equal {} [events $rd]
        $rd close
    }

    test {K or E without an event class, or a class without K or E, publish nothing} {
        set rd [ev_client]
        foreach flags {K E KE g $ A gx$ mn} {
            notify $flags
            r set k v
            r expire k 100
            r del k
            r get nokey
            assert_equal {} [events $rd] "flags '$flags'"
        }
        $rd close
    }

    test {K publishes on __keyspace@0__ only, E on __keyevent@0__ only} {
        set rd [ev_client]
        notify KA
        assert_equal [ks 0 k set] [ev_of $rd set k v]
        notify EA
        assert_equal [ke 0 k set] [ev_of $rd set k v]
        notify KEA
        assert_equal [kse 0 k set] [ev_of $rd set k v]
        $rd close
    }

    test {Event classes: $ for strings, g for generic commands, x for expired} {
        set rd [ev_client]
        notify K$
        assert_equal [ks 0 k set] [ev_of $rd set k 1]
        assert_equal [ks 0 k incrby] [ev_of $rd incr k]
        assert_equal {} [ev_of $rd expire k 100]
        assert_equal {} [ev_of $rd del k]
        notify Kg
        assert_equal {} [ev_of $rd set k 1]
        assert_equal [ks 0 k expire] [ev_of $rd expire k 100]
        assert_equal [ks 0 k persist] [ev_of $rd persist k]
        assert_equal [ks 0 k del] [ev_of $rd del k]
        # SET with EX is a string event and a generic one.
        notify E$
        assert_equal [ke 0 k set] [ev_of $rd set k 1 ex 100]
        notify Eg
        assert_equal [ke 0 k expire] [ev_of $rd set k 1 ex 100]
        notify Ex
        assert_equal {} [ev_of $rd set k 1 ex 100]
        assert_equal {} [ev_of $rd del k]
        $rd close
    }

    # ------------------------------------------------------------ string commands

    test {SET, SET with EX/PX and KEEPTTL} {
        r flushall
        notify KEA
        set rd [ev_client]
        assert_equal [kse 0 k set] [ev_of $rd set k v]
        assert_equal [concat [kse 0 k set] [kse 0 k expire]] [ev_of $rd set k v ex 100]
        assert_equal [concat [kse 0 k set] [kse 0 k expire]] [ev_of $rd set k v px 100000]
        assert_equal [concat [kse 0 k set] [kse 0 k expire]] [ev_of $rd set k v exat [expr {[clock seconds] + 100}]]
        assert_equal [kse 0 k set] [ev_of $rd set k v keepttl]
        assert_equal [kse 0 k set] [ev_of $rd set k v2 get]
        $rd close
    }

    test {SET NX/XX that does not set publishes nothing} {
        r flushall
        notify KEA
        set rd [ev_client]
        r set k v
        events $rd
        assert_equal {} [ev_of $rd set k v nx]
        assert_equal {} [ev_of $rd set nokey v xx]
        assert_equal [kse 0 k set] [ev_of $rd set k v xx]
        # A syntax error publishes nothing either.
        catch {r set k v ex 0}
        catch {r set k v nx xx}
        assert_equal {} [events $rd]
        $rd close
    }

    test {SETEX and PSETEX: set then expire} {
        notify KEA
        set rd [ev_client]
        assert_equal [concat [kse 0 k set] [kse 0 k expire]] [ev_of $rd setex k 100 v]
        assert_equal [concat [kse 0 k set] [kse 0 k expire]] [ev_of $rd psetex k 100000 v]
        catch {r setex k 0 v}
        assert_equal {} [events $rd]
        $rd close
    }

    test {SETNX, GETSET, MSET and MSETNX} {
        r flushall
        notify KEA
        set rd [ev_client]
        assert_equal [kse 0 a set] [ev_of $rd setnx a 1]
        assert_equal {} [ev_of $rd setnx a 2]
        assert_equal [kse 0 a set] [ev_of $rd getset a 3]
        # GETSET clears the TTL but only publishes set.
        r expire a 100
        events $rd
        assert_equal [kse 0 a set] [ev_of $rd getset a 4]
        assert_equal [concat [kse 0 a set] [kse 0 b set] [kse 0 c set]] [ev_of $rd mset a 1 b 2 c 3]
        # A key given twice is set twice.
        assert_equal [concat [kse 0 a set] [kse 0 a set]] [ev_of $rd mset a 1 a 2]
        assert_equal [concat [kse 0 x set] [kse 0 y set]] [ev_of $rd msetnx x 1 y 2]
        assert_equal {} [ev_of $rd msetnx z 1 x 2]
        $rd close
    }

    test {APPEND and SETRANGE} {
        r flushall
        notify KEA
        set rd [ev_client]
        assert_equal [kse 0 s append] [ev_of $rd append s hello]
        assert_equal [kse 0 s append] [ev_of $rd append s world]
        assert_equal [kse 0 s append] [ev_of $rd append s ""]
        assert_equal [kse 0 s setrange] [ev_of $rd setrange s 0 J]
        assert_equal [kse 0 r setrange] [ev_of $rd setrange r 5 x]
        # An empty value changes nothing and publishes nothing.
        assert_equal {} [ev_of $rd setrange s 0 ""]
        assert_equal {} [ev_of $rd setrange nokey 3 ""]
        $rd close
    }

    test {INCR INCRBY DECR DECRBY publish incrby, INCRBYFLOAT publishes incrbyfloat} {
        r flushall
        notify KEA
        set rd [ev_client]
        assert_equal [kse 0 n incrby] [ev_of $rd incr n]
        assert_equal [kse 0 n incrby] [ev_of $rd incrby n 10]
        assert_equal [kse 0 n incrby] [ev_of $rd incrby n 0]
        assert_equal [kse 0 n incrby] [ev_of $rd decr n]
        assert_equal [kse 0 n incrby] [ev_of $rd decrby n 3]
        assert_equal [kse 0 n incrbyfloat] [ev_of $rd incrbyfloat n 1.5]
        assert_equal [kse 0 f incrbyfloat] [ev_of $rd incrbyfloat f 2]
        # Failing commands publish nothing.
        r set s abc
        events $rd
        catch {r incr s}
        catch {r incrbyfloat s 1}
        catch {r incrby n notanumber}
        r set big 9223372036854775807
        events $rd
        catch {r incr big}
        assert_equal {} [events $rd]
        $rd close
    }

    test {GETDEL publishes del} {
        r flushall
        notify KEA
        set rd [ev_client]
        r set k v
        events $rd
        assert_equal [kse 0 k del] [ev_of $rd getdel k]
        assert_equal {} [ev_of $rd getdel k]
        # del is a generic event.
        r set k v
        notify K$
        events $rd
        assert_equal {} [ev_of $rd getdel k]
        $rd close
    }

    test {GETEX: expire for EX/PX/EXAT/PXAT, persist for PERSIST, del for a past time} {
        r flushall
        notify KEA
        set rd [ev_client]
        r set k v
        events $rd
        assert_equal {} [ev_of $rd getex k]
        assert_equal [kse 0 k expire] [ev_of $rd getex k ex 100]
        assert_equal [kse 0 k expire] [ev_of $rd getex k px 100000]
        assert_equal [kse 0 k expire] [ev_of $rd getex k exat [expr {[clock seconds] + 100}]]
        assert_equal [kse 0 k expire] [ev_of $rd getex k pxat [expr {[clock milliseconds] + 100000}]]
        assert_equal [kse 0 k persist] [ev_of $rd getex k persist]
        # PERSIST on a key without a TTL publishes nothing.
        assert_equal {} [ev_of $rd getex k persist]
        assert_equal [kse 0 k del] [ev_of $rd getex k exat 1]
        assert_equal 0 [r exists k]
        assert_equal {} [ev_of $rd getex nokey ex 100]
        $rd close
    }

    # ------------------------------------------------------------ generic commands

    test {DEL and UNLINK publish del for each key that existed} {
        r flushall
        notify KEA
        set rd [ev_client]
        r mset a 1 b 2 c 3
        events $rd
        assert_equal [concat [kse 0 a del] [kse 0 c del]] [ev_of $rd del a nokey c]
        assert_equal [kse 0 b del] [ev_of $rd unlink b b nokey]
        assert_equal {} [ev_of $rd del a b c]
        $rd close
    }

    test {EXPIRE PEXPIRE EXPIREAT PEXPIREAT publish expire} {
        r flushall
        notify KEA
        set rd [ev_client]
        r set k v
        events $rd
        assert_equal [kse 0 k expire] [ev_of $rd expire k 100]
        assert_equal [kse 0 k expire] [ev_of $rd pexpire k 100000]
        assert_equal [kse 0 k expire] [ev_of $rd expireat k [expr {[clock seconds] + 100}]]
        assert_equal [kse 0 k expire] [ev_of $rd pexpireat k [expr {[clock milliseconds] + 100000}]]
        # Conditions that are not met, and missing keys: nothing.
        assert_equal {} [ev_of $rd expire k 200 nx]
        assert_equal {} [ev_of $rd expire k 10 gt]
        assert_equal [kse 0 k expire] [ev_of $rd expire k 200 gt]
        assert_equal {} [ev_of $rd expire nokey 100]
        $rd close
    }

    test {EXPIRE with a time in the past deletes the key and publishes del} {
        r flushall
        notify KEA
        set rd [ev_client]
        foreach cmd {{expire k -1} {expire k 0} {pexpire k -100} {expireat k 1} {pexpireat k 1000}} {
            r set k v
            events $rd
            assert_equal [kse 0 k del] [ev_of $rd {*}$cmd] $cmd
            assert_equal 0 [r exists k]
        }
        $rd close
    }

    test {PERSIST publishes persist only when a TTL was removed} {
        r flushall
        notify KEA
        set rd [ev_client]
        r set k v ex 100
        events $rd
        assert_equal [kse 0 k persist] [ev_of $rd persist k]
        assert_equal {} [ev_of $rd persist k]
        assert_equal {} [ev_of $rd persist nokey]
        $rd close
    }

    test {RENAME publishes rename_from then rename_to} {
        r flushall
        notify KEA
        set rd [ev_client]
        r set src v
        events $rd
        assert_equal [concat [kse 0 src rename_from] [kse 0 dst rename_to]] [ev_of $rd rename src dst]
        # Overwriting an existing key: still only the two rename events.
        r set other x
        events $rd
        assert_equal [concat [kse 0 dst rename_from] [kse 0 other rename_to]] [ev_of $rd rename dst other]
        # Renaming a key to itself and failing renames publish nothing.
        assert_equal {} [ev_of $rd rename other other]
        catch {r rename nokey x}
        assert_equal {} [events $rd]
        r set a 1
        events $rd
        assert_equal {} [ev_of $rd renamenx a other]
        assert_equal [concat [kse 0 a rename_from] [kse 0 b rename_to]] [ev_of $rd renamenx a b]
        $rd close
    }

    test {MOVE publishes move_from in the source db and move_to in the target db} {
        r flushall
        notify KEA
        set rd [ev_client]
        r set m v
        events $rd
        assert_equal [concat [kse 0 m move_from] [kse 1 m move_to]] [ev_of $rd move m 1]
        # A key that exists in the target, a missing key: nothing.
        r set m v
        events $rd
        assert_equal {} [ev_of $rd move m 1]
        assert_equal {} [ev_of $rd move nokey 1]
        $rd close
    }

    test {COPY publishes copy_to on the destination} {
        r flushall
        notify KEA
        set rd [ev_client]
        r set src v
        events $rd
        assert_equal [kse 0 dst copy_to] [ev_of $rd copy src dst]
        assert_equal {} [ev_of $rd copy src dst]
        assert_equal [kse 0 dst copy_to] [ev_of $rd copy src dst replace]
        assert_equal [kse 3 dst copy_to] [ev_of $rd copy src dst db 3]
        assert_equal {} [ev_of $rd copy nokey dst2]
        $rd close
    }

    test {FLUSHDB, FLUSHALL and SWAPDB publish no key events} {
        r flushall
        notify KEA
        set rd [ev_client]
        r mset a 1 b 2
        events $rd
        assert_equal {} [ev_of $rd swapdb 0 1]
        assert_equal {} [ev_of $rd flushdb]
        assert_equal {} [ev_of $rd flushall]
        $rd close
    }

    # ------------------------------------------------------------ expiry

    test {Accessing an expired key publishes expired} {
        r flushall
        notify KEA
        set rd [ev_client]
        r set k v px 1
        after 20
        # Whether the key was removed by active expiry or by this access,
        # expired was published exactly once by the time GET returned.
        assert_equal {} [r get k]
        assert_equal [concat [kse 0 k set] [kse 0 k expire] [kse 0 k expired]] [events $rd]
        assert_equal {} [ev_of $rd get k]
        $rd close
    }

    test {Lazy expiry on access: expired, then keymiss with m} {
        r flushall
        r debug set-active-expire 0
        try {
            notify KEAm
            set rd [ev_client]
            r set k v px 1
            events $rd
            after 20
            assert_equal [concat [kse 0 k expired] [kse 0 k keymiss]] [ev_of $rd get k]
            r set k v px 1
            events $rd
            after 20
            assert_equal [concat [kse 0 k expired] [kse 0 k incrby]] [ev_of $rd incr k]
            r set k v px 1
            events $rd
            after 20
            assert_equal [concat [kse 0 k expired] [kse 0 k set]] [ev_of $rd set k v]
            notify Ex
            r set k v px 1
            after 20
            assert_equal [ke 0 k expired] [ev_of $rd get k]
            $rd close
        } finally {
            r debug set-active-expire 1
        }
    } {} {needs:debug}

    test {Lazy expiry on a write re-creates the key} {
        r flushall
        r debug set-active-expire 0
        try {
            notify KEA
            set rd [ev_client]
            r set k 5 px 1
            events $rd
            after 20
            assert_equal [concat [kse 0 k expired] [kse 0 k incrby]] [ev_of $rd incr k]
            assert_equal 1 [r get k]
            $rd close
        } finally {
            r debug set-active-expire 1
        }
    } {} {needs:debug}

    test {Active expiry publishes expired without any access} {
        r flushall
        notify KEx
        set rd [ev_client]
        r set k v px 10
        # Wait for the notification itself (the read has its own timeout).
        assert_equal {pmessage __key*__:* __keyspace@0__:k expired} [$rd read]
        assert_equal {pmessage __key*__:* __keyevent@0__:expired k} [$rd read]
        assert_equal {} [events $rd]
        assert_equal 0 [r exists k]
        $rd close
    }

    test {SET with an EXAT in the past publishes set and expire, the key is gone} {
        r flushall
        notify KEA
        set rd [ev_client]
        r set k v exat 1
        assert_equal {} [r get k]
        assert_equal [concat [kse 0 k set] [kse 0 k expire] [kse 0 k expired]] [events $rd]
        $rd close
    }

    # ------------------------------------------------------------ new

    test {new is published only with the n flag} {
        r flushall
        set rd [ev_client]
        notify KEA
        assert_equal [kse 0 k set] [ev_of $rd set k v]
        r del k
        events $rd
        notify KEAn
        assert_equal [concat [kse 0 k new] [kse 0 k set]] [ev_of $rd set k v]
        # Overwriting an existing key is not new.
        assert_equal [kse 0 k set] [ev_of $rd set k v2]
        r del k
        notify En
        events $rd
        assert_equal [ke 0 k new] [ev_of $rd set k v]
        notify Kn
        assert_equal [ks 0 k2 new] [ev_of $rd set k2 v]
        $rd close
    }

    test {new for every command that creates a string key} {
        r flushall
        notify En
        set rd [ev_client]
        foreach {key cmd} {
            a {set a 1}
            b {setnx b 1}
            c {setex c 100 v}
            d {psetex d 100000 v}
            e {getset e 1}
            f {append f x}
            g {setrange g 2 x}
            h {incr h}
            i {incrby i 5}
            j {decr j}
            k {incrbyfloat k 1.5}
            l {copy a l}
            m {set m 1 get}
        } {
            assert_equal [ke 0 $key new] [ev_of $rd {*}$cmd] $cmd
        }
        assert_equal [concat [ke 0 x new] [ke 0 y new]] [ev_of $rd mset a 2 x 1 y 2]
        assert_equal [ke 0 z new] [ev_of $rd msetnx z 1]
        assert_equal [ke 0 ren new] [ev_of $rd rename a ren]
        assert_equal [ke 1 ren new] [ev_of $rd move ren 1]
        # Nothing new: writes to existing keys, failed writes.
        assert_equal {} [ev_of $rd set b 2]
        assert_equal {} [ev_of $rd append f y]
        assert_equal {} [ev_of $rd incr h]
        assert_equal {} [ev_of $rd setnx b 3]
        assert_equal {} [ev_of $rd setrange nokey 0 ""]
        $rd close
    }

    # ------------------------------------------------------------ keymiss

    test {keymiss is published only with the m flag} {
        r flushall
        set rd [ev_client]
        notify KEA
        assert_equal {} [ev_of $rd get nokey]
        notify KEm
        assert_equal [kse 0 nokey keymiss] [ev_of $rd get nokey]
        notify Em
        assert_equal [ke 0 nokey keymiss] [ev_of $rd get nokey]
        notify Km
        assert_equal [ks 0 nokey keymiss] [ev_of $rd get nokey]
        $rd close
    }

    test {keymiss for read commands on missing keys} {
        r flushall
        notify Em
        set rd [ev_client]
        r set present v
        assert_equal [ke 0 nokey keymiss] [ev_of $rd get nokey]
        assert_equal {} [ev_of $rd get present]
        assert_equal [concat [ke 0 m1 keymiss] [ke 0 m2 keymiss]] [ev_of $rd mget m1 present m2]
        assert_equal [ke 0 nokey keymiss] [ev_of $rd strlen nokey]
        assert_equal [ke 0 nokey keymiss] [ev_of $rd getrange nokey 0 -1]
        assert_equal [ke 0 nokey keymiss] [ev_of $rd getdel nokey]
        assert_equal [ke 0 nokey keymiss] [ev_of $rd getex nokey]
        $rd close
    }

    test {No keymiss for writes to missing keys} {
        r flushall
        notify Em
        set rd [ev_client]
        foreach cmd {
            {set a 1} {setnx b 1} {append c x} {incr d} {incrbyfloat e 1}
            {setrange f 0 x} {mset g 1 h 2} {del nokey} {unlink nokey}
            {expire nokey 100} {persist nokey}
        } {
            assert_equal {} [ev_of $rd {*}$cmd] $cmd
        }
        $rd close
    }

    test {keymiss for EXISTS TYPE TTL and TOUCH of a missing key} {
        r flushall
        notify Em
        set rd [ev_client]
        foreach cmd {{exists nokey} {type nokey} {ttl nokey} {pttl nokey} {touch nokey}} {
            assert_equal [ke 0 nokey keymiss] [ev_of $rd {*}$cmd] $cmd
        }
        $rd close
    }

    test {keymiss: COPY, LCS and SUBSTR publish it, OBJECT and RENAME do not} {
        r flushall
        notify Em
        set rd [ev_client]
        r set present v
        events $rd
        assert_equal [ke 0 nokey keymiss] [ev_of $rd copy nokey dst]
        assert_equal [ke 0 nokey keymiss] [ev_of $rd substr nokey 0 1]
        assert_equal [ke 0 nokey keymiss] [ev_of $rd lcs nokey present]
        assert_equal {} [ev_of $rd object encoding nokey]
        catch {r rename nokey dst}
        catch {r renamenx nokey dst}
        assert_equal {} [events $rd]
        $rd close
    }

    test {SET GET and GETSET of a missing key publish keymiss} {
        r flushall
        notify Em
        set rd [ev_client]
        assert_equal [ke 0 k1 keymiss] [ev_of $rd set k1 v get]
        assert_equal [ke 0 k2 keymiss] [ev_of $rd getset k2 v]
        assert_equal {} [ev_of $rd getset k2 w]
        $rd close
    }

    # ------------------------------------------------------------ databases and delivery

    test {The database number in channel names follows SELECT} {
        r flushall
        notify KEA
        set rd [ev_client]
        r select 5
        try {
            assert_equal [kse 5 k set] [ev_of $rd set k v]
            assert_equal [kse 5 k expire] [ev_of $rd expire k 100]
            assert_equal [kse 5 k del] [ev_of $rd del k]
            r select 12
            assert_equal [kse 12 k2 incrby] [ev_of $rd incr k2]
        } finally {
            r select 0
        }
        assert_equal [kse 0 k set] [ev_of $rd set k v]
        $rd close
    }

    test {Subscribing to one key's keyspace channel} {
        r flushall
        notify KEA
        set rd [redis_deferring_client]
        $rd subscribe __keyspace@0__:watched
        $rd read
        r set watched 1
        r set other 1
        r incr watched
        r del watched
        $rd ping
        assert_equal {message __keyspace@0__:watched set} [$rd read]
        assert_equal {message __keyspace@0__:watched incrby} [$rd read]
        assert_equal {message __keyspace@0__:watched del} [$rd read]
        assert_equal {pong {}} [$rd read]
        $rd close
    }

    test {Subscribing to one event's keyevent channel} {
        r flushall
        notify E$
        set rd [redis_deferring_client]
        $rd subscribe __keyevent@0__:set
        $rd read
        r set a 1
        r incr a
        r mset b 1 c 2
        $rd ping
        assert_equal {message __keyevent@0__:set a} [$rd read]
        assert_equal {message __keyevent@0__:set b} [$rd read]
        assert_equal {message __keyevent@0__:set c} [$rd read]
        assert_equal {pong {}} [$rd read]
        $rd close
    }

    test {Notifications to a RESP3 subscriber are push frames} {
        r flushall
        notify KEA
        set fd [socket [srv 0 host] [srv 0 port]]
        fconfigure $fd -translation binary -buffering none -blocking 0
        try {
            puts -nonewline $fd "*2\r\n\$5\r\nHELLO\r\n\$1\r\n3\r\n"
            # Skip the HELLO map: it ends with the empty modules array.
            set hello {}
            set deadline [expr {[clock milliseconds] + 5000}]
            while {![string match "*modules\r\n\\*0\r\n" $hello] && [clock milliseconds] < $deadline} {
                append hello [read $fd]
                after 2
            }
            puts -nonewline $fd "*2\r\n\$9\r\nSUBSCRIBE\r\n\$18\r\n__keyevent@0__:del\r\n"
            set want ">3\r\n\$9\r\nsubscribe\r\n\$18\r\n__keyevent@0__:del\r\n:1\r\n"
            assert_equal [vis $want] [vis [read_bytes $fd [string length $want]]]
            r set gone 1
            r del gone
            set want ">3\r\n\$7\r\nmessage\r\n\$18\r\n__keyevent@0__:del\r\n\$4\r\ngone\r\n"
            assert_equal [vis $want] [vis [read_bytes $fd [string length $want]]]
        } finally {
            close $fd
        }
    }

    test {The client that runs the command gets its own RESP3 notifications first} {
        r flushall
        notify KEA
        set c [redis_client]
        $c hello 3
        $c psubscribe __keyspace@0__:*
        $c readraw 1
        set lines [list [$c set mine v]]
        for {set i 1} {$i < 10} {incr i} {
            lappend lines [$c read]
        }
        $c readraw 0
        assert_equal {>4 $8 pmessage $16 __keyspace@0__:* $19 __keyspace@0__:mine $3 set +OK} [join $lines " "]
        $c close
    }

    test {Binary key names in channel names} {
        r flushall
        notify KEA
        set rd [ev_client]
        set key "bin\x00\r\n\xff"
        assert_equal [kse 0 $key set] [ev_of $rd set $key v]
        assert_equal [kse 0 $key del] [ev_of $rd del $key]
        $rd close
    }

    test {Notifications are published for commands inside MULTI/EXEC} {
        r flushall
        notify KEA
        set rd [ev_client]
        r multi
        r set a 1
        r incr a
        r del a
        assert_equal {OK 2 1} [r exec]
        assert_equal [concat [kse 0 a set] [kse 0 a incrby] [kse 0 a del]] [events $rd]
        $rd close
    }

    test {Turning notifications off} {
        notify ""
        set rd [ev_client]
        r set k v
        r get nokey
        assert_equal {} [events $rd]
        $rd close
    }
}
