//! The static parameter table: every Redis 7.0.15 configuration parameter.
//!
//! One `params!` invocation declares, per parameter: the `P` variant, the
//! typed `Config` field and its Rust type, the CONFIG name, the alias, the
//! flags, whether fastkey implements it, and its kind (type, range, default).
//! The macro generates `P`, `PARAMS` (indexed by `P as usize`), the `Config`
//! struct and the `value`/`put` bridges between fields and generic `Value`s.

use super::flags::{DENY_LOADING, HIDDEN, IMMUTABLE, PROTECTED, SENSITIVE};
use super::kinds::*;
use super::{Choice, Cobl, Field, Kind, ParamDef, Special, Value};
use std::path::PathBuf;

const M: u16 = 0; // MODIFIABLE
const Y: bool = true; // implemented by fastkey
const N: bool = false;

macro_rules! params {
    ($( $id:ident $field:ident : $ty:ty = $name:literal, $alias:expr, $flags:expr, $imp:expr, $kind:expr; )*) => {
        /// Parameter ids; `p as usize` indexes `PARAMS`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum P { $( $id, )* }

        /// The table, in `P` order.
        pub static PARAMS: &[ParamDef] = &[
            $( ParamDef { id: P::$id, name: $name, alias: $alias, flags: $flags, implemented: $imp, kind: $kind }, )*
        ];

        /// The configuration: one typed public field per parameter (read these
        /// directly on hot paths), plus the file-only directives.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Config {
            $( pub $field: $ty, )*
            /// Absolute path of the config file (as Redis' getAbsolutePath), if any.
            pub config_file: Option<PathBuf>,
            /// `rename-command FROM TO` lines, in order (TO may be empty).
            pub rename_commands: Vec<(Vec<u8>, Vec<u8>)>,
            /// `user ...` lines: the arguments after `user`, in order.
            pub users: Vec<Vec<Vec<u8>>>,
            /// `loadmodule path args...` lines: path then arguments.
            pub load_modules: Vec<Vec<Vec<u8>>>,
            /// `module.name value` lines (last one wins per name).
            pub module_configs: Vec<(Vec<u8>, Vec<u8>)>,
            /// Parameters named in the file, stdin or command line (by `P`).
            pub(crate) explicit: Vec<bool>,
            /// Whether `dir` and `logfile` are checked against the filesystem.
            pub(crate) fs_checks: bool,
            /// Exact bytes of string values that are not UTF-8 (their typed
            /// `String` field holds a lossy copy).
            pub(crate) raw_strings: Vec<(P, Vec<u8>)>,
        }

        impl Config {
            /// The generic value of the typed field.
            pub(crate) fn typed_value(&self, p: P) -> Value {
                match p { $( P::$id => Field::to_value(&self.$field), )* }
            }

            /// Stores a generic value into the typed field.
            pub(crate) fn typed_put(&mut self, p: P, v: Value) {
                match p { $( P::$id => { if let Some(x) = Field::from_value(v) { self.$field = x; } } )* }
            }

            pub(crate) fn blank() -> Config {
                Config {
                    $( $field: <$ty as Default>::default(), )*
                    config_file: None,
                    rename_commands: Vec::new(),
                    users: Vec::new(),
                    load_modules: Vec::new(),
                    module_configs: Vec::new(),
                    explicit: vec![false; PARAMS.len()],
                    fs_checks: true,
                    raw_strings: Vec::new(),
                }
            }
        }
    };
}

const PROC_TITLE_DEFAULT: &str = "{title} {listen-addr} {server-mode}";

