# COMMAND, COMMAND COUNT/INFO/DOCS/LIST/GETKEYS/GETKEYSANDFLAGS/HELP: reply
# shapes and the metadata of a few commands, independent of summary texts.

# The COMMAND INFO entry of one command.
proc cmdinfo {name} {
    lindex [r command info $name] 0
}

# The COMMAND DOCS map of one command (flat key/value list).
proc cmddocs {name} {
    set reply [r command docs $name]
    assert_equal 2 [llength $reply]
    assert_equal $name [lindex $reply 0]
    lindex $reply 1
}

# The argument (as a dict) named `name` in a list of DOCS arguments.
proc docarg {args_list name} {
    foreach a $args_list {
        if {[dict get $a name] eq $name} {
            return $a
        }
    }
    fail "no argument named $name in $args_list"
}

start_server {tags {command}} {
    test {COMMAND COUNT is the number of top-level commands} {
        set n [r command count]
        assert_morethan $n 0
        assert_equal $n [llength [r command]]
        set top 0
        foreach name [r command list] {
            if {[string first | $name] < 0} {
                incr top
            }
        }
        assert_equal $n $top
    }

    test {COMMAND and COMMAND INFO without names list the same commands} {
        set a [lsort [lmap e [r command] {lindex $e 0}]]
        set b [lsort [lmap e [r command info] {lindex $e 0}]]
        assert_equal $a $b
        assert {[lsearch -exact $a get] >= 0}
        assert {[lsearch -exact $a client] >= 0}
        assert {[lsearch -exact $a client|list] < 0}
    }

    test {COMMAND INFO GET} {
        set e [cmdinfo get]
        assert_equal 10 [llength $e]
        lassign $e name arity flags first last step cats tips specs subs
        assert_equal get $name
        assert_equal 2 $arity
        assert_equal {readonly fast} $flags
        assert_equal {1 1 1} [list $first $last $step]
        assert_equal {@read @string @fast} $cats
        assert_equal {} $tips
        assert_equal {} $subs
        assert_equal 1 [llength $specs]
        set spec [lindex $specs 0]
        assert_equal {RO access} [dict get $spec flags]
        assert_equal {type index spec {index 1}} [dict get $spec begin_search]
        assert_equal {type range spec {lastkey 0 keystep 1 limit 0}} [dict get $spec find_keys]
    }

    test {COMMAND INFO SET} {
        lassign [cmdinfo set] name arity flags first last step cats tips specs subs
        assert_equal {set -3 {write denyoom} 1 1 1} [list $name $arity $flags $first $last $step]
        assert_equal {@write @string @slow} $cats
        set spec [lindex $specs 0]
        assert_equal {RW access update variable_flags} [dict get $spec flags]
    }

    test {COMMAND INFO MSET: a range with a step} {
        lassign [cmdinfo mset] name arity flags first last step cats tips specs subs
        assert_equal {mset -3 1 -1 2} [list $name $arity $first $last $step]
        assert_equal {request_policy:multi_shard response_policy:all_succeeded} $tips
        set spec [lindex $specs 0]
        assert_equal {OW update} [dict get $spec flags]
        assert_equal {type range spec {lastkey -1 keystep 2 limit 0}} [dict get $spec find_keys]
    }

    test {COMMAND INFO: legacy key range over two specs} {
        lassign [cmdinfo rename] name arity flags first last step
        assert_equal {rename 3 1 2 1} [list $name $arity $first $last $step]
        lassign [cmdinfo object|encoding] name arity flags first last step
        assert_equal {object|encoding 3 2 2 1} [list $name $arity $first $last $step]
        lassign [cmdinfo ping] name arity flags first last step
        assert_equal {ping -1 0 0 0} [list $name $arity $first $last $step]
    }

    test {COMMAND INFO CONFIG|GET and CONFIG} {
        lassign [cmdinfo config|get] name arity flags first last step cats tips specs subs
        assert_equal {config|get -3 {admin noscript loading stale} 0 0 0} [list $name $arity $flags $first $last $step]
        assert_equal {@admin @slow @dangerous} $cats
        assert_equal {} $specs
        # Full names are case-insensitive.
        assert_equal config|get [lindex [cmdinfo CONFIG|GET] 0]
        lassign [cmdinfo config] name arity flags first last step cats tips specs subs
        assert_equal {config -2 {}} [list $name $arity $flags]
        assert_equal {@slow} $cats
        set subnames [lmap s $subs {lindex $s 0}]
        assert {[lsearch -exact $subnames config|get] >= 0}
        assert {[lsearch -exact $subnames config|set] >= 0}
    }

    test {COMMAND INFO of unknown commands is nil} {
        assert_equal {{}} [r command info nosuchcommand]
        set reply [r command info get nosuch config| get|x config|get|x |get]
        assert_equal 6 [llength $reply]
        assert_equal get [lindex $reply 0 0]
        foreach i {1 2 3 4 5} {
            assert_equal {} [lindex $reply $i]
        }
    }

    test {COMMAND INFO COMMAND} {
        lassign [cmdinfo command] name arity flags first last step cats tips specs subs
        assert_equal {command -1 {loading stale} 0 0 0} [list $name $arity $flags $first $last $step]
        assert_equal {@slow @connection} $cats
        set subs [lsort [lmap s $subs {lindex $s 0}]]
        assert_equal {command|count command|docs command|getkeys command|getkeysandflags command|help command|info command|list} $subs
        assert_equal {command|getkeys -4} [lrange [cmdinfo command|getkeys] 0 1]
        assert_equal {command|count 2} [lrange [cmdinfo command|count] 0 1]
    }

    test {COMMAND INFO in RESP3 uses sets and maps} {
        set c [redis_client]
        $c hello 3
        $c readraw 1
        set expected [list *1 *10 {$3} get :2 ~2 +readonly +fast :1 :1 :1 ~3 +@read +@string +@fast ~0 ~1 \
            %3 {$5} flags ~2 +RO +access {$12} begin_search %2 {$4} type {$5} index {$4} spec %1 {$5} index :1 \
            {$9} find_keys %2 {$4} type {$5} range {$4} spec %3 {$7} lastkey :0 {$7} keystep :1 {$5} limit :0 ~0]
        set lines [list [$c command info get]]
        while {[llength $lines] < [llength $expected]} {
            lappend lines [$c read]
        }
        $c close
        assert_equal $expected $lines
    }

    test {COMMAND DOCS GET} {
        set d [cmddocs get]
        assert_equal 1.0.0 [dict get $d since]
        assert_equal string [dict get $d group]
        assert {[dict exists $d summary]}
        assert {[dict exists $d complexity]}
        assert_equal {{name key type key key_spec_index 0}} [dict get $d arguments]
    }

    test {COMMAND DOCS SET: argument structure} {
        set d [cmddocs set]
        assert_equal 4 [llength [dict get $d history]]
        assert_equal {2.6.12 {Added the `EX`, `PX`, `NX` and `XX` options.}} [lindex [dict get $d history] 0]
        set a [dict get $d arguments]
        assert_equal {key value condition get expiration} [lmap x $a {dict get $x name}]
        assert_equal {name key type key key_spec_index 0} [docarg $a key]
        assert_equal {name value type string} [docarg $a value]
        set cond [docarg $a condition]
        assert_equal oneof [dict get $cond type]
        assert_equal optional [dict get $cond flags]
        assert_equal {{name nx type pure-token token NX} {name xx type pure-token token XX}} [dict get $cond arguments]
        assert_equal {name get type pure-token token GET since 6.2.0 flags optional} [docarg $a get]
        set exp [docarg $a expiration]
        assert_equal oneof [dict get $exp type]
        assert_equal {seconds milliseconds unix-time-seconds unix-time-milliseconds keepttl} \
            [lmap x [dict get $exp arguments] {dict get $x name}]
        assert_equal {EX PX EXAT PXAT KEEPTTL} [lmap x [dict get $exp arguments] {dict get $x token}]
        assert_equal {integer integer unix-time unix-time pure-token} [lmap x [dict get $exp arguments] {dict get $x type}]
    }

    test {COMMAND DOCS of a container and of subcommands} {
        set d [cmddocs client|kill]
        set filter [lindex [dict get $d arguments] 0]
        assert_equal {filter oneof} [list [dict get $filter name] [dict get $filter type]]
        set newformat [docarg [dict get $filter arguments] new-format]
        assert_equal multiple [dict get $newformat flags]
        set d [cmddocs mset]
        set block [lindex [dict get $d arguments] 0]
        assert_equal {key_value block multiple} [list [dict get $block name] [dict get $block type] [dict get $block flags]]
        set d [cmddocs config]
        set subs [dict get $d subcommands]
        assert {[dict exists $subs config|get]}
        assert_equal server [dict get $subs config|get group]
    }

    test {COMMAND DOCS skips unknown commands} {
        assert_equal {} [r command docs nosuchcommand]
        set reply [r command docs nosuch get config|nosuch]
        assert_equal 2 [llength $reply]
        assert_equal get [lindex $reply 0]
    }

    test {COMMAND DOCS without names documents every top-level command} {
        set reply [r command docs]
        assert_equal [r command count] [expr {[llength $reply] / 2}]
    }

    test {COMMAND DOCS of a deprecated command} {
        set d [cmddocs getset]
        assert_equal deprecated [dict get $d doc_flags]
        assert_equal 6.2.0 [dict get $d deprecated_since]
        assert {[dict exists $d replaced_by]}
    }

    test {COMMAND LIST includes subcommands} {
        set all [r command list]
        assert {[lsearch -exact $all get] >= 0}
        assert {[lsearch -exact $all client|list] >= 0}
        assert {[lsearch -exact $all command|docs] >= 0}
    }

    test {COMMAND LIST FILTERBY PATTERN} {
        set l [r command list filterby pattern get*]
        foreach c {get getrange getset getdel getex} {
            assert {[lsearch -exact $l $c] >= 0}
        }
        foreach c $l {
            assert_match get* $c
        }
        assert_equal {config|get} [r command list filterby pattern CONFIG|G*]
        assert_equal {} [r command list filterby pattern nosuch*]
    }

    test {COMMAND LIST FILTERBY ACLCAT} {
        set l [r command list filterby aclcat string]
        assert {[lsearch -exact $l get] >= 0}
        assert {[lsearch -exact $l set] >= 0}
        assert {[lsearch -exact $l ping] < 0}
        assert_equal $l [r command list filterby aclcat STRING]
        set l [r command list filterby aclcat connection]
        assert {[lsearch -exact $l ping] >= 0}
        assert {[lsearch -exact $l client|list] >= 0}
        # Unknown categories (and the @ form) match nothing.
        assert_equal {} [r command list filterby aclcat nosuch]
        assert_equal {} [r command list filterby aclcat @string]
        assert_equal {} [r command list filterby module nosuch]
    }

    test {COMMAND LIST syntax errors} {
        assert_match {ERR syntax error*} [err_of {r command list filterby aclcat}]
        assert_match {ERR syntax error*} [err_of {r command list filterby nosuch x}]
        assert_match {ERR syntax error*} [err_of {r command list foo}]
        assert_match {ERR syntax error*} [err_of {r command list filterby pattern a b}]
    }

    test {COMMAND GETKEYS} {
        assert_equal {a b} [r command getkeys mset a 1 b 2]
        assert_equal {a b} [r command getkeys mset a 1 b]
        assert_equal {k} [r command getkeys set k v]
        assert_equal {a b} [r command getkeys rename a b]
        assert_equal {a b c} [r command getkeys del a b c]
        assert_equal {k} [r command getkeys memory usage k]
        assert_equal {k} [r command getkeys OBJECT encoding k]
    }

    test {COMMAND GETKEYSANDFLAGS} {
        assert_equal {{k {OW update}}} [r command getkeysandflags set k v]
        assert_equal {{k {RW access update}}} [r command getkeysandflags set k v NX GET]
        assert_equal {{a {RW access delete}} {b {OW update}}} [r command getkeysandflags rename a b]
    }

    test {COMMAND GETKEYS errors} {
        assert_match {ERR Invalid command specified*} [err_of {r command getkeys nosuchcommand a b}]
        assert_match {ERR Invalid command specified*} [err_of {r command getkeys memory nosuch k}]
        assert_match {ERR The command has no key arguments*} [err_of {r command getkeys ping a}]
        assert_match {ERR Invalid command specified*} [err_of {r command getkeys memory x}]
        assert_match {ERR The command has no key arguments*} [err_of {r command getkeys config get x}]
        assert_match {ERR Invalid number of arguments specified for command*} [err_of {r command getkeys get a b}]
        assert_match {ERR Invalid number of arguments specified for command*} [err_of {r command getkeysandflags mset a}]
        assert_match {ERR wrong number of arguments for 'command|getkeys' command*} [err_of {r command getkeys get}]
    }

    test {COMMAND HELP and unknown subcommands} {
        set help [r command help]
        assert_match {COMMAND <subcommand> *} [lindex $help 0]
        assert {[lsearch -glob $help GETKEYS*] >= 0}
        assert_equal HELP [lindex $help end-1]
        assert_match {ERR unknown subcommand 'foo'. Try COMMAND HELP.*} [err_of {r command foo}]
        assert_match {ERR wrong number of arguments for 'command|count' command*} [err_of {r command count x}]
    }
}
