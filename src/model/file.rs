//! The model file: `MAGIC`, format version (u32 LE), payload length (u64 LE), payload (postcard), and a
//! CRC-32 of the payload (u32 LE). Written to a temporary file and renamed, so a crash never leaves half
//! a model; read back with a clear error for a missing, truncated, corrupted or foreign file.

use std::io::Write;
use std::path::Path;

use ndarray::{Array1, Array2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Model, TaskHead, TrainingRecord};
use crate::error::{display_path, Result, StanceError};
use crate::features::{FeatureParams, Vectorizer, Vocabulary};

pub const MAGIC: &[u8; 8] = b"STANCEMF";
/// 2: single-precision weights stored as raw bytes, hashed features, adagrad settings; 3: lexicon flag;
/// 4: the lexicon's features are four of sentiment (one fewer) and four of frame words; 5: the naive
/// Bayes weight in the training record; 6: the lead-clause flag.
pub const FORMAT_VERSION: u32 = 6;
const HEADER_LEN: usize = 8 + 4 + 8;

#[derive(Serialize, Deserialize)]
struct Payload<'a> {
    crate_version: String,
    features: FeatureParams,
    /// Borrowed from the file's bytes: no allocation per name (stored as a `Vec<String>` would be).
    #[serde(borrow)]
    vocabulary: Vec<&'a str>,
    idf: Vec<f64>,
    training: TrainingRecord,
    #[serde(borrow)]
    tasks: Vec<StoredTask<'a>>,
}

#[derive(Serialize, Deserialize)]
struct StoredTask<'a> {
    name: String,
    labels: Vec<String>,
    /// n_features × n_classes f32, row-major, little-endian bytes (written from the table's own memory,
    /// read back with one copy).
    #[serde(borrow, with = "serde_bytes")]
    weights: std::borrow::Cow<'a, [u8]>,
    intercept: Vec<f64>,
}

/// The stored bytes of a weight table: its own memory where the machine is little-endian (no copy of a
/// 150 MB table), else a little-endian copy.
fn weight_bytes(weights: &Array2<f32>) -> std::borrow::Cow<'_, [u8]> {
    match weights.as_slice() {
        Some(values) if cfg!(target_endian = "little") => bytemuck::cast_slice(values).into(),
        _ => weights
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect::<Vec<u8>>()
            .into(),
    }
}

/// Passes bytes on to `inner` while computing their CRC-32, and keeps the first I/O error (postcard
/// reports a failed write only as a full buffer).
struct ChecksumWriter<W> {
    inner: W,
    hasher: crc32fast::Hasher,
    error: Option<std::io::Error>,
}

impl<W: Write> Write for ChecksumWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self.inner.write(bytes) {
            Ok(written) => {
                self.hasher.update(&bytes[..written]);
                Ok(written)
            }
            Err(e) => {
                let kind = e.kind();
                self.error.get_or_insert(e);
                Err(kind.into())
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Model {
    /// Header, payload and checksum, in file order, streamed to `out` (no copy of the payload in memory).
    fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        let payload = self.payload();
        let encode_error =
            |e: postcard::Error| std::io::Error::other(format!("cannot encode the model: {e}"));
        let body_len =
            postcard::serialize_with_flavor(&payload, postcard::ser_flavors::Size::default())
                .map_err(encode_error)?;
        out.write_all(MAGIC)?;
        out.write_all(&FORMAT_VERSION.to_le_bytes())?;
        out.write_all(&(body_len as u64).to_le_bytes())?;
        let mut body = ChecksumWriter {
            inner: &mut *out,
            hasher: crc32fast::Hasher::new(),
            error: None,
        };
        if let Err(e) = postcard::to_io(&payload, &mut body) {
            return Err(body.error.take().unwrap_or_else(|| encode_error(e)));
        }
        let checksum = body.hasher.finalize();
        out.write_all(&checksum.to_le_bytes())
    }

    /// What the payload holds: everything but the header and checksum.
    fn payload(&self) -> Payload<'_> {
        Payload {
            crate_version: self.crate_version.clone(),
            features: self.vectorizer.params().clone(),
            vocabulary: self.vectorizer.vocabulary().iter().collect(),
            idf: self.vectorizer.idf().to_vec(),
            training: self.training.clone(),
            tasks: self
                .tasks
                .iter()
                .map(|task| StoredTask {
                    name: task.name.clone(),
                    labels: task.labels.clone(),
                    weights: weight_bytes(&task.weights),
                    intercept: task.intercept.to_vec(),
                })
                .collect(),
        }
    }