params! {
    // ---- bool ----
    Rdbchecksum rdbchecksum: bool = "rdbchecksum", None, IMMUTABLE, Y, boolean(true);
    Daemonize daemonize: bool = "daemonize", None, IMMUTABLE, Y, boolean(false);
    IoThreadsDoReads io_threads_do_reads: bool = "io-threads-do-reads", None, IMMUTABLE, N, boolean(false);
    AlwaysShowLogo always_show_logo: bool = "always-show-logo", None, IMMUTABLE, Y, boolean(false);
    ProtectedMode protected_mode: bool = "protected-mode", None, M, Y, boolean(true);
    Rdbcompression rdbcompression: bool = "rdbcompression", None, M, Y, boolean(true);
    RdbDelSyncFiles rdb_del_sync_files: bool = "rdb-del-sync-files", None, M, Y, boolean(false);
    Activerehashing activerehashing: bool = "activerehashing", None, M, Y, boolean(true);
    StopWritesOnBgsaveError stop_writes_on_bgsave_error: bool = "stop-writes-on-bgsave-error", None, M, Y, boolean(true);
    SetProcTitle set_proc_title: bool = "set-proc-title", None, IMMUTABLE, N, boolean(true);
    DynamicHz dynamic_hz: bool = "dynamic-hz", None, M, N, boolean(true);
    LazyfreeLazyEviction lazyfree_lazy_eviction: bool = "lazyfree-lazy-eviction", None, M, Y, boolean(false);
    LazyfreeLazyExpire lazyfree_lazy_expire: bool = "lazyfree-lazy-expire", None, M, Y, boolean(false);
    LazyfreeLazyServerDel lazyfree_lazy_server_del: bool = "lazyfree-lazy-server-del", None, M, Y, boolean(false);
    LazyfreeLazyUserDel lazyfree_lazy_user_del: bool = "lazyfree-lazy-user-del", None, M, Y, boolean(false);
    LazyfreeLazyUserFlush lazyfree_lazy_user_flush: bool = "lazyfree-lazy-user-flush", None, M, Y, boolean(false);
    ReplDisableTcpNodelay repl_disable_tcp_nodelay: bool = "repl-disable-tcp-nodelay", None, M, N, boolean(false);
    ReplDisklessSync repl_diskless_sync: bool = "repl-diskless-sync", None, M, Y, boolean(true);
    AofRewriteIncrementalFsync aof_rewrite_incremental_fsync: bool = "aof-rewrite-incremental-fsync", None, M, N, boolean(true);
    NoAppendfsyncOnRewrite no_appendfsync_on_rewrite: bool = "no-appendfsync-on-rewrite", None, M, Y, boolean(false);
    ClusterRequireFullCoverage cluster_require_full_coverage: bool = "cluster-require-full-coverage", None, M, N, boolean(true);
    RdbSaveIncrementalFsync rdb_save_incremental_fsync: bool = "rdb-save-incremental-fsync", None, M, N, boolean(true);
    AofLoadTruncated aof_load_truncated: bool = "aof-load-truncated", None, M, Y, boolean(true);
    AofUseRdbPreamble aof_use_rdb_preamble: bool = "aof-use-rdb-preamble", None, M, Y, boolean(true);
    AofTimestampEnabled aof_timestamp_enabled: bool = "aof-timestamp-enabled", None, M, Y, boolean(false);
    ClusterReplicaNoFailover cluster_replica_no_failover: bool = "cluster-replica-no-failover", Some("cluster-slave-no-failover"), M, N, boolean(false);
    ReplicaLazyFlush replica_lazy_flush: bool = "replica-lazy-flush", Some("slave-lazy-flush"), M, Y, boolean(false);
    ReplicaServeStaleData replica_serve_stale_data: bool = "replica-serve-stale-data", Some("slave-serve-stale-data"), M, Y, boolean(true);
    ReplicaReadOnly replica_read_only: bool = "replica-read-only", Some("slave-read-only"), M, Y, boolean(true);
    ReplicaIgnoreMaxmemory replica_ignore_maxmemory: bool = "replica-ignore-maxmemory", Some("slave-ignore-maxmemory"), M, Y, boolean(true);
    JemallocBgThread jemalloc_bg_thread: bool = "jemalloc-bg-thread", None, M, Y, boolean(true);
    Activedefrag activedefrag: bool = "activedefrag", None, M, N, boolean(false);
    SyslogEnabled syslog_enabled: bool = "syslog-enabled", None, IMMUTABLE, N, boolean(false);
    ClusterEnabled cluster_enabled: bool = "cluster-enabled", None, IMMUTABLE, N, boolean(false);
    Appendonly appendonly: bool = "appendonly", None, DENY_LOADING, Y, boolean(false);
    ClusterAllowReadsWhenDown cluster_allow_reads_when_down: bool = "cluster-allow-reads-when-down", None, M, N, boolean(false);
    ClusterAllowPubsubshardWhenDown cluster_allow_pubsubshard_when_down: bool = "cluster-allow-pubsubshard-when-down", None, M, N, boolean(true);
    CrashLogEnabled crash_log_enabled: bool = "crash-log-enabled", None, M, N, boolean(true);
    CrashMemcheckEnabled crash_memcheck_enabled: bool = "crash-memcheck-enabled", None, M, N, boolean(true);
    UseExitOnPanic use_exit_on_panic: bool = "use-exit-on-panic", None, HIDDEN, N, boolean(false);
    DisableThp disable_thp: bool = "disable-thp", None, IMMUTABLE, N, boolean(true);
    ClusterAllowReplicaMigration cluster_allow_replica_migration: bool = "cluster-allow-replica-migration", None, M, N, boolean(true);
    ReplicaAnnounced replica_announced: bool = "replica-announced", None, M, Y, boolean(true);
    LatencyTracking latency_tracking: bool = "latency-tracking", None, M, Y, boolean(true);
    AofDisableAutoGc aof_disable_auto_gc: bool = "aof-disable-auto-gc", None, M, Y, boolean(false);
    ReplicaIgnoreDiskWriteErrors replica_ignore_disk_write_errors: bool = "replica-ignore-disk-write-errors", None, M, N, boolean(false);
    LuaEnableDeprecatedApi lua_enable_deprecated_api: bool = "lua-enable-deprecated-api", None, IMMUTABLE | HIDDEN, N, boolean(false);
    TlsCluster tls_cluster: bool = "tls-cluster", None, M, N, boolean(false);
    TlsReplication tls_replication: bool = "tls-replication", None, M, N, boolean(false);
    TlsPreferServerCiphers tls_prefer_server_ciphers: bool = "tls-prefer-server-ciphers", None, M, N, boolean(false);
    TlsSessionCaching tls_session_caching: bool = "tls-session-caching", None, M, N, boolean(true);

    // ---- strings ----
    Aclfile aclfile: String = "aclfile", None, IMMUTABLE, N, string(Some(""), false, None);
    Unixsocket unixsocket: Option<String> = "unixsocket", None, IMMUTABLE, Y, string(None, true, None);
    Pidfile pidfile: Option<String> = "pidfile", None, IMMUTABLE, Y, string(None, true, None);
    ReplicaAnnounceIp replica_announce_ip: Option<String> = "replica-announce-ip", Some("slave-announce-ip"), M, Y, string(None, true, None);
    Masteruser masteruser: Option<Vec<u8>> = "masteruser", None, SENSITIVE, Y, string(None, true, None);
    ClusterAnnounceIp cluster_announce_ip: Option<String> = "cluster-announce-ip", None, M, N, string(None, true, None);
    ClusterConfigFile cluster_config_file: String = "cluster-config-file", None, IMMUTABLE, N, string(Some("nodes.conf"), false, None);
    ClusterAnnounceHostname cluster_announce_hostname: Option<String> = "cluster-announce-hostname", None, M, N, string(None, true, Some(check_hostname));
    SyslogIdent syslog_ident: String = "syslog-ident", None, IMMUTABLE, N, string(Some("redis"), false, None);
    Dbfilename dbfilename: String = "dbfilename", None, PROTECTED, Y, string(Some("dump.rdb"), false, Some(check_dbfilename));
    Appendfilename appendfilename: String = "appendfilename", None, IMMUTABLE, Y, string(Some("appendonly.aof"), false, Some(check_appendfilename));
    Appenddirname appenddirname: String = "appenddirname", None, IMMUTABLE, Y, string(Some("appendonlydir"), false, Some(check_appenddirname));
    ServerCpulist server_cpulist: Option<String> = "server_cpulist", None, IMMUTABLE, N, string(None, true, None);
    BioCpulist bio_cpulist: Option<String> = "bio_cpulist", None, IMMUTABLE, N, string(None, true, None);
    AofRewriteCpulist aof_rewrite_cpulist: Option<String> = "aof_rewrite_cpulist", None, IMMUTABLE, N, string(None, true, None);
    BgsaveCpulist bgsave_cpulist: Option<String> = "bgsave_cpulist", None, IMMUTABLE, N, string(None, true, None);
    IgnoreWarnings ignore_warnings: String = "ignore-warnings", None, M, N, string(Some(""), false, None);
    ProcTitleTemplate proc_title_template: String = "proc-title-template", None, M, N, string(Some(PROC_TITLE_DEFAULT), false, Some(check_proc_title_template));
    BindSourceAddr bind_source_addr: Option<String> = "bind-source-addr", None, M, N, string(None, true, None);
    Logfile logfile: String = "logfile", None, IMMUTABLE, Y, string(Some(""), false, None);
    Masterauth masterauth: Option<Vec<u8>> = "masterauth", None, SENSITIVE, Y, string(None, true, None);
    Requirepass requirepass: Option<Vec<u8>> = "requirepass", None, SENSITIVE, Y, string(None, true, None);
    TlsCertFile tls_cert_file: Option<String> = "tls-cert-file", None, M, N, string(None, true, None);
    TlsKeyFile tls_key_file: Option<String> = "tls-key-file", None, M, N, string(None, true, None);
    TlsKeyFilePass tls_key_file_pass: Option<String> = "tls-key-file-pass", None, M, N, string(None, true, None);
    TlsClientCertFile tls_client_cert_file: Option<String> = "tls-client-cert-file", None, M, N, string(None, true, None);
    TlsClientKeyFile tls_client_key_file: Option<String> = "tls-client-key-file", None, M, N, string(None, true, None);
    TlsClientKeyFilePass tls_client_key_file_pass: Option<String> = "tls-client-key-file-pass", None, M, N, string(None, true, None);
    TlsDhParamsFile tls_dh_params_file: Option<String> = "tls-dh-params-file", None, M, N, string(None, true, None);
    TlsCaCertFile tls_ca_cert_file: Option<String> = "tls-ca-cert-file", None, M, N, string(None, true, None);
    TlsCaCertDir tls_ca_cert_dir: Option<String> = "tls-ca-cert-dir", None, M, N, string(None, true, None);
    TlsProtocols tls_protocols: Option<String> = "tls-protocols", None, M, N, string(None, true, None);
    TlsCiphers tls_ciphers: Option<String> = "tls-ciphers", None, M, N, string(None, true, None);
    TlsCiphersuites tls_ciphersuites: Option<String> = "tls-ciphersuites", None, M, N, string(None, true, None);

    // ---- enums ----
    Supervised supervised: Choice = "supervised", None, IMMUTABLE, Y, choice(SUPERVISED, "no");
    SyslogFacility syslog_facility: Choice = "syslog-facility", None, IMMUTABLE, N, choice(SYSLOG_FACILITY, "local0");
    ReplDisklessLoad repl_diskless_load: Choice = "repl-diskless-load", None, DENY_LOADING, N, choice(REPL_DISKLESS_LOAD, "disabled");
    Loglevel loglevel: Choice = "loglevel", None, M, Y, choice(LOGLEVEL, "notice");
    MaxmemoryPolicy maxmemory_policy: Choice = "maxmemory-policy", None, M, Y, choice(MAXMEMORY_POLICY, "noeviction");
    Appendfsync appendfsync: Choice = "appendfsync", None, M, Y, choice(APPENDFSYNC, "everysec");
    OomScoreAdj oom_score_adj: Choice = "oom-score-adj", None, M, N, choice(OOM_SCORE_ADJ, "no");
    AclPubsubDefault acl_pubsub_default: Choice = "acl-pubsub-default", None, M, N, choice(ACL_PUBSUB_DEFAULT, "resetchannels");
    SanitizeDumpPayload sanitize_dump_payload: Choice = "sanitize-dump-payload", None, M, N, choice(SANITIZE_DUMP_PAYLOAD, "no");
    EnableProtectedConfigs enable_protected_configs: Choice = "enable-protected-configs", None, IMMUTABLE, N, choice(PROTECTED_ACTION, "no");
    EnableDebugCommand enable_debug_command: Choice = "enable-debug-command", None, IMMUTABLE, Y, choice(PROTECTED_ACTION, "no");
    EnableModuleCommand enable_module_command: Choice = "enable-module-command", None, IMMUTABLE, N, choice(PROTECTED_ACTION, "no");
    ClusterPreferredEndpointType cluster_preferred_endpoint_type: Choice = "cluster-preferred-endpoint-type", None, M, N, choice(CLUSTER_PREFERRED_ENDPOINT_TYPE, "ip");
    PropagationErrorBehavior propagation_error_behavior: Choice = "propagation-error-behavior", None, M, N, choice(PROPAGATION_ERROR_BEHAVIOR, "ignore");
    ShutdownOnSigint shutdown_on_sigint: i32 = "shutdown-on-sigint", None, M, Y, flags_choice(SHUTDOWN_ON_SIG, 0, Some(check_shutdown_flags));
    ShutdownOnSigterm shutdown_on_sigterm: i32 = "shutdown-on-sigterm", None, M, Y, flags_choice(SHUTDOWN_ON_SIG, 0, Some(check_shutdown_flags));
    TlsAuthClients tls_auth_clients: Choice = "tls-auth-clients", None, M, N, choice(TLS_AUTH_CLIENTS, "yes");

    // ---- int ----
    Databases databases: usize = "databases", None, IMMUTABLE, Y, int(1, INT_MAX, 16);
    Port port: u16 = "port", None, M, Y, int(0, 65535, 6379);
    IoThreads io_threads: i32 = "io-threads", None, IMMUTABLE, N, int(1, 128, 1);
    AutoAofRewritePercentage auto_aof_rewrite_percentage: i32 = "auto-aof-rewrite-percentage", None, M, Y, int(0, INT_MAX, 100);
    ClusterReplicaValidityFactor cluster_replica_validity_factor: i32 = "cluster-replica-validity-factor", Some("cluster-slave-validity-factor"), M, N, int(0, INT_MAX, 10);
    ListMaxListpackSize list_max_listpack_size: i32 = "list-max-listpack-size", Some("list-max-ziplist-size"), M, Y, int(INT_MIN, INT_MAX, -2);
    TcpKeepalive tcp_keepalive: i32 = "tcp-keepalive", None, M, Y, int(0, INT_MAX, 300);
    ClusterMigrationBarrier cluster_migration_barrier: i32 = "cluster-migration-barrier", None, M, N, int(0, INT_MAX, 1);
    ActiveDefragCycleMin active_defrag_cycle_min: i32 = "active-defrag-cycle-min", None, M, N, int(1, 99, 1);
    ActiveDefragCycleMax active_defrag_cycle_max: i32 = "active-defrag-cycle-max", None, M, N, int(1, 99, 25);
    ActiveDefragThresholdLower active_defrag_threshold_lower: i32 = "active-defrag-threshold-lower", None, M, N, int(0, 1000, 10);
    ActiveDefragThresholdUpper active_defrag_threshold_upper: i32 = "active-defrag-threshold-upper", None, M, N, int(0, 1000, 100);
    LfuLogFactor lfu_log_factor: i32 = "lfu-log-factor", None, M, Y, int(0, INT_MAX, 10);
    LfuDecayTime lfu_decay_time: i32 = "lfu-decay-time", None, M, Y, int(0, INT_MAX, 1);
    ReplicaPriority replica_priority: i32 = "replica-priority", Some("slave-priority"), M, Y, int(0, INT_MAX, 100);
    ReplDisklessSyncDelay repl_diskless_sync_delay: i32 = "repl-diskless-sync-delay", None, M, Y, int(0, INT_MAX, 5);
    MaxmemorySamples maxmemory_samples: i32 = "maxmemory-samples", None, M, Y, int(1, INT_MAX, 5);
    MaxmemoryEvictionTenacity maxmemory_eviction_tenacity: i32 = "maxmemory-eviction-tenacity", None, M, Y, int(0, 100, 10);
    Timeout timeout: i32 = "timeout", None, M, Y, int(0, INT_MAX, 0);
    ReplicaAnnouncePort replica_announce_port: i32 = "replica-announce-port", Some("slave-announce-port"), M, Y, int(0, 65535, 0);
    TcpBacklog tcp_backlog: i32 = "tcp-backlog", None, IMMUTABLE, Y, int(0, INT_MAX, 511);
    ClusterPort cluster_port: i32 = "cluster-port", None, IMMUTABLE, N, int(0, 65535, 0);
    ClusterAnnounceBusPort cluster_announce_bus_port: i32 = "cluster-announce-bus-port", None, M, N, int(0, 65535, 0);
    ClusterAnnouncePort cluster_announce_port: i32 = "cluster-announce-port", None, M, N, int(0, 65535, 0);
    ClusterAnnounceTlsPort cluster_announce_tls_port: i32 = "cluster-announce-tls-port", None, M, N, int(0, 65535, 0);
    ReplTimeout repl_timeout: i32 = "repl-timeout", None, M, Y, int(1, INT_MAX, 60);
    ReplPingReplicaPeriod repl_ping_replica_period: i32 = "repl-ping-replica-period", Some("repl-ping-slave-period"), M, Y, int(1, INT_MAX, 10);
    ListCompressDepth list_compress_depth: i32 = "list-compress-depth", None, M, N, int(0, INT_MAX, 0);
    RdbKeySaveDelay rdb_key_save_delay: i32 = "rdb-key-save-delay", None, HIDDEN, N, int(INT_MIN, INT_MAX, 0);
    KeyLoadDelay key_load_delay: i32 = "key-load-delay", None, HIDDEN, N, int(INT_MIN, INT_MAX, 0);
    ActiveExpireEffort active_expire_effort: i32 = "active-expire-effort", None, M, Y, int(1, 10, 1);
    Hz hz: i32 = "hz", None, M, Y, int(0, INT_MAX, 10);
    MinReplicasToWrite min_replicas_to_write: i32 = "min-replicas-to-write", Some("min-slaves-to-write"), M, Y, int(0, INT_MAX, 0);
    MinReplicasMaxLag min_replicas_max_lag: i32 = "min-replicas-max-lag", Some("min-slaves-max-lag"), M, Y, int(0, INT_MAX, 10);
    WatchdogPeriod watchdog_period: i32 = "watchdog-period", None, HIDDEN, N, int(0, INT_MAX, 0);
    ShutdownTimeout shutdown_timeout: i32 = "shutdown-timeout", None, M, Y, int(0, INT_MAX, 10);
    ReplDisklessSyncMaxReplicas repl_diskless_sync_max_replicas: i32 = "repl-diskless-sync-max-replicas", None, M, Y, int(0, INT_MAX, 0);
    TlsPort tls_port: i32 = "tls-port", None, M, N, int(0, 65535, 0);
    TlsSessionCacheSize tls_session_cache_size: i32 = "tls-session-cache-size", None, M, N, int(0, INT_MAX, 20480);
    TlsSessionCacheTimeout tls_session_cache_timeout: i32 = "tls-session-cache-timeout", None, M, N, int(0, INT_MAX, 300);

    // ---- unsigned int ----
    Maxclients maxclients: u32 = "maxclients", None, M, Y, uint(1, UINT_MAX, 10000);
    Unixsocketperm unixsocketperm: u32 = "unixsocketperm", None, IMMUTABLE, Y, octal(0, 0o777, 0);
    SocketMarkId socket_mark_id: u32 = "socket-mark-id", None, IMMUTABLE, N, uint(0, UINT_MAX, 0);

    // ---- unsigned long ----
    ActiveDefragMaxScanFields active_defrag_max_scan_fields: u64 = "active-defrag-max-scan-fields", None, M, N, int(1, LONG_MAX, 1000);
    SlowlogMaxLen slowlog_max_len: u64 = "slowlog-max-len", None, M, Y, int(0, LONG_MAX, 128);
    AcllogMaxLen acllog_max_len: u64 = "acllog-max-len", None, M, N, int(0, LONG_MAX, 128);

    // ---- long long ----
    BusyReplyThreshold busy_reply_threshold: i64 = "busy-reply-threshold", Some("lua-time-limit"), M, Y, int(0, LONG_MAX, 5000);
    ClusterNodeTimeout cluster_node_timeout: i64 = "cluster-node-timeout", None, M, N, int(0, LONG_MAX, 15000);
    SlowlogLogSlowerThan slowlog_log_slower_than: i64 = "slowlog-log-slower-than", None, M, Y, int(-1, LONG_MAX, 10000);
    LatencyMonitorThreshold latency_monitor_threshold: i64 = "latency-monitor-threshold", None, M, Y, int(0, LONG_MAX, 0);
    ProtoMaxBulkLen proto_max_bulk_len: i64 = "proto-max-bulk-len", None, M, Y, mem(1024 * 1024, LONG_MAX, 512 * 1024 * 1024);
    StreamNodeMaxEntries stream_node_max_entries: i64 = "stream-node-max-entries", None, M, Y, int(0, LONG_MAX, 100);
    ReplBacklogSize repl_backlog_size: i64 = "repl-backlog-size", None, M, Y, mem(1, LONG_MAX, 1024 * 1024);

    // ---- unsigned long long ----
    Maxmemory maxmemory: u64 = "maxmemory", None, M, Y, memu(0, ULLONG_MAX, 0);
    ClusterLinkSendbufLimit cluster_link_sendbuf_limit: u64 = "cluster-link-sendbuf-limit", None, M, N, memu(0, ULLONG_MAX, 0);

    // ---- size_t / ssize_t ----
    HashMaxListpackEntries hash_max_listpack_entries: u64 = "hash-max-listpack-entries", Some("hash-max-ziplist-entries"), M, Y, uint(0, LONG_MAX, 512);
    SetMaxIntsetEntries set_max_intset_entries: u64 = "set-max-intset-entries", None, M, Y, uint(0, LONG_MAX, 512);
    SetMaxListpackEntries set_max_listpack_entries: u64 = "set-max-listpack-entries", None, M, Y, uint(0, LONG_MAX, 128);
    SetMaxListpackValue set_max_listpack_value: u64 = "set-max-listpack-value", None, M, Y, uint(0, LONG_MAX, 64);
    ZsetMaxListpackEntries zset_max_listpack_entries: u64 = "zset-max-listpack-entries", Some("zset-max-ziplist-entries"), M, Y, uint(0, LONG_MAX, 128);
    ActiveDefragIgnoreBytes active_defrag_ignore_bytes: u64 = "active-defrag-ignore-bytes", None, M, N, memu(1, LONG_MAX, 100 << 20);
    HashMaxListpackValue hash_max_listpack_value: u64 = "hash-max-listpack-value", Some("hash-max-ziplist-value"), M, Y, memu(0, LONG_MAX, 64);
    StreamNodeMaxBytes stream_node_max_bytes: u64 = "stream-node-max-bytes", None, M, Y, memu(0, LONG_MAX, 4096);
    ZsetMaxListpackValue zset_max_listpack_value: u64 = "zset-max-listpack-value", Some("zset-max-ziplist-value"), M, Y, memu(0, LONG_MAX, 64);
    HllSparseMaxBytes hll_sparse_max_bytes: u64 = "hll-sparse-max-bytes", None, M, Y, memu(0, LONG_MAX, 3000);
    TrackingTableMaxKeys tracking_table_max_keys: u64 = "tracking-table-max-keys", None, M, Y, uint(0, LONG_MAX, 1_000_000);
    ClientQueryBufferLimit client_query_buffer_limit: u64 = "client-query-buffer-limit", None, M, Y, memu(1024 * 1024, LONG_MAX, 1024 * 1024 * 1024);
    MaxmemoryClients maxmemory_clients: i64 = "maxmemory-clients", None, M, N, mem_percent(-100, LONG_MAX, 0);

    // ---- time_t / off_t ----
    ReplBacklogTtl repl_backlog_ttl: i64 = "repl-backlog-ttl", None, M, Y, int(0, LONG_MAX, 3600);
    AutoAofRewriteMinSize auto_aof_rewrite_min_size: i64 = "auto-aof-rewrite-min-size", None, M, Y, mem(0, LONG_MAX, 64 * 1024 * 1024);
    LoadingProcessEventsIntervalBytes loading_process_events_interval_bytes: i64 = "loading-process-events-interval-bytes", None, HIDDEN, N, int(1024, INT_MAX, 2 * 1024 * 1024);

    // ---- special ----
    Dir dir: String = "dir", None, PROTECTED | DENY_LOADING, Y, Kind::Special(Special::Dir);
    Save save: Vec<(i64, i32)> = "save", None, M, Y, Kind::Special(Special::Save);
    ClientOutputBufferLimit client_output_buffer_limit: [Cobl; 3] = "client-output-buffer-limit", None, M, Y, Kind::Special(Special::Cobl);
    OomScoreAdjValues oom_score_adj_values: [i32; 3] = "oom-score-adj-values", None, M, N, Kind::Special(Special::OomValues);
    NotifyKeyspaceEvents notify_keyspace_events: u32 = "notify-keyspace-events", None, M, Y, Kind::Special(Special::Notify);
    Bind bind: Vec<String> = "bind", None, M, Y, Kind::Special(Special::Bind);
    Replicaof replicaof: Option<(String, u16)> = "replicaof", Some("slaveof"), IMMUTABLE, Y, Kind::Special(Special::ReplicaOf);
    LatencyTrackingInfoPercentiles latency_tracking_info_percentiles: Vec<f64> = "latency-tracking-info-percentiles", None, M, Y, Kind::Special(Special::Percentiles);
}

