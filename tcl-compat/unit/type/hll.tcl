# HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST, and the
# string format of the sketches (Redis's exact sparse and dense encodings).
#
# Tests tagged "needs:list" create a list key (RPUSH) to get a value of the
# wrong type; skip them with --tags -needs:list while lists are missing.

# Bytes from hex digits (spaces allowed).
proc unhex {h} {
    binary format H* [string map {" " ""} $h]
}

proc hex {s} {
    binary scan $s H* h
    return $h
}

# A sketch by hand: encoding byte, 8 bytes of cached cardinality, body.
proc hll_value {enc card body} {
    return "HYLL[format %c $enc]\x00\x00\x00$card$body"
}

# The header of a sketch whose cache is invalid (and was zero).
set ::stale "\x00\x00\x00\x00\x00\x00\x00\x80"

# Adds elements prefix0 .. prefix(n-1) in batches of 500.
proc add_range {key prefix n} {
    for {set i 0} {$i < $n} {incr i 500} {
        set batch {}
        for {set j $i} {$j < min($n, $i + 500)} {incr j} {
            lappend batch $prefix$j
        }
        r pfadd $key {*}$batch
    }
}

proc changes {} {
    s rdb_changes_since_last_save
}

start_server {tags {"hll"}} {

    # ------------------------------------------------------------ PFADD

    test {PFADD creates a sketch and reports whether it changed} {
        r flushdb
        assert_equal 1 [r pfadd h a b c]
        assert_equal 0 [r pfadd h a]
        assert_equal 0 [r pfadd h c b a]
        assert_equal 1 [r pfadd h d]
        assert_equal 4 [r pfcount h]
        assert_encoding raw h
    }

    test {PFADD without elements creates an empty sketch once} {
        r del h
        assert_equal 1 [r pfadd h]
        assert_equal 1 [r exists h]
        assert_equal 0 [r pfadd h]
        assert_equal 0 [r pfcount h]
    }

    test {An empty sketch is 18 bytes: header and one XZERO of 16384} {
        r del h
        r pfadd h
        assert_equal [hll_value 1 $::stale "\x7f\xff"] [r get h]
        r pfcount h
        ;# the count was stored and the cache marked valid
        assert_equal [hll_value 1 [string repeat "\x00" 8] "\x7f\xff"] [r get h]
        assert_equal {Z:16384} [r pfdebug decode h]
    }

    test {PFADD produces the same bytes as Redis} {
        r del h
        r pfadd h a b c
        assert_equal "48594c4c01000000000000000000008060f38050b1844bfb80425a" [hex [r get h]]
        assert_equal {Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603} [r pfdebug decode h]
        assert_equal 3 [r pfcount h]
        assert_equal "48594c4c010000000300000000000000" [string range [hex [r get h]] 0 31]
        r pfadd h d
        ;# invalidating the cache only sets the top bit: the old count stays
        assert_equal "48594c4c0100000003000000000000805c7b8044768050b1844bfb80425a" [hex [r get h]]
    }

    test {PFADD elements are binary safe, the empty element counts} {
        r del h
        assert_equal 1 [r pfadd h ""]
        assert_equal 1 [r pfadd h "\x00" "\x00\x01" "a\r\nb"]
        assert_equal 0 [r pfadd h "" "\x00"]
        assert_equal 4 [r pfcount h]
    }

    test {PFADD counts one change per changed register} {
        r del h
        set c0 [changes]
        r pfadd h a b c
        ;# creation plus three registers
        assert_equal [expr {$c0 + 4}] [changes]
        r pfadd h a b c
        assert_equal [expr {$c0 + 4}] [changes]
    }

    test {PFADD arity} {
        assert_error {ERR wrong number of arguments for 'pfadd' command} {r pfadd}
    }

    # ------------------------------------------------------------ PFCOUNT

    test {PFCOUNT of a missing key is 0 and creates nothing} {
        r del nokey
        assert_equal 0 [r pfcount nokey]
        assert_equal 0 [r exists nokey]
    }

    test {PFCOUNT is within a few percent for larger cardinalities} {
        r del h
        foreach n {1000 10000} {
            r del h
            add_range h e $n
            set c [r pfcount h]
            assert_range $c [expr {$n * 0.95}] [expr {$n * 1.05}]
        }
    }

    test {PFCOUNT of small sets is exact} {
        r del h
        for {set i 1} {$i <= 100} {incr i} {
            r pfadd h "elem-$i"
            assert_equal $i [r pfcount h]
        }
    }

    test {PFCOUNT returns a valid cached count without recomputing} {
        r del h
        r pfadd h a b c
        set v [r get h]
        ;# a fake cached count of 1234 (little endian), cache valid
        set card [binary format w 1234]
        r set h2 "[string range $v 0 7]$card[string range $v 16 end]"
        assert_equal 1234 [r pfcount h2]
        r pfadd h2 zzz
        assert_equal 4 [r pfcount h2]
    }

    test {PFCOUNT stores the count only when the cache was invalid} {
        r del h
        r pfadd h a b
        set c0 [changes]
        r pfcount h
        assert_equal [expr {$c0 + 1}] [changes]
        r pfcount h
        assert_equal [expr {$c0 + 1}] [changes]
    }

    test {PFCOUNT of several keys is the count of their union} {
        r del h1 h2 h3
        add_range h1 x 1000
        add_range h2 x 1000
        add_range h3 y 1000
        set one [r pfcount h1]
        assert_equal $one [r pfcount h1 h2]
        assert_equal $one [r pfcount h1 nokey]
        set u [r pfcount h1 h3]
        assert_range $u 1900 2100
        assert_equal $u [r pfcount h3 h1 h2 nokey]
        assert_equal 0 [r pfcount nokey nokey2]
    }

    test {PFCOUNT of several keys does not change them} {
        r del h1 h2
        r pfadd h1 a
        r pfadd h2 b
        set v1 [r get h1]
        set c0 [changes]
        r pfcount h1 h2
        assert_equal $v1 [r get h1]
        assert_equal $c0 [changes]
    }

    test {PFCOUNT arity} {
        assert_error {ERR wrong number of arguments for 'pfcount' command} {r pfcount}
    }

    # ------------------------------------------------------------ PFMERGE

    test {PFMERGE stores the union, the destination included} {
        r del h1 h2 d
        r pfadd h1 a b c
        r pfadd h2 c d e
        assert_equal OK [r pfmerge d h1 h2]
        assert_equal 5 [r pfcount d]
        r pfadd d f
        assert_equal OK [r pfmerge d h1]
        assert_equal 6 [r pfcount d]
        assert_equal [r pfcount h1 h2] 5
    }

    test {PFMERGE creates an empty sketch from missing sources, or from none} {
        r del d d2 nokey
        assert_equal OK [r pfmerge d nokey]
        assert_equal 0 [r pfcount d]
        assert_equal OK [r pfmerge d2]
        assert_equal [hll_value 1 $::stale "\x7f\xff"] [r get d2]
    }

    test {PFMERGE of sparse sketches gives the bytes of adding the elements} {
        r del h1 h2 d both
        r pfadd h1 a b c
        r pfadd h2 x y
        r pfmerge d h1 h2
        r pfadd both a b c x y
        assert_equal [r get both] [r get d]
    }

    test {PFMERGE with a dense source makes the destination dense} {
        r del big small d
        add_range big e 5000
        assert_equal dense [r pfdebug encoding big]
        r pfadd small a
        r pfmerge d small big
        assert_equal dense [r pfdebug encoding d]
        assert_equal [r pfcount small big] [r pfcount d]
    }

    test {PFMERGE is one change} {
        r del h1 d
        r pfadd h1 a b c
        set c0 [changes]
        r pfmerge d h1
        assert_equal [expr {$c0 + 1}] [changes]
    }

    test {PFMERGE arity} {
        assert_error {ERR wrong number of arguments for 'pfmerge' command} {r pfmerge}
    }

    # ------------------------------------------------------------ encodings

    test {A sketch becomes dense past hll-sparse-max-bytes} {
        r del h
        r pfadd h
        set n 0
        while {[r pfdebug encoding h] ne "dense"} {
            add_range h "p$n-" 50
            incr n
            if {[r pfdebug encoding h] eq "sparse"} {
                assert_lessthan_equal [r strlen h] 3000
            }
            if {$n > 200} { fail "never became dense" }
        }
        assert_equal 12304 [r strlen h]
    }

    test {hll-sparse-max-bytes is honoured} {
        r config set hll-sparse-max-bytes 0
        r del h
        r pfadd h a
        assert_equal dense [r pfdebug encoding h]
        r config set hll-sparse-max-bytes 200
        r del h
        add_range h q 30
        assert_equal sparse [r pfdebug encoding h]
        add_range h r 200
        assert_equal dense [r pfdebug encoding h]
        r config set hll-sparse-max-bytes 3000
        assert_equal 3000 [lindex [r config get hll-sparse-max-bytes] 1]
    } {} {needs:config}

    test {Sparse and dense sketches of the same elements count the same} {
        r del s d
        add_range s m 1500
        r set d [r get s]
        assert_equal 1 [r pfdebug todense d]
        assert_equal 0 [r pfdebug todense d]
        assert_equal sparse [r pfdebug encoding s]
        assert_equal dense [r pfdebug encoding d]
        r pfadd s one-more
        r pfadd d one-more
        assert_equal [r pfcount s] [r pfcount d]
        assert_equal [r pfdebug getreg s] [r pfdebug getreg d]
    }

    test {A sketch copied with GET and SET keeps counting the same} {
        r del h copy
        add_range h c 700
        r set copy [r get h]
        assert_equal [r pfcount h] [r pfcount copy]
        r pfadd h extra1 extra2
        r pfadd copy extra1 extra2
        assert_equal [r get h] [r get copy]
    }

    # ------------------------------------------------------------ PFDEBUG

    test {PFDEBUG GETREG returns the 16384 registers and makes the sketch dense} {
        r del h
        r pfadd h a b c
        set regs [r pfdebug getreg h]
        assert_equal 16384 [llength $regs]
        assert_equal {1 2 1} [list [lindex $regs 8436] [lindex $regs 12711] [lindex $regs 15780]]
        assert_equal 3 [llength [lsearch -all -not $regs 0]]
        ;# sum of non-zero registers
        set sum 0
        foreach x $regs { incr sum $x }
        assert_equal 4 $sum
        assert_equal dense [r pfdebug encoding h]
        assert_equal 12304 [r strlen h]
    }

    test {PFDEBUG DECODE, ENCODING and TODENSE} {
        r del h
        r pfadd h a
        assert_equal sparse [r pfdebug encoding h]
        assert_match {Z:* v:*,1 Z:*} [r pfdebug decode h]
        assert_equal 1 [r pfdebug todense h]
        assert_error {ERR HLL encoding is not sparse} {r pfdebug decode h}
        assert_equal 1 [r pfcount h]
    }

    test {PFDEBUG errors} {
        r del nokey
        r pfadd h a
        assert_error {ERR The specified key does not exist} {r pfdebug getreg nokey}
        assert_error {ERR The specified key does not exist} {r pfdebug foo nokey}
        assert_error {ERR Unknown PFDEBUG subcommand 'foo'} {r pfdebug foo h}
        assert_error {ERR wrong number of arguments for 'pfdebug' command} {r pfdebug getreg}
        assert_error {ERR wrong number of arguments for 'pfdebug' command} {r pfdebug getreg h x}
    }

    test {PFSELFTEST} {
        r pfselftest
    } {OK}

    # ------------------------------------------------------------ invalid values

    test {Strings that are not sketches are refused with WRONGTYPE} {
        r set str hello
        r set int 12345
        r set empty ""
        r set shortmagic "HYLL\x01\x00"
        r set badmagic "HYLX\x01[string repeat "\x00" 11]\x7f\xff"
        r set badenc [hll_value 2 $::stale "\x7f\xff"]
        r set denseshort [hll_value 0 $::stale [string repeat "\x00" 100]]
        foreach k {str int empty shortmagic badmagic badenc denseshort} {
            set e {WRONGTYPE Key is not a valid HyperLogLog string value.}
            assert_error $e {r pfadd $k a}
            assert_error $e {r pfcount $k}
            assert_error $e {r pfcount $k nokey}
            assert_error $e {r pfmerge d $k}
            assert_error $e {r pfmerge $k nokey}
            assert_error $e {r pfdebug encoding $k}
        }
        assert_equal hello [r get str]
    }

    test {Corrupt sparse sketches are detected} {
        set e {INVALIDOBJ Corrupted HLL object detected}
        ;# runs covering 16383 registers, then 16385
        foreach body [list "\x7f\xfe" "\x7f\xff\x80" "\x7f\xff\x00" ""] {
            r set bad [hll_value 1 $::stale $body]
            assert_error $e {r pfcount bad}
            assert_error $e {r pfcount bad nokey}
            assert_error $e {r pfmerge d bad}
            assert_error $e {r pfdebug todense bad}
            assert_error $e {r pfdebug getreg bad}
            assert_equal sparse [r pfdebug encoding bad]
        }
        ;# a valid cached count is returned without looking at the body
        r set bad [hll_value 1 [binary format w 7] "\x7f\xfe"]
        assert_equal 7 [r pfcount bad]
    }

    test {PFADD reports a corrupt sparse sketch when it meets the corruption} {
        ;# no opcodes at all: no register can be found
        r set bad [hll_value 1 $::stale ""]
        assert_error {INVALIDOBJ Corrupted HLL object detected} {r pfadd bad a}
        ;# register 16383 is missing: only an element landing there notices
        r set bad [hll_value 1 $::stale "\x7f\xfe"]
        assert_equal 1 [r pfadd bad a b c]
    }

    test {A dense sketch with any register values is accepted} {
        r set d [hll_value 0 $::stale [string repeat "\xff" 12288]]
        assert_equal 16384 [llength [r pfdebug getreg d]]
        assert_equal 63 [lindex [r pfdebug getreg d] 100]
        ;# the estimate overflows: Redis answers LLONG_MIN, which as a cached
        ;# count has the "invalid" bit set
        assert_equal -9223372036854775808 [r pfcount d]
        assert_equal "\x00\x00\x00\x00\x00\x00\x00\x80" [string range [r get d] 8 15]
    }

    test {HLL commands against a key of the wrong type} {
        r del l
        r rpush l a
        assert_error {WRONGTYPE Operation against a key holding the wrong kind of value} {r pfadd l a}
        assert_error {WRONGTYPE Operation against a key holding the wrong kind of value} {r pfcount l}
        assert_error {WRONGTYPE Operation against a key holding the wrong kind of value} {r pfmerge d l}
        assert_error {WRONGTYPE Operation against a key holding the wrong kind of value} {r pfdebug encoding l}
    } {} {needs:list}

    # ------------------------------------------------------------ metadata

    test {COMMAND INFO of the HyperLogLog commands} {
        assert_equal {pfadd -2 {write denyoom fast} 1 1 1} [lrange [lindex [r command info pfadd] 0] 0 5]
        assert_equal {pfcount -2 readonly 1 -1 1} [lrange [lindex [r command info pfcount] 0] 0 5]
        assert_equal {pfmerge -2 {write denyoom} 1 -1 1} [lrange [lindex [r command info pfmerge] 0] 0 5]
        assert_equal {pfdebug 3 {write denyoom admin} 2 2 1} [lrange [lindex [r command info pfdebug] 0] 0 5]
        assert_equal {pfselftest 1 admin 0 0 0} [lrange [lindex [r command info pfselftest] 0] 0 5]
        assert_equal {@write @hyperloglog @fast} [lindex [r command info pfadd] 0 6]
    }
}
