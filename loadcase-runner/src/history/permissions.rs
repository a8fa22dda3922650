//! Who may read the history: its owner only. It holds every run's servers, host name, git
//! commit and command line, so its directory is made 0700 and its files 0600 before SQLite
//! opens them (SQLite gives the `-wal` and `-shm` files it creates the database's mode). The
//! workspace's `.loadcase/` is one machine's record and is kept out of git by a `.gitignore`
//! of its own.

use std::io;
use std::path::Path;

use loadcase::__private::runner::{FILE_MODE, create_private};

/// The mode of a directory the history is in, where permissions are Unix's.
pub const DIR_MODE: u32 = 0o700;

/// The name of the workspace's own directory, which is the runner's to set up.
pub const OWN_DIR: &str = ".loadcase";

/// What `.loadcase/.gitignore` says.
const GITIGNORE: &str = "# The run history of this machine, written by cargo loadrun: not for git (see its README).\n*\n";

/// Readies `path` for SQLite: its directory created owner-only (and `.loadcase/` made so, with
/// its `.gitignore`, even when it was there before), the file created owner-only if new, and
/// the file and its `-wal` and `-shm` made owner-only if an older runner left them readable.
pub fn prepare(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
        if dir.file_name().is_some_and(|name| name == OWN_DIR) {
            restrict(dir, DIR_MODE)?;
            let ignore = dir.join(".gitignore");
            if !ignore.exists() {
                std::fs::write(ignore, GITIGNORE)?;
            }
        }
    }
    if !path.exists() {
        // An empty file is a new database to SQLite.
        create_private(path)?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let file = Path::new(&file);
        if file.exists() {
            restrict(file, FILE_MODE)?;
        }
    }
    Ok(())
}

/// Creates `dir` and its missing parents, each owner-only; existing ones are left alone.
fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)
}

/// Gives `path` `mode`, unless it has it already or is neither a file nor a directory (a
/// history pointed at a device is left to the device).
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = std::fs::metadata(path)?;
        let own = metadata.is_file() || metadata.is_dir();
        if own && metadata.permissions().mode() & 0o777 != mode {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_history_and_its_directory_are_owner_only_and_out_of_git() {
        let root = std::env::temp_dir().join(format!("loadcase-perm-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let own = root.join(OWN_DIR);
        // An older runner's: readable by all.
        std::fs::create_dir_all(&own).unwrap();
        std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = own.join("history.sqlite");
        std::fs::write(&file, "").unwrap();
        let wal = own.join("history.sqlite-wal");
        std::fs::write(&wal, "").unwrap();
        for f in [&file, &wal] {
            std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        prepare(&file).unwrap();
        assert_eq!(mode(&own), 0o700);
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&wal), 0o600);
        let ignore = std::fs::read_to_string(own.join(".gitignore")).unwrap();
        assert!(ignore.lines().any(|l| l == "*"), "{ignore}");

        // Elsewhere (--history PATH): new directories owner-only, an existing one left alone.
        let elsewhere = root.join("a/b/runs.sqlite");
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        prepare(&elsewhere).unwrap();
        assert_eq!(mode(&root.join("a")), 0o700);
        assert_eq!(mode(&root.join("a/b")), 0o700);
        assert_eq!(mode(&root), 0o755, "not ours to change");
        assert_eq!(mode(&elsewhere), 0o600);
        assert!(!root.join("a/b/.gitignore").exists());
        let _ = std::fs::remove_dir_all(&root);
    }
}