// Enum name lists, in Redis' order (the order shows in error messages).
// Values are only compared with each other: names sharing a value are
// synonyms, and the first name of a value is the one printed.
pub const SUPERVISED: &[(&str, i32)] = &[("upstart", 0), ("systemd", 1), ("auto", 2), ("no", 3)];
pub const SYSLOG_FACILITY: &[(&str, i32)] = &[
    ("user", 0),
    ("local0", 1),
    ("local1", 2),
    ("local2", 3),
    ("local3", 4),
    ("local4", 5),
    ("local5", 6),
    ("local6", 7),
    ("local7", 8),
];
pub const REPL_DISKLESS_LOAD: &[(&str, i32)] = &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
pub const LOGLEVEL: &[(&str, i32)] = &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];
pub const MAXMEMORY_POLICY: &[(&str, i32)] = &[
    ("volatile-lru", 0),
    ("volatile-lfu", 1),
    ("volatile-random", 2),
    ("volatile-ttl", 3),
    ("allkeys-lru", 4),
    ("allkeys-lfu", 5),
    ("allkeys-random", 6),
    ("noeviction", 7),
];
pub const APPENDFSYNC: &[(&str, i32)] = &[("everysec", 0), ("always", 1), ("no", 2)];
pub const OOM_SCORE_ADJ: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
pub const ACL_PUBSUB_DEFAULT: &[(&str, i32)] = &[("allchannels", 0), ("resetchannels", 1)];
pub const SANITIZE_DUMP_PAYLOAD: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("clients", 2)];
pub const PROTECTED_ACTION: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("local", 2)];
pub const CLUSTER_PREFERRED_ENDPOINT_TYPE: &[(&str, i32)] = &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
pub const PROPAGATION_ERROR_BEHAVIOR: &[(&str, i32)] = &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];
/// Flags of `shutdown-on-sigint` / `shutdown-on-sigterm` (SHUTDOWN_* in Redis).
pub const SHUTDOWN_ON_SIG: &[(&str, i32)] = &[("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8)];
pub const TLS_AUTH_CLIENTS: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("optional", 2)];
