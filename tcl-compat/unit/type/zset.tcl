# Sorted set commands: ZADD ZINCRBY ZREM ZCARD ZCOUNT ZLEXCOUNT ZSCORE ZMSCORE
# ZRANK ZREVRANK ZRANGE ZRANGESTORE ZREVRANGE Z[REV]RANGEBYSCORE
# Z[REV]RANGEBYLEX ZREMRANGEBY{RANK,SCORE,LEX} ZPOPMIN ZPOPMAX ZMPOP
# ZRANDMEMBER ZUNION[STORE] ZINTER[STORE] ZINTERCARD ZDIFF[STORE] ZSCAN and the
# blocking BZPOPMIN BZPOPMAX BZMPOP; the listpack and skiplist encodings and
# their conversions, score formatting, RESP3 reply forms, keyspace events.
#
# Most tests run once per encoding: "listpack" with the default limits,
# "skiplist" with zset-max-listpack-entries 0 (every new key a skiplist).

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

# The listpack limit that makes new sorted sets use `enc`.
proc use_encoding {enc} {
    if {$enc eq "listpack"} {
        r config set zset-max-listpack-entries 128
    } else {
        r config set zset-max-listpack-entries 0
    }
    r config set zset-max-listpack-value 64
}

# Members and scores of a model (a dict member -> score) in ZRANGE order.
proc model_range {model} {
    set pairs {}
    dict for {m s} $model {
        lappend pairs [list $m $s]
    }
    set out {}
    foreach p [lsort -command cmp_pair $pairs] {
        lappend out {*}$p
    }
    return $out
}

proc cmp_pair {a b} {
    set sa [lindex $a 1]
    set sb [lindex $b 1]
    if {$sa < $sb} {
        return -1
    } elseif {$sa > $sb} {
        return 1
    }
    return [string compare [lindex $a 0] [lindex $b 0]]
}

