//! `rustha-metadata`: render the meta-data XML or man page of any rustha resource agent, from the
//! same description the agent itself uses (packaging and docs call this).

use ocf_metadata::{agents, man, xml, OcfVersion};
use std::process::ExitCode;

const USAGE: &str = "usage: rustha-metadata list | xml AGENT [1.0|1.1] | man AGENT";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let find = |name: &str| agents::all().into_iter().find(|a| a.name == name);
    let out = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["list"] => Some(
            agents::all()
                .iter()
                .map(|a| format!("{}\n", a.name))
                .collect(),
        ),
        ["xml", name] | ["xml", name, "1.0"] => {
            find(name).map(|a| xml::render(a, OcfVersion::V1_0))
        }
        ["xml", name, "1.1"] => find(name).map(|a| xml::render(a, OcfVersion::V1_1)),
        ["man", name] => find(name).map(|a| man::render(a, "rustha")),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match out {
        Some(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        None => {
            eprintln!(
                "rustha-metadata: unknown agent {:?}; known: {}",
                args.get(1).map(String::as_str).unwrap_or(""),
                agents::all()
                    .iter()
                    .map(|a| a.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            ExitCode::from(1)
        }
    }
}
