//! Where the workers are: timely's cluster configuration from the same words timely's
//! own programs take (`-w` workers per process, `-p` this process, `-n` processes,
//! `-h` a hostfile of `host:port` lines, one per process).

use std::path::Path;

use timely::{CommunicationConfig, Config, WorkerConfig};

use crate::error::ClusterError;

/// The workers of one search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Worker threads per process.
    pub workers: usize,
    /// This process's index.
    pub process: usize,
    /// Every process's `host:port`, by index (empty: one process).
    pub addresses: Vec<String>,
}

impl Cluster {
    /// One process with `workers` threads.
    pub fn local(workers: usize) -> Cluster {
        Cluster {
            workers: workers.max(1),
            process: 0,
            addresses: Vec::new(),
        }
    }

    /// Process `process` of `processes`, their addresses in `hostfile` (its first
    /// `processes` lines), as timely's `-p`, `-n`, `-h` give them; without a hostfile,
    /// processes listen on localhost ports 2101, 2102, ... as timely's default.
    pub fn new(
        workers: usize,
        process: usize,
        processes: usize,
        hostfile: Option<&Path>,
    ) -> Result<Cluster, ClusterError> {
        if workers == 0 || processes == 0 {
            return Err(ClusterError::Config(
                "-w and -n must be at least 1".to_string(),
            ));
        }
        if process >= processes {
            return Err(ClusterError::Config(format!(
                "-p {process} is not a process of -n {processes} (they count from 0)"
            )));
        }
        let addresses = match hostfile {
            None if processes == 1 => Vec::new(),
            None => (0..processes)
                .map(|i| format!("localhost:{}", 2101 + i))
                .collect(),
            Some(path) => hosts(path, processes)?,
        };
        Ok(Cluster {
            workers,
            process,
            addresses,
        })
    }

    /// Processes in the cluster.
    pub fn processes(&self) -> usize {
        self.addresses.len().max(1)
    }

    /// Timely's configuration.
    pub(crate) fn config(&self) -> Config {
        let communication = if self.addresses.len() > 1 {
            CommunicationConfig::Cluster {
                threads: self.workers,
                process: self.process,
                addresses: self.addresses.clone(),
                report: false,
                zerocopy: false,
            }
        } else if self.workers > 1 {
            CommunicationConfig::Process(self.workers)
        } else {
            CommunicationConfig::Thread
        };
        Config {
            communication,
            worker: WorkerConfig::default(),
        }
    }
}

/// The first `n` `host:port` lines of `path` (blank lines and `#` comments skipped).
fn hosts(path: &Path, n: usize) -> Result<Vec<String>, ClusterError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ClusterError::Config(format!("cannot read hostfile {}: {e}", path.display()))
    })?;
    let mut out = Vec::new();
    for (k, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let ok = line
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !ok {
            return Err(ClusterError::Config(format!(
                "{}:{}:1: expected host:port, found `{line}`",
                path.display(),
                k + 1
            )));
        }
        if out.len() < n {
            out.push(line.to_string());
        }
    }
    if out.len() < n {
        return Err(ClusterError::Config(format!(
            "hostfile {} names {} processes, -n asks for {n}",
            path.display(),
            out.len()
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostfile_gives_the_first_n_addresses_and_refuses_a_bad_line_with_its_place() {
        let dir = std::env::temp_dir().join(format!("faultline-cluster-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let good = dir.join("good");
        std::fs::write(&good, "# nodes\nnode1:2101\n\nnode2:2101\nnode3:2101\n").expect("writes");
        let c = Cluster::new(2, 1, 2, Some(&good)).expect("parses");
        assert_eq!(c.addresses, ["node1:2101", "node2:2101"]);
        assert_eq!(c.processes(), 2);
        let bad = dir.join("bad");
        std::fs::write(&bad, "node1:2101\nnode2\n").expect("writes");
        let e = Cluster::new(1, 0, 2, Some(&bad)).expect_err("refused");
        assert!(
            e.to_string()
                .ends_with("bad:2:1: expected host:port, found `node2`"),
            "{e}"
        );
        let e = Cluster::new(1, 0, 4, Some(&good)).expect_err("too few");
        assert!(
            e.to_string().ends_with("names 3 processes, -n asks for 4"),
            "{e}"
        );
        assert!(Cluster::new(1, 2, 2, None).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