    /// The bytes of the model file.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.write_to(&mut bytes)
            .map_err(|e| StanceError::io("<memory>", e))?;
        Ok(bytes)
    }

    /// Decodes a model; `source` names it in errors.
    pub fn from_bytes(bytes: &[u8], source: &str) -> Result<Model> {
        let problem = |problem: String| StanceError::ModelFile {
            path: source.to_string(),
            problem,
        };
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(problem(
                "not a stance model file (it does not start with the stance magic bytes)".into(),
            ));
        }
        if bytes.len() < HEADER_LEN {
            return Err(problem(format!(
                "truncated model file: {} bytes, shorter than the {HEADER_LEN}-byte header",
                bytes.len()
            )));
        }
        let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        if version != FORMAT_VERSION {
            return Err(problem(format!(
                "model format version {version}; this stance {} reads version {FORMAT_VERSION}: retrain the model",
                env!("CARGO_PKG_VERSION")
            )));
        }
        let mut len_bytes = [0u8; 8];
        len_bytes.copy_from_slice(&bytes[12..20]);
        let body_len = u64::from_le_bytes(len_bytes);
        let expected = (HEADER_LEN as u64)
            .saturating_add(body_len)
            .saturating_add(4);
        if (bytes.len() as u64) < expected {
            return Err(problem(format!(
                "truncated model file: {} bytes, the header promises {expected}",
                bytes.len()
            )));
        }
        if (bytes.len() as u64) > expected {
            return Err(problem(format!(
                "corrupted model file: {} bytes, the header promises {expected}",
                bytes.len()
            )));
        }
        let body = &bytes[HEADER_LEN..bytes.len() - 4];
        let mut crc_bytes = [0u8; 4];
        crc_bytes.copy_from_slice(&bytes[bytes.len() - 4..]);
        // The checksum and the decoding run side by side; a mismatch wins over any decoding error.
        let (checksum, decoded) = rayon::join(
            || crc32fast::hash(body),
            || {
                postcard::from_bytes::<Payload>(body)
                    .map_err(|e| format!("corrupted model file: {e}"))
                    .and_then(Payload::into_model)
            },
        );
        if checksum != u32::from_le_bytes(crc_bytes) {
            return Err(problem("corrupted model file: checksum mismatch".into()));
        }
        decoded.map_err(problem)
    }

    /// Writes the model atomically: a temporary file in the same directory, then a rename.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut temp = temp_file_beside(path)?;
        let mut writer = std::io::BufWriter::with_capacity(1 << 20, temp.as_file_mut());
        self.write_to(&mut writer)
            .and_then(|_| writer.flush())
            .map_err(|e| StanceError::io(path, e))?;
        drop(writer);
        persist_output(temp, path)
    }

    pub fn load(path: &Path) -> Result<Model> {
        let cannot_read = |source: std::io::Error| StanceError::ModelFile {
            path: display_path(path),
            problem: if source.kind() == std::io::ErrorKind::NotFound {
                "model file not found".to_string()
            } else {
                format!("cannot read the model file: {source}")
            },
        };
        let mut file = std::fs::File::open(path).map_err(cannot_read)?;
        // The file is mapped, not copied: its pages come straight from the page cache, and the only fresh
        // memory is the weight tables decoded from them (a hashed model's file is 150 MB).
        // SAFETY: the map is read only while this function runs. Another process truncating or rewriting
        // the file in place meanwhile could change the bytes under us; stance itself replaces model files
        // by renaming a new file over the old one, which leaves a mapped file untouched.
        if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
            return Model::from_bytes(&map, &display_path(path));
        }
        // Not mappable (a pipe, say): read it.
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).map_err(cannot_read)?;
        Model::from_bytes(&bytes, &display_path(path))
    }
}

