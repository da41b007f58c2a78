# Hash commands: HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS
# HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, the listpack and
# hashtable encodings and the conversion between them, RESP3 reply shapes
# and keyspace events.

# A hash `key` holding `pairs` in encoding `enc` (listpack or hashtable).
# A hashtable is obtained by writing a field too long for a listpack and
# deleting it again (conversions are one way).
proc make_hash {key enc pairs} {
    r del $key
    r hset $key {*}$pairs
    if {$enc eq "hashtable"} {
        r hset $key __long__ [string repeat x 100]
        r hdel $key __long__
    }
    assert_encoding $enc $key
}

# Pairs f0 v0 f1 v1 ... of n fields.
proc numbered_pairs {n {fprefix f} {vprefix v}} {
    set out {}
    for {set i 0} {$i < $n} {incr i} {
        lappend out $fprefix$i $vprefix$i
    }
    return $out
}

# A flat field/value list sorted by field, for order-free comparisons.
proc sorted_pairs {l} {
    lsort -stride 2 -index 0 $l
}

# Read the rest of a reply in readraw mode, given its first line.
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

# Run a command on the default client and return the reply as sent.
proc rawr {args} {
    set c [srv 0 client]
    $c readraw 1
    try {
        return [raw_rest $c [$c {*}$args]]
    } finally {
        $c readraw 0
    }
}

# Keyspace events: a deferring client subscribed to every key channel.
proc ev_client {} {
    set rd [redis_deferring_client]
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
        lappend out [list [lindex $f 2] [lindex $f 3]]
    }
}

# The keyspace and keyevent notifications of one event on a key of db 0.
proc kse {key event} {
    list [list "__keyspace@0__:$key" $event] [list "__keyevent@0__:$event" $key]
}

# Counts of each element of a list, as a dict.
proc tally {l} {
    set d [dict create]
    foreach e $l {
        dict incr d $e
    }
    return $d
}

