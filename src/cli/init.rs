//! `blastwall init`: writes a commented starter config for one cluster per product.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};

use super::exit;

/// The starter config: valid as written, its example names meant to be replaced.
pub const STARTER: &str = include_str!("starter.yaml");

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write the config.
    #[arg(long, value_name = "FILE", default_value = crate::config::FILE_NAME)]
    pub path: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: InitArgs) -> anyhow::Result<u8> {
    let path = &args.path;
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if args.force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
            "{} exists; not overwritten (use --force to replace it)",
            path.display()
        ),
        Err(e) => return Err(e).with_context(|| format!("cannot write {}", path.display())),
    };
    file.write_all(STARTER.as_bytes())
        .and_then(|()| file.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "wrote {}: replace the example products, groups and ARNs with yours",
        path.display()
    );
    Ok(exit::CLEAN)
}

#[cfg(test)]
mod tests {
    use super::STARTER;

    #[test]
    fn starter_config_loads_with_the_real_loader() {
        let config = crate::config::parse(".blastwall.yaml", STARTER.to_string())
            .unwrap_or_else(|e| panic!("{}", e.render(false)));
        assert_eq!(config.cluster.product.as_deref(), Some("shop"));
        assert!(config.products.contains_key("shop"));
    }
}