impl Payload<'_> {
    fn into_model(self) -> std::result::Result<Model, String> {
        self.features
            .check()
            .map_err(|e| format!("corrupted model file: {e}"))?;
        if self.idf.len() != self.vocabulary.len() {
            return Err("corrupted model file: vocabulary and idf differ in length".into());
        }
        let vocabulary = Vocabulary::from_names(self.vocabulary);
        let vectorizer = Vectorizer::from_parts(self.features, vocabulary, self.idf);
        let n_features = vectorizer.n_features();
        let mut tasks = Vec::with_capacity(self.tasks.len());
        for task in self.tasks {
            let k = task.labels.len();
            if k < 2 || task.intercept.len() != k || task.weights.len() != n_features * k * 4 {
                return Err(format!(
                    "corrupted model file: task `{}` has weights of the wrong shape",
                    task.name
                ));
            }
            let mut values = super::memory::with_huge_pages(n_features * k);
            values.par_extend(
                task.weights
                    .par_chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            );
            let weights = Array2::from_shape_vec((n_features, k), values)
                .map_err(|e| format!("corrupted model file: {e}"))?;
            tasks.push(TaskHead {
                name: task.name,
                labels: task.labels,
                weights,
                intercept: Array1::from_vec(task.intercept),
            });
        }
        if tasks.is_empty() {
            return Err("corrupted model file: it has no tasks".into());
        }
        Ok(Model {
            vectorizer,
            tasks,
            training: self.training,
            crate_version: self.crate_version,
        })
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so readers see either the
/// old file or the whole new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut temp = temp_file_beside(path)?;
    temp.write_all(bytes)
        .map_err(|e| StanceError::io(path, e))?;
    persist_output(temp, path)
}

/// A temporary file in the directory of `path`, so that renaming it onto `path` is atomic.
pub fn temp_file_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    tempfile::NamedTempFile::new_in(dir).map_err(|e| StanceError::io(path, e))
}

/// Syncs a finished temporary file, makes it readable like any output (0644: a temporary file is
/// private), and renames it onto `path`.
pub fn persist_output(temp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    temp.as_file()
        .sync_all()
        .map_err(|e| StanceError::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| StanceError::io(path, e))?;
    }
    temp.persist(path)
        .map_err(|e| StanceError::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{train, LabeledTexts, TrainParams};

    fn small_model() -> Model {
        let data = LabeledTexts {
            source: "t".into(),
            text_column: "text".into(),
            texts: vec![
                "grain exports".into(),
                "troops fired".into(),
                "grain troops".into(),
            ],
            tasks: vec![(
                "frame".into(),
                vec![Some("economic".into()), Some("military".into()), None],
            )],
        };
        let mut params = TrainParams::default();
        params.features.min_df = 1;
        train(&params.check().unwrap(), &data).unwrap().0
    }

    #[test]
    fn round_trip_gives_the_same_model_and_bytes() {
        let model = small_model();
        let bytes = model.to_bytes().unwrap();
        let back = Model::from_bytes(&bytes, "m").unwrap();
        assert_eq!(back, model);
        assert_eq!(back.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = small_model().to_bytes().unwrap();
        for len in 0..bytes.len() {
            assert!(
                Model::from_bytes(&bytes[..len], "m").is_err(),
                "length {len}"
            );
        }
    }

    #[test]
    fn a_flipped_byte_is_caught() {
        let mut bytes = small_model().to_bytes().unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x55;
        let err = Model::from_bytes(&bytes, "m").unwrap_err().to_string();
        assert!(err.contains("corrupted"), "{err}");
    }

    #[test]
    fn a_failed_write_keeps_its_io_error() {
        /// Takes `room` bytes, then fails as a full disk would.
        struct FullDisk {
            room: usize,
        }
        impl Write for FullDisk {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                if self.room == 0 {
                    return Err(std::io::ErrorKind::StorageFull.into());
                }
                let n = bytes.len().min(self.room);
                self.room -= n;
                Ok(n)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let model = small_model();
        let size = model.to_bytes().unwrap().len();
        for room in [0, 10, HEADER_LEN + 3, size - 2] {
            let err = model.write_to(&mut FullDisk { room }).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::StorageFull, "room {room}");
        }
        assert!(model.write_to(&mut FullDisk { room: size }).is_ok());
    }

    #[test]
    fn another_format_version_is_named() {
        let mut bytes = small_model().to_bytes().unwrap();
        bytes[8] = 9;
        let err = Model::from_bytes(&bytes, "m").unwrap_err().to_string();
        assert!(err.contains("format version 9"), "{err}");
    }

    #[test]
    fn a_foreign_file_is_named() {
        let err = Model::from_bytes(b"text,frame\n", "m.csv")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("m.csv") && err.contains("not a stance model"),
            "{err}"
        );
    }
}
