//! Every output file is written the same way: into a temporary file in the target's
//! directory, then renamed over the name. The rename replaces a symlink at that name
//! rather than writing through it, a failed or interrupted write never leaves a
//! partial file under the final name, and concurrent writers each leave a whole file.

use std::io::Write;
use std::path::Path;

use crate::error::CliError;
use crate::output::write_error;

/// Writes `bytes` to `path` atomically (see the module comment).
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    // A device or FIFO named on purpose (`-o /dev/stdout`, `/dev/full`) is written
    // to, never replaced by a regular file.
    if let Ok(m) = std::fs::symlink_metadata(path) {
        let t = m.file_type();
        if !t.is_file() && !t.is_symlink() && !t.is_dir() {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|mut f| f.write_all(bytes))
                .map_err(|e| write_error(path, e));
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".faultline-")
        .tempfile_in(dir)
        .map_err(|e| write_error(path, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_data())
        .map_err(|e| write_error(path, e))?;
    tmp.persist(path).map_err(|e| write_error(path, e.error))?;
    Ok(())
}

/// Refuses an output path that is one of the inputs (`export -o mine.fl --file mine.fl`).
pub(crate) fn not_an_input(out: &Path, inputs: &[std::path::PathBuf]) -> Result<(), CliError> {
    let Ok(o) = out.canonicalize() else {
        return Ok(()); // it does not exist yet
    };
    match inputs
        .iter()
        .find(|i| i.canonicalize().is_ok_and(|c| c == o))
    {
        Some(i) => Err(CliError::Usage(
            format!(
                "the output {} is the input file {}; write elsewhere",
                out.display(),
                i.display()
            ),
            "faultline export --help",
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlink_at_the_output_name_is_replaced_not_written_through() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let victim = tmp.path().join("keep.txt");
        std::fs::write(&victim, "precious").expect("write");
        let out = tmp.path().join("out.dot");
        std::os::unix::fs::symlink(&victim, &out).expect("symlink");
        write_file(&out, b"digraph {}").expect("writes");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
        assert_eq!(std::fs::read_to_string(&out).expect("read"), "digraph {}");
        assert!(!out.is_symlink());
    }

    #[test]
    fn a_device_named_as_output_is_written_to_not_replaced() {
        let e = write_file(Path::new("/dev/full"), b"x").expect_err("the disk is full");
        assert!(e.to_string().contains("No space left"), "{e}");
        assert!(!Path::new("/dev/full").is_file());
        write_file(Path::new("/dev/null"), b"x").expect("writes");
        assert!(!Path::new("/dev/null").is_file());
    }

    #[test]
    fn a_failed_write_leaves_no_file_under_the_final_name() {
        let out = Path::new("/dev/full-dir-does-not-exist/x.dot");
        assert!(write_file(out, b"x").is_err());
        assert!(!out.exists());
        // No leftover temporary files in a directory that refuses the write either.
        let tmp = tempfile::tempdir().expect("tempdir");
        let sub = tmp.path().join("sub");
        std::fs::create_dir(&sub).expect("mkdir");
        write_file(&sub.join("a.dot"), b"1").expect("writes");
        let names: Vec<_> = std::fs::read_dir(&sub)
            .expect("ls")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from("a.dot")]);
    }
}
