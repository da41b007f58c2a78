# Bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
#
# Tests tagged "needs:list" create a list key (RPUSH) to get a value of the
# wrong type; skip them with --tags -needs:list while lists are missing.

# The bits of a string, most significant bit of the first byte first, as a
# string of 0 and 1.
proc bits_of {s} {
    binary scan $s B* b
    return $b
}

# Reference BITCOUNT over the whole string.
proc ref_bitcount {s} {
    regexp -all {1} [bits_of $s]
}

# Reference BITPOS over the whole string (the string is zero padded on the
# right when looking for a clear bit).
proc ref_bitpos {s bit} {
    set b [bits_of $s]
    set p [string first $bit $b]
    if {$p == -1 && $bit == 0} {
        return [string length $b]
    }
    return $p
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

proc changes {} {
    s rdb_changes_since_last_save
}

start_server {tags {"bitmap"}} {

    # ------------------------------------------------------------ SETBIT / GETBIT

    test {SETBIT creates the key, grows it with zero bytes, returns the old bit} {
        r flushdb
        assert_equal 0 [r setbit k 1 1]
        assert_equal "\x40" [r get k]
        assert_equal 0 [r setbit k 7 1]
        assert_equal "\x41" [r get k]
        assert_equal 1 [r setbit k 7 0]
        assert_equal "\x40" [r get k]
        assert_equal 0 [r setbit k 20 0]
        assert_equal "\x40\x00\x00" [r get k]
        assert_equal 3 [r strlen k]
        assert_encoding raw k
    }

    test {GETBIT reads bits, zero past the end and for a missing key} {
        r set k "\xa0"
        assert_equal {1 0 1 0 0 0 0 0} [lmap i {0 1 2 3 4 5 6 7} {r getbit k $i}]
        assert_equal 0 [r getbit k 8]
        assert_equal 0 [r getbit k 1000000]
        assert_equal 0 [r getbit no-such-key 3]
        assert_equal 0 [r exists no-such-key]
    }

    test {SETBIT and GETBIT on an integer-encoded value use its digits} {
        r set n 1
        assert_encoding int n
        ;# "1" is 0x31 = 00110001
        assert_equal {0 0 1 1 0 0 0 1} [lmap i {0 1 2 3 4 5 6 7} {r getbit n $i}]
        assert_equal 0 [r setbit n 6 1]
        assert_equal 3 [r get n]
        assert_encoding raw n
    }

    test {SETBIT offset errors} {
        assert_error {ERR bit offset is not an integer or out of range} {r setbit k -1 1}
        assert_error {ERR bit offset is not an integer or out of range} {r setbit k abc 1}
        assert_error {ERR bit offset is not an integer or out of range} {r setbit k 1.5 1}
        assert_error {ERR bit offset is not an integer or out of range} {r setbit k 4294967296 1}
        assert_error {ERR bit offset is not an integer or out of range} {r setbit k 9223372036854775808 1}
        assert_error {ERR bit offset is not an integer or out of range} {r getbit k 4294967296}
        assert_error {ERR bit offset is not an integer or out of range} {r getbit k -1}
        ;# the offset is checked before the value
        assert_error {ERR bit offset is not an integer or out of range} {r setbit k x x}
    }

    test {SETBIT value errors} {
        foreach v {2 -1 x 1.0 {} { 1}} {
            assert_error {ERR bit is not an integer or out of range} {r setbit k 0 $v}
        }
    }

    test {SETBIT offsets are limited by proto-max-bulk-len} {
        r config set proto-max-bulk-len 1mb
        r del big
        assert_error {ERR bit offset is not an integer or out of range} {r setbit big 8388608 1}
        assert_equal 0 [r setbit big 8388607 1]
        assert_equal 1048576 [r strlen big]
        assert_equal 1 [r getbit big 8388607]
        assert_error {ERR bit offset is not an integer or out of range} {r getbit big 8388608}
        r config set proto-max-bulk-len 512mb
        r del big
        assert_equal 0 [r exists big]
    } {} {needs:config}

    test {SETBIT counts a change only when the string grows or the bit flips} {
        r set k "\x80"
        set c0 [changes]
        assert_equal 1 [r setbit k 0 1]
        assert_equal $c0 [changes]
        assert_equal 1 [r setbit k 0 0]
        assert_equal [expr {$c0 + 1}] [changes]
        assert_equal 0 [r setbit k 15 0]
        assert_equal [expr {$c0 + 2}] [changes]
        assert_equal "\x00\x00" [r get k]
    }

    test {SETBIT keeps the expire} {
        r set k x ex 100
        r setbit k 0 1
        assert_range [r ttl k] 1 100
    }

    test {SETBIT, GETBIT against a key of the wrong type} {
        r del l
        r rpush l a
        assert_error {WRONGTYPE*} {r setbit l 0 1}
        assert_error {WRONGTYPE*} {r getbit l 0}
        ;# argument errors come first
        assert_error {ERR bit offset*} {r getbit l x}
        assert_error {ERR bit is not*} {r setbit l 0 x}
    } {} {needs:list}

    test {SETBIT and GETBIT arity} {
        assert_error {ERR wrong number of arguments for 'setbit' command} {r setbit k 1}
        assert_error {ERR wrong number of arguments for 'getbit' command} {r getbit k}
    }

    test {SETBIT fuzz: GETBIT and GET agree with the bits written} {
        r del k
        set bits [string repeat 0 256]
        for {set i 0} {$i < 300} {incr i} {
            set off [expr {int(rand() * 256)}]
            set v [expr {int(rand() * 2)}]
            set prev [expr {$off < [string length $bits] ? [string index $bits $off] : 0}]
            assert_equal $prev [r setbit k $off $v]
            set bits [string replace $bits $off $off $v]
        }
        set got [bits_of [r get k]]
        assert_equal [string range $bits 0 [expr {[string length $got] - 1}]] $got
    }

    # ------------------------------------------------------------ BITCOUNT

    test {BITCOUNT of missing keys, empty strings and whole strings} {
        r del k
        assert_equal 0 [r bitcount k]
        r set k ""
        assert_equal 0 [r bitcount k]
        r set k foobar
        assert_equal 26 [r bitcount k]
        r set k 1234
        assert_equal 13 [r bitcount k]
    }

    test {BITCOUNT byte ranges, negative indexes and clamping} {
        r set k foobar
        assert_equal 4 [r bitcount k 0 0]
        assert_equal 6 [r bitcount k 1 1]
        assert_equal 26 [r bitcount k 0 -1]
        assert_equal 4 [r bitcount k -1 -1]
        assert_equal 26 [r bitcount k -100 100]
        assert_equal 0 [r bitcount k 5 2]
        assert_equal 0 [r bitcount k 6 10]
        assert_equal 0 [r bitcount k -1 -2]
        assert_equal 4 [r bitcount k 0 0 BYTE]
    }

    test {BITCOUNT bit ranges} {
        r set k foobar
        assert_equal 17 [r bitcount k 5 30 bit]
        assert_equal 23 [r bitcount k 5 -5 BIT]
        assert_equal 26 [r bitcount k 0 -1 bit]
        assert_equal 0 [r bitcount k 0 0 bit]
        assert_equal 1 [r bitcount k 1 1 bit]
        assert_equal 2 [r bitcount k 1 3 Bit]
        assert_equal 0 [r bitcount k 48 100 bit]
    }

    test {BITCOUNT fuzz against a reference over random ranges} {
        for {set i 0} {$i < 100} {incr i} {
            set s [randstring 0 20]
            r set k $s
            set b [bits_of $s]
            set n [string length $b]
            assert_equal [ref_bitcount $s] [r bitcount k]
            if {$n == 0} continue
            set a [expr {int(rand() * $n)}]
            set e [expr {$a + int(rand() * ($n - $a))}]
            assert_equal [regexp -all {1} [string range $b $a $e]] [r bitcount k $a $e bit]
            set a [expr {$a / 8}]
            set e [expr {$e / 8}]
            assert_equal [regexp -all {1} [string range $b [expr {$a * 8}] [expr {$e * 8 + 7}]]] [r bitcount k $a $e]
        }
    }

    test {BITCOUNT errors} {
        r set k foobar
        assert_error {ERR syntax error} {r bitcount k 0}
        assert_error {ERR syntax error} {r bitcount k 0 1 bits}
        assert_error {ERR syntax error} {r bitcount k 0 1 bit x}
        assert_error {ERR value is not an integer or out of range} {r bitcount k a 1}
        assert_error {ERR value is not an integer or out of range} {r bitcount k 0 1.5}
        ;# the unit is not read when a negative range is already empty
        assert_equal 0 [r bitcount k -1 -2 bits]
        assert_error {ERR wrong number of arguments for 'bitcount' command} {r bitcount}
    }

    test {BITCOUNT of a missing key is 0 whatever the arguments} {
        r del nokey
        assert_equal 0 [r bitcount nokey 0]
        assert_equal 0 [r bitcount nokey a b]
        assert_equal 0 [r bitcount nokey 0 1 2 3]
    }

    test {BITCOUNT against a key of the wrong type} {
        r del l
        r rpush l a
        assert_error {WRONGTYPE*} {r bitcount l}
        assert_error {WRONGTYPE*} {r bitcount l a b}
    } {} {needs:list}

    # ------------------------------------------------------------ BITPOS

    test {BITPOS of a missing key: 0 for a clear bit, -1 for a set bit} {
        r del k
        assert_equal 0 [r bitpos k 0]
        assert_equal -1 [r bitpos k 1]
        assert_equal -1 [r bitpos k 1 x]
        assert_equal 0 [r exists k]
    }

    test {BITPOS on an empty string is -1} {
        r set k ""
        assert_equal -1 [r bitpos k 0]
        assert_equal -1 [r bitpos k 1]
        assert_equal -1 [r bitpos k 0 0]
    }

    test {BITPOS finds the first set and clear bits} {
        r set k "\x00\x0f\xff"
        assert_equal 12 [r bitpos k 1]
        assert_equal 0 [r bitpos k 0]
        assert_equal 12 [r bitpos k 1 1]
        assert_equal 16 [r bitpos k 1 2]
        assert_equal 8 [r bitpos k 0 1]
        assert_equal 16 [r bitpos k 1 -1]
        assert_equal -1 [r bitpos k 1 0 0]
        assert_equal 14 [r bitpos k 1 14 -1 bit]
        assert_error {ERR value is not an integer*} {r bitpos k 1 14 bit}
        assert_equal 13 [r bitpos k 1 13 -1 bit]
        assert_equal -1 [r bitpos k 1 5 11 bit]
    }

    test {BITPOS for a clear bit without an end is past the string, with an end it is -1} {
        r set k "\xff\xff\xff"
        assert_equal 24 [r bitpos k 0]
        assert_equal 24 [r bitpos k 0 1]
        assert_equal -1 [r bitpos k 0 0 -1]
        assert_equal -1 [r bitpos k 0 1 2]
        assert_equal -1 [r bitpos k 0 2 -1 bit]
        r set k "\xff\xf0"
        assert_equal 12 [r bitpos k 0 1 1]
        assert_equal 12 [r bitpos k 0 4 -1 bit]
    }

    test {BITPOS with negative and out of range indexes} {
        r set k "\x00\x80"
        assert_equal 8 [r bitpos k 1 -100 100]
        ;# both ends clamp to 0: byte 0 is searched
        assert_equal 0 [r bitpos k 0 -100 -200]
        assert_equal -1 [r bitpos k 1 -1 -2]
        assert_equal -1 [r bitpos k 1 5 100]
        assert_equal 8 [r bitpos k 1 -8 -1 bit]
    }

    test {BITPOS fuzz against a reference} {
        for {set i 0} {$i < 100} {incr i} {
            set s [randstring 0 12]
            if {rand() < 0.3} { set s [string repeat "\xff" [string length $s]] }
            if {rand() < 0.3} { set s [string repeat "\x00" [string length $s]] }
            r set k $s
            foreach bit {0 1} {
                set want [expr {[string length $s] == 0 ? -1 : [ref_bitpos $s $bit]}]
                assert_equal $want [r bitpos k $bit]
            }
        }
    }

    test {BITPOS errors} {
        r set k foo
        assert_error {ERR The bit argument must be 1 or 0.} {r bitpos k 2}
        assert_error {ERR The bit argument must be 1 or 0.} {r bitpos k -1}
        assert_error {ERR value is not an integer or out of range} {r bitpos k x}
        assert_error {ERR value is not an integer or out of range} {r bitpos k 1 x}
        assert_error {ERR value is not an integer or out of range} {r bitpos k 1 0 x}
        assert_error {ERR syntax error} {r bitpos k 1 0 1 bits}
        assert_error {ERR syntax error} {r bitpos k 1 0 1 bit x}
        assert_error {ERR wrong number of arguments for 'bitpos' command} {r bitpos k}
    }

    test {BITPOS against a key of the wrong type} {
        r del l
        r rpush l a
        assert_error {WRONGTYPE*} {r bitpos l 1}
        assert_error {ERR The bit argument*} {r bitpos l 3}
    } {} {needs:list}

    # ------------------------------------------------------------ BITOP

    test {BITOP AND, OR, XOR of strings of different lengths} {
        r set a "\xff\x0f\xaa"
        r set b "\x0f\xff"
        assert_equal 3 [r bitop and dest a b]
        assert_equal "\x0f\x0f\x00" [r get dest]
        assert_equal 3 [r bitop OR dest a b]
        assert_equal "\xff\xff\xaa" [r get dest]
        assert_equal 3 [r bitop Xor dest a b]
        assert_equal "\xf0\xf0\xaa" [r get dest]
        assert_encoding raw dest
    }

    test {BITOP NOT} {
        r set a "\xff\x0f\x00"
        assert_equal 3 [r bitop not dest a]
        assert_equal "\x00\xf0\xff" [r get dest]
        assert_error {ERR BITOP NOT must be called with a single source key.} {r bitop not dest a a}
    }

    test {BITOP with one source copies it, missing sources are zero bytes} {
        r set a "abc"
        r del nokey
        assert_equal 3 [r bitop and dest a]
        assert_equal abc [r get dest]
        assert_equal 3 [r bitop and dest a nokey]
        assert_equal "\x00\x00\x00" [r get dest]
        assert_equal 3 [r bitop or dest nokey a]
        assert_equal abc [r get dest]
    }

    test {BITOP with only missing or empty sources deletes the destination} {
        r set dest x
        r del nokey
        assert_equal 0 [r bitop or dest nokey]
        assert_equal 0 [r exists dest]
        r set e ""
        r set dest x
        assert_equal 0 [r bitop xor dest e nokey]
        assert_equal 0 [r exists dest]
    }

    test {BITOP replaces the destination and clears its expire} {
        r set a abc
        r set dest 123 ex 100
        r bitop or dest a
        assert_equal -1 [r ttl dest]
        ;# the destination may be a source
        r set a "\x0f"
        r set b "\xf1"
        r bitop and a a b
        assert_equal "\x01" [r get a]
    }

    test {BITOP on integer-encoded values uses their digits} {
        r set a 12
        r set b 3
        r bitop or dest a b
        assert_equal "\x33\x32" [r get dest]
    }

    test {BITOP fuzz: AND/OR/XOR against a reference} {
        for {set i 0} {$i < 30} {incr i} {
            set x [randstring 0 10]
            set y [randstring 0 10]
            r set x $x
            r set y $y
            set n [expr {max([string length $x], [string length $y])}]
            binary scan $x c* xs
            binary scan $y c* ys
            foreach op {and or xor} sym {& | ^} {
                set out {}
                for {set j 0} {$j < $n} {incr j} {
                    set p [expr {$j < [llength $xs] ? [lindex $xs $j] & 255 : 0}]
                    set q [expr {$j < [llength $ys] ? [lindex $ys $j] & 255 : 0}]
                    append out [format %c [expr "$p $sym $q"]]
                }
                assert_equal $n [r bitop $op d x y]
                if {$n > 0} {
                    assert_equal $out [r get d]
                }
            }
        }
    }

    test {BITOP errors} {
        assert_error {ERR syntax error} {r bitop nand dest a}
        assert_error {ERR syntax error} {r bitop an dest a}
        assert_error {ERR wrong number of arguments for 'bitop' command} {r bitop and dest}
    }

    test {BITOP against a source of the wrong type} {
        r del l
        r rpush l a
        r set a abc
        r set dest keep
        assert_error {WRONGTYPE*} {r bitop and dest a l}
        assert_equal keep [r get dest]
        ;# a destination of another type is simply replaced
        assert_equal 3 [r bitop or l a]
        assert_equal abc [r get l]
    } {} {needs:list}

    # ------------------------------------------------------------ BITFIELD

    test {BITFIELD GET, SET and INCRBY of unsigned fields} {
        r del bf
        assert_equal {0} [r bitfield bf set u8 0 255]
        assert_equal {255} [r bitfield bf get u8 0]
        assert_equal {255 100} [r bitfield bf set u8 0 100 get u8 0]
        assert_equal {110} [r bitfield bf incrby u8 0 10]
        assert_equal {6 0} [r bitfield bf get u4 0 get u4 8]
        assert_equal "\x6e" [r get bf]
    }

    test {BITFIELD signed fields sign-extend} {
        r del bf
        r bitfield bf set i8 0 -1
        assert_equal "\xff" [r get bf]
        assert_equal {-1 255 -1 1} [r bitfield bf get i8 0 get u8 0 get i4 4 get u1 7]
        assert_equal {-1} [r bitfield bf set i8 0 -128]
        assert_equal {-128} [r bitfield bf get i8 0]
    }

    test {BITFIELD fields at unaligned offsets and past the end} {
        r del bf
        assert_equal {0} [r bitfield bf set u8 5 255]
        assert_equal "\x07\xf8" [r get bf]
        assert_equal {255 0} [r bitfield bf get u8 5 get u32 100]
        assert_equal 2 [r strlen bf]
    }

    test {BITFIELD # offsets are multiplied by the field width} {
        r del bf
        r bitfield bf set u8 #0 1 set u8 #1 2 set u8 #2 3
        assert_equal "\x01\x02\x03" [r get bf]
        assert_equal {2 3} [r bitfield bf get u8 #1 get u4 #5]
        assert_equal {768} [r bitfield bf set u16 #1 515]
        assert_equal "\x01\x02\x02\x03" [r get bf]
    }

    test {BITFIELD 64-bit signed and 63-bit unsigned limits} {
        r del bf
        assert_equal {0 9223372036854775807} [r bitfield bf set i64 0 9223372036854775807 get i64 0]
        assert_equal {-9223372036854775808} [r bitfield bf incrby i64 0 1]
        assert_equal {0 9223372036854775807} [r bitfield bf set u63 64 9223372036854775807 get u63 64]
        assert_equal {0} [r bitfield bf incrby u63 64 1]
    }

    test {BITFIELD OVERFLOW WRAP is the default} {
        r del bf
        assert_equal {0 4} [r bitfield bf set u8 0 250 incrby u8 0 10]
        assert_equal {250} [r bitfield bf incrby u8 0 -10]
        assert_equal {0 -128} [r bitfield bf set i8 8 127 incrby i8 8 1]
        assert_equal {0 -128} [r bitfield bf set i8 16 128 get i8 16]
        assert_equal {0 4} [r bitfield bf overflow wrap set u8 24 260 get u8 24]
    }

    test {BITFIELD OVERFLOW SAT saturates} {
        r del bf
        assert_equal {0 255} [r bitfield bf overflow sat set u8 0 250 incrby u8 0 10]
        assert_equal {0} [r bitfield bf overflow sat incrby u8 0 -300]
        assert_equal {0 127 -128} [r bitfield bf overflow sat set i8 8 100 incrby i8 8 100 incrby i8 8 -1000]
        ;# SET of a negative value to an unsigned field saturates to the maximum
        assert_equal {0 255} [r bitfield bf overflow sat set u8 16 -5 get u8 16]
        assert_equal {0 -9223372036854775808} [r bitfield bf overflow sat set i64 24 -9223372036854775808 incrby i64 24 -1]
    }

    test {BITFIELD OVERFLOW FAIL returns nil and writes nothing} {
        r del bf
        assert_equal {0 {} 250} [r bitfield bf set u8 0 250 overflow fail incrby u8 0 10 get u8 0]
        assert_equal {{} {} 0} [r bitfield bf overflow fail set u8 8 256 set i8 8 -129 get u8 8]
        assert_equal "\$-1\r\n" [string range [rawr bitfield bf overflow fail incrby u8 0 10] 4 end]
    }

    test {BITFIELD OVERFLOW applies to the following operations only} {
        r del bf
        assert_equal {0 4 255 {}} [r bitfield bf set u8 0 250 incrby u8 0 10 overflow sat incrby u8 0 1000 overflow fail incrby u8 0 1]
    }

    test {BITFIELD replies in RESP3} {
        r del bf
        r hello 3
        assert_equal "*3\r\n:0\r\n_\r\n:1\r\n" [rawr bitfield bf set u1 0 1 overflow fail incrby u1 0 1 get u1 0]
        r hello 2
        assert_equal "*3\r\n:1\r\n\$-1\r\n:1\r\n" [rawr bitfield bf get u1 0 overflow fail incrby u1 0 1 get u1 0]
    }

    test {BITFIELD with no operations, or GET only, on a missing key creates nothing} {
        r del bf
        assert_equal {} [r bitfield bf]
        assert_equal {} [r bitfield bf overflow sat]
        assert_equal {0 0} [r bitfield bf get u8 0 get i64 100]
        assert_equal 0 [r exists bf]
    }

    test {BITFIELD counts changes only for fields that changed} {
        r set bf "\x05"
        set c0 [changes]
        r bitfield bf set u8 0 5 incrby u8 0 0 get u8 0
        assert_equal $c0 [changes]
        r bitfield bf set u8 0 6 incrby u8 0 1
        assert_equal [expr {$c0 + 2}] [changes]
        r bitfield bf overflow fail incrby u8 0 1000
        assert_equal [expr {$c0 + 2}] [changes]
    }

    test {BITFIELD type errors} {
        foreach t {u64 i65 i0 u0 x8 I8 U8 i u i-1 i08 {i 8} i+8 {}} {
            assert_error {ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.} {r bitfield bf get $t 0}
        }
    }

    test {BITFIELD offset errors} {
        foreach off {-1 #-1 # x #x 4294967296} {
            assert_error {ERR bit offset is not an integer or out of range} {r bitfield bf get u8 $off}
        }
        assert_error {ERR bit offset is not an integer or out of range} {r bitfield bf get u8 #536870912}
        assert_equal {0} [r bitfield bf get u8 #536870911]
    }

    test {BITFIELD syntax and value errors} {
        assert_error {ERR syntax error} {r bitfield bf get u8}
        assert_error {ERR syntax error} {r bitfield bf set u8 0}
        assert_error {ERR syntax error} {r bitfield bf incrby u8 0}
        assert_error {ERR syntax error} {r bitfield bf overflow}
        assert_error {ERR syntax error} {r bitfield bf foo}
        assert_error {ERR syntax error} {r bitfield bf get u8 0 extra}
        assert_error {ERR Invalid OVERFLOW type specified} {r bitfield bf overflow foo get u8 0}
        assert_error {ERR value is not an integer or out of range} {r bitfield bf set u8 0 x}
        assert_error {ERR value is not an integer or out of range} {r bitfield bf incrby u8 0 1.5}
        ;# nothing is executed when a later operation is malformed
        r del bf
        assert_error {ERR syntax error} {r bitfield bf set u8 0 1 foo}
        assert_equal 0 [r exists bf]
        assert_error {ERR wrong number of arguments for 'bitfield' command} {r bitfield}
    }

    test {BITFIELD subcommands are case insensitive} {
        r del bf
        assert_equal {0 66 66} [r bitfield bf SeT u8 0 65 InCrBy u8 0 1 GET u8 0]
        assert_equal B [r get bf]
    }

    test {BITFIELD against a key of the wrong type} {
        r del l
        r rpush l a
        assert_error {WRONGTYPE*} {r bitfield l get u8 0}
        assert_error {WRONGTYPE*} {r bitfield l set u8 0 1}
        assert_error {ERR Invalid bitfield type*} {r bitfield l get u64 0}
    } {} {needs:list}

    # ------------------------------------------------------------ BITFIELD_RO

    test {BITFIELD_RO reads fields} {
        r set bf "\x01\x02"
        assert_equal {1 258 0} [r bitfield_ro bf get u8 0 get u16 0 get i8 100]
        assert_equal {} [r bitfield_ro bf]
        assert_equal {0} [r bitfield_ro nokey get i64 0]
        assert_equal 0 [r exists nokey]
    }

    test {BITFIELD_RO refuses writes after checking the arguments} {
        r set bf "\x01"
        assert_error {ERR BITFIELD_RO only supports the GET subcommand} {r bitfield_ro bf set u8 0 1}
        assert_error {ERR BITFIELD_RO only supports the GET subcommand} {r bitfield_ro bf get u8 0 incrby u8 0 1}
        assert_error {ERR Invalid bitfield type*} {r bitfield_ro bf set u99 0 1}
        assert_error {ERR value is not an integer*} {r bitfield_ro bf set u8 0 x}
        assert_equal {} [r bitfield_ro bf overflow sat]
        assert_equal "\x01" [r get bf]
    }

    test {BITFIELD_RO against a key of the wrong type} {
        r del l
        r rpush l a
        assert_error {WRONGTYPE*} {r bitfield_ro l get u8 0}
        assert_error {ERR BITFIELD_RO only*} {r bitfield_ro l set u8 0 1}
    } {} {needs:list}

    # ------------------------------------------------------------ metadata

    test {COMMAND INFO of the bitmap commands} {
        assert_equal {setbit 4 {write denyoom} 1 1 1} [lrange [lindex [r command info setbit] 0] 0 5]
        assert_equal {getbit 3 {readonly fast} 1 1 1} [lrange [lindex [r command info getbit] 0] 0 5]
        assert_equal {bitop -4 {write denyoom} 2 -1 1} [lrange [lindex [r command info bitop] 0] 0 5]
        assert_equal {bitfield_ro -2 {readonly fast} 1 1 1} [lrange [lindex [r command info bitfield_ro] 0] 0 5]
        assert_equal {@read @bitmap @slow} [lindex [r command info bitcount] 0 6]
        assert_equal {dest a b} [r command getkeys bitop and dest a b]
    }
}
