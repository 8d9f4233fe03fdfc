//! The command line: one module per subcommand, each with its arguments and a `run` function.

mod agreement;
mod classify;
mod cv;
mod eval;
mod explain;
mod train;
mod tune;
mod uncertain;

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::error::{Result, StanceError};
use crate::model::Model;

/// The default model, trained on `data/frames.csv` (see README: "Rebuild the default model").
pub static BUILTIN_MODEL: &[u8] = include_bytes!("../../models/stance.model");

#[derive(Debug, Parser)]
#[command(
    name = "stance",
    version,
    about = "Frame (economic, military, cultural, diplomatic) and tone of news text, sentence by sentence",
    long_about = "Reads news and opinion text and says, sentence by sentence, how it is framed (economic, \
military, cultural or diplomatic) and with what tone (positive, neutral, negative), then sums that up for \
the whole article. A default model is built in; train your own from a labeled CSV."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Train(train::TrainArgs),
    Classify(classify::ClassifyArgs),
    Eval(eval::EvalArgs),
    Cv(cv::CvArgs),
    Tune(tune::TuneArgs),
    Explain(explain::ExplainArgs),
    Inspect(explain::InspectArgs),
    Uncertain(uncertain::UncertainArgs),
    Agreement(agreement::AgreementArgs),
}

/// Parses the arguments and runs the subcommand.
pub fn run() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Train(args) => train::run(args),
        Command::Classify(args) => classify::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Cv(args) => cv::run(args),
        Command::Tune(args) => tune::run(args),
        Command::Explain(args) => explain::run_explain(args),
        Command::Inspect(args) => explain::run_inspect(args),
        Command::Uncertain(args) => uncertain::run(args),
        Command::Agreement(args) => agreement::run(args),
    }
}

/// The model at `path`, or the built-in one; with the name that outputs and errors use for it.
pub fn load_model(path: Option<&Path>) -> Result<(&'static Model, String)> {
    let (model, source) = match path {
        Some(path) => (Model::load(path)?, crate::error::display_path(path)),
        None => (
            Model::from_bytes(BUILTIN_MODEL, "built-in model")?,
            "built-in".to_string(),
        ),
    };
    // A command loads one model and uses it until it exits: leaked, it is never taken apart (freeing the
    // built-in model's tables cost a tenth of a short classify when its vocabulary was 240,000 strings).
    Ok((Box::leak(Box::new(model)), source))
}

/// A progress bar on stderr when it is a terminal (hidden otherwise, so logs and pipes stay clean).
pub fn progress_bar(total: u64, template: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// Writes to `path` atomically when given, else to stdout.
pub fn write_output(output: Option<&PathBuf>, text: &str) -> Result<()> {
    with_output(output, |out| {
        out.write_all(text.as_bytes())
            .map_err(|e| StanceError::io("<output>", e))
    })
}

/// Runs `write` on a buffered writer to `path` (a temporary file beside it, renamed into place only when
/// `write` succeeds, so a failure leaves no partial file) or to stdout.
pub fn with_output(
    output: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    match output {
        Some(path) => {
            let mut writer = std::io::BufWriter::new(crate::model::temp_file_beside(path)?);
            write(&mut writer)?;
            let temp = writer
                .into_inner()
                .map_err(|e| StanceError::io(path, e.into_error()))?;
            crate::model::persist_output(temp, path)
        }
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            let result = write(&mut stdout)
                .and_then(|_| stdout.flush().map_err(|e| StanceError::io("<stdout>", e)));
            match result {
                // A closed pipe (`| head`) is the reader's choice, not an error.
                Err(StanceError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::BrokenPipe =>
                {
                    Ok(())
                }
                other => other,
            }
        }
    }
}
