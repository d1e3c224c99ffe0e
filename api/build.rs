//! Embeds the console's committed build (`console/dist`, made by `npm run build` in `console/`) into the binary, so
//! that a machine with only the Rust toolchain serves the console: writes `$OUT_DIR/console_assets.rs`, one
//! `include_bytes!` per file. Without a build there, the list is empty and `/console` says how to make one.
use std::{env, fs, path::Path};

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../console/dist");
    // A directory here makes cargo look at every file under it for a change.
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    if dist.is_dir() {
        walk(&dist, &dist, &mut files);
    }
    files.sort();
    let mut out = String::from("/// The console's files: (path under `/console/`, bytes).\npub static ASSETS: &[(&str, &[u8])] = &[\n");
    for (rel, abs) in &files {
        // Each file too: a file removed by a new build (its hash changed) makes cargo run this again.
        println!("cargo:rerun-if-changed={abs}");
        out.push_str(&format!("    ({rel:?}, include_bytes!({abs:?})),\n"));
    }
    out.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("console_assets.rs"), out).unwrap();
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(root, &path, files);
        } else {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            files.push((rel, path.canonicalize().unwrap().to_string_lossy().into_owned()));
        }
    }
}
