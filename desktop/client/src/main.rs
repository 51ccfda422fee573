//! `pint`: the command line face of the local engine, on the same database as the app.

use anyhow::Context;
use pint_client::{Engine, data_dir};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = data_dir::resolve().context("no data directory: set PINT_DATA_DIR or HOME")?;
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["data-dir"] => println!("{}", dir.display()),
        ["list"] => {
            let engine = Engine::open(&dir)?;
            for d in engine.store().list()? {
                println!("{}\t{}", d.id, d.title);
            }
        }
        ["show", id] => {
            let mut engine = Engine::open(&dir)?;
            let id = id.parse()?;
            print!("{}", engine.view(id)?.body);
        }
        _ => {
            eprintln!("usage: pint data-dir | list | show ID");
            std::process::exit(2);
        }
    }
    Ok(())
}
