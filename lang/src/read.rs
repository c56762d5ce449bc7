//! Reading a user's file: only a regular file (a FIFO would block forever, `/dev/zero`
//! never ends), at most [`MAX_FILE_BYTES`], UTF-8 with the first bad byte's
//! `line:col`. Every reader of `.fl` files and shard documents calls [`read_text`].

use std::io::Read;
use std::path::Path;

/// Largest file read: 64 MiB (the whole catalog is under 200 KiB).
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// The text of the regular file `path` (a symlink to one is fine), or one line why not.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    let bad = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg);
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(bad(if meta.is_dir() {
            "is a directory, not a file".into()
        } else {
            "not a regular file (a FIFO, socket or device)".into()
        }));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(bad(format!("larger than {} MiB", MAX_FILE_BYTES >> 20)));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let col = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
        bad(format!("{line}:{col}: not UTF-8 text"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_a_device_and_a_directory_are_refused_without_blocking_or_reading() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fifo = tmp.path().join("fifo.fl");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let e = read_text(&fifo).expect_err("a FIFO");
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let e = read_text(Path::new("/dev/zero")).expect_err("a device");
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let e = read_text(tmp.path()).expect_err("a directory");
        assert!(e.to_string().contains("directory"), "{e}");
    }

    #[test]
    fn non_utf8_text_names_the_line_and_column_of_the_first_bad_byte() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let f = tmp.path().join("latin1.fl");
        std::fs::write(&f, b"design d {\n\ttitle \"caf\xe9\";\n}\n").expect("write");
        let e = read_text(&f).expect_err("latin-1");
        assert_eq!(e.to_string(), "2:12: not UTF-8 text");
    }

    #[test]
    fn a_file_over_the_size_cap_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let f = tmp.path().join("big.fl");
        let file = std::fs::File::create(&f).expect("create");
        file.set_len(MAX_FILE_BYTES + 1).expect("sparse file");
        let e = read_text(&f).expect_err("too big");
        assert!(e.to_string().contains("larger than 64 MiB"), "{e}");
    }
}
