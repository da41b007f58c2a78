//! Propagation: every change to the dataset reaches the AOF (and, once
//! replication exists, replicas) as a command that replays to the same
//! result (Redis's alsoPropagate / propagatePendingCommands / propagateNow).
//!
//! `Server::call` collects the ops of one *execution unit* (a client
//! command, with everything it runs: the commands of an EXEC, the
//! `redis.call`s of a script, the lazy expiry of the keys it touched) in
//! `Propagation::pending`. When the outermost call returns, the ops go out,
//! wrapped in MULTI/EXEC when there is more than one, so a replay applies
//! them atomically as the original did. A command that changed the dataset
//! (`Server::dirty` grew) is propagated as it was called, or in the
//! deterministic form it chose with `Ctx::propagate_as` (relative TTLs as
//! absolute times, random picks as what was picked, ...).

use crate::cmd::Ctx;
use crate::resp::OwnedArgv;
use crate::server::Server;

/// Targets of an op (Redis's PROPAGATE_AOF / PROPAGATE_REPL).
pub const AOF: u8 = 1;
pub const REPL: u8 = 2;
pub const ALL: u8 = AOF | REPL;

/// A number as a propagated command carries it (absolute times, counts).
pub fn num(v: i64) -> Vec<u8> {
    v.to_string().into_bytes()
}

/// One command to propagate.
pub struct PropOp {
    pub db: usize,
    pub argv: OwnedArgv,
    pub target: u8,
}

/// How the running command is propagated if it changed the dataset.
#[derive(Default)]
pub enum PropagateAs {
    /// As it was called.
    #[default]
    Argv,
    /// In a deterministic form the command chose.
    Rewritten(OwnedArgv),
    /// Not at all: what it did is propagated otherwise (EXEC and scripts
    /// propagate their commands; some commands propagate several ops).
    Nothing,
}

#[derive(Default)]
pub struct Propagation {
    /// Ops of the running execution unit, in order.
    pub pending: Vec<PropOp>,
    /// Nesting of `Server::call` (Redis's execution_nesting).
    pub depth: u32,
}

impl Ctx<'_> {
    /// Propagate this command as `args` (in the selected db) instead of as
    /// it was called, if it changes the dataset.
    pub fn propagate_as<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        if !self.srv.propagating() {
            return;
        }
        self.prop = PropagateAs::Rewritten(OwnedArgv::from_slices(args.iter().map(AsRef::as_ref)));
    }

    /// Propagate this command even if it changed nothing (Redis's
    /// forceCommandPropagation).
    pub fn force_propagation(&mut self) {
        self.force_prop = ALL;
    }

    /// The same, to replicas only (PUBLISH: Redis's
    /// forceCommandPropagation(c, PROPAGATE_REPL)).
    pub fn force_propagation_to_replicas(&mut self) {
        self.force_prop |= REPL;
    }

    /// Don't propagate this command itself (Redis's preventCommandPropagation).
    pub fn prevent_propagation(&mut self) {
        self.prop = PropagateAs::Nothing;
    }
}

impl Server {
    /// Whether anything consumes propagated ops: without an AOF, replicas
    /// or a backlog, no op is built at all, so writes pay nothing for it.
    #[inline]
    pub fn propagating(&self) -> bool {
        self.loading.is_none()
            && (self.aof.state != crate::aof::AofState::Off
                || (!self.has_master() && (self.repl.backlog.is_some() || !self.repl.replicas.is_empty())))
    }

    /// Queues an op of the running execution unit; outside of one (active
    /// expiry, cron) it goes out at once.
    pub fn also_propagate<A: AsRef<[u8]>>(&mut self, db: usize, args: &[A], target: u8) {
        if !self.propagating() {
            // Replaying a file or loading a snapshot writes nothing back.
            return;
        }
        let argv = OwnedArgv::from_slices(args.iter().map(AsRef::as_ref));
        self.prop.pending.push(PropOp { db, argv, target });
        if self.prop.depth == 0 {
            self.propagate_pending();
        }
    }

    /// An expired key: the AOF and replicas delete it explicitly, at once,
    /// ahead of the ops of the command that found it expired, and outside
    /// any MULTI/EXEC block (Redis 7.0's propagateDeletion).
    pub fn propagate_deletion(&mut self, db: usize, key: &[u8], lazy: bool) {
        if !self.propagating() {
            return;
        }
        let del: &[u8] = if lazy { b"UNLINK" } else { b"DEL" };
        self.propagate_now(db, &OwnedArgv::from_slices([del, key].into_iter()), ALL);
    }

    /// Called by `call` after the handler: the op of the command itself,
    /// to `targets` (none when it changed nothing and was not forced).
    pub fn propagate_command(&mut self, db: usize, argv: &crate::resp::Argv, how: PropagateAs, targets: u8) {
        if targets == 0 || !self.propagating() {
            return;
        }
        let argv = match how {
            PropagateAs::Argv => OwnedArgv::from_argv(argv),
            PropagateAs::Rewritten(a) => a,
            PropagateAs::Nothing => return,
        };
        // A script's commands go where `redis.set_repl` says (Redis masks
        // the call flags of scriptCall, so only the command's own op).
        let target = self.scripting.run.as_ref().map_or(ALL, |r| r.repl) & targets;
        if target == 0 {
            return;
        }
        self.prop.pending.push(PropOp { db, argv, target });
    }

    /// Sends the ops of a finished execution unit to their targets, as one
    /// MULTI/EXEC block when there are several.
    pub fn propagate_pending(&mut self) {
        if self.prop.pending.is_empty() {
            return;
        }
        let ops = std::mem::take(&mut self.prop.pending);
        let transaction = ops.len() > 1;
        if transaction {
            self.propagate_now(ops[0].db, &OwnedArgv::from_slices([&b"MULTI"[..]].into_iter()), ALL);
        }
        for op in &ops {
            self.propagate_now(op.db, &op.argv, op.target);
        }
        if transaction {
            let last = ops.last().map_or(0, |o| o.db);
            self.propagate_now(last, &OwnedArgv::from_slices([&b"EXEC"[..]].into_iter()), ALL);
        }
        let mut ops = ops;
        ops.clear();
        if self.prop.pending.is_empty() {
            // Keep the allocation for the next unit.
            self.prop.pending = ops;
        }
    }

    fn propagate_now(&mut self, db: usize, argv: &OwnedArgv, target: u8) {
        if target & AOF != 0 {
            self.aof_feed(db, argv);
        }
        if crate::replication::goes_to_replicas(target) {
            // Without a backlog or replicas an op only moves the offset,
            // and only when it also went to the AOF (Redis's
            // shouldPropagate): that offset is what WAITAOF waits on.
            let stream = self.repl.backlog.is_some() || !self.repl.replicas.is_empty();
            if stream || (target & AOF != 0 && self.aof.state != crate::aof::AofState::Off) {
                self.repl_propagate(db, argv);
            }
        }
    }
}
