//! Files that hold run data — request logs, reports, the history — created readable and
//! writable by their owner only: they name the servers tested and what they answered.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// The mode of such a file where permissions are Unix's.
pub const FILE_MODE: u32 = 0o600;

/// Creates (or truncates) `path` for writing, owner-only: a new file is created with that
/// mode, and an existing one is given it, whatever it had.
pub fn create(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    let file = options.open(path)?;
    restrict(&file)?;
    Ok(file)
}

/// Gives an open file the owner-only mode (a file created with another mode before). A file
/// of another user's, which only its owner may change, is left as it is: that user can read it
/// anyway; and so is anything but a regular file.
pub fn restrict(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = file.metadata()?;
        // Only a file of its own: a log pointed at a device (/dev/null) leaves the device be.
        if metadata.is_file() && metadata.permissions().mode() & 0o777 != FILE_MODE {
            match file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE)) {
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {}
                other => other?,
            }
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn new_and_existing_files_end_up_owner_only() {
        let dir = std::env::temp_dir().join(format!("loadcase-private-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let new = dir.join("new.jsonl");
        let _ = std::fs::remove_file(&new);
        create(&new).unwrap();
        assert_eq!(mode(&new), 0o600);
        let old = dir.join("old.jsonl");
        std::fs::write(&old, "before").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        create(&old).unwrap();
        assert_eq!(mode(&old), 0o600);
        assert_eq!(std::fs::read(&old).unwrap(), b"", "truncated");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
