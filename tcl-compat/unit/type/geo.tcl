# Geo commands: GEOADD GEODIST GEOHASH GEOPOS GEORADIUS GEORADIUSBYMEMBER
# (and their _RO forms) GEOSEARCH GEOSEARCHSTORE, on sorted sets scored by
# Redis's 52-bit geohash. Scores, positions, distances and geohash strings
# below were checked against redis-server 7.0.15.

# Read the rest of a reply in readraw mode, given its first line.
proc geo_raw_rest {c line} {
    set out "$line\r\n"
    set n [string range $line 1 end]
    switch -exact -- [string index $line 0] {
        * - ~ - > {
            for {set i 0} {$i < $n} {incr i} {
                append out [geo_raw_rest $c [$c read]]
            }
        }
        % - | {
            for {set i 0} {$i < 2 * $n} {incr i} {
                append out [geo_raw_rest $c [$c read]]
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
proc georaw {args} {
    set c [srv 0 client]
    $c readraw 1
    try {
        return [geo_raw_rest $c [$c {*}$args]]
    } finally {
        $c readraw 0
    }
}

# A few towns of Sicily and around, as (longitude latitude name).
proc add_towns {key} {
    r del $key
    r geoadd $key 13.361389 38.115556 Palermo 15.087269 37.502669 Catania \
        12.758489 38.788135 edge1 17.241510 38.222625 edge2 \
        15.554230 38.193831 Messina 14.5 37.6 center
}

start_server {tags {geo}} {
    test {GEOADD stores Redis's 52-bit geohash scores} {
        r del g
        assert_equal 2 [r geoadd g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania]
        assert_equal {Palermo 3479099956230698 Catania 3479447370796909} [r zrange g 0 -1 withscores]
        assert_encoding listpack g
        assert_equal 1 [r geoadd g 10 20 a]
        assert_equal 3403951602136190 [r zscore g a]
        # The corners of the indexed world.
        r geoadd g -180 -85.05112878 sw 180 85.05112878 ne 0 0 zero 180 0 east
        assert_equal {0 3377699720527872 10133099161583616 13510798882111488} \
            [r zmscore g sw zero east ne]
    }

    test {GEOADD NX XX CH} {
        r del g
        r geoadd g 1 1 a
        assert_equal 0 [r geoadd g xx 2 2 b]
        assert_equal 0 [r exists g_none]
        assert_equal 0 [r geoadd g_none xx 2 2 b]
        assert_equal 0 [r exists g_none]
        assert_equal {} [r zscore g b]
        assert_equal 1 [r geoadd g nx 5 5 a 3 3 c]
        assert_equal [r zscore g a] [lindex [r zrange g 0 0 withscores] 1]
        assert_equal {0.99999994039535522 0.99999945914297683} [lindex [r geopos g a] 0]
        assert_equal 0 [r geoadd g 6 6 a]
        assert_equal 1 [r geoadd g ch 7 7 a]
        assert_equal 2 [r geoadd g ch xx 8 8 a 9 9 c 10 10 nope]
        assert_equal 0 [r geoadd g ch 9 9 c]
        assert_equal 3 [r geoadd g CH Nx 1 1 a 1 1 n1 1 1 n2 1 1 n3]
    }

    test {GEOADD errors} {
        r del g
        assert_error {ERR syntax error} {r geoadd g nx xx 1 1 a}
        assert_error {ERR syntax error} {r geoadd g 1 1 a 2 2}
        assert_error {ERR syntax error} {r geoadd g ch ch ch}
        assert_error {ERR value is not a valid float} {r geoadd g x 1 a}
        assert_error {ERR value is not a valid float} {r geoadd g 1 nan a}
        assert_error {ERR invalid longitude,latitude pair 200.000000,100.000000} {r geoadd g 200 100 a}
        assert_error {ERR invalid longitude,latitude pair 0.000000,85.051130} {r geoadd g 0 85.05113 a}
        assert_error {ERR invalid longitude,latitude pair -180.000001,0.000000} {r geoadd g -180.000001 0 a}
        # Nothing is added when one of the positions is wrong.
        assert_error {ERR invalid*} {r geoadd g 1 1 a 1 91 b}
        assert_equal 0 [r exists g]
        assert_error {ERR wrong number of arguments for 'geoadd' command} {r geoadd g 1 1}
        r set str x
        assert_error {WRONGTYPE*} {r geoadd str 1 1 a}
    }

    test {GEOPOS prints positions as Redis does} {
        add_towns g
        assert_equal {{13.36138933897018433 38.11555639549629859} {15.08726745843887329 37.50266842333162032} {}} \
            [r geopos g Palermo Catania nope]
        assert_equal {{} {}} [r geopos nokey a b]
        assert_equal {} [r geopos g]
        assert_equal "*1\r\n*2\r\n\$20\r\n13.36138933897018433\r\n\$20\r\n38.11555639549629859\r\n" [georaw geopos g Palermo]
        assert_equal "*1\r\n*-1\r\n" [georaw geopos g nope]
        r geoadd g 180 85.05112878 ne 0 0 zero
        # Positions are clamped to the limits; small values print in full.
        assert_equal {{180 85.0511287799999991} {0.00000268220901489 0.00000126736058093}} [r geopos g ne zero]
    }

    test {GEOPOS and GEOHASH of scores GEOADD did not write} {
        r del w
        r zadd w -1 neg 1e300 huge 1.5 small
        assert_equal {{180 85.0511287799999991} {-179.99999731779098511 -85.05112751263942528} {-179.99999731779098511 -85.05112497791824921}} \
            [r geopos w neg huge small]
        assert_equal {bp05b5048p0 00bh0hbj200 00bh0hbj210} [r geohash w neg huge small]
    }

    test {GEOHASH returns standard 11-character geohashes} {
        add_towns g
        assert_equal {sqc8b49rny0 sqdtr74hyu0 {}} [r geohash g Palermo Catania nope]
        assert_equal {{} {}} [r geohash nokey a b]
        assert_equal {} [r geohash g]
        r geoadd g 180 0 east -180 0 west 0 0 zero
        assert_equal {80000000000 80000000000 s0000000000} [r geohash g east west zero]
        assert_equal "*1\r\n\$-1\r\n" [georaw geohash g nope]
    }

    test {GEODIST in every unit} {
        add_towns g
        assert_equal 166274.1516 [r geodist g Palermo Catania]
        assert_equal 166274.1516 [r geodist g Palermo Catania m]
        assert_equal 166.2742 [r geodist g Palermo Catania km]
        assert_equal 166.2742 [r geodist g Palermo Catania KM]
        assert_equal 103.3182 [r geodist g Palermo Catania mi]
        assert_equal 545518.8700 [r geodist g Palermo Catania ft]
        assert_equal 0.0000 [r geodist g Palermo Palermo]
        assert_equal {} [r geodist g Palermo nope]
        assert_equal {} [r geodist nokey a b]
        r geoadd g 180 0 east -180 0 west
        assert_equal 0.2983 [r geodist g east west]
    }

    test {GEODIST errors} {
        add_towns g
        assert_error {ERR unsupported unit provided. please use M, KM, FT, MI} {r geodist g Palermo Catania yd}
        # The unit is checked before the key.
        assert_error {ERR unsupported unit provided*} {r geodist nokey a b yd}
        assert_error {ERR syntax error} {r geodist g Palermo Catania km x}
        assert_error {ERR wrong number of arguments for 'geodist' command} {r geodist g Palermo}
        r set str x
        assert_error {WRONGTYPE*} {r geodist str a b}
        assert_error {WRONGTYPE*} {r geopos str a}
        assert_error {WRONGTYPE*} {r geohash str a}
    }

    test {GEODIST replies with a bulk string in RESP3 too} {
        add_towns g
        r hello 3
        try {
            assert_equal "\$8\r\n166.2742\r\n" [georaw geodist g Palermo Catania km]
            assert_equal "_\r\n" [georaw geodist g Palermo nope]
            assert_equal "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n" [georaw geopos g Palermo nope]
            assert_equal "*1\r\n*3\r\n\$7\r\nCatania\r\n\$7\r\n56.4413\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n" \
                [georaw georadius g 15 37 60 km withdist withcoord]
        } finally {
            r hello 2
        }
    }

    test {GEORADIUS basics and WITH options} {
        add_towns g
        # Without an order, results come box by box in score order.
        assert_equal {Palermo center Catania Messina} [r georadius g 15 37 200 km]
        assert_equal {Catania center Messina Palermo} [r georadius g 15 37 200 km asc]
        assert_equal {Palermo Messina center Catania} [r georadius g 15 37 200 km desc]
        assert_equal {{Catania 56.4413} {center 80.0668} {Messina 141.4826} {Palermo 190.4424}} \
            [r georadius g 15 37 200 km withdist asc]
        assert_equal {{Catania 35.0711} {center 49.7513} {Messina 87.9134} {Palermo 118.3357} {edge2 148.9907} {edge1 173.8231}} \
            [r georadius g 15 37 200 mi withdist asc]
        assert_equal {{Catania 3479447370796909 {15.08726745843887329 37.50266842333162032}}} \
            [r georadius g 15 37 60 km withhash withcoord]
        # The options come back in a fixed order: distance, hash, position.
        assert_equal {{Catania 56.4413 3479447370796909 {15.08726745843887329 37.50266842333162032}}} \
            [r georadius g 15 37 60 km withcoord withhash withdist]
        assert_equal {} [r georadius g 15 37 1 km]
        assert_equal {} [r georadius nokey 15 37 1 km]
    }

    test {GEORADIUS COUNT and ANY} {
        add_towns g
        assert_equal {Catania} [r georadius g 15 37 200 km count 1]
        assert_equal {Palermo} [r georadius g 15 37 200 km count 1 desc]
        assert_equal {Catania center} [r georadius g 15 37 200 km count 2]
        assert_equal {Catania center Messina Palermo} [r georadius g 15 37 200 km count 100]
        # ANY stops at the first matches, in the order they are found.
        assert_equal {Palermo} [r georadius g 15 37 200 km count 1 any]
        assert_equal {Palermo center} [r georadius g 15 37 200 km count 2 any]
        assert_equal {Palermo center} [r georadius g 15 37 200 km count 2 any desc]
        assert_equal {Catania center Messina Palermo} [r georadius g 15 37 200 km count 9223372036854775807]
    }

    test {GEORADIUS argument errors} {
        add_towns g
        assert_error {ERR COUNT must be > 0} {r georadius g 15 37 200 km count 0}
        assert_error {ERR COUNT must be > 0} {r georadius g 15 37 200 km count -1}
        assert_error {ERR value is not an integer or out of range} {r georadius g 15 37 200 km count x}
        assert_error {ERR syntax error} {r georadius g 15 37 200 km count}
        assert_error {ERR the ANY argument requires COUNT argument} {r georadius g 15 37 200 km any}
        assert_error {ERR radius cannot be negative} {r georadius g 15 37 -1 km}
        assert_error {ERR need numeric radius} {r georadius g 15 37 abc km}
        assert_error {ERR unsupported unit provided. please use M, KM, FT, MI} {r georadius g 15 37 1 parsec}
        assert_error {ERR value is not a valid float} {r georadius g x 37 1 km}
        assert_error {ERR invalid longitude,latitude pair 181.000000,37.000000} {r georadius g 181 37 1 km}
        assert_error {ERR syntax error} {r georadius g 15 37 1 km frommember Palermo}
        assert_error {ERR syntax error} {r georadius g 15 37 1 km store}
        assert_error {ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options} \
            {r georadius g 15 37 200 km store d withdist}
        assert_error {ERR wrong number of arguments for 'georadius' command} {r georadius g 15 37 200}
        r set str x
        # The type is checked first.
        assert_error {WRONGTYPE*} {r georadius str x 37 1 km}
    }

    test {GEORADIUS STORE and STOREDIST} {
        add_towns g
        r del d
        assert_equal 4 [r georadius g 15 37 200 km store d]
        assert_equal {Palermo 3479099956230698 center 3479430784190286 Catania 3479447370796909 Messina 3479616592813737} \
            [r zrange d 0 -1 withscores]
        assert_equal 4 [r georadius g 15 37 200 km storedist d]
        assert_equal {Catania 56.441257870158204 center 80.066760053113271 Messina 141.48258641272847 Palermo 190.44242984775784} \
            [r zrange d 0 -1 withscores]
        assert_equal 1 [r georadius g 15 37 200 km count 1 storedist d]
        assert_equal {Catania} [r zrange d 0 -1]
        # STORE and STOREDIST: the last one wins.
        assert_equal 1 [r georadius g 15 37 200 km count 1 storedist d store d2]
        assert_equal {Catania 3479447370796909} [r zrange d2 0 -1 withscores]
        # Nothing found, or no source: the destination is deleted.
        assert_equal 0 [r georadius g 15 37 1 km store d]
        assert_equal 0 [r exists d]
        r set d x
        assert_equal 0 [r georadius nokey 15 37 1 km store d]
        assert_equal 0 [r exists d]
        # The stored set replaces the old value and its TTL.
        r set d x ex 100
        r georadius g 15 37 200 km store d
        assert_equal zset [r type d]
        assert_equal -1 [r ttl d]
    }

    test {GEORADIUSBYMEMBER} {
        add_towns g
        assert_equal {{Palermo 0.0000} {edge1 91.4007} {center 115.2643} {Catania 166.2742} {Messina 191.9839}} \
            [r georadiusbymember g Palermo 200 km withdist asc]
        assert_equal {Palermo} [r georadiusbymember g Palermo 10 km]
        assert_error {ERR could not decode requested zset member} {r georadiusbymember g nope 10 km}
        # Without the key the radius is not even read.
        assert_equal {} [r georadiusbymember nokey nope x y]
        assert_equal 0 [r georadiusbymember nokey nope x y store d]
        assert_equal 3 [r georadiusbymember g Palermo 150 km store d]
        assert_equal {Palermo edge1 center} [r zrange d 0 -1]
        assert_error {ERR need numeric radius} {r georadiusbymember g Palermo x km}
    }

    test {GEORADIUS_RO and GEORADIUSBYMEMBER_RO refuse STORE} {
        add_towns g
        assert_equal {Catania center Messina Palermo} [r georadius_ro g 15 37 200 km asc]
        assert_equal {Palermo edge1 center} [r georadiusbymember_ro g Palermo 150 km asc]
        assert_error {ERR syntax error} {r georadius_ro g 15 37 200 km store d}
        assert_error {ERR syntax error} {r georadiusbymember_ro g Palermo 200 km storedist d}
    }

    test {GEOSEARCH FROMMEMBER / FROMLONLAT, BYRADIUS / BYBOX} {
        add_towns g
        assert_equal {Palermo edge1 center} [r geosearch g frommember Palermo byradius 150 km asc]
        assert_equal {{Catania 56.4413} {center 80.0668} {Messina 141.4826} {Palermo 190.4424}} \
            [r geosearch g fromlonlat 15 37 byradius 200 km withdist asc]
        assert_equal {{Catania 56.4413} {center 80.0668}} [r geosearch g fromlonlat 15 37 bybox 200 200 km withdist asc]
        assert_equal {{center 80.0668} {Catania 56.4413}} [r geosearch g fromlonlat 15 37 bybox 200 200 km withdist desc]
        assert_equal {{Catania 56.4413} {center 80.0668} {Messina 141.4826} {Palermo 190.4424} {edge2 239.7767} {edge1 279.7405}} \
            [r geosearch g fromlonlat 15 37 bybox 400 400 km withdist asc]
        assert_equal {Catania} [r geosearch g fromlonlat 15 37 bybox 400 400 km count 1]
        assert_equal {Palermo} [r geosearch g FROMLONLAT 15 37 BYBOX 400 400 KM COUNT 1 ANY]
        assert_equal {} [r geosearch g fromlonlat 0 0 byradius 1 m]
        assert_equal {} [r geosearch nokey frommember nope byradius 1 m]
    }

    test {GEOSEARCH errors} {
        add_towns g
        assert_error {ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch} {r geosearch g byradius 1 km asc desc}
        assert_error {ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH} {r GEOSEARCH g byradius 1 km asc desc}
        assert_error {ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch} {r geosearch g frommember Palermo asc withdist withhash}
        assert_error {ERR syntax error} {r geosearch g frommember Palermo fromlonlat 1 1 byradius 1 km}
        assert_error {ERR syntax error} {r geosearch g fromlonlat 1 1 frommember Palermo byradius 1 km}
        assert_error {ERR syntax error} {r geosearch g frommember Palermo byradius 1 km bybox 1 1 km}
        assert_error {ERR syntax error} {r geosearch g frommember Palermo byradius 1 km store d}
        assert_error {ERR syntax error} {r geosearch g frommember Palermo byradius 1 km storedist}
        assert_error {ERR could not decode requested zset member} {r geosearch g frommember nope byradius 1 km}
        assert_error {ERR need numeric width} {r geosearch g frommember Palermo bybox x 1 km}
        assert_error {ERR need numeric height} {r geosearch g frommember Palermo bybox 1 x km}
        assert_error {ERR height or width cannot be negative} {r geosearch g frommember Palermo bybox 1 -1 km}
        assert_error {ERR unsupported unit provided*} {r geosearch g frommember Palermo bybox 1 1 yd}
        assert_error {ERR the ANY argument requires COUNT argument} {r geosearch g frommember Palermo byradius 1 km any}
        assert_error {ERR wrong number of arguments for 'geosearch' command} {r geosearch g frommember Palermo byradius 1}
        # A missing key still has its arguments checked.
        assert_error {ERR exactly one of BYRADIUS*} {r geosearch nokey frommember nope asc withdist withhash}
    }

    test {GEOSEARCHSTORE} {
        add_towns g
        r del d
        assert_equal 3 [r geosearchstore d g frommember Palermo byradius 150 km]
        assert_equal {Palermo 3479099956230698 edge1 3479273021651468 center 3479430784190286} [r zrange d 0 -1 withscores]
        assert_equal 3 [r geosearchstore d g frommember Palermo byradius 150 km storedist]
        assert_equal {Palermo 0 edge1 91.400658605814272 center 115.26427796501584} [r zrange d 0 -1 withscores]
        assert_equal 1 [r geosearchstore d g fromlonlat 15 37 bybox 400 400 km count 1 storedist]
        assert_equal {Catania 56.441257870158204} [r zrange d 0 -1 withscores]
        assert_error {ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options} \
            {r geosearchstore d g frommember Palermo byradius 150 km withcoord}
        assert_equal 0 [r geosearchstore d g fromlonlat 0 0 byradius 1 km]
        assert_equal 0 [r exists d]
        assert_equal 0 [r geosearchstore d nokey fromlonlat 0 0 byradius 1 km]
        r set str x
        assert_error {WRONGTYPE*} {r geosearchstore d str fromlonlat 0 0 byradius 1 km}
    }

    test {Stored results use the sorted set encodings} {
        r del big d
        set args {}
        for {set i 0} {$i < 200} {incr i} {
            lappend args [expr {10 + $i * 0.001}] 45 m$i
        }
        r geoadd big {*}$args
        assert_encoding skiplist big
        assert_equal 200 [r geosearchstore d big fromlonlat 10.1 45 byradius 100 km]
        assert_encoding skiplist d
        assert_equal 100 [r geosearchstore d big fromlonlat 10.1 45 byradius 100 km count 100]
        assert_encoding listpack d
        assert_equal {m100 m99 m101} [r geosearch big fromlonlat 10.1 45 byradius 100 km count 3]
        assert_equal {m0 m199} [r geosearch big fromlonlat 10.1 45 byradius 100 km count 2 desc]
    }

    test {Searches across the antimeridian and near the poles} {
        r del g
        r geoadd g 179.9 0 e -179.9 0 w 0 85 n 90 -85 s
        # Redis does not search across the antimeridian.
        assert_equal {{e 11.1227}} [r geosearch g fromlonlat 180 0 byradius 20 km withdist asc]
        assert_equal {{e 11.1227}} [r geosearch g fromlonlat 180 0 bybox 30 30 km withdist asc]
        assert_equal {n} [r geosearch g fromlonlat 0 84 byradius 200 km]
        assert_equal {{s 0.0000}} [r geosearch g fromlonlat 90 -85 byradius 1 km withdist]
        # A radius covering the world finds everything.
        assert_equal {n e s w} [r georadius g 0 0 50000 km]
        assert_equal {n e s w} [r georadius g 0 0 inf km]
    }

    test {Keyspace events of the geo commands} {
        add_towns g
        r del d
        r config set notify-keyspace-events KEA
        set rd [redis_deferring_client]
        $rd psubscribe __keyevent@0__:*
        $rd read
        r geoadd g 1 1 newone
        r geoadd g xx 1 1 nope
        r georadius g 15 37 200 km store d
        r geosearchstore d g fromlonlat 15 37 byradius 200 km
        r geosearchstore d g fromlonlat 0 0 byradius 1 km
        r georadius g 15 37 200 km
        set events {}
        for {set i 0} {$i < 4} {incr i} {
            lappend events [string range [lindex [$rd read] 2] 15 end]
        }
        assert_equal {zadd georadiusstore geosearchstore del} $events
        $rd close
        r config set notify-keyspace-events {}
        set _ {}
    } {} {needs:config}

    test {GEORADIUS STORE wakes a client blocked on the destination} {
        add_towns g
        r del d
        set rd [redis_deferring_client]
        $rd bzpopmin d 0
        wait_for_blocked_client
        r georadius g 15 37 200 km storedist d
        assert_equal {d Catania 56.441257870158204} [$rd read]
        $rd close
    }

    test {WATCH sees a GEO write} {
        add_towns g
        r watch g
        set c [redis_client]
        $c geoadd g 2 2 other
        $c close
        r multi
        r ping
        assert_equal {} [r exec]
    }

    test {COMMAND INFO and GETKEYS of the geo commands} {
        assert_equal {geoadd -5 {write denyoom} 1 1 1} [lrange [lindex [r command info geoadd] 0] 0 5]
        assert_equal {georadius -6 {write denyoom movablekeys} 1 1 1} [lrange [lindex [r command info georadius] 0] 0 5]
        assert_equal {georadius_ro -6 readonly 1 1 1} [lrange [lindex [r command info georadius_ro] 0] 0 5]
        assert_equal {geosearchstore -8 {write denyoom} 1 2 1} [lrange [lindex [r command info geosearchstore] 0] 0 5]
        assert_equal {@read @geo @slow} [lindex [r command info geosearch] 0 6]
        assert_equal {k a b} [r command getkeys georadius k 1 2 3 km store a storedist b]
        assert_equal {k b} [r command getkeys georadiusbymember k m 3 km storedist b]
        assert_equal {d s} [r command getkeys geosearchstore d s frommember m byradius 1 km]
        set docs [dict create {*}[lindex [r command docs georadius] 1]]
        assert_equal {deprecated} [dict get $docs doc_flags]
        assert_equal 6.2.0 [dict get $docs deprecated_since]
    }
}