start_server {tags {zset}} {
    foreach enc {listpack skiplist} {
        test "ZADD, ZSCORE, ZCARD, ZRANGE basics - $enc" {
            use_encoding $enc
            r del z
            assert_equal 3 [r zadd z 1 a 2 b 3 c]
            assert_encoding $enc z
            assert_equal 0 [r zadd z 10 a]
            assert_equal {b 2 c 3 a 10} [r zrange z 0 -1 withscores]
            assert_equal 10 [r zscore z a]
            assert_equal {} [r zscore z nope]
            assert_equal 3 [r zcard z]
            assert_equal 0 [r zcard nokey]
            assert_equal {10 {} 2} [r zmscore z a nope b]
            assert_equal {{} {}} [r zmscore nokey a b]
        }

        test "ZADD options NX XX GT LT CH INCR - $enc" {
            use_encoding $enc
            r del z
            r zadd z 1 a 2 b
            assert_equal 1 [r zadd z nx 100 a 3 c]
            assert_equal 1 [r zscore z a]
            assert_equal 0 [r zadd z xx 100 a 4 d]
            assert_equal {} [r zscore z d]
            assert_equal 100 [r zscore z a]
            assert_equal 2 [r zadd z ch 5 a 6 b 3 c]
            assert_equal 1 [r zadd z gt ch 1 a 60 b]
            assert_equal {5 60} [r zmscore z a b]
            assert_equal 1 [r zadd z lt ch 1 a 600 b]
            assert_equal {1 60} [r zmscore z a b]
            assert_equal 1 [r zadd z xx gt ch 2 a 1 nonexisting]
            assert_equal {} [r zscore z nonexisting]
            assert_equal 7.5 [r zadd z incr 5.5 a]
            assert_equal {} [r zadd z nx incr 1 a]
            assert_equal {} [r zadd z xx incr 1 nope]
            assert_equal {} [r zadd z gt incr -1 a]
            assert_equal 6.5 [r zadd z lt incr -1 a]
            assert_equal 11 [r zincrby z 4.5 a]
            assert_equal -2 [r zincrby z -2 newone]
            assert_equal 0 [r zadd nokey xx 1 a]
            assert_equal 0 [r exists nokey]
        }

        test "ZADD option and argument errors - $enc" {
            use_encoding $enc
            r del z
            r zadd z 1 a
            assert_error {ERR XX and NX options at the same time are not compatible} {r zadd z xx nx 1 a}
            assert_error {ERR GT, LT, and/or NX options at the same time are not compatible} {r zadd z gt lt 1 a}
            assert_error {ERR GT, LT, and/or NX options at the same time are not compatible} {r zadd z nx gt 1 a}
            assert_error {ERR GT, LT, and/or NX options at the same time are not compatible} {r zadd z nx lt 1 a}
            assert_error {ERR INCR option supports a single increment-element pair} {r zadd z incr 1 a 2 b}
            assert_error {ERR syntax error} {r zadd z 1 a 2}
            assert_error {ERR syntax error} {r zadd z nx xx}
            assert_error {ERR wrong number of arguments for 'zadd' command} {r zadd z 1}
            assert_error {ERR value is not a valid float} {r zadd z nan a}
            assert_error {ERR value is not a valid float} {r zadd z abc a}
            assert_error {ERR value is not a valid float} {r zadd z 1e400 a}
            assert_error {ERR value is not a valid float} {r zadd z {1 } a}
            assert_error {ERR value is not a valid float} {r zincrby z abc a}
            # ZINCRBY parses ZADD's options too.
            assert_error {ERR syntax error} {r zincrby z nx a}
            # A bad score anywhere rejects the whole command.
            assert_error {ERR value is not a valid float} {r zadd z 5 b x c}
            assert_equal {} [r zscore z b]
            r zadd z +inf pinf
            assert_error {ERR resulting score is not a number (NaN)} {r zadd z incr -inf pinf}
            assert_error {ERR resulting score is not a number (NaN)} {r zincrby z -inf pinf}
            assert_equal inf [r zscore z pinf]
            assert_equal 16 [r zincrby z 0x10 hex]
        }

        test "Scores are printed as Redis prints doubles - $enc" {
            use_encoding $enc
            r del z
            r zadd z 0.1 a 1e17 b 1e16 c 1.5e-5 d 3.0000000000000004 e 4611686018427387904 f -inf g 123 h
            assert_equal {0.10000000000000001 1e+17 10000000000000000 1.5e-05 3.0000000000000004 4.6116860184273879e+18 -inf 123} \
                [r zmscore z a b c d e f g h]
            # -0 keeps its sign in a skiplist only: a listpack stores it as
            # the integer 0.
            r zadd z -0 zero
            if {$enc eq "listpack"} {
                assert_equal 0 [r zscore z zero]
            } else {
                assert_equal -0 [r zscore z zero]
            }
        }

        test "ZREM deletes members and the emptied key - $enc" {
            use_encoding $enc
            r del z
            r zadd z 1 a 2 b 3 c
            assert_equal 1 [r zrem z a nope]
            assert_equal 0 [r zrem z nope]
            assert_equal 2 [r zrem z b c c]
            assert_equal 0 [r exists z]
            assert_equal 0 [r zrem nokey a]
        }

        test "ZCOUNT and ZLEXCOUNT - $enc" {
            use_encoding $enc
            r del z l
            r zadd z 1 a 2 b 3 c 4 d 5 e 5 f
            assert_equal 6 [r zcount z -inf +inf]
            assert_equal 2 [r zcount z (1 3]
            assert_equal 1 [r zcount z (1 (3]
            assert_equal 0 [r zcount z 3 1]
            assert_equal 2 [r zcount z 5 5]
            assert_equal 0 [r zcount z (5 5]
            assert_equal 0 [r zcount z ( 0]
            assert_equal 6 [r zcount z -1e400 1e400]
            assert_equal 0 [r zcount nokey 0 1]
            assert_error {ERR min or max is not a float} {r zcount z a 5}
            assert_error {ERR min or max is not a float} {r zcount z 1 nan}
            assert_error {ERR min or max is not a float} {r zcount z {3 } 5}
            assert_error {ERR min or max is not a float} {r zcount nokey a b}
            r zadd l 0 a 0 b 0 c 0 d 0 aa
            assert_equal 5 [r zlexcount l - +]
            assert_equal 4 [r zlexcount l \[a \[c]
            assert_equal 2 [r zlexcount l (a (c]
            assert_equal 0 [r zlexcount l + -]
            assert_equal 0 [r zlexcount l - -]
            assert_equal 1 [r zlexcount l \[b \[b]
            assert_equal 0 [r zlexcount l (b \[b]
            assert_error {ERR min or max not valid string range item} {r zlexcount l a b}
            assert_error {ERR min or max not valid string range item} {r zlexcount l -a +}
            assert_error {ERR min or max not valid string range item} {r zlexcount l \[a {}}
            assert_error {ERR min or max not valid string range item} {r zlexcount nokey a b}
        }

        test "ZRANK and ZREVRANK - $enc" {
            use_encoding $enc
            r del z
            r zadd z 1 a 2 b 3 c
            assert_equal {0 2} [list [r zrank z a] [r zrank z c]]
            assert_equal {2 0} [list [r zrevrank z a] [r zrevrank z c]]
            assert_equal {} [r zrank z nope]
            assert_equal {} [r zrank nokey a]
            # WITHSCORE came in Redis 7.2.
            assert_error {ERR wrong number of arguments for 'zrank' command} {r zrank z a withscore}
        }

        test "ZRANGE by index, ZREVRANGE - $enc" {
            use_encoding $enc
            r del z
            r zadd z 1 a 2 b 3 c 4 d 5 e
            assert_equal {a b c d e} [r zrange z 0 -1]
            assert_equal {b 2 c 3} [r zrange z 1 2 withscores]
            assert_equal {d c} [r zrange z 1 2 rev]
            assert_equal {a b c d e} [r zrange z -100 100]
            assert_equal {} [r zrange z 3 1]
            assert_equal {} [r zrange z 5 10]
            assert_equal {e 5} [r zrange z -1 -1 withscores]
            assert_equal {e 5 d 4} [r zrevrange z 0 1 withscores]
            assert_equal {} [r zrange nokey 0 -1]
            assert_equal {a b c d e} [r zrange z -9223372036854775808 9223372036854775807]
            assert_error {ERR value is not an integer or out of range} {r zrange z a b}
            assert_error {ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX} {r zrange z 0 1 limit 0 1}
            assert_error {ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX} {r zrevrange z 0 1 limit 0 1}
            # LIMIT offset -1 means no limit, even by index.
            assert_equal {a b} [r zrange z 0 1 limit 5 -1]
            assert_error {ERR syntax error} {r zrange z 0 1 foo}
            assert_error {ERR syntax error} {r zrange z 0 1 limit 1}
            assert_error {ERR syntax error} {r zrange z 0 1 rev rev}
            assert_error {ERR syntax error} {r zrange z 0 1 byscore bylex}
            assert_error {ERR syntax error} {r zrevrange z 0 1 rev}
            assert_error {ERR value is not an integer or out of range} {r zrange z 0 1 limit a 1}
        }

        test "ZRANGE BYSCORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE - $enc" {
            use_encoding $enc
            r del z
            r zadd z 1 a 2 b 3 c 4 d 5 e 5 f 5 g
            assert_equal {a b c d e f g} [r zrange z -inf +inf byscore]
            assert_equal {b 2 c 3 d 4} [r zrange z (1 (5 byscore withscores]
            assert_equal {g f e d} [r zrange z 5 4 byscore rev]
            assert_equal {} [r zrange z 1 5 byscore rev]
            assert_equal {b c} [r zrange z 1 5 byscore limit 1 2]
            assert_equal {f e} [r zrange z 5 1 byscore rev limit 1 2]
            assert_equal {} [r zrange z 1 5 byscore limit 0 0]
            assert_equal {} [r zrange z 1 5 byscore limit -1 2]
            assert_equal {e f g} [r zrange z 1 5 byscore limit 4 -1]
            assert_equal {} [r zrange z 1 5 byscore limit 7 1]
            assert_equal {f 5} [r zrangebyscore z 5 5 withscores limit 1 1]
            assert_equal {b 2 c 3} [r zrangebyscore z 1 5 limit 1 2 withscores]
            assert_equal {g f} [r zrevrangebyscore z +inf -inf limit 0 2]
            assert_equal {d c b} [r zrevrangebyscore z (5 (1]
            assert_equal {} [r zrangebyscore z (2 (2]
            assert_equal {} [r zrangebyscore nokey 0 1]
            assert_error {ERR min or max is not a float} {r zrange z a 5 byscore}
            assert_error {ERR min or max is not a float} {r zrangebyscore z 1 b}
            assert_error {ERR syntax error} {r zrangebyscore z 1 5 rev}
            assert_error {ERR syntax error} {r zrangebyscore z 1 5 withscore}
        }

        test "ZRANGE BYLEX, ZRANGEBYLEX, ZREVRANGEBYLEX - $enc" {
            use_encoding $enc
            r del z
            r zadd z 0 a 0 b 0 c 0 d 0 e 0 aa 0 ab 0 {}
            assert_equal {{} a aa ab b c d e} [r zrange z - + bylex]
            assert_equal {a aa ab b} [r zrange z \[a (c bylex]
            assert_equal {b ab aa a} [r zrange z (c \[a bylex rev]
            assert_equal {ab b c} [r zrange z - + bylex limit 3 3]
            assert_equal {b ab aa} [r zrange z + - bylex limit 3 3 rev]
            assert_equal {{} a} [r zrange z \[ \[a bylex]
            assert_equal {a aa ab b} [r zrangebylex z (\x00 \[b]
            assert_equal {e d} [r zrevrangebylex z + - limit 0 2]
            assert_equal {} [r zrangebylex nokey - +]
            assert_error {ERR syntax error, WITHSCORES not supported in combination with BYLEX} {r zrange z - + bylex withscores}
            assert_error {ERR syntax error, WITHSCORES not supported in combination with BYLEX} {r zrangebylex z - + withscores}
            assert_error {ERR min or max not valid string range item} {r zrange z a b bylex}
            assert_error {ERR min or max not valid string range item} {r zrangebylex nokey a b}
        }

        test "ZRANGESTORE - $enc" {
            use_encoding $enc
            r del z d
            r zadd z 1 a 2 b 3 c 4 d 5 e
            assert_equal 5 [r zrangestore d z 0 -1]
            assert_equal {a 1 b 2 c 3 d 4 e 5} [r zrange d 0 -1 withscores]
            assert_encoding $enc d
            assert_equal 2 [r zrangestore d z 1 2 rev]
            assert_equal {c 3 d 4} [r zrange d 0 -1 withscores]
            assert_equal 1 [r zrangestore d z (1 4 byscore limit 1 1]
            assert_equal {c 3} [r zrange d 0 -1 withscores]
            assert_equal 3 [r zrangestore d z \[b \[d bylex]
            assert_equal {b 2 c 3 d 4} [r zrange d 0 -1 withscores]
            # An empty result deletes the destination.
            assert_equal 0 [r zrangestore d z 10 20]
            assert_equal 0 [r exists d]
            r zrangestore d z 0 0
            assert_equal 0 [r zrangestore d nokey 0 -1]
            assert_equal 0 [r exists d]
            # The destination is overwritten whatever its type.
            r set d str
            assert_equal 2 [r zrangestore d z 0 1]
            assert_type zset d
            assert_error {ERR syntax error} {r zrangestore d z 0 -1 withscores}
            assert_error {ERR syntax error, LIMIT is only supported*} {r zrangestore d z 0 -1 limit 0 1}
            assert_equal 2 [r zrangestore z z 1 2]
            assert_equal {b c} [r zrange z 0 -1]
        }

        test "ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX - $enc" {
            use_encoding $enc
            r del z
            r zadd z 1 a 2 b 3 c 4 d 5 e
            assert_equal 1 [r zremrangebyrank z 0 0]
            assert_equal 1 [r zremrangebyrank z -1 -1]
            assert_equal 0 [r zremrangebyrank z 5 10]
            assert_equal 0 [r zremrangebyrank z 2 1]
            assert_equal {b c d} [r zrange z 0 -1]
            assert_equal 3 [r zremrangebyrank z 0 -1]
            assert_equal 0 [r exists z]
            assert_equal 0 [r zremrangebyrank z 0 -1]
            assert_error {ERR value is not an integer or out of range} {r zremrangebyrank z a 1}
            r zadd z 1 a 2 b 3 c 4 d 5 e
            assert_equal 2 [r zremrangebyscore z (1 3]
            assert_equal 0 [r zremrangebyscore z 10 20]
            assert_equal {a d e} [r zrange z 0 -1]
            assert_equal 3 [r zremrangebyscore z -inf +inf]
            assert_equal 0 [r exists z]
            assert_error {ERR min or max is not a float} {r zremrangebyscore z a 3}
            r zadd z 0 a 0 b 0 c 0 d
            assert_equal 2 [r zremrangebylex z \[b (d]
            assert_equal 0 [r zremrangebylex z + -]
            assert_equal {a d} [r zrange z 0 -1]
            assert_equal 2 [r zremrangebylex z - +]
            assert_equal 0 [r exists z]
            assert_error {ERR min or max not valid string range item} {r zremrangebylex z a b}
        }

        test "ZPOPMIN and ZPOPMAX - $enc" {
            use_encoding $enc
            r del z
            r zadd z 1 a 2 b 3 c 4 d 5 e
            assert_equal {a 1} [r zpopmin z]
            assert_equal {e 5} [r zpopmax z]
            assert_equal {b 2 c 3} [r zpopmin z 2]
            assert_equal {} [r zpopmin z 0]
            assert_equal {d 4} [r zpopmax z 10]
            assert_equal 0 [r exists z]
            assert_equal {} [r zpopmin z]
            assert_equal {} [r zpopmax z 3]
            assert_error {ERR value is out of range, must be positive} {r zpopmin z -1}
            assert_error {ERR value is out of range, must be positive} {r zpopmin z abc}
            assert_error {ERR syntax error} {r zpopmin z 1 2}
        }

        test "ZMPOP - $enc" {
            use_encoding $enc
            r del z1 z2
            r zadd z1 1 a 2 b 3 c
            r zadd z2 4 d 5 e
            assert_equal {z1 {{a 1}}} [r zmpop 1 z1 min]
            assert_equal {z1 {{c 3} {b 2}}} [r zmpop 2 z1 z2 max count 2]
            assert_equal 0 [r exists z1]
            assert_equal {z2 {{d 4} {e 5}}} [r zmpop 2 z1 z2 min count 10]
            assert_equal {} [r zmpop 2 z1 z2 min]
            assert_error {ERR numkeys should be greater than 0} {r zmpop 0 z1 min}
            assert_error {ERR numkeys should be greater than 0} {r zmpop abc z1 min}
            assert_error {ERR count should be greater than 0} {r zmpop 1 z1 min count 0}
            assert_error {ERR count should be greater than 0} {r zmpop 1 z1 min count abc}
            assert_error {ERR syntax error} {r zmpop 1 z1 foo}
            assert_error {ERR syntax error} {r zmpop 1 z1 min count 1 count 1}
            assert_error {ERR syntax error} {r zmpop 3 z1 min}
            assert_error {ERR syntax error} {r zmpop 9223372036854775807 z1 min}
        }

        test "ZRANDMEMBER - $enc" {
            use_encoding $enc
            r del z
            r zadd z 1 a 2 b 3 c 4 d 5 e 6 f 7 g 8 h 9 i 10 j
            assert_match {[a-j]} [r zrandmember z]
            assert_equal {} [r zrandmember nokey]
            assert_equal {} [r zrandmember nokey 5]
            assert_equal {} [r zrandmember z 0]
            # count >= size: the whole set, highest score first.
            assert_equal {j i h g f e d c b a} [r zrandmember z 20]
            assert_equal {j 10 i 9} [lrange [r zrandmember z 10 withscores] 0 3]
            # Positive counts give distinct members, negative ones may repeat.
            foreach n {1 2 3 5 9} {
                set got [r zrandmember z $n]
                assert_equal $n [llength $got]
                assert_equal $n [llength [lsort -unique $got]]
            }
            set got [r zrandmember z -30]
            assert_equal 30 [llength $got]
            foreach m $got {
                assert_match {[a-j]} $m
            }
            foreach {m s} [r zrandmember z -20 withscores] {
                assert_equal [r zscore z $m] $s
            }
            foreach {m s} [r zrandmember z 3 withscores] {
                assert_equal [r zscore z $m] $s
            }
            assert_error {ERR value is not an integer or out of range} {r zrandmember z abc}
            assert_error {ERR syntax error} {r zrandmember z 1 foo}
            assert_error {ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807} \
                {r zrandmember z -9223372036854775808}
            assert_error {ERR value is out of range} {r zrandmember z -4611686018427387904 withscores}
        }

        test "ZUNION, ZINTER, ZDIFF and their STORE forms - $enc" {
            use_encoding $enc
            r del a b d
            r zadd a 1 x 2 y 3 z
            r zadd b 10 y 20 z 30 w
            assert_equal {x y z w} [r zunion 2 a b]
            assert_equal {x 1 y 12 z 23 w 30} [r zunion 2 a b withscores]
            assert_equal {x 2 y 34 z 66 w 90} [r zunion 2 a b weights 2 3 withscores]
            assert_equal {x 1 y 2 z 3 w 30} [r zunion 2 a b aggregate min withscores]
            assert_equal {x 1 y 10 z 20 w 30} [r zunion 2 a b aggregate max withscores]
            assert_equal {y 12 z 23} [r zinter 2 a b withscores]
            assert_equal {y 30 z 60} [r zinter 2 a b weights 2 3 aggregate max withscores]
            assert_equal {x 2 y 4 z 6} [r zinter 2 a a withscores]
            assert_equal {x 1} [r zdiff 2 a b withscores]
            assert_equal {} [r zdiff 2 a a]
            assert_equal {x y z} [r zdiff 2 a nokey]
            assert_equal {} [r zdiff 2 nokey a]
            assert_equal 2 [r zintercard 2 a b]
            assert_equal 1 [r zintercard 2 a b limit 1]
            assert_equal 2 [r zintercard 2 a b limit 0]
            assert_equal 4 [r zunionstore d 2 a b]
            assert_equal {x 1 y 12 z 23 w 30} [r zrange d 0 -1 withscores]
            assert_encoding $enc d
            assert_equal 2 [r zinterstore d 2 a b weights 1 -1]
            assert_equal {z -17 y -8} [r zrange d 0 -1 withscores]
            assert_equal 1 [r zdiffstore d 2 a b]
            assert_equal {x 1} [r zrange d 0 -1 withscores]
            assert_equal 0 [r zinterstore d 2 a nokey]
            assert_equal 0 [r exists d]
            assert_equal 3 [r zinterstore a 2 a a]
            assert_equal {x 2 y 4 z 6} [r zrange a 0 -1 withscores]
        }

        test "Set operations take plain sets with score 1 - $enc" {
            use_encoding $enc
            r del a s is d
            r zadd a 1 x 2 y 3 z
            r sadd s y w
            r sadd is 1 2
            assert_equal {w 1 x 1 y 3 z 3} [r zunion 2 a s withscores]
            assert_equal {y 3} [r zinter 2 a s aggregate sum withscores]
            assert_equal {x 1 z 3} [r zdiff 2 a s withscores]
            assert_equal {1 2 2 2} [r zunion 1 is weights 2 withscores]
            assert_equal 2 [r zunionstore d 1 is]
            assert_equal {1 1 2 1} [r zrange d 0 -1 withscores]
        }

        test "Set operations: inf - inf sums count as 0 - $enc" {
            use_encoding $enc
            r del p n q
            r zadd p +inf a -inf b 1 c
            r zadd n -inf a +inf b 2 c
            r zadd q 3 a 4 b
            assert_equal {a 0 b 0 c 3} [r zunion 2 p n withscores]
            assert_equal {a 0 b 0 c 3} [r zinter 2 p n withscores]
            assert_equal {a -inf b -inf c 1} [r zunion 2 p n aggregate min withscores]
            assert_equal {c 2 a inf b inf} [r zunion 2 p n aggregate max withscores]
            assert_equal {a 0 b 0} [r zunion 2 q q weights inf -inf withscores]
            assert_equal {a 0 b 0 c 0} [r zunion 1 p weights 0 withscores]
        }
    }

    test "Set operation argument errors" {
        r del a b str
        r zadd a 1 x
        r zadd b 2 x
        r set str foo
        assert_error {ERR at least 1 input key is needed for 'zunion' command} {r zunion 0 a}
        assert_error {ERR at least 1 input key is needed for 'zinterstore' command} {r zinterstore d 0 a}
        assert_error {ERR at least 1 input key is needed for 'zintercard' command} {r zintercard 0 a}
        assert_error {ERR value is not an integer or out of range} {r zunion abc a}
        assert_error {ERR syntax error} {r zunion 3 a b}
        assert_error {ERR syntax error} {r zunion 2 a b weights 1}
        assert_error {ERR syntax error} {r zunion 2 a b aggregate foo}
        assert_error {ERR syntax error} {r zunion 2 a b aggregate}
        assert_error {ERR syntax error} {r zdiff 2 a b weights 1 2}
        assert_error {ERR syntax error} {r zunionstore d 2 a b withscores}
        assert_error {ERR syntax error} {r zintercard 2 a b withscores}
        assert_error {ERR weight value is not a float} {r zunion 2 a b weights 1 x}
        assert_error {ERR weight value is not a float} {r zunion 2 a b weights nan 1}
        assert_error {ERR LIMIT can't be negative} {r zintercard 2 a b limit -1}
        assert_error {ERR LIMIT can't be negative} {r zintercard 2 a b limit x}
        # Inputs are looked up (and type checked) before options are parsed.
        assert_error {WRONGTYPE*} {r zunion 2 a str aggregate foo}
        assert_error {WRONGTYPE*} {r zinterstore d 2 nokey str}
    }

    test "Conversion limits: entries and member length" {
        r config set zset-max-listpack-entries 3
        r config set zset-max-listpack-value 5
        r del z w w2 d
        r zadd z 1 a 2 b 3 c
        assert_encoding listpack z
        r zadd z 4 d
        assert_encoding skiplist z
        # One way: removing members does not convert back.
        r zrem z a b c
        assert_encoding skiplist z
        r zadd w 1 aaaaa
        assert_encoding listpack w
        r zadd w 2 aaaaaa
        assert_encoding skiplist w
        # A key is created as a skiplist when its first member is too long.
        r zadd w2 1 aaaaaa 2 b
        assert_encoding skiplist w2
        # Stored results become listpacks again when they fit.
        assert_equal 1 [r zunionstore d 1 z]
        assert_encoding listpack d
        r zadd z 5 e 6 f 7 g
        r zunionstore d 1 z
        assert_encoding skiplist d
        r zrangestore d z 0 2
        assert_encoding listpack d
        r zrangestore d z 0 3
        assert_encoding skiplist d
        r zrangestore d w2 0 -1
        assert_encoding skiplist d
        r config set zset-max-listpack-entries 128
        r config set zset-max-listpack-value 64
        # Integers and strings are kept apart in a listpack.
        r del n
        r zadd n 0 1234567890 0 -5 0 9223372036854775807 0 01 0 -0 0 +1
        assert_equal {+1 -0 -5 01 1234567890 9223372036854775807} [r zrange n 0 -1]
        assert_equal {+1 -0 -5 01 1234567890 9223372036854775807} [r zrangebylex n - +]
        assert_encoding listpack n
    } {} {needs:config}

    test "Big skiplist: ranks, ranges and counts" {
        use_encoding skiplist
        r del z
        set args {}
        for {set i 0} {$i < 1000} {incr i} {
            lappend args [expr {$i / 4}] [format m%04d $i]
        }
        r zadd z {*}$args
        assert_equal 1000 [r zcard z]
        assert_equal 500 [r zrank z m0500]
        assert_equal 499 [r zrevrank z m0500]
        assert_equal {m0400 m0401 m0402} [r zrange z 400 402]
        assert_equal {m0599 m0598} [r zrange z 400 401 rev]
        assert_equal 40 [r zcount z 10 19]
        assert_equal {m0040 m0041} [r zrangebyscore z 10 19 limit 0 2]
        assert_equal 100 [r zlexcount z \[m0100 (m0200]
        assert_equal 100 [r zremrangebyrank z 100 199]
        assert_equal {m0099 m0200} [r zrange z 99 100]
        assert_equal 200 [r zremrangebyscore z (50 100]
        assert_equal 700 [r zcard z]
        assert_equal m0699 [r zrange z 399 399]
        assert_equal 699 [r zrank z m0999]
    }

    foreach enc {listpack skiplist} {
        test "Random operations agree with a model - $enc" {
            use_encoding $enc
            r del z
            set model {}
            for {set i 0} {$i < 600} {incr i} {
                set m m[randomInt 60]
                set op [randomInt 10]
                if {$op < 5} {
                    set s [expr {[randomInt 40] - 20}]
                    r zadd z $s $m
                    dict set model $m $s
                } elseif {$op < 7} {
                    set inc [expr {[randomInt 10] - 5}]
                    set old [expr {[dict exists $model $m] ? [dict get $model $m] : 0}]
                    assert_equal [expr {$old + $inc}] [r zincrby z $inc $m]
                    dict set model $m [expr {$old + $inc}]
                } elseif {$op < 9} {
                    assert_equal [dict exists $model $m] [r zrem z $m]
                    dict unset model $m
                } else {
                    set min [expr {[randomInt 20] - 10}]
                    set n 0
                    dict for {k v} $model {
                        if {$v >= $min && $v <= $min + 3} {
                            dict unset model $k
                            incr n
                        }
                    }
                    assert_equal $n [r zremrangebyscore z $min [expr {$min + 3}]]
                }
            }
            set want [model_range $model]
            assert_equal $want [r zrange z 0 -1 withscores]
            set i 0
            foreach {m s} $want {
                assert_equal $i [r zrank z $m]
                incr i
            }
            if {[dict size $model] > 0} {
                assert_encoding $enc z
            }
        }
    }

    foreach enc {listpack skiplist} {
        test "ZSCAN returns every member with its score - $enc" {
            use_encoding $enc
            r del z
            set args {}
            for {set i 0} {$i < 100} {incr i} {
                lappend args $i.5 m$i
            }
            r zadd z {*}$args
            set cursor 0
            set got {}
            while 1 {
                lassign [r zscan z $cursor count 7] cursor items
                foreach {m s} $items {
                    dict set got $m $s
                }
                if {$cursor == 0} break
            }
            assert_equal 100 [dict size $got]
            for {set i 0} {$i < 100} {incr i} {
                assert_equal $i.5 [dict get $got m$i]
            }
            lassign [r zscan z 0 match m1? count 1000] cursor items
            assert_equal 0 $cursor
            assert_equal {m10 m11 m12 m13 m14 m15 m16 m17 m18 m19} [lsort [dict keys $items]]
        }
    }

    test "ZSCAN arguments" {
        use_encoding listpack
        r del z
        r zadd z 1 a 1e18 b
        # A listpack gives its entries as stored: integer scores as integers.
        assert_equal {0 {a 1 b 1000000000000000000}} [r zscan z 0]
        assert_equal {0 {}} [r zscan nokey 0]
        assert_equal {0 {}} [r zscan nokey 0 count 0]
        assert_error {ERR invalid cursor} {r zscan z abc}
        assert_error {ERR syntax error} {r zscan z 0 count 0}
        assert_error {ERR syntax error} {r zscan z 0 type zset}
        assert_error {ERR syntax error} {r zscan z 0 match}
        r set str x
        assert_error {WRONGTYPE*} {r zscan str 0 count 0}
    }

    test "WRONGTYPE errors" {
        r del str
        r set str x
        foreach cmd {
            {zadd str 1 a} {zincrby str 1 a} {zrem str a} {zcard str} {zcount str 0 1}
            {zlexcount str - +} {zscore str a} {zmscore str a} {zrank str a} {zrevrank str a}
            {zrange str 0 1} {zrangestore d str 0 1} {zrevrange str 0 1} {zrangebyscore str 0 1}
            {zrevrangebyscore str 1 0} {zrangebylex str - +} {zrevrangebylex str + -}
            {zremrangebyrank str 0 1} {zremrangebyscore str 0 1} {zremrangebylex str - +}
            {zpopmin str} {zpopmax str 2} {zmpop 1 str min} {zrandmember str} {zrandmember str 2}
            {zunion 1 str} {zinter 1 str} {zdiff 1 str} {zintercard 1 str} {zunionstore d 1 str}
            {zscan str 0} {bzpopmin str 0} {bzmpop 0 1 str min}
        } {
            assert_error {WRONGTYPE Operation against a key holding the wrong kind of value} {r {*}$cmd}
        }
        assert_equal x [r get str]
    }

    test "RESP3 reply forms" {
        use_encoding listpack
        r del z
        r zadd z 1 a 2.5 b
        r hello 3
        try {
            assert_equal ",2.5\r\n" [rawr zscore z b]
            assert_equal "_\r\n" [rawr zscore z nope]
            assert_equal "*2\r\n,1\r\n_\r\n" [rawr zmscore z a nope]
            assert_equal "_\r\n" [rawr zrank z nope]
            assert_equal "*2\r\n*2\r\n\$1\r\na\r\n,1\r\n*2\r\n\$1\r\nb\r\n,2.5\r\n" [rawr zrange z 0 -1 withscores]
            assert_equal "*1\r\n*2\r\n\$1\r\nb\r\n,2.5\r\n" [rawr zrange z 2 +inf byscore withscores]
            assert_equal "*2\r\n*2\r\n\$1\r\nb\r\n,2.5\r\n*2\r\n\$1\r\na\r\n,1\r\n" [rawr zrandmember z 5 withscores]
            assert_equal "*2\r\n*2\r\n\$1\r\na\r\n,2\r\n*2\r\n\$1\r\nb\r\n,5\r\n" [rawr zunion 1 z weights 2 withscores]
            assert_equal ",3.5\r\n" [rawr zincrby z 1 b]
            assert_equal "_\r\n" [rawr zadd z nx incr 1 b]
            assert_equal "*2\r\n\$1\r\na\r\n,1\r\n" [rawr zpopmin z]
            r zadd z 1 a
            assert_equal "*1\r\n*2\r\n\$1\r\na\r\n,1\r\n" [rawr zpopmin z 1]
            assert_equal "*2\r\n\$1\r\nz\r\n*1\r\n*2\r\n\$1\r\nb\r\n,3.5\r\n" [rawr zmpop 1 z max]
            assert_equal "_\r\n" [rawr zmpop 1 z max]
            r zadd z +inf i
            assert_equal "*3\r\n\$1\r\nz\r\n\$1\r\ni\r\n,inf\r\n" [rawr bzpopmax z 0]
        } finally {
            r hello 2
        }
        assert_equal "*-1\r\n" [rawr zmpop 1 z max]
        assert_equal "\$-1\r\n" [rawr zscore z a]
    }

    test "Keyspace events" {
        r del z d
        r config set notify-keyspace-events KEA
        set rd [redis_deferring_client]
        $rd psubscribe __keyevent@0__:*
        $rd read
        r zadd z 1 a 2 b
        r zadd z 1 a
        r zincrby z 1 a
        r zrem z a
        r zpopmin z
        r zadd z 1 a 2 b
        r zunionstore d 1 z
        r zrangestore d z 5 6
        r zremrangebyscore z -inf +inf
        set events {}
        for {set i 0} {$i < 10} {incr i} {
            lappend events [string range [lindex [$rd read] 2] 15 end]
        }
        # "new" is class n, not part of A.
        assert_equal {zadd zincr zrem zpopmin del zadd zunionstore del zremrangebyscore del} $events
        $rd close
        r config set notify-keyspace-events {}
        set _ {}
    } {} {needs:config}

    test "Commands inside MULTI/EXEC" {
        r del z
        r multi
        r zadd z 1 a 2 b
        r zincrby z 5 a
        r zrange z 0 -1 withscores
        r bzpopmin nokey 0
        r bzmpop 0 1 nokey min
        assert_equal {2 6 {b 2 a 6} {} {}} [r exec]
    }
}

start_server {tags {zset blocking}} {
    test "BZPOPMIN and BZPOPMAX serve at once when there is data" {
        r del z1 z2
        r zadd z2 1 a 2 b 3 c
        assert_equal {z2 a 1} [r bzpopmin z1 z2 0]
        assert_equal {z2 c 3} [r bzpopmax z1 z2 0]
        assert_error {ERR timeout is not a float or out of range} {r bzpopmin z1 abc}
        assert_error {ERR timeout is negative} {r bzpopmin z1 -1}
    }

    test "BZPOPMIN blocks until a ZADD, then serves" {
        r del z
        set rd [redis_deferring_client]
        $rd bzpopmin z 0
        wait_for_blocked_client
        r zadd z 2 b 1 a
        assert_equal {z a 1} [$rd read]
        assert_equal {b} [r zrange z 0 -1]
        $rd close
    }

    test "Blocked clients are served in arrival order" {
        r del z
        set rd1 [redis_deferring_client]
        set rd2 [redis_deferring_client]
        set rd3 [redis_deferring_client]
        $rd1 bzpopmax z 0
        wait_for_blocked_clients_count 1
        $rd2 bzpopmin z 0
        wait_for_blocked_clients_count 2
        $rd3 bzmpop 0 1 z max count 5
        wait_for_blocked_clients_count 3
        r zadd z 1 a 2 b 3 c 4 d
        assert_equal {z d 4} [$rd1 read]
        assert_equal {z a 1} [$rd2 read]
        assert_equal {z {{c 3} {b 2}}} [$rd3 read]
        assert_equal 0 [r exists z]
        assert_equal 0 [s blocked_clients]
        $rd1 close
        $rd2 close
        $rd3 close
    }

    test "BZPOPMIN and BZMPOP time out with sub-second precision" {
        r del z
        set rd [redis_deferring_client]
        set start [clock milliseconds]
        $rd bzpopmin z 0.2
        assert_equal {} [$rd read]
        $rd bzmpop 0.1 1 z min
        assert_equal {} [$rd read]
        set took [expr {[clock milliseconds] - $start}]
        assert_range $took 250 2000
        $rd close
    }

    test "A client blocked on several keys is served from the key that became ready" {
        r del a b
        set rd [redis_deferring_client]
        $rd bzpopmin a b 0
        wait_for_blocked_client
        r multi
        r zadd b 1 x
        r zadd a 2 y
        r exec
        assert_equal {b x 1} [$rd read]
        assert_equal {y} [r zrange a 0 -1]
        $rd close
    } {} {needs:multi}

    test "A key of another type does not wake a blocked BZPOPMIN" {
        r del z
        set rd [redis_deferring_client]
        $rd bzpopmax z 0
        wait_for_blocked_client
        r set z str
        r del z
        r lpush z x
        r del z
        after 50
        assert_equal 1 [s blocked_clients]
        r zadd z 5 q
        assert_equal {z q 5} [$rd read]
        $rd close
    } {} {needs:list}

    test "A ZADD then ZREM in MULTI does not serve a blocked client" {
        r del z
        set rd [redis_deferring_client]
        $rd bzpopmin z 0
        wait_for_blocked_client
        r multi
        r zadd z 1 a
        r zrem z a
        r exec
        after 50
        assert_equal 1 [s blocked_clients]
        r zadd z 2 b
        assert_equal {z b 2} [$rd read]
        $rd close
    } {} {needs:multi}

    test "BZMPOP and BZPOPMAX in RESP3" {
        r del z
        set rd [redis_deferring_client]
        $rd hello 3
        $rd read
        $rd bzmpop 0 2 x z min count 2
        wait_for_blocked_client
        r zadd z 1 a 2 b 3 c
        assert_equal {z {{a 1} {b 2}}} [$rd read]
        $rd bzpopmax z 0
        assert_equal {z c 3} [$rd read]
        $rd close
    }

    test "Pipelined commands of a blocked client run once it is served" {
        r del z
        set rd [redis_deferring_client]
        $rd bzpopmin z 0
        $rd ping
        wait_for_blocked_client
        r zadd z 1 a
        assert_equal {z a 1} [$rd read]
        assert_equal PONG [$rd read]
        $rd close
    }

    test "BZMPOP argument errors come before the timeout's" {
        assert_error {ERR numkeys should be greater than 0} {r bzmpop abc 0 z min}
        assert_error {ERR syntax error} {r bzmpop abc 1 z foo}
        assert_error {ERR timeout is not a float or out of range} {r bzmpop abc 1 z min}
        assert_error {ERR count should be greater than 0} {r bzmpop 0 1 z min count 0}
    }
}