start_server {tags {hash}} {

    # ------------------------------------------------------------ HSET / HGET

    test {HSET creates a hash and returns the number of new fields} {
        r del h
        assert_equal 2 [r hset h a 1 b 2]
        assert_equal 1 [r hset h a 10 c 3]
        assert_equal 0 [r hset h a 11 b 22]
        assert_equal hash [r type h]
        assert_equal {a 11 b 22 c 3} [r hgetall h]
    }

    test {HSET with the same field twice in one call counts it once} {
        r del h
        assert_equal 1 [r hset h f 1 f 2 f 3]
        assert_equal 3 [r hget h f]
        assert_equal 1 [r hlen h]
    }

    test {HSET and HMSET need field/value pairs} {
        assert_equal {ERR wrong number of arguments for 'hset' command} [err_of {r hset h a}]
        assert_equal {ERR wrong number of arguments for 'hset' command} [err_of {r hset h a 1 b}]
        assert_equal {ERR wrong number of arguments for 'hmset' command} [err_of {r hmset h a 1 b}]
        assert_equal {ERR wrong number of arguments for 'hset' command} [err_of {r hset h}]
        # The arity check comes before the type check.
        r set s str
        assert_equal {ERR wrong number of arguments for 'hset' command} [err_of {r hset s a}]
    }

    test {HMSET replies OK} {
        r del h
        assert_equal OK [r hmset h a 1 b 2]
        assert_equal OK [r hmset h a 3]
        assert_equal {a 3 b 2} [r hgetall h]
    }

    test {HGET of a missing field or key is nil} {
        r del h nokey
        r hset h a 1
        assert_equal {} [r hget h b]
        assert_equal {} [r hget nokey a]
    }

    foreach enc {listpack hashtable} {
        test "Values round-trip exactly ($enc)" {
            set vals [list 0 -0 007 1.0 " 1" "1 " +1 -1 9223372036854775807 \
                -9223372036854775808 9223372036854775808 -9223372036854775809 \
                12345678901234567890 1e3 0x10 "" "a\x00b" "\xff\xfe" \
                [string repeat z 20] 127 128 -4096 4095 32767 -32768 8388607 \
                -8388608 2147483647 -2147483648]
            set pairs {}
            set i 0
            foreach v $vals {
                lappend pairs f$i $v
                incr i
            }
            make_hash h $enc $pairs
            set i 0
            foreach v $vals {
                assert_equal $v [r hget h f$i] "value '$v'"
                assert_equal [string length $v] [r hstrlen h f$i] "length of '$v'"
                incr i
            }
            assert_equal [sorted_pairs $pairs] [sorted_pairs [r hgetall h]]
        }

        test "Fields that look like numbers stay distinct ($enc)" {
            make_hash h $enc {1 one 01 zero-one 1.0 one-dot-zero -0 minus-zero 0 zero "" empty}
            assert_equal one [r hget h 1]
            assert_equal zero-one [r hget h 01]
            assert_equal one-dot-zero [r hget h 1.0]
            assert_equal minus-zero [r hget h -0]
            assert_equal zero [r hget h 0]
            assert_equal empty [r hget h ""]
            assert_equal {} [r hget h 001]
            assert_equal 6 [r hlen h]
            assert_equal 1 [r hdel h 1]
            assert_equal zero-one [r hget h 01]
            assert_equal 5 [r hlen h]
        }

        test "Binary fields and values ($enc)" {
            set f "f\x00\r\n\xff"
            set v "v\x00\r\n\x01"
            make_hash h $enc [list $f $v plain x]
            assert_equal $v [r hget h $f]
            assert_equal 1 [r hexists h $f]
            assert_equal 0 [r hexists h "f\x00"]
            assert_equal 1 [r hdel h $f]
            assert_equal {plain x} [r hgetall h]
        }
    }

    # ------------------------------------------------------------ HSETNX

    test {HSETNX sets only missing fields} {
        r del h
        assert_equal 1 [r hsetnx h a 1]
        assert_equal 0 [r hsetnx h a 2]
        assert_equal 1 [r hget h a]
        assert_equal 1 [r hsetnx h b 2]
        assert_equal {a 1 b 2} [r hgetall h]
    }

    test {HSETNX against a hashtable hash} {
        make_hash h hashtable {a 1}
        assert_equal 0 [r hsetnx h a 2]
        assert_equal 1 [r hsetnx h b 2]
        assert_equal {1 2} [r hmget h a b]
    }

    # ------------------------------------------------------------ HMGET

    test {HMGET returns nil for missing fields and for a missing key} {
        r del h nokey
        r hset h a 1 b 2
        assert_equal {1 {} 2 1} [r hmget h a x b a]
        assert_equal {{} {}} [r hmget nokey a b]
        assert_equal {ERR wrong number of arguments for 'hmget' command} [err_of {r hmget h}]
    }

    # ------------------------------------------------------------ HDEL

    foreach enc {listpack hashtable} {
        test "HDEL removes fields and counts them ($enc)" {
            make_hash h $enc {a 1 b 2 c 3 d 4}
            assert_equal 0 [r hdel h x]
            assert_equal 1 [r hdel h a]
            # A field named twice is deleted once.
            assert_equal 2 [r hdel h b c b x]
            assert_equal {d 4} [r hgetall h]
            assert_encoding $enc h
        }

        test "HDEL of the last field deletes the key ($enc)" {
            make_hash h $enc {a 1 b 2}
            assert_equal 2 [r hdel h a b x]
            assert_equal 0 [r exists h]
            assert_equal 0 [r hdel h a]
        }
    }

    test {HDEL against a missing key is 0} {
        r del nokey
        assert_equal 0 [r hdel nokey a]
    }

    # ------------------------------------------------------------ HLEN / HEXISTS / HSTRLEN

    foreach enc {listpack hashtable} {
        test "HLEN, HEXISTS, HSTRLEN ($enc)" {
            make_hash h $enc {a 1 b -123 c hello d 9223372036854775807 e ""}
            assert_equal 5 [r hlen h]
            assert_equal 1 [r hexists h a]
            assert_equal 1 [r hexists h e]
            assert_equal 0 [r hexists h x]
            assert_equal 1 [r hstrlen h a]
            assert_equal 4 [r hstrlen h b]
            assert_equal 5 [r hstrlen h c]
            assert_equal 19 [r hstrlen h d]
            assert_equal 0 [r hstrlen h e]
            assert_equal 0 [r hstrlen h x]
        }
    }

    test {HLEN, HEXISTS, HSTRLEN of a missing key are 0} {
        r del nokey
        assert_equal 0 [r hlen nokey]
        assert_equal 0 [r hexists nokey a]
        assert_equal 0 [r hstrlen nokey a]
    }

    # ------------------------------------------------------------ HKEYS / HVALS / HGETALL

    test {HKEYS, HVALS, HGETALL of a listpack keep insertion order} {
        r del h
        r hset h z 1 a 2 m 3
        r hset h b 4 z 5
        assert_equal {z a m b} [r hkeys h]
        assert_equal {5 2 3 4} [r hvals h]
        assert_equal {z 5 a 2 m 3 b 4} [r hgetall h]
    }

    test {HKEYS, HVALS, HGETALL of a hashtable} {
        set pairs [numbered_pairs 600]
        r del h
        r hset h {*}$pairs
        assert_encoding hashtable h
        set keys [r hkeys h]
        set vals [r hvals h]
        set all [r hgetall h]
        assert_equal [sorted_pairs $pairs] [sorted_pairs $all]
        # Fields and values come in the same order from each command.
        set i 0
        foreach {f v} $all {
            assert_equal $f [lindex $keys $i]
            assert_equal $v [lindex $vals $i]
            incr i
        }
        assert_equal 600 $i
    }

    test {HKEYS, HVALS, HGETALL of a missing key are empty} {
        r del nokey
        assert_equal {} [r hkeys nokey]
        assert_equal {} [r hvals nokey]
        assert_equal {} [r hgetall nokey]
        assert_equal "*0\r\n" [rawr hgetall nokey]
    }

    # ------------------------------------------------------------ HINCRBY

    foreach enc {listpack hashtable} {
        test "HINCRBY creates, increments and decrements ($enc)" {
            make_hash h $enc {a 10 s " 5"}
            assert_equal 15 [r hincrby h a 5]
            assert_equal 5 [r hincrby h a -10]
            assert_equal -3 [r hincrby h new -3]
            assert_equal -3 [r hget h new]
            assert_equal 0 [r hincrby h zero 0]
            assert_equal 0 [r hget h zero]
            assert_encoding $enc h
        }

        test "HINCRBY against a value that is not an integer ($enc)" {
            make_hash h $enc {s " 5" f 1.5 e "" big 9223372036854775808 lz 01 w abc}
            foreach f {s f e big lz w} {
                assert_equal {ERR hash value is not an integer} [err_of {r hincrby h $f 1}] "field $f"
            }
            assert_equal " 5" [r hget h s]
        }

        test "HINCRBY overflow is refused and changes nothing ($enc)" {
            make_hash h $enc {max 9223372036854775807 min -9223372036854775808}
            assert_equal {ERR increment or decrement would overflow} [err_of {r hincrby h max 1}]
            assert_equal {ERR increment or decrement would overflow} [err_of {r hincrby h min -1}]
            assert_equal 9223372036854775807 [r hget h max]
            assert_equal -1 [r hincrby h max -9223372036854775808]
            assert_equal -9223372036854775808 [r hincrby h new -9223372036854775808]
            assert_equal {ERR increment or decrement would overflow} [err_of {r hincrby h new -1}]
            assert_equal 9223372036854775807 [r hincrby h new2 9223372036854775807]
        }
    }

    test {HINCRBY with an invalid increment} {
        r del h
        r hset h a 1
        foreach incr {x 1.5 "" " 1" 9223372036854775808 0x1} {
            assert_equal {ERR value is not an integer or out of range} [err_of {r hincrby h a $incr}] "incr '$incr'"
        }
        # Checked before the key is created.
        r del nokey
        catch {r hincrby nokey a x}
        assert_equal 0 [r exists nokey]
    }

    test {HINCRBY creates the key} {
        r del h
        assert_equal 7 [r hincrby h f 7]
        assert_equal {f 7} [r hgetall h]
        assert_encoding listpack h
    }

    # ------------------------------------------------------------ HINCRBYFLOAT

    foreach enc {listpack hashtable} {
        test "HINCRBYFLOAT results are formatted as Redis does ($enc)" {
            make_hash h $enc {a 10.5 i 3 e 5.0e3 x 17179869184 neg -1.5}
            assert_equal 10.6 [r hincrbyfloat h a 0.1]
            assert_equal 4.5 [r hincrbyfloat h i 1.5]
            assert_equal 5000 [r hincrbyfloat h e 0]
            assert_equal 1.5 [r hincrbyfloat h new 1.5]
            assert_equal 17179869185.5 [r hincrbyfloat h x 1.5]
            assert_equal 0 [r hincrbyfloat h neg 1.5]
            assert_equal 0 [r hget h neg]
            assert_equal 3000 [r hincrbyfloat h n2 3.0e3]
            assert_equal 0.1 [r hincrbyfloat h p 0.1]
            assert_equal 0.3 [r hincrbyfloat h p 0.2]
            assert_equal 0.3 [r hget h p]
            r hset h q 0.1
            assert_equal 0.3 [r hincrbyfloat h q 0.2]
            # Printed with 17 decimals at most.
            assert_equal 0 [r hincrbyfloat h tiny 1e-20]
            assert_equal 0.00000000000000001 [r hincrbyfloat h tiny2 1e-17]
            assert_encoding $enc h
        }

        test "HINCRBYFLOAT errors ($enc)" {
            make_hash h $enc {a 1 s abc sp " 1" big 1.1e4932}
            assert_equal {ERR value is not a valid float} [err_of {r hincrbyfloat h a abc}]
            assert_equal {ERR value is not a valid float} [err_of {r hincrbyfloat h a ""}]
            assert_equal {ERR value is not a valid float} [err_of {r hincrbyfloat h a nan}]
            assert_equal {ERR value is NaN or Infinity} [err_of {r hincrbyfloat h a inf}]
            assert_equal {ERR value is NaN or Infinity} [err_of {r hincrbyfloat h a -inf}]
            assert_equal {ERR value is not a valid float} [err_of {r hincrbyfloat h a 1e5000}]
            assert_equal {ERR hash value is not a float} [err_of {r hincrbyfloat h s 1}]
            assert_equal {ERR hash value is not a float} [err_of {r hincrbyfloat h sp 1}]
            assert_equal {ERR increment would produce NaN or Infinity} [err_of {r hincrbyfloat h big 1e4932}]
            assert_equal 1 [r hget h a]
        }
    }

    test {HINCRBYFLOAT uses long double precision} {
        r del h
        r hset h f 10000000000000000
        assert_equal 10000000000000001 [r hincrbyfloat h f 1]
        r hset h g 9223372036854775807
        assert_equal 9223372036854775808 [r hincrbyfloat h g 1]
    }

    test {HINCRBYFLOAT checks the increment before the type and the key} {
        r set s str
        assert_equal {ERR value is not a valid float} [err_of {r hincrbyfloat s a abc}]
        assert_equal {ERR value is NaN or Infinity} [err_of {r hincrbyfloat s a inf}]
        assert_match {WRONGTYPE*} [err_of {r hincrbyfloat s a 1}]
        r del nokey
        catch {r hincrbyfloat nokey a abc}
        assert_equal 0 [r exists nokey]
    }

    test {HINCRBYFLOAT replies a bulk string in RESP3 too} {
        r del h
        r hello 3
        assert_equal "\$3\r\n2.5\r\n" [rawr hincrbyfloat h f 2.5]
        r hello 2
    }

    # ------------------------------------------------------------ encodings

    test {A small hash is a listpack} {
        r del h
        r hset h a 1
        assert_encoding listpack h
        assert_equal {hash-max-listpack-entries 512} [r config get hash-max-listpack-entries]
        assert_equal {hash-max-listpack-value 64} [r config get hash-max-listpack-value]
    }

    test {Too many fields convert to a hashtable, exactly past the limit} {
        r config set hash-max-listpack-entries 8
        r del h
        r hset h {*}[numbered_pairs 8]
        assert_encoding listpack h
        r hset h f0 updated
        assert_encoding listpack h
        r hset h f8 v8
        assert_encoding hashtable h
        assert_equal 9 [r hlen h]
        assert_equal updated [r hget h f0]
        r config set hash-max-listpack-entries 512
    }

    test {HSET with many pairs converts once past the limit} {
        r config set hash-max-listpack-entries 4
        r del h
        r hset h {*}[numbered_pairs 5]
        assert_encoding hashtable h
        assert_equal [sorted_pairs [numbered_pairs 5]] [sorted_pairs [r hgetall h]]
        r config set hash-max-listpack-entries 512
    }

    test {A value or field longer than hash-max-listpack-value converts} {
        r del h
        r hset h f [string repeat v 64]
        assert_encoding listpack h
        r hset h f [string repeat v 65]
        assert_encoding hashtable h
        r del h
        r hset h [string repeat k 64] v
        assert_encoding listpack h
        r hset h [string repeat k 65] v
        assert_encoding hashtable h
        # Lengths count bytes, and integers count their digits.
        r config set hash-max-listpack-value 3
        r del h
        r hset h f 123
        assert_encoding listpack h
        r hset h g 1234
        assert_encoding hashtable h
        r config set hash-max-listpack-value 64
    }

    test {HSET converts before writing when any argument is too long} {
        r del h
        r hset h a 1
        # The long value comes after a field that is updated in place.
        r hset h a 2 b [string repeat x 100]
        assert_encoding hashtable h
        assert_equal {a 2} [list a [r hget h a]]
    }

    test {HSETNX of an existing field does not convert, a new one does} {
        r del h
        r hset h a 1
        assert_equal 0 [r hsetnx h a [string repeat x 100]]
        assert_encoding listpack h
        assert_equal 1 [r hsetnx h b [string repeat x 100]]
        assert_encoding hashtable h
        r del h
        r hset h a 1
        assert_equal 1 [r hsetnx h [string repeat k 100] v]
        assert_encoding hashtable h
    }

    test {HINCRBY and HINCRBYFLOAT convert on long fields and values} {
        r del h
        r hset h a 1
        r hincrby h [string repeat k 65] 1
        assert_encoding hashtable h
        r config set hash-max-listpack-value 5
        r del h
        r hset h a 1
        r hincrbyfloat h a 0.5
        assert_encoding listpack h
        r hincrbyfloat h a 0.123456
        assert_encoding hashtable h
        assert_equal 1.623456 [r hget h a]
        r del h
        r hset h a 99999
        r hincrby h a 1
        assert_encoding hashtable h
        r config set hash-max-listpack-value 64
    }

    test {Conversion is one way} {
        r config set hash-max-listpack-entries 4
        r del h
        r hset h {*}[numbered_pairs 5]
        assert_encoding hashtable h
        r hdel h f0 f1 f2 f3
        assert_encoding hashtable h
        assert_equal {f4 v4} [r hgetall h]
        r config set hash-max-listpack-entries 512
    }

    test {hash-max-listpack-entries 0 makes every hash a hashtable} {
        r config set hash-max-listpack-entries 0
        r del h
        r hset h a 1
        assert_encoding hashtable h
        r config set hash-max-listpack-entries 512
        r config set hash-max-listpack-value 0
        r del h
        r hset h "" ""
        assert_encoding listpack h
        r hset h a ""
        assert_encoding hashtable h
        r config set hash-max-listpack-value 64
    }

    test {The old ziplist names of the limits work} {
        r config set hash-max-ziplist-entries 3
        assert_equal {hash-max-listpack-entries 3} [r config get hash-max-listpack-entries]
        r del h
        r hset h {*}[numbered_pairs 4]
        assert_encoding hashtable h
        r config set hash-max-ziplist-entries 512
    }

    test {A hashtable hash grows and shrinks} {
        r del h
        r hset h {*}[numbered_pairs 2000]
        assert_equal 2000 [r hlen h]
        for {set i 0} {$i < 1990} {incr i} {
            lappend del f$i
        }
        assert_equal 1990 [r hdel h {*}$del]
        assert_equal {f1990 v1990 f1991 v1991 f1992 v1992 f1993 v1993 f1994 v1994 f1995 v1995 f1996 v1996 f1997 v1997 f1998 v1998 f1999 v1999} [sorted_pairs [r hgetall h]]
        assert_encoding hashtable h
    }

    test {COPY of a hash is independent of the original} {
        foreach enc {listpack hashtable} {
            make_hash h $enc {a 1 b 2}
            r del h2
            assert_equal 1 [r copy h h2]
            assert_encoding $enc h2
            r hset h2 a 100
            r hdel h b
            assert_equal {a 1} [r hgetall h]
            assert_equal {a 100 b 2} [sorted_pairs [r hgetall h2]]
        }
    }

    # ------------------------------------------------------------ wrong type

    test {Every hash command refuses a key of another type} {
        r del s
        r set s str
        foreach cmd {
            {hset s a 1} {hsetnx s a 1} {hmset s a 1} {hget s a} {hmget s a}
            {hdel s a} {hlen s} {hstrlen s a} {hexists s a} {hkeys s}
            {hvals s} {hgetall s} {hincrby s a 1} {hincrbyfloat s a 1}
            {hrandfield s} {hrandfield s 1} {hrandfield s -1 withvalues}
            {hrandfield s 0} {hscan s 0}
        } {
            assert_equal {WRONGTYPE Operation against a key holding the wrong kind of value} [err_of {r {*}$cmd}] $cmd
        }
        assert_equal str [r get s]
    }

    test {String commands refuse a hash} {
        r del h
        r hset h a 1
        assert_match {WRONGTYPE*} [err_of {r get h}]
        assert_match {WRONGTYPE*} [err_of {r incr h}]
        assert_match {WRONGTYPE*} [err_of {r append h x}]
    }

    # ------------------------------------------------------------ HRANDFIELD

    test {HRANDFIELD without a count} {
        r del h nokey
        assert_equal {} [r hrandfield nokey]
        r hset h a 1 b 2 c 3
        for {set i 0} {$i < 50} {incr i} {
            lappend seen [r hrandfield h]
        }
        foreach f $seen {
            assert {[lsearch -exact {a b c} $f] >= 0}
        }
        assert_equal {a b c} [lsort -unique $seen]
    }

    test {HRANDFIELD with a count against a missing key or a count of 0} {
        r del nokey h
        assert_equal {} [r hrandfield nokey 5]
        assert_equal {} [r hrandfield nokey -5]
        assert_equal {} [r hrandfield nokey -5 withvalues]
        assert_equal "*0\r\n" [rawr hrandfield nokey 3]
        r hset h a 1
        assert_equal {} [r hrandfield h 0]
        assert_equal {} [r hrandfield h 0 withvalues]
        assert_equal "*0\r\n" [rawr hrandfield h 0]
    }

    test {HRANDFIELD argument errors} {
        r del h
        r hset h a 1
        assert_equal {ERR value is not an integer or out of range} [err_of {r hrandfield h x}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r hrandfield h 1.5}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r hrandfield h 9223372036854775808}]
        assert_equal {ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807} [err_of {r hrandfield h -9223372036854775808}]
        assert_equal {ERR syntax error} [err_of {r hrandfield h 1 withvalue}]
        assert_equal {ERR syntax error} [err_of {r hrandfield h 1 withvalues x}]
        assert_equal {ERR value is out of range} [err_of {r hrandfield h -9223372036854775807 withvalues}]
        assert_equal {ERR value is out of range} [err_of {r hrandfield h 4611686018427387904 withvalues}]
        assert_equal {ERR value is out of range} [err_of {r hrandfield h -4611686018427387904 withvalues}]
        # The count is checked before the key.
        r set s str
        assert_equal {ERR value is not an integer or out of range} [err_of {r hrandfield s x}]
        assert_equal {ERR syntax error} [err_of {r hrandfield nokey 1 bogus}]
    }

    test {HRANDFIELD WITHVALUES is case insensitive} {
        r del h
        r hset h a 1
        assert_equal {a 1} [r hrandfield h 1 WithValues]
    }

    foreach enc {listpack hashtable} {
        foreach size {10 100} {
            set pairs [numbered_pairs $size]
            test "HRANDFIELD with a positive count gives distinct fields ($enc, $size fields)" {
                make_hash h $enc $pairs
                set expected [dict create {*}$pairs]
                # Counts under and over a third of the size, the size and more.
                foreach count [list 1 2 3 [expr {$size / 3}] [expr {$size / 3 + 1}] [expr {$size / 2}] [expr {$size - 1}] $size [expr {$size + 1}] 1000] {
                    for {set round 0} {$round < 10} {incr round} {
                        set fields [r hrandfield h $count]
                        set want [expr {min($count, $size)}]
                        assert_equal $want [llength $fields] "count $count"
                        assert_equal $want [llength [lsort -unique $fields]] "count $count distinct"
                        foreach f $fields {
                            assert {[dict exists $expected $f]}
                        }
                        set fv [r hrandfield h $count withvalues]
                        assert_equal [expr {2 * $want}] [llength $fv]
                        foreach {f v} $fv {
                            assert_equal [dict get $expected $f] $v
                        }
                        assert_equal $want [llength [lsort -unique [dict keys $fv]]]
                    }
                }
            }

            test "HRANDFIELD with a negative count may repeat fields ($enc, $size fields)" {
                make_hash h $enc $pairs
                set expected [dict create {*}$pairs]
                foreach count [list 1 5 [expr {$size * 3}]] {
                    set fields [r hrandfield h -$count]
                    assert_equal $count [llength $fields]
                    foreach f $fields {
                        assert {[dict exists $expected $f]}
                    }
                    set fv [r hrandfield h -$count withvalues]
                    assert_equal [expr {2 * $count}] [llength $fv]
                    foreach {f v} $fv {
                        assert_equal [dict get $expected $f] $v
                    }
                }
                if {$size == 10} {
                    # 30 picks from 10 fields: some repeat.
                    set repeats 0
                    for {set i 0} {$i < 10} {incr i} {
                        set f [r hrandfield h -30]
                        if {[llength [lsort -unique $f]] < 30} {
                            incr repeats
                        }
                    }
                    assert_equal 10 $repeats
                }
            }
        }

        test "HRANDFIELD picks are spread evenly ($enc)" {
            make_hash h $enc [numbered_pairs 10]
            # With replacement: 2000 picks, 200 expected per field.
            set t [tally [r hrandfield h -2000]]
            assert_equal 10 [dict size $t]
            dict for {f n} $t {
                assert_range $n 110 300 "field $f"
            }
            # Distinct picks, few (3 of 10) and many (6 of 10): 600 expected
            # per field over the rounds.
            foreach count {3 6} {
                set all {}
                for {set i 0} {$i < [expr {2000 / $count}]} {incr i} {
                    lappend all {*}[r hrandfield h $count]
                }
                set t [tally $all]
                assert_equal 10 [dict size $t] "count $count"
                set expect [expr {[llength $all] / 10}]
                dict for {f n} $t {
                    assert_range $n [expr {$expect / 2}] [expr {$expect * 3 / 2}] "count $count field $f"
                }
            }
            # Without a count.
            set all {}
            for {set i 0} {$i < 1000} {incr i} {
                lappend all [r hrandfield h]
            }
            dict for {f n} [tally $all] {
                assert_range $n 40 180 "single picks, field $f"
            }
        }
    }

    test {HRANDFIELD with a count of at least the size returns the whole hash} {
        r del h
        r hset h a 1 b 2 c 3
        assert_equal {a 1 b 2 c 3} [r hrandfield h 3 withvalues]
        assert_equal {a b c} [r hrandfield h 100]
        assert_equal {a 1 b 2 c 3} [r hrandfield h 4611686018427387903 withvalues]
        assert_equal {a b c} [r hrandfield h 9223372036854775807]
    }

    test {HRANDFIELD reply shapes in RESP3} {
        r del h nokey
        r hset h a 1
        r hello 3
        assert_equal "*1\r\n*2\r\n\$1\r\na\r\n\$1\r\n1\r\n" [rawr hrandfield h 1 withvalues]
        assert_equal "*2\r\n*2\r\n\$1\r\na\r\n\$1\r\n1\r\n*2\r\n\$1\r\na\r\n\$1\r\n1\r\n" [rawr hrandfield h -2 withvalues]
        assert_equal "*1\r\n*2\r\n\$1\r\na\r\n\$1\r\n1\r\n" [rawr hrandfield h 5 withvalues]
        assert_equal "*2\r\n\$1\r\na\r\n\$1\r\na\r\n" [rawr hrandfield h -2]
        assert_equal "\$1\r\na\r\n" [rawr hrandfield h]
        assert_equal "_\r\n" [rawr hrandfield nokey]
        assert_equal "*0\r\n" [rawr hrandfield nokey 1 withvalues]
        r hello 2
        assert_equal "*4\r\n\$1\r\na\r\n\$1\r\n1\r\n\$1\r\na\r\n\$1\r\n1\r\n" [rawr hrandfield h -2 withvalues]
        assert_equal "\$-1\r\n" [rawr hrandfield nokey]
    }

    test {HRANDFIELD RESP3 shapes of a hashtable and of distinct picks} {
        make_hash h hashtable [numbered_pairs 30]
        r hello 3
        foreach count {-5 5 20 40} {
            set r [r hrandfield h $count withvalues]
            assert_equal [expr {min(abs($count), 30)}] [llength $r] "count $count"
            foreach pair $r {
                assert_equal 2 [llength $pair]
                lassign $pair f v
                assert_equal [string replace $f 0 0 v] $v
            }
        }
        r hello 2
    }

    # ------------------------------------------------------------ HSCAN

    test {HSCAN of a listpack returns everything with cursor 0} {
        r del h
        r hset h a 1 b 2 c 3
        assert_equal {0 {a 1 b 2 c 3}} [r hscan h 0]
        # Whatever the cursor and the count.
        assert_equal {0 {a 1 b 2 c 3}} [r hscan h 12345 count 1]
        assert_equal {0 {b 2}} [r hscan h 0 match b]
        assert_equal {0 {}} [r hscan h 0 match x*]
    }

    test {HSCAN of a missing key} {
        r del nokey
        assert_equal {0 {}} [r hscan nokey 0]
        assert_equal "*2\r\n\$1\r\n0\r\n*0\r\n" [rawr hscan nokey 0]
        # Options are not even parsed.
        assert_equal {0 {}} [r hscan nokey 0 count 0]
        assert_equal {0 {}} [r hscan nokey 0 bogus]
    }

    test {HSCAN argument errors} {
        r del h
        r hset h a 1
        assert_equal {ERR invalid cursor} [err_of {r hscan h x}]
        assert_equal {ERR invalid cursor} [err_of {r hscan nokey 1x}]
        assert_equal {ERR syntax error} [err_of {r hscan h 0 count 0}]
        assert_equal {ERR syntax error} [err_of {r hscan h 0 count -1}]
        assert_equal {ERR value is not an integer or out of range} [err_of {r hscan h 0 count x}]
        assert_equal {ERR syntax error} [err_of {r hscan h 0 match}]
        assert_equal {ERR syntax error} [err_of {r hscan h 0 type string}]
        assert_equal {ERR syntax error} [err_of {r hscan h 0 novalues}]
        assert_equal {ERR syntax error} [err_of {r hscan h 0 bogus 1}]
        assert_equal {ERR wrong number of arguments for 'hscan' command} [err_of {r hscan h}]
    }

    test {HSCAN of a listpack formats integer values} {
        r del h
        r hset h 1 -5 2 9223372036854775807
        assert_equal {0 {1 -5 2 9223372036854775807}} [r hscan h 0]
        assert_equal {0 {1 -5}} [r hscan h 0 match 1]
    }

    foreach count {1 10 100 1000} {
        test "HSCAN of a hashtable iterates everything (COUNT $count)" {
            r del h
            r hset h {*}[numbered_pairs 1000]
            assert_encoding hashtable h
            set cursor 0
            set calls 0
            set seen [dict create]
            while 1 {
                lassign [r hscan h $cursor count $count] cursor items
                incr calls
                foreach {f v} $items {
                    dict set seen $f $v
                }
                if {$cursor == 0} break
            }
            assert_equal 1000 [dict size $seen]
            dict for {f v} $seen {
                assert_equal [string replace $f 0 0 v] $v
            }
            if {$count < 1000} {
                assert_morethan $calls 1
            }
        }
    }

    test {HSCAN MATCH on a hashtable} {
        r del h
        r hset h {*}[numbered_pairs 300]
        set cursor 0
        set seen {}
        while 1 {
            lassign [r hscan h $cursor match f1* count 20] cursor items
            foreach {f v} $items {
                lappend seen $f
                assert_equal [string replace $f 0 0 v] $v
            }
            if {$cursor == 0} break
        }
        # f1, f10..f19, f100..f199.
        assert_equal 111 [llength [lsort -unique $seen]]
        foreach f $seen {
            assert_match f1* $f
        }
    }

    test {HSCAN keeps going while fields are added and removed} {
        r del h
        r hset h {*}[numbered_pairs 500]
        set cursor 0
        set seen [dict create]
        set round 0
        while 1 {
            lassign [r hscan h $cursor count 10] cursor items
            foreach {f v} $items {
                dict set seen $f 1
            }
            # Grow then shrink the table while the scan runs.
            incr round
            if {$round < 20} {
                r hset h {*}[numbered_pairs 100 g$round- w]
            } elseif {$round < 40} {
                set k [expr {$round - 20}]
                r hdel h {*}[dict keys [dict create {*}[numbered_pairs 100 g$k- w]]]
            }
            if {$cursor == 0} break
        }
        # The fields present all along were all returned.
        for {set i 0} {$i < 500} {incr i} {
            assert {[dict exists $seen f$i]}
        }
    }

    test {HSCAN returns an array in RESP3} {
        r del h
        r hset h a 1
        r hello 3
        assert_equal "*2\r\n\$1\r\n0\r\n*2\r\n\$1\r\na\r\n\$1\r\n1\r\n" [rawr hscan h 0]
        r hello 2
    }

    # ------------------------------------------------------------ RESP3

    test {HGETALL is a map in RESP3} {
        r del h nokey
        r hset h a 1 b 2
        r hello 3
        assert_equal "%2\r\n\$1\r\na\r\n\$1\r\n1\r\n\$1\r\nb\r\n\$1\r\n2\r\n" [rawr hgetall h]
        assert_equal "%0\r\n" [rawr hgetall nokey]
        assert_equal "*0\r\n" [rawr hkeys nokey]
        assert_equal "*0\r\n" [rawr hvals nokey]
        assert_equal "*2\r\n\$1\r\na\r\n\$1\r\nb\r\n" [rawr hkeys h]
        assert_equal "_\r\n" [rawr hget h x]
        assert_equal "*2\r\n\$1\r\n1\r\n_\r\n" [rawr hmget h a x]
        assert_equal ":2\r\n" [rawr hlen h]
        assert_equal ":1\r\n" [rawr hexists h a]
        r hello 2
        assert_equal "*4\r\n\$1\r\na\r\n\$1\r\n1\r\n\$1\r\nb\r\n\$1\r\n2\r\n" [rawr hgetall h]
    }

    # ------------------------------------------------------------ keyspace events

    test {Keyspace events of the hash commands} {
        r config set notify-keyspace-events KEAn
        r del h h2 h3
        set rd [ev_client]
        r hset h a 1
        assert_equal [concat [kse h new] [kse h hset]] [events $rd]
        r hset h a 1
        assert_equal [kse h hset] [events $rd]
        r hmset h b 2
        assert_equal [kse h hset] [events $rd]
        r hsetnx h a 2
        assert_equal {} [events $rd]
        r hsetnx h c 3
        assert_equal [kse h hset] [events $rd]
        r hincrby h n 1
        assert_equal [kse h hincrby] [events $rd]
        r hincrbyfloat h n 1.5
        assert_equal [kse h hincrbyfloat] [events $rd]
        r hdel h x
        assert_equal {} [events $rd]
        r hdel h a b
        assert_equal [kse h hdel] [events $rd]
        r hdel h c n x
        assert_equal [concat [kse h hdel] [kse h del]] [events $rd]
        r hincrby h2 f 1
        assert_equal [concat [kse h2 new] [kse h2 hincrby]] [events $rd]
        r hincrbyfloat h3 f 1
        assert_equal [concat [kse h3 new] [kse h3 hincrbyfloat]] [events $rd]
        # Failed commands publish nothing.
        r hset h2 s abc
        events $rd
        catch {r hincrby h2 s 1}
        catch {r hincrbyfloat h2 s 1}
        r hget h2 f
        r hgetall h2
        assert_equal {} [events $rd]
        $rd close
        r config set notify-keyspace-events ""
    }

    test {Keyspace event class h} {
        r config set notify-keyspace-events Eh
        r del h
        set rd [ev_client]
        r hset h a 1
        r hdel h a
        assert_equal {{__keyevent@0__:hset h} {__keyevent@0__:hdel h}} [events $rd]
        $rd close
        r config set notify-keyspace-events ""
    }

    # ------------------------------------------------------------ misc

    test {Writes count one change per field} {
        r del h
        set before [s rdb_changes_since_last_save]
        r hset h a 1 b 2 c 3
        assert_equal [expr {$before + 3}] [s rdb_changes_since_last_save]
        r hdel h a b x
        assert_equal [expr {$before + 5}] [s rdb_changes_since_last_save]
        r hdel h x
        r hsetnx h c 1
        assert_equal [expr {$before + 5}] [s rdb_changes_since_last_save]
        r hincrby h n 1
        assert_equal [expr {$before + 6}] [s rdb_changes_since_last_save]
    }

    test {HSET invalidates WATCH} {
        r del h
        r hset h a 1
        r watch h
        set c [redis_client]
        $c hset h a 2
        $c close
        r multi
        r hget h a
        assert_equal {} [r exec]
        r watch h
        r multi
        r hget h a
        r hset h b 3
        assert_equal {2 1} [r exec]
    }

    test {Hash commands in MULTI/EXEC} {
        r del h
        r multi
        r hset h a 1
        r hincrby h a 5
        r hgetall h
        r hdel h a
        r exists h
        assert_equal {1 6 {a 6} 1 0} [r exec]
    }

    test {A hash with a TTL keeps it across writes} {
        r del h
        r hset h a 1
        r expire h 100
        r hset h b 2
        r hincrby h a 1
        r hdel h b
        assert_range [r ttl h] 90 100
    }

    test {RENAME keeps the hash and its encoding} {
        foreach enc {listpack hashtable} {
            make_hash h $enc {a 1 b 2}
            r del h2
            r rename h h2
            assert_encoding $enc h2
            assert_equal {a 1 b 2} [sorted_pairs [r hgetall h2]]
        }
    }
}
