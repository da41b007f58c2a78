//! Runs the Tcl compatibility suite (`tcl-compat/run.tcl`) against the
//! `fastkey-server` binary built by Cargo.
//!
//! Needs `tclsh` (Tcl 8.6) on the PATH, or its path in `TCLSH`. Extra
//! arguments for `run.tcl` can be given in `FASTKEY_TCL_ARGS`, separated by
//! whitespace, e.g. `FASTKEY_TCL_ARGS="--single unit/harness --verbose"`.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;

/// Prints every line of `stream` as it arrives, through the test harness's
/// output capture (`println!`/`eprintln!`), so it shows up on failure or
/// with `--nocapture`.
fn forward_lines<R: Read>(stream: R, to_stderr: bool) {
    let mut reader = BufReader::new(stream);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf);
                let line = line.trim_end_matches(['\r', '\n']);
                if to_stderr {
                    eprintln!("{line}");
                } else {
                    println!("{line}");
                }
            }
            Err(e) => {
                eprintln!("error reading the output of run.tcl: {e}");
                break;
            }
        }
    }
}

/// Tests tagged with these need features fastkey does not have yet; they
/// are written against Redis's behaviour and run as soon as a tag is
/// removed from this list (with the feature that makes them pass). Setting
/// `--tags` in FASTKEY_TCL_ARGS replaces this filter.
const NOT_YET_IMPLEMENTED: &[&str] = &[];

#[test]
fn tcl_compat_suite() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let server_bin = env!("CARGO_BIN_EXE_fastkey-server");
    let tclsh = std::env::var_os("TCLSH").unwrap_or_else(|| "tclsh".into());
    let extra_args: Vec<String> = std::env::var("FASTKEY_TCL_ARGS")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();

    let tag_filter: Vec<String> = if extra_args.iter().any(|a| a == "--tags") {
        Vec::new()
    } else {
        let excluded: Vec<String> = NOT_YET_IMPLEMENTED.iter().map(|t| format!("-{t}")).collect();
        vec!["--tags".to_string(), excluded.join(" ")]
    };

    let mut command = Command::new(&tclsh);
    command
        .arg(root.join("tcl-compat").join("run.tcl"))
        .arg("--server-bin")
        .arg(server_bin)
        .args(["--clients", "2"])
        .args(&tag_filter)
        .args(&extra_args)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());

    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{}` was not found: the Tcl compatibility suite needs Tcl 8.6 \
             (install it with `apt-get install tcl`, or set TCLSH to the path of tclsh)",
            tclsh.to_string_lossy()
        ),
        Err(e) => panic!("could not start `{}`: {e}", tclsh.to_string_lossy()),
    };

    let stdout = child.stdout.take().expect("stdout of run.tcl is piped");
    let stderr = child.stderr.take().expect("stderr of run.tcl is piped");
    let stderr_thread = thread::spawn(move || forward_lines(stderr, true));
    forward_lines(stdout, false);
    stderr_thread
        .join()
        .expect("the thread forwarding stderr of run.tcl panicked");

    let status = child.wait().expect("could not wait for run.tcl");
    assert!(
        status.success(),
        "the Tcl compatibility suite failed ({status}); see the output above"
    );
}
