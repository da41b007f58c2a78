# String commands: GET/SET and options, SETNX SETEX PSETEX GETSET GETDEL
# GETEX MGET MSET MSETNX APPEND STRLEN SETRANGE GETRANGE SUBSTR, the
# INCR/DECR family, INCRBYFLOAT, LCS and the string encodings.
#
# Tests tagged "needs:list" create a list key (RPUSH) to get a value of the
# wrong type; skip them with --tags -needs:list while lists are missing.

# A key holding a list: the "wrong type" for string commands.
proc make_list {key} {
    r del $key
    r rpush $key elem
}

# Read the rest of a reply in readraw mode, given its first line; returns
# the reply as it was on the wire (lines joined with CRLF).
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
                append out "[$c read]\r\n"
            }
        }
    }
    return $out
}

# Run a command on the default client and return the raw reply.
proc rawr {args} {
    set c [srv 0 client]
    $c readraw 1
    try {
        return [raw_rest $c [$c {*}$args]]
    } finally {
        $c readraw 0
    }
}

start_server {tags {"string"}} {

    # ------------------------------------------------------------ GET / SET

    test {SET then GET returns the value, GET of a missing key is nil} {
        r flushdb
        assert_equal OK [r set greeting hello]
        assert_equal hello [r get greeting]
        assert_equal {} [r get no-such-key]
        assert_equal "\$-1\r\n" [rawr get no-such-key]
        assert_equal "\$5\r\nhello\r\n" [rawr get greeting]
    }

    test {SET overwrites the value, empty strings are values} {
        r set k first
        r set k second
        assert_equal second [r get k]
        r set k ""
        assert_equal 1 [r exists k]
        assert_equal "\$0\r\n\r\n" [rawr get k]
    }

    test {SET and GET are binary safe} {
        set v "\x00\x01\r\n\xff\xfe end\r\n"
        append v [randstring 0 512 binary]
        r set "bin\x00key\r\n" $v
        assert_equal $v [r get "bin\x00key\r\n"]
        assert_equal [string length $v] [r strlen "bin\x00key\r\n"]
    }

    test {SET and GET of a 1MB value} {
        set v [string repeat "0123456789abcdef" 65536]
        r set big $v
        assert_equal $v [r get big]
        assert_equal 1048576 [r strlen big]
    }

    test {SET of many random keys then GET them back} {
        r flushdb
        array unset ::rand_kv
        for {set i 0} {$i < 300} {incr i} {
            set k "key:[randstring 1 20 alpha]"
            set v [randstring 0 100 binary]
            set ::rand_kv($k) $v
            r set $k $v
        }
        foreach k [array names ::rand_kv] {
            assert_equal $::rand_kv($k) [r get $k]
        }
        assert_equal [array size ::rand_kv] [r dbsize]
    }

    test {SET NX only sets missing keys} {
        r del nxkey
        assert_equal OK [r set nxkey a nx]
        assert_equal {} [r set nxkey b nx]
        assert_equal "\$-1\r\n" [rawr set nxkey b nx]
        assert_equal a [r get nxkey]
    }

    test {SET XX only sets existing keys} {
        r del xxkey
        assert_equal {} [r set xxkey a xx]
        assert_equal 0 [r exists xxkey]
        r set xxkey a
        assert_equal OK [r set xxkey b xx]
        assert_equal b [r get xxkey]
    }

    test {SET options are case insensitive} {
        r del ci
        assert_equal OK [r set ci a Nx Ex 100]
        assert_range [r ttl ci] 90 100
        assert_equal a [r set ci b xX gEt]
    }

    test {SET GET returns the old value or nil} {
        r del g
        assert_equal {} [r set g v1 get]
        assert_equal v1 [r set g v2 get]
        assert_equal v2 [r get g]
        r set g 12345
        assert_equal 12345 [r set g x get]
    }

    test {SET NX GET: old value returned and not overwritten when the key exists} {
        # Redis 7.0 allows NX together with GET.
        r set ng old
        assert_equal old [r set ng new nx get]
        assert_equal old [r get ng]
        r del ng
        assert_equal {} [r set ng new nx get]
        assert_equal new [r get ng]
    }

    test {SET XX GET on a missing key returns nil and creates nothing} {
        r del xg
        assert_equal {} [r set xg v xx get]
        assert_equal 0 [r exists xg]
        r set xg a
        assert_equal a [r set xg b xx get]
        assert_equal b [r get xg]
    }

    test {SET GET against a key of the wrong type fails and does not set it} {
        make_list wt
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r set wt v get}]
        assert_equal list [r type wt]
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r set wt v nx get}]
        assert_equal list [r type wt]
    } {} {needs:list}

    test {plain SET replaces a key of another type} {
        make_list wt2
        assert_equal OK [r set wt2 v]
        assert_equal string [r type wt2]
        assert_equal v [r get wt2]
    } {} {needs:list}

    test {GET against a key of the wrong type} {
        make_list wt3
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r get wt3}]
    } {} {needs:list}

    test {SET EX, PX, EXAT and PXAT set the expire} {
        r set e1 v ex 100
        assert_range [r ttl e1] 90 100
        r set e2 v px 100000
        assert_range [r pttl e2] 90000 100000
        set at [expr {[clock seconds] + 200}]
        r set e3 v exat $at
        assert_equal $at [r expiretime e3]
        set pat [expr {[clock milliseconds] + 300000}]
        r set e4 v pxat $pat
        assert_equal $pat [r pexpiretime e4]
        foreach k {e1 e2 e3 e4} {
            assert_equal v [r get $k]
        }
    }

    test {SET without KEEPTTL clears the expire, with KEEPTTL keeps it} {
        r set t v ex 100
        r set t v2
        assert_equal -1 [r ttl t]
        r set t v ex 100
        r set t v3 keepttl
        assert_range [r ttl t] 90 100
        assert_equal v3 [r get t]
        assert_equal v3 [r set t v4 keepttl get]
        assert_range [r ttl t] 90 100
    }

    test {SET EXAT/PXAT in the past: OK is returned but the key is gone} {
        r set past v
        assert_equal OK [r set past v2 exat 1]
        assert_equal 0 [r exists past]
        r set past v
        assert_equal v [r set past v2 pxat 1 get]
        assert_equal 0 [r exists past]
    }

    test {SET with incompatible options is a syntax error} {
        r set inc original
        foreach opts {
            {nx xx} {xx nx} {ex 10 px 100} {px 100 ex 10} {ex 10 exat 100}
            {exat 100 pxat 100} {px 10 pxat 100} {ex 10 keepttl}
            {keepttl ex 10} {keepttl px 10} {keepttl exat 100}
            {pxat 100 keepttl} {ex 10 pxat 5} {persist} {foo} {nx foo}
            {ex} {px} {exat} {pxat} {ex 10 px} {get ex}
        } {
            assert_equal {ERR syntax error} [err_of {r set inc v {*}$opts}] $opts
        }
        assert_equal original [r get inc]
        assert_equal -1 [r ttl inc]
    }

    test {SET accepts repeated options, the last expire wins} {
        r del rep
        assert_equal OK [r set rep a nx nx]
        assert_equal a [r set rep b get get]
        assert_equal OK [r set rep c keepttl keepttl]
        r set rep d ex 1000 ex 100
        assert_range [r ttl rep] 90 100
    }

    test {SET with a zero, negative or overflowing expire} {
        r set ee keep
        foreach opts {
            {ex 0} {px 0} {exat 0} {pxat 0} {ex -1} {px -100} {exat -1}
            {pxat -1} {ex 9223372036854775807} {px 9223372036854775807}
            {exat 9223372036854775807} {ex 9223372036854775}
            {ex -9223372036854775808} {pxat -9223372036854775808}
        } {
            assert_equal {ERR invalid expire time in 'set' command} [err_of {r set ee v {*}$opts}] $opts
        }
        assert_equal keep [r get ee]
    }

    test {SET with a non-integer expire} {
        foreach opts {{ex abc} {px 1.5} {ex 10.0} {exat 1e3} {pxat ""} {ex " 10"} {ex 9223372036854775808}} {
            assert_equal {ERR value is not an integer or out of range} [err_of {r set ee v {*}$opts}] $opts
        }
        assert_equal keep [r get ee]
    }

    test {GET and SET arity errors} {
        assert_equal {ERR wrong number of arguments for 'get' command} [err_of {r get}]
        assert_equal {ERR wrong number of arguments for 'get' command} [err_of {r get a b}]
        assert_equal {ERR wrong number of arguments for 'set' command} [err_of {r set a}]
    }

    # ------------------------------------------------------------ SETNX SETEX PSETEX

    test {SETNX returns 1 and sets a missing key, 0 for an existing one} {
        r del snx
        assert_equal 1 [r setnx snx a]
        assert_equal 0 [r setnx snx b]
        assert_equal a [r get snx]
        assert_equal ":0\r\n" [rawr setnx snx c]
    }

    test {SETNX against a key of another type returns 0} {
        make_list snxl
        assert_equal 0 [r setnx snxl v]
        assert_equal list [r type snxl]
    } {} {needs:list}

    test {SETNX does not touch an existing key with an expire} {
        r set snxe a ex 100
        assert_equal 0 [r setnx snxe b]
        assert_range [r ttl snxe] 90 100
        assert_equal a [r get snxe]
    }

    test {SETEX and PSETEX set the value with an expire} {
        assert_equal OK [r setex sx 100 val]
        assert_equal val [r get sx]
        assert_range [r ttl sx] 90 100
        assert_equal OK [r psetex psx 100000 val]
        assert_range [r pttl psx] 90000 100000
        assert_equal val [r get psx]
    }

    test {SETEX and PSETEX with an invalid expire} {
        r del sx
        assert_equal {ERR invalid expire time in 'setex' command} [err_of {r setex sx 0 v}]
        assert_equal {ERR invalid expire time in 'setex' command} [err_of {r setex sx -10 v}]
        assert_equal {ERR invalid expire time in 'setex' command} [err_of {r setex sx 9223372036854775807 v}]
        assert_equal {ERR invalid expire time in 'psetex' command} [err_of {r psetex sx 0 v}]
        assert_equal {ERR invalid expire time in 'psetex' command} [err_of {r psetex sx -1 v}]
        assert_equal {ERR invalid expire time in 'psetex' command} [err_of {r psetex sx 9223372036854775807 v}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r setex sx abc v}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r psetex sx 1.0 v}]
        assert_equal {ERR wrong number of arguments for 'setex' command} [err_of {r setex sx 10}]
        assert_equal {ERR wrong number of arguments for 'psetex' command} [err_of {r psetex sx 10 v extra}]
        assert_equal 0 [r exists sx]
    }

    # ------------------------------------------------------------ GETSET GETDEL

    test {GETSET returns the old value and clears the expire} {
        r del gs
        assert_equal {} [r getset gs a]
        assert_equal a [r get gs]
        r expire gs 100
        assert_equal a [r getset gs b]
        assert_equal b [r get gs]
        assert_equal -1 [r ttl gs]
    }

    test {GETSET against a key of the wrong type} {
        make_list gsl
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r getset gsl v}]
        assert_equal list [r type gsl]
    } {} {needs:list}

    test {GETDEL returns the value and deletes the key} {
        r set gd v ex 100
        assert_equal v [r getdel gd]
        assert_equal 0 [r exists gd]
        assert_equal {} [r getdel gd]
        assert_equal "\$-1\r\n" [rawr getdel gd]
        r set gd 42
        assert_equal 42 [r getdel gd]
        assert_equal {ERR wrong number of arguments for 'getdel' command} [err_of {r getdel a b}]
    }

    test {GETDEL against a key of the wrong type leaves it in place} {
        make_list gdl
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r getdel gdl}]
        assert_equal 1 [r exists gdl]
    } {} {needs:list}

    # ------------------------------------------------------------ GETEX

    test {GETEX without options is a GET that keeps the expire} {
        r set gx v ex 100
        assert_equal v [r getex gx]
        assert_range [r ttl gx] 90 100
        assert_equal {} [r getex no-such-key]
    }

    test {GETEX EX, PX, EXAT and PXAT set the expire} {
        r set gx v
        assert_equal v [r getex gx ex 100]
        assert_range [r ttl gx] 90 100
        assert_equal v [r getex gx px 200000]
        assert_range [r pttl gx] 190000 200000
        set at [expr {[clock seconds] + 300}]
        assert_equal v [r getex gx exat $at]
        assert_equal $at [r expiretime gx]
        set pat [expr {[clock milliseconds] + 400000}]
        assert_equal v [r getex gx pxat $pat]
        assert_equal $pat [r pexpiretime gx]
    }

    test {GETEX PERSIST removes the expire} {
        r set gx v px 100000
        assert_equal v [r getex gx persist]
        assert_equal -1 [r ttl gx]
        assert_equal v [r getex gx persist]
        assert_equal -1 [r ttl gx]
    }

    test {GETEX EXAT/PXAT in the past returns the value and deletes the key} {
        r set gx v
        assert_equal v [r getex gx exat 1]
        assert_equal 0 [r exists gx]
        r set gx w
        assert_equal w [r getex gx pxat 1000]
        assert_equal 0 [r exists gx]
    }

    test {GETEX option errors} {
        r set gx v
        foreach opts {{ex 10 px 100} {persist ex 10} {ex 10 persist} {exat 10 pxat 10}
                      {keepttl} {foo} {ex} {pxat} {px 10 exat 10} {nx} {get}} {
            assert_equal {ERR syntax error} [err_of {r getex gx {*}$opts}] $opts
        }
        foreach opts {{ex 0} {ex -1} {px 0} {exat 0} {pxat -1} {ex 9223372036854775807}
                      {px 9223372036854775807} {exat 9223372036854775807}} {
            assert_equal {ERR invalid expire time in 'getex' command} [err_of {r getex gx {*}$opts}] $opts
        }
        assert_equal {ERR value is not an integer or out of range} [err_of {r getex gx ex 1.5}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r getex gx px abc}]
        assert_equal -1 [r ttl gx]
        assert_equal v [r get gx]
        # Options are parsed before the key is looked up.
        assert_equal {ERR syntax error} [err_of {r getex no-such-key foo}]
        assert_equal {} [r getex no-such-key ex 10]
        # Repeated options are accepted.
        assert_equal v [r getex gx persist persist]
        assert_equal v [r getex gx ex 1000 ex 100]
        assert_range [r ttl gx] 90 100
    }

    test {GETEX against a key of the wrong type} {
        make_list gxl
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r getex gxl ex 10}]
        assert_equal -1 [r ttl gxl]
    } {} {needs:list}

    # ------------------------------------------------------------ MGET MSET MSETNX

    test {MGET returns values in order, nil for missing keys} {
        r flushdb
        r mset a 1 b 2 c 3
        assert_equal {1 2 {} 3 1} [r mget a b nokey c a]
        assert_equal "*3\r\n\$1\r\n1\r\n\$-1\r\n\$1\r\n3\r\n" [rawr mget a nokey c]
        assert_equal {ERR wrong number of arguments for 'mget' command} [err_of {r mget}]
    }

    test {MGET returns nil for keys of the wrong type} {
        r set a 1
        make_list l
        assert_equal {1 {} 1} [r mget a l a]
    } {} {needs:list}

    test {MSET sets every pair, the last one wins for duplicates} {
        r flushdb
        assert_equal OK [r mset x 1 y 2 x 3]
        assert_equal {3 2} [r mget x y]
        r set z v ex 100
        r mset z w
        assert_equal -1 [r ttl z]
    }

    test {MSET with an odd number of arguments} {
        assert_equal {ERR wrong number of arguments for 'mset' command} [err_of {r mset a}]
        assert_equal {ERR wrong number of arguments for 'mset' command} [err_of {r mset a 1 b}]
        assert_equal {ERR wrong number of arguments for 'mset' command} [err_of {r mset}]
    }

    test {MSETNX sets all the keys only if none exists} {
        r flushdb
        assert_equal 1 [r msetnx a 1 b 2]
        assert_equal 0 [r msetnx c 3 a 9]
        assert_equal 0 [r exists c]
        assert_equal {1 2} [r mget a b]
        # A duplicate key in the same call is set twice, the last one wins.
        assert_equal 1 [r msetnx d 1 d 2]
        assert_equal 2 [r get d]
        assert_equal {ERR wrong number of arguments for 'msetnx' command} [err_of {r msetnx c 1 e}]
        assert_equal {ERR wrong number of arguments for 'msetnx' command} [err_of {r msetnx}]
    }

    test {MSETNX counts keys of any type as existing} {
        make_list l
        assert_equal 0 [r msetnx l x n y]
        assert_equal 0 [r exists n]
        assert_equal list [r type l]
    } {} {needs:list}

    # ------------------------------------------------------------ APPEND STRLEN

    test {APPEND creates a missing key and returns the new length} {
        r del ap
        assert_equal 5 [r append ap hello]
        assert_equal 11 [r append ap " world"]
        assert_equal {hello world} [r get ap]
        assert_equal 11 [r append ap ""]
    }

    test {APPEND to an integer-encoded value} {
        r set ap 100
        assert_equal 4 [r append ap 5]
        assert_equal 1005 [r get ap]
        r set ap -7
        assert_equal 5 [r append ap abc]
        assert_equal -7abc [r get ap]
    }

    test {APPEND keeps the expire} {
        r set ap v ex 100
        r append ap w
        assert_range [r ttl ap] 90 100
    }

    test {APPEND is binary safe} {
        r del ap
        r append ap "a\x00b"
        r append ap "\r\n\xff"
        assert_equal "a\x00b\r\n\xff" [r get ap]
        assert_equal 6 [r strlen ap]
    }

    test {APPEND against a key of the wrong type} {
        make_list l
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r append l x}]
    } {} {needs:list}

    test {STRLEN of strings, integers and missing keys} {
        r set sl hello
        assert_equal 5 [r strlen sl]
        r set sl ""
        assert_equal 0 [r strlen sl]
        assert_equal 0 [r strlen no-such-key]
        # Integer-encoded values count the digits of their decimal form.
        r set sl 12345
        assert_equal 5 [r strlen sl]
        r set sl -100
        assert_equal 4 [r strlen sl]
        r set sl -9223372036854775808
        assert_equal 20 [r strlen sl]
        r incr counter-for-strlen
        assert_equal 1 [r strlen counter-for-strlen]
        assert_equal {ERR wrong number of arguments for 'strlen' command} [err_of {r strlen}]
    }

    test {STRLEN against a key of the wrong type} {
        make_list l
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r strlen l}]
    } {} {needs:list}

    # ------------------------------------------------------------ SETRANGE GETRANGE

    test {SETRANGE overwrites part of a value} {
        r set sr "Hello World"
        assert_equal 11 [r setrange sr 6 Redis]
        assert_equal {Hello Redis} [r get sr]
        assert_equal 11 [r setrange sr 0 J]
        assert_equal {Jello Redis} [r get sr]
        assert_equal 13 [r setrange sr 10 "s!!"]
        assert_equal {Jello Redis!!} [r get sr]
    }

    test {SETRANGE pads with zero bytes} {
        r del sr
        assert_equal 5 [r setrange sr 3 ab]
        assert_equal "\x00\x00\x00ab" [r get sr]
        r set sr ab
        assert_equal 6 [r setrange sr 5 c]
        assert_equal "ab\x00\x00\x00c" [r get sr]
    }

    test {SETRANGE on an integer-encoded value} {
        r set sr 1234
        assert_equal 4 [r setrange sr 1 9]
        assert_equal 1934 [r get sr]
        r set sr 1234
        assert_equal 6 [r setrange sr 4 xy]
        assert_equal 1234xy [r get sr]
    }

    test {SETRANGE with an empty value} {
        r del sr
        assert_equal 0 [r setrange sr 0 ""]
        assert_equal 0 [r setrange sr 100 ""]
        assert_equal 0 [r exists sr]
        r set sr hello
        assert_equal 5 [r setrange sr 1 ""]
        assert_equal 5 [r setrange sr 100 ""]
        assert_equal hello [r get sr]
    }

    test {SETRANGE with a negative or invalid offset} {
        r set sr hello
        assert_equal {ERR offset is out of range} [err_of {r setrange sr -1 x}]
        assert_equal {ERR offset is out of range} [err_of {r setrange sr -1 ""}]
        r del sr
        assert_equal {ERR offset is out of range} [err_of {r setrange sr -1 x}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r setrange sr abc x}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r setrange sr 1.5 x}]
        assert_equal {ERR wrong number of arguments for 'setrange' command} [err_of {r setrange sr 1}]
        assert_equal 0 [r exists sr]
    }

    test {SETRANGE keeps the expire} {
        r set sr hello ex 100
        r setrange sr 0 j
        assert_range [r ttl sr] 90 100
    }

    test {SETRANGE against a key of the wrong type} {
        make_list l
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r setrange l 0 x}]
        # Even an empty value checks the type of an existing key.
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r setrange l 0 ""}]
    } {} {needs:list}

    test {GETRANGE with positive indexes} {
        r set gr Hello
        assert_equal Hello [r getrange gr 0 4]
        assert_equal H [r getrange gr 0 0]
        assert_equal ell [r getrange gr 1 3]
        assert_equal o [r getrange gr 4 4]
        assert_equal Hello [r getrange gr 0 100]
        assert_equal {} [r getrange gr 3 1]
        assert_equal {} [r getrange gr 5 10]
        assert_equal {} [r getrange gr 100 200]
        assert_equal "\$0\r\n\r\n" [rawr getrange gr 5 10]
    }

    test {GETRANGE with negative and out of range indexes} {
        r set gr Hello
        assert_equal Hello [r getrange gr 0 -1]
        assert_equal o [r getrange gr -1 -1]
        assert_equal ell [r getrange gr 1 -2]
        assert_equal Hello [r getrange gr -100 -1]
        assert_equal Hello [r getrange gr -100 100]
        assert_equal H [r getrange gr -5 -5]
        assert_equal {} [r getrange gr -1 -5]
        assert_equal {} [r getrange gr 2 -100]
        assert_equal Hello [r getrange gr -9223372036854775808 9223372036854775807]
    }

    test {GETRANGE clamps an end before the start of the string to 0} {
        # Redis 7.0: a negative end beyond the start is clamped to index 0, so
        # one character is returned (later versions return an empty string).
        r set gr Hello
        assert_equal H [r getrange gr 0 -6]
        assert_equal H [r getrange gr -6 -6]
        assert_equal H [r getrange gr -100 -100]
        assert_equal H [r getrange gr -6 0]
    }

    test {GETRANGE of a missing key or an empty string} {
        assert_equal {} [r getrange no-such-key 0 -1]
        assert_equal "\$0\r\n\r\n" [rawr getrange no-such-key 0 -1]
        r set empty ""
        assert_equal {} [r getrange empty 0 -1]
        assert_equal {} [r getrange empty 0 0]
        assert_equal {} [r getrange empty -1 -1]
    }

    test {GETRANGE of an integer-encoded value} {
        r set gr 12345
        assert_equal 23 [r getrange gr 1 2]
        assert_equal 5 [r getrange gr -1 -1]
        r set gr -42
        assert_equal -4 [r getrange gr 0 1]
    }

    test {GETRANGE argument errors} {
        r set gr Hello
        assert_equal {ERR value is not an integer or out of range} [err_of {r getrange gr a 1}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r getrange gr 0 1.5}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r getrange gr 0 9223372036854775808}]
        assert_equal {ERR wrong number of arguments for 'getrange' command} [err_of {r getrange gr 0}]
        assert_equal {ERR wrong number of arguments for 'getrange' command} [err_of {r getrange gr 0 1 2}]
    }

    test {GETRANGE against a key of the wrong type} {
        make_list l
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r getrange l 0 -1}]
    } {} {needs:list}

    test {SUBSTR is an alias of GETRANGE} {
        r set gr Hello
        assert_equal ell [r substr gr 1 3]
        assert_equal Hello [r substr gr 0 -1]
        assert_equal H [r substr gr 0 -6]
        assert_equal {} [r substr no-such-key 0 -1]
        assert_equal {ERR wrong number of arguments for 'substr' command} [err_of {r substr gr 0}]
    }

    test {GETRANGE of random ranges matches Tcl string range} {
        set v [randstring 0 60 alpha]
        r set rr $v
        set len [string length $v]
        for {set i 0} {$i < 200} {incr i} {
            set s [expr {[randomInt 100] - 50}]
            set e [expr {[randomInt 100] - 50}]
            # Expected result by the Redis 7.0 rules: two negative indexes
            # with start > end give an empty string, otherwise indexes are
            # made positive, clamped to 0 and the end to the last byte.
            set ss [expr {$s < 0 ? $len + $s : $s}]
            set ee [expr {$e < 0 ? $len + $e : $e}]
            if {$ss < 0} {set ss 0}
            if {$ee < 0} {set ee 0}
            if {$ee >= $len} {set ee [expr {$len - 1}]}
            if {$len == 0 || $ss > $ee || ($s < 0 && $e < 0 && $s > $e)} {
                set want {}
            } else {
                set want [string range $v $ss $ee]
            }
            assert_equal $want [r getrange rr $s $e] "value '$v' range $s $e"
        }
    }

    # ------------------------------------------------------------ size limits

    test {SETRANGE and APPEND beyond proto-max-bulk-len} {
        r config set proto-max-bulk-len 1mb
        try {
            r del lim
            assert_equal 1048576 [r setrange lim 1048575 a]
            assert_equal {ERR string exceeds maximum allowed size (proto-max-bulk-len)} [err_of {r append lim b}]
            assert_equal {ERR string exceeds maximum allowed size (proto-max-bulk-len)} [err_of {r setrange lim 1048576 a}]
            assert_equal {ERR string exceeds maximum allowed size (proto-max-bulk-len)} [err_of {r setrange lim 1048575 ab}]
            assert_equal 1048576 [r strlen lim]
            # An empty value is never checked against the limit.
            assert_equal 1048576 [r setrange lim 5000000 ""]
            r del lim
            assert_equal {ERR string exceeds maximum allowed size (proto-max-bulk-len)} [err_of {r setrange lim 1048576 a}]
            assert_equal 0 [r exists lim]
            assert_equal 0 [r setrange lim 5000000 ""]
            r setrange lim 1048574 a
            assert_equal 1048576 [r append lim b]
            assert_equal {ERR string exceeds maximum allowed size (proto-max-bulk-len)} [err_of {r append lim c}]
            assert_equal 1 [r del lim]
        } finally {
            r config set proto-max-bulk-len 512mb
        }
    } {} {needs:config}

    # ------------------------------------------------------------ INCR DECR

    test {INCR on a missing key starts from 0} {
        r del cnt
        assert_equal 1 [r incr cnt]
        assert_equal 2 [r incr cnt]
        assert_equal ":3\r\n" [rawr incr cnt]
        assert_equal 3 [r get cnt]
    }

    test {INCRBY, DECR and DECRBY} {
        r del cnt
        assert_equal 10 [r incrby cnt 10]
        assert_equal 5 [r incrby cnt -5]
        assert_equal 4 [r decr cnt]
        assert_equal -6 [r decrby cnt 10]
        assert_equal 4 [r decrby cnt -10]
        assert_equal 4 [r incrby cnt 0]
        r del cnt2
        assert_equal -1 [r decr cnt2]
        r del cnt2
        assert_equal -7 [r decrby cnt2 7]
    }

    test {INCR on values stored as strings} {
        r set cnt 17179869184
        assert_equal 17179869185 [r incr cnt]
        r set cnt [string repeat 1 10]
        r append cnt 0
        assert_equal 11111111111 [r incr cnt]
        r set cnt -5
        assert_equal -4 [r incr cnt]
        r set cnt 0
        assert_equal -1 [r decr cnt]
    }

    test {INCR keeps the expire} {
        r set cnt 5 ex 100
        assert_equal 6 [r incr cnt]
        assert_range [r ttl cnt] 90 100
        r decrby cnt 3
        assert_range [r ttl cnt] 90 100
    }

    test {INCR overflow and underflow} {
        r set cnt 9223372036854775807
        assert_equal {ERR increment or decrement would overflow} [err_of {r incr cnt}]
        assert_equal {ERR increment or decrement would overflow} [err_of {r incrby cnt 1}]
        assert_equal 9223372036854775807 [r incrby cnt 0]
        assert_equal {ERR increment or decrement would overflow} [err_of {r decrby cnt -1}]
        r set cnt -9223372036854775808
        assert_equal {ERR increment or decrement would overflow} [err_of {r decr cnt}]
        assert_equal {ERR increment or decrement would overflow} [err_of {r incrby cnt -1}]
        assert_equal -9223372036854775808 [r get cnt]
        r set cnt 1
        assert_equal -9223372036854775807 [r incrby cnt -9223372036854775808]
    }

    test {DECRBY with LLONG_MIN cannot be negated} {
        r set cnt 0
        assert_equal {ERR decrement would overflow} [err_of {r decrby cnt -9223372036854775808}]
        r del cnt
        assert_equal {ERR decrement would overflow} [err_of {r decrby cnt -9223372036854775808}]
        assert_equal 0 [r exists cnt]
        r set cnt 0
        assert_equal -9223372036854775808 [r incrby cnt -9223372036854775808]
    }

    test {INCR on values that are not canonical integers} {
        foreach v {" 1" "1 " "01" "+1" "1.0" "abc" "" "-0" "1e3" "0x10" "99999999999999999999" "9223372036854775808" "-9223372036854775809" "1\x00"} {
            r set cnt $v
            assert_equal {ERR value is not an integer or out of range} [err_of {r incr cnt}] "value '$v'"
            assert_equal $v [r get cnt]
        }
    }

    test {INCRBY/DECRBY with an invalid increment} {
        r set cnt 10
        foreach inc {abc 1.5 "" " 1" "1 " +1 9223372036854775808 -9223372036854775809} {
            assert_equal {ERR value is not an integer or out of range} [err_of {r incrby cnt $inc}] "increment '$inc'"
            assert_equal {ERR value is not an integer or out of range} [err_of {r decrby cnt $inc}] "increment '$inc'"
        }
        assert_equal 10 [r get cnt]
        assert_equal {ERR wrong number of arguments for 'incr' command} [err_of {r incr}]
        assert_equal {ERR wrong number of arguments for 'incrby' command} [err_of {r incrby cnt}]
        assert_equal {ERR wrong number of arguments for 'decr' command} [err_of {r decr cnt 1}]
        assert_equal {ERR wrong number of arguments for 'decrby' command} [err_of {r decrby cnt}]
    }

    test {INCR against a key of the wrong type} {
        make_list l
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r incr l}]
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r decrby l 2}]
    } {} {needs:list}

    # ------------------------------------------------------------ INCRBYFLOAT

    test {INCRBYFLOAT on a missing key} {
        r del fl
        assert_equal 1 [r incrbyfloat fl 1]
        assert_equal 2.5 [r incrbyfloat fl 1.5]
        assert_equal 2.5 [r get fl]
        assert_equal "\$3\r\n3.5\r\n" [rawr incrbyfloat fl 1]
    }

    test {INCRBYFLOAT results are printed without trailing zeros} {
        r set fl 10.5
        assert_equal 10.6 [r incrbyfloat fl 0.1]
        assert_equal 5.6 [r incrbyfloat fl -5]
        r set fl 0.1
        assert_equal 0.3 [r incrbyfloat fl 0.2]
        r set fl 3
        assert_equal 4 [r incrbyfloat fl 1.0e0]
        assert_equal 0 [r incrbyfloat fl -4]
        r set fl 5
        assert_equal 0 [r incrbyfloat fl -5.0]
        r set fl 0
        assert_equal 0 [r incrbyfloat fl -0]
        r set fl -1
        assert_equal -0.5 [r incrbyfloat fl 0.5]
        assert_equal -1.5 [r incrbyfloat fl -1]
        r set fl 1.5e3
        assert_equal 1500 [r incrbyfloat fl 0]
        r set fl 1
        assert_equal 1 [r incrbyfloat fl 1e-18]
        r set fl 0
        assert_equal 0.0000001 [r incrbyfloat fl 0.0000001]
    }

    test {INCRBYFLOAT uses long double precision} {
        # Redis computes with an 80-bit long double and prints with %.17Lf.
        r set fl 10.5
        r incrbyfloat fl 0.1
        r incrbyfloat fl -5
        assert_equal 5005.60000000000000009 [r incrbyfloat fl 5.0e3]
        r set fl 1.23456789012345678901234
        assert_equal 1.23456789012345679 [r incrbyfloat fl 0]
        r set fl 1
        assert_equal 100000000000000001 [r incrbyfloat fl 1e17]
        r set fl 1
        assert_equal 10000000017 [r incrbyfloat fl 10000000016]
    }

    test {INCRBYFLOAT with huge results prints every digit} {
        r set fl 1
        set res [r incrbyfloat fl 1e400]
        assert_equal 401 [string length $res]
        assert_equal 10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880 $res
        assert_equal $res [r get fl]
        r set fl 1e308
        assert_equal 199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096 [r incrbyfloat fl 1e308]
    }

    test {INCRBYFLOAT accepts the forms strtold accepts} {
        r set fl 1
        assert_equal 17 [r incrbyfloat fl 0x10]
        assert_equal 17.5 [r incrbyfloat fl .5]
        assert_equal 18 [r incrbyfloat fl 5e-1]
        assert_equal 19 [r incrbyfloat fl +1]
        r set fl 1e1
        assert_equal 11 [r incrbyfloat fl 1]
    }

    test {INCRBYFLOAT producing NaN or Infinity} {
        r set fl 1
        assert_equal {ERR increment would produce NaN or Infinity} [err_of {r incrbyfloat fl inf}]
        assert_equal {ERR increment would produce NaN or Infinity} [err_of {r incrbyfloat fl -inf}]
        r set fl 1e4932
        assert_equal {ERR increment would produce NaN or Infinity} [err_of {r incrbyfloat fl 1e4932}]
        assert_equal 1e4932 [r get fl]
    }

    test {INCRBYFLOAT with invalid values or increments} {
        r set fl 1
        foreach inc {abc nan "" " 1" "1 " 1.5x} {
            assert_equal {ERR value is not a valid float} [err_of {r incrbyfloat fl $inc}] "increment '$inc'"
        }
        assert_equal 1 [r get fl]
        foreach v {abc " 1" "1 " "" nan "1.0.0"} {
            r set fl $v
            assert_equal {ERR value is not a valid float} [err_of {r incrbyfloat fl 1}] "value '$v'"
            assert_equal $v [r get fl]
        }
        assert_equal {ERR wrong number of arguments for 'incrbyfloat' command} [err_of {r incrbyfloat fl}]
        assert_equal {ERR wrong number of arguments for 'incrbyfloat' command} [err_of {r incrbyfloat fl 1 2}]
    }

    test {INCRBYFLOAT result is a string, usable by INCR if integral} {
        r del fl
        r incrbyfloat fl 1.5
        assert_equal string [r type fl]
        r set fl 10
        assert_equal 11 [r incrbyfloat fl 1]
        assert_equal 12 [r incr fl]
        r set fl 1.5
        assert_equal {ERR value is not an integer or out of range} [err_of {r incr fl}]
    }

    test {INCRBYFLOAT keeps the expire} {
        r set fl 1 ex 100
        r incrbyfloat fl 1
        assert_range [r ttl fl] 90 100
    }

    test {INCRBYFLOAT against a key of the wrong type} {
        make_list l
        assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r incrbyfloat l 1}]
    } {} {needs:list}

    # ------------------------------------------------------------ LCS

    test {LCS of two strings} {
        r mset a ohmytext b mynewtext
        assert_equal mytext [r lcs a b]
        assert_equal mytext [r lcs b a]
        assert_equal 6 [r lcs a b len]
        assert_equal ":6\r\n" [rawr lcs a b len]
        r mset c abc d xyz
        assert_equal {} [r lcs c d]
        assert_equal "\$0\r\n\r\n" [rawr lcs c d]
        assert_equal 0 [r lcs c d len]
        assert_equal abc [r lcs c c]
    }

    test {LCS with missing keys works as with empty strings} {
        r set a ohmytext
        assert_equal {} [r lcs a no-such-key]
        assert_equal {} [r lcs no-such-key a]
        assert_equal 0 [r lcs no-such-key other-missing len]
        assert_equal {matches {} len 0} [r lcs no-such-key other-missing idx]
    }

    test {LCS IDX} {
        r mset a ohmytext b mynewtext
        assert_equal {matches {{{4 7} {5 8}} {{2 3} {0 1}}} len 6} [r lcs a b idx]
        assert_equal "*4\r\n\$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n\$3\r\nlen\r\n:6\r\n" [rawr lcs a b idx]
    }

    test {LCS IDX with WITHMATCHLEN and MINMATCHLEN} {
        r mset a ohmytext b mynewtext
        assert_equal {matches {{{4 7} {5 8} 4} {{2 3} {0 1} 2}} len 6} [r lcs a b idx withmatchlen]
        assert_equal {matches {{{4 7} {5 8}}} len 6} [r lcs a b idx minmatchlen 4]
        assert_equal {matches {{{4 7} {5 8} 4}} len 6} [r lcs a b idx minmatchlen 4 withmatchlen]
        assert_equal {matches {} len 6} [r lcs a b idx minmatchlen 5]
        # A negative MINMATCHLEN is treated as 0.
        assert_equal {matches {{{4 7} {5 8}} {{2 3} {0 1}}} len 6} [r lcs a b idx minmatchlen -5]
        assert_equal "*4\r\n\$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n\$3\r\nlen\r\n:6\r\n" [rawr lcs a b idx minmatchlen 4 withmatchlen]
    }

    test {LCS options without IDX are accepted and ignored} {
        r mset a ohmytext b mynewtext
        assert_equal mytext [r lcs a b withmatchlen]
        assert_equal mytext [r lcs a b minmatchlen 3]
        assert_equal 6 [r lcs a b len minmatchlen 3]
    }

    test {LCS IDX in RESP3 is a map} {
        r mset a ohmytext b mynewtext
        r hello 3
        try {
            assert_equal "%2\r\n\$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n\$3\r\nlen\r\n:6\r\n" [rawr lcs a b idx withmatchlen]
            assert_equal "%2\r\n\$7\r\nmatches\r\n*0\r\n\$3\r\nlen\r\n:0\r\n" [rawr lcs no-such-key other-missing idx]
            assert_equal "\$6\r\nmytext\r\n" [rawr lcs a b]
            assert_equal ":6\r\n" [rawr lcs a b len]
        } finally {
            r hello 2
        }
    }

    test {LCS of longer strings} {
        r set x [string repeat "ab" 200]
        r set y [string repeat "ba" 200]
        assert_equal 399 [r lcs x y len]
        assert_equal [string repeat "ba" 199]b [r lcs x y]
    }

    test {LCS errors} {
        r mset a ohmytext b mynewtext
        assert_equal {ERR If you want both the length and indexes, please just use IDX.} [err_of {r lcs a b len idx}]
        assert_equal {ERR syntax error} [err_of {r lcs a b foo}]
        assert_equal {ERR syntax error} [err_of {r lcs a b minmatchlen}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r lcs a b minmatchlen abc}]
        assert_equal {ERR wrong number of arguments for 'lcs' command} [err_of {r lcs a}]
    }

    test {LCS against a key of the wrong type} {
        make_list l
        r set a x
        assert_equal {ERR The specified keys must contain string values} [err_of {r lcs a l}]
        assert_equal {ERR The specified keys must contain string values} [err_of {r lcs l a len}]
    } {} {needs:list}

    # ------------------------------------------------------------ encodings

    test {Short strings are embstr up to 44 bytes, raw from 45} {
        r set enc [string repeat x 44]
        assert_encoding embstr enc
        r set enc [string repeat x 45]
        assert_encoding raw enc
        r set enc ""
        assert_encoding embstr enc
        r set enc [string repeat x 1000]
        assert_encoding raw enc
    } {} {needs:encoding}

    test {Integers in the long long range are int encoded} {
        foreach v {0 1 -1 123 9999 10000 -9223372036854775808 9223372036854775807} {
            r set enc $v
            assert_encoding int enc
        }
        foreach v {01 +1 " 1" "1 " 1.0 9223372036854775808 -0 12345678901234567890} {
            r set enc $v
            assert_encoding embstr enc
        }
    } {} {needs:encoding}

    test {APPEND and SETRANGE make the value raw} {
        r set enc abc
        assert_encoding embstr enc
        r append enc d
        assert_encoding raw enc
        r set enc abc
        r append enc ""
        assert_encoding raw enc
        r set enc abc
        r setrange enc 0 x
        assert_encoding raw enc
        r del enc
        r setrange enc 0 abc
        assert_encoding raw enc
    } {} {needs:encoding}

    test {APPEND to a missing key creates an int or embstr value} {
        r del enc
        r append enc 123
        assert_encoding int enc
        r del enc
        r append enc abc
        assert_encoding embstr enc
    } {} {needs:encoding}

    test {INCR and DECR make the value int} {
        r set enc 5
        r append enc 5
        assert_encoding raw enc
        r incr enc
        assert_encoding int enc
        r set enc 1000
        r append enc 0
        r decrby enc 1
        assert_encoding int enc
        assert_equal 9999 [r get enc]
    } {} {needs:encoding}

    test {GETEX and GETRANGE do not change the encoding} {
        r set enc x
        r getex enc ex 100
        assert_encoding embstr enc
        r set enc 12
        r getrange enc 0 0
        assert_encoding int enc
    } {} {needs:encoding}

    test {INCR stores an integer-encoded value} {
        r set cnt 123456
        assert_encoding int cnt
        r set cnt 10
        r append cnt 0
        assert_encoding raw cnt
        assert_equal 101 [r incr cnt]
        assert_encoding int cnt
        r del cnt
        r incrby cnt 50000
        assert_encoding int cnt
    } {} {needs:encoding}

    test {INCRBYFLOAT stores its result as an embstr} {
        r del enc
        r incrbyfloat enc 1.5
        assert_encoding embstr enc
        r set enc 10
        assert_encoding int enc
        r incrbyfloat enc 1
        assert_encoding embstr enc
    } {} {needs:encoding}
}
